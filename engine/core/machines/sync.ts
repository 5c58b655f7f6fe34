/**
 * Sending events to the session's actors and turning their state changes into log events.
 * Only the state names are mirrored and logged; actor snapshots and ids never are.
 */
import type { PayloadOf, ServiceStateName } from '../../protocol/events.ts';
import type { DrillEvent } from './drill.ts';
import type { IncidentEvent } from './incident.ts';
import type { ServiceEvent } from './service.ts';
import { emit, type SessionState } from '../state.ts';
import { ms, rate } from '../physics/round.ts';

export function sendService(state: SessionState, s: number, event: ServiceEvent): void {
  const actor = state.services[s];
  if (!actor) throw new Error(`invariant: no service actor ${s}`);
  actor.send(event);
  const to = actor.getSnapshot().value;
  const from = state.serviceState[s] as ServiceStateName;
  if (to === from) return;
  state.serviceState[s] = to;
  emit(state, 'service.state', {
    service: state.topo.ids[s] as string,
    from,
    to,
    errorRate: rate(state.sim.errorRate[s] as number),
    p99Ms: ms(state.sim.p99[s] as number),
  });
}

/** Sends an event to the incident; returns false (and changes nothing) if the machine would not take it. */
/** Who or what moved the incident: a person (`by`) or the alert whose page opened it. */
type IncidentCause = Pick<PayloadOf<'incident.state'>, 'by' | 'alert' | 'since'>;

export function sendIncident(state: SessionState, event: IncidentEvent, payload: IncidentCause = {}): boolean {
  const before = state.incident.getSnapshot();
  if (!before.can(event)) return false;
  state.incident.send(event);
  const after = state.incident.getSnapshot();
  const to = after.value;
  const from = state.incidentState;
  if (to !== from) {
    state.incidentState = to;
    emit(state, 'incident.state', { from, to, severity: after.context.severity, ...payload });
  } else if (after.context.severity !== before.context.severity) {
    emit(state, 'incident.severity', { from: before.context.severity, to: after.context.severity, ...(payload.by !== undefined ? { by: payload.by } : {}) });
  }
  return true;
}

export function sendDrill(state: SessionState, event: DrillEvent, payload: Pick<PayloadOf<'drill.state'>, 'by' | 'reason'> = {}): boolean {
  const snapshot = state.drill.getSnapshot();
  if (!snapshot.can(event)) return false;
  state.drill.send(event);
  const to = state.drill.getSnapshot().value;
  const from = state.drillState;
  state.drillState = to;
  emit(state, 'drill.state', { from, to, ...payload });
  return true;
}
