/**
 * A point-in-time view of a session for a client joining or resyncing: enough to draw the console
 * without the event history. `facilitatorView` adds what only the facilitator may see.
 */
import { stalenessReason } from '../assistant/staleness.ts';
import { isFaultActive } from '../rules/faults.ts';
import { round } from '../physics/round.ts';
import { faultTargetFields } from '../../protocol/ids.ts';
import type { DrillSnapshot, FacilitatorView, MetricsSample } from '../../protocol/views.ts';
import type { SessionState } from '../state.ts';
import type { Scenario } from '../../protocol/scenario.ts';

export function buildSnapshot(state: SessionState, metrics: MetricsSample): DrillSnapshot {
  const incident = state.incident.getSnapshot().context;
  return {
    now: state.now,
    phase: state.drillState,
    incident: { state: state.incidentState, severity: incident.severity, acknowledged: incident.acknowledged, roles: { ...state.roles } },
    firingAlerts: state.scenario.alerts
      .filter((_, r) => state.alertFiring[r] === 1)
      .map((a) => ({ alert: a.id, name: a.name ?? a.id, severity: a.severity })),
    pendingApprovals: [...state.pending].map(([request, p]) => ({ request, action: p.def.type, target: p.def.target, by: p.actor, ...(p.participant !== undefined ? { byId: p.participant } : {}), requestedAt: p.requestedAt })),
    runningActions: [...state.running].map(([action, r]) => ({ action, kind: r.def.type, target: r.def.target, by: r.actor, startedAt: r.startedAt, duration: r.def.duration })),
    inForce: Object.fromEntries(state.inForce),
    // From the log: conditional advice may wait past its `at`, or never be shown.
    adviceShown: state.log.flatMap((e) => (e.type === 'advice.shown' ? [e.advice] : [])),
    changes: [...state.changes].map(([change, c]) => {
      const def = state.scenario.changes.find((d) => d.id === change);
      return {
        change,
        service: def?.service ?? '',
        summary: def?.summary ?? '',
        status: c.status,
        by: c.actor,
        ...(c.participant !== undefined ? { byId: c.participant } : {}),
        proposedAt: c.proposedAt,
        ...(c.page !== undefined ? { page: c.page } : {}),
        review: c.review,
      };
    }),
    totals: { failed: Math.round(state.totals.failed), lost: round(state.totals.lost, 2) },
    metrics,
  };
}

/** Everything but `variation`, which the session holds (it is drawn before the state exists). */
export function buildFacilitatorView(state: SessionState): Omit<FacilitatorView, 'variation'> {
  const { faults } = state.scenario;
  return {
    activeFaults: [...state.activeFaults].map(([i, f]) => ({ fault: faults[i]?.id ?? '', ...faultTargetFields(faults[i] ?? { target: '' }), startedAt: f.startedAt })),
    upcomingInjects: faults.flatMap((f) =>
      f.at !== undefined && f.at >= state.now && !isFaultActive(state, f.id) ? [{ fault: f.id, ...faultTargetFields(f), at: f.at }] : [],
    ),
    ...fixedFacts(state.scenario),
  };
}

type FixedFacts = Pick<FacilitatorView, 'adviceLabels' | 'wiki' | 'changeFaults' | 'taskPushes'>;

/**
 * What the facilitator view says that never changes during a drill (advice labels, each wiki page's
 * derived staleness, what each change starts, the task's push): worked out once per scenario, not at
 * every batch the facilitator is sent.
 */
const fixedByScenario = new WeakMap<Scenario, FixedFacts>();

function fixedFacts(scenario: Scenario): FixedFacts {
  let found = fixedByScenario.get(scenario);
  if (found === undefined) {
    found = {
      adviceLabels: Object.fromEntries(scenario.advice.map((a) => [a.id, a.facilitator.label])),
      wiki: scenario.wiki.map((page) => {
        const reason = stalenessReason(page, scenario.architecture);
        return { page: page.id, title: page.title, edited: page.edited, stale: reason !== null, reason };
      }),
      changeFaults: Object.fromEntries(scenario.changes.map((c) => [c.id, c.fault ?? null])),
      taskPushes: scenario.task?.pushes ?? null,
    };
    fixedByScenario.set(scenario, found);
  }
  return found;
}
