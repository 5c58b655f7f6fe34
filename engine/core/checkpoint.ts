/**
 * A hash of everything that determines the future of a session: time, metrics, RNG states, machine
 * states (as names, never snapshots), faults, actions, approvals, alerts and the agenda.
 * Two runs that agree on every checkpoint agree on everything that follows.
 */
import { hashString } from './hash.ts';
import type { SessionState } from './state.ts';

const floats = (a: Float64Array): string => Array.prototype.join.call(a, ',');

export function checkpointHash(state: SessionState): string {
  const { sim } = state;
  const parts = [
    state.now,
    state.seq,
    state.drillState,
    state.incidentState,
    JSON.stringify(state.incident.getSnapshot().context),
    state.serviceState.join(','),
    floats(sim.offered),
    floats(sim.errorRate),
    floats(sim.p99),
    floats(sim.capScale),
    floats(sim.shed),
    floats(sim.edgeAttemptFail),
    Array.prototype.join.call(sim.edgeManualOpen, ''),
    Array.prototype.join.call(sim.edgeDisabled, ''),
    state.noiseStreams.map((s) => JSON.stringify(s.state())).join(';'),
    [...state.activeFaults].map(([i, f]) => `${i}@${f.startedAt}`).join(','),
    [...state.running.keys()].join(','),
    [...state.pending.keys()].join(','),
    JSON.stringify(state.roles),
    Array.prototype.join.call(state.alertFiring, ''),
    floats(state.alertPendingSince),
    state.agenda.describe(),
    `${state.totals.failed},${state.totals.lost}`,
  ];
  return hashString(parts.join('\n'));
}
