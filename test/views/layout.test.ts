/** The service graph's layout (ui/src/views/layout.ts): pure, deterministic, callers before callees. */
import { describe, expect, it } from 'vitest';
import { buildScenario } from '../../bench/generate.ts';
import type { Scenario } from '../../engine/protocol/scenario.ts';
import { buildTopology, countCrossings, placeNodes, spread } from '../../ui/src/views/layout.ts';
import { loadScenario } from '../helpers.ts';

const topologyOf = (s: Scenario) => buildTopology(s.services, s.journeys.map((j) => j.entry), s.id);

describe('graph layout', () => {
  const retail = loadScenario('retail-sev1');
  const big = buildScenario({ services: 100 }).scenario;

  it('layers by longest path: every edge goes from a caller to a deeper layer', () => {
    for (const s of [retail, big]) {
      const topo = topologyOf(s);
      for (const e of topo.edges) expect(topo.layerOf.get(e.source)).toBeLessThan(topo.layerOf.get(e.target) as number);
      expect(topo.layers.flat().sort()).toEqual(s.services.map((x) => x.id).sort());
    }
    const topo = topologyOf(retail);
    expect(topo.layers[0]).toEqual(expect.arrayContaining(['product-page', 'checkout', 'account', 'search']));
    expect(topo.layerOf.get('pricing')).toBe(1);
    expect(topo.layerOf.get('pricing-db')).toBe(2);
  });

  it('draws the same picture every time, and no more crossings than the first order', () => {
    for (const s of [retail, big]) {
      const a = topologyOf(s);
      const b = topologyOf(s);
      expect(b.layers).toEqual(a.layers);
      const pa = placeNodes(a, { width: 540, height: 270 });
      const pb = placeNodes(b, { width: 540, height: 270 });
      expect([...pb.pos]).toEqual([...pa.pos]);
      const unswept = buildTopology(s.services, s.journeys.map((j) => j.entry), s.id, 0);
      expect(a.crossings).toBeLessThanOrEqual(countCrossings(unswept.layers, unswept.edges, unswept.layerOf));
    }
  });

  it('keeps nodes inside the box, callers left of callees, and layers apart', () => {
    for (const s of [retail, big]) {
      const topo = topologyOf(s);
      const { pos, r } = placeNodes(topo, { width: 540, height: 270 });
      for (const p of pos.values()) {
        expect(p.x).toBeGreaterThanOrEqual(0);
        expect(p.x).toBeLessThanOrEqual(540);
        expect(p.y).toBeGreaterThanOrEqual(0);
        expect(p.y).toBeLessThanOrEqual(270);
      }
      for (const e of topo.edges) expect((pos.get(e.source) as { x: number }).x).toBeLessThan((pos.get(e.target) as { x: number }).x);
      // Within a layer's sub-column, nodes never overlap.
      for (const layer of topo.layers) {
        const byColumn = new Map<number, number[]>();
        for (const id of layer) {
          const p = pos.get(id) as { x: number; y: number };
          byColumn.set(p.x, [...(byColumn.get(p.x) ?? []), p.y]);
        }
        for (const ys of byColumn.values()) {
          ys.sort((a, b) => a - b);
          for (let i = 1; i < ys.length; i++) expect((ys[i] as number) - (ys[i - 1] as number)).toBeGreaterThanOrEqual(2 * r);
        }
      }
    }
  });

  it('spread keeps order, gaps and bounds, as close to the wishes as it can', () => {
    expect(spread([10, 10, 10], 5, 0, 100)).toEqual([5, 10, 15]);
    expect(spread([0, 0], 10, 5, 100)).toEqual([5, 15]);
    expect(spread([100, 100], 10, 0, 100)).toEqual([90, 100]);
    expect(spread([0, 50, 100], 80, 0, 100)).toEqual([0, 50, 100]);
    expect(spread([], 10, 0, 100)).toEqual([]);
  });
});
