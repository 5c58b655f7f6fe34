/**
 * Seeded variation: ranges and choices in a scenario are drawn once per session, from one stream per
 * field, recorded in the log header, and never drawn again on replay.
 */
import { describe, expect, it } from 'vitest';
import { createSession } from '../../engine/core/session.ts';
import { resolveScenario } from '../../engine/core/variation.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import { createHeader, parseLog, serializeLog } from '../../engine/core/log/log.ts';
import { replayLog } from '../../engine/core/log/replay.ts';
import { scenarioSchema, type ScenarioInput, type ScenarioSpec } from '../../engine/protocol/scenario.ts';
import { variedFields } from '../../engine/protocol/varied.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { formatDiagnostic } from '../../engine/scenario/diagnostics.ts';

function variedInput(): ScenarioInput {
  return {
    id: 'varied',
    title: 'Varied',
    briefing: 'A small system whose incident moves with the seed.',
    seed: 1,
    tick: '10s',
    duration: '1h',
    traffic: { level: { min: 0.8, max: 1.2 } },
    services: [
      { id: 'web', tier: 'critical', baseline: { latencyMs: 20 }, capacity: 1000, dependencies: [{ service: 'api', kind: 'hard', timeout: '500ms', retries: 1 }] },
      { id: 'api', tier: 'critical', baseline: { latencyMs: 10 }, capacity: 2000 },
      { id: 'spare', tier: 'standard', baseline: { latencyMs: 10 }, capacity: 2000 },
    ],
    journeys: [{ id: 'shop', name: 'Shop', entry: 'web', rps: 200, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 1000 } }],
    faults: [
      {
        id: 'bad-deploy',
        kind: 'code-deploy',
        target: 'api',
        at: '5m ± 2m',
        scope: { min: 0.2, max: 0.6 },
        effect: { errorRate: { oneOf: [0.5, 0.9] } },
        change: { summary: 'api 2.0 deployed at {{faults.bad-deploy.at}}' },
        rootCause: true,
      },
    ],
    alerts: [{ id: 'shop-errors', journey: 'shop', metric: 'errorRate', threshold: 0.05, for: '1m', severity: 'page' }],
    actions: [{ type: 'rollback', target: 'api', duration: { min: '1m', max: '3m' }, resolves: ['bad-deploy'] }],
    objectives: { ack: '5m', declare: '10m', mitigate: '30m', resolve: '45m' },
  };
}

const spec = (): ScenarioSpec => scenarioSchema.parse(variedInput());

describe('drawing', () => {
  it('finds every varied field, by a path that names list items by id', () => {
    expect(variedFields(spec()).map((f) => f.path)).toEqual([
      'traffic.level',
      'faults.bad-deploy.scope',
      'faults.bad-deploy.at',
      'faults.bad-deploy.effect.errorRate',
      'actions.rollback:api.duration',
    ]);
  });

  it('draws within the ranges and among the options, durations in whole seconds, the same for the same seed', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) {
      const { scenario, variation } = resolveScenario(spec(), seed);
      expect(resolveScenario(spec(), seed).variation).toEqual(variation);
      const fault = scenario.faults[0];
      expect(fault?.at).toBeGreaterThanOrEqual(180_000);
      expect(fault?.at).toBeLessThanOrEqual(420_000);
      expect((fault?.at ?? 1) % 1000).toBe(0);
      expect(fault?.scope).toBeGreaterThanOrEqual(0.2);
      expect(fault?.scope).toBeLessThanOrEqual(0.6);
      expect([0.5, 0.9]).toContain(fault?.effect.errorRate);
      expect(scenario.traffic.level).toBeGreaterThanOrEqual(0.8);
      expect(scenario.actions[0]?.duration).toBeGreaterThanOrEqual(60_000);
      expect(variation['faults.bad-deploy.at']).toBe(fault?.at);
      seen.add(JSON.stringify(variation));
    }
    // Sixty seeds, sixty different drills.
    expect(seen.size).toBe(60);
  });

  it('fills the times that text names with the drawn time', () => {
    const { scenario } = resolveScenario(spec(), 4);
    const at = scenario.faults[0]?.at ?? 0;
    const clock = `00:${String(Math.floor(at / 60_000)).padStart(2, '0')}:${String((at % 60_000) / 1000).padStart(2, '0')}`;
    expect(scenario.faults[0]?.change?.summary).toBe(`api 2.0 deployed at ${clock}`);
  });

  it('gives each field its own stream: varying one more field changes no other draw', () => {
    const more = variedInput();
    const firstFault = more.faults[0];
    if (firstFault === undefined) throw new Error('no fault');
    more.faults[0] = { ...firstFault, rampUp: { min: '1m', max: '2m' } };
    const a = resolveScenario(spec(), 9).variation;
    const b = resolveScenario(scenarioSchema.parse(more), 9).variation;
    expect(b['faults.bad-deploy.rampUp']).toBeDefined();
    for (const [path, value] of Object.entries(a)) expect(b[path]).toEqual(value);
  });

  it('leaves a scenario that varies nothing as it is, and a resolved one too', () => {
    const { scenario, variation } = resolveScenario(spec(), 3);
    const again = resolveScenario(scenario, 99);
    expect(again.variation).toEqual({});
    expect(again.scenario).toEqual(scenario);
    expect(variation).not.toEqual({});
  });

  it('hits the candidate target the seed chose', () => {
    const input = variedInput();
    const fault = input.faults[0];
    if (fault === undefined) throw new Error('no fault');
    input.faults[0] = { ...fault, target: { oneOf: ['api', ['api', 'spare']] } };
    const targets = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const run = runScenario(scenarioSchema.parse(input), { seed, until: 600_000 });
      const drawn = run.variation['faults.bad-deploy.target'];
      const started = run.events.find((e) => e.type === 'fault.started');
      if (started?.type !== 'fault.started') throw new Error('the fault never started');
      expect(started.targets ?? [started.target]).toEqual(Array.isArray(drawn) ? drawn : [drawn]);
      targets.add(JSON.stringify(drawn));
    }
    expect(targets).toEqual(new Set(['"api"', '["api","spare"]']));
  });

  it('scales every journey by traffic.level', () => {
    const quiet = createSession(scenarioSchema.parse({ ...variedInput(), traffic: { level: 0.5 } }));
    const busy = createSession(scenarioSchema.parse({ ...variedInput(), traffic: { level: 1.5 } }));
    for (const s of [quiet, busy]) {
      s.submit({ actor: 'f', type: 'start' });
      s.runUntil(120_000);
    }
    const rps = (s: typeof quiet) => s.sample().journeys[0]?.rps ?? 0;
    expect(rps(quiet)).toBeGreaterThan(85);
    expect(rps(quiet)).toBeLessThan(115);
    expect(rps(busy)).toBeGreaterThan(255);
    expect(rps(busy)).toBeLessThan(345);
  });
});

describe('the log', () => {
  const session = runScenario(spec(), { seed: 5, until: 1_200_000 });
  const text = serializeLog(createHeader(session.scenario, session.seed, 'test', session.variation), session.events);

  it('records what the seed drew in the header, next to the scenario as it ran', () => {
    const parsed = parseLog(text);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.header.variation).toEqual(resolveScenario(spec(), 5).variation);
    expect(variedFields(parsed.header.scenario)).toEqual([]);
    expect(parsed.header.scenario.faults[0]?.at).toBe(parsed.header.variation?.['faults.bad-deploy.at']);
    const started = session.events.find((e) => e.type === 'fault.started');
    expect(started?.t).toBe(Math.ceil((parsed.header.variation?.['faults.bad-deploy.at'] as number) / 10_000) * 10_000);
  });

  it('replays from the recorded values, without drawing again', () => {
    expect(replayLog(text)).toEqual({ ok: true, events: session.events.length });
    // Another seed in the header would draw other values; the scenario it carries is already drawn.
    const header = JSON.parse(text.split('\n')[0] ?? '');
    expect(createSession(header.scenario, { seed: 77 }).variation).toEqual({});
  });

  it('refuses a header whose recorded variation disagrees with its scenario', () => {
    const header = JSON.parse(text.split('\n')[0] ?? '');
    header.variation['faults.bad-deploy.at'] += 1000;
    const edited = [JSON.stringify(header), ...text.split('\n').slice(1)].join('\n');
    const parsed = parseLog(edited);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/variation faults\.bad-deploy\.at: the scenario holds/);
  });
});

describe('the validator', () => {
  const yaml = (faults: string, extra = '') => `id: v
title: V
briefing: b
duration: 1h
services:
  - { id: web, tier: critical, baseline: { latencyMs: 20 }, capacity: 1000, dependencies: [{ service: api, kind: hard }] }
  - { id: api, tier: critical, baseline: { latencyMs: 10 }, capacity: 1000 }
journeys:
  - { id: shop, name: Shop, entry: web, rps: 100, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 1000 } }
faults:
${faults}
actions:
  - { type: rollback, target: api, resolves: [f] }
objectives: { ack: 5m, declare: 10m, mitigate: 30m, resolve: 45m }
${extra}`;
  const problems = (text: string) => loadScenarioText(text, 'v.yaml').diagnostics.map((d) => formatDiagnostic(d));

  it('accepts every form of a range and a choice', () => {
    const ok = loadScenarioText(yaml('  - { id: f, kind: code-deploy, target: { oneOf: [api, web] }, at: "5m ± 2m", rampUp: { min: 1m, max: 2m }, for: { oneOf: [10m, 20m] }, scope: { min: 0.1, max: 0.3 }, effect: { errorRate: 0.5 }, rootCause: true }'), 'v.yaml');
    expect(ok.diagnostics).toEqual([]);
    expect(ok.ok).toBe(true);
  });

  it('reports a range whose min is above its max, at its line and column', () => {
    expect(problems(yaml('  - { id: f, kind: code-deploy, target: api, at: { min: 7m, max: 3m }, effect: { errorRate: 0.5 } }'))).toEqual([
      "v.yaml:11:50: the range's min is above its max: write min ≤ max (at faults[0].at)",
    ]);
  });

  it('reports a spread that reaches below zero, and a missing end', () => {
    expect(problems(yaml('  - { id: f, kind: code-deploy, target: api, at: "2m ± 3m", scope: { min: 0.1 }, effect: { errorRate: 0.5 } }'))).toEqual([
      'v.yaml:11:50: "2m ± 3m" reaches below zero: the spread must not exceed 2m (at faults[0].at)',
      'v.yaml:11:68: missing required field "max" (at faults[0].scope.max)',
    ]);
  });

  it('checks a range at both ends: a fault that may start after the end is an error', () => {
    expect(problems(yaml('  - { id: f, kind: code-deploy, target: api, at: { min: 30m, max: 2h }, effect: { errorRate: 0.5 } }'))).toEqual([
      'v.yaml:11:50: fault "f" starts at 2h, but the scenario ends at 1h (at faults[0].at)',
    ]);
  });

  it('checks every option of a choice: an unknown candidate target is an error', () => {
    expect(problems(yaml('  - { id: f, kind: code-deploy, target: { oneOf: [api, apx] }, at: 5m, effect: { errorRate: 0.5 } }'))).toEqual([
      'v.yaml:11:41: unknown service "apx" (did you mean "api"?) (at faults[0].target)',
    ]);
  });

  it('reports text that names a time the scenario does not have', () => {
    const found = problems(yaml('  - { id: f, kind: code-deploy, target: api, at: 5m, effect: { errorRate: 0.5 }, change: { summary: "at {{faults.g.at}}" } }'));
    expect(found).toEqual(['v.yaml:11:101: {{faults.g.at}} names no time of this scenario: write e.g. {{faults.<id>.at}} for when a fault with "at" starts (at faults[0].change.summary)']);
  });
});
