/**
 * Replay is a fold over the log's commands: rebuild the session from the header, apply every logged
 * command at its stamped time, and compare the result line by line with the original.
 */
import { createHeader, parseLog, serializeEvent, type LogHeader } from './log.ts';
import { createSession, type Session } from './session.ts';
import type { CommandInput, EngineEvent } from './types.ts';

export type ReplayResult =
  | { ok: true; events: number }
  | { ok: false; line: number; message: string; expected?: string; actual?: string };

/** The command a logged `command` event was made from. */
export function commandOf(e: EngineEvent): CommandInput {
  return {
    actor: e.actor as string,
    type: e.command as string,
    ...(e.target !== undefined ? { target: e.target as string } : {}),
    ...(e.params !== undefined ? { params: e.params as CommandInput['params'] } : {}),
  };
}

/** Re-runs a session from a header and the logged events' commands. */
export function resimulate(header: LogHeader, logged: readonly EngineEvent[]): Session {
  const session = createSession(header.scenario, { seed: header.seed });
  for (const e of logged) {
    if (e.type !== 'command') continue;
    session.runUntil(e.t);
    session.submit(commandOf(e));
  }
  const last = logged[logged.length - 1];
  // A log that ends on tick output (not on a command) includes that tick.
  if (last && last.type !== 'command') session.runUntil(last.t + 1);
  return session;
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
