/**
 * The service graph's layout: a layered DAG, pure and deterministic (no DOM, no timers, no
 * Math.random), so the same scenario always draws the same picture at the same size.
 *
 * 1. `buildTopology` (once per scenario): layers by longest path from the roots (entry services and
 *    anything nobody calls), so every edge points from a caller to a deeper layer; then the order
 *    within each layer from barycenter sweeps, down and up, keeping the order with the fewest edge
 *    crossings. Ties are broken by a small PRNG seeded from the scenario id.
 * 2. `placeNodes` (on every resize): callers on the left, callees on the right. A layer too tall for
 *    its column is staggered over a few sub-columns; within a layer nodes keep their order and sit as
 *    close to their neighbours' height as a minimum gap allows (isotonic regression, then clamped).
 */
import { hashString } from '../../../engine/protocol/hash.ts';

export interface GraphServiceInput {
  id: string;
  dependencies?: readonly { service: string; kind: 'hard' | 'soft' | 'async' }[];
}

export interface GraphEdge {
  /** `caller->callee`. */
  id: string;
  source: string;
  target: string;
  kind: 'hard' | 'soft' | 'async';
}

export interface Topology {
  /** Node ids per layer, in drawing order (top to bottom). */
  layers: string[][];
  layerOf: Map<string, number>;
  edges: GraphEdge[];
  callers: Map<string, string[]>;
  callees: Map<string, string[]>;
  /** Edge crossings of the chosen order (adjacent and long edges alike). */
  crossings: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface Placement {
  pos: Map<string, Point>;
  /** Node radius in px, from the density of the graph. */
  r: number;
  /** Sub-columns used by each layer (1 unless the layer is staggered). */
  subColumns: number[];
}

export interface PlaceOptions {
  width: number;
  height: number;
  padTop?: number;
  padBottom?: number;
  padLeft?: number;
  /** Room kept on the right for the deepest layer's labels. */
  padRight?: number;
  /** The gap between neighbours in a layer when there is room (fits a two-line label). */
  preferredGap?: number;
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function buildTopology(services: readonly GraphServiceInput[], entries: readonly string[], seedKey: string, sweeps = 12): Topology {
  const ids = services.map((s) => s.id);
  const known = new Set(ids);
  const edges: GraphEdge[] = [];
  const callers = new Map<string, string[]>(ids.map((id) => [id, []]));
  const callees = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const s of services) {
    for (const d of s.dependencies ?? []) {
      const id = `${s.id}->${d.service}`;
      if (!known.has(d.service) || d.service === s.id || edges.some((e) => e.id === id)) continue;
      edges.push({ id, source: s.id, target: d.service, kind: d.kind });
      callees.get(s.id)?.push(d.service);
      callers.get(d.service)?.push(s.id);
    }
  }

  // Longest path from the roots (Kahn's order). Scenarios are acyclic (the loader rejects cycles);
  // anything a cycle would leave unvisited still gets a layer after its visited callers.
  const layerOf = new Map<string, number>();
  const pending = new Map(ids.map((id) => [id, callers.get(id)?.length ?? 0]));
  const entrySet = new Set(entries);
  const roots = [...entries.filter((e) => known.has(e) && pending.get(e) === 0), ...ids.filter((id) => pending.get(id) === 0 && !entrySet.has(id))];
  const queue = [...new Set(roots)];
  for (const id of queue) layerOf.set(id, 0);
  // The queue grows as it is read: for-of visits what is pushed during the loop.
  for (const u of queue) {
    for (const v of callees.get(u) ?? []) {
      layerOf.set(v, Math.max(layerOf.get(v) ?? 0, (layerOf.get(u) ?? 0) + 1));
      const left = (pending.get(v) ?? 0) - 1;
      pending.set(v, left);
      if (left === 0) queue.push(v);
    }
  }
  for (const id of ids) {
    if (!layerOf.has(id)) layerOf.set(id, Math.max(0, ...(callers.get(id) ?? []).map((c) => (layerOf.get(c) ?? -1) + 1)));
  }
  const depth = Math.max(0, ...layerOf.values()) + 1;

  // First order: roots as listed (entries first), then depth-first discovery from them.
  const seen = new Map<string, number>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.set(id, seen.size);
    for (const c of callees.get(id) ?? []) visit(c);
  };
  for (const id of roots) visit(id);
  for (const id of ids) visit(id);
  let layers: string[][] = Array.from({ length: depth }, () => []);
  for (const id of [...ids].sort((a, b) => (seen.get(a) ?? 0) - (seen.get(b) ?? 0))) layers[layerOf.get(id) ?? 0]?.push(id);

  // The first 32-bit lane of the shared string hash (FNV-1a) seeds the tie-breaks.
  const rng = mulberry32(Number.parseInt(hashString(seedKey).slice(0, 8), 16));
  const position = (ls: string[][]): Map<string, number> => {
    const pos = new Map<string, number>();
    for (const layer of ls) layer.forEach((id, i) => pos.set(id, (i + 0.5) / layer.length));
    return pos;
  };
  const reorder = (ls: string[][], l: number, neighbours: Map<string, string[]>): void => {
    const pos = position(ls);
    const keyed = (ls[l] ?? []).map((id) => {
      const ns = neighbours.get(id) ?? [];
      const bary = ns.length > 0 ? ns.reduce((sum, n) => sum + (pos.get(n) ?? 0), 0) / ns.length : (pos.get(id) ?? 0);
      return { id, bary, tie: rng() };
    });
    keyed.sort((a, b) => a.bary - b.bary || a.tie - b.tie);
    ls[l] = keyed.map((k) => k.id);
  };

  let best = layers.map((l) => [...l]);
  let bestCrossings = countCrossings(best, edges, layerOf);
  for (let sweep = 0; sweep < sweeps && bestCrossings > 0; sweep++) {
    if (sweep % 2 === 0) for (let l = 1; l < depth; l++) reorder(layers, l, callers);
    else for (let l = depth - 2; l >= 0; l--) reorder(layers, l, callees);
    const crossings = countCrossings(layers, edges, layerOf);
    if (crossings < bestCrossings) {
      best = layers.map((l) => [...l]);
      bestCrossings = crossings;
    }
  }
  layers = best;
  return { layers, layerOf, edges, callers, callees, crossings: bestCrossings };
}

/**
 * Crossings between every pair of edges whose layer spans overlap, each edge taken as a straight
 * line through normalised positions (long edges included, without dummy nodes).
 */
export function countCrossings(layers: readonly (readonly string[])[], edges: readonly GraphEdge[], layerOf: Map<string, number>): number {
  const pos = new Map<string, number>();
  for (const layer of layers) layer.forEach((id, i) => pos.set(id, (i + 0.5) / layer.length));
  const spans = edges.map((e) => ({ l0: layerOf.get(e.source) ?? 0, l1: layerOf.get(e.target) ?? 0, y0: pos.get(e.source) ?? 0, y1: pos.get(e.target) ?? 0 }));
  const at = (s: (typeof spans)[number], l: number) => s.y0 + ((s.y1 - s.y0) * (l - s.l0)) / (s.l1 - s.l0 || 1);
  let crossings = 0;
  for (const [i, a] of spans.entries()) {
    for (let j = i + 1; j < spans.length; j++) {
      const b = spans[j];
      if (!b) continue;
      const lo = Math.max(a.l0, b.l0);
      const hi = Math.min(a.l1, b.l1);
      if (hi <= lo) continue;
      const d0 = at(a, lo) - at(b, lo);
      const d1 = at(a, hi) - at(b, hi);
      if (d0 * d1 < 0) crossings++;
    }
  }
  return crossings;
}

/**
 * Positions `desired` (already in order) so that consecutive items are at least `gap` apart, within
 * [lo, hi], as close to their desired positions as possible (least squares: pool adjacent violators).
 */
export function spread(desired: readonly number[], gap: number, lo: number, hi: number): number[] {
  const n = desired.length;
  if (n === 0) return [];
  const g = n > 1 ? Math.min(gap, (hi - lo) / (n - 1)) : 0;
  // z_i = y_i − i·g must be non-decreasing: isotonic regression of desired_i − i·g.
  const blocks: { sum: number; count: number }[] = [];
  for (const [i, d] of desired.entries()) {
    blocks.push({ sum: d - i * g, count: 1 });
    while (true) {
      const last = blocks.at(-1);
      const prev = blocks.at(-2);
      if (!last || !prev || prev.sum / prev.count <= last.sum / last.count) break;
      prev.sum += last.sum;
      prev.count += last.count;
      blocks.pop();
    }
  }
  const top = hi - (n - 1) * g;
  const out: number[] = [];
  for (const b of blocks) {
    const z = Math.min(top, Math.max(lo, b.sum / b.count));
    for (let k = 0; k < b.count; k++) out.push(z + out.length * g);
  }
  return out;
}

export function placeNodes(topo: Topology, options: PlaceOptions): Placement {
  const { width, height } = options;
  const padTop = options.padTop ?? 10;
  const padBottom = options.padBottom ?? 10;
  const padLeft = options.padLeft ?? 14;
  const padRight = options.padRight ?? 14;
  const preferredGap = options.preferredGap ?? 44;
  const n = topo.layerOf.size;
  const lo = padTop;
  const hi = Math.max(lo, height - padBottom);
  const avail = hi - lo;
  const r = Math.max(3.5, Math.min(9, Math.sqrt((Math.max(1, width) * Math.max(1, height)) / Math.max(1, n)) * 0.12));
  const slot = 2 * r + 7;

  // Sub-columns: a layer whose neighbours would be closer than a node's slot is staggered.
  const gaps = topo.layers.map((layer) => (layer.length > 1 ? Math.min(preferredGap, avail / (layer.length - 1)) : preferredGap));
  const subColumns = topo.layers.map((layer, l) => (layer.length > 1 ? Math.max(1, Math.min(4, Math.ceil(slot / (gaps[l] ?? preferredGap)))) : 1));
  const SUB = 0.5;
  const units = Math.max(0, topo.layers.length - 1) + subColumns.reduce((sum, k) => sum + (k - 1) * SUB, 0);
  const usable = Math.max(0, width - padLeft - padRight);
  const unit = units > 0 ? Math.min(usable / units, 280) : 0;
  let x = padLeft + (usable - unit * units) / 2;
  const columnX: number[][] = subColumns.map((k) => {
    const xs = Array.from({ length: k }, (_, j) => x + j * SUB * unit);
    x += (k - 1) * SUB * unit + unit;
    return xs;
  });

  const pos = new Map<string, Point>();
  const mean = (ids: readonly string[]): number | null => {
    const ys = ids.map((id) => pos.get(id)?.y).filter((y): y is number => y !== undefined);
    return ys.length > 0 ? ys.reduce((a, b) => a + b, 0) / ys.length : null;
  };
  const assign = (l: number, desired: number[]): void => {
    const layer = topo.layers[l] ?? [];
    const ys = spread(desired, gaps[l] ?? preferredGap, lo, hi);
    const xs = columnX[l] ?? [padLeft];
    layer.forEach((id, i) => pos.set(id, { x: xs[i % xs.length] ?? padLeft, y: ys[i] ?? lo }));
  };
  const evenly = (l: number): number[] => {
    const layer = topo.layers[l] ?? [];
    const g = gaps[l] ?? preferredGap;
    return layer.map((_, i) => (lo + hi) / 2 + (i - (layer.length - 1) / 2) * g);
  };

  assign(0, evenly(0));
  const layerAt = (l: number): readonly string[] => topo.layers[l] ?? [];
  for (let l = 1; l < topo.layers.length; l++) assign(l, layerAt(l).map((id, i) => mean(topo.callers.get(id) ?? []) ?? evenly(l)[i] ?? lo));
  for (let l = topo.layers.length - 2; l >= 0; l--) {
    assign(l, layerAt(l).map((id) => {
      const here = pos.get(id)?.y ?? lo;
      const there = mean(topo.callees.get(id) ?? []);
      return there === null ? here : (here + there) / 2;
    }));
  }
  for (let l = 1; l < topo.layers.length; l++) {
    assign(l, layerAt(l).map((id) => {
      const here = pos.get(id)?.y ?? lo;
      const there = mean(topo.callers.get(id) ?? []);
      return there === null ? here : (here + there) / 2;
    }));
  }
  return { pos, r, subColumns };
}
