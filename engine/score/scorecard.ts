/**
 * The scorecard: a pure function of the event log (header + events). The CLI, the server and the UI
 * all call this, so they always agree; the same log gives the same bytes.
 */
import type { LogHeader } from '../core/log/log.ts';
import type { EngineEvent } from '../protocol/events.ts';
import { assessConduct, type Conduct } from './conduct.ts';
import { grade, type Grade } from './grade.ts';
import { measureImpact, type Impact } from './impact.ts';
import { durations, findMilestones, rootCauseFault, type Durations, type Milestones } from './milestones.ts';
import { reviewResponse } from './review.ts';

export const SCORECARD_VERSION = 1;

export interface Scorecard {
  version: number;
  scenarioId: string;
  title: string;
  seed: number;
  endedAt: number;
  /** `targets` only when the root-cause fault has several. */
  rootCause: { id: string; target: string; targets?: string[] } | null;
  milestones: Milestones;
  durations: Durations;
  objectives: Record<string, number>;
  impact: Impact;
  conduct: Conduct;
  grade: Grade;
  wentWell: string[];
  wentBadly: string[];
}

export function scoreLog(header: LogHeader, events: readonly EngineEvent[]): Scorecard {
  const { scenario } = header;
  const endedAt = events.at(-1)?.t ?? 0;
  const milestones = findMilestones(scenario, events);
  const d = durations(milestones);
  const impact = measureImpact(header, events, endedAt);
  const conduct = assessConduct(scenario, events, milestones, endedAt);
  const g = grade(scenario, d, impact, conduct);
  const review = reviewResponse(scenario, d, impact, conduct);
  return {
    version: SCORECARD_VERSION,
    scenarioId: scenario.id,
    title: scenario.title,
    seed: header.seed,
    endedAt,
    rootCause: rootCauseFault(scenario) ?? null,
    milestones,
    durations: d,
    objectives: { ...scenario.objectives },
    impact,
    conduct,
    grade: g,
    wentWell: review.wentWell,
    wentBadly: review.wentBadly,
  };
}
