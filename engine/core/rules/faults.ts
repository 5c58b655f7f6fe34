/** Faults: starting and ending them, and folding the active ones into this tick's modifiers. */
import { inputsChanged, resetModifiers } from '../physics/sim-state.ts';
import { emit, type SessionState } from '../state.ts';
import { actionId, faultTargetFields, faultTargets } from '../../protocol/ids.ts';
import { applyRollingRestarts, rolloutRemaining } from './rollouts.ts';
import type { ActionDef, FaultDef } from '../../protocol/scenario.ts';
import { findEdge, serviceIndex } from '../physics/topology.ts';
import { flushCaches } from '../physics/cache.ts';
import type { PayloadOf } from '../../protocol/events.ts';

export function isFaultActive(state: SessionState, faultId: string): boolean {
  const i = state.faultIndex.get(faultId);
  return i !== undefined && state.activeFaults.has(i);
}

/** What started a fault: the schedule, the facilitator's inject, a completed action's trigger, or a deployed change. */
type FaultCause = Pick<PayloadOf<'fault.started'>, 'scheduled' | 'injectedBy' | 'triggeredBy' | 'action' | 'change'>;

export function startFault(state: SessionState, i: number, cause: FaultCause): void {
  const def = state.scenario.faults[i];
  if (!def) throw new Error(`invariant: no fault ${i}`);
  if (state.activeFaults.has(i)) return;
  state.activeFaults.set(i, { startedAt: state.now });
  const targets = faultTargetFields(def);
  emit(state, 'fault.started', { fault: def.id, kind: def.kind, ...targets, ...(def.from !== undefined ? { from: def.from } : {}), ...cause });
  // An impulse at the start, not a modifier: the caches then warm back (or not) by themselves.
  if (def.effect.flushCaches === true) {
    const from = def.from !== undefined ? serviceIndex(state.topo, def.from) : -1;
    for (const target of faultTargets(def)) flushCaches(state.topo, state.sim, serviceIndex(state.topo, target), from);
  }
  if (def.change) {
    // One change, announced once: on the service it names, else on the first it hurts.
    emit(state, 'change.deployed', { service: def.change.service ?? targets.target, summary: def.change.summary, author: def.change.author });
  }
  if (def.for !== undefined) {
    state.agenda.schedule(state.now + def.for, { kind: 'fault-expire', fault: i, startedAt: state.now });
  }
}

export function endFault(state: SessionState, i: number, reason: PayloadOf<'fault.ended'>['reason'], payload: { action?: string } = {}): void {
  const def = state.scenario.faults[i];
  if (!def || !state.activeFaults.has(i)) return;
  state.activeFaults.delete(i);
  emit(state, 'fault.ended', { fault: def.id, reason, ...payload });
}

/** Starts every fault whose trigger matches a completed action (e.g. a restart during a retry storm). */
export function triggerFaults(state: SessionState, action: ActionDef, actor: string): void {
  state.scenario.faults.forEach((f, i) => {
    const trigger = f.trigger;
    if (!trigger || trigger.action !== action.type || trigger.target !== action.target) return;
    if (trigger.whileFault !== undefined && !isFaultActive(state, trigger.whileFault)) return;
    startFault(state, i, { triggeredBy: actor, action: actionId(action) });
  });
}

/**
 * Rebuilds the fault modifiers for the current tick from the active faults, with linear ramp-up and,
 * while a rolling rollback or restart that resolves one is under way, its fading; then the capacity a
 * rolling restart holds out of service.
 */
export function applyFaults(state: SessionState): void {
  const { topo, scenario } = state;
  // Nothing active now or at the last tick: the modifiers are still the neutral ones.
  if (state.activeFaults.size === 0 && state.running.size === 0 && state.modifierSignature === '') return;
  resetModifiers(state.sim);
  // What the modifiers are a function of: the active faults' strengths and the rolling restarts.
  let signature = '';
  for (const [i, active] of state.activeFaults) {
    const def = scenario.faults[i];
    if (!def) continue;
    const ramp = def.rampUp > 0 ? Math.min(1, (state.now - active.startedAt) / def.rampUp) : 1;
    const strength = state.running.size > 0 ? ramp * rolloutRemaining(state, def.id) : ramp;
    signature += `${i}:${strength};`;
    // Every target gets the whole effect, as if each had a fault of its own.
    for (const target of faultTargets(def)) {
      const s = topo.index.get(target);
      if (s === undefined) continue;
      if (def.from !== undefined) applyEdgeFault(state, def, s, strength);
      else applyServiceFault(state, def, s, strength);
    }
  }
  if (state.running.size > 0) signature += applyRollingRestarts(state);
  // The same signature gives the same modifiers: the physics then need not compose anything again.
  if (signature !== state.modifierSignature) {
    state.modifierSignature = signature;
    inputsChanged(state.sim);
  }
}

function applyServiceFault(state: SessionState, def: FaultDef, s: number, strength: number): void {
  const { sim } = state;
  const e = def.effect;
  // A scoped fault hits a share of keys: its failures are keyed (retries of a hit key fail again),
  // its latency lands on that share only, and it takes that share of the instances' capacity.
  const scope = def.scope;
  if (e.errorRate !== undefined) {
    if (scope === undefined) sim.errAdd[s] = (sim.errAdd[s] as number) + e.errorRate * strength;
    else sim.errKey[s] = Math.min(1, (sim.errKey[s] as number) + scope * e.errorRate * strength);
  }
  if (e.latencyMs !== undefined) {
    const share = scope ?? 1;
    const added = e.latencyMs * strength;
    sim.latAdd[s] = (sim.latAdd[s] as number) + share * added;
    sim.latVar[s] = (sim.latVar[s] as number) + share * (1 - share) * added * added;
  }
  if (e.latencyFactor !== undefined) sim.latMul[s] = (sim.latMul[s] as number) * (1 + (e.latencyFactor - 1) * strength * (scope ?? 1));
  if (e.capacityFactor !== undefined) sim.capMul[s] = (sim.capMul[s] as number) * (1 + (e.capacityFactor - 1) * strength * (scope ?? 1));
  if (e.rpsFactor !== undefined) sim.rpsMul[s] = (sim.rpsMul[s] as number) * (1 + (e.rpsFactor - 1) * strength);
}

/**
 * A fault on one call (from → one of its targets): its failures stop the attempt before it reaches the callee,
 * fast (refused) or after the caller's whole timeout (a blackhole); its latency delays the call.
 * Scoped, its failures are keyed like a service fault's: a retry for a hit key fails again.
 */
function applyEdgeFault(state: SessionState, def: FaultDef, target: number, strength: number): void {
  const { sim, topo } = state;
  const e = findEdge(topo, serviceIndex(topo, def.from ?? ''), target);
  if (e < 0) throw new Error(`invariant: fault ${def.id} is on a call that a validated scenario does not have`);
  const share = (def.effect.errorRate ?? 0) * strength * (def.scope ?? 1);
  const hang = def.failure === 'timeout';
  const into = def.scope === undefined ? (hang ? sim.edgeHang : sim.edgeRefuse) : hang ? sim.edgeHangKeyed : sim.edgeRefuseKeyed;
  into[e] = Math.min(1, (into[e] as number) + share);
  if (def.effect.latencyMs !== undefined) sim.edgeDelay[e] = (sim.edgeDelay[e] as number) + def.effect.latencyMs * strength;
}
