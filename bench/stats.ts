/**
 * Timing and summary statistics for the benchmarks. Wall-clock time is allowed here (bench/), never in
 * engine/: the engine only knows simulated time.
 */
import { performance } from 'node:perf_hooks';

/** The p-th percentile (0–100) of the samples, linearly interpolated between closest ranks. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (rank - lo);
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  p10: number;
  p90: number;
}

function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    p10: percentile(samples, 10),
    p90: percentile(samples, 90),
  };
}

/** Milliseconds since an arbitrary origin, sub-millisecond resolution. */
export const now = (): number => performance.now();

/** Wall time of one call, in ms, and its result. */
export function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = now();
  const value = fn();
  return { ms: now() - t0, value };
}

export interface MeasureOptions {
  /** Untimed runs first, so the JIT has compiled the hot paths. Default 1. */
  warmup?: number;
  /** Timed runs. Default 5. */
  runs?: number;
}

/**
 * Runs `fn` `warmup` times untimed, then `runs` times timed. `fn` may report its own phase times
 * (e.g. { engine, serialise, write }); each phase is summarised separately, and `total` is always
 * the wall time of the whole call.
 */
export function measure<P extends string>(
  fn: () => Partial<Record<P, number>> | void,
  options: MeasureOptions = {},
): { total: Summary; phases: Record<P, Summary> } {
  const warmup = options.warmup ?? 1;
  const runs = Math.max(1, options.runs ?? 5);
  for (let i = 0; i < warmup; i++) fn();
  const totals: number[] = [];
  const phaseSamples = new Map<P, number[]>();
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    const phases = fn();
    totals.push(now() - t0);
    if (phases) {
      for (const [name, ms] of Object.entries(phases) as [P, number][]) {
        const list = phaseSamples.get(name) ?? [];
        list.push(ms);
        phaseSamples.set(name, list);
      }
    }
  }
  const phases = {} as Record<P, Summary>;
  for (const [name, list] of phaseSamples) phases[name] = summarize(list);
  return { total: summarize(totals), phases };
}

/** Least-squares line y = a + b·x, with R². */
export function linearFit(xs: readonly number[], ys: readonly number[]): { a: number; b: number; r2: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const b = sxx === 0 ? 0 : sxy / sxx;
  const a = my - b * mx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { a, b, r2 };
}

/** Formats a number with a fixed number of significant figures and thousands separators. */
export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 10 ** digits) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(digits)).toLocaleString('en-US', { maximumSignificantDigits: digits });
}
