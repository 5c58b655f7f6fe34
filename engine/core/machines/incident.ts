/**
 * The incident lifecycle: idle → detected → acknowledged → declared → mitigated → resolved.
 * Detection and mitigation are ground truth sent by the engine (a page fired; every journey is back
 * within its SLO). Acknowledge, declare and resolve come from responders.
 */
import { assign, setup } from 'xstate';


export interface IncidentContext {
  severity: number | null;
  acknowledged: boolean;
}

export type IncidentEvent =
  | { type: 'PAGE' }
  | { type: 'ACK' }
  | { type: 'DECLARE'; severity: number }
  | { type: 'MITIGATED' }
  | { type: 'REGRESSED' }
  | { type: 'RESOLVE' };

const declare = { guard: 'validSeverity', target: 'declared', actions: 'setSeverity' } as const;

export const incidentMachine = setup({
  types: { context: {} as IncidentContext, events: {} as IncidentEvent },
  guards: {
    validSeverity: ({ event }) =>
      event.type === 'DECLARE' && Number.isInteger(event.severity) && event.severity >= 1 && event.severity <= 4,
    hasSeverity: ({ context }) => context.severity !== null,
    wasAcknowledged: ({ context }) => context.acknowledged,
    notAcknowledged: ({ context }) => !context.acknowledged,
  },
  actions: {
    acknowledge: assign({ acknowledged: true }),
    // Declaring a severity implies someone has acknowledged the page.
    setSeverity: assign({
      severity: ({ event, context }) => (event.type === 'DECLARE' ? event.severity : context.severity),
      acknowledged: true,
    }),
  },
}).createMachine({
  id: 'incident',
  context: { severity: null, acknowledged: false },
  initial: 'idle',
  states: {
    idle: { on: { PAGE: 'detected' } },
    detected: {
      on: { ACK: { target: 'acknowledged', actions: 'acknowledge' }, DECLARE: declare, MITIGATED: 'mitigated' },
    },
    acknowledged: { on: { DECLARE: declare, MITIGATED: 'mitigated' } },
    declared: {
      on: { DECLARE: { guard: 'validSeverity', actions: 'setSeverity' }, MITIGATED: 'mitigated' },
    },
    mitigated: {
      on: {
        ACK: { guard: 'notAcknowledged', actions: 'acknowledge' },
        DECLARE: { guard: 'validSeverity', actions: 'setSeverity' },
        REGRESSED: [
          { guard: 'hasSeverity', target: 'declared' },
          { guard: 'wasAcknowledged', target: 'acknowledged' },
          { target: 'detected' },
        ],
        RESOLVE: 'resolved',
      },
    },
    resolved: { type: 'final' },
  },
});
