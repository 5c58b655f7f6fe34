/**
 * Telemetry: customer-impact counters, then small multiples of time series drawn with D3 scales,
 * axes and lines — every journey's error rate and p99, and the lag of the topic it waits on if any
 * (with its SLO and alert thresholds as dashed lines), the selected service's error rate, p99, request rate and saturation, and the same for up to
 * three pinned services (each service's first chart has a pin/unpin button), to compare a suspect
 * with its callers. A crosshair follows the pointer across every chart at once.
 *
 * All charts share one simulated-time x axis (drawn once per column under the grid, mm:ss or h:mm):
 * the whole sliding window the SeriesStore keeps, at least 10 minutes wide. Lines turn red above the
 * lowest threshold. Redraw is cheap: SVG elements are made once per chart and reused; a chart whose
 * data, domain and size are unchanged is skipped; charts scrolled out of view are not drawn; and a
 * line never has more than two points per pixel column (the min and max of the samples in it).
 */
import { axisBottom, axisLeft, format, line, nice, scaleLinear, select, type Line, type ScaleLinear, type Selection } from 'd3';
import { formatAxisTime, formatCount, formatMoney } from '../../../engine/protocol/format.ts';
import { h, percent } from '../dom.ts';
import type { Series, SeriesStore, ViewModel } from '../model.ts';
import { EDGE_FAIL } from './graph.ts';
import type { View, ViewContext } from './types.ts';

type Metric = 'errorRate' | 'p99Ms' | 'rps' | 'saturation' | 'lagSeconds';

interface Threshold {
  value: number;
  /** 'ref': not an SLO or alert, the error rate at which the graph draws a dependency red. */
  kind: 'slo' | 'page' | 'ticket' | 'ref';
  label: string;
  /** The line's value is bad above (>) or below (<) it. */
  op: '>' | '<';
}

interface ChartSpec {
  key: string;
  /** The journey or service id. */
  target: string;
  seriesKey: string;
  metric: Metric;
  title: string;
  group: 'journey' | 'service';
  thresholds: Threshold[];
}

interface ChartRec {
  spec: ChartSpec;
  cell: HTMLDivElement;
  svg: Selection<SVGSVGElement, unknown, null, undefined>;
  title: SVGTextElement;
  value: SVGTextElement;
  plot: Selection<SVGGElement, unknown, null, undefined>;
  /** The line's stroke: red above the lowest threshold, blue below (a hard-stop gradient). */
  gradient: SVGLinearGradientElement;
  stops: SVGStopElement[];
  path: SVGPathElement;
  line: Line<number>;
  data: { ts: readonly number[]; vs: readonly number[]; x0: number; kx: number };
  yAxis: Selection<SVGGElement, unknown, null, undefined>;
  vgrid: Selection<SVGGElement, unknown, null, undefined>;
  thresholds: Selection<SVGGElement, unknown, null, undefined>;
  cursor: SVGGElement;
  pin: HTMLButtonElement | null;
  y: ScaleLinear<number, number>;
  x: number;
  top: number;
  w: number;
  h: number;
  /** What the line was last drawn from; null forces a redraw. */
  drawn: { t0: number; span: number; lastT: number; n: number } | null;
  yKey: string;
  valueText: string;
}

const MIN_SPAN_MS = 10 * 60_000;
const MAX_PINNED = 3;
const GAP = 6;
/** Lines redrawn per frame when they have only slid (a forced redraw is never held back). */
const LINES_PER_FRAME = 4;
/** The current values in chart titles change every tick; they are refreshed this often at most. */
const VALUE_REFRESH_MS = 250;
const MIN_CELL_H = 56;
const M = { left: 36, right: 6, top: 15, bottom: 6 };
/** Pixels kept free for a chart's current value, right of its name. */
const VALUE_ROOM = 62;
const METRIC_LABEL: Record<Metric, string> = { errorRate: 'errors', p99Ms: 'p99', rps: 'requests/s', saturation: 'saturation', lagSeconds: 'lag' };
const SERVICE_METRICS: Metric[] = ['errorRate', 'p99Ms', 'rps', 'saturation'];

const msFormat = (v: number): string => (v >= 1000 ? `${format('~g')(v / 1000)}s` : `${format('~g')(v)}ms`);
const siFormat = format('~s');
const secFormat = (v: number): string => (v >= 60 ? `${format('~g')(v / 60)}m` : `${format('~g')(v)}s`);
function valueText(metric: Metric, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  if (metric === 'errorRate') return percent(v);
  if (metric === 'p99Ms') return `${format(',.0f')(v)} ms`;
  if (metric === 'lagSeconds') return `${format(',.0f')(v)} s`;
  if (metric === 'rps') return `${format('.3~s')(v)}/s`;
  return format('.0%')(v);
}

const thresholdText = (t: Threshold, metric: Metric): string =>
  `${t.label} ${metric === 'errorRate' || metric === 'saturation' ? format('.3~%')(t.value) : valueText(metric, t.value)}`;
const labelWidth = (t: Threshold, metric: Metric): number => thresholdText(t, metric).length * 5.4;

/** Sets an element's text in place (its Text node's data) instead of replacing the node. */
function setText(el: Element, text: string): void {
  const first = el.firstChild;
  if (first && first.nodeType === 3 && !first.nextSibling) (first as Text).data = text;
  else el.textContent = text;
}

const STEPS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800].map((s) => s * 1000);
/** Three hours: the widest step, for spans wider than every other allows. */
const LONGEST_STEP = 10_800_000;
/** Round simulated times for at most `max` ticks over [t0, t1]. */
function timeTicks(t0: number, t1: number, max: number): number[] {
  const step = STEPS.find((s) => (t1 - t0) / s <= Math.max(1, max)) ?? LONGEST_STEP;
  const out: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) out.push(t);
  return out;
}

/** Index of the first sample at or after `t` (binary search; `ts` ascending). */
function lowerBound(ts: readonly number[], t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ts[mid] ?? Infinity) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The samples worth drawing between i0 and i1: all of them when there are few per pixel, else the
 * min and max of each pixel column, in time order. Writes into `out` and returns it.
 */
function decimate(ts: readonly number[], vs: readonly number[], i0: number, i1: number, t0: number, pxPerMs: number, out: number[]): number[] {
  out.length = 0;
  const span = ((ts[i1 - 1] ?? t0) - t0) * pxPerMs;
  if (i1 - i0 <= 2 * Math.max(1, span)) {
    for (let i = i0; i < i1; i++) out.push(i);
    return out;
  }
  let col = Number.NaN;
  let lo = -1;
  let hi = -1;
  const flush = () => {
    if (lo < 0) return;
    if (lo === hi) out.push(lo);
    else if (lo < hi) out.push(lo, hi);
    else out.push(hi, lo);
  };
  for (let i = i0; i < i1; i++) {
    const c = Math.floor(((ts[i] ?? t0) - t0) * pxPerMs);
    const v = vs[i] ?? 0;
    if (c !== col) {
      flush();
      col = c;
      lo = i;
      hi = i;
    } else {
      if (v < (vs[lo] ?? v)) lo = i;
      if (v > (vs[hi] ?? v)) hi = i;
    }
  }
  flush();
  return out;
}

function specsFor(model: ViewModel, services: readonly string[]): ChartSpec[] {
  const alerts = model.scenario.alerts;
  const specs: ChartSpec[] = [];
  const thresholdsOf = (target: { journey?: string; service?: string; topic?: string }, metric: Metric, slo?: number): Threshold[] => {
    const out: Threshold[] = [];
    if (slo !== undefined) out.push({ value: slo, kind: 'slo', label: 'SLO', op: '>' });
    for (const a of alerts) {
      if (a.metric !== metric) continue;
      if ((target.journey && a.journey === target.journey) || (target.service && a.service === target.service) || (target.topic && a.topic === target.topic)) {
        const same = out.find((t) => t.value === a.threshold);
        if (same) {
          same.label = `${same.label} · ${a.severity}`;
          if (same.kind !== 'page') same.kind = a.severity;
        } else out.push({ value: a.threshold, kind: a.severity, label: a.severity, op: a.op ?? '>' });
      }
    }
    return out;
  };
  for (const j of model.scenario.journeys) {
    specs.push({ key: `journey:${j.id}:errorRate`, target: j.id, seriesKey: `journey:${j.id}`, metric: 'errorRate', title: j.name, group: 'journey', thresholds: thresholdsOf({ journey: j.id }, 'errorRate', j.slo.errorRate) });
    specs.push({ key: `journey:${j.id}:p99Ms`, target: j.id, seriesKey: `journey:${j.id}`, metric: 'p99Ms', title: j.name, group: 'journey', thresholds: thresholdsOf({ journey: j.id }, 'p99Ms', j.slo.p99Ms) });
    // A journey that waits on a topic (orders to fulfil) is also judged on its lag.
    if (j.topic !== undefined) {
      const thresholds = thresholdsOf({ topic: j.topic }, 'lagSeconds', j.slo.lagSeconds);
      specs.push({ key: `journey:${j.id}:lagSeconds`, target: j.id, seriesKey: `topic:${j.topic}`, metric: 'lagSeconds', title: j.name, group: 'journey', thresholds });
    }
  }
  for (const id of services) {
    const s = model.services[id];
    if (!s) continue;
    for (const metric of SERVICE_METRICS) {
      const thresholds = thresholdsOf({ service: id }, metric);
      if (metric === 'errorRate' && thresholds.length === 0) thresholds.push({ value: EDGE_FAIL, kind: 'ref', label: 'graph red', op: '>' });
      specs.push({ key: `service:${id}:${metric}`, target: id, seriesKey: `service:${id}`, metric, title: s.name, group: 'service', thresholds });
    }
  }
  return specs;
}

/** Columns and cell size for `n` charts in a w × h box: pairs stay side by side; cells near 2.6:1. */
function gridFor(n: number, w: number, hgt: number): { cols: number; cellW: number; cellH: number } {
  let best = { cols: 1, cellW: w, cellH: Math.max(MIN_CELL_H, hgt), score: -Infinity };
  for (const cols of [1, 2, 4]) {
    if (cols > 1 && cols > n + 1) continue;
    const cellW = (w - (cols - 1) * GAP) / cols;
    if (cols > 1 && cellW < 150) continue;
    const rows = Math.max(1, Math.ceil(n / cols));
    const cellH = (hgt - (rows - 1) * GAP) / rows;
    const fits = cellH >= MIN_CELL_H;
    const score = (fits ? 1000 : 0) + Math.min(cellW / 2.6, Math.min(cellH, 160)) + (cols % 2 === 0 ? 5 : 0);
    if (score > best.score) best = { cols, cellW, cellH: Math.max(MIN_CELL_H, Math.min(cellH, 220)), score };
  }
  return { cols: best.cols, cellW: best.cellW, cellH: best.cellH };
}

export function createChartsView(root: HTMLElement, ctx: ViewContext): View {
  root.classList.add('cv');
  const stat = (label: string) => {
    const value = h('span', { class: 'impact-value', text: '—' });
    return { el: h('div', { class: 'impact-item' }, value, h('span', { class: 'impact-label', text: label })), value };
  };
  const failed = stat('failed requests');
  const lost = stat('lost revenue');
  const slo = stat('out of SLO');
  slo.el.title = 'Journeys now outside their SLO';
  failed.el.title = 'Failed customer requests since the drill began (updated each simulated minute)';
  lost.el.title = 'Revenue lost since the drill began (updated each simulated minute)';
  const head = h('div', { class: 'charts-head' }, h('div', { class: 'impact', 'aria-label': 'Customer impact', role: 'group' }, failed.el, lost.el, slo.el));
  const grid = h('div', { class: 'charts-grid' });
  const axisBox = h('div', { class: 'charts-axis' });
  const axisSvg = select(axisBox).append('svg').attr('aria-hidden', 'true');
  root.append(head, grid, axisBox);

  const pinned: string[] = [];
  const togglePin = (id: string): void => {
    const i = pinned.indexOf(id);
    if (i >= 0) pinned.splice(i, 1);
    else {
      pinned.push(id);
      if (pinned.length > MAX_PINNED) pinned.shift();
    }
    redraw();
  };

  const recs = new Map<string, ChartRec>();
  let specKey = '';
  let layoutKey = '';
  let axisKey = '';
  let rotation = 0;
  let nextValuesAt = 0;
  let followUp: ReturnType<typeof setTimeout> | null = null;
  let axisAt = { t0: 0, t1: 0 };
  let cols = 1;
  let cellW = 0;
  let cellH = 0;
  let last: { model: ViewModel; series: SeriesStore } | null = null;
  let gradientId = 0;
  const scratch: number[] = [];
  const sizes = { w: 0, h: 0 };

  new ResizeObserver(() => {
    sizes.w = grid.clientWidth;
    sizes.h = grid.clientHeight;
    redraw();
  }).observe(grid);
  // Read once per scroll, never per frame: reading scrollTop after other views wrote to the DOM
  // would force a synchronous layout every frame.
  let scrollTop = 0;
  grid.addEventListener(
    'scroll',
    () => {
      scrollTop = grid.scrollTop;
      redraw();
    },
    { passive: true },
  );

  // A crosshair shared by every chart: the time under the pointer and each chart's value then.
  let hoverT: number | null = null;
  let domain = { t0: 0, t1: 1 };
  grid.addEventListener('pointermove', (e) => {
    const cell = (e.target as Element).closest('.chart');
    const w = cellW - M.left - M.right;
    const px = cell ? e.clientX - cell.getBoundingClientRect().left - M.left : -1;
    const t = px >= 0 && px <= w ? domain.t0 + (px / w) * (domain.t1 - domain.t0) : null;
    if (t === hoverT) return;
    hoverT = t;
    drawCursors();
  });
  grid.addEventListener('pointerleave', () => {
    hoverT = null;
    drawCursors();
  });

  function drawCursors(): void {
    const w = cellW - M.left - M.right;
    for (const rec of recs.values()) {
      const s = last?.series.series.get(rec.spec.seriesKey);
      const n = s?.t.length ?? 0;
      const tFirst = s?.t[0];
      const tLast = s?.t.at(-1);
      if (hoverT === null || !s || tFirst === undefined || tLast === undefined || hoverT > tLast || hoverT < tFirst) {
        rec.cursor.setAttribute('display', 'none');
        continue;
      }
      let i = Math.min(n - 1, lowerBound(s.t, hoverT));
      const before = s.t[i - 1];
      const after = s.t[i] ?? tLast;
      if (before !== undefined && hoverT - before < after - hoverT) i--;
      const t = s.t[i] ?? tLast;
      const v = s[rec.spec.metric][i] ?? Number.NaN;
      const x = ((t - domain.t0) / (domain.t1 - domain.t0)) * w;
      const c = select(rec.cursor).attr('display', null);
      c.select('line').attr('x1', x).attr('x2', x).attr('y2', rec.h);
      c.select('circle').attr('cx', x).attr('cy', rec.y(v));
      c.select('text')
        .attr('x', x > w - 90 ? x - 4 : x + 4)
        .attr('text-anchor', x > w - 90 ? 'end' : 'start')
        .text(`${formatAxisTime(t, domain.t1 >= 3_600_000)}  ${valueText(rec.spec.metric, v)}`);
    }
  }

  function makeChart(spec: ChartSpec): ChartRec {
    const cell = h('div', { class: `chart ${spec.group} ${spec.metric}`, 'data-key': spec.key });
    const svg = select(cell).append('svg').attr('role', 'img');
    const id = `cv-stroke-${++gradientId}`;
    const gradient = svg.append('linearGradient').attr('id', id).attr('gradientUnits', 'userSpaceOnUse').attr('x1', 0).attr('x2', 0).attr('y1', 0);
    const stops = ['hot', 'hot', 'cool', 'cool'].map((c) => gradient.append('stop').attr('class', c).node() as SVGStopElement);
    const title = svg.append('text').attr('class', 'chart-title').attr('x', M.left).attr('y', 11);
    title.append('tspan').attr('class', 'who').text(spec.title);
    title.append('tspan').attr('class', 'what').attr('dx', 5).text(METRIC_LABEL[spec.metric]);
    const value = svg.append('text').attr('class', 'chart-value').attr('y', 11).attr('text-anchor', 'end');
    const plot = svg.append('g').attr('class', 'plot').attr('transform', `translate(${M.left},${M.top})`);
    const yAxis = plot.append('g').attr('class', 'y-axis');
    const vgrid = plot.append('g').attr('class', 'v-grid');
    const thresholds = plot.append('g').attr('class', 'thresholds');
    const path = plot.append('path').attr('class', 'line').attr('stroke', `url(#${id})`);
    // One generator per chart, reading the arrays drawChart points it at; 0.1 px precision.
    const data = { ts: [] as readonly number[], vs: [] as readonly number[], x0: 0, kx: 0 };
    const y = scaleLinear();
    const gen = line<number>()
      .x((i) => ((data.ts[i] ?? data.x0) - data.x0) * data.kx)
      .y((i) => y(data.vs[i] ?? 0))
      .digits(1);
    const cursor = plot.append('g').attr('class', 'cursor').attr('display', 'none');
    cursor.append('line');
    cursor.append('circle').attr('r', 2.5);
    cursor.append('text').attr('y', 9);
    let pin: HTMLButtonElement | null = null;
    if (spec.group === 'service' && spec.metric === 'errorRate') {
      pin = h('button', { type: 'button', class: 'pin-toggle' });
      pin.addEventListener('click', () => togglePin(spec.target));
      cell.append(pin);
    }
    return {
      spec,
      cell,
      svg,
      title: title.node() as SVGTextElement,
      value: value.node() as SVGTextElement,
      plot,
      gradient: gradient.node() as SVGLinearGradientElement,
      stops,
      path: path.node() as SVGPathElement,
      line: gen,
      data,
      yAxis,
      vgrid,
      thresholds,
      cursor: cursor.node() as SVGGElement,
      pin,
      y,
      x: 0,
      top: 0,
      w: 0,
      h: 0,
      drawn: null,
      yKey: '',
      valueText: '',
    };
  }

  function relayout(specs: ChartSpec[]): void {
    const g = gridFor(specs.length, sizes.w, sizes.h);
    cols = g.cols;
    cellW = g.cellW;
    cellH = g.cellH;
    specs.forEach((spec, i) => {
      const rec = recs.get(spec.key) as ChartRec;
      const col = i % cols;
      const row = Math.floor(i / cols);
      rec.x = col * (cellW + GAP);
      rec.top = row * (cellH + GAP);
      rec.w = Math.max(10, cellW - M.left - M.right);
      rec.h = Math.max(10, cellH - M.top - M.bottom);
      rec.cell.style.left = `${rec.x}px`;
      rec.cell.style.top = `${rec.top}px`;
      rec.cell.style.width = `${cellW}px`;
      rec.cell.style.height = `${cellH}px`;
      rec.svg.attr('width', cellW).attr('height', cellH);
      rec.value.setAttribute('x', String(cellW - M.right));
      fitTitle(rec, cellW);
      rec.y.range([rec.h, 0]);
      rec.drawn = null;
      rec.yKey = '';
    });
    axisSvg.attr('width', sizes.w).attr('height', 18);
    axisKey = '';
  }

  function drawAxis(t0: number, t1: number, ticks: number[], long: boolean): void {
    const w = Math.max(10, cellW - M.left - M.right);
    const x = scaleLinear().domain([t0, t1]).range([0, w]);
    axisSvg
      .selectAll<SVGGElement, number>('g.x-axis')
      .data(Array.from({ length: cols }, (_, i) => i))
      .join('g')
      .attr('class', 'x-axis')
      .attr('transform', (i) => `translate(${i * (cellW + GAP) + M.left},1)`)
      .call(axisBottom(x).tickValues(ticks).tickFormat((t) => formatAxisTime(Number(t), long)).tickSizeOuter(0).tickSize(3));
  }

  /**
   * Shortens a chart's name (with an ellipsis) so that it never runs into the value at the right:
   * "See account information errors" beside "100.0%" in a narrow cell. Measured once per layout, not
   * per tick; room is kept for the widest value a chart shows ("100.0%", "12,345 ms").
   */
  function fitTitle(rec: ChartRec, width: number): void {
    const who = rec.title.firstChild as SVGTSpanElement | null;
    if (!who) return;
    who.textContent = rec.spec.title;
    const room = width - M.left - M.right - VALUE_ROOM;
    let name = rec.spec.title;
    while (room > 0 && name.length > 1 && rec.title.getComputedTextLength() > room) {
      name = name.slice(0, -1);
      who.textContent = `${name.trimEnd()}…`;
    }
    // The pin sits right after the name, as long or as short as it now is.
    if (rec.pin) rec.pin.style.left = `${M.left + Math.ceil(rec.title.getComputedTextLength()) + 8}px`;
  }

  function showValue(rec: ChartRec, current: number | undefined): void {
    const text = valueText(rec.spec.metric, current);
    if (text === rec.valueText) return;
    rec.valueText = text;
    setText(rec.value, text);
    const bad = current !== undefined && rec.spec.thresholds.some((t) => (t.op === '>' ? current > t.value : current < t.value));
    rec.value.setAttribute('class', `chart-value${bad ? ' breach' : ''}`);
    rec.svg.attr('aria-label', `${rec.spec.title} ${METRIC_LABEL[rec.spec.metric]}: ${text}`);
  }

  /**
   * Draws one chart if anything in it would change by a pixel: 'drawn' for a forced redraw (new
   * size, new y scale, first data), 'slid' for a line that only moved, 'deferred' for a line that
   * moved but was left for a later frame (no `mayDrawLine`), 'skipped' when nothing would change.
   */
  function drawChart(rec: ChartRec, s: Series | undefined, t0: number, t1: number, ticks: number[], mayDrawLine: boolean, values: boolean): 'drawn' | 'slid' | 'deferred' | 'skipped' {
    const metric = rec.spec.metric;
    const n = s?.t.length ?? 0;
    const lastT = s?.t.at(-1) ?? -1;
    const ts = s?.t ?? [];
    const vs = s?.[metric] ?? [];
    if (values || rec.valueText === '') showValue(rec, vs.at(-1));
    const i0 = lowerBound(ts, t0);
    let max = 0;
    for (let i = i0; i < n; i++) {
      const v = vs[i] ?? 0;
      if (v > max) max = v;
    }
    for (const th of rec.spec.thresholds) max = Math.max(max, th.value);
    // Error rates get a 1% floor so that noise around 0.05% does not look like an outage.
    if (metric === 'errorRate') max = Math.max(max, 0.01);
    if (max <= 0) max = 1;
    const y = rec.y;
    const top = metric === 'saturation' && max <= 1 ? 1 : (nice(0, max * 1.06, 5)[1] ?? max);
    const yKey = `${top}|${rec.h}|${rec.w}`;
    // Skip the line when nothing in it would move by a pixel: same y scale, and the window's start,
    // width and newest sample all within a pixel of the last drawing.
    const kx = rec.w / Math.max(1, t1 - t0);
    const was = rec.drawn;
    const forced = !was || yKey !== rec.yKey || was.n > 0 !== n > 0;
    if (!forced) {
      if (Math.abs(t0 - was.t0) * kx < 1 && Math.abs(t1 - t0 - was.span) * kx < 1 && Math.abs(lastT - was.lastT) * kx < 1) return 'skipped';
      if (!mayDrawLine) return 'deferred';
    }
    rec.drawn = { t0, span: t1 - t0, lastT, n };
    if (yKey !== rec.yKey) {
      rec.yKey = yKey;
      y.domain([0, top]);
      const count = Math.max(2, Math.min(5, Math.floor(rec.h / 30)));
      const fmt = metric === 'errorRate' || metric === 'saturation' ? y.tickFormat(count, '%') : metric === 'p99Ms' ? msFormat : metric === 'lagSeconds' ? secFormat : siFormat;
      // Lag past two minutes is read in whole minutes: ticks at round minutes, not at round seconds.
      let tickValues = metric === 'lagSeconds' && top > 120 ? scaleLinear().domain([0, top / 60]).ticks(count).map((m) => m * 60) : y.ticks(count);
      while (tickValues.length > count + 1) tickValues = tickValues.filter((_, i) => i % 2 === 0);
      rec.yAxis.call(axisLeft(y).tickValues(tickValues).tickSize(-rec.w).tickSizeOuter(0).tickPadding(4).tickFormat((d) => fmt(Number(d))));
      // Threshold labels sit right-aligned on their line; one that would overlap the one below it
      // moves left past it.
      const lines = [...rec.spec.thresholds].sort((a, b) => a.value - b.value);
      let prevY = Infinity;
      let prevX = rec.w - 2;
      const labelX = new Map<Threshold, number>();
      for (const th of lines) {
        const py = y(th.value);
        const x = prevY - py < 11 ? prevX - 10 - labelWidth(th, metric) : rec.w - 2;
        labelX.set(th, x);
        prevY = py;
        prevX = x;
      }
      rec.thresholds
        .selectAll<SVGGElement, Threshold>('g.threshold')
        .data(lines, (d) => String(d.value))
        .join((enter) => {
          const g = enter.append('g');
          g.append('line');
          g.append('text').attr('text-anchor', 'end').attr('dy', -2);
          return g;
        })
        .attr('class', (d) => `threshold ${d.kind}`)
        .attr('transform', (d) => `translate(0,${y(d.value).toFixed(1)})`)
        .call((g) => g.select('line').attr('x2', rec.w))
        .call((g) =>
          g
            .select('text')
            .attr('x', (d) => labelX.get(d) ?? rec.w - 2)
            .text((d) => thresholdText(d, metric)),
        );
      const bad = lines.find((t) => t.op === '>');
      const split = bad ? Math.min(1, Math.max(0, y(bad.value) / rec.h)) : 0;
      rec.gradient.setAttribute('y2', String(rec.h));
      for (const [i, stop] of rec.stops.entries()) stop.setAttribute('offset', String(i === 0 ? 0 : i === 3 ? 1 : split));
    }
    const x = scaleLinear().domain([t0, t1]).range([0, rec.w]);
    rec.vgrid
      .selectAll<SVGLineElement, number>('line')
      .data(ticks)
      .join('line')
      .attr('x1', (t) => x(t).toFixed(1))
      .attr('x2', (t) => x(t).toFixed(1))
      .attr('y2', rec.h);
    const idx = decimate(ts, vs, i0, n, t0, kx, scratch);
    Object.assign(rec.data, { ts, vs, x0: t0, kx });
    rec.path.setAttribute('d', rec.line(idx) ?? '');
    return forced ? 'drawn' : 'slid';
  }

  function redraw(): void {
    if (!last) return;
    const { model, series } = last;
    const selected = ctx.selected();
    for (let i = pinned.length - 1; i >= 0; i--) if (!model.services[pinned[i] ?? '']) pinned.splice(i, 1);
    const shown = [...pinned, ...(selected && model.services[selected] && !pinned.includes(selected) ? [selected] : [])];
    const specs = specsFor(model, shown);
    const key = specs.map((s) => s.key).join('|');
    if (key !== specKey) {
      specKey = key;
      select(grid)
        .selectAll<HTMLDivElement, ChartSpec>('div.chart')
        .data(specs, (d) => d.key)
        .join(
          (enter) =>
            enter.append((d) => {
              const rec = makeChart(d);
              recs.set(d.key, rec);
              return rec.cell;
            }),
          (update) => update,
          (exit) =>
            exit.each((d) => {
              recs.delete(d.key);
            }).remove(),
        )
        .order();
      layoutKey = '';
      for (const rec of recs.values()) {
        if (!rec.pin) continue;
        const on = pinned.includes(rec.spec.target);
        rec.pin.textContent = on ? 'unpin' : 'pin';
        rec.pin.title = on ? 'Stop keeping these charts' : 'Keep these charts while you select another service';
        rec.pin.setAttribute('aria-label', `${on ? 'Unpin' : 'Pin'} ${rec.spec.title}'s charts`);
        rec.pin.setAttribute('aria-pressed', String(on));
        rec.cell.classList.toggle('pinned', on);
        rec.pin.style.left = `${M.left + Math.ceil(rec.title.getComputedTextLength()) + 8}px`;
      }
    }
    const lk = `${key}|${sizes.w}|${sizes.h}`;
    if (lk !== layoutKey) {
      relayout(specs);
      layoutKey = lk;
    }
    if (sizes.w <= 0) return;

    // One x domain for every chart: the window the store holds, at least MIN_SPAN_MS wide.
    let first = Infinity;
    let lastT = -Infinity;
    for (const spec of specs) {
      const s = series.series.get(spec.seriesKey);
      const from = s?.t[0];
      const to = s?.t.at(-1);
      if (from === undefined || to === undefined) continue;
      first = Math.min(first, from);
      lastT = Math.max(lastT, to);
    }
    if (!Number.isFinite(first)) {
      first = model.now;
      lastT = model.now;
    }
    const t0 = first;
    const t1 = Math.max(lastT, first + MIN_SPAN_MS);
    domain = { t0, t1 };
    const long = t1 >= 3_600_000;
    const ticks = timeTicks(t0, t1, Math.floor((cellW - M.left - M.right) / 60));
    // The shared axis, like the lines, is redrawn only when it would move by a pixel.
    const kx = (cellW - M.left - M.right) / Math.max(1, t1 - t0);
    const ak = `${cols}|${cellW}|${ticks.join()}`;
    if (ak !== axisKey || Math.abs(t0 - axisAt.t0) * kx >= 1 || Math.abs(t1 - axisAt.t1) * kx >= 1) {
      axisKey = ak;
      axisAt = { t0, t1 };
      drawAxis(t0, t1, ticks, long);
    }
    const viewTop = scrollTop;
    const viewBottom = viewTop + sizes.h;
    const nowMs = performance.now();
    const values = nowMs >= nextValuesAt;
    if (values) nextValuesAt = nowMs + VALUE_REFRESH_MS;
    // Lines that merely slid by a pixel are spread over frames (LINES_PER_FRAME at most, starting
    // where the last frame stopped) rather than all redrawn in the same frame.
    let budget = LINES_PER_FRAME;
    let deferred = !values;
    for (let k = 0; k < specs.length; k++) {
      const spec = specs[(k + rotation) % specs.length] as ChartSpec;
      const rec = recs.get(spec.key);
      if (!rec) continue;
      if (rec.top + cellH < viewTop || rec.top > viewBottom) continue;
      const result = drawChart(rec, series.series.get(spec.seriesKey), t0, t1, ticks, budget > 0, values);
      if (result === 'slid') budget--;
      else if (result === 'deferred') deferred = true;
    }
    rotation = (rotation + LINES_PER_FRAME) % Math.max(1, specs.length);
    if (hoverT !== null) drawCursors();
    if (deferred && followUp === null) {
      followUp = setTimeout(() => {
        followUp = null;
        redraw();
      }, values ? 16 : nextValuesAt - nowMs);
    }
  }

  let lastImpact = '';
  return {
    update(model: ViewModel, series: SeriesStore) {
      last = { model, series };
      // What the charts hold, for tests and tools: a late joiner's must match an early joiner's.
      const held = series.series.values().next().value?.t;
      grid.dataset.points = String(held?.length ?? 0);
      grid.dataset.lastT = String(held?.at(-1) ?? '');
      const journeys = Object.values(model.journeys);
      const out = journeys.filter((j) => !j.inSlo).length;
      const impact = `${model.totals.failed}|${model.totals.lost}|${out}`;
      if (impact !== lastImpact) {
        lastImpact = impact;
        failed.value.textContent = formatCount(model.totals.failed);
        lost.value.textContent = formatMoney(model.totals.lost);
        slo.value.textContent = `${out} / ${journeys.length}`;
        for (const [el, bad] of [[failed.el, model.totals.failed > 0], [lost.el, model.totals.lost > 0], [slo.el, out > 0]] as const) el.classList.toggle('bad', bad);
      }
      redraw();
    },
  };
}
