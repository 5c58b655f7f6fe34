/**
 * Who an event is about, decided once for the report, the UI timeline and the live stream's filter.
 *
 * - `hidden`: the facilitator's secret. Faults name the root cause and the inject command names an
 *   upcoming fault, so responders and observers never see them (engine/core/read/visibility.ts drops
 *   them from the stream; the debrief report shows them).
 * - `human`: something a person did: a command (other than running the drill), a state change a
 *   person made (acknowledge, declare, resolve, a severity change, a role), a status update, an
 *   approval, an action, a diagnosis.
 * - `advice`: advice shown to the responders.
 * - `system`: what the system did on its own (services, journeys, alerts, breakers, detection and
 *   mitigation of the incident, the per-minute bookkeeping) and the facilitator running the drill
 *   (start, pause, resume, end).
 *
 * A severity change is made by a person (declare or re-declare), so `incident.severity` is human.
 */
import type { EngineEvent } from './events.ts';

export type EventKind = 'human' | 'system' | 'advice' | 'hidden';

/** Commands that run the drill itself; `inject` is also one, but it is hidden. */
const DRILL_CONTROL = new Set<string>(['start', 'pause', 'resume', 'end']);

export function kindOf(e: EngineEvent): EventKind {
  switch (e.type) {
    case 'fault.started':
    case 'fault.ended':
      return 'hidden';
    case 'command':
      if (e.command === 'inject') return 'hidden';
      return DRILL_CONTROL.has(e.command) ? 'system' : 'human';
    case 'advice.shown':
    case 'assistant.answered':
      return 'advice';
    case 'incident.state':
      // Detection (a page fired) and mitigation (every journey back within its SLO) happen to the
      // incident; acknowledging, declaring and resolving are done by a person.
      return e.to === 'detected' || e.to === 'mitigated' ? 'system' : 'human';
    case 'incident.severity':
    case 'incident.role':
    case 'status.posted':
    case 'approval.requested':
    case 'approval.granted':
    case 'approval.denied':
    case 'approval.bypassed':
    case 'action.started':
    case 'action.progress':
    case 'action.completed':
    case 'action.reverted':
    case 'diagnosis':
    case 'page.opened':
    case 'page.history':
    case 'change.proposed':
    case 'change.approved':
    case 'change.denied':
      return 'human';
    case 'drill.state':
    case 'service.state':
    case 'journey.slo':
    case 'impact.minute':
    case 'alert.firing':
    case 'alert.resolved':
    case 'checkpoint':
    case 'breaker.opened':
    case 'breaker.closed':
    case 'change.deployed':
    case 'task.due':
      return 'system';
    default:
      // A new event type fails to compile here until it is classified; at run time (a log from a
      // newer engine) an unknown event stays hidden rather than leak.
      return unknownType(e, 'hidden');
  }
}

const unknownType = <T>(_e: never, fallback: T): T => fallback;
