/** Shared runs for the scoring tests: each shipped scenario with its reference plan, and a bad plan for retail-sev1. */
import { readFileSync } from 'node:fs';
import { createHeader, serializeLog, type LogHeader } from '../../engine/core/log/log.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import type { PlanCommand } from '../../engine/protocol/commands.ts';
import type { EngineEvent } from '../../engine/protocol/events.ts';
import { loadPlanText } from '../../engine/scenario/plan.ts';
import { scoreLog, type Scorecard } from '../../engine/score/scorecard.ts';
import { ROOT, loadPlanCommands, loadSpec } from '../helpers.ts';

const BAD_PLAN = 'test/fixtures/plans/retail-sev1.bad.plan.yaml';

export interface ScoredRun {
  name: string;
  header: LogHeader;
  events: readonly EngineEvent[];
  card: Scorecard;
  log: string;
}

function loadPlanFile(file: string): PlanCommand[] {
  const result = loadPlanText(readFileSync(`${ROOT}${file}`, 'utf8'), file);
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result.plan.commands;
}

const cache = new Map<string, ScoredRun>();

/** `id` with its reference plan, `id.bad` with the bad plan, `id.untreated` with no commands, `id.<variant>` with the shipped `<id>.<variant>.plan.yaml`. Memoised. */
export function scoredRun(name: string): ScoredRun {
  const hit = cache.get(name);
  if (hit) return hit;
  const [id, variant] = name.split('.') as [string, string | undefined];
  // As `sevdrill run` makes it: the scenario as written, drawn for its own seed, recorded in the header.
  const commands = variant === 'bad' ? loadPlanFile(BAD_PLAN) : variant === 'untreated' ? [] : loadPlanCommands(variant === undefined ? id : `${id}.${variant}`);
  const session = runScenario(loadSpec(id), { commands });
  const header = createHeader(session.scenario, session.seed, 'test', session.variation);
  const events = session.events;
  const run = { name, header, events, card: scoreLog(header, events), log: serializeLog(header, events) };
  cache.set(name, run);
  return run;
}
