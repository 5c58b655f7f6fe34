/**
 * Plans: scripted responder commands at simulated times, for unattended runs, tests and benchmarks.
 * Loaded with the same machinery as scenarios, so a bad plan gets the same file:line:col diagnostics.
 * Given the scenario it is for, a plan is also checked against it (plan-lint.ts).
 */
import { z } from 'zod';
import {
  commandSchema,
  paramRulesJsonSchema,
  refineCommandParams,
  refineCommandTarget,
  targetRuleJsonSchema,
  isTimed,
  PLAN_ANCHORS,
  type CommandInput,
  type PlanCommand,
  type RelativeCommand,
} from '../protocol/commands.ts';
import { parseDuration } from '../protocol/format.ts';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.ts';
import { duration, ID_PATTERN, type ScenarioSpec } from '../protocol/scenario.ts';
import { lintPlan } from './plan-lint.ts';
import { resolveWith } from '../protocol/varied.ts';
import { crashDiagnostic, makeLocator, parseYaml } from './yaml-positions.ts';
import { checkSchema } from './zod-issues.ts';

/**
 * A command of a plan: the engine's command (engine/protocol/commands.ts), with its limits and each
 * command type's parameter rules, plus the time it is sent. Plans have no participant ids.
 */
const { actor, type, target, params } = commandSchema.shape;

const ANCHOR_TEXT = `(?:${PLAN_ANCHORS.join('|')}|(?:fault|alert):[a-z][a-z0-9-]*|done:[a-z][a-z0-9-]*(?::[a-z][a-z0-9-]*)?)`;
const AFTER = new RegExp(`^(${ANCHOR_TEXT})(?:\\s*\\+\\s*(\\S+))?$`);

/** `after: "first-page + 2m"`, parsed to its anchor and offset. */
const afterSchema = z
  .string()
  .meta({ pattern: AFTER.source })
  .describe(
    `Send the command this long after an event instead of at a fixed time, so the plan holds on every seed: "<event> + <duration>" or "<event>". Events: ${PLAN_ANCHORS.join(', ')}, fault:<id> (the fault starts), alert:<id> (the alert fires), done:<action id> (the action completes, e.g. done:rollback:pricing). If the event never happens, the command is not sent.`,
  )
  .transform((text, ctx): RelativeCommand['after'] | typeof z.NEVER => {
    const match = AFTER.exec(text.trim());
    const offset = match?.[2] === undefined ? 0 : parseDuration(match[2]);
    if (match === null || offset === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not an event and a delay: write e.g. "first-page + 2m", "mitigated + 5m" or "fault:<id> + 30s" (events: ${PLAN_ANCHORS.join(', ')}, fault:<id>, alert:<id>, done:<action id>)` });
      return z.NEVER;
    }
    const anchor = match[1] as string;
    const colon = anchor.indexOf(':');
    if (colon < 0) return { event: anchor as (typeof PLAN_ANCHORS)[number], offset };
    return { event: anchor.slice(0, colon) as 'fault' | 'alert' | 'done', id: anchor.slice(colon + 1), offset };
  });

const planCommandSchema = z
  .strictObject({
    at: duration.optional().describe('When the command is submitted, in simulated time since the start. Give this or `after`.'),
    after: afterSchema.optional(),
    actor,
    type,
    target,
    params,
  })
  .superRefine((command, ctx) => {
    if ((command.at === undefined) === (command.after === undefined)) {
      ctx.addIssue({ code: 'custom', path: command.at === undefined ? [] : ['after'], message: command.at === undefined ? 'give the command a time: "at" (e.g. 10m) or "after" (e.g. "first-page + 2m")' : 'give either "at" or "after", not both' });
    }
    refineCommandParams(command, ctx);
    refineCommandTarget(command, ctx);
  })
  .meta({ allOf: [...paramRulesJsonSchema('type'), targetRuleJsonSchema('type')] });

export const planSchema = z.strictObject({
  $schema: z.string().optional(),
  scenario: z
    .string()
    .regex(ID_PATTERN, 'use lowercase letters, digits and dashes, starting with a letter')
    .optional()
    .describe('The id of the scenario this plan is written for.'),
  commands: z.array(planCommandSchema),
});

export interface Plan {
  scenario?: string;
  /** Timed commands sorted by time (commands at the same time keep their order in the file); relative ones after them, in file order. */
  commands: PlanCommand[];
}

export type LoadPlanResult = { ok: true; plan: Plan; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** What to check a plan against, besides its own schema. Only a plan that passes its schema is checked. */
export interface PlanCheck {
  /** The scenario the plan is for: its commands are checked against it (plan-lint.ts). */
  scenario?: ScenarioSpec;
  /** Why the scenario the plan names cannot be checked against (not found, invalid): an error at `scenario`. */
  scenarioProblem?: string;
}

/** Never throws: anything unexpected becomes a diagnostic at 1:1. */
export function loadPlanText(text: string, file: string, check: PlanCheck = {}): LoadPlanResult {
  try {
    return load(text, file, check);
  } catch (error) {
    return { ok: false, diagnostics: [crashDiagnostic(String(file), error)] };
  }
}

function load(text: string, file: string, check: PlanCheck): LoadPlanResult {
  if (typeof text !== 'string') return { ok: false, diagnostics: [crashDiagnostic(file, new TypeError('not text'))] };
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return { ok: false, diagnostics: sortDiagnostics(parsed.diagnostics) };
  const locator = makeLocator(file, parsed.parsed);
  const checked = checkSchema(planSchema, parsed.parsed.value, locator);
  const found = [...parsed.diagnostics];
  if (!checked.ok) found.push(...checked.diagnostics);
  else {
    if (check.scenarioProblem !== undefined) found.push(locator.diagnostic(['scenario'], check.scenarioProblem, 'error'));
    // In file order, before the sort by time, so each problem points at its own line.
    if (check.scenario !== undefined) {
      // Plans name services, actions, faults and alerts, which no seed changes: any corner will do.
      const scenario = resolveWith(check.scenario, (varied) => (varied.$vary === 'range' ? varied.min : varied.options[0]));
      for (const issue of lintPlan(checked.data.commands, scenario)) found.push(locator.diagnostic(issue.path, issue.message, issue.severity));
    }
  }
  const diagnostics = sortDiagnostics(found);
  if (!checked.ok || hasErrors(diagnostics)) return { ok: false, diagnostics };
  // Array.prototype.sort is stable, which keeps same-time commands in file order.
  const commands = checked.data.commands.map(toPlanCommand).sort((a, b) => (isTimed(a) ? a.at : Infinity) - (isTimed(b) ? b.at : Infinity) || 0);
  const plan: Plan = checked.data.scenario === undefined ? { commands } : { scenario: checked.data.scenario, commands };
  return { ok: true, plan, diagnostics };
}

function toPlanCommand(command: z.output<typeof planCommandSchema>): PlanCommand {
  const input: CommandInput = { actor: command.actor, type: command.type };
  if (command.target !== undefined) input.target = command.target;
  if (command.params !== undefined) input.params = command.params;
  // The schema's refinement guarantees exactly one of the two.
  return command.after !== undefined ? { after: command.after, ...input } : { at: command.at ?? 0, ...input };
}
