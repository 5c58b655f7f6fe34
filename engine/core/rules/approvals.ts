/**
 * Controlled friction: an action the scenario marks `approval: true` waits for a second person.
 * This is where an approval is checked. "Second person" compares participant ids when the server
 * supplies them (so one person with two tabs, or under two names, is still one person), else names.
 * Break-glass skips the wait but is logged as a bypass, for the debrief.
 */
import type { CommandError, CommandInput } from '../../protocol/commands.ts';
import type { ActionDef } from '../../protocol/scenario.ts';
import { emit, type PendingApproval, type SessionState } from '../state.ts';

const fail = (code: string, message: string, path: string): CommandError => ({ ok: false, code, message, path });

/** Who a command came from: the participant id when the server supplied one, else the name. */
export const personOf = (cmd: CommandInput): string => cmd.participant ?? cmd.actor;
const byId = (id: string | undefined): { byId?: string } => (id === undefined ? {} : { byId: id });

/** Holds an action that needs approval (true), or lets it start now, logging a break-glass bypass (false). */
export function holdForApproval(state: SessionState, def: ActionDef, id: string, cmd: CommandInput): boolean {
  // Friction off is "before the policy": nothing waits for a second person.
  if (!def.approval || state.scenario.controlledFriction === 'off') return false;
  if (cmd.params?.breakGlass === true) {
    emit(state, 'approval.bypassed', { request: id, by: cmd.actor, ...byId(cmd.participant) });
    return false;
  }
  state.pending.set(id, { def, actor: cmd.actor, ...(cmd.participant !== undefined ? { participant: cmd.participant } : {}), requestedAt: state.now });
  emit(state, 'approval.requested', { request: id, action: def.type, target: def.target, by: cmd.actor, ...byId(cmd.participant) });
  return true;
}

/**
 * Records a decision on a pending request. Returns the request when it was granted (the caller
 * starts the action), null when it was denied, or the reason the decision is refused.
 */
export function decide(state: SessionState, cmd: CommandInput, approve: boolean): PendingApproval | CommandError | null {
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
  const decision = {
    request,
    by: cmd.actor,
    ...byId(cmd.participant),
    requestedBy: pending.actor,
    ...(pending.participant === undefined ? {} : { requestedById: pending.participant }),
  };
  if (!approve) {
    emit(state, 'approval.denied', decision);
    return null;
  }
  emit(state, 'approval.granted', decision);
  return pending;
}
