/** `sevdrill run <scenario> [--seed N] [--actions plan.yaml] [--until 6h] [--friction on|off] [--out log.jsonl] [--json]` */
import { formatClock, parseDuration } from '../protocol/format.ts';
import { createHeader, serializeLog } from '../core/log/log.ts';
import { runScenario } from '../core/log/run.ts';
import { summarizeRun } from '../core/read/summary.ts';
import { EXIT_INVALID, EXIT_OK, UsageError, nodeMajor, onePositional, parseCli, readPlanFile, readScenarioFile, useColor, writeText } from './io.ts';
import { formatSummary, type Rejection, type Unsent } from './summary-text.ts';
import { afterText, isTimed, type CommandResult, type PlanCommand } from '../protocol/commands.ts';

const RUN_HELP = `usage: sevdrill run <scenario> [--seed N] [--actions plan.yaml] [--until 6h] [--friction on|off] [--out log.jsonl] [--json]

Simulates a scenario headless, as fast as the machine allows, and prints a summary: when the cascade
reached each journey, the first page, the incident milestones, when impact ended, what customers lost,
each command the engine rejected, with its reason, and each plan command that was never sent (due
after the run stopped, or waiting for an event that never happened).

  --seed N            seed for the random streams (default: the scenario's seed)
  --actions FILE      a plan of timed commands to apply (see scenarios/plans/*.plan.yaml)
  --until DURATION    stop at this simulated time (default: the scenario's duration)
  --friction on|off   controlled friction (default: the scenario's controlledFriction); off runs the
                      drill "before the policy": changes and approval-marked actions need no reviewer
  --out FILE          write the event log (JSON Lines) to FILE
  --json              print the summary as one JSON object on stdout (rejected commands in
                      commands.rejections, plan commands never sent in commands.unsent)

exit codes: 0 ok, 1 the scenario or plan failed its check, 2 usage error
`;

export async function runRun(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    seed: { type: 'string' },
    actions: { type: 'string' },
    until: { type: 'string' },
    friction: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(RUN_HELP);
    return EXIT_OK;
  }
  const file = onePositional(positionals, 'scenario file');
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1)) {
    throw new UsageError(`--seed must be a whole number from 0 to ${2 ** 31 - 1}`);
  }
  const until = values.until === undefined ? undefined : parseDuration(values.until);
  if (values.until !== undefined && until === undefined) throw new UsageError(`--until "${values.until}" is not a duration`);

  const friction = values.friction;
  if (friction !== undefined && friction !== 'on' && friction !== 'off') throw new UsageError(`--friction must be on or off, not "${String(friction)}"`);

  const spec = await readScenarioFile(file);
  if (!spec) return EXIT_INVALID;
  // The policy is part of the scenario the log records, so replay and scoring see it.
  const scenario = friction === undefined ? spec : { ...spec, controlledFriction: friction as 'on' | 'off' };
  const plan = values.actions === undefined ? undefined : await readPlanFile(values.actions);
  if (values.actions !== undefined && !plan) return EXIT_INVALID;
  if (plan?.scenario !== undefined && plan.scenario !== scenario.id) {
    process.stderr.write(`${values.actions}: this plan is for scenario "${plan.scenario}", not "${scenario.id}"\n`);
    return EXIT_INVALID;
  }

  const rejections: Rejection[] = [];
  const sent = new Set<number>();
  const onCommand = (input: PlanCommand, result: CommandResult, index: number, t: number) => {
    sent.add(index);
    if (!result.ok) rejections.push(rejectionOf(input, result, t));
  };
  const session = runScenario(scenario, {
    ...(seed !== undefined ? { seed } : {}),
    ...(until !== undefined ? { until } : {}),
    commands: plan?.commands ?? [],
    onCommand,
  });
  const summary = summarizeRun(session.scenario, session.seed, session.events, session.now);
  // Index 0 is the implicit start; the plan's commands are 1…n.
  const unsent = (plan?.commands ?? []).flatMap((command, i) => (sent.has(i + 1) ? [] : [unsentOf(command, session.now)]));
  if (values.out !== undefined) {
    await writeText(values.out, serializeLog(createHeader(session.scenario, session.seed, nodeMajor(), session.variation), session.events));
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ ...summary, commands: { ...summary.commands, rejections, unsent } })}\n`);
  else {
    process.stdout.write(formatSummary(session.scenario, summary, useColor(process.stdout), rejections, unsent));
    if (values.out !== undefined) {
      process.stdout.write(`log: ${values.out} (${session.events.length} events); check it with: npx sevdrill replay ${values.out}\n`);
    }
  }
  return EXIT_OK;
}

/** A plan command the run never sent: due after it stopped, or waiting for an event that never came. */
function unsentOf(command: PlanCommand, end: number): Unsent {
  const what = { actor: command.actor, type: command.type, ...(command.target !== undefined ? { target: command.target } : {}) };
  return isTimed(command)
    ? { ...what, at: command.at, why: `due at ${formatClock(command.at)}, after the run stopped at ${formatClock(end)}` }
    : { ...what, after: afterText(command.after), why: `its event (${afterText(command.after)}) had not come by ${formatClock(end)}` };
}

/** A refused command as `run` reports it; `t` is when the engine took it (the time its log event has). */
function rejectionOf(input: PlanCommand, result: CommandResult & { ok: false }, t: number): Rejection {
  return {
    t,
    ...(isTimed(input) ? (input.at !== t ? { at: input.at } : {}) : { after: afterText(input.after) }),
    actor: input.actor,
    type: input.type,
    ...(input.target !== undefined ? { target: input.target } : {}),
    ...(input.params !== undefined ? { params: input.params } : {}),
    code: result.code,
    message: result.message,
  };
}
