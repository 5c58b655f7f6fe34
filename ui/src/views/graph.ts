/**
 * The service graph: a layered DAG (callers left, callees right; see layout.ts) drawn with D3.
 *
 * - Health by colour and shape and pattern, so it reads without colour: healthy = green circle,
 *   degraded = amber hatched triangle, down = red cross-hatched square, recovering = blue circle in a
 *   dashed ring. A legend runs along the panel's foot, one small line, so the header takes one row and
 *   the graph keeps the height (in a narrow panel its edge key drops the word "callee").
 * - Edges are arrows caller → callee: soft dependencies dashed; coloured and thickened by the callee's
 *   current error rate (amber from 1%, red and wider from 5%) so the blast radius reads at a glance.
 * - Nodes are focusable buttons (tabindex 0, role button, aria-label "<name>: <state>, <rate> errors").
 *   Click, Enter or Space selects; arrow keys walk the graph (← callers, → callees, ↑↓ the layer).
 * - Labels "name rate" are placed greedily, most urgent first (selected, down, degraded, recovering,
 *   healthy), where they overlap no other label or node and, if the panel allows, no edge; an edge
 *   that must pass a label bends around it (graph-labels.ts). A small graph labels every node; a
 *   dense one only where there is room, so a 100-service graph stays legible.
 * - Redraw is incremental: joins keyed by id on a new scenario, positions on resize, and per update
 *   only the attributes whose value changed; state changes get a short pulse.
 */
import { easeCubicOut, interrupt, path, select, symbolCircle, symbolSquare, symbolTriangle, type Selection } from 'd3';
import { h, percent } from '../dom.ts';
import type { SeriesStore, ViewModel } from '../model.ts';
import { crosses, edgeShape, labelSpots, overlaps, routeAround, type Box, type EdgeShape } from './graph-labels.ts';
import { buildTopology, placeNodes, type GraphEdge, type Point, type Topology } from './layout.ts';
import type { View, ViewContext } from './types.ts';

const STATES = ['healthy', 'degraded', 'down', 'recovering'] as const;
const URGENCY: Record<string, number> = { down: 0, degraded: 1, recovering: 2, healthy: 3 };
/** Callee error rates where an edge turns amber and red. */
const EDGE_WARN = 0.01;
export const EDGE_FAIL = 0.05;
const LABEL_H = 13;
const TEXT_REFRESH_MS = 250;
const LABEL_FONT = '600 11px system-ui, -apple-system, "Segoe UI", sans-serif';
const RATE_FONT = '10px system-ui, -apple-system, "Segoe UI", sans-serif';

let instances = 0;

interface NodeDatum {
  id: string;
  name: string;
  tier: string;
}

interface NodeRec extends NodeDatum {
  g: SVGGElement;
  shape: SVGPathElement;
  label: SVGTextElement;
  nameSpan: SVGTSpanElement;
  rateSpan: SVGTSpanElement;
  x: number;
  y: number;
  state: string;
  rate: string;
  aria: string;
  edgeKey: string;
  labelW: number;
  shown: boolean;
}

interface EdgeRec extends GraphEdge {
  el: SVGPathElement;
  /** Its curve, once laid out, and the path drawn (the curve, or bent around labels). */
  shape: EdgeShape | null;
  d: string;
  cls: string;
  bucket: 'ok' | 'warn' | 'fail';
  width: number;
}

type Bucket = EdgeRec['bucket'];
const bucketOf = (err: number): Bucket => (err >= EDGE_FAIL ? 'fail' : err >= EDGE_WARN ? 'warn' : 'ok');
const widthOf = (err: number, b: Bucket): number => (b === 'fail' ? Math.round((1.6 + 2.4 * Math.min(1, (err - EDGE_FAIL) / 0.45)) * 2) / 2 : b === 'warn' ? 1.4 : 1);

/**
 * The node's shape for its state, drawn at (cx, cy) in absolute coordinates: nodes carry no
 * transform, so a 100-service graph adds no paint property nodes for the compositor to walk.
 */
function shapePath(state: string, r: number, cx = 0, cy = 0): string {
  const type = state === 'degraded' ? symbolTriangle : state === 'down' ? symbolSquare : symbolCircle;
  const size = state === 'degraded' ? 2.6 * r * r : state === 'down' ? 3.3 * r * r : Math.PI * r * r;
  const p = path();
  type.draw(
    {
      moveTo: (x, y) => p.moveTo(x + cx, y + cy),
      lineTo: (x, y) => p.lineTo(x + cx, y + cy),
      arc: (x, y, radius, a0, a1, ccw) => p.arc(x + cx, y + cy, radius, a0, a1, ccw),
      closePath: () => p.closePath(),
      rect: (x, y, w, h) => p.rect(x + cx, y + cy, w, h),
      arcTo: (x1, y1, x2, y2, radius) => p.arcTo(x1 + cx, y1 + cy, x2 + cx, y2 + cy, radius),
      bezierCurveTo: (a, b, c, d, x, y) => p.bezierCurveTo(a + cx, b + cy, c + cx, d + cy, x + cx, y + cy),
      quadraticCurveTo: (a, b, x, y) => p.quadraticCurveTo(a + cx, b + cy, x + cx, y + cy),
      ellipse: () => {
        throw new Error('ellipse: not used by d3 symbols');
      },
    },
    size,
  );
  return p.toString();
}

/** Sets an element's text in place (its Text node's data) instead of replacing the node. */
function setText(el: Element, text: string): void {
  const first = el.firstChild;
  if (first && first.nodeType === 3 && !first.nextSibling) (first as Text).data = text;
  else el.textContent = text;
}

let measureCtx: CanvasRenderingContext2D | null = null;
function textWidth(text: string, font: string): number {
  measureCtx ??= document.createElement('canvas').getContext('2d');
  if (!measureCtx) return text.length * 6.5;
  measureCtx.font = font;
  return measureCtx.measureText(text).width;
}

const svgNode = (tag: string) => document.createElementNS('http://www.w3.org/2000/svg', tag);

function legend(uid: string): HTMLElement {
  const swatch = (cls: string, draw: (g: Selection<SVGSVGElement, unknown, null, undefined>) => void) => {
    const s = select(svgNode('svg') as SVGSVGElement).attr('class', `swatch ${cls}`).attr('viewBox', '-8 -8 16 16').attr('aria-hidden', 'true');
    draw(s);
    return s.node() as SVGSVGElement;
  };
  const state = (st: string) =>
    swatch(st, (s) => {
      if (st === 'recovering') s.append('circle').attr('class', 'ring').attr('r', 6.5);
      s.append('path').attr('class', 'shape').attr('d', shapePath(st, 4.5)).attr('fill', fillFor(uid, st));
    });
  const line = (cls: string) => swatch(`edge-swatch ${cls}`, (s) => s.append('line').attr('x1', -8).attr('x2', 8).attr('class', `edge ${cls}`));
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Legend' },
    ...STATES.map((st) => h('li', {}, state(st), st)),
    h('li', {}, line('soft ok'), 'soft'),
    h('li', { class: 'legend-async', title: 'Asynchronous: messages on a topic, consumed later' }, line('async ok'), 'async'),
    h('li', { title: `Edge colour and width: the callee's error rate (amber ≥ ${EDGE_WARN * 100}%, red ≥ ${EDGE_FAIL * 100}%)` }, line('hard fail'), h('span', { class: 'legend-long', text: 'callee ' }), `≥ ${EDGE_FAIL * 100}% errors`),
  );
}

function fillFor(uid: string, state: string): string | null {
  if (state === 'degraded') return `url(#${uid}-hatch)`;
  if (state === 'down') return `url(#${uid}-cross)`;
  return null;
}

export function createGraphView(root: HTMLElement, ctx: ViewContext): View {
  const uid = `sg${++instances}`;
  root.classList.add('gv');
  const holder = h('div', { class: 'graph-canvas' });
  root.append(h('div', { class: 'graph-head' }, h('h2', { text: 'Service graph' })), holder, legend(uid));

  const svg = select(holder)
    .append('svg')
    .attr('class', 'graph-svg')
    .attr('role', 'group')
    .attr('aria-label', 'Service dependency graph: callers on the left, the services they call on the right');
  const defs = svg.append('defs');
  const hatch = defs.append('pattern').attr('id', `${uid}-hatch`).attr('class', 'pat-degraded').attr('patternUnits', 'userSpaceOnUse').attr('width', 4).attr('height', 4).attr('patternTransform', 'rotate(45)');
  hatch.append('rect').attr('width', 4).attr('height', 4);
  hatch.append('line').attr('x1', 1).attr('y1', 0).attr('x2', 1).attr('y2', 4);
  const cross = defs.append('pattern').attr('id', `${uid}-cross`).attr('class', 'pat-down').attr('patternUnits', 'userSpaceOnUse').attr('width', 5).attr('height', 5).attr('patternTransform', 'rotate(45)');
  cross.append('rect').attr('width', 5).attr('height', 5);
  cross.append('path').attr('d', 'M0 2.5H5M2.5 0V5');
  const markers = (['ok', 'warn', 'fail'] as const).map((b) =>
    defs
      .append('marker')
      .attr('id', `${uid}-arrow-${b}`)
      .attr('class', `arrow ${b}`)
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 10)
      .attr('refY', 5)
      .attr('markerUnits', 'userSpaceOnUse')
      .attr('orient', 'auto'),
  );
  for (const m of markers) m.append('path').attr('d', 'M0,0L10,5L0,10z');
  const gEdges = svg.append('g').attr('class', 'edges');
  const gNodes = svg.append('g').attr('class', 'nodes');
  const gLabels = svg.append('g').attr('class', 'labels');

  let topoKey = '';
  let topo: Topology | null = null;
  let pos = new Map<string, Point>();
  let r = 8;
  const nodes = new Map<string, NodeRec>();
  const edges: EdgeRec[] = [];
  const edgesInto = new Map<string, EdgeRec[]>();
  let width = 0;
  let height = 0;
  let geometryDirty = true;
  let labelsDirty = true;
  let selected: string | null = null;
  let last: ViewModel | null = null;
  let nextTextAt = 0;
  let trailing: ReturnType<typeof setTimeout> | null = null;

  const ro = new ResizeObserver(() => {
    const w = Math.floor(holder.clientWidth);
    const hh = Math.floor(holder.clientHeight);
    if (w === width && hh === height) return;
    width = w;
    height = hh;
    svg.attr('width', w).attr('height', hh).attr('viewBox', `0 0 ${w} ${hh}`);
    geometryDirty = true;
    if (last) draw(last);
  });
  ro.observe(holder);

  const names = (ids: readonly string[] | undefined): string => (ids && ids.length > 0 ? ids.map((x) => nodes.get(x)?.name ?? x).join(', ') : '—');

  function tooltip(id: string): string {
    const s = last?.services[id];
    if (!s) return id;
    const m = s.metrics;
    return `${s.name} (${s.tier}) — ${s.state}\n${percent(m.errorRate)} errors · p99 ${Math.round(m.p99Ms)} ms · ${Math.round(m.rps)} rps · ${percent(m.saturation)} saturated\ncalls: ${names(topo?.callees.get(id))}\ncalled by: ${names(topo?.callers.get(id))}`;
  }

  function focusNeighbour(id: string, key: string): boolean {
    if (!topo) return false;
    const here = pos.get(id);
    const layer = topo.layers[topo.layerOf.get(id) ?? 0] ?? [];
    const i = layer.indexOf(id);
    let next: string | undefined;
    const nearest = (ids: readonly string[]) => [...ids].sort((a, b) => Math.abs((pos.get(a)?.y ?? 0) - (here?.y ?? 0)) - Math.abs((pos.get(b)?.y ?? 0) - (here?.y ?? 0)))[0];
    if (key === 'ArrowUp') next = layer[i - 1];
    else if (key === 'ArrowDown') next = layer[i + 1];
    else if (key === 'ArrowRight') next = nearest(topo.callees.get(id) ?? []);
    else if (key === 'ArrowLeft') next = nearest(topo.callers.get(id) ?? []);
    else return false;
    if (next) nodes.get(next)?.g.focus();
    return true;
  }

  function rebuild(model: ViewModel): void {
    const scenario = model.scenario;
    root.classList.toggle('has-async', scenario.services.some((s) => (s.dependencies ?? []).some((d) => d.kind === 'async')));
    topo = buildTopology(
      scenario.services.map((s) => ({ id: s.id, dependencies: (s.dependencies ?? []).map((d) => ({ service: d.service, kind: d.kind })) })),
      scenario.journeys.map((j) => j.entry),
      scenario.id,
    );
    const data: NodeDatum[] = scenario.services.map((s) => ({ id: s.id, name: s.name ?? s.id, tier: s.tier }));
    nodes.clear();
    gNodes
      .selectAll<SVGGElement, NodeDatum>('g.node')
      .data(data, (d) => d.id)
      .join((enter) => {
        const g = enter.append('g').attr('tabindex', 0).attr('role', 'button');
        g.append('circle').attr('class', 'halo');
        g.append('circle').attr('class', 'ring');
        g.append('path').attr('class', 'shape');
        g.append('title');
        return g;
      })
      .attr('class', 'node')
      .attr('data-id', (d) => d.id)
      .on('click', (_e, d) => ctx.select(d.id))
      .on('keydown', (e: KeyboardEvent, d) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          ctx.select(d.id);
        } else if (focusNeighbour(d.id, e.key)) e.preventDefault();
      })
      .on('pointerenter focus', function (_e, d) {
        select(this).select('title').text(tooltip(d.id));
      })
      .each(function (d) {
        nodes.set(d.id, { ...d, g: this, shape: this.querySelector('.shape') as SVGPathElement, label: null as unknown as SVGTextElement, nameSpan: null as unknown as SVGTSpanElement, rateSpan: null as unknown as SVGTSpanElement, x: 0, y: 0, state: '', rate: '', aria: '', edgeKey: '', labelW: 0, shown: false });
      });
    gLabels
      .selectAll<SVGTextElement, NodeDatum>('text.label')
      .data(data, (d) => d.id)
      .join((enter) => {
        const t = enter.append('text').attr('class', 'label').attr('aria-hidden', 'true');
        t.append('tspan').attr('class', 'name');
        t.append('tspan').attr('class', 'rate').attr('dx', 4);
        return t;
      })
      .attr('data-id', (d) => d.id)
      .on('click', (_e, d) => ctx.select(d.id))
      .each(function (d) {
        const rec = nodes.get(d.id) as NodeRec;
        rec.label = this;
        rec.nameSpan = this.querySelector('.name') as SVGTSpanElement;
        rec.rateSpan = this.querySelector('.rate') as SVGTSpanElement;
        rec.nameSpan.textContent = d.name;
        rec.labelW = Math.ceil(textWidth(d.name, LABEL_FONT) + 4 + textWidth('100.0%', RATE_FONT)) + 2;
      });
    edges.length = 0;
    edgesInto.clear();
    gEdges
      .selectAll<SVGPathElement, GraphEdge>('path.edge')
      .data(topo.edges, (e) => e.id)
      .join('path')
      .attr('data-id', (e) => e.id)
      .each(function (e) {
        const rec: EdgeRec = { ...e, el: this, shape: null, d: '', cls: '', bucket: 'ok', width: 0 };
        edges.push(rec);
        const into = edgesInto.get(e.target) ?? [];
        into.push(rec);
        edgesInto.set(e.target, into);
      });
    svg.classed('dense', topo.edges.length > 60 || data.length > 40);
    selected = null;
    geometryDirty = true;
    labelsDirty = true;
  }

  function layoutGeometry(): void {
    if (!topo || width <= 0 || height <= 0) return;
    const deepest = topo.layers[topo.layers.length - 1] ?? [];
    const reserve = Math.min(170, Math.max(40, ...deepest.map((id) => (nodes.get(id)?.labelW ?? 0) + 24)));
    // A caller in the first layer fans its edges out to the right, so its label goes on its left: room for it there.
    const callers = (topo.layers[0] ?? []).filter((id) => (topo?.callees.get(id)?.length ?? 0) > 0);
    const reserveLeft = Math.min(170, Math.max(14, ...callers.map((id) => (nodes.get(id)?.labelW ?? 0) + 20)));
    const placed = placeNodes(topo, { width, height, padRight: reserve, padLeft: reserveLeft, padTop: 12, padBottom: 12 });
    pos = placed.pos;
    r = placed.r;
    for (const m of markers) m.attr('markerWidth', Math.max(5, Math.min(8, r))).attr('markerHeight', Math.max(5, Math.min(8, r)));
    for (const rec of nodes.values()) {
      const p = pos.get(rec.id) as Point;
      rec.x = p.x;
      rec.y = p.y;
      select(rec.g).select('.halo').attr('cx', p.x).attr('cy', p.y).attr('r', r + 5);
      select(rec.g).select('.ring').attr('cx', p.x).attr('cy', p.y).attr('r', r + 3.5);
      if (rec.state) rec.shape.setAttribute('d', shapePath(rec.state, r, p.x, p.y));
    }
    for (const e of edges) {
      e.shape = edgeShape(e.source, e.target, pos.get(e.source) as Point, pos.get(e.target) as Point, r);
      e.d = e.shape.d;
      e.el.setAttribute('d', e.d);
    }
    geometryDirty = false;
    labelsDirty = true;
  }

  function styleEdge(e: EdgeRec): void {
    const adj = selected !== null && (e.source === selected || e.target === selected);
    const cls = `edge ${e.kind} ${e.bucket}${adj ? ' adj' : ''}`;
    if (cls === e.cls) return;
    e.cls = cls;
    e.el.setAttribute('class', cls);
    e.el.setAttribute('marker-end', `url(#${uid}-arrow-${e.bucket})`);
    if (e.bucket === 'fail' || adj) e.el.parentNode?.appendChild(e.el);
  }

  function placeLabels(model: ViewModel): void {
    const nodeBoxes = new Map<string, Box>();
    for (const [id, p] of pos) nodeBoxes.set(id, [p.x - r - 2, p.y - r - 2, p.x + r + 2, p.y + r + 2]);
    const order = [...nodes.values()].sort((a, b) => {
      const pa = a.id === selected ? -1 : (URGENCY[a.state] ?? 3);
      const pb = b.id === selected ? -1 : (URGENCY[b.state] ?? 3);
      return pa - pb || (model.services[b.id]?.metrics.errorRate ?? 0) - (model.services[a.id]?.metrics.errorRate ?? 0);
    });
    // A small graph names every node; a dense one only those with room (it would be unreadable otherwise).
    const everyNode = !svg.classed('dense');
    const placed: Box[] = [];
    for (const rec of order) {
      const p = pos.get(rec.id);
      if (!p) continue;
      const box = spotFor(rec, p, nodeBoxes, placed, everyNode);
      rec.shown = box !== undefined;
      if (!box) {
        rec.label.setAttribute('display', 'none');
        continue;
      }
      placed.push(box);
      rec.label.removeAttribute('display');
      rec.label.setAttribute('x', box[0].toFixed(1));
      rec.label.setAttribute('y', (box[1] + LABEL_H - 3).toFixed(1));
      rec.label.setAttribute('class', `label ${rec.state}${rec.id === selected ? ' selected' : ''}`);
      setText(rec.rateSpan, rec.rate);
    }
    // Edges through a label that had nowhere better to go take another way round it (never through another node).
    for (const e of edges) {
      if (!e.shape) continue;
      const others = [...nodeBoxes].flatMap(([id, b]) => (id === e.source || id === e.target ? [] : [b]));
      const d = routeAround(e.shape, placed, others);
      if (d !== e.d) {
        e.d = d;
        e.el.setAttribute('d', d);
      }
    }
    labelsDirty = false;
  }

  /**
   * The best spot for a node's label: the first on the panel that covers no label, node or edge; else
   * the one crossing the fewest edges (never the node's own: those could not bend around it); an
   * urgent label may cover healthy nodes, never one in trouble. Undefined: no room at all.
   */
  function spotFor(rec: NodeRec, p: Point, nodeBoxes: Map<string, Box>, placed: readonly Box[], everyNode: boolean): Box | undefined {
    const w = rec.labelW;
    const slide = (x0: number) => Math.max(1, Math.min(width - 1 - w, x0));
    const spots = labelSpots(p, r, w, LABEL_H, slide);
    const inside = (b: Box) => b[0] >= 1 && b[1] >= 0 && b[2] <= width - 1 && b[3] <= height;
    const freeOfLabels = (b: Box) => !placed.some((q) => overlaps(b, q));
    const freeOfNodes = (b: Box, healthyOk: boolean) => {
      for (const [id, nb] of nodeBoxes) {
        if (id === rec.id || !overlaps(b, nb)) continue;
        if (!healthyOk || nodes.get(id)?.state !== 'healthy' || id === selected) return false;
      }
      return true;
    };
    const cost = (b: Box) => {
      let n = 0;
      for (const e of edges) if (e.shape && crosses(e.shape, b)) n += e.source === rec.id || e.target === rec.id ? 1000 : 1;
      return n;
    };
    const urgent = rec.id === selected || rec.state !== 'healthy';
    for (const healthyOk of urgent || everyNode ? [false, true] : [false]) {
      const open = spots.filter((b) => inside(b) && freeOfLabels(b) && freeOfNodes(b, healthyOk));
      if (open.length === 0) continue;
      let best = open[0] as Box;
      let bestCost = cost(best);
      for (const b of open) {
        if (bestCost === 0) break;
        const c = cost(b);
        if (c < bestCost) [best, bestCost] = [b, c];
      }
      return best;
    }
    if (rec.id !== selected) return undefined;
    const b = spots[0] as Box;
    const dx = Math.min(0, width - 1 - b[2]);
    return [b[0] + dx, b[1], b[2] + dx, b[3]];
  }

  function draw(model: ViewModel): void {
    const key = `${model.scenario.id}|${model.scenario.services.map((s) => s.id).join(',')}`;
    if (key !== topoKey) {
      topoKey = key;
      rebuild(model);
    }
    if (geometryDirty) layoutGeometry();
    if (geometryDirty) return; // not laid out yet (no size)

    const sel = ctx.selected();
    if (sel !== selected) {
      const before = selected ? nodes.get(selected) : undefined;
      before?.g.classList.remove('selected');
      before?.g.removeAttribute('aria-current');
      selected = sel && nodes.has(sel) ? sel : null;
      const now = selected ? nodes.get(selected) : undefined;
      now?.g.classList.add('selected');
      now?.g.setAttribute('aria-current', 'true');
      svg.classed('has-selection', selected !== null);
      for (const e of edges) styleEdge(e);
      labelsDirty = true;
    }

    // Rates in labels and aria-labels change every tick: nobody reads them at 60 Hz, so they are
    // refreshed at most every TEXT_REFRESH_MS (at once for a node whose state changed), with a
    // trailing refresh so the last numbers always show.
    const nowMs = performance.now();
    const refreshText = nowMs >= nextTextAt;
    if (refreshText) nextTextAt = nowMs + TEXT_REFRESH_MS;
    else if (trailing === null) {
      trailing = setTimeout(() => {
        trailing = null;
        nextTextAt = 0;
        if (last) draw(last);
      }, nextTextAt - nowMs);
    }
    for (const rec of nodes.values()) {
      const s = model.services[rec.id];
      if (!s) continue;
      const err = s.metrics.errorRate;
      const changed = s.state !== rec.state;
      if (changed) {
        const first = rec.state === '';
        rec.state = s.state;
        rec.g.setAttribute('class', `node ${s.state}${rec.id === selected ? ' selected' : ''}`);
        rec.shape.setAttribute('d', shapePath(s.state, r, rec.x, rec.y));
        const fill = fillFor(uid, s.state);
        if (fill) rec.shape.setAttribute('fill', fill);
        else rec.shape.removeAttribute('fill');
        if (!first) {
          interrupt(rec.shape);
          // A short pulse (scaled about the shape's own centre: see transform-box in app.css).
          select(rec.shape)
            .attr('transform', 'scale(2)')
            .transition()
            .duration(450)
            .ease(easeCubicOut)
            .attr('transform', 'scale(1)')
            .on('end', function () {
              this.removeAttribute('transform');
            });
        }
        labelsDirty = true;
      }
      if (refreshText || changed) {
        const rate = percent(err);
        if (rate !== rec.rate) {
          rec.rate = rate;
          if (rec.shown) setText(rec.rateSpan, rate);
        }
        const aria = `${rec.name}: ${s.state}, ${rate} errors`;
        if (aria !== rec.aria) {
          rec.aria = aria;
          rec.g.setAttribute('aria-label', aria);
        }
      }
      const bucket = bucketOf(err);
      const w = widthOf(err, bucket);
      const edgeKey = `${bucket}${w}`;
      if (edgeKey !== rec.edgeKey) {
        rec.edgeKey = edgeKey;
        for (const e of edgesInto.get(rec.id) ?? []) {
          e.bucket = bucket;
          if (w !== e.width) {
            e.width = w;
            e.el.setAttribute('stroke-width', String(w));
          }
          styleEdge(e);
        }
      }
    }
    if (labelsDirty) placeLabels(model);
  }

  return {
    update(model: ViewModel, _series: SeriesStore) {
      last = model;
      draw(model);
    },
  };
}
