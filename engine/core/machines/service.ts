/**
 * The health of one simulated service. The numbers are computed elsewhere (sim.ts); this machine only
 * hears when the service's health class changes, when a restart begins or ends, and when a recovering
 * service has been healthy long enough to count as healthy again.
 */
import { assign, setup } from 'xstate';

import type { HealthLevel } from '../../protocol/events.ts';

export type ServiceEvent =
  | { type: 'HEALTH'; level: HealthLevel }
  | { type: 'RESTART_BEGIN' }
  | { type: 'RESTART_END' }
  | { type: 'STABLE' };

export const serviceMachine = setup({
  types: {
    context: {} as { service: string; restarting: boolean },
    input: {} as { service: string },
    events: {} as ServiceEvent,
  },
  guards: {
    isDegraded: ({ event }) => event.type === 'HEALTH' && event.level === 'degraded',
    isDown: ({ event }) => event.type === 'HEALTH' && event.level === 'down',
    isHealthy: ({ event }) => event.type === 'HEALTH' && event.level === 'healthy',
    notRestarting: ({ context }) => !context.restarting,
    degradedAfterRestart: ({ context, event }) =>
      !context.restarting && event.type === 'HEALTH' && event.level === 'degraded',
    downAfterRestart: ({ context, event }) => !context.restarting && event.type === 'HEALTH' && event.level === 'down',
  },
  actions: {
    beginRestart: assign({ restarting: true }),
    endRestart: assign({ restarting: false }),
  },
}).createMachine({
  id: 'service',
  context: ({ input }) => ({ service: input.service, restarting: false }),
  initial: 'healthy',
  states: {
    healthy: {
      on: {
        HEALTH: [
          { guard: 'isDegraded', target: 'degraded' },
          { guard: 'isDown', target: 'down' },
        ],
        RESTART_BEGIN: { target: 'recovering', actions: 'beginRestart' },
      },
    },
    degraded: {
      on: {
        HEALTH: [
          { guard: 'isDown', target: 'down' },
          { guard: 'isHealthy', target: 'recovering' },
        ],
        RESTART_BEGIN: { target: 'recovering', actions: 'beginRestart' },
      },
    },
    down: {
      on: {
        HEALTH: [
          { guard: 'isDegraded', target: 'degraded' },
          { guard: 'isHealthy', target: 'recovering' },
        ],
        RESTART_BEGIN: { target: 'recovering', actions: 'beginRestart' },
      },
    },
    recovering: {
      on: {
        // While restarting the service is unavailable by design; that is not a new failure.
        HEALTH: [
          { guard: 'downAfterRestart', target: 'down' },
          { guard: 'degradedAfterRestart', target: 'degraded' },
        ],
        RESTART_BEGIN: { actions: 'beginRestart' },
        RESTART_END: { actions: 'endRestart' },
        STABLE: { guard: 'notRestarting', target: 'healthy' },
      },
    },
  },
});
