/**
 * Replay is a fold over the log's commands: rebuild the session from the header, apply every logged
 * command at its stamped time, and compare the result line by line with the original.
 */
import { createHeader, parseLog, serializeEvent, type LogHeader } from './log.ts';
import type { Scenario } from '../scenario/schema.ts';
import { createSession, type MetricsSample, type Session } from './session.ts';
import type { CommandInput, CommandResult, EngineEvent } from './types.ts';

export type ReplayResult =
  | { ok: true; events: number }
  | { ok: false; line: number; message: string; expected?: string; actual?: string };

/** The command a logged `command` event was made from. */
export function commandOf(e: EngineEvent): CommandInput {
  return {
    actor: e.actor as string,
    ...(e.participant !== undefined ? { participant: e.participant as string } : {}),
    type: e.command as string,
    ...(e.target !== undefined ? { target: e.target as string } : {}),
    ...(e.params !== undefined ? { params: e.params as CommandInput['params'] } : {}),
  };
}

export interface FoldOptions {
  /** Only logged commands this accepts are re-applied (default: all of them). */
  include?: (e: EngineEvent) => boolean;
  onTick?: (sample: MetricsSample) => void;
  /** Hears each re-applied command with what the engine made of it. */
  onCommand?: (e: EngineEvent, result: CommandResult) => void;
  /** Stop at this simulated time; by default where the log ends (including its last tick, if it ends on tick output). */
  until?: number;
}

/**
 * The one fold over a log: a fresh session from the scenario and seed, each logged command re-applied
 * at its stamped time. Replay, samples for the UI, the untreated twin and report charts all use it.
 */
export function foldLog(scenario: Scenario, seed: number, logged: readonly EngineEvent[], options: FoldOptions = {}): Session {
  const session = createSession(scenario, { seed });
  for (const e of logged) {
    if (e.type !== 'command' || (options.include && !options.include(e))) continue;
    session.runUntil(e.t, options.onTick);
    const result = session.submit(commandOf(e));
    options.onCommand?.(e, result);
  }
  const last = logged[logged.length - 1];
  // A log that ends on tick output (not on a command) includes that tick.
  const end = options.until ?? (last ? (last.type === 'command' ? last.t : last.t + 1) : 0);
  session.runUntil(end, options.onTick);
  return session;
}

/** Re-runs a session from a header and the logged events' commands. */
export function resimulate(header: LogHeader, logged: readonly EngineEvent[]): Session {
  return foldLog(header.scenario, header.seed, logged);
}

export function replayLog(text: string): ReplayResult {
  const parsed = parseLog(text);
  if (!parsed.ok) return parsed;
  const { header, events, lines } = parsed;
  const session = resimulate(header, events);
  const expectedHeader = JSON.stringify(createHeader(header.scenario, header.seed, header.node));
  if (expectedHeader !== lines[0]) return { ok: false, line: 1, message: 'header differs', expected: lines[0], actual: expectedHeader };
  const replayed = session.events;
  // A live log can be fetched mid-tick, so the replay may run on past the last line, but only within
  // that line's tick; anything the log holds must match byte for byte, and nothing may be missing.
  const lastT = events.length > 0 ? (events[events.length - 1] as EngineEvent).t : 0;
  const count = Math.max(events.length, replayed.filter((e, i) => i < events.length || e.t > lastT).length);
  for (let i = 0; i < count; i++) {
    const expected = lines[i + 1];
    const actual = replayed[i] ? serializeEvent(replayed[i] as EngineEvent) : undefined;
    if (expected !== actual) {
      return { ok: false, line: i + 2, message: 'event differs', ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) };
    }
  }
  return { ok: true, events: events.length };
}
