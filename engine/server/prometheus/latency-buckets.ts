/**
 * The latency histogram of a simulated service, fed one tick at a time. The engine reports each tick's
 * p50 and p99, not every request, so each tick's requests are spread over the buckets by a log-normal
 * fitted to those two quantiles: latencies are positive and right-skewed, the engine itself models time
 * in service as a log-normal (engine/core/physics/latency.ts), and two quantiles fix a log-normal
 * exactly, so `histogram_quantile(0.5 | 0.99, …)` over a tick gives back that tick's p50 and p99, to
 * within the buckets' resolution.
 */
import { Z99, shareLater } from '../../core/physics/latency.ts';

/**
 * Upper bounds in seconds, fixed for every service (a histogram's bounds must not change between
 * scrapes): 5 ms to 30 s in 1-2-5 steps, up to the longest timeouts scenarios use.
 */
export const LATENCY_BOUNDS_S = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30] as const;

/** One service's histogram: cumulative counts per bound (`le`), the +Inf count and the sum of durations. */
export class LatencyHistogram {
  /** cumulative[i]: requests no slower than LATENCY_BOUNDS_S[i]. */
  readonly cumulative = new Float64Array(LATENCY_BOUNDS_S.length);
  count = 0;
  sumSeconds = 0;

  /**
   * Adds `requests` requests whose latency is the log-normal with this median and 99th percentile
   * (milliseconds, as the engine reports them). Each bound gets `requests × P(latency ≤ bound)`:
   * fractional, and non-decreasing across bounds because the CDF is.
   */
  add(requests: number, p50Ms: number, p99Ms: number): void {
    if (!(requests > 0)) return;
    this.count += requests;
    if (!(p50Ms > 0)) {
      // No latency to speak of: every request lands in the first bucket.
      for (let i = 0; i < this.cumulative.length; i++) this.cumulative[i] = (this.cumulative[i] as number) + requests;
      return;
    }
    const mu = Math.log(p50Ms);
    // A p99 at or below the p50 (a tick with too few requests to tell them apart) is a point mass.
    const sigma = p99Ms > p50Ms ? Math.log(p99Ms / p50Ms) / Z99 : 0;
    for (let i = 0; i < this.cumulative.length; i++) {
      const boundMs = (LATENCY_BOUNDS_S[i] as number) * 1000;
      const within = sigma > 0 ? 1 - shareLater(boundMs, mu, sigma) : boundMs >= p50Ms ? 1 : 0;
      this.cumulative[i] = (this.cumulative[i] as number) + requests * within;
    }
    // The fitted distribution's mean, e^(mu + sigma²/2), so _sum / _count is that log-normal's mean.
    this.sumSeconds += (requests * Math.exp(mu + (sigma * sigma) / 2)) / 1000;
  }
}
