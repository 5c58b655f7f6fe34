/**
 * Headless runs: a plan's commands after an implicit start at 0, to the end of the scenario or to
 * `until`. A command is sent at a time (`at`) or a while after an event (`after`, anchors.ts), which a
 * seed may move; so the run decides what is due tick by tick, under the fold's time rule (fold.ts):
 * an input is due at the first tick boundary at or after its time, applied before the tick there
 * runs; inputs due together go in plan order; nothing is applied after `until`. A relative command
 * whose event never happens is never sent. The log records every command at the time it was applied,
 * so the log alone replays through foldCommands.
 */
import type { ScenarioSpec } from '../../protocol/scenario.ts';
import { createSession, type Session } from '../session.ts';
import { isTimed, type CommandResult, type PlanCommand, type TimedCommand } from '../../protocol/commands.ts';
import { AnchorTimes } from './anchors.ts';
import { loggedCommands } from './replay.ts';

export const FACILITATOR = 'facilitator';

export interface RunOptions {
  seed?: number;
  /** In any order: timed ones are taken by time (stably), then in the order given. */
  commands?: readonly PlanCommand[];
  /** Simulated ms to stop at; defaults to the scenario's duration (the drill then ends by itself). */
  until?: number;
  /** False times the fixed physics steps at rest too (SessionOptions.restSteps): for the bench only. */
  restSteps?: boolean;
  /**
   * Hears each command applied, the implicit start first (index 0; the plan's are 1…n in the order
   * given), with what the engine made of it and the simulated ms it was applied at.
   */
  onCommand?: (input: PlanCommand, result: CommandResult, index: number, t: number) => void;
}

interface Pending {
  command: PlanCommand;
  index: number;
}

export function runScenario(spec: ScenarioSpec, options: RunOptions = {}): Session {
  const session = createSession(spec, {
    seed: options.seed ?? spec.seed,
    ...(options.restSteps === false ? { restSteps: false } : {}),
  });
  const until = options.until ?? spec.duration;
  const start: TimedCommand = { at: 0, actor: FACILITATOR, type: 'start' };
  let pending: Pending[] = [start, ...(options.commands ?? [])].map((command, index) => ({ command, index }));
  const anchors = new AnchorTimes();
  const tick = session.tickMs;
  /** When the command is meant to be sent (ms); infinite while its event has not happened. */
  const timeOf = (command: PlanCommand): number => {
    if (isTimed(command)) return command.at;
    const t = anchors.time(command.after);
    return t === undefined ? Number.POSITIVE_INFINITY : t + command.after.offset;
  };
  for (;;) {
    anchors.observe(session.events);
    const next = nextDue(pending, timeOf, tick);
    // While time stands still (before the start, paused, ended) an input due later is applied now, as
    // a live drill would stamp it; one waiting for an event that has not happened still waits.
    const standing = session.phase !== 'running';
    if (next !== null && next.due <= until && (next.due <= session.now || (standing && Number.isFinite(next.due)))) {
      const { command, index } = next.item;
      pending = pending.filter((p) => p !== next.item);
      const { at: _at, after: _after, ...input } = command as TimedCommand & { after?: unknown };
      const t = session.now;
      // Submitted whether or not anyone listens: `onCommand?.(…, submit())` would skip the submit.
      const result = session.submit(input);
      options.onCommand?.(command, result, index, t);
      continue;
    }
    if (session.now >= until || standing) break;
    // Waiting on an event: one tick at a time, so its commands are due as soon as it is seen.
    const waiting = pending.some((p) => !isTimed(p.command));
    const target = Math.min(until, next !== null && Number.isFinite(next.due) ? next.due : until, waiting ? session.now + tick : until);
    session.runUntil(target);
  }
  return session;
}

/** The earliest due input; among those due at one boundary, by time, then plan order. null when none is left. */
function nextDue(pending: readonly Pending[], timeOf: (command: PlanCommand) => number, tick: number): { item: Pending; due: number } | null {
  let best: { item: Pending; due: number; at: number } | null = null;
  for (const item of pending) {
    const at = timeOf(item.command);
    const due = Math.ceil(at / tick) * tick;
    if (best === null || due < best.due || (due === best.due && (at < best.at || (at === best.at && item.index < best.item.index)))) best = { item, due, at };
  }
  return best;
}

/**
 * A plan's commands at the times one seed's run sent them (the implicit start left out): the same run
 * when given back to runScenario with that seed, with every time fixed. For tools that need times
 * ahead (the bench's step-by-step fold).
 */
export function timedPlan(spec: ScenarioSpec, commands: readonly PlanCommand[], options: Omit<RunOptions, 'commands' | 'onCommand'> = {}): TimedCommand[] {
  return loggedCommands(runScenario(spec, { ...options, commands }).events).slice(1);
}
