/** Number and time formatting shared by the report model and its renderers (plain, locale-fixed). */
import { formatClock } from '../core/duration.ts';

export const clock = (t: number | null | undefined): string => (t === null || t === undefined ? '—' : formatClock(t));
export const minutes = (ms: number | null | undefined): string => (ms === null || ms === undefined ? 'never' : `${(ms / 60_000).toFixed(1)} min`);
export const money = (x: number): string => `${x < 0 ? '−' : ''}$${Math.round(Math.abs(x)).toLocaleString('en-US')}`;
export const count = (x: number): string => Math.round(x).toLocaleString('en-US');
export const percent = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;

export const METRIC_NAMES: Record<string, string> = { errorRate: 'error rate', p50Ms: 'p50', p99Ms: 'p99', rps: 'load', saturation: 'saturation' };
export const metricName = (metric: string): string => METRIC_NAMES[metric] ?? metric;

/** A metric value the way a dashboard shows it: rates as percentages, latencies in ms. */
export function metricValue(metric: string, value: number): string {
  if (metric === 'errorRate' || metric === 'saturation') return percent(value);
  if (metric === 'p50Ms' || metric === 'p99Ms') return `${Math.round(value).toLocaleString('en-US')} ms`;
  if (metric === 'rps') return `${count(value)} rps`;
  return String(value);
}

/** Shortens free text (status messages, log lines) for one-line display. */
export function clip(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Reduces a series to at most `max` points for drawing, keeping each bucket's lowest and highest
 * value (in time order) so spikes and dips survive. Returns indices into the input.
 */
export function downsampleIndices(values: readonly number[], max: number): number[] {
  const n = values.length;
  if (n <= max) return values.map((_, i) => i);
  const buckets = Math.max(1, Math.floor(max / 2));
  const keep: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    if (to <= from) continue;
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      if ((values[i] as number) < (values[lo] as number)) lo = i;
      if ((values[i] as number) > (values[hi] as number)) hi = i;
    }
    if (lo === hi) keep.push(lo);
    else keep.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  return keep;
}
