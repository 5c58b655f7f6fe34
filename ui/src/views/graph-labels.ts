/**
 * Where the service graph's labels go, and how edges get around them: pure geometry (no DOM), so the
 * rules can be read in one place.
 *
 * An edge runs from its caller's right side to its callee's left side as a cubic curve whose height
 * only ever moves from one end's to the other's. A label is placed at the first spot (right, left,
 * below, above, …) that covers no other label, no node and no edge; when every spot on the panel
 * crosses some edge, the one crossing the fewest (and none of the node's own) is taken, and each edge
 * through it is bent to pass just above or below the label instead: text is never struck through.
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
  const sx = a.x + r + 1;
  const tx = b.x - r - 3;
  const mx = (sx + tx) / 2;
  const n = Math.max(8, Math.ceil((Math.abs(tx - sx) + Math.abs(b.y - a.y)) / 3));
  const pts: Point[] = [];
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    const u = 1 - t;
    // Control points (mx, a.y) and (mx, b.y): x = u³sx + 3u²t·mx + 3ut²·mx + t³tx, likewise y.
    pts.push({ x: u * u * u * sx + 3 * u * t * mx + t * t * t * tx, y: (u * u * u + 3 * u * u * t) * a.y + (3 * u * t * t + t * t * t) * b.y });
  }
  const d = `M${sx.toFixed(1)},${a.y.toFixed(1)}C${mx.toFixed(1)},${a.y.toFixed(1)} ${mx.toFixed(1)},${b.y.toFixed(1)} ${tx.toFixed(1)},${b.y.toFixed(1)}`;
  return { source, target, pts, box: [Math.min(sx, tx), Math.min(a.y, b.y), Math.max(sx, tx), Math.max(a.y, b.y)], d };
}

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
 * The edge's path bent around the labels it crosses: it runs level just above or below each one
 * (the side nearer its own course there), joined by a monotone curve so it never doubles back.
 * Returns its straight path when it crosses none.
 */
export function routeAround(e: EdgeShape, labels: readonly Box[]): string {
  const hit = labels.filter((b) => crosses(e, b)).sort((a, b) => a[0] - b[0]);
  if (hit.length === 0) return e.d;
  const first = e.pts[0] as Point;
  const last = e.pts[e.pts.length - 1] as Point;
  const way: [number, number][] = [[first.x, first.y]];
  for (const b of hit) {
    const g = grow(b, CLEARANCE + 1);
    const mid = (g[0] + g[2]) / 2;
    const here = e.pts.reduce((best, p) => (Math.abs(p.x - mid) < Math.abs(best.x - mid) ? p : best), first);
    const y = here.y - g[1] < g[3] - here.y ? g[1] : g[3];
    const x0 = Math.max(g[0], (way[way.length - 1]?.[0] ?? first.x) + 1);
    const x1 = Math.min(g[2], last.x - 1);
    if (x1 <= x0) continue;
    way.push([x0, y], [x1, y]);
  }
  way.push([last.x, last.y]);
  return line().curve(curveMonotoneX)(way) ?? e.d;
}
