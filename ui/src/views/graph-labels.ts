/**
 * Where the service graph's labels go, and how edges get around them: pure geometry (no DOM), so the
 * rules can be read in one place.
 *
 * An edge runs from its caller's right side to its callee's left side as a cubic curve whose height
 * only ever moves from one end's to the other's. A label is placed at the first spot (right, left,
 * below, above, …) that covers no other label, no node and no edge; when every spot on the panel
 * crosses some edge, the one crossing the fewest (and none of the node's own) is taken, and each edge
 * through it takes another way: first the same kind of curve turning earlier or later, which looks
 * like every other edge; only when none of those is clear, a path just above or below the label.
 * Text is never struck through.
 */
import { curveMonotoneX, line } from 'd3';
import type { Point } from './layout.ts';

/** [left, top, right, bottom] in the graph's pixels. */
export type Box = [number, number, number, number];

export interface EdgeShape {
  source: string;
  target: string;
  /** Points along the drawn curve, every few pixels, for collision tests. */
  pts: Point[];
  /** The points' bounding box: most label spots are rejected on it alone. */
  box: Box;
  /** The curve as an SVG path. */
  d: string;
}

/** Room kept between an edge's centre line and a label (half the widest edge, plus a pixel). */
const CLEARANCE = 3;

export const overlaps = (a: Box, b: Box): boolean => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

const grow = (b: Box, m: number): Box => [b[0] - m, b[1] - m, b[2] + m, b[3] + m];

/** The curve from the caller at `a` to the callee at `b`, ending at their shapes' edges (radius `r`). */
export function edgeShape(source: string, target: string, a: Point, b: Point, r: number): EdgeShape {
  return curve(source, target, { x: a.x + r + 1, y: a.y }, { x: b.x - r - 3, y: b.y }, 0.5, 0.5);
}

/**
 * A cubic from `s` to `t` that leaves and arrives level, its control points at fractions `f1` and
 * `f2` of the way across: (½, ½) turns midway; (0.9, 0.9) runs level first and turns late.
 */
function curve(source: string, target: string, s: Point, t: Point, f1: number, f2: number): EdgeShape {
  const c1 = s.x + f1 * (t.x - s.x);
  const c2 = s.x + f2 * (t.x - s.x);
  const n = Math.max(8, Math.ceil((Math.abs(t.x - s.x) + Math.abs(t.y - s.y)) / 3));
  const pts: Point[] = [];
  for (let i = 0; i <= n; i++) {
    const k = i / n;
    const u = 1 - k;
    // Control points (c1, s.y) and (c2, t.y): x = u³sx + 3u²k·c1 + 3uk²·c2 + k³tx, likewise y.
    pts.push({ x: u * u * u * s.x + 3 * u * u * k * c1 + 3 * u * k * k * c2 + k * k * k * t.x, y: (u * u * u + 3 * u * u * k) * s.y + (3 * u * k * k + k * k * k) * t.y });
  }
  const d = `M${s.x.toFixed(1)},${s.y.toFixed(1)}C${c1.toFixed(1)},${s.y.toFixed(1)} ${c2.toFixed(1)},${t.y.toFixed(1)} ${t.x.toFixed(1)},${t.y.toFixed(1)}`;
  return { source, target, pts, box: [Math.min(s.x, t.x), Math.min(s.y, t.y), Math.max(s.x, t.x), Math.max(s.y, t.y)], d };
}

/** The other turns an edge may take, nearest the usual midway turn first. */
const FRACTIONS = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95];
const TURNS: readonly [number, number][] = FRACTIONS.flatMap((f1) => FRACTIONS.map((f2): [number, number] => [f1, f2]))
  .filter(([f1, f2]) => f1 !== 0.5 || f2 !== 0.5)
  .sort((a, b) => Math.hypot(a[0] - 0.5, a[1] - 0.5) - Math.hypot(b[0] - 0.5, b[1] - 0.5));

/** Whether the edge passes through the label box (with clearance for its stroke). */
export function crosses(e: EdgeShape, label: Box): boolean {
  const b = grow(label, CLEARANCE);
  if (!overlaps(e.box, b) && !(e.box[1] === e.box[3] && e.box[1] >= b[1] && e.box[1] <= b[3] && e.box[0] < b[2] && b[0] < e.box[2])) return false;
  return e.pts.some((p) => p.x >= b[0] && p.x <= b[2] && p.y >= b[1] && p.y <= b[3]);
}

/**
 * Spots for a label `w` wide and `h` high beside the node at `p` (radius `r`), best first: right and
 * left on the node's line, then centred below and above, then flush with either side of the node
 * below and above, then a row further out. `slide` keeps a spot inside the panel sideways.
 */
export function labelSpots(p: Point, r: number, w: number, h: number, slide: (x0: number) => number): Box[] {
  const off = r + 7;
  const at = (x0: number, y0: number): Box => [slide(x0), y0, slide(x0) + w, y0 + h];
  const below = p.y + off - 3;
  const above = p.y - off + 3 - h;
  const spots: Box[] = [
    [p.x + off, p.y - h / 2, p.x + off + w, p.y + h / 2],
    [p.x - off - w, p.y - h / 2, p.x - off, p.y + h / 2],
  ];
  for (const y of [below, above, below + h + 2, above - h - 2]) {
    spots.push(at(p.x - w / 2, y), at(p.x - r, y), at(p.x + r - w, y));
  }
  return spots;
}

/**
 * The edge's path around the labels it crosses. Its own curve when it crosses none; else the same
 * kind of curve turning earlier or later (the nearest turn to midway that meets no label and no
 * other node: `nodes`), which reads as smoothly as any other edge; else it passes just above or
 * below each label (the side nearer its own course there), joined by a monotone curve so it never
 * doubles back. It reaches that height only by the label's far end when it comes from that side
 * already (a monotone curve cannot overshoot its points), so it eases down instead of dropping at a
 * right angle; it runs level along the whole label only when it must cross over to the other side.
 */
export function routeAround(e: EdgeShape, labels: readonly Box[], nodes: readonly Box[] = []): string {
  const hit = labels.filter((b) => crosses(e, b)).sort((a, b) => a[0] - b[0]);
  if (hit.length === 0) return e.d;
  const first = e.pts[0] as Point;
  const last = e.pts[e.pts.length - 1] as Point;
  for (const [f1, f2] of TURNS) {
    const other = curve(e.source, e.target, first, last, f1, f2);
    if (!labels.some((b) => crosses(other, b)) && !nodes.some((b) => crosses(other, b))) return other.d;
  }
  const way: [number, number][] = [[first.x, first.y]];
  for (const b of hit) {
    const g = grow(b, CLEARANCE + 1);
    const mid = (g[0] + g[2]) / 2;
    const here = e.pts.reduce((best, p) => (Math.abs(p.x - mid) < Math.abs(best.x - mid) ? p : best), first);
    const y = here.y - g[1] < g[3] - here.y ? g[1] : g[3];
    const prev = way[way.length - 1] ?? [first.x, first.y];
    const x0 = Math.max(g[0], prev[0] + 1);
    const x1 = Math.min(g[2], last.x - 1);
    if (x1 <= x0) continue;
    const sameSide = y === g[1] ? prev[1] <= y : prev[1] >= y;
    if (!sameSide) way.push([x0, y]);
    way.push([x1, y]);
  }
  way.push([last.x, last.y]);
  return line().curve(curveMonotoneX)(way) ?? e.d;
}
