/**
 * Every scenario shipped in scenarios/ is checked end to end: it loads cleanly, its reference plan
 * resolves the incident and ends all impact, left alone it runs to its time limit with impact still
 * ongoing, and the stale or harmful advice it offers does not fix anything when followed.
 * Scenarios are discovered from the directory, so a new one is covered as soon as it is added.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import { summarizeRun, type RunSummary } from '../../engine/core/read/summary.ts';
import type { PlanCommand, TimedCommand } from '../../engine/protocol/commands.ts';
import type { EngineEvent } from '../../engine/protocol/events.ts';
import type { Diagnostic } from '../../engine/scenario/diagnostics.ts';
import { loadPlanText, type Plan } from '../../engine/scenario/plan.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { siblingsOf } from '../../engine/cli/io.ts';
import { resolveScenario } from '../../engine/core/variation.ts';
import type { AdviceDef, Scenario } from '../../engine/protocol/scenario.ts';

const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const PLANS = join(SCENARIOS, 'plans');
const HOUR = 3_600_000;

const files = readdirSync(SCENARIOS)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

const describeDiagnostics = (diagnostics: readonly Diagnostic[]): string =>
  diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: [${d.severity}] ${d.message}`).join('\n');

interface Run {
  summary: RunSummary;
  events: readonly EngineEvent[];
}

/** Loads and runs lazily, once per scenario, so each test only pays for what it uses. */
class ShippedScenario {
  private scenarioCache?: Scenario;
  private planCache?: Plan;
  private readonly runs = new Map<string, Run>();

  constructor(readonly file: string) {}

  get path(): string {
    return join(SCENARIOS, this.file);
  }

  get scenario(): Scenario {
    if (!this.scenarioCache) {
      const result = loadScenarioText(readFileSync(this.path, 'utf8'), this.path, siblingsOf(this.path));
      if (!result.ok) throw new Error(`${this.file} does not load:\n${describeDiagnostics(result.diagnostics)}`);
      // As a session with the scenario's own seed runs it: these checks are of that drill.
      this.scenarioCache = resolveScenario(result.scenario, result.scenario.seed).scenario;
    }
    return this.scenarioCache;
  }

  get planPath(): string {
    return join(PLANS, `${this.scenario.id}.plan.yaml`);
  }

  get plan(): Plan {
    if (!this.planCache) {
      const result = loadPlanText(readFileSync(this.planPath, 'utf8'), this.planPath);
      if (!result.ok) throw new Error(`${this.planPath} does not load:\n${describeDiagnostics(result.diagnostics)}`);
      this.planCache = result.plan;
    }
    return this.planCache;
  }

  run(key: string, commands: readonly PlanCommand[], until?: number): Run {
    let run = this.runs.get(key);
    if (!run) {
      const session = runScenario(this.scenario, until === undefined ? { commands } : { commands, until });
      run = { summary: summarizeRun(this.scenario, session.seed, session.events), events: session.events };
      this.runs.set(key, run);
    }
    return run;
  }

  withPlan(): Run {
    return this.run('plan', this.plan.commands);
  }

  untreated(until?: number): Run {
    return this.run(`untreated:${until ?? 'end'}`, [], until);
  }
}

/** The commands that follow a piece of advice at the moment it is shown, with a second approver if needed. */
function followAdvice(scenario: Scenario, advice: AdviceDef): TimedCommand[] {
  const proposal = advice.proposes;
  if (!proposal) return [];
  const commands: TimedCommand[] = [{ at: advice.at, actor: 'responder', type: proposal.type, target: proposal.target }];
  const action = scenario.actions.find((a) => a.type === proposal.type && a.target === proposal.target);
  if (action?.approval) {
    const request = action.id ?? `${action.type}:${action.target}`;
    commands.push({ at: advice.at, actor: 'approver', type: 'approve', params: { request } });
  }
  return commands;
}

const rootCauseEnded = (scenario: Scenario, events: readonly EngineEvent[]): boolean =>
  events.some((e) => e.type === 'fault.ended' && e.fault === scenario.facilitator.rootCause);

describe('shipped scenarios', () => {
  it('finds the scenarios in scenarios/', () => {
    expect(files).toEqual(expect.arrayContaining(['retail-sev1.yaml', 'checkout-retry-storm.yaml', 'auth-cert-expiry.yaml']));
  });
});

describe.each(files)('%s', (file) => {
  const shipped = new ShippedScenario(file);

  it('validates with no errors, and its id matches its file name', () => {
    const result = loadScenarioText(readFileSync(shipped.path, 'utf8'), shipped.path, siblingsOf(shipped.path));
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(describeDiagnostics(errors)).toBe('');
    expect(result.ok).toBe(true);
    expect(`${shipped.scenario.id}.yaml`).toBe(file);
  });

  it('has a reference plan at scenarios/plans/<id>.plan.yaml that validates', () => {
    expect(existsSync(shipped.planPath), `missing ${shipped.planPath}`).toBe(true);
    const result = loadPlanText(readFileSync(shipped.planPath, 'utf8'), shipped.planPath);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(describeDiagnostics(errors)).toBe('');
    expect(result.ok).toBe(true);
    if (shipped.plan.scenario !== undefined) expect(shipped.plan.scenario).toBe(shipped.scenario.id);
    expect(shipped.plan.commands.length).toBeGreaterThan(0);
  });

  it('with its plan: the incident is resolved (or, in a change window, never begins), every journey is back in SLO and no command is rejected', () => {
    const { summary, events } = shipped.withPlan();
    expect(summary.commands.rejected).toBe(0);
    if (shipped.scenario.task !== undefined) {
      // The reference response to a change window stops the root cause before it starts.
      expect(summary.incidentState).toBe('idle');
      expect(events.some((e) => e.type === 'fault.started' && e.fault === shipped.scenario.facilitator.rootCause)).toBe(false);
      expect(summary.impactStart).toBeNull();
      return;
    }
    expect(summary.incidentState).toBe('resolved');
    expect(summary.milestones.resolved).toBeDefined();
    expect(summary.impactStart).not.toBeNull();
    expect(summary.impactEnd).not.toBeNull();
    expect(summary.journeys.filter((j) => j.impactedAtEnd).map((j) => j.journey)).toEqual([]);
  });

  it('without a plan: the drill runs to its time limit and the impact never ends', () => {
    const { summary } = shipped.untreated();
    expect(summary.endReason).toBe('time-limit');
    expect(summary.endedAt).toBe(shipped.scenario.duration);
    expect(summary.impactStart).not.toBeNull();
    expect(summary.impactEnd).toBeNull();
    expect(summary.journeys.some((j) => j.impactedAtEnd)).toBe(true);
    expect(summary.incidentState).not.toBe('resolved');
  });

  it('the plan loses strictly less revenue than leaving the incident alone', () => {
    const treated = shipped.withPlan().summary.totals.lost;
    const untreated = shipped.untreated().summary.totals.lost;
    expect(treated).toBeLessThan(untreated);
  });

  it('following its stale or harmful advice fixes nothing and loses at least as much', () => {
    const misleading = shipped.scenario.advice.filter((a) => a.facilitator.label !== 'correct' && a.proposes !== undefined);
    for (const advice of misleading) {
      const until = Math.min(advice.at + HOUR, shipped.scenario.duration);
      const baseline = shipped.untreated(until);
      const followed = shipped.run(`advice:${advice.id}`, followAdvice(shipped.scenario, advice), until);
      const context = `advice ${advice.id} (${advice.facilitator.label})`;
      expect(followed.summary.commands.rejected, `${context}: its action was rejected`).toBe(0);
      expect(rootCauseEnded(shipped.scenario, followed.events), `${context} ended the root cause`).toBe(false);
      expect(followed.summary.milestones.mitigated, `${context} mitigated the incident`).toBeUndefined();
      expect(followed.summary.impactEnd, `${context} ended the impact`).toBeNull();
      expect(followed.summary.totals.lost, `${context} reduced the revenue lost`).toBeGreaterThanOrEqual(baseline.summary.totals.lost);
    }
  });
});
