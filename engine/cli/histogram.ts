/**
 * Pure summary statistics for `sevdrill explore`: percentiles, distributions and ASCII histograms.
 * No I/O, no clock: the same values always give the same numbers and the same lines.
 */

/**
 * The p-th percentile (0–100) of values already sorted ascending, linearly interpolated between the
 * closest ranks (rank = p/100 × (n − 1)), as in numpy's default. NaN for no values.
 */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (rank - lo);
}

/** The p-th percentile (0–100) of values in any order. */
export function percentile(values: readonly number[], p: number): number {
  return percentileSorted([...values].sort((a, b) => a - b), p);
}

export interface Distribution {
  n: number;
  min: number;
  p10: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * min, p10, p50, p90, p99, max and mean, or null when there are no values. `digits` rounds every
 * figure (not n) to that many decimals; the mean is summed in the order given, so keep the order fixed.
 */
export function distribution(values: readonly number[], digits?: number): Distribution | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const r = (x: number) => (digits === undefined ? x : roundTo(x, digits));
  let sum = 0;
  for (const v of values) sum += v;
  return {
    n: values.length,
    min: r(sorted[0] ?? Number.NaN),
    p10: r(percentileSorted(sorted, 10)),
    p50: r(percentileSorted(sorted, 50)),
    p90: r(percentileSorted(sorted, 90)),
    p99: r(percentileSorted(sorted, 99)),
    max: r(sorted.at(-1) ?? Number.NaN),
    mean: r(sum / values.length),
  };
}

export const roundTo = (x: number, digits: number): number => {
  const f = 10 ** digits;
  const y = Math.round(x * f) / f;
  return Object.is(y, -0) ? 0 : y;
};

/** A histogram bin: values v with from ≤ v < to (the last bin also holds v = to). */
export interface Bin {
  from: number;
  to: number;
  count: number;
}

export interface BinOptions {
  /** At most this many bins (default 20); a "nice" step (1, 2, 2.5 or 5 × 10^k) gives 8–20 of them. */
  maxBins?: number;
  /** The smallest step worth showing, e.g. the values' resolution (0.1 for a score to one decimal). */
  minStep?: number;
}

/** The smallest nice step (1, 2, 2.5, 5 × 10^k, and ≥ minStep) that covers the range in at most maxBins bins. */
export function niceStep(range: number, maxBins: number, minStep = 0): number {
  const raw = Math.max(range / maxBins, minStep, Number.MIN_VALUE);
  const exp = Math.floor(Math.log10(raw));
  for (const e of [exp - 1, exp, exp + 1]) {
    for (const m of [1, 2, 2.5, 5]) {
      const step = roundTo(m * 10 ** e, Math.max(0, 1 - e));
      if (step >= raw * (1 - 1e-12) && Math.floor(range / step + 1e-9) + 1 <= maxBins) return step;
    }
  }
  return 10 ** (exp + 1);
}

/**
 * Equal-width bins on nice edges (multiples of the step) covering every value; empty bins are kept so
 * the shape is honest. One bin when every value is the same; none for no values.
 */
export function histogramBins(values: readonly number[], options: BinOptions = {}): Bin[] {
  if (values.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) return [{ from: min, to: max, count: values.length }];
  const maxBins = Math.max(1, Math.floor(options.maxBins ?? 20));
  let step = niceStep(max - min, maxBins, options.minStep ?? 0);
  let start = Math.floor(min / step + 1e-9) * step;
  // Aligning the start to the step can add a bin; widen the step if that overflows.
  while (Math.floor((max - start) / step + 1e-9) + 1 > maxBins) {
    step = niceStep(step * maxBins * 1.0001, maxBins);
    start = Math.floor(min / step + 1e-9) * step;
  }
  const n = Math.floor((max - start) / step + 1e-9) + 1;
  const decimals = stepDecimals(step);
  const bins: Bin[] = [];
  for (let i = 0; i < n; i++) bins.push({ from: roundTo(start + i * step, decimals), to: roundTo(start + (i + 1) * step, decimals), count: 0 });
  for (const v of values) {
    const i = Math.min(n - 1, Math.max(0, Math.floor((v - start) / step + 1e-9)));
    (bins[i] as Bin).count++;
  }
  return bins;
}

/** Decimals needed to print multiples of a step exactly (0.25 → 2, 5 → 0). */
function stepDecimals(step: number): number {
  for (let d = 0; d <= 12; d++) if (Math.abs(roundTo(step, d) - step) < 1e-9 * Math.max(1, Math.abs(step))) return d;
  return 12;
}

export interface RenderOptions {
  /** Bar width, in characters, of the fullest bin (default 40). */
  width?: number;
  /** How a bin edge is printed (default: with the step's decimals). */
  format?: (x: number) => string;
  /** Extra rows after the bins, e.g. { label: 'never', count: 3 }. */
  extra?: readonly { label: string; count: number }[];
}

/** Bar length for a count: scaled to the fullest row, at least one block for any non-zero count. */
export function barLength(count: number, maxCount: number, width: number): number {
  if (count <= 0 || maxCount <= 0) return 0;
  return Math.max(1, Math.round((count / maxCount) * width));
}

/**
 * One line per bin: "  from – to  │████████ count". Edges are printed with the bins' decimals unless a
 * format is given; lines have no trailing spaces.
 */
export function renderHistogram(bins: readonly Bin[], options: RenderOptions = {}): string[] {
  const width = Math.max(1, Math.floor(options.width ?? 40));
  const decimals = bins.length > 0 ? Math.max(...bins.map((b) => Math.max(stepDecimals(b.from), stepDecimals(b.to)))) : 0;
  const format = options.format ?? ((x: number) => x.toFixed(Math.min(decimals, 3)));
  const rows = bins.map((b) => ({ label: b.from === b.to ? format(b.from) : `${format(b.from)} – ${format(b.to)}`, count: b.count }));
  for (const e of options.extra ?? []) rows.push({ label: e.label, count: e.count });
  if (rows.length === 0) return [];
  const labelWidth = Math.max(...rows.map((r) => r.label.length));
  const maxCount = Math.max(...rows.map((r) => r.count));
  return rows.map((r) => `  ${r.label.padStart(labelWidth)} │${'█'.repeat(barLength(r.count, maxCount, width))} ${r.count}`);
}
