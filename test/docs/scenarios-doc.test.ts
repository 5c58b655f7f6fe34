/** The fully commented example in docs/scenarios.md must stay valid and winnable, with its plan. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import { summarizeRun } from '../../engine/core/read/summary.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { loadPlanText } from '../../engine/scenario/plan.ts';
import { ROOT } from '../helpers.ts';

const doc = readFileSync(`${ROOT}docs/scenarios.md`, 'utf8');
const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
const scenarioText = blocks.find((b) => b.includes('id: inventory-deploy')) as string;
const planText = blocks.find((b) => b.includes('scenario: inventory-deploy')) as string;

describe('docs/scenarios.md example', () => {
  const loaded = loadScenarioText(scenarioText ?? '', 'docs/scenarios.md#example');

  it('is valid, with no warnings', () => {
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.ok).toBe(true);
  });

  it('is winnable with its plan, and hurts until the end without it', () => {
    if (!loaded.ok) throw new Error('example is invalid');
    const plan = loadPlanText(planText ?? '', 'docs/scenarios.md#plan');
    if (!plan.ok) throw new Error(plan.diagnostics.map((d) => d.message).join('\n'));
    const treated = runScenario(loaded.scenario, { commands: plan.plan.commands });
    const untreated = runScenario(loaded.scenario);
    const t = summarizeRun(treated.scenario, treated.seed, treated.events);
    const u = summarizeRun(untreated.scenario, untreated.seed, untreated.events);
    expect(t.incidentState).toBe('resolved');
    expect(t.commands.rejected).toBe(0);
    expect(u.impactEnd).toBeNull();
    expect(u.totals.lost).toBeGreaterThan(t.totals.lost * 3);
  });

  it('following the harmful advice starts the herd', () => {
    if (!loaded.ok) throw new Error('example is invalid');
    const session = runScenario(loaded.scenario, { until: 3_600_000, commands: [{ at: 540_000, actor: 'x', type: 'restart', target: 'checkout' }] });
    expect(session.events.some((e) => e.type === 'fault.started' && e.fault === 'restart-herd')).toBe(true);
  });
});
