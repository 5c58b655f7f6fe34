/**
 * Sending events to the session's actors and turning their state changes into log events.
 * Only the state names are mirrored and logged; actor snapshots and ids never are.
 */
import type { DrillEvent, DrillStateName } from './drill.ts';
import type { IncidentEvent, IncidentStateName } from './incident.ts';
import type { ServiceEvent, ServiceStateName } from './service.ts';
import { emit, type SessionState } from '../state.ts';
import { ms, rate } from '../round.ts';

export function sendService(state: SessionState, s: number, event: ServiceEvent): void {
  const actor = state.services[s];
  if (!actor) throw new Error(`invariant: no service actor ${s}`);
  actor.send(event);
  const to = actor.getSnapshot().value as ServiceStateName;
  const from = state.serviceState[s] as ServiceStateName;
  if (to === from) return;
  state.serviceState[s] = to;
  emit(state, 'service.state', {
    service: state.topo.ids[s],
    from,
    to,
    errorRate: rate(state.sim.errorRate[s] as number),
    p99Ms: ms(state.sim.p99[s] as number),
  });
}

/** Sends an event to the incident; returns false (and changes nothing) if the machine would not take it. */
export function sendIncident(state: SessionState, event: IncidentEvent, payload: Record<string, unknown> = {}): boolean {
  const before = state.incident.getSnapshot();
  if (!before.can(event)) return false;
  state.incident.send(event);
  const after = state.incident.getSnapshot();
  const to = after.value as IncidentStateName;
  const from = state.incidentState;
  if (to !== from) {
    state.incidentState = to;
    emit(state, 'incident.state', { from, to, severity: after.context.severity, ...payload });
  } else if (after.context.severity !== before.context.severity) {
    emit(state, 'incident.severity', { from: before.context.severity, to: after.context.severity, ...payload });
  }
  return true;
}

export function sendDrill(state: SessionState, event: DrillEvent, payload: Record<string, unknown> = {}): boolean {
  const snapshot = state.drill.getSnapshot();
  if (!snapshot.can(event)) return false;
  state.drill.send(event);
  const to = state.drill.getSnapshot().value as DrillStateName;
  const from = state.drillState;
  state.drillState = to;
  emit(state, 'drill.state', { from, to, ...payload });
  return true;
}
