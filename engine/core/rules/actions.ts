/**
 * Remediation actions: request (held for a second person's approval where the scenario asks for
 * controlled friction: approvals.ts), start, complete and revert. Effects land when an action
 * completes, never before; restarts take the service away while they run. A rollback or restart of a
 * service with several instances rolls out one instance at a time instead (rollouts.ts).
 */
import type { ActionDef } from '../../protocol/scenario.ts';
import { endFault, startFault, triggerFaults } from './faults.ts';
import { sendService } from '../machines/sync.ts';
import { endRestart } from './health.ts';
import { emit, type SessionState } from '../state.ts';
import { actionId } from '../../protocol/ids.ts';
import { countAfterCompletion, countAfterRevert, isLasting } from '../../protocol/in-force.ts';
import { decide, holdForApproval } from './approvals.ts';
import { findEdge, serviceIndex } from '../physics/topology.ts';
import { flushCaches } from '../physics/cache.ts';
import { inputsChanged } from '../physics/sim-state.ts';
import { beginRollout, rollingInstances } from './rollouts.ts';
import type { CommandError, CommandInput } from '../../protocol/commands.ts';

const fail = (code: string, message: string, path?: string): CommandError => ({
  ok: false,
  code,
  message,
  ...(path ? { path } : {}),
});

export function requestAction(state: SessionState, cmd: CommandInput): CommandError | null {
  const target = cmd.target ?? '';
  const named = cmd.params?.['action'];
  const def = typeof named === 'string' ? state.actionsById.get(named) : findAction(state, cmd.type, target);
  if (!def || def.type !== cmd.type || def.target !== target) {
    if (!state.topo.index.has(target)) return fail('unknown-target', `no service "${target}"`, 'target');
    if (typeof named === 'string') return fail('unknown-action', `no ${cmd.type} action "${named}" on ${target}`, 'params.action');
    return fail('unknown-action', `"${cmd.type}" is not available on ${target}`, 'type');
  }
  const id = actionId(def);
  if (state.running.has(id)) return fail('action-in-progress', `${id} is already running`);
  if (state.pending.has(id)) return fail('approval-pending', `${id} is already waiting for approval`);
  if (holdForApproval(state, def, id, cmd)) return null;
  beginAction(state, def, cmd.actor, null);
  return null;
}

/** The first action of this type on the target (a command names another with params.action). */
function findAction(state: SessionState, type: string, target: string): ActionDef | undefined {
  for (const def of state.actionsById.values()) if (def.type === type && def.target === target) return def;
  return undefined;
}

/** Approves or denies a pending request (approvals.ts checks who may); an approved action starts now. */
export function decideApproval(state: SessionState, cmd: CommandInput, approve: boolean): CommandError | null {
  const decision = decide(state, cmd, approve);
  if (decision === null || 'ok' in decision) return decision;
  beginAction(state, decision.def, decision.actor, cmd.actor);
  return null;
}

function beginAction(state: SessionState, def: ActionDef, actor: string, approvedBy: string | null): void {
  const id = actionId(def);
  const run = { def, actor, startedAt: state.now, approvedBy };
  state.running.set(id, run);
  emit(state, 'action.started', { action: id, kind: def.type, target: def.target, by: actor, duration: def.duration });
  // A single instance is out of service while it restarts; several restart one at a time (rollouts.ts).
  if (def.type === 'restart' && rollingInstances(state, def) === 0) {
    const s = serviceIndex(state.topo, def.target);
    state.sim.restarting[s] = 1;
    inputsChanged(state.sim);
    sendService(state, s, { type: 'RESTART_BEGIN' });
  }
  state.agenda.schedule(state.now + def.duration, { kind: 'action-complete', action: id, startedAt: state.now });
  beginRollout(state, id, run);
}

export function completeAction(state: SessionState, id: string): void {
  const run = state.running.get(id);
  if (!run) return;
  state.running.delete(id);
  const { def } = run;
  const s = serviceIndex(state.topo, def.target);
  emit(state, 'action.completed', { action: id, kind: def.type, target: def.target, by: run.actor });
  applyLastingEffect(state, def, s);
  for (const faultId of def.resolves) {
    const i = state.faultIndex.get(faultId);
    if (i !== undefined) endFault(state, i, 'fixed', { action: id });
  }
  triggerFaults(state, def, run.actor);
}

function edgeOf(state: SessionState, def: ActionDef, s: number): number {
  const dependency = def.dependency !== undefined ? state.topo.index.get(def.dependency) : undefined;
  return dependency !== undefined ? findEdge(state.topo, s, dependency) : -1;
}

/** Sets (on = true) or undoes (on = false) the effect an action leaves in force after it completes. */
function setLastingEffect(state: SessionState, def: ActionDef, s: number, on: boolean): void {
  const { sim } = state;
  inputsChanged(sim);
  const edge = edgeOf(state, def, s);
  const factor = def.capacityFactor ?? 2;
  if (def.type === 'scale') sim.capScale[s] = (sim.capScale[s] as number) * (on ? factor : 1 / factor);
  else if (def.type === 'drain') sim.shed[s] = on ? (def.shed ?? 0.5) : 0;
  else if (def.type === 'breaker' && edge >= 0) sim.edgeManualOpen[edge] = on ? 1 : 0;
  else if (def.type === 'flag' && edge >= 0) sim.edgeDisabled[edge] = on ? 1 : 0;
  else if (def.type === 'retry-policy' && edge >= 0) {
    // A client config push: the new retry settings, or the scenario's own ones back on revert.
    sim.edgeRetries[edge] = on && def.retries !== undefined ? def.retries : (state.topo.edgeRetries[edge] as number);
    sim.edgeBudget[edge] = on && def.retryBudget !== undefined ? def.retryBudget : (state.topo.edgeBudget[edge] as number);
    if (state.topo.throttled) setThrottles(state, def, edge, on);
  }
}

/** The throttles a retry-policy pushes, or the scenario's own ones back on revert. */
function setThrottles(state: SessionState, def: ActionDef, edge: number, on: boolean): void {
  const { sim, topo } = state;
  const bucket = on ? def.retryThrottle : undefined;
  sim.edgeThrottleTokens[edge] = bucket ? bucket.maxTokens : (topo.edgeThrottleTokens[edge] as number);
  sim.edgeThrottleRatio[edge] = bucket ? bucket.tokenRatio : (topo.edgeThrottleRatio[edge] as number);
  const adaptive = on ? def.adaptiveThrottle : undefined;
  const k = adaptive ? adaptive.k : (topo.edgeAdaptiveK[edge] as number);
  const windowMs = adaptive ? adaptive.window : (topo.edgeAdaptiveWindowMs[edge] as number);
  if (k !== sim.edgeAdaptiveK[edge] || windowMs !== sim.edgeAdaptiveWindowMs[edge]) {
    // A new throttler starts with empty counts and rejects nothing until they say otherwise.
    sim.edgeRequestRate[edge] = 0;
    sim.edgeAcceptRate[edge] = 0;
    sim.edgeReject[edge] = 0;
  }
  sim.edgeAdaptiveK[edge] = k;
  sim.edgeAdaptiveWindowMs[edge] = windowMs;
}

function applyLastingEffect(state: SessionState, def: ActionDef, s: number): void {
  if (def.type === 'restart') endRestart(state, s);
  // Empties the caches callers keep in front of the target: under load, the misses land on it at once.
  if (def.type === 'cache-flush') flushCaches(state.topo, state.sim, s);
  if (def.type === 'restart' && rollingInstances(state, def) === 0) endRestart(state, s);
  if (!isLasting(def.type)) return;
  const id = actionId(def);
  const count = state.inForce.get(id) ?? 0;
  // Breakers, flags and drains are switches: applying one twice changes nothing more.
  const next = countAfterCompletion(def.type, count);
  if (next === count) return;
  setLastingEffect(state, def, s, true);
  state.inForce.set(id, next);
}

/** Undoes a completed scale, drain, breaker or flag at once: scale back, stop shedding, close, re-enable. */
export function revertAction(state: SessionState, cmd: CommandInput): CommandError | null {
  const id = cmd.params?.action;
  if (typeof id !== 'string') return fail('missing-param', 'name the action in params.action, e.g. "breaker:checkout"', 'params.action');
  const def = state.actionsById.get(id);
  if (!def) return fail('unknown-action', `no action "${id}"`, 'params.action');
  const count = state.inForce.get(id) ?? 0;
  if (count === 0) return fail('nothing-to-revert', `${id} has no effect in force to revert`, 'params.action');
  setLastingEffect(state, def, serviceIndex(state.topo, def.target), false);
  const next = countAfterRevert(count);
  if (next === 0) state.inForce.delete(id);
  else state.inForce.set(id, next);
  emit(state, 'action.reverted', { action: id, kind: def.type, target: def.target, by: cmd.actor });
  return null;
}

/** Used by the facilitator's inject command. */
export function injectFault(state: SessionState, faultId: string, actor: string): CommandError | null {
  const i = state.faultIndex.get(faultId);
  if (i === undefined) return fail('unknown-fault', `no fault "${faultId}" in this scenario`, 'params.fault');
  if (state.activeFaults.has(i)) return fail('fault-active', `fault "${faultId}" is already active`, 'params.fault');
  startFault(state, i, { injectedBy: actor });
  return null;
}
