/**
 * Applies one command at the current simulated time. Every command — accepted or not — is logged first,
 * because the log is the record of inputs that replay folds over. Mistakes are returned as data.
 */
import { ACTION_TYPES } from '../scenario/schema.ts';
import { decideApproval, injectFault, requestAction, revertAction } from './actions.ts';
import { diagnose } from './diagnose.ts';
import { sendDrill, sendIncident } from './machines/sync.ts';
import { emit, type SessionState } from './state.ts';
import {
  APPROVAL_COMMANDS,
  CONTROL_COMMANDS,
  INCIDENT_COMMANDS,
  ROLES,
  type CommandError,
  type CommandInput,
  type CommandResult,
  type Role,
} from './types.ts';

export const MAX_MESSAGE_LENGTH = 2000;
const KNOWN = new Set<string>([...CONTROL_COMMANDS, ...INCIDENT_COMMANDS, ...APPROVAL_COMMANDS, ...ACTION_TYPES]);
const CONTROL = new Set<string>(CONTROL_COMMANDS);

const fail = (code: string, message: string, path?: string): CommandError => ({
  ok: false,
  code,
  message,
  ...(path ? { path } : {}),
});

/** Checks the shape of untrusted input; returns an error or null. */
export function checkShape(cmd: CommandInput): CommandError | null {
  if (typeof cmd.actor !== 'string' || cmd.actor.length === 0 || cmd.actor.length > 64) {
    return fail('bad-actor', 'actor must be a name of 1 to 64 characters', 'actor');
  }
  if (cmd.participant !== undefined && (typeof cmd.participant !== 'string' || cmd.participant.length === 0 || cmd.participant.length > 64)) {
    return fail('bad-participant', 'participant must be an id of 1 to 64 characters', 'participant');
  }
  if (typeof cmd.type !== 'string' || !KNOWN.has(cmd.type)) {
    return fail('unknown-command', `unknown command "${String(cmd.type)}"`, 'type');
  }
  if (cmd.target !== undefined && (typeof cmd.target !== 'string' || cmd.target.length > 128)) {
    return fail('bad-target', 'target must be a string', 'target');
  }
  if (cmd.params !== undefined) {
    if (typeof cmd.params !== 'object' || cmd.params === null || Array.isArray(cmd.params)) {
      return fail('bad-params', 'params must be an object', 'params');
    }
    for (const [key, value] of Object.entries(cmd.params)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        return fail('bad-params', `params.${key} must be a string, number or boolean`, `params.${key}`);
      }
    }
  }
  return null;
}

export function applyCommand(state: SessionState, cmd: CommandInput): CommandResult {
  const first = state.log.length;
  const shapeError = checkShape(cmd);
  const record = commandRecord(cmd, shapeError);
  const logged = emit(state, 'command', record);
  const error = shapeError ?? dispatch(state, cmd);
  if (error && !shapeError) Object.assign(logged, { ok: false, code: error.code, message: error.message });
  const events = state.log.slice(first);
  return error ? { ...error, seq: logged.seq, events } : { ok: true, seq: logged.seq, events };
}

function commandRecord(cmd: CommandInput, shapeError: CommandError | null): Record<string, unknown> {
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

function dispatch(state: SessionState, cmd: CommandInput): CommandError | null {
  if (CONTROL.has(cmd.type)) return control(state, cmd);
  if (state.drillState !== 'running') {
    return fail('drill-not-running', `the drill is ${state.drillState}; actions are taken only while it runs`);
  }
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
    default:
      return requestAction(state, cmd);
  }
}

function control(state: SessionState, cmd: CommandInput): CommandError | null {
  const transitions = { start: 'START', pause: 'PAUSE', resume: 'RESUME', end: 'END' } as const;
  if (cmd.type === 'inject') {
    if (state.drillState === 'ended') return fail('drill-ended', 'the drill has ended');
    const fault = cmd.params?.fault;
    if (typeof fault !== 'string') return fail('missing-param', 'name the fault in params.fault', 'params.fault');
    return injectFault(state, fault, cmd.actor);
  }
  const type = transitions[cmd.type as keyof typeof transitions];
  const payload = cmd.type === 'end' ? { reason: 'facilitator', by: cmd.actor } : { by: cmd.actor };
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
  const severity = cmd.params?.severity;
  if (typeof severity !== 'number' || !Number.isInteger(severity) || severity < 1 || severity > 4) {
    return fail('bad-severity', 'params.severity must be 1, 2, 3 or 4 (1 is the most severe)', 'params.severity');
  }
  if (state.incidentState === 'idle') return fail('no-incident', 'nothing has paged yet');
  if (state.incident.getSnapshot().context.severity === severity) {
    return fail('same-severity', `the incident is already Sev ${severity}`, 'params.severity');
  }
  return sendIncident(state, { type: 'DECLARE', severity }, { by: cmd.actor })
    ? null
    : fail('invalid-state', `cannot declare in ${state.incidentState}`);
}

function assignRole(state: SessionState, cmd: CommandInput): CommandError | null {
  const role = cmd.params?.role;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    return fail('bad-role', `params.role must be one of ${ROLES.join(', ')}`, 'params.role');
  }
  const person = cmd.params?.person ?? cmd.actor;
  if (typeof person !== 'string' || person.length === 0 || person.length > 64) {
    return fail('bad-params', 'params.person must be a name', 'params.person');
  }
  state.roles[role as Role] = person;
  emit(state, 'incident.role', { role, person, by: cmd.actor });
  return null;
}

function statusUpdate(state: SessionState, cmd: CommandInput): CommandError | null {
  const message = cmd.params?.message;
  if (typeof message !== 'string' || message.trim().length === 0 || message.length > MAX_MESSAGE_LENGTH) {
    return fail('bad-message', `params.message must be 1 to ${MAX_MESSAGE_LENGTH} characters`, 'params.message');
  }
  emit(state, 'status.posted', { by: cmd.actor, message, severity: state.incident.getSnapshot().context.severity });
  return null;
}
