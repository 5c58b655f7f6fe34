/**
 * The change window: a responder proposes one of the scenario's changes (usually as the assistant
 * suggested it), and on a critical-tier service, with controlled friction on, a second participant
 * reviews it. The same identity rule as action approvals (approvals.ts): the proposer can neither
 * approve nor deny their own change. A change that deploys starts its fault, if it has one: that is
 * how a wrong answer from the assistant becomes the incident. At the task's deadline, if nobody has
 * proposed anything, the on-call pushes the task's change alone: the untreated path.
 */
import { startFault } from './faults.ts';
import { personOf } from './approvals.ts';
import { emit, type SessionState } from '../state.ts';
import { COMMAND_PARAMS, checkParams, type CommandError, type CommandInput } from '../../protocol/commands.ts';
import type { ChangeDef } from '../../protocol/scenario.ts';

const fail = (code: string, message: string, path: string): CommandError => ({ ok: false, code, message, path });

/** Whether a change must wait for a second participant: critical tier, and friction on. */
function needsReview(state: SessionState, def: ChangeDef): boolean {
  if (state.scenario.controlledFriction === 'off') return false;
  return state.scenario.services.find((s) => s.id === def.service)?.tier === 'critical';
}

/** The page a change cites by default: the one that tells readers to make it. */
const sourcePageOf = (state: SessionState, changeId: string): string | undefined =>
  state.scenario.wiki.find((p) => p.change === changeId)?.id;

export function proposeChange(state: SessionState, cmd: CommandInput): CommandError | null {
  const checked = checkParams(COMMAND_PARAMS['propose-change'], cmd.params);
  if (!checked.ok) return checked;
  const { change, note, breakGlass } = checked.params;
  const def = state.scenario.changes.find((c) => c.id === change);
  if (!def) return fail('unknown-change', `no change "${change}" in this scenario`, 'params.change');
  const page = checked.params.page ?? sourcePageOf(state, change);
  if (page !== undefined && !state.scenario.wiki.some((p) => p.id === page)) return fail('unknown-page', `no wiki page "${page}"`, 'params.page');
  const earlier = state.changes.get(change);
  if (earlier) return fail('change-exists', `change "${change}" was already proposed (${earlier.status})`, 'params.change');
  const review = needsReview(state, def);
  state.changes.set(change, {
    status: 'pending',
    actor: cmd.actor,
    ...(cmd.participant !== undefined ? { participant: cmd.participant } : {}),
    proposedAt: state.now,
    ...(page !== undefined ? { page } : {}),
    review,
  });
  emit(state, 'change.proposed', {
    change,
    service: def.service,
    summary: def.summary,
    by: cmd.actor,
    ...(cmd.participant !== undefined ? { byId: cmd.participant } : {}),
    ...(page !== undefined ? { page } : {}),
    ...(note !== undefined && note.trim() !== '' ? { note } : {}),
    review,
  });
  if (!review) deploy(state, def, cmd.actor, {});
  else if (breakGlass === true) deploy(state, def, cmd.actor, { bypassed: true });
  return null;
}

export function reviewChange(state: SessionState, cmd: CommandInput): CommandError | null {
  const checked = checkParams(COMMAND_PARAMS['review-change'], cmd.params);
  if (!checked.ok) return checked;
  const { change, verdict, reason } = checked.params;
  const def = state.scenario.changes.find((c) => c.id === change);
  const proposed = state.changes.get(change);
  if (!def || !proposed) return fail('unknown-change', `no proposed change "${change}"`, 'params.change');
  if (proposed.status !== 'pending') return fail('not-pending', `change "${change}" is not waiting for review (${proposed.status})`, 'params.change');
  // Friction means a second person: the proposer cannot review their own change.
  if (personOf(cmd) === (proposed.participant ?? proposed.actor)) {
    return fail('self-review', 'a second person must review this change; you proposed it', 'actor');
  }
  const decision = {
    change,
    by: cmd.actor,
    ...(cmd.participant !== undefined ? { byId: cmd.participant } : {}),
    requestedBy: proposed.actor,
    ...(proposed.participant !== undefined ? { requestedById: proposed.participant } : {}),
    ...(reason !== undefined && reason.trim() !== '' ? { reason } : {}),
  };
  if (verdict === 'deny') {
    proposed.status = 'denied';
    emit(state, 'change.denied', decision);
    return null;
  }
  emit(state, 'change.approved', decision);
  deploy(state, def, proposed.actor, { approvedBy: cmd.actor });
  return null;
}

/** The task's deadline: if nobody proposed any change, the on-call pushes the task's change on their own. */
export function taskDeadline(state: SessionState): void {
  const task = state.scenario.task;
  if (!task) return;
  const def = state.changes.size === 0 ? state.scenario.changes.find((c) => c.id === task.pushes) : undefined;
  emit(state, 'task.due', { title: task.title, by: task.by, pushed: def?.id ?? null });
  if (!def) return;
  state.changes.set(def.id, { status: 'pending', actor: task.by, proposedAt: state.now, review: false });
  // Nobody was there to review it: under friction, that is a push past the policy.
  deploy(state, def, task.by, needsReview(state, def) ? { bypassed: true } : {});
}

function deploy(state: SessionState, def: ChangeDef, author: string, how: { approvedBy?: string; bypassed?: true }): void {
  const runtime = state.changes.get(def.id);
  if (runtime) runtime.status = 'deployed';
  emit(state, 'change.deployed', { service: def.service, summary: def.summary, author, change: def.id, ...how });
  const fault = def.fault === undefined ? undefined : state.faultIndex.get(def.fault);
  if (fault !== undefined) startFault(state, fault, { change: def.id, triggeredBy: author });
}
