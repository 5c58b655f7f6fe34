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
  type TimedCommand,
} from '../protocol/commands.ts';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.ts';
import { duration, ID_PATTERN, type Scenario } from '../protocol/scenario.ts';
import { lintPlan } from './plan-lint.ts';
import { crashDiagnostic, makeLocator, parseYaml } from './yaml-positions.ts';
import { checkSchema } from './zod-issues.ts';

/**
 * A command of a plan: the engine's command (engine/protocol/commands.ts), with its limits and each
 * command type's parameter rules, plus the time it is sent. Plans have no participant ids.
 */
const { actor, type, target, params } = commandSchema.shape;
const planCommandSchema = z
  .strictObject({
    at: duration.describe('When the command is submitted, in simulated time since the start.'),
    actor,
    type,
    target,
    params,
  })
  .superRefine((command, ctx) => {
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
  /** Sorted by time; commands at the same time keep their order in the file. */
  commands: TimedCommand[];
}

export type LoadPlanResult = { ok: true; plan: Plan; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** What to check a plan against, besides its own schema. Only a plan that passes its schema is checked. */
export interface PlanCheck {
  /** The scenario the plan is for: its commands are checked against it (plan-lint.ts). */
  scenario?: Scenario;
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
      for (const issue of lintPlan(checked.data.commands, check.scenario)) found.push(locator.diagnostic(issue.path, issue.message, issue.severity));
    }
  }
  const diagnostics = sortDiagnostics(found);
  if (!checked.ok || hasErrors(diagnostics)) return { ok: false, diagnostics };
  // Array.prototype.sort is stable, which keeps same-time commands in file order.
  const commands = checked.data.commands.map(toTimedCommand).sort((a, b) => a.at - b.at);
  const plan: Plan = checked.data.scenario === undefined ? { commands } : { scenario: checked.data.scenario, commands };
  return { ok: true, plan, diagnostics };
}

function toTimedCommand(command: z.output<typeof planCommandSchema>): TimedCommand {
  const timed: TimedCommand = { at: command.at, actor: command.actor, type: command.type };
  if (command.target !== undefined) timed.target = command.target;
  if (command.params !== undefined) timed.params = command.params;
  return timed;
}
