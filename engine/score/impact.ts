/**
 * Customer impact, and how much of it the team avoided: the same scenario and seed re-run by the
 * engine with only the facilitator's inputs (start, injects, pauses, end) — nobody responding.
 */
import type { LogHeader } from '../core/log/log.ts';
import { foldCommands } from '../core/log/fold.ts';
import { loggedCommands } from '../core/log/replay.ts';
import type { Scenario } from '../protocol/scenario.ts';
import { summarizeRun, type JourneyImpact } from '../core/read/summary.ts';
import { CONTROL_COMMANDS, type TimedCommand } from '../protocol/commands.ts';
import { canonicalJson, hashString } from '../protocol/hash.ts';
import type { EngineEvent } from '../protocol/events.ts';

export interface Impact {
  journeys: JourneyImpact[];
  failed: number;
  lost: number;
  untreated: { failed: number; lost: number };
  /** The untreated twin's impact per journey, for the report (so it need not simulate the twin again). */
  untreatedJourneys: JourneyImpact[];
  /** Journeys whose requests failed more often than untreated: they earn no credit. */
  noCredit: string[];
  /**
   * 1 − counted ÷ untreated lost: the share of the untreated outcome's lost revenue the team saved,
   * where a journey in noCredit counts as at least its untreated loss.
   */
  avoidedShare: number;
}

const CONTROL = new Set<string>(CONTROL_COMMANDS);

/** Commands that end a drill: the horizon runs on past them. */
const ENDS = new Set(['end']);

/**
 * A run carried on to the scenario's full duration with no further commands: its logged commands
 * (all of them, or only the facilitator's controls for the untreated twin) folded again without the
 * facilitator's End. The engine is deterministic, so this repeats the run exactly up to where it
 * stopped, then shows what would have followed: whether the fix held, and what an outage still
 * raging at the End would have gone on to cost.
 */
function toHorizon(header: LogHeader, commands: readonly TimedCommand[]): readonly EngineEvent[] {
  return foldCommands(header.scenario, header.seed, commands, { until: header.scenario.duration }).events;
}

/**
 * Untreated twins already simulated, by scenario, seed and controls: every drill of one scenario and
 * seed without injects has the same twin, and a server that scores a batch of ended drills would
 * otherwise simulate the same six hours for each. A pure memo, bounded; it changes no result.
 */
const twins = new Map<string, readonly EngineEvent[]>();
const TWIN_MEMO = 8;

function untreatedTwin(header: LogHeader, controls: readonly TimedCommand[]): readonly EngineEvent[] {
  const key = `${hashString(canonicalJson(header.scenario))}|${header.seed}|${JSON.stringify(controls)}`;
  let twin = twins.get(key);
  if (twin === undefined) {
    twin = toHorizon(header, controls);
    if (twins.size >= TWIN_MEMO) twins.delete(twins.keys().next().value as string);
    twins.set(key, twin);
  }
  return twin;
}

/** A run and its untreated twin, both to the scenario's full duration. */
export interface HorizonRuns {
  readonly treated: readonly EngineEvent[];
  readonly untreated: readonly EngineEvent[];
}

/** The run and its untreated twin, both carried on to the scenario's full duration. */
export function horizonRuns(header: LogHeader, events: readonly EngineEvent[]): HorizonRuns {
  const commands = loggedCommands(events).filter((c) => !ENDS.has(c.type));
  const controls = commands.filter((c) => CONTROL.has(c.type));
  const untreated = untreatedTwin(header, controls);
  const ended = (events.at(-1)?.t ?? 0) >= header.scenario.duration;
  // Nobody responded (only the facilitator's controls): the run carried on is its twin.
  const treated = ended ? events : controls.length === commands.length ? untreated : toHorizon(header, commands);
  return { treated, untreated };
}

/**
 * The team's impact against the untreated twin's, both over the scenario's full duration, so the
 * score does not depend on when the facilitator clicked End.
 */
export function measureImpact(header: LogHeader, runs: HorizonRuns): Impact {
  const horizon = header.scenario.duration;
  return compareImpact(header.scenario, header.seed, runs.treated, runs.untreated, horizon);
}

/**
 * Impact of a run beside its untreated twin. The share avoided is counted in money, journey by
 * journey: a journey whose requests failed more often than with nobody responding earns no credit
 * (it counts as at least its untreated loss, whatever its money says), and a journey the team hurt
 * that was fine untreated counts its whole loss against them.
 */
function compareImpact(scenario: Scenario, seed: number, events: readonly EngineEvent[], twin: readonly EngineEvent[], horizon: number): Impact {
  const treated = summarizeRun(scenario, seed, events, horizon);
  const untreated = summarizeRun(scenario, seed, twin, horizon);
  let counted = 0;
  const noCredit: string[] = [];
  treated.journeys.forEach((j, i) => {
    const twinJourney = untreated.journeys[i];
    const worse = twinJourney !== undefined && j.failed > twinJourney.failed;
    if (worse) noCredit.push(j.journey);
    counted += worse ? Math.max(j.lost, twinJourney.lost) : j.lost;
  });
  const avoided = untreated.totals.lost > 0 ? 1 - counted / untreated.totals.lost : 1;
  return {
    journeys: treated.journeys,
    failed: treated.totals.failed,
    lost: treated.totals.lost,
    untreated: { failed: untreated.totals.failed, lost: untreated.totals.lost },
    untreatedJourneys: untreated.journeys,
    noCredit,
    avoidedShare: Math.round(avoided * 10_000) / 10_000,
  };
}
