/**
 * A point-in-time view of a session for a client joining or resyncing: enough to draw the console
 * without the event history. `facilitatorView` adds what only the facilitator may see.
 */
import { isFaultActive } from './faults.ts';
import { round } from './round.ts';
import type { MetricsSample } from './session.ts';
import type { SessionState } from './state.ts';

export interface DrillSnapshot {
  now: number;
  phase: string;
  incident: { state: string; severity: number | null; acknowledged: boolean; roles: Record<string, string> };
  firingAlerts: { alert: string; name: string; severity: string }[];
  /** `byId`: the requester's participant id, in live drills (approvals compare ids, not names). */
  pendingApprovals: { request: string; action: string; target: string; by: string; byId?: string; requestedAt: number }[];
  runningActions: { action: string; kind: string; target: string; by: string; startedAt: number; duration: number }[];
  inForce: string[];
  adviceShown: string[];
  totals: { failed: number; lost: number };
  metrics: MetricsSample;
}

export interface FacilitatorView {
  activeFaults: { fault: string; target: string; startedAt: number }[];
  upcomingInjects: { fault: string; target: string; at: number }[];
  adviceLabels: Record<string, string>;
}

export function buildSnapshot(state: SessionState, metrics: MetricsSample): DrillSnapshot {
  const incident = state.incident.getSnapshot().context;
  return {
    now: state.now,
    phase: state.drillState,
    incident: { state: state.incidentState, severity: incident.severity, acknowledged: incident.acknowledged, roles: { ...state.roles } as Record<string, string> },
    firingAlerts: state.scenario.alerts
      .filter((_, r) => state.alertFiring[r] === 1)
      .map((a) => ({ alert: a.id, name: a.name ?? a.id, severity: a.severity })),
    pendingApprovals: [...state.pending].map(([request, p]) => ({ request, action: p.def.type, target: p.def.target, by: p.actor, ...(p.participant !== undefined ? { byId: p.participant } : {}), requestedAt: p.requestedAt })),
    runningActions: [...state.running].map(([action, r]) => ({ action, kind: r.def.type, target: r.def.target, by: r.actor, startedAt: r.startedAt, duration: r.def.duration })),
    inForce: [...state.inForce.keys()],
    adviceShown: state.scenario.advice.filter((a) => a.at < state.now).map((a) => a.id),
    totals: { failed: Math.round(state.totals.failed), lost: round(state.totals.lost, 2) },
    metrics,
  };
}

export function buildFacilitatorView(state: SessionState): FacilitatorView {
  const { faults } = state.scenario;
  return {
    activeFaults: [...state.activeFaults].map(([i, f]) => ({ fault: faults[i]?.id ?? '', target: faults[i]?.target ?? '', startedAt: f.startedAt })),
    upcomingInjects: faults
      .filter((f) => f.at !== undefined && f.at >= state.now && !isFaultActive(state, f.id))
      .map((f) => ({ fault: f.id, target: f.target, at: f.at as number })),
    adviceLabels: Object.fromEntries(state.scenario.advice.map((a) => [a.id, a.facilitator.label])),
  };
}
