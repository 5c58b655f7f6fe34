/**
 * One simulation step at time `state.now`:
 *   1. due agenda items (injects, expiries, completions, rollout batches, advice, the task's deadline), in (due, order) order;
 *   2. fault modifiers, then the physics (fixed 2 s steps, with traffic and noise on their own grid);
 *   3. service health → machines; journeys → SLO, impact, mitigation; alerts → pages;
 *   4. at the end of each simulated minute an impact summary and a checkpoint hash;
 *   5. time moves on, and the drill ends when the scenario's time is up.
 */
import { completeAction } from './rules/actions.ts';
import { taskDeadline } from './rules/changes.ts';
import { announceBatch } from './rules/rollouts.ts';
import { evaluateAlerts } from './rules/alerts.ts';
import { checkpointHash } from './log/checkpoint.ts';
import { applyFaults, endFault, startFault } from './rules/faults.ts';
import { flushMinuteIfDue, updateJourneys } from './rules/journeys.ts';
import { sendDrill } from './machines/sync.ts';
import { updateServices } from './rules/health.ts';
import { computeTick } from './physics/cascade.ts';
import { emit, type SessionState } from './state.ts';
import type { AdviceDef } from '../protocol/scenario.ts';

export function runTick(state: SessionState): void {
  runAgenda(state);
  applyFaults(state);
  computeTick(state.topo, state.sim, state.tickMs, state.now, state.noise);
  reportBreakers(state);
  updateServices(state);
  updateJourneys(state);
  evaluateAlerts(state);
  if (flushMinuteIfDue(state)) emit(state, 'checkpoint', { hash: checkpointHash(state) });
  state.now += state.tickMs;
  if (state.now >= state.scenario.duration) sendDrill(state, { type: 'END' }, { reason: 'time-limit' });
}

function runAgenda(state: SessionState): void {
  for (let item = state.agenda.takeDue(state.now); item; item = state.agenda.takeDue(state.now)) {
    switch (item.kind) {
      case 'fault-start':
        startFault(state, item.fault, { scheduled: true });
        break;
      case 'fault-expire':
        // A fault fixed and re-triggered since this was scheduled has its own, later expiry.
        if (state.activeFaults.get(item.fault)?.startedAt === item.startedAt) endFault(state, item.fault, 'expired');
        break;
      case 'action-complete':
        completeAction(state, item.action);
        break;
      case 'action-batch':
        announceBatch(state, item.action, item.startedAt);
        break;
      case 'task-deadline':
        taskDeadline(state);
        break;
      case 'advice': {
        const a = state.scenario.advice[item.advice];
        const moment = a ? adviceMoment(state, a) : 'passed';
        // Waiting for its alert: look again at the next tick (the agenda, and so the checkpoint, holds it).
        if (moment === 'wait') state.agenda.schedule(state.now + state.tickMs, item);
        if (a && moment === 'now') {
          emit(state, 'advice.shown', {
            advice: a.id,
            source: a.source,
            title: a.title ?? null,
            text: a.text,
            proposes: a.proposes ?? null,
          });
        }
        break;
      }
    }
  }
}

/** Whether conditional advice is shown now, waits for its alert, or has missed its moment. */
function adviceMoment(state: SessionState, advice: AdviceDef): 'now' | 'wait' | 'passed' {
  const { when } = advice;
  if (when === undefined) return 'now';
  if (when.beforeMitigation && (state.incidentState === 'mitigated' || state.incidentState === 'resolved')) return 'passed';
  if (when.alert === undefined) return 'now';
  const i = state.scenario.alerts.findIndex((r) => r.id === when.alert);
  return state.alertFiring[i] === 1 ? 'now' : 'wait';
}

/** Breakers opening and closing are visible on real dashboards, so they are events here too. */
function reportBreakers(state: SessionState): void {
  const { topo, sim, breakerWasOpen } = state;
  for (let s = 0; s < topo.n; s++) {
    for (let e = topo.edgeStart[s] as number; e < (topo.edgeStart[s + 1] as number); e++) {
      const open = sim.edgeOpen[e] as number;
      if (open === breakerWasOpen[e]) continue;
      breakerWasOpen[e] = open;
      emit(state, open ? 'breaker.opened' : 'breaker.closed', {
        service: topo.ids[s] as string,
        dependency: topo.ids[topo.edgeTo[e] as number] as string,
        manual: sim.edgeManualOpen[e] === 1,
      });
    }
  }
}
