import { parseScenario } from '../helpers.ts';
import { describe, expect, it } from 'vitest';
import { buildScenario, cascadeShare, generatePlan, generateScenario, ROOT_FAULT_ID } from '../../bench/generate.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import { formatDiagnostic } from '../../engine/scenario/diagnostics.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';

const THIRTY_MINUTES = 30 * 60_000;

describe.each([10, 100, 1000])('generateScenario with %i services', (n) => {
  const input = generateScenario({ services: n });
  const text = JSON.stringify(input);

  it('passes the scenario loader (schema and lint) with no diagnostics at all', () => {
    const result = loadScenarioText(text, `generated-${n}.json`);
    expect(result.diagnostics.map((d) => formatDiagnostic(d))).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('has the requested shape', () => {
    const scenario = parseScenario(input);
    expect(scenario.services).toHaveLength(n);
    const edges = scenario.services.reduce((sum, s) => sum + s.dependencies.length, 0);
    expect(edges).toBeGreaterThanOrEqual(1.5 * n);
    expect(edges).toBeLessThanOrEqual(2.5 * n);
    expect(scenario.duration).toBe(6 * 3_600_000);
    expect(scenario.tick).toBe(10_000);
    expect(scenario.journeys.length).toBeGreaterThanOrEqual(2);
    for (const j of scenario.journeys) expect(scenario.alerts.some((a) => a.journey === j.id)).toBe(true);
    const root = scenario.faults.find((f) => f.id === ROOT_FAULT_ID);
    expect(root?.kind).toBe('config-deploy');
    expect(root?.rootCause).toBe(true);
    expect(scenario.facilitator.rootCause).toBe(ROOT_FAULT_ID);
    expect(scenario.actions.some((a) => a.type === 'rollback' && a.resolves.includes(ROOT_FAULT_ID))).toBe(true);
    expect(scenario.services.some((s) => s.dependencies.some((d) => d.kind === 'hard'))).toBe(true);
    expect(scenario.services.some((s) => s.dependencies.some((d) => d.kind === 'soft'))).toBe(true);
    expect(scenario.services.some((s) => s.dependencies.some((d) => d.retries > 0))).toBe(true);
  });

  it('runs for 30 simulated minutes, with and without the generated plan, without throwing', () => {
    const result = loadScenarioText(text, `generated-${n}.json`);
    if (!result.ok) throw new Error('invalid');
    const plain = runScenario(result.scenario, { until: THIRTY_MINUTES });
    expect(plain.now).toBe(THIRTY_MINUTES);
    const planned = runScenario(result.scenario, { until: THIRTY_MINUTES, commands: generatePlan(plain.scenario) });
    expect(planned.now).toBe(THIRTY_MINUTES);
    const rejected = planned.events.filter((e) => e.type === 'command' && e.ok === false);
    expect(rejected).toEqual([]);
    // The generated system is healthy until the root cause lands, then the rollback mitigates it.
    expect(planned.events.find((e) => e.type === 'journey.slo')?.t).toBeGreaterThanOrEqual(5 * 60_000);
    expect(planned.events.some((e) => e.type === 'incident.state' && e.to === 'mitigated')).toBe(true);
  });
});

describe('the generated cascade', () => {
  it('puts at least a third of the 1,000 services above 5% errors 30 minutes after the root cause, untreated', () => {
    const { scenario } = buildScenario({ services: 1000 });
    expect(cascadeShare(scenario, 0)).toBe(0);
    expect(cascadeShare(scenario)).toBeGreaterThanOrEqual(1 / 3);
  });

  it('keeps every number finite deep into the storm (rounding once turned a share into NaN at 00:21:50)', () => {
    const { scenario } = buildScenario({ services: 1000 });
    const sample = runScenario(scenario, { until: 40 * 60_000 }).sample();
    for (const m of [...sample.services, ...sample.journeys]) {
      for (const v of [m.rps, m.errorRate, m.p99Ms]) expect(Number.isFinite(v), m.id).toBe(true);
    }
  });
});

describe('generateScenario determinism', () => {
  it('gives the same scenario for the same seed', () => {
    expect(JSON.stringify(generateScenario({ services: 100, seed: 7 }))).toBe(JSON.stringify(generateScenario({ services: 100, seed: 7 })));
  });

  it('gives a different scenario for another seed', () => {
    expect(JSON.stringify(generateScenario({ services: 100, seed: 7 }))).not.toBe(JSON.stringify(generateScenario({ services: 100, seed: 8 })));
  });

  it('rejects fewer than 4 services', () => {
    expect(() => generateScenario({ services: 3 })).toThrow(/at least|≥ 4/);
  });
});
