/**
 * Rolling actions: a rollback or restart of a service with several instances moves one instance (one
 * batch) at a time over the action's duration, so its effect comes in steps instead of all at the end.
 *
 * Batch k of n lands at startedAt + ⌊k · duration / n⌋; the last one is the action's completion. Nothing
 * here is state of its own: what has landed follows from the running action (its start is hashed into
 * checkpoints) and the clock, and the one agenda item per rolling action that announces the next batch
 * is hashed with the agenda.
 */
import type { ActionDef } from '../../protocol/scenario.ts';
import { emit, type RunningAction, type SessionState } from '../state.ts';
import { serviceIndex } from '../physics/topology.ts';

/** Instances of a service: 1 unless the scenario says more. */
function instancesOf(state: SessionState, s: number): number {
  return state.scenario.services[s]?.instances ?? 1;
}

/** How many instances a rolling action moves, or 0 when it lands all at once (today's behaviour). */
export function rollingInstances(state: SessionState, def: ActionDef): number {
  if (def.type !== 'rollback' && def.type !== 'restart') return 0;
  const n = instancesOf(state, serviceIndex(state.topo, def.target));
  return n > 1 ? n : 0;
}

const batchDue = (run: RunningAction, k: number, n: number): number => run.startedAt + Math.floor((k * run.def.duration) / n);

/** Batches landed by now, not counting the last (that one is the completion). */
function batchesLanded(run: RunningAction, n: number, now: number): number {
  let k = 0;
  while (k < n - 1 && batchDue(run, k + 1, n) <= now) k++;
  return k;
}

/** Schedules the announcement of the first batch of a rolling action that just started. */
export function beginRollout(state: SessionState, id: string, run: RunningAction): void {
  const n = rollingInstances(state, run.def);
  if (n > 1) state.agenda.schedule(batchDue(run, 1, n), { kind: 'action-batch', action: id, startedAt: run.startedAt });
}

/** Announces the batches landed since the last announcement (one event, however many) and schedules the next. */
export function announceBatch(state: SessionState, id: string, startedAt: number): void {
  const run = state.running.get(id);
  // An action completed (or run again) since this was scheduled has nothing more to announce here.
  if (!run || run.startedAt !== startedAt) return;
  const n = rollingInstances(state, run.def);
  const done = batchesLanded(run, n, state.now);
  if (done < 1) return;
  emit(state, 'action.progress', { action: id, kind: run.def.type, target: run.def.target, by: run.actor, done, of: n });
  if (done + 1 < n) state.agenda.schedule(batchDue(run, done + 1, n), { kind: 'action-batch', action: id, startedAt });
}

/**
 * The share of a fault's strength still in force: rolling actions that resolve it take it off one
 * instance per landed batch (the most advanced one counts), so it fades as (n − landed) / n.
 */
export function rolloutRemaining(state: SessionState, faultId: string): number {
  let remaining = 1;
  for (const run of state.running.values()) {
    if (!run.def.resolves.includes(faultId)) continue;
    const n = rollingInstances(state, run.def);
    if (n > 1) remaining = Math.min(remaining, (n - batchesLanded(run, n, state.now)) / n);
  }
  return remaining;
}

/**
 * A rolling restart takes one instance out of service at a time: the service keeps (n − 1) / n of its
 * capacity and its queue, instead of refusing everything as a single instance does while it restarts.
 * Returns what the capacities it took depend on (for applyFaults' signature).
 */
export function applyRollingRestarts(state: SessionState): string {
  const { capMul } = state.sim;
  let signature = '';
  for (const run of state.running.values()) {
    if (run.def.type !== 'restart') continue;
    const n = rollingInstances(state, run.def);
    if (n < 2) continue;
    const s = serviceIndex(state.topo, run.def.target);
    capMul[s] = (capMul[s] as number) * (1 - 1 / n);
    signature += `r${s}:${n};`;
  }
  return signature;
}
