/**
 * Measuring a drill's ticks in-process, for the abuse and limits tests: each tick's lateness from the
 * drill's own hook, and the time the event loop spent in the store's writes meanwhile. The bars are
 * held to the lateness as measured; the time in writes is printed beside it, so that a regression to
 * writes that wait for the disk on the event loop (store.ts) shows where the time went.
 */
import type { LiveDrill } from '../../engine/server/drill.ts';
import { Store } from '../../engine/server/store.ts';

export interface Tick {
  /** performance.now() when the tick ran. */
  at: number;
  lagMs: number;
}

/** Records every tick of a live drill (its `onTick` hook) from now on. */
export function recordTicks(drill: LiveDrill): Tick[] {
  const ticks: Tick[] = [];
  drill.onTick = ({ lagMs }) => ticks.push({ at: performance.now(), lagMs });
  return ticks;
}

const WRITES = [
  'appendInput',
  'saveProgress',
  'saveProgressMany',
  'saveSpeed',
  'setStatus',
  'createSession',
  'addParticipant',
  'addToken',
  'addInvite',
  'bindInvite',
  'removeParticipant',
  'archive',
  'transaction',
] as const;

export interface DurableWrites {
  /** [start, end] (performance.now()) of every write, nested ones included. */
  spans: [number, number][];
  /** Puts Store's methods back. */
  restore(): void;
}

/** Times every durable write the store makes in this process until `restore()`. */
export function timeDurableWrites(): DurableWrites {
  const spans: [number, number][] = [];
  const proto = Store.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = WRITES.map((name) => {
    const original = proto[name];
    if (typeof original !== 'function') throw new Error(`Store has no method ${name}: update test/server/timing.ts`);
    return [name, original] as const;
  });
  for (const [name, original] of originals) {
    proto[name] = function (this: unknown, ...args: unknown[]) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        spans.push([started, performance.now()]);
      }
    };
  }
  return {
    spans,
    restore: () => {
      for (const [name, original] of originals) proto[name] = original;
    },
  };
}

/** How much of [from, to] lies inside the spans (overlapping spans counted once). */
function overlap(spans: readonly [number, number][], from: number, to: number): number {
  let covered = 0;
  let reached = from;
  for (const [start, end] of [...spans].sort((x, y) => x[0] - y[0])) {
    const s = Math.max(start, reached);
    const e = Math.min(end, to);
    if (e > s) {
      covered += e - s;
      reached = e;
    }
  }
  return covered;
}

export interface Lateness {
  ticks: number;
  /** The worst lateness as measured. */
  worst: number;
  /** The worst lateness less the time spent in durable writes between the tick's due time and its run. */
  worstBesideWrites: number;
  median: number;
  /** Durable writes that started in the window, and the slowest of them (ms). */
  writes: number;
  slowestWrite: number;
}

/** The lateness of the ticks that ran in [from, to]. */
export function lateness(ticks: readonly Tick[], writes: readonly [number, number][], from: number, to: number): Lateness {
  const inside = ticks.filter((t) => t.at >= from && t.at <= to);
  const lags = inside.map((t) => t.lagMs);
  const besides = inside.map((t) => t.lagMs - overlap(writes, t.at - t.lagMs, t.at));
  const windowWrites = writes.filter(([start]) => start >= from && start <= to);
  return {
    ticks: inside.length,
    worst: Math.max(...lags),
    worstBesideWrites: Math.max(...besides),
    median: percentile(lags, 0.5),
    writes: windowWrites.length,
    slowestWrite: Math.max(0, ...windowWrites.map(([start, end]) => end - start)),
  };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

export const describeLateness = (l: Lateness): string =>
  `${l.ticks} ticks, worst ${l.worst.toFixed(1)} ms late (${l.worstBesideWrites.toFixed(1)} ms leaving out durable writes: ` +
  `${l.writes} in the window, the slowest ${l.slowestWrite.toFixed(0)} ms), median ${l.median.toFixed(1)} ms`;
