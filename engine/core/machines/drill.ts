/** The drill itself: ready → running ⇄ paused → ended. Simulated time only moves while running. */
import { setup } from 'xstate';

export type DrillEvent = { type: 'START' } | { type: 'PAUSE' } | { type: 'RESUME' } | { type: 'END' };

export const drillMachine = setup({ types: { events: {} as DrillEvent } }).createMachine({
  id: 'drill',
  initial: 'ready',
  states: {
    ready: { on: { START: 'running', END: 'ended' } },
    running: { on: { PAUSE: 'paused', END: 'ended' } },
    paused: { on: { RESUME: 'running', END: 'ended' } },
    ended: { type: 'final' },
  },
});
