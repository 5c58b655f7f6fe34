/**
 * Property tests (fast-check, fixed seed): random valid scenarios driven by random command sequences
 * — including nonsense commands — never make the engine throw, and always replay identically.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayLog } from '../../engine/core/log/replay.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import type { TimedCommand } from '../../engine/protocol/commands.ts';
import { ACTION_TYPES, FAULT_KINDS, JOURNEY_METRICS, METRICS, TOPIC_METRICS, type ScenarioInput } from '../../engine/protocol/scenario.ts';
import { logText, parseScenario } from '../helpers.ts';

const ms = (n: number) => `${n}ms`;

interface DependencyArb {
  to: number;
  kind: 'hard' | 'soft';
  retries: number;
  timeout: number;
  calls: number;
  breaker: number | undefined;
}

const scenarioArb = fc.integer({ min: 2, max: 7 }).chain((n) => {
  const ids = Array.from({ length: n }, (_, i) => `s${i}`);
  const dependency = (i: number): fc.Arbitrary<DependencyArb> =>
    fc.record({
      to: fc.integer({ min: i + 1, max: n - 1 }),
      kind: fc.constantFrom('hard', 'soft'),
      retries: fc.integer({ min: 0, max: 3 }),
      timeout: fc.integer({ min: 20, max: 2000 }),
      calls: fc.constantFrom(0.5, 1, 2),
      breaker: fc.option(fc.double({ min: 0.05, max: 1, noNaN: true }), { nil: undefined }),
    });
  const service = (i: number) =>
    fc.record({
      latencyMs: fc.double({ min: 1, max: 300, noNaN: true }),
      errorRate: fc.double({ min: 0, max: 0.05, noNaN: true }),
      capacity: fc.integer({ min: 10, max: 20_000 }),
      rps: fc.integer({ min: 0, max: 500 }),
      deps: i < n - 1 ? fc.uniqueArray(dependency(i), { maxLength: 3, selector: (d) => d.to }) : fc.constant([] as DependencyArb[]),
    });
  const fault = fc.record({
    target: fc.integer({ min: 0, max: n - 1 }),
    kind: fc.constantFrom(...FAULT_KINDS),
    at: fc.integer({ min: 0, max: 50 }),
    for: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
    rampUp: fc.integer({ min: 0, max: 120 }),
    effect: fc.record(
      {
        errorRate: fc.double({ min: 0, max: 1, noNaN: true }),
        latencyMs: fc.double({ min: 0, max: 5000, noNaN: true }),
        latencyFactor: fc.double({ min: 0.1, max: 20, noNaN: true }),
        capacityFactor: fc.double({ min: 0, max: 3, noNaN: true }),
        rpsFactor: fc.double({ min: 0.1, max: 20, noNaN: true }),
      },
      { requiredKeys: [] },
    ),
    approval: fc.boolean(),
  });
  return fc.record({
    services: fc.tuple(...ids.map((_, i) => service(i))),
    journeys: fc.array(fc.record({ entry: fc.integer({ min: 0, max: n - 1 }), rps: fc.integer({ min: 1, max: 3000 }) }), { minLength: 1, maxLength: 3 }),
    faults: fc.array(fault, { minLength: 1, maxLength: 3 }),
    alerts: fc.array(
      fc.record({ target: fc.integer({ min: 0, max: n - 1 }), metric: fc.constantFrom(...METRICS.filter((m) => !([...TOPIC_METRICS, ...JOURNEY_METRICS] as readonly string[]).includes(m))), threshold: fc.double({ min: 0, max: 2000, noNaN: true }), forS: fc.integer({ min: 0, max: 300 }) }),
      { maxLength: 3 },
    ),
  }).map((r): ScenarioInput => ({
    id: 'prop',
    title: 'Property',
    briefing: 'generated',
    tick: '10s',
    duration: '1h',
    services: r.services.map((s, i) => ({
      id: ids[i] as string,
      tier: 'critical',
      baseline: { rps: s.rps, latencyMs: s.latencyMs, errorRate: s.errorRate },
      capacity: s.capacity,
      dependencies: s.deps.map((d) => ({ service: ids[d.to] as string, kind: d.kind, retries: d.retries, timeout: ms(d.timeout), calls: d.calls, ...(d.breaker !== undefined ? { breaker: d.breaker } : {}) })),
    })),
    journeys: r.journeys.map((j, i) => ({ id: `j${i}`, name: `J${i}`, entry: ids[j.entry] as string, rps: j.rps, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 1000 } })),
    faults: r.faults.map((f, i) => ({ id: `f${i}`, kind: f.kind, target: ids[f.target] as string, at: `${f.at}m`, rampUp: `${f.rampUp}s`, effect: f.effect, ...(f.for !== undefined ? { for: `${f.for}m` } : {}) })),
    alerts: r.alerts.map((a, i) => ({ id: `a${i}`, service: ids[a.target] as string, metric: a.metric, threshold: a.threshold, for: `${a.forS}s`, severity: 'page' })),
    actions: [
      ...r.faults.map((f, i) => ({ id: `fix-${i}`, type: 'rollback' as const, target: ids[f.target] as string, duration: '2m', approval: f.approval, resolves: [`f${i}`] })),
      ...ids.map((id) => ({ type: 'restart' as const, target: id, duration: '1m' })),
      ...ids.map((id) => ({ type: 'scale' as const, target: id, capacityFactor: 2 })),
      ...ids.map((id) => ({ type: 'drain' as const, target: id, shed: 0.3 })),
      ...r.services.flatMap((s, i) => s.deps.slice(0, 1).map((d) => ({ type: 'breaker' as const, target: ids[i] as string, dependency: ids[d.to] as string }))),
    ],
    objectives: { ack: '5m', declare: '10m', mitigate: '30m', resolve: '50m' },
  }));
});

const commandArb = fc.record({
  at: fc.integer({ min: 0, max: 3_700_000 }),
  actor: fc.constantFrom('alice', 'bob', 'facilitator', ''),
  type: fc.constantFrom(...ACTION_TYPES, 'ack', 'declare', 'resolve', 'assign-role', 'status-update', 'diagnose', 'approve', 'deny', 'start', 'pause', 'resume', 'end', 'inject', 'bogus'),
  target: fc.option(fc.constantFrom('s0', 's1', 's2', 's6', 'nope'), { nil: undefined }),
  params: fc.option(
    fc.record(
      {
        severity: fc.integer({ min: 0, max: 5 }),
        role: fc.constantFrom('ic', 'ops', 'comms', 'chef'),
        message: fc.string({ maxLength: 30 }),
        request: fc.constantFrom('fix-0', 'fix-1', 'rollback:s0', 'x'),
        fault: fc.constantFrom('f0', 'f1', 'zzz'),
        breakGlass: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
});

describe('engine properties', () => {
  it('never throws on random scenarios and commands, and always replays identically', () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(commandArb, { maxLength: 30 }), fc.integer({ min: 0, max: 1000 }), (input, commands, seed) => {
        const scenario = parseScenario(input);
        const session = runScenario(scenario, { seed, commands: commands as TimedCommand[] });
        expect(session.events[0]).toMatchObject({ type: 'command', command: 'start', ok: true });
        const sample = session.sample();
        for (const m of [...sample.services, ...sample.journeys]) {
          for (const v of [m.rps, m.errorRate, m.p99Ms]) expect(Number.isFinite(v)).toBe(true);
          expect(m.errorRate).toBeGreaterThanOrEqual(0);
          expect(m.errorRate).toBeLessThanOrEqual(1);
        }
        const replay = replayLog(logText(session));
        expect(replay).toMatchObject({ ok: true });
      }),
      { numRuns: 80, seed: 20261122 },
    );
  }, 60_000);
});
