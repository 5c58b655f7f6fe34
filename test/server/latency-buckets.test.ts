/**
 * The /metrics latency histogram spreads a tick's requests by a log-normal fitted to its p50 and p99:
 * what histogram_quantile reads back from the buckets is that tick's p50 and p99.
 */
import { describe, expect, it } from 'vitest';
import { LATENCY_BOUNDS_S, LatencyHistogram } from '../../engine/server/prometheus/latency-buckets.ts';

const at = (h: LatencyHistogram, boundS: number): number => h.cumulative[LATENCY_BOUNDS_S.indexOf(boundS as (typeof LATENCY_BOUNDS_S)[number])] ?? NaN;

/** Prometheus's histogram_quantile: linear interpolation inside the bucket the rank falls in. */
function histogramQuantile(q: number, h: LatencyHistogram): number {
  const rank = q * h.count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (let i = 0; i < LATENCY_BOUNDS_S.length; i++) {
    const bound = LATENCY_BOUNDS_S[i] as number;
    const count = h.cumulative[i] as number;
    if (count >= rank) return lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    lowerBound = bound;
    lowerCount = count;
  }
  return Infinity;
}

describe('LatencyHistogram', () => {
  it('puts half the requests below the p50 and 99% below the p99', () => {
    const h = new LatencyHistogram();
    // Both on bounds, so the counts there are the fit's CDF exactly (to the engine's normal-tail error, 2e-4).
    h.add(10_000, 100, 1000);
    expect(h.count).toBe(10_000);
    expect(at(h, 0.1)).toBeCloseTo(5_000, -1);
    expect(at(h, 1)).toBeCloseTo(9_900, -1);
    // The tails: almost nothing under 10 ms, almost everything under 30 s.
    expect(at(h, 0.01)).toBeLessThan(100);
    expect(at(h, 30)).toBeGreaterThan(9_999);
  });

  it('histogram_quantile gives back the p50 and p99 to within the buckets', () => {
    const h = new LatencyHistogram();
    h.add(5_000, 130, 900);
    const p50 = histogramQuantile(0.5, h);
    const p99 = histogramQuantile(0.99, h);
    expect(p50).toBeGreaterThan(0.1);
    expect(p50).toBeLessThan(0.2);
    expect(p99).toBeGreaterThan(0.5);
    expect(p99).toBeLessThan(1);
  });

  it('is cumulative across ticks, and its sum is the fitted mean times the requests', () => {
    const h = new LatencyHistogram();
    h.add(1_000, 50, 400);
    h.add(3_000, 800, 4_000);
    for (let i = 1; i < h.cumulative.length; i++) expect(h.cumulative[i]).toBeGreaterThanOrEqual(h.cumulative[i - 1] ?? Infinity);
    expect(h.cumulative.at(-1)).toBeLessThanOrEqual(h.count);
    expect(h.count).toBe(4_000);
    const mean = (p50: number, p99: number) => (p50 / 1000) * Math.exp((Math.log(p99 / p50) / 2.3263478740408408) ** 2 / 2);
    expect(h.sumSeconds).toBeCloseTo(1_000 * mean(50, 400) + 3_000 * mean(800, 4_000), 6);
  });

  it('takes a point mass, zero latency and an idle tick', () => {
    const h = new LatencyHistogram();
    h.add(100, 30, 30);
    expect(at(h, 0.02)).toBe(0);
    expect(at(h, 0.05)).toBe(100);
    expect(h.sumSeconds).toBeCloseTo(3, 9);
    h.add(10, 0, 0);
    expect(at(h, 0.005)).toBe(10);
    h.add(0, 500, 900);
    expect(h.count).toBe(110);
  });
});
