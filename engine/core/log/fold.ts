/**
 * The one fold over commands: a fresh session from the scenario and seed, each input applied at its
 * time, or a while after an event (a plan's `after`), whole ticks run in between. Replay, headless
 * runs (run.ts), the server's recovery of a drill, the replay screen's telemetry, the untreated twin
 * and the report's charts are all this function.
 *
 * The time rule, written here once (session.ts states it from the inside: `now` is the time of the
 * next tick; a command is stamped with `now` and applied before that tick runs):
 * - An input is due at the first tick boundary at or after its time, `ceil(at / tick) × tick`, and is
 *   applied before the tick at that boundary runs. Logged and stored commands already sit on a
 *   boundary (they were stamped with `now`); a plan's may fall between two ticks.
 * - Timed inputs are applied in the order given, which is time order (a plan is sorted when it is
 *   loaded; a log and a drill's stored inputs are in order as written). Time never moves back: an
 *   input due before `now` is applied at `now`, and one listed after a later one waits for it.
 * - An input given `after` an event (anchors.ts) has the time of that event plus its delay, once the
 *   event has happened; until then it waits, and ticks run one at a time so that it is sent at the
 *   first boundary after. One whose event never happens is never applied. Inputs due at the same
 *   boundary go in time order, then in the order given.
 * - Time moves only while the drill runs. Before the start, while paused and once ended, no tick runs,
 *   so an input due later is applied at the current `now`: the time a live drill stamps it with.
 * - Nothing happens at or after `until`: ticks run while `now < until`, and the inputs due after
 *   `until` are not applied (one due exactly at `until` is, after the last tick).
 */
import { isTimed, type CommandResult, type PlanCommand, type RelativeCommand, type TimedCommand } from '../../protocol/commands.ts';
import type { ScenarioSpec } from '../../protocol/scenario.ts';
import type { MetricsSample } from '../../protocol/views.ts';
import { createSession, type Session } from '../session.ts';
import { AnchorTimes } from './anchors.ts';

export interface FoldOptions {
  /** Simulated ms to stop at (see the time rule above). */
  until: number;
  /** Hears the sample of every tick run, in order. */
  onTick?: (sample: MetricsSample) => void;
  /** Hears each input applied, with what the engine made of it, its place in `inputs` and the simulated ms it was applied at. */
  onCommand?: (input: PlanCommand, result: CommandResult, index: number, t: number) => void;
  /** False times the fixed physics steps at rest too (SessionOptions.restSteps): for the bench only. */
  restSteps?: boolean;
}

interface Next {
  command: PlanCommand;
  index: number;
  /** The input's time (a timed one: never before an earlier timed one's). */
  at: number;
  due: number;
}

/** The session that `inputs` make of `scenario` and `seed`, as of `until`. Pure: the same arguments give the same log. */
export function foldCommands(scenario: ScenarioSpec, seed: number, inputs: readonly PlanCommand[], options: FoldOptions): Session {
  const session = createSession(scenario, options.restSteps === false ? { seed, restSteps: false } : { seed });
  const { until, onTick, onCommand } = options;
  const tick = session.tickMs;
  const dueOf = (at: number): number => Math.ceil(at / tick) * tick;
  // Timed inputs in the order given, each at no earlier a time than the one before it; relative ones aside.
  const timed: Next[] = [];
  const relative: { command: RelativeCommand; index: number }[] = [];
  let floor = 0;
  inputs.forEach((command, index) => {
    if (!isTimed(command)) return void relative.push({ command, index });
    floor = Math.max(floor, command.at);
    timed.push({ command, index, at: floor, due: dueOf(floor) });
  });
  const anchors = new AnchorTimes();
  let cursor = 0;
  for (;;) {
    if (relative.length > 0) anchors.observe(session.events);
    let next: Next | undefined = timed[cursor];
    for (const r of relative) {
      const t = anchors.time(r.command.after);
      if (t === undefined) continue;
      const at = t + r.command.after.offset;
      const due = dueOf(at);
      if (next === undefined || due < next.due || (due === next.due && (at < next.at || (at === next.at && r.index < next.index)))) next = { ...r, at, due };
    }
    // While time stands still (before the start, paused, ended) the next input is applied now, as a
    // live drill would stamp it; one waiting for an event that has not happened still waits.
    const standing = session.phase !== 'running';
    if (next !== undefined && next.due <= until && (next.due <= session.now || standing)) {
      if (isTimed(next.command)) cursor++;
      else relative.splice(relative.findIndex((r) => r.index === next.index), 1);
      const { at: _at, after: _after, ...command } = next.command as TimedCommand & { after?: unknown };
      const t = session.now;
      // Submitted whether or not anyone listens: `onCommand?.(…, submit())` would skip the submit.
      const result = session.submit(command);
      onCommand?.(next.command, result, next.index, t);
      continue;
    }
    if (session.now >= until || standing) break;
    // Waiting on an event: one tick at a time, so that its inputs are due as soon as it is seen.
    const waiting = relative.some((r) => anchors.time(r.command.after) === undefined);
    session.runUntil(Math.min(until, next?.due ?? until, waiting ? session.now + tick : until), onTick);
  }
  return session;
}
