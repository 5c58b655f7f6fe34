/**
 * Error-budget burn rates for multi-window, multi-burn-rate alerts (the SRE workbook's "alerting on
 * SLOs"): a journey's error rate over a window, divided by its error budget (1 − slo.target). An
 * alert with `metric: burnRate` and `windows: {long, short}` breaches while the burn rate over both
 * windows is above its threshold: the long window proves the burn is significant, the short one that
 * it is still going on, so the alert resolves soon after a fix.
 *
 * Each window is a ring of at most MAX_BUCKETS buckets of whole ticks. A window of up to
 * MAX_BUCKETS ticks is exact (one tick per bucket); a longer one is kept in buckets of several ticks,
 * and covers between its length less one bucket and its length: a six-hour window at a 10 s tick
 * moves in 6-minute steps, as a rule evaluated on a coarse interval would. Running totals are
 * recomputed exactly each time a bucket is reused, so they do not drift. All of it is state.
 */
import { windowTicks, type Scenario } from '../../protocol/scenario.ts';
import { lastFailed, lastRequests, type SloWindows } from './slo-window.ts';

const MAX_BUCKETS = 60;

export interface BurnWindows {
  /** Per alert: its burn-rate slot, or -1 for a threshold alert. */
  readonly slotOf: Int32Array;
  /** Per slot: the journey it watches and that journey's error budget (1 − slo.target). */
  readonly journey: Int32Array;
  readonly budget: Float64Array;
  /** Per window (two per slot, long then short): its first bucket, bucket count and ticks per bucket. */
  readonly first: Int32Array;
  readonly buckets: Int32Array;
  readonly perBucket: Int32Array;
  /** Buckets of every window: requests, failed. */
  readonly ring: Float64Array;
  /** Per window: requests and failed over the window. */
  readonly totals: Float64Array;
  /** Ticks recorded so far. */
  ticks: number;
}

export function createBurnWindows(scenario: Scenario): BurnWindows {
  const slotOf = new Int32Array(scenario.alerts.length).fill(-1);
  const journey: number[] = [];
  const budget: number[] = [];
  const first: number[] = [];
  const buckets: number[] = [];
  const perBucket: number[] = [];
  let at = 0;
  scenario.alerts.forEach((alert, a) => {
    if (alert.metric !== 'burnRate' || alert.windows === undefined || alert.journey === undefined) return;
    const j = scenario.journeys.findIndex((x) => x.id === alert.journey);
    if (j < 0) return;
    slotOf[a] = journey.length;
    journey.push(j);
    budget.push(1 - (scenario.journeys[j]?.slo.target ?? 0.999));
    for (const length of [alert.windows.long, alert.windows.short]) {
      const ticks = windowTicks(length, scenario.tick);
      const count = Math.min(ticks, MAX_BUCKETS);
      first.push(at);
      buckets.push(count);
      perBucket.push(Math.ceil(ticks / count));
      at += count;
    }
  });
  return {
    slotOf,
    journey: Int32Array.from(journey),
    budget: Float64Array.from(budget),
    first: Int32Array.from(first),
    buckets: Int32Array.from(buckets),
    perBucket: Int32Array.from(perBucket),
    ring: new Float64Array(at * 2),
    totals: new Float64Array(first.length * 2),
    ticks: 0,
  };
}

/**
 * Adds this tick's requests and failures of each watched journey to its windows, as the journey's
 * SLO window recorded them (updateJourneys runs first). Call once per tick, before reading.
 */
export function recordBurn(b: BurnWindows, slo: SloWindows): void {
  const windows = b.first.length;
  for (let w = 0; w < windows; w++) {
    const j = b.journey[w >> 1] as number;
    const k = b.perBucket[w] as number;
    const count = b.buckets[w] as number;
    const bucket = 2 * ((b.first[w] as number) + (Math.floor(b.ticks / k) % count));
    if (b.ticks % k === 0) {
      // A new bucket begins where the oldest one was: forget it, and total the rest afresh.
      b.ring[bucket] = 0;
      b.ring[bucket + 1] = 0;
      let r = 0;
      let f = 0;
      for (let i = 0; i < count; i++) {
        r += b.ring[2 * ((b.first[w] as number) + i)] as number;
        f += b.ring[2 * ((b.first[w] as number) + i) + 1] as number;
      }
      b.totals[2 * w] = r;
      b.totals[2 * w + 1] = f;
    }
    const req = lastRequests(slo, j);
    const failed = lastFailed(slo, j);
    b.ring[bucket] = (b.ring[bucket] as number) + req;
    b.ring[bucket + 1] = (b.ring[bucket + 1] as number) + failed;
    b.totals[2 * w] = (b.totals[2 * w] as number) + req;
    b.totals[2 * w + 1] = (b.totals[2 * w + 1] as number) + failed;
  }
  b.ticks++;
}

/** The burn rate over one window of a slot: 0 = long, 1 = short. */
function burnOver(b: BurnWindows, slot: number, which: 0 | 1): number {
  const w = 2 * slot + which;
  const requests = b.totals[2 * w] as number;
  const rate = requests > 0 ? Math.max(0, (b.totals[2 * w + 1] as number) / requests) : 0;
  return rate / (b.budget[slot] as number);
}

/** An alert's value: the lower of its two windows' burn rates (both must exceed the threshold). */
export function burnRateOf(b: BurnWindows, slot: number): number {
  return Math.min(burnOver(b, slot, 0), burnOver(b, slot, 1));
}
