/**
 * One command schema (engine/protocol/commands.ts) for plans, WebSocket messages and the engine: the
 * same command is accepted or refused by all three, for the same reason and with the same limits.
 */
import { describe, expect, it } from 'vitest';
import { createSession } from '../../engine/core/session.ts';
import { formatDiagnostic } from '../../engine/scenario/diagnostics.ts';
import { loadPlanText } from '../../engine/scenario/plan.ts';
import { parseClientMessage } from '../../engine/server/messages.ts';
import { COMMAND_PARAMS, COMMAND_TYPES, checkCommand, commandSchema, paramsError, type CommandInput } from '../../engine/protocol/commands.ts';
import { actionMessageSchema } from '../../engine/protocol/messages-schema.ts';
import { ACTION_TYPES } from '../../engine/protocol/scenario.ts';
import { loadPlan, tinyScenario } from '../helpers.ts';

/** What the engine answers to a command in a running drill of the tiny scenario. */
function engine(cmd: CommandInput): { code: string | undefined; path: string | undefined } {
  const session = createSession(tinyScenario());
  session.submit({ actor: 'facilitator', type: 'start' });
  const result = session.submit(cmd);
  return result.ok ? { code: undefined, path: undefined } : { code: result.code, path: result.path };
}

/** The diagnostics a plan with this one command gets. */
function plan(cmd: Omit<CommandInput, 'participant'>): string[] {
  const result = loadPlanText(JSON.stringify({ commands: [{ at: '1m', ...cmd }] }), 'p.plan.json');
  return result.diagnostics.map((d) => formatDiagnostic(d));
}

/** What the server says to the same command sent as a WebSocket `action`. */
function socket(cmd: Omit<CommandInput, 'actor' | 'participant'>): string {
  const parsed = parseClientMessage(JSON.stringify({ type: 'action', clientActionId: 'c1', action: cmd.type, target: cmd.target, params: cmd.params }));
  return parsed.ok ? 'ok' : `${parsed.code} at ${parsed.path ?? ''}`;
}

describe('the command schema', () => {
  it('knows every command type, actions included, and the WebSocket action message uses its very fields', () => {
    expect(COMMAND_TYPES).toEqual(expect.arrayContaining(['start', 'inject', 'ack', 'declare', 'approve', 'revert', ...ACTION_TYPES]));
    const { action, target, params } = actionMessageSchema.shape;
    expect(action).toBe(commandSchema.shape.type);
    expect(target).toBe(commandSchema.shape.target);
    expect(params).toBe(commandSchema.shape.params);
  });

  it.each([
    [{ actor: '', type: 'ack' }, 'bad-actor', 'actor'],
    [{ actor: 'x'.repeat(65), type: 'ack' }, 'bad-actor', 'actor'],
    [{ actor: 'a', participant: '', type: 'ack' }, 'bad-participant', 'participant'],
    [{ actor: 'a', type: 'reboot' }, 'unknown-command', 'type'],
    [{ actor: 'a', type: 'ack', target: 'x'.repeat(129) }, 'bad-target', 'target'],
    [{ actor: 'a', type: 'ack', params: [] }, 'bad-params', 'params'],
    [{ actor: 'a', type: 'ack', params: { deep: { x: 1 } } }, 'bad-params', 'params.deep'],
    [{ actor: 'a', type: 'ack', params: { long: 'x'.repeat(2001) } }, 'bad-params', 'params.long'],
    [{ actor: 'a', type: 'ack', params: { ['k'.repeat(65)]: 1 } }, 'bad-params', `params.${'k'.repeat(65)}`],
    [{ actor: 'a', type: 'ack', params: { n: Number.NaN } }, 'bad-params', 'params.n'],
    // The first problem, in field order, wins.
    [{ actor: '', type: 'reboot', target: 7 }, 'bad-actor', 'actor'],
  ])('envelope %#: %s', (cmd, code, path) => {
    expect(checkCommand(cmd as never)).toMatchObject({ ok: false, code, path });
    expect(engine(cmd as never)).toEqual({ code, path });
  });

  it('accepts a well-formed command, and only checks each type\'s own parameters when asked', () => {
    expect(checkCommand({ actor: 'alice', participant: 'p2', type: 'declare', params: { severity: 9 } })).toBeNull();
    expect(paramsError({ type: 'declare', params: { severity: 9 } })).toMatchObject({ code: 'bad-severity', path: 'params.severity' });
    expect(paramsError({ type: 'declare', params: { severity: 2, note: 'extra keys are ignored' } })).toBeNull();
    expect(paramsError({ type: 'ack' })).toBeNull();
    expect(Object.keys(COMMAND_PARAMS)).toEqual(expect.arrayContaining(['inject', 'declare', 'assign-role', 'status-update', 'approve', 'deny', 'revert', ...ACTION_TYPES]));
  });
});

describe('plans, the socket and the engine agree', () => {
  it.each([
    ['declare', { severity: 9 }, 'bad-severity', 'params.severity must be 1, 2, 3 or 4 (1 is the most severe) (at commands[0].params.severity)'],
    ['declare', { severity: 1.5 }, 'bad-severity', 'params.severity must be 1, 2, 3 or 4 (1 is the most severe) (at commands[0].params.severity)'],
    ['assign-role', { role: 'king' }, 'bad-role', 'params.role must be one of ic, comms, ops (at commands[0].params.role)'],
    ['assign-role', { role: 'ic', person: '' }, 'bad-params', 'params.person must be a name (at commands[0].params.person)'],
    ['status-update', { message: '   ' }, 'bad-message', 'params.message must be 1 to 2000 characters (at commands[0].params.message)'],
    // A plan says a missing field is missing.
    ['approve', {}, 'missing-param', 'missing required field "request" (at commands[0].params.request)'],
    ['revert', { action: 3 }, 'missing-param', 'name the action in params.action, e.g. "breaker:checkout" (at commands[0].params.action)'],
    ['rollback', { breakGlass: 'yes' }, 'bad-params', 'params.breakGlass must be true or false (at commands[0].params.breakGlass)'],
  ])('%s %j: refused by the engine (logged) and by a plan, passed on by the socket', (type, params, code, message) => {
    const cmd = { actor: 'alice', type, target: 'api', params };
    expect(engine(cmd).code).toBe(code);
    expect(plan(cmd)).toEqual([expect.stringContaining(message)]);
    // The socket checks the envelope; the engine refuses and logs the rest, with this code and a seq.
    expect(socket(cmd)).toBe('ok');
  });

  it('refuses an inject without a fault in the engine and in a plan; the control message cannot send one', () => {
    expect(engine({ actor: 'fran', type: 'inject' }).code).toBe('missing-param');
    expect(plan({ actor: 'fran', type: 'inject' })).toEqual([expect.stringContaining('name the fault in params.fault (at commands[0].params.fault)')]);
  });

  it.each([
    [{ actor: 'a', type: 'reboot' }, 'unknown-command', 'action'],
    [{ actor: 'a', type: 'ack', target: 'x'.repeat(129) }, 'bad-target', 'target'],
    [{ actor: 'a', type: 'ack', params: { long: 'x'.repeat(2001) } }, 'bad-params', 'params.long'],
  ])('an envelope problem %#: the engine codes it, a plan and the socket refuse it', (cmd, code, socketPath) => {
    expect(engine(cmd).code).toBe(code);
    expect(plan(cmd)).not.toEqual([]);
    expect(socket(cmd)).toBe(`bad-message at ${socketPath}`);
  });

  it('a plan names an unknown command type, and a type that is not a string', () => {
    expect(plan({ actor: 'a', type: 'rollbak', target: 'api' })).toEqual([expect.stringContaining('invalid value "rollbak": expected one of "start", "pause"')]);
    expect(plan({ actor: 'a', type: 3 as never })).toEqual([expect.stringContaining('expected a string, got a number (at commands[0].type)')]);
  });

  it('every shipped plan passes the rules', () => {
    for (const id of ['retail-sev1', 'auth-cert-expiry', 'checkout-retry-storm']) expect(loadPlan(id).length).toBeGreaterThan(5);
  });
});
