/**
 * Customer impact, and how much of it the team avoided: the same scenario and seed re-run by the
 * engine with only the facilitator's inputs (start, injects, pauses, end) — nobody responding.
 */
import type { LogHeader } from '../core/log.ts';
import { commandOf } from '../core/replay.ts';
import { createSession } from '../core/session.ts';
import { summarizeRun, type JourneyImpact } from '../core/summary.ts';
import { CONTROL_COMMANDS, type EngineEvent } from '../core/types.ts';

export interface Impact {
  journeys: JourneyImpact[];
  failed: number;
  lost: number;
  untreated: { failed: number; lost: number };
  /** 1 − lost ÷ untreated lost: the share of the untreated outcome's lost revenue the team saved. */
  avoidedShare: number;
}

const CONTROL = new Set<string>(CONTROL_COMMANDS);

/** The untreated twin of a run: the facilitator's commands only, up to the same simulated time. */
export function untreatedEvents(header: LogHeader, events: readonly EngineEvent[], endedAt: number): readonly EngineEvent[] {
  const session = createSession(header.scenario, { seed: header.seed });
  for (const e of events) {
    if (e.type !== 'command' || !CONTROL.has(e.command as string)) continue;
    session.runUntil(e.t);
    session.submit(commandOf(e));
  }
  // Like replay: a log that ends on tick output includes that tick.
  const last = events[events.length - 1];
  session.runUntil(last && last.type !== 'command' ? endedAt + 1 : endedAt);
  return session.events;
}

export function measureImpact(header: LogHeader, events: readonly EngineEvent[], endedAt: number): Impact {
  const treated = summarizeRun(header.scenario, header.seed, events, endedAt);
  const untreated = summarizeRun(header.scenario, header.seed, untreatedEvents(header, events, endedAt), endedAt);
  const avoided = untreated.totals.lost > 0 ? 1 - treated.totals.lost / untreated.totals.lost : 1;
  return {
    journeys: treated.journeys,
    failed: treated.totals.failed,
    lost: treated.totals.lost,
    untreated: { failed: untreated.totals.failed, lost: untreated.totals.lost },
    avoidedShare: Math.round(avoided * 10_000) / 10_000,
  };
}
