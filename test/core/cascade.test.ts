/** Cascade semantics: hard dependencies spread failure, soft ones degrade, breakers stop retry storms. */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import { createSession } from '../../engine/core/session.ts';
import type { MetricsSample } from '../../engine/protocol/views.ts';
import type { TimedCommand } from '../../engine/protocol/commands.ts';
import { loadScenario, tinyScenario } from '../helpers.ts';

type ScenarioArg = Parameters<typeof createSession>[0];

/** Runs a scenario untreated and records every tick's telemetry. */
function samples(scenario: ScenarioArg, until: number): MetricsSample[] {
  const session = createSession(scenario);
  session.submit({ actor: 'facilitator', type: 'start' });
  const out: MetricsSample[] = [];
  session.runUntil(until, (s) => out.push(s));
  return out;
}
const svc = (s: MetricsSample, id: string) => s.services.find((x) => x.id === id) as MetricsSample['services'][number];
const journey = (s: MetricsSample, id: string) => s.journeys.find((x) => x.id === id) as MetricsSample['journeys'][number];

describe('cascade through hard dependencies', () => {
  it('retail-sev1: pricing degrades as its config rolls out, and checkout passes its alert threshold before the rollout completes', () => {
    const scenario = loadScenario('retail-sev1');
    const ticks = samples(scenario, 900_000);
    const faultAt = Math.ceil((scenario.faults.find((f) => f.id === 'pricing-rules-v2')?.at ?? NaN) / scenario.tick) * scenario.tick;
    const before = ticks.filter((s) => s.t < faultAt);
    expect(before.every((s) => svc(s, 'pricing').state === 'healthy' && journey(s, 'checkout').errorRate < 0.05)).toBe(true);
    const pricingDown = ticks.find((s) => svc(s, 'pricing').state === 'down');
    const checkoutBreach = ticks.find((s) => journey(s, 'checkout').errorRate > 0.05);
    expect(pricingDown?.t).toBeGreaterThanOrEqual(faultAt);
    expect(checkoutBreach?.t).toBeGreaterThanOrEqual(faultAt);
    // The config reaches pricing's instances over its ramp (drawn by the seed: 2 to 6 minutes), and
    // checkout, calling pricing twice per order, passes its threshold before the rollout completes.
    const rampUp = scenario.faults.find((f) => f.id === 'pricing-rules-v2')?.rampUp ?? NaN;
    expect((checkoutBreach?.t ?? Infinity) - faultAt).toBeGreaterThan(60_000);
    expect((checkoutBreach?.t ?? Infinity) - faultAt).toBeLessThan(rampUp);
    // Account and product pages fail with it: the shared dependency takes all three journeys out.
    const late = ticks[ticks.length - 1] as MetricsSample;
    for (const id of ['checkout', 'account', 'product-price']) expect(journey(late, id).inSlo).toBe(false);
  });

  it('tiny: a 90% failing api puts web above 5% errors in the very tick the fault starts', () => {
    const ticks = samples(tinyScenario(), 400_000);
    const first = ticks.find((s) => svc(s, 'web').errorRate > 0.05);
    expect(first?.t).toBe(300_000);
    // Three attempts at 90% failure each: about 0.9³ ≈ 73% of requests fail.
    expect(svc(first as MetricsSample, 'web').errorRate).toBeGreaterThan(0.65);
    expect(svc(first as MetricsSample, 'web').errorRate).toBeLessThan(0.8);
  });
});

describe('soft dependencies', () => {
  it('fall back to a degraded result, not an error', () => {
    const scenario = tinyScenario({
      faults: [{ id: 'recs-outage', kind: 'dependency-outage', target: 'recs', at: '5m', effect: { errorRate: 1 }, rootCause: true }],
      actions: [{ type: 'restart', target: 'recs', resolves: ['recs-outage'] }],
    });
    const session = createSession(scenario);
    session.submit({ actor: 'facilitator', type: 'start' });
    session.runUntil(600_000);
    const web = session.sample().services.find((s) => s.id === 'web');
    expect(session.sample().services.find((s) => s.id === 'recs')?.errorRate).toBeGreaterThan(0.99);
    expect(web?.errorRate).toBeLessThan(0.01);
    expect(session.sample().journeys[0]?.inSlo).toBe(true);
    // The impact summary counts the fallback responses as degraded.
    const minute = session.events.filter((e) => e.type === 'impact.minute').at(-1) as unknown as { journeys: { shop: { degraded: number; failed: number } } };
    expect(minute.journeys.shop.degraded).toBeGreaterThan(10_000);
    expect(minute.journeys.shop.failed).toBeLessThan(200);
  });
});

describe('degraded results propagate up through hard dependencies', () => {
  it('a fallback two levels down degrades the journey, without errors', () => {
    const base = tinyScenario();
    const scenario = tinyScenario({
      services: base.services.map((s) => ({
        ...s,
        baseline: { ...s.baseline },
        noise: { ...s.noise },
        dependencies:
          s.id === 'api'
            ? [{ service: 'db', kind: 'hard' as const, timeout: '200ms' }, { service: 'recs', kind: 'soft' as const, timeout: '100ms' }]
            : s.dependencies.filter((d) => d.service !== 'recs').map((d) => ({ ...d, cache: undefined, adaptiveThrottle: undefined, timeout: `${d.timeout}ms`, backoff: `${d.backoff}ms` })),
      })),
      faults: [{ id: 'recs-down', kind: 'dependency-outage', target: 'recs', at: '1m', effect: { errorRate: 1 } }],
      actions: [{ type: 'restart', target: 'recs', resolves: ['recs-down'] }],
    });
    const session = runScenario(scenario, { until: 180_000 });
    const web = session.sample().services.find((s) => s.id === 'web');
    expect(web?.errorRate).toBeLessThan(0.01);
    const minute = session.events.filter((e) => e.type === 'impact.minute').at(-1) as unknown as { journeys: { shop: { degraded: number } } };
    // 200 rps × 60 s, nearly all served from api's fallback.
    expect(minute.journeys.shop.degraded).toBeGreaterThan(11_000);
  });
});

describe('circuit breakers', () => {
  const apiLoad = (scenario: ScenarioArg, commands: TimedCommand[] = []) => {
    const session = runScenario(scenario, { commands, until: 480_000 });
    return session.sample().services.find((s) => s.id === 'api')?.rps ?? NaN;
  };

  it('retries amplify the load on a failing dependency', () => {
    const healthy = samples(tinyScenario(), 60_000).at(-1) as MetricsSample;
    const storm = apiLoad(tinyScenario());
    // 1 + 0.9 + 0.81 = 2.71 attempts per call at 90% failure.
    expect(storm / svc(healthy, 'api').rps).toBeGreaterThan(2.5);
  });

  it('a manually opened breaker stops the amplification', () => {
    const opened = apiLoad(tinyScenario(), [{ at: 360_000, actor: 'ops', type: 'breaker', target: 'web' }]);
    expect(opened).toBe(0);
  });

  it('an automatic breaker opens above its threshold and stops the amplification', () => {
    const base = tinyScenario();
    const withBreaker = tinyScenario({
      services: base.services.map((s) => ({
        ...s,
        baseline: { ...s.baseline },
        noise: { ...s.noise },
        dependencies: s.dependencies.map((d) => ({ ...d, cache: undefined, adaptiveThrottle: undefined, timeout: `${d.timeout}ms`, backoff: `${d.backoff}ms`, ...(d.service === 'api' ? { breaker: 0.5 } : {}) })),
      })),
    });
    expect(apiLoad(withBreaker)).toBe(0);
    expect(apiLoad(base)).toBeGreaterThan(400);
  });

  it('an automatic breaker does not flap around its threshold', () => {
    const base = tinyScenario();
    const withBreaker = tinyScenario({
      services: base.services.map((s) => ({
        ...s,
        baseline: { ...s.baseline },
        noise: { ...s.noise, errorRate: 0.5 },
        dependencies: s.dependencies.map((d) => ({ ...d, cache: undefined, adaptiveThrottle: undefined, timeout: `${d.timeout}ms`, backoff: `${d.backoff}ms`, ...(d.service === 'api' ? { breaker: 0.5 } : {}) })),
      })),
      // Hovers right at the threshold: noisy 50% failures.
      faults: [{ id: 'api-flaky', kind: 'code-deploy', target: 'api', at: '1m', effect: { errorRate: 0.499 }, rootCause: true }],
      actions: [{ type: 'rollback', target: 'api', resolves: ['api-flaky'] }],
    });
    const session = runScenario(withBreaker, { until: 3_600_000 });
    const flips = session.events.filter((e) => e.type === 'breaker.opened' || e.type === 'breaker.closed');
    expect(flips.length).toBeGreaterThan(0);
    expect(flips.length).toBeLessThanOrEqual(2);
  });
});
