/**
 * Journeys' SLOs judged over a trailing window (`slo.window`, default a minute), as an SLO dashboard
 * judges them, not on one tick: the window's error rate over all its requests, the share of its
 * requests slower than the SLO's p99 (the window's p99 is within the SLO while that share is at most
 * 1%: the exact test for the p99 of the window's merged latency distribution), and its mean lag.
 *
 * One ring per journey holds the last W ticks (W = window ÷ tick, at least one) and running sums over
 * them. Sums that only ever add and subtract drift in their last bits, so each ring's sums are
 * recomputed exactly whenever it wraps. Everything here is state: checkpoints hash it.
 */
import { windowTicks, type Scenario } from '../../protocol/scenario.ts';

/** Values kept per tick: requests, failed requests, requests slower than the SLO's p99, lag in seconds. */
const FIELDS = 4;
const REQUESTS = 0;
const FAILED = 1;
const SLOW = 2;
const LAG = 3;
/** The share of requests that may be slower than p99Ms: that is what a p99 is. */
const SLOW_ALLOWED = 0.01;

export interface SloWindows {
  /** Journey j's ring is ticks start[j] .. start[j + 1] - 1 (FIELDS numbers each). */
  readonly start: Int32Array;
  readonly ring: Float64Array;
  /** Running sums over each journey's ring, FIELDS per journey. */
  readonly sums: Float64Array;
  /** Ticks recorded so far. */
  ticks: number;
}

export function createSloWindows(scenario: Scenario): SloWindows {
  const start = new Int32Array(scenario.journeys.length + 1);
  scenario.journeys.forEach((j, i) => {
    start[i + 1] = (start[i] as number) + windowTicks(j.slo.window, scenario.tick);
  });
  const slots = start[scenario.journeys.length] as number;
  return { start, ring: new Float64Array(slots * FIELDS), sums: new Float64Array(scenario.journeys.length * FIELDS), ticks: 0 };
}

/** What one journey's window says after this tick. */
export interface WindowReading {
  errorRate: number;
  slow: number;
  lagSeconds: number;
}

/** Records journey j's tick (requests, their error rate, their slow share, its topic's lag) and reads its window into `out`. */
export function recordTick(w: SloWindows, j: number, requests: number, errorRate: number, slow: number, lagSeconds: number, out: WindowReading): void {
  const first = w.start[j] as number;
  const size = (w.start[j + 1] as number) - first;
  const slot = (first + (w.ticks % size)) * FIELDS;
  const sums = j * FIELDS;
  put(w, sums, slot, REQUESTS, requests);
  put(w, sums, slot, FAILED, requests * errorRate);
  put(w, sums, slot, SLOW, requests * slow);
  put(w, sums, slot, LAG, lagSeconds);
  if (w.ticks % size === size - 1) {
    for (let f = 0; f < FIELDS; f++) {
      let exact = 0;
      for (let k = 0; k < size; k++) exact += w.ring[(first + k) * FIELDS + f] as number;
      w.sums[sums + f] = exact;
    }
  }
  const seen = Math.min(w.ticks + 1, size);
  const total = w.sums[sums + REQUESTS] as number;
  out.errorRate = total > 0 ? Math.max(0, (w.sums[sums + FAILED] as number) / total) : 0;
  out.slow = total > 0 ? Math.max(0, (w.sums[sums + SLOW] as number) / total) : 0;
  out.lagSeconds = Math.max(0, (w.sums[sums + LAG] as number) / seen);
}

/**
 * Writes one field of this tick into its slot and moves the running sum. A module function, not a
 * closure: the dev loader names every closure it creates (keepNames), which made a per-tick closure
 * cost more than the window itself.
 */
function put(w: SloWindows, sums: number, slot: number, f: number, value: number): void {
  w.sums[sums + f] = (w.sums[sums + f] as number) - (w.ring[slot + f] as number) + value;
  w.ring[slot + f] = value;
}

/** The slot of journey j's last recorded tick (after advanceWindows). */
function lastSlot(w: SloWindows, j: number): number {
  const first = w.start[j] as number;
  const size = (w.start[j + 1] as number) - first;
  return (first + ((w.ticks - 1) % size)) * FIELDS;
}

/** Journey j's requests in the tick last recorded: what burn-rate.ts adds to its own windows. */
export function lastRequests(w: SloWindows, j: number): number {
  return w.ring[lastSlot(w, j) + REQUESTS] as number;
}

/** Journey j's failed requests in the tick last recorded. */
export function lastFailed(w: SloWindows, j: number): number {
  return w.ring[lastSlot(w, j) + FAILED] as number;
}

/** Ends a tick: every journey has recorded it. */
export function advanceWindows(w: SloWindows): void {
  w.ticks++;
}

/** Whether a window's reading is within a journey's SLO. */
export function withinSlo(slo: Scenario['journeys'][number]['slo'], reading: WindowReading, hasTopic: boolean): boolean {
  if (reading.errorRate > slo.errorRate || reading.slow > SLOW_ALLOWED) return false;
  return !(hasTopic && slo.lagSeconds !== undefined && reading.lagSeconds > slo.lagSeconds);
}
