/**
 * Replay: the log's commands folded again (fold.ts) from its header, and the result compared line by
 * line with the original. The helpers here turn a log into the fold's inputs and say where it ends.
 */
import { createHeader, parseLog, serializeEvent, type ParsedLogFile } from './log.ts';
import { foldCommands } from './fold.ts';
import type { CommandInput, TimedCommand } from '../../protocol/commands.ts';
import type { EngineEvent, EventOf } from '../../protocol/events.ts';

export type ReplayResult =
  | { ok: true; events: number }
  | { ok: false; line: number; message: string; expected?: string; actual?: string };

/** The command a logged `command` event was made from. */
export function commandOf(e: EventOf<'command'>): CommandInput {
  return {
    actor: e.actor,
    ...(e.participant !== undefined ? { participant: e.participant } : {}),
    type: e.command,
    ...(e.target !== undefined ? { target: e.target } : {}),
    ...(e.params !== undefined ? { params: e.params } : {}),
  };
}

/** A log's `command` events, in order. */
export function commandEvents(logged: readonly EngineEvent[]): EventOf<'command'>[] {
  return logged.filter((e): e is EventOf<'command'> => e.type === 'command');
}

/** The fold's inputs that give a log: each logged command at the time it was stamped with. */
export function loggedCommands(logged: readonly EngineEvent[]): TimedCommand[] {
  return commandEvents(logged).map((e) => ({ at: e.t, ...commandOf(e) }));
}

/**
 * Where a log ends, as a fold's `until`: at its last command, or, when it ends on tick output, just
 * past that tick's time, so the tick is run again. (The log alone cannot tell a session's `now`:
 * ticks that emit nothing leave no line.)
 */
export function logEnd(logged: readonly EngineEvent[]): number {
  const last = logged[logged.length - 1];
  return last ? (last.type === 'command' ? last.t : last.t + 1) : 0;
}

export function replayLog(text: string): ReplayResult {
  const parsed = parseLog(text);
  return parsed.ok ? replayParsedLog(parsed) : parsed;
}

/** Replays a log that is already parsed (and so already checked against the event union). */
export function replayParsedLog({ header, events, lines }: ParsedLogFile): ReplayResult {
  const session = foldCommands(header.scenario, header.seed, loggedCommands(events), { until: logEnd(events) });
  const expectedHeader = JSON.stringify(createHeader(header.scenario, header.seed, header.node, header.variation));
  if (expectedHeader !== lines[0]) return { ok: false, line: 1, message: 'header differs', expected: lines[0], actual: expectedHeader };
  const replayed = session.events;
  // A live log can be fetched mid-tick, so the replay may run on past the last line, but only within
  // that line's tick; anything the log holds must match byte for byte, and nothing may be missing.
  const lastT = events.at(-1)?.t ?? 0;
  const count = Math.max(events.length, replayed.filter((e, i) => i < events.length || e.t > lastT).length);
  for (let i = 0; i < count; i++) {
    const expected = lines[i + 1];
    const event = replayed[i];
    const actual = event ? serializeEvent(event) : undefined;
    if (expected !== actual) {
      return { ok: false, line: i + 2, message: 'event differs', ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) };
    }
  }
  return { ok: true, events: events.length };
}
