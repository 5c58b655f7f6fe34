/**
 * Latency as a distribution, not a number. Each service's time in service is a log-normal fitted to a
 * mean and a variance; calls compose by adding means and variances (independent stages), never by
 * adding p99s. Tail probabilities (the share of attempts that outlive a timeout) come from the fit.
 */

/** z of the 99th percentile of the standard normal. */
export const Z99 = 2.3263478740408408;

/** The logistic approximation of Bowling et al. (2009) to P(Z > z): absolute error below 1.5e-4. */
const tailExact = (z: number): number => 1 / (1 + Math.exp(z * (0.07056 * z * z + 1.5976)));

const TAIL_RANGE = 8;
const TAIL_PER_UNIT = 128;
/** P(Z > z) on a grid over [-8, 8]: the hot loop interpolates instead of calling exp. */
const TAIL = Float64Array.from({ length: 2 * TAIL_RANGE * TAIL_PER_UNIT + 2 }, (_, i) => tailExact(i / TAIL_PER_UNIT - TAIL_RANGE));

/** P(Z > z) for a standard normal, interpolated from the table (error below 2e-4). */
function upperTail(z: number): number {
  if (z >= TAIL_RANGE) return 0;
  if (z <= -TAIL_RANGE) return 1;
  const x = (z + TAIL_RANGE) * TAIL_PER_UNIT;
  const i = x | 0;
  const lo = TAIL[i] as number;
  return lo + ((TAIL[i + 1] as number) - lo) * (x - i);
}

/**
 * The share of requests that outlive `slack` ms when their time is log-normal(mu, sigma): an attempt
 * that times out, or a user who gives up. No slack left means all of them.
 */
export function shareLater(slack: number, mu: number, sigma: number): number {
  return slack <= 0 ? 1 : upperTail((Math.log(slack) - mu) / sigma);
}

/** Mean and variance of a log-normal given its p50 and p99 (how scenarios state latency). */
export function momentsFromPercentiles(p50: number, p99: number): { mean: number; variance: number } {
  const sigma = Math.log(Math.max(p99, p50 * 1.0001) / p50) / Z99;
  const s2 = sigma * sigma;
  const mean = p50 * Math.exp(s2 / 2);
  return { mean, variance: mean * mean * Math.expm1(s2) };
}
