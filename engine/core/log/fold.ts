/**
 * The one fold over timed commands: a fresh session from the scenario and seed, each input applied at
 * its time, whole ticks run in between. Replay, headless runs, the server's recovery of a drill, the
 * replay screen's telemetry, the untreated twin and the report's charts are all this function.
 *
 * The time rule, written here once (session.ts states it from the inside: `now` is the time of the
 * next tick; a command is stamped with `now` and applied before that tick runs):
 * - An input is due at the first tick boundary at or after its time, `ceil(at / tick) × tick`, and is
 *   applied before the tick at that boundary runs. Logged and stored commands already sit on a
 *   boundary (they were stamped with `now`); a plan's may fall between two ticks.
 * - Inputs are applied in the order given, which is time order (a plan is sorted when it is loaded;
 *   a log and a drill's stored inputs are in order as written). Time never moves back: an input due
 *   before `now` is applied at `now`.
 * - Time moves only while the drill runs. Before the start, while paused and once ended, no tick runs,
 *   so an input due later is applied at the current `now`: the time a live drill stamps it with.
 * - Nothing happens at or after `until`: ticks run while `now < until`, and the inputs due after
 *   `until` are not applied (one due exactly at `until` is, after the last tick).
 */
import type { CommandResult, TimedCommand } from '../../protocol/commands.ts';
import type { ScenarioSpec } from '../../protocol/scenario.ts';
import type { MetricsSample } from '../../protocol/views.ts';
import { createSession, type Session } from '../session.ts';

export interface FoldOptions {
  /** Simulated ms to stop at (see the time rule above). */
  until: number;
  /** Hears the sample of every tick run, in order. */
  onTick?: (sample: MetricsSample) => void;
  /** Hears each input applied, with what the engine made of it; `index` is its place in `inputs`. */
  onCommand?: (input: TimedCommand, result: CommandResult, index: number) => void;
  /** False times the fixed physics steps at rest too (SessionOptions.restSteps): for the bench only. */
  restSteps?: boolean;
}

/** The session that `inputs` make of `scenario` and `seed`, as of `until`. Pure: the same arguments give the same log. */
export function foldCommands(scenario: ScenarioSpec, seed: number, inputs: readonly TimedCommand[], options: FoldOptions): Session {
  const session = createSession(scenario, options.restSteps === false ? { seed, restSteps: false } : { seed });
  const { until, onTick, onCommand } = options;
  const tick = session.tickMs;
  for (const [i, input] of inputs.entries()) {
    const { at, ...command } = input;
    const due = Math.ceil(at / tick) * tick;
    if (due > until) break;
    session.runUntil(due, onTick);
    const result = session.submit(command);
    onCommand?.(input, result, i);
  }
  session.runUntil(until, onTick);
  return session;
}
