/**
 * Applies one command at the current simulated time. Every command — accepted or not — is logged first,
 * because the log is the record of inputs that replay folds over. Mistakes are returned as data.
 */
import { decideApproval, injectFault, requestAction, revertAction } from './actions.ts';
import { diagnose } from './diagnose.ts';
import { ask, openPage, pageHistory } from './assistant.ts';
import { proposeChange, reviewChange } from './changes.ts';
import { sendDrill, sendIncident } from '../machines/sync.ts';
import { emit, type SessionState } from '../state.ts';
import type { PayloadOf } from '../../protocol/events.ts';
import {
  COMMAND_PARAMS,
  CONTROL_COMMANDS,
  checkCommand,
  checkParams,
  paramsError,
  type CommandError,
  type CommandInput,
  type CommandResult,
} from '../../protocol/commands.ts';

const CONTROL = new Set<string>(CONTROL_COMMANDS);

const fail = (code: string, message: string, path?: string): CommandError => ({
  ok: false,
  code,
  message,
  ...(path ? { path } : {}),
});

export function applyCommand(state: SessionState, cmd: CommandInput): CommandResult {
  const first = state.log.length;
  // The envelope (commandSchema in engine/protocol/commands.ts): a command that fails it is logged cut short.
  const shapeError = checkCommand(cmd);
  const record = commandRecord(cmd, shapeError);
  const logged = emit(state, 'command', record);
  const error = shapeError ?? dispatch(state, cmd, logged.seq);
  if (error && !shapeError) Object.assign(logged, { ok: false, code: error.code, message: error.message });
  const events = state.log.slice(first);
  return error ? { ...error, seq: logged.seq, events } : { ok: true, seq: logged.seq, events };
}

function commandRecord(cmd: CommandInput, shapeError: CommandError | null): PayloadOf<'command'> {
  if (shapeError) {
    return { actor: String(cmd.actor).slice(0, 64), command: String(cmd.type).slice(0, 64), ok: false, code: shapeError.code, message: shapeError.message };
  }
  return {
    actor: cmd.actor,
    ...(cmd.participant !== undefined ? { participant: cmd.participant } : {}),
    command: cmd.type,
    ...(cmd.target !== undefined ? { target: cmd.target } : {}),
    ...(cmd.params !== undefined ? { params: cmd.params } : {}),
    ok: true,
  };
}

/** `seq`: the command's own event, which an answer refers to. */
function dispatch(state: SessionState, cmd: CommandInput, seq: number): CommandError | null {
  if (CONTROL.has(cmd.type)) return control(state, cmd);
  if (state.drillState !== 'running') {
    return fail('drill-not-running', `the drill is ${state.drillState}; actions are taken only while it runs`);
  }
  // The command type's own parameter rules (COMMAND_PARAMS): checked first, as each handler once did.
  const paramError = paramsError(cmd);
  if (paramError) return paramError;
  switch (cmd.type) {
    case 'ack':
      return acknowledge(state);
    case 'declare':
      return declare(state, cmd);
    case 'resolve':
      return sendIncident(state, { type: 'RESOLVE' }, { by: cmd.actor })
        ? null
        : fail('not-mitigated', `the incident is ${state.incidentState}; it can be resolved once mitigated`);
    case 'assign-role':
      return assignRole(state, cmd);
    case 'status-update':
      return statusUpdate(state, cmd);
    case 'diagnose':
      return diagnose(state, cmd);
    case 'approve':
      return decideApproval(state, cmd, true);
    case 'deny':
      return decideApproval(state, cmd, false);
    case 'revert':
      return revertAction(state, cmd);
    case 'ask':
      return ask(state, cmd, seq);
    case 'open-page':
      return openPage(state, cmd);
    case 'page-history':
      return pageHistory(state, cmd);
    case 'propose-change':
      return proposeChange(state, cmd);
    case 'review-change':
      return reviewChange(state, cmd);
    default:
      return requestAction(state, cmd);
  }
}

function control(state: SessionState, cmd: CommandInput): CommandError | null {
  const transitions = { start: 'START', pause: 'PAUSE', resume: 'RESUME', end: 'END' } as const;
  if (cmd.type === 'inject') {
    if (state.drillState === 'ended') return fail('drill-ended', 'the drill has ended');
    const checked = checkParams(COMMAND_PARAMS.inject, cmd.params);
    return checked.ok ? injectFault(state, checked.params.fault, cmd.actor) : checked;
  }
  const type = transitions[cmd.type as keyof typeof transitions];
  const payload = cmd.type === 'end' ? { reason: 'facilitator' as const, by: cmd.actor } : { by: cmd.actor };
  return sendDrill(state, { type }, payload)
    ? null
    : fail('invalid-state', `cannot ${cmd.type} a drill that is ${state.drillState}`);
}

function acknowledge(state: SessionState): CommandError | null {
  if (state.incidentState === 'idle') return fail('no-incident', 'nothing has paged yet');
  if (state.incident.getSnapshot().context.acknowledged) return fail('already-acknowledged', 'the page is already acknowledged');
  return sendIncident(state, { type: 'ACK' }) ? null : fail('invalid-state', `cannot acknowledge in ${state.incidentState}`);
}

function declare(state: SessionState, cmd: CommandInput): CommandError | null {
  const checked = checkParams(COMMAND_PARAMS.declare, cmd.params);
  if (!checked.ok) return checked;
  const { severity } = checked.params;
  if (state.incidentState === 'idle') return fail('no-incident', 'nothing has paged yet');
  if (state.incident.getSnapshot().context.severity === severity) {
    return fail('same-severity', `the incident is already Sev ${severity}`, 'params.severity');
  }
  return sendIncident(state, { type: 'DECLARE', severity }, { by: cmd.actor })
    ? null
    : fail('invalid-state', `cannot declare in ${state.incidentState}`);
}

function assignRole(state: SessionState, cmd: CommandInput): CommandError | null {
  const checked = checkParams(COMMAND_PARAMS['assign-role'], cmd.params);
  if (!checked.ok) return checked;
  const { role, person = cmd.actor } = checked.params;
  state.roles[role] = person;
  emit(state, 'incident.role', { role, person, by: cmd.actor });
  return null;
}

function statusUpdate(state: SessionState, cmd: CommandInput): CommandError | null {
  const checked = checkParams(COMMAND_PARAMS['status-update'], cmd.params);
  if (!checked.ok) return checked;
  const { message } = checked.params;
  emit(state, 'status.posted', { by: cmd.actor, message, severity: state.incident.getSnapshot().context.severity });
  return null;
}
