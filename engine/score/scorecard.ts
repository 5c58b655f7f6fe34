/**
 * The scorecard: a pure function of the event log (header + events). The CLI, the server and the UI
 * all call this, so they always agree; the same log gives the same bytes.
 */
import type { LogHeader } from '../core/log/log.ts';
import type { EngineEvent } from '../protocol/events.ts';
import { assessConduct, type Conduct } from './conduct.ts';
import { grade, type Grade } from './grade.ts';
import { horizonRuns, measureImpact, type HorizonRuns, type Impact } from './impact.ts';
import { durations, findMilestones, rootCauseFault, type Durations, type Milestones } from './milestones.ts';
import { reviewResponse } from './review.ts';

/**
 * 2: impact and mitigation measured to the scenario's full duration (horizon), whenever the drill ended.
 * 3: `prevented`, and conduct's verification (acts checked or not, rubber stamps, checked rejections, friction).
 */
export const SCORECARD_VERSION = 3;

export interface Scorecard {
  version: number;
  scenarioId: string;
  title: string;
  seed: number;
  endedAt: number;
  /** Impact and the customers' milestones are measured to here: the scenario's full duration. */
  horizon: number;
  /** `targets` only when the root-cause fault has several. */
  rootCause: { id: string; target: string; targets?: string[] } | null;
  milestones: Milestones;
  /** The root cause never started, though it did in the untreated run: the team stopped the incident before it began. */
  prevented: boolean;
  durations: Durations;
  objectives: Record<string, number>;
  impact: Impact;
  conduct: Conduct;
  grade: Grade;
  wentWell: string[];
  wentBadly: string[];
}

export function scoreLog(header: LogHeader, events: readonly EngineEvent[]): Scorecard {
  return scoreRuns(header, events, horizonRuns(header, events));
}

/**
 * The scorecard of a log, given the run and its untreated twin carried on to the scenario's full
 * duration (impact.ts horizonRuns; a caller that already ran them passes them in). Impact and the
 * customers' milestones (impact start, mitigated) come from the horizon, so the score does not depend
 * on when the drill was ended; what people did, and when, comes from the log itself.
 */
export function scoreRuns(header: LogHeader, events: readonly EngineEvent[], runs: HorizonRuns): Scorecard {
  const { scenario } = header;
  const endedAt = events.at(-1)?.t ?? 0;
  const milestones = findMilestones(scenario, runs.treated);
  const d = durations(milestones);
  const impact = measureImpact(header, runs);
  const prevented = milestones.started === null && milestones.impactStart === null && findMilestones(scenario, runs.untreated).started !== null;
  // Conduct is judged on what happened before the End: status updates were due until then only.
  const conduct = assessConduct(scenario, events, findMilestones(scenario, events), endedAt);
  for (const item of conduct.verification.friction) {
    if (item.verdict === 'denied' && item.fault !== null && prevented) item.prevented = { ...impact.untreated };
  }
  const g = grade(scenario, d, impact, conduct, prevented);
  const review = reviewResponse(scenario, d, impact, conduct, prevented);
  return {
    version: SCORECARD_VERSION,
    scenarioId: scenario.id,
    title: scenario.title,
    seed: header.seed,
    endedAt,
    horizon: scenario.duration,
    rootCause: rootCauseFault(scenario) ?? null,
    milestones,
    prevented,
    durations: d,
    objectives: { ...scenario.objectives },
    impact,
    conduct,
    grade: g,
    wentWell: review.wentWell,
    wentBadly: review.wentBadly,
  };
}
