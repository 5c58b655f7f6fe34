/**
 * Remediation actions: request (with controlled friction), approve or deny, start, and complete.
 * Effects land when an action completes, never before; restarts take the service away while they run.
 */
import type { ActionDef } from '../scenario/schema.ts';
import { endFault, startFault, triggerFaults } from './faults.ts';
import { sendService } from './machines/sync.ts';
import { endRestart } from './services.ts';
import { actionId, emit, type SessionState } from './state.ts';
import { findEdge } from './topology.ts';
import type { CommandError, CommandInput } from './types.ts';

const fail = (code: string, message: string, path?: string): CommandError => ({
  ok: false,
  code,
  message,
  ...(path ? { path } : {}),
});

/** Who a command came from: the participant id when the server supplied one, else the name. */
const personOf = (cmd: CommandInput): string => cmd.participant ?? cmd.actor;
const idField = (key: string, id: string | undefined): Record<string, string> => (id === undefined ? {} : { [key]: id });

export function requestAction(state: SessionState, cmd: CommandInput): CommandError | null {
  const target = cmd.target ?? '';
  const def = findAction(state, cmd.type, target);
  if (!def) {
    if (!state.topo.index.has(target)) return fail('unknown-target', `no service "${target}"`, 'target');
    return fail('unknown-action', `"${cmd.type}" is not available on ${target}`, 'type');
  }
  const id = actionId(def);
  if (state.running.has(id)) return fail('action-in-progress', `${id} is already running`);
  if (state.pending.has(id)) return fail('approval-pending', `${id} is already waiting for approval`);
  const breakGlass = cmd.params?.breakGlass === true;
  if (def.approval && !breakGlass) {
    state.pending.set(id, { def, actor: cmd.actor, ...(cmd.participant !== undefined ? { participant: cmd.participant } : {}), requestedAt: state.now });
    emit(state, 'approval.requested', { request: id, action: def.type, target: def.target, by: cmd.actor, ...idField('byId', cmd.participant) });
    return null;
  }
  if (def.approval) emit(state, 'approval.bypassed', { request: id, by: cmd.actor, ...idField('byId', cmd.participant) });
  beginAction(state, def, cmd.actor, null);
  return null;
}

function findAction(state: SessionState, type: string, target: string): ActionDef | undefined {
  for (const def of state.actionsById.values()) if (def.type === type && def.target === target) return def;
  return undefined;
}

export function decideApproval(state: SessionState, cmd: CommandInput, approve: boolean): CommandError | null {
  const request = cmd.params?.request;
  if (typeof request !== 'string') return fail('missing-param', 'name the request in params.request', 'params.request');
  const pending = state.pending.get(request);
  if (!pending) return fail('unknown-request', `no pending request "${request}"`, 'params.request');
  // Friction means a second person: the requester can neither approve nor deny their own request.
  if (personOf(cmd) === (pending.participant ?? pending.actor)) {
    return approve
      ? fail('self-approval', 'a second person must approve this request; you asked for it', 'actor')
      : fail('self-denial', 'a second person must decide on this request; you asked for it', 'actor');
  }
  state.pending.delete(request);
  const decision = { request, by: cmd.actor, ...idField('byId', cmd.participant), requestedBy: pending.actor, ...idField('requestedById', pending.participant) };
  if (!approve) {
    emit(state, 'approval.denied', decision);
    return null;
  }
  emit(state, 'approval.granted', decision);
  beginAction(state, pending.def, pending.actor, cmd.actor);
  return null;
}

function beginAction(state: SessionState, def: ActionDef, actor: string, approvedBy: string | null): void {
  const id = actionId(def);
  state.running.set(id, { def, actor, startedAt: state.now, approvedBy });
  emit(state, 'action.started', { action: id, kind: def.type, target: def.target, by: actor, duration: def.duration });
  if (def.type === 'restart') {
    const s = state.topo.index.get(def.target) as number;
    state.sim.restarting[s] = 1;
    sendService(state, s, { type: 'RESTART_BEGIN' });
  }
  state.agenda.schedule(state.now + def.duration, { kind: 'action-complete', action: id, startedAt: state.now });
}

export function completeAction(state: SessionState, id: string): void {
  const run = state.running.get(id);
  if (!run) return;
  state.running.delete(id);
  const { def } = run;
  const s = state.topo.index.get(def.target) as number;
  emit(state, 'action.completed', { action: id, kind: def.type, target: def.target, by: run.actor });
  applyLastingEffect(state, def, s);
  for (const faultId of def.resolves) {
    const i = state.faultIndex.get(faultId);
    if (i !== undefined) endFault(state, i, 'fixed', { action: id });
  }
  triggerFaults(state, def, run.actor);
}

const LASTING = new Set(['scale', 'drain', 'breaker', 'flag']);

function edgeOf(state: SessionState, def: ActionDef, s: number): number {
  const dependency = def.dependency !== undefined ? state.topo.index.get(def.dependency) : undefined;
  return dependency !== undefined ? findEdge(state.topo, s, dependency) : -1;
}

/** Sets (on = true) or undoes (on = false) the effect an action leaves in force after it completes. */
function setLastingEffect(state: SessionState, def: ActionDef, s: number, on: boolean): void {
  const { sim } = state;
  const edge = edgeOf(state, def, s);
  const factor = def.capacityFactor ?? 2;
  if (def.type === 'scale') sim.capScale[s] = (sim.capScale[s] as number) * (on ? factor : 1 / factor);
  else if (def.type === 'drain') sim.shed[s] = on ? (def.shed ?? 0.5) : 0;
  else if (def.type === 'breaker' && edge >= 0) sim.edgeManualOpen[edge] = on ? 1 : 0;
  else if (def.type === 'flag' && edge >= 0) sim.edgeDisabled[edge] = on ? 1 : 0;
}

function applyLastingEffect(state: SessionState, def: ActionDef, s: number): void {
  if (def.type === 'restart') endRestart(state, s);
  if (!LASTING.has(def.type)) return;
  const id = actionId(def);
  // Breakers, flags and drains are switches: applying one twice changes nothing more.
  if (def.type !== 'scale' && state.inForce.has(id)) return;
  setLastingEffect(state, def, s, true);
  state.inForce.set(id, (state.inForce.get(id) ?? 0) + 1);
}

/** Undoes a completed scale, drain, breaker or flag at once: scale back, stop shedding, close, re-enable. */
export function revertAction(state: SessionState, cmd: CommandInput): CommandError | null {
  const id = cmd.params?.action;
  if (typeof id !== 'string') return fail('missing-param', 'name the action in params.action, e.g. "breaker:checkout"', 'params.action');
  const def = state.actionsById.get(id);
  if (!def) return fail('unknown-action', `no action "${id}"`, 'params.action');
  const count = state.inForce.get(id) ?? 0;
  if (count === 0) return fail('nothing-to-revert', `${id} has no effect in force to revert`, 'params.action');
  setLastingEffect(state, def, state.topo.index.get(def.target) as number, false);
  if (count === 1) state.inForce.delete(id);
  else state.inForce.set(id, count - 1);
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
