/**
 * Telemetry is streamed live and never logged, so a replay derives it again: the same fold as
 * `resimulate` (replay.ts) over the logged commands, collecting the sample of every tick it runs.
 */
import type { Scenario } from '../scenario/schema.ts';
import { foldLog } from './replay.ts';
import type { MetricsSample, Session } from './session.ts';
import type { EngineEvent } from './types.ts';

export interface DerivedRun {
  /** The re-run session, as of the last tick run. */
  session: Session;
  /** One sample per tick, in order. */
  samples: MetricsSample[];
}

/**
 * Re-runs a session from its scenario, seed and logged events up to `until`, the simulated `now` the
 * original had reached (a session's `now`; the log alone cannot tell it: ticks that emit nothing leave
 * no line, and a command's own events are stamped with the next tick's time), and returns every
 * tick's sample. Pure: the same inputs give the same samples, equal to those streamed live.
 */
export function deriveSamples(scenario: Scenario, seed: number, logged: readonly EngineEvent[], until: number): DerivedRun {
  const samples: MetricsSample[] = [];
  const session = foldLog(scenario, seed, logged, { until, onTick: (sample) => samples.push(sample) });
  return { session, samples };
}
