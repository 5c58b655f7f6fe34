/**
 * Customer impact, and how much of it the team avoided: the same scenario and seed re-run by the
 * engine with only the facilitator's inputs (start, injects, pauses, end) — nobody responding.
 */
import type { LogHeader } from '../core/log/log.ts';
import { foldCommands } from '../core/log/fold.ts';
import { loggedCommands } from '../core/log/replay.ts';
import type { Scenario } from '../protocol/scenario.ts';
import { summarizeRun, type JourneyImpact } from '../core/read/summary.ts';
import { CONTROL_COMMANDS } from '../protocol/commands.ts';
import type { EngineEvent } from '../protocol/events.ts';

export interface Impact {
  journeys: JourneyImpact[];
  failed: number;
  lost: number;
  untreated: { failed: number; lost: number };
  /** The untreated twin's impact per journey, for the report (so it need not simulate the twin again). */
  untreatedJourneys: JourneyImpact[];
  /** 1 − lost ÷ untreated lost: the share of the untreated outcome's lost revenue the team saved. */
  avoidedShare: number;
}

const CONTROL = new Set<string>(CONTROL_COMMANDS);

/**
 * The untreated twin of a run: the logged facilitator controls alone (start, injects, pauses, end),
 * folded up to the same simulated time (and through the tick at `endedAt` when the log ends on tick output).
 */
function untreatedEvents(header: LogHeader, events: readonly EngineEvent[], endedAt: number): readonly EngineEvent[] {
  const last = events[events.length - 1];
  const until = last && last.type !== 'command' ? endedAt + 1 : endedAt;
  const controls = loggedCommands(events).filter((c) => CONTROL.has(c.type));
  return foldCommands(header.scenario, header.seed, controls, { until }).events;
}

export function measureImpact(header: LogHeader, events: readonly EngineEvent[], endedAt: number): Impact {
  return compareImpact(header.scenario, header.seed, events, untreatedEvents(header, events, endedAt), endedAt);
}

/** Impact of a run beside its untreated twin (given, for callers that already ran it). */
export function compareImpact(scenario: Scenario, seed: number, events: readonly EngineEvent[], twin: readonly EngineEvent[], endedAt: number): Impact {
  const treated = summarizeRun(scenario, seed, events, endedAt);
  const untreated = summarizeRun(scenario, seed, twin, endedAt);
  const avoided = untreated.totals.lost > 0 ? 1 - treated.totals.lost / untreated.totals.lost : 1;
  return {
    journeys: treated.journeys,
    failed: treated.totals.failed,
    lost: treated.totals.lost,
    untreated: { failed: untreated.totals.failed, lost: untreated.totals.lost },
    untreatedJourneys: untreated.journeys,
    avoidedShare: Math.round(avoided * 10_000) / 10_000,
  };
}
