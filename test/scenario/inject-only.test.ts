/** A fault with neither `at` nor `trigger`: valid, never starts by itself, and the facilitator can inject it. */
import { resolveScenario } from '../../engine/core/variation.ts';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../engine/protocol/commands.ts';
import type { ScenarioInput } from '../../engine/protocol/scenario.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import { formatDiagnostic } from '../../engine/scenario/diagnostics.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { lintPlan } from '../../engine/scenario/plan-lint.ts';

const minimal = parse(readFileSync('test/fixtures/valid/minimal.yaml', 'utf8')) as ScenarioInput;
/** The minimal scenario plus a spare fault on the database that heals after 10 minutes. */
const withSpare = (spare: Partial<ScenarioInput['faults'][number]> = {}) => {
  const input = structuredClone(minimal);
  input.faults.push({ id: 'spare', kind: 'latency-spike', target: 'db', for: '10m', effect: { latencyMs: 400 }, ...spare });
  return loadScenarioText(stringify(input), 'spare.yaml');
};

describe('an inject-only fault', () => {
  it('is valid with neither at nor trigger', () => {
    const loaded = withSpare();
    expect(loaded.diagnostics.map((d) => formatDiagnostic(d))).toEqual([]);
    expect(loaded.ok).toBe(true);
  });

  it('is still an error with both at and trigger', () => {
    const loaded = withSpare({ at: '10m', trigger: { action: 'restart', target: 'api' } });
    expect(loaded.ok).toBe(false);
    expect(loaded.diagnostics.map((d) => d.message)).toEqual(['fault "spare" has both "at" and "trigger": choose at or trigger']);
  });

  it('must still be able to end', () => {
    const input = structuredClone(minimal);
    input.faults.push({ id: 'spare', kind: 'latency-spike', target: 'db', effect: { latencyMs: 400 } });
    const loaded = loadScenarioText(stringify(input), 'spare.yaml');
    expect(loaded.diagnostics.map((d) => d.message)).toEqual(['fault "spare" can never end: no action resolves it and it has no "for"']);
  });

  it('never starts by itself; the facilitator injects it, and it then runs its course', () => {
    const loaded = withSpare();
    if (!loaded.ok) throw new Error('invalid');
    const started = (events: ReturnType<typeof runScenario>['events']) => events.filter((e) => e.type === 'fault.started' && e.fault === 'spare');

    expect(started(runScenario(loaded.scenario, { until: 3_600_000 }).events)).toEqual([]);

    const results: CommandResult[] = [];
    const inject = { at: 20 * 60_000, actor: 'facilitator', type: 'inject', params: { fault: 'spare' } };
    const session = runScenario(loaded.scenario, { until: 3_600_000, commands: [inject], onCommand: (_input, result) => results.push(result) });
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(started(session.events)).toEqual([expect.objectContaining({ t: 1_200_000, injectedBy: 'facilitator', target: 'db' })]);
    expect(session.events.filter((e) => e.type === 'fault.ended' && e.fault === 'spare')).toEqual([
      expect.objectContaining({ t: 1_800_000, reason: 'expired' }),
    ]);
  });

  it('can be injected from a plan: the plan checks accept it', () => {
    const loaded = withSpare();
    if (!loaded.ok) throw new Error('invalid');
    expect(lintPlan([{ at: 60_000, type: 'inject', params: { fault: 'spare' } }], resolveScenario(loaded.scenario, 1).scenario)).toEqual([]);
  });
});
