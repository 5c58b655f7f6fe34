/**
 * Formatting the report's renderers share (plain, locale-fixed). Money, counts, percentages, metric
 * values and clipping are the shared ones in engine/protocol/format.ts; these add the report's
 * wording for a missing time.
 */
import { formatClock } from '../protocol/format.ts';

export const clock = (t: number | null | undefined): string => (t === null || t === undefined ? '—' : formatClock(t));
export const minutes = (ms: number | null | undefined): string => (ms === null || ms === undefined ? 'never' : `${(ms / 60_000).toFixed(1)} min`);

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
    let lowest = values[from] ?? NaN;
    let highest = lowest;
    for (let i = from + 1; i < to; i++) {
      const v = values[i] ?? NaN;
      if (v < lowest) [lo, lowest] = [i, v];
      if (v > highest) [hi, highest] = [i, v];
    }
    if (lo === hi) keep.push(lo);
    else keep.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  return keep;
}
