/**
 * Commands: what a person (or a plan) asks the engine to do. This file is the one definition of a
 * command that plans (engine/scenario/plan.ts), WebSocket `action`/`control` messages
 * (messages-schema.ts) and the engine's own checks (engine/core/rules/commands.ts) all use:
 *
 * - `commandSchema`: the envelope — who, which command, on what, with which parameters, and their
 *   limits. The engine refuses a command that fails it before it looks at anything else, and logs
 *   the refusal with the code from `checkCommand`.
 * - `COMMAND_PARAMS`: the rules of each command type's own parameters (a severity is 1–4, a role is
 *   ic, comms or ops, …). The engine checks them when it handles the command, so a paused drill still
 *   answers `drill-not-running` first; plans check them as they load.
 *
 * The engine core reads these through the functions below and never imports zod itself.
 */
import { z } from 'zod';
import type { EngineEvent } from './events.ts';
import { ACTION_TYPES } from './scenario.ts';
import { formatDuration } from './format.ts';

export const CONTROL_COMMANDS = ['start', 'pause', 'resume', 'end', 'inject'] as const;
const INCIDENT_COMMANDS = ['ack', 'declare', 'resolve', 'assign-role', 'status-update', 'diagnose'] as const;
const APPROVAL_COMMANDS = ['approve', 'deny', 'revert'] as const;
/** Asking the AI assistant, and checking its source in the wiki. */
const ASSISTANT_COMMANDS = ['ask', 'open-page', 'page-history'] as const;
/** The change window: proposing a change, and a second participant's review of it. */
const CHANGE_COMMANDS = ['propose-change', 'review-change'] as const;
export const ROLES = ['ic', 'comms', 'ops'] as const;
/** Every command type the engine knows, action types included. */
export const COMMAND_TYPES = [...CONTROL_COMMANDS, ...INCIDENT_COMMANDS, ...APPROVAL_COMMANDS, ...ASSISTANT_COMMANDS, ...CHANGE_COMMANDS, ...ACTION_TYPES] as const;
/** The command types that act on a service, named in `target`: without one the engine answers `unknown-target`. */
const TARGETED_COMMANDS = ['diagnose', ...ACTION_TYPES] as const;
const TARGETED = new Set<string>(TARGETED_COMMANDS);
const needsTarget = (type: string): boolean => TARGETED.has(type);

// ── limits ───────────────────────────────────────────────────────────────────────────────────
const MAX_ACTOR_LENGTH = 64;
const MAX_PARTICIPANT_LENGTH = 64;
const MAX_TARGET_LENGTH = 128;
const MAX_PARAM_KEY_LENGTH = 64;
/** The longest string parameter, and so the longest status update. */
const MAX_PARAM_TEXT_LENGTH = 2000;
const MAX_MESSAGE_LENGTH = MAX_PARAM_TEXT_LENGTH;
/** The longest question for the assistant. */
const MAX_QUESTION_LENGTH = 500;
/** The longest note on a proposed change, or reason for a review. */
const MAX_NOTE_LENGTH = 500;
/** Fault ids a facilitator may inject by name. */
const MAX_FAULT_LENGTH = 128;

// ── the envelope ─────────────────────────────────────────────────────────────────────────────
const commandTypeSchema = z.enum(COMMAND_TYPES);

/**
 * The command type as a field: a string first (so a number is "expected a string"), then one of the
 * known types (so a misspelt one gets the list, and a "did you mean"). The JSON Schema lists them.
 */
const commandTypeField = z
  .string()
  .pipe(commandTypeSchema)
  .meta({ enum: [...COMMAND_TYPES] })
  .describe('The command, e.g. "ack", "declare" or an action type such as "rollback".');

const commandParamValueSchema = z.union([z.string().max(MAX_PARAM_TEXT_LENGTH), z.number().finite(), z.boolean()]);
const commandParamsSchema = z
  .record(z.string().max(MAX_PARAM_KEY_LENGTH), commandParamValueSchema)
  .describe("The command's parameters: plain strings, numbers and booleans; each command type documents the keys it reads.");

export const commandSchema = z.object({
  actor: z.string().min(1).max(MAX_ACTOR_LENGTH).describe('Who sends the command, as others see them, e.g. "alice".'),
  participant: z
    .string()
    .min(1)
    .max(MAX_PARTICIPANT_LENGTH)
    .optional()
    .describe('The live server\'s participant id of the sender; controlled friction compares these, never names. Plans leave it out.'),
  type: commandTypeField,
  target: z.string().max(MAX_TARGET_LENGTH).optional().describe('The service the command acts on, for diagnose and the actions.'),
  params: commandParamsSchema.optional(),
});

export type CommandType = z.infer<typeof commandTypeSchema>;
export type Role = (typeof ROLES)[number];
/** Parameters are plain JSON; each command type documents the keys it reads. */
export type CommandParams = z.infer<typeof commandParamsSchema>;
/** A command that passed `commandSchema`. */
type Command = z.infer<typeof commandSchema>;

/**
 * What a person (or a plan) asks the engine to do, before the engine has checked it: the type may be
 * any string (the engine answers `unknown-command`). Time is decided by the session, not by the sender.
 * `participant`: who sent it, the live server's participant id. Controlled friction compares these,
 * never names, so one person under two names is still one person. Plans and headless runs leave it
 * out, and then the actor's name is the identity.
 */
export type CommandInput = Omit<Command, 'type'> & { type: string };

/** A command in a plan: the same shape plus the simulated time (ms) it is submitted at. */
export interface TimedCommand extends CommandInput {
  at: number;
}

/**
 * What a plan command can wait for, so that a plan stays right when a seed moves the incident:
 * the first page, the first alert of any severity, mitigation (the incident.state event), a named
 * fault starting or alert firing, or a named action completing (`done:rollback:pricing`).
 */
export const PLAN_ANCHORS = ['first-page', 'first-alert', 'mitigated'] as const;
export type Anchor = { event: (typeof PLAN_ANCHORS)[number] } | { event: 'fault' | 'alert' | 'done'; id: string };

/** A command in a plan sent `offset` ms after an event (`after: first-page + 2m`), or never if it never happens. */
export interface RelativeCommand extends CommandInput {
  after: Anchor & { offset: number };
}

export type PlanCommand = TimedCommand | RelativeCommand;

export const isTimed = (command: PlanCommand): command is TimedCommand => 'at' in command;

/** An anchor as plans write it: `first-page`, `fault:pricing-rules-v2`. */
export const anchorText = (anchor: Anchor): string => ('id' in anchor ? `${anchor.event}:${anchor.id}` : anchor.event);

/** `after` as plans write it: `first-page + 2m30s`. */
export const afterText = (after: RelativeCommand['after']): string =>
  after.offset === 0 ? anchorText(after) : `${anchorText(after)} + ${formatDuration(after.offset)}`;

/** Errors the user caused are data, never exceptions. */
export interface CommandError {
  ok: false;
  code: string;
  message: string;
  path?: string;
}

export type CommandResult = { ok: true; seq: number; events: EngineEvent[] } | (CommandError & { seq: number; events: EngineEvent[] });

const fail = (code: string, message: string, path: string): CommandError => ({ ok: false, code, message, path });

/**
 * Checks the envelope of untrusted input: the first problem, in the order actor, participant, type,
 * target, params, as a coded error; null when the command passes `commandSchema`.
 */
export function checkCommand(cmd: CommandInput): CommandError | null {
  const result = commandSchema.safeParse(cmd);
  if (result.success) return null;
  const issues = result.error.issues;
  for (const field of ['actor', 'participant', 'type', 'target', 'params'] as const) {
    const issue = issues.find((i) => i.path[0] === field);
    if (issue) return envelopeError(cmd, field, issue.path[1], issue.code);
  }
  // Not an object at all.
  return fail('bad-actor', `actor must be a name of 1 to ${MAX_ACTOR_LENGTH} characters`, 'actor');
}

function envelopeError(cmd: CommandInput, field: 'actor' | 'participant' | 'type' | 'target' | 'params', key: PropertyKey | undefined, code: string): CommandError {
  switch (field) {
    case 'actor':
      return fail('bad-actor', `actor must be a name of 1 to ${MAX_ACTOR_LENGTH} characters`, 'actor');
    case 'participant':
      return fail('bad-participant', `participant must be an id of 1 to ${MAX_PARTICIPANT_LENGTH} characters`, 'participant');
    case 'type':
      return fail('unknown-command', `unknown command "${String(cmd.type)}"`, 'type');
    case 'target':
      return fail('bad-target', 'target must be a string', 'target');
    case 'params': {
      if (key === undefined) return fail('bad-params', 'params must be an object', 'params');
      const name = String(key);
      if (code === 'invalid_key') return fail('bad-params', `parameter names are at most ${MAX_PARAM_KEY_LENGTH} characters`, `params.${name}`);
      const value: unknown = cmd.params?.[name];
      if (typeof value === 'string') return fail('bad-params', `params.${name} must be at most ${MAX_PARAM_TEXT_LENGTH} characters`, `params.${name}`);
      if (typeof value === 'number') return fail('bad-params', `params.${name} must be a finite number`, `params.${name}`);
      return fail('bad-params', `params.${name} must be a string, number or boolean`, `params.${name}`);
    }
  }
}

// ── each command type's own parameters ───────────────────────────────────────────────────────
const severitySchema = z.number().int().min(1).max(4).describe('1 is the most severe.');
const pageParams = z.object({ page: z.string().min(1).max(MAX_TARGET_LENGTH).describe('The id of the wiki page, as an answer cites it.') });
const requestParams = z.object({ request: z.string().describe('The action id of the pending request, e.g. "rollback:pricing".') });
const actionParams = z.object({
  breakGlass: z.boolean().optional().describe('true bypasses an approval; the log says so.'),
  action: z
    .string()
    .max(MAX_PARAM_TEXT_LENGTH)
    .optional()
    .describe('Which action, by its id, when the scenario has several of this type on the target (two retry-policies on different dependencies, say); default: the first.'),
});

/** The parameters each command type reads. Other keys are allowed and ignored. */
export const COMMAND_PARAMS = {
  inject: z.object({ fault: z.string().max(MAX_FAULT_LENGTH).describe('The id of the scenario fault to start now.') }),
  declare: z.object({ severity: severitySchema }),
  'assign-role': z.object({
    role: z.enum(ROLES),
    person: z.string().min(1).max(MAX_ACTOR_LENGTH).optional().describe('Who takes the role; default: the actor.'),
  }),
  'status-update': z.object({
    message: z
      .string()
      .min(1)
      .max(MAX_MESSAGE_LENGTH)
      .refine((text) => text.trim().length > 0, 'must not be blank')
      .describe(`The stakeholder update, 1 to ${MAX_MESSAGE_LENGTH} characters.`),
  }),
  approve: requestParams,
  deny: requestParams,
  ask: z.object({
    question: z
      .string()
      .min(1)
      .max(MAX_QUESTION_LENGTH)
      .refine((text) => text.trim().length > 0, 'must not be blank')
      .describe(`The question for the assistant, 1 to ${MAX_QUESTION_LENGTH} characters.`),
    service: z.string().max(MAX_TARGET_LENGTH).optional().describe('The service the question is about, if any: the assistant weighs pages about it.'),
  }),
  'open-page': pageParams,
  'page-history': pageParams,
  'propose-change': z.object({
    change: z.string().min(1).max(MAX_TARGET_LENGTH).describe('The id of the change, as the assistant or the task names it.'),
    page: z.string().min(1).max(MAX_TARGET_LENGTH).optional().describe('The wiki page cited as its source; default: the page that describes the change.'),
    note: z.string().max(MAX_NOTE_LENGTH).optional().describe(`Why, in the proposer's words (at most ${MAX_NOTE_LENGTH} characters).`),
    breakGlass: z.boolean().optional().describe('true deploys without review; the log says so.'),
  }),
  'review-change': z.object({
    change: z.string().min(1).max(MAX_TARGET_LENGTH).describe('The id of the proposed change.'),
    verdict: z.enum(['approve', 'deny']).describe('approve deploys the change now; deny drops it.'),
    reason: z.string().max(MAX_NOTE_LENGTH).optional().describe(`Why, for the record (at most ${MAX_NOTE_LENGTH} characters).`),
  }),
  revert: z.object({ action: z.string().describe('The action whose effect to undo, e.g. "breaker:checkout".') }),
  ...(Object.fromEntries(ACTION_TYPES.map((type) => [type, actionParams])) as Record<(typeof ACTION_TYPES)[number], typeof actionParams>),
} satisfies Partial<Record<CommandType, z.ZodType>>;

/** The code and message of each parameter's error: what the engine answers, and what a plan is told. */
const PARAM_ERRORS: Record<string, { code: string; message: string }> = {
  fault: { code: 'missing-param', message: 'name the fault in params.fault' },
  severity: { code: 'bad-severity', message: 'params.severity must be 1, 2, 3 or 4 (1 is the most severe)' },
  role: { code: 'bad-role', message: `params.role must be one of ${ROLES.join(', ')}` },
  person: { code: 'bad-params', message: 'params.person must be a name' },
  message: { code: 'bad-message', message: `params.message must be 1 to ${MAX_MESSAGE_LENGTH} characters` },
  request: { code: 'missing-param', message: 'name the request in params.request' },
  action: { code: 'missing-param', message: 'name the action in params.action, e.g. "breaker:checkout"' },
  breakGlass: { code: 'bad-params', message: 'params.breakGlass must be true or false' },
  question: { code: 'bad-question', message: `params.question must be 1 to ${MAX_QUESTION_LENGTH} characters` },
  service: { code: 'bad-params', message: 'params.service must be a service id' },
  page: { code: 'missing-param', message: 'name the wiki page in params.page' },
  change: { code: 'missing-param', message: 'name the change in params.change' },
  note: { code: 'bad-params', message: `params.note must be at most ${MAX_NOTE_LENGTH} characters` },
  verdict: { code: 'bad-verdict', message: 'params.verdict must be approve or deny' },
  reason: { code: 'bad-params', message: `params.reason must be at most ${MAX_NOTE_LENGTH} characters` },
};

const hasParamRules = (type: string): type is keyof typeof COMMAND_PARAMS => Object.hasOwn(COMMAND_PARAMS, type);

/**
 * Checks one command type's parameters against its rules (`COMMAND_PARAMS[type]`): the typed
 * parameters, or the error for the first one that is wrong.
 */
export function checkParams<S extends z.ZodType>(rules: S, params: CommandParams | undefined): { ok: true; params: z.infer<S> } | CommandError {
  const result = rules.safeParse(params ?? {});
  if (result.success) return { ok: true, params: result.data };
  const key = String(result.error.issues[0]?.path[0] ?? '');
  const error = PARAM_ERRORS[key] ?? { code: 'bad-params', message: `params.${key} is not valid` };
  return fail(error.code, error.message, `params.${key}`);
}

/** The error of a command's parameters, for command types with rules; null when they pass. */
export function paramsError(cmd: Pick<CommandInput, 'type' | 'params'>): CommandError | null {
  if (!hasParamRules(cmd.type)) return null;
  const checked = checkParams(COMMAND_PARAMS[cmd.type], cmd.params);
  return checked.ok ? null : checked;
}

/**
 * For schemas that hold a whole command (plans): reports a parameter that breaks its command type's
 * rules as an issue at `params.<key>`, with the engine's message.
 */
export function refineCommandParams(cmd: Pick<CommandInput, 'type' | 'params'>, ctx: z.RefinementCtx): void {
  const error = paramsError(cmd);
  if (error) ctx.addIssue({ code: 'custom', message: error.message, path: (error.path ?? 'params').split('.') });
}

/**
 * For schemas that hold a whole command (plans): reports a command that acts on a service but names
 * none (`diagnose`, `rollback`, …) as an issue on the command itself (a path to the missing `target`
 * would be reported as a bare "missing required field").
 */
export function refineCommandTarget(cmd: Pick<CommandInput, 'type' | 'target'>, ctx: z.RefinementCtx): void {
  if (cmd.target === undefined && needsTarget(cmd.type)) {
    ctx.addIssue({ code: 'custom', message: `${cmd.type} needs a target: the service it acts on`, path: [] });
  }
}

/** The target rule as a JSON Schema `if`/`then` clause, for a schema of a whole command whose type sits in `typeKey`. */
export function targetRuleJsonSchema(typeKey: string): Record<string, unknown> {
  return { if: { properties: { [typeKey]: { enum: [...TARGETED_COMMANDS] } }, required: [typeKey] }, then: { required: ['target'] } };
}

/**
 * The parameter rules as JSON Schema `if`/`then` clauses, for a schema of a whole command whose type
 * sits in the field `typeKey`: editors then flag `severity: 9` as it is typed.
 */
export function paramRulesJsonSchema(typeKey: string): Record<string, unknown>[] {
  const groups = new Map<z.ZodType, string[]>();
  for (const [type, rules] of Object.entries(COMMAND_PARAMS)) groups.set(rules, [...(groups.get(rules) ?? []), type]);
  return [...groups].map(([rules, types]) => {
    const { $schema: _dialect, ...params } = z.toJSONSchema(rules, { io: 'input' });
    const needed = Array.isArray(params.required) && params.required.length > 0;
    return {
      if: { properties: { [typeKey]: types.length === 1 ? { const: types[0] } : { enum: types } }, required: [typeKey] },
      then: { properties: { params }, ...(needed ? { required: ['params'] } : {}) },
    };
  });
}
