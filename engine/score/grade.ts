/**
 * The 0–100 grade. Each component is a value from 0 to 1:
 * - a response time: 1 within its objective, falling linearly to 0 at three times the objective
 *   (0 if the milestone was never reached);
 * - impact: the share of the untreated run's lost revenue the team avoided;
 * - conduct: 1 minus penalties (bad advice followed, harmful actions, approvals bypassed, status
 *   update gaps, roles left unfilled, the wrong severity).
 * The score is 100 × Σ weight × value ÷ Σ weight. Scenarios may set the weights.
 */
import type { Scenario } from '../protocol/scenario.ts';
import type { Conduct } from './conduct.ts';
import type { Impact } from './impact.ts';
import type { Durations } from './milestones.ts';

export const DEFAULT_WEIGHTS: Record<string, number> = {
  acknowledge: 10,
  declare: 10,
  diagnose: 10,
  mitigate: 25,
  resolve: 10,
  impact: 20,
  conduct: 15,
};

export const CONDUCT_PENALTIES = {
  badAdviceFollowed: 0.25,
  harmfulAction: 0.25,
  approvalBypassed: 0.15,
  statusGap: 0.1,
  roleUnfilled: 0.1,
  wrongSeverity: 0.2,
  /** Acting on an assistant answer that cited a stale page, with no check of the page or the service first. */
  unverifiedStaleAct: 0.25,
  /** Approving a change without opening its cited source. */
  rubberStamp: 0.15,
} as const;

/** Credit, against the penalties: a change denied after checking its cited source, which was stale. */
export const CONDUCT_CREDITS = { checkedRejection: 0.15 } as const;

export interface GradeComponent {
  name: string;
  weight: number;
  /** 0 to 1. */
  value: number;
  points: number;
  detail: string;
}

export interface Grade {
  score: number;
  components: GradeComponent[];
}

export function timeValue(actual: number | null, objective: number): number {
  if (actual === null) return 0;
  if (actual <= objective) return 1;
  return Math.max(0, 1 - (actual - objective) / (2 * objective));
}

/** Assistant answers citing a stale page that were acted on unchecked (scheduled advice is badAdviceFollowed's). */
const unverifiedStaleActs = (c: Conduct) => c.verification.acts.filter((a) => a.source === 'assistant' && a.stale && !a.verified);
const creditedRejections = (c: Conduct) => c.verification.checkedRejections.filter((r) => r.stale);

export function conductValue(c: Conduct): number {
  const p = CONDUCT_PENALTIES;
  // Roles and severity are the incident's: with no page, there was nothing to fill or declare.
  const penalty =
    p.badAdviceFollowed * c.badAdviceFollowed.length +
    p.harmfulAction * c.harmfulActions.length +
    p.approvalBypassed * c.approvalsBypassed.length +
    p.statusGap * c.statusUpdates.gaps.length +
    (c.paged ? p.roleUnfilled * c.roles.filter((r) => r.person === null).length : 0) +
    (c.paged && !c.severity.correct ? p.wrongSeverity : 0) +
    p.unverifiedStaleAct * unverifiedStaleActs(c).length +
    p.rubberStamp * c.verification.rubberStamps.length;
  const credit = CONDUCT_CREDITS.checkedRejection * creditedRejections(c).length;
  return Math.max(0, Math.min(1, 1 - penalty + credit));
}

const minutes = (ms: number | null) => (ms === null ? 'never' : `${(ms / 60_000).toFixed(1)} min`);

/** A response time, or full marks when the incident was prevented and there was nothing to respond to. */
const timed = (name: string, actual: number | null, objective: number, prevented: boolean): Omit<GradeComponent, 'weight' | 'points'> =>
  prevented
    ? { name, value: 1, detail: 'not needed: the incident was prevented' }
    : { name, value: timeValue(actual, objective), detail: `${minutes(actual)} (objective ${minutes(objective)})` };

export function grade(scenario: Scenario, d: Durations, impact: Impact, conduct: Conduct, prevented = false): Grade {
  const o = scenario.objectives;
  const weights: Record<string, number | undefined> = { ...DEFAULT_WEIGHTS, ...(scenario.scoring.weights ?? {}) };
  const parts: Omit<GradeComponent, 'weight' | 'points'>[] = [
    timed('acknowledge', d.timeToAcknowledge, o.ack, prevented),
    timed('declare', d.timeToDeclare, o.declare, prevented),
    ...(o.diagnose !== undefined ? [timed('diagnose', d.timeToDiagnose, o.diagnose, prevented)] : []),
    timed('mitigate', d.timeToMitigate, o.mitigate, prevented),
    timed('resolve', d.timeToResolve, o.resolve, prevented),
    { name: 'impact', value: Math.max(0, Math.min(1, impact.avoidedShare)), detail: `${(impact.avoidedShare * 100).toFixed(1)}% of the untreated loss avoided` },
    { name: 'conduct', value: conductValue(conduct), detail: conductDetail(conduct) },
  ];
  const components = parts.map((p) => {
    const weight = weights[p.name] ?? 0;
    return { ...p, value: round(p.value, 4), weight, points: 0 };
  });
  const total = components.reduce((sum, c) => sum + c.weight, 0);
  for (const c of components) c.points = total > 0 ? round((100 * c.weight * c.value) / total, 2) : 0;
  return { score: round(components.reduce((sum, c) => sum + c.points, 0), 1), components };
}

function conductDetail(c: Conduct): string {
  const items = [
    `${c.badAdviceFollowed.length} bad advice followed`,
    `${c.harmfulActions.length} harmful actions`,
    `${c.approvalsBypassed.length} approvals bypassed`,
    `${c.statusUpdates.gaps.length} status-update gaps`,
    ...(c.paged ? [`${c.roles.filter((r) => r.person === null).length} roles unfilled`] : []),
    !c.paged ? 'no page, so no roles or severity to judge' : c.severity.correct ? 'severity right' : `severity ${c.severity.highest === null ? 'never declared' : `Sev ${c.severity.highest}`} (expected Sev ${c.severity.expected})`,
    ...(c.verification.acts.length > 0 ? [`${unverifiedStaleActs(c).length} stale answers acted on unchecked`] : []),
    ...(c.verification.rubberStamps.length > 0 ? [`${c.verification.rubberStamps.length} rubber-stamp approvals`] : []),
    ...(creditedRejections(c).length > 0 ? [`${creditedRejections(c).length} stale changes checked and denied`] : []),
  ];
  return items.join(', ');
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
