/**
 * The behaviours physics v2 must show (issue 10), pinned for fixed seeds: metastable failures with a
 * duration threshold that the tick does not move, queues that take time to drain, keyed failures that
 * retries cannot mask, wasted work, retry budgets, and traffic that remembers.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import { type Scenario, type ScenarioInput } from '../../engine/protocol/scenario.ts';
import type { MetricsSample } from '../../engine/protocol/views.ts';
import type { EventOf } from '../../engine/protocol/events.ts';
import type { TimedCommand } from '../../engine/protocol/commands.ts';
import { loadPlan, loadScenario, stormScenario, tinyScenario, tickSamples, parseScenario } from '../helpers.ts';

const TRIGGER_AT = 10 * 60_000;
const AFTER_TRIGGER = 20 * 60_000;

interface Trigger {
  tick: string;
  /** How long the capacity dip lasts. */
  forSec: number;
  retryBudget?: number;
}

/** The storm of test/helpers.ts (stormScenario), with a retry budget on web → api or none. */
const storm = (o: Trigger): Scenario => stormScenario({ tick: o.tick, forSec: o.forSec, ...(o.retryBudget !== undefined ? { client: { retryBudget: o.retryBudget } } : {}) });

/** Whether the system is still failing twenty minutes after the trigger ended. */
function tipped(o: Trigger): boolean {
  const session = runScenario(storm(o), { until: TRIGGER_AT + o.forSec * 1000 + AFTER_TRIGGER });
  return (session.sample().journeys[0]?.errorRate ?? 0) > 0.5;
}

/** A trigger lasts whole ticks: a fault that starts on a tick ends on the first tick at or after its end. */
const effective = (tickSec: number, forSec: number) => Math.ceil(forSec / tickSec) * tickSec;

/** The shortest trigger (in effective seconds, to 1 s) that leaves the system failing. */
function threshold(tickSec: number): number {
  let lo = 0;
  let hi = 600;
  expect(tipped({ tick: `${tickSec}s`, forSec: hi })).toBe(true);
  while (hi - lo > 1) {
    const mid = Math.round((lo + hi) / 2);
    if (tipped({ tick: `${tickSec}s`, forSec: mid })) hi = mid;
    else lo = mid;
  }
  return effective(tickSec, hi);
}

describe('metastable failure', () => {
  const thresholds = [1, 10, 30].map((tick) => ({ tick, threshold: threshold(tick) }));

  it('has a duration threshold: a shorter trigger recovers by itself, a longer one outlives the trigger', () => {
    expect(thresholds.map((t) => t.threshold)).toEqual([165, 170, 180]);
    expect(tipped({ tick: '1s', forSec: 140 })).toBe(false);
    expect(tipped({ tick: '1s', forSec: 200 })).toBe(true);
    // Tipped, it is still failing at the end of the scenario, 105 minutes after the trigger ended.
    const end = runScenario(storm({ tick: '10s', forSec: 240 }));
    expect(end.sample().journeys[0]?.errorRate).toBeGreaterThan(0.9);
  });

  it('the threshold varies by at most 20% with a 1 s, 10 s or 30 s tick', () => {
    const values = thresholds.map((t) => t.threshold);
    expect(Math.max(...values) / Math.min(...values)).toBeLessThanOrEqual(1.2);
  });

  it('with a retry budget on the edge, no trigger duration tips it', () => {
    for (const forSec of [150, 600, 1800]) expect(tipped({ tick: '10s', forSec, retryBudget: 0.1 })).toBe(false);
  });
});

const service = (s: MetricsSample, id: string) => s.services.find((x) => x.id === id) as MetricsSample['services'][number];
const journey = (s: MetricsSample, id: string) => s.journeys.find((x) => x.id === id) as MetricsSample['journeys'][number];

describe('retail-sev1 on the new physics', () => {
  const scenario = loadScenario('retail-sev1');

  it('the journeys leave their SLO at different times, minutes apart, and stay out untreated', () => {
    const session = runScenario(scenario);
    const out = session.events.filter((e): e is EventOf<'journey.slo'> => e.type === 'journey.slo' && !e.ok);
    const first = new Map<string, number>();
    for (const e of out) if (!first.has(e.journey)) first.set(e.journey, e.t);
    expect([...first.entries()]).toEqual([
      // The default seed pushes the config at 4:10.
      ['checkout', 310_000],
      ['product-price', 350_000],
      ['account', 420_000],
    ]);
    for (const j of session.sample().journeys) expect(j.inSlo, j.id).toBe(false);
  });

  it('pricing is overloaded, not just failing: saturation far above 1 and a full queue', () => {
    const out = tickSamples(scenario, 20 * 60_000);
    const pricing = service(out.at(-1) as MetricsSample, 'pricing');
    expect(pricing.saturation).toBeGreaterThan(2);
    expect(pricing.backlog).toBe(55_000);
    // Before the fault it had headroom and no queue.
    const before = service(out.find((s) => s.t === 4 * 60_000) as MetricsSample, 'pricing');
    expect(before.saturation).toBeLessThan(0.6);
    expect(before.backlog).toBe(0);
  });

  it('wasted work: pricing answers most of what it serves, but too late, so every journey fails', () => {
    const out = tickSamples(scenario, 20 * 60_000);
    const last = out.at(-1) as MetricsSample;
    // Pricing's own error rate is the share it refuses (queue full) or breaks (4% of keys) ...
    expect(service(last, 'pricing').errorRate).toBeLessThan(0.8);
    // ... but its answers come after the callers' timeouts, so every journey fails.
    for (const j of last.journeys) expect(j.errorRate, j.id).toBeGreaterThan(0.99);
  });

  it('recovery takes time: after a rollback alone, the backlog drains over minutes', () => {
    const plan = loadPlan('retail-sev1').filter((c) => c.type !== 'retry-policy');
    const out = tickSamples(scenario, 40 * 60_000, plan);
    // When the rollback lands: its start plus the duration the scenario's seed drew for it.
    const approved = plan.find((c) => c.type === 'approve')?.at ?? NaN;
    const rollbackDone = Math.ceil(approved / scenario.tick) * scenario.tick + (scenario.actions.find((a) => a.type === 'rollback')?.duration ?? NaN);
    const after = out.filter((s) => s.t >= rollbackDone);
    const recovered = after.find((s) => journey(s, 'product-price').errorRate < 0.05);
    expect(recovered).toBeDefined();
    const ticks = ((recovered?.t ?? 0) - rollbackDone) / scenario.tick;
    expect(ticks).toBeGreaterThanOrEqual(6);
    // The queue shrinks while it drains.
    const queue = after.slice(0, ticks).map((s) => service(s, 'pricing').backlog);
    expect(queue[0]).toBeGreaterThan(10_000);
    expect(queue.at(-1)).toBeLessThan(queue[0] as number);
  });

  it('cutting retries first recovers faster than the rollback alone', () => {
    const plan = loadPlan('retail-sev1');
    const mitigated = (commands: typeof plan) =>
      runScenario(scenario, { commands, until: 60 * 60_000 }).events.find((e) => e.type === 'incident.state' && e.to === 'mitigated')?.t ?? Infinity;
    expect(mitigated(plan)).toBeLessThan(mitigated(plan.filter((c) => c.type !== 'retry-policy')));
  });

  it('is tick-independent: with a 10 s and a 30 s tick, first page and mitigation agree within 60 s', () => {
    const plan = loadPlan('retail-sev1');
    const times = (tick: number) => {
      const s = runScenario({ ...scenario, tick }, { commands: plan, until: 60 * 60_000 });
      const page = s.events.find((e) => e.type === 'incident.state' && e.to === 'detected')?.t ?? NaN;
      const mitigated = s.events.find((e) => e.type === 'incident.state' && e.to === 'mitigated')?.t ?? NaN;
      return { page, mitigated };
    };
    const ten = times(10_000);
    const thirty = times(30_000);
    expect(Math.abs(ten.page - thirty.page)).toBeLessThanOrEqual(60_000);
    expect(Math.abs(ten.mitigated - thirty.mitigated)).toBeLessThanOrEqual(60_000);
  });
});

describe('keyed (scoped) failures', () => {
  const scoped = (retries: number, scope?: number) => {
    const base = tinyScenario();
    return tinyScenario({
      services: base.services.map((s) => ({
        ...s,
        baseline: { ...s.baseline },
        noise: { ...s.noise },
        dependencies: s.dependencies.map((d) => ({ ...d, cache: undefined, adaptiveThrottle: undefined, timeout: `${d.timeout}ms`, backoff: `${d.backoff}ms`, ...(d.service === 'api' ? { retries } : {}) })),
      })),
      faults: [{ id: 'bad-key', kind: 'config-deploy', target: 'api', at: '5m', ...(scope !== undefined ? { scope } : {}), effect: { errorRate: scope === undefined ? 0.2 : 1 }, rootCause: true }],
    });
  };
  const webErrors = (scenario: Scenario) => runScenario(scenario, { until: 10 * 60_000 }).sample().services.find((s) => s.id === 'web')?.errorRate ?? NaN;

  it('a fault on 20% of keys fails at least 20% of requests, whatever the retries', () => {
    for (const retries of [0, 2, 5]) expect(webErrors(scoped(retries, 0.2)), `retries ${retries}`).toBeGreaterThanOrEqual(0.2);
  });

  it('the same 20% as independent failures is masked by retries', () => {
    expect(webErrors(scoped(0))).toBeGreaterThan(0.19);
    expect(webErrors(scoped(2))).toBeLessThan(0.02);
  });
});

describe('retry policy as a fix', () => {
  it('a retry-policy action sets the dependency’s retries, and a revert restores them', () => {
    const scenario = tinyScenario({
      actions: [{ type: 'retry-policy', target: 'web', dependency: 'api', retries: 0, duration: '1m' }],
    });
    const load = (commands: TimedCommand[], until: number) =>
      runScenario(scenario, { commands, until }).sample().services.find((s) => s.id === 'api')?.rps ?? NaN;
    const storm = load([], 9 * 60_000);
    const calmed = load([{ at: 6 * 60_000, actor: 'bob', type: 'retry-policy', target: 'web' }], 9 * 60_000);
    // 90% failures: 2.71 attempts per call with two retries, one without.
    expect(storm / calmed).toBeGreaterThan(2.4);
    const reverted = load(
      [
        { at: 6 * 60_000, actor: 'bob', type: 'retry-policy', target: 'web' },
        { at: 8 * 60_000, actor: 'bob', type: 'revert', params: { action: 'retry-policy:web' } },
      ],
      10 * 60_000,
    );
    expect(reverted / storm).toBeGreaterThan(0.95);
  });
});

describe('traffic', () => {
  const quiet = tinyScenario({ faults: [{ id: 'none', kind: 'noise', target: 'recs', at: '5h', effect: { latencyMs: 1 } }], duration: '6h' });

  it('is autocorrelated: lag-1 autocorrelation of a journey’s rps at 10 s is at least 0.5', () => {
    const rps = tickSamples(quiet, 6 * 3600_000).map((s) => s.journeys[0]?.rps ?? NaN);
    const mean = rps.reduce((a, b) => a + b, 0) / rps.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < rps.length; i++) {
      const d = (rps[i] as number) - mean;
      den += d * d;
      if (i > 0) num += d * ((rps[i - 1] as number) - mean);
    }
    expect(num / den).toBeGreaterThanOrEqual(0.5);
  });

  it('follows the daily shape: from a 14:00 start, the 20:00 peak is busier than the start', () => {
    const shaped = { ...quiet, traffic: { ...quiet.traffic, dailyAmplitude: 0.3 } };
    const out = tickSamples(shaped, 6 * 3600_000);
    const at = (h: number) => out.filter((s) => Math.abs(s.t - h * 3600_000) <= 300_000).map((s) => s.journeys[0]?.rps ?? 0);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // 1 + 0.3 cos(−6 h) at the start, 1.3 at the peak: a 30% rise.
    expect(avg(at(6)) / avg(at(0.1))).toBeGreaterThan(1.2);
  });
});

describe('faults on one call', () => {
  /** front and batch both call pay; the fault is on front → pay only. */
  const twoCallers = (fault: Partial<ScenarioInput['faults'][number]>): Scenario =>
    parseScenario({
      id: 'edge',
      title: 'Edge fault',
      briefing: 'Two callers of one service.',
      seed: 5,
      duration: '1h',
      services: [
        // An asynchronous web tier: waiting on pay costs it no worker.
        { id: 'front', tier: 'critical', baseline: { latencyMs: 20 }, concurrency: 100_000, dependencies: [{ service: 'pay', kind: 'hard', timeout: '1s', retries: 1 }] },
        { id: 'batch', tier: 'standard', baseline: { latencyMs: 20 }, capacity: 1000, dependencies: [{ service: 'pay', kind: 'hard', timeout: '1s', retries: 1 }] },
        { id: 'pay', tier: 'critical', baseline: { latencyMs: 50, p99Ms: 150 }, capacity: 1000 },
      ],
      journeys: [
        { id: 'shop', name: 'Shop', entry: 'front', rps: 100, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 3000 } },
        { id: 'jobs', name: 'Jobs', entry: 'batch', rps: 50, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 3000 } },
      ],
      faults: [{ id: 'bad-address', kind: 'config-deploy', target: 'pay', from: 'front', at: '5m', effect: { errorRate: 1 }, rootCause: true, ...fault }],
      actions: [{ type: 'rollback', target: 'front', resolves: ['bad-address'] }],
      objectives: { ack: '5m', declare: '10m', mitigate: '30m', resolve: '45m' },
    });
  const at10 = (scenario: Scenario) => runScenario(scenario, { until: 10 * 60_000 }).sample();

  it('refused fast: the caller fails at once and no load reaches the callee; its other caller is untouched', () => {
    const m = at10(twoCallers({ failure: 'fast' }));
    expect(journey(m, 'shop').errorRate).toBeGreaterThan(0.99);
    expect(service(m, 'front').p99Ms).toBeLessThan(400);
    expect(service(m, 'pay').rps).toBeLessThan(60);
    expect(journey(m, 'jobs').errorRate).toBeLessThan(0.01);
  });

  it('blackholed: the caller waits its whole timeout on every attempt, and still no load reaches the callee', () => {
    const m = at10(twoCallers({ failure: 'timeout' }));
    expect(journey(m, 'shop').errorRate).toBeGreaterThan(0.99);
    // Two attempts of 1 s, plus the backoff between them.
    expect(service(m, 'front').p50Ms).toBeGreaterThan(2000);
    expect(service(m, 'pay').rps).toBeLessThan(60);
    expect(journey(m, 'jobs').errorRate).toBeLessThan(0.01);
  });

  it('slow: added latency past the timeout fails the caller while the callee still does the work', () => {
    const m = at10(twoCallers({ effect: { latencyMs: 1500 } }));
    expect(journey(m, 'shop').errorRate).toBeGreaterThan(0.99);
    // Every call to pay is tried twice, and pay serves every attempt: wasted work.
    expect(service(m, 'pay').rps).toBeGreaterThan(240);
    expect(journey(m, 'jobs').errorRate).toBeLessThan(0.01);
  });

  it('scoped: a bad address for 10% of merchants fails at least 10% of orders, retries or not', () => {
    const m = at10(twoCallers({ scope: 0.1 }));
    expect(journey(m, 'shop').errorRate).toBeGreaterThanOrEqual(0.1);
    expect(journey(m, 'shop').errorRate).toBeLessThan(0.12);
  });

  it('the log names the call, and a change can be announced on another service', () => {
    const session = runScenario(twoCallers({ change: { summary: 'payment endpoint moved', author: 'ops', service: 'batch' } }), { until: 6 * 60_000 });
    const started = session.events.find((e) => e.type === 'fault.started');
    expect(started).toMatchObject({ fault: 'bad-address', target: 'pay', from: 'front' });
    expect(session.events.find((e) => e.type === 'change.deployed')).toMatchObject({ service: 'batch', summary: 'payment endpoint moved' });
  });
});

describe('a retry budget', () => {
  /** web → api (two retries, no backoff worth the name), api failing `errorRate` of attempts independently, nothing else failing. */
  function budgeted(retryBudget?: number): Scenario {
    return parseScenario({
      id: 'budget',
      title: 'Retry budget',
      briefing: 'A failing callee behind a retry budget.',
      seed: 5,
      tick: '10s',
      duration: '30m',
      services: [
        {
          id: 'web',
          tier: 'critical',
          baseline: { latencyMs: 5, errorRate: 0 },
          concurrency: 100_000,
          noise: { rps: 0, latency: 0, errorRate: 0 },
          dependencies: [{ service: 'api', kind: 'hard', timeout: '1s', retries: 2, ...(retryBudget !== undefined ? { retryBudget } : {}) }],
        },
        { id: 'api', tier: 'critical', baseline: { latencyMs: 10, errorRate: 0 }, capacity: 100_000, noise: { rps: 0, latency: 0, errorRate: 0 } },
      ],
      journeys: [{ id: 'shop', name: 'Shop', entry: 'web', rps: 1000, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 2000 } }],
      faults: [{ id: 'half', kind: 'code-deploy', target: 'api', at: '1m', effect: { errorRate: 0.5 }, rootCause: true }],
      objectives: { ack: '5m', declare: '10m', mitigate: '30m', resolve: '45m' },
    } satisfies ScenarioInput);
  }
  const settled = (retryBudget?: number) => tickSamples(budgeted(retryBudget), 10 * 60_000).at(-1) as MetricsSample;

  it('sends at most its share of first attempts as retries, and the caller fails as the retries it really sent allow', () => {
    const m = settled(0.1);
    // 1,000 calls a second, 100 retries: 1,100 attempts on api.
    expect(service(m, 'api').rps).toBe(1100);
    // The client wants W = q + q²·a retries per call (q = 0.5) and sends a·W = 0.1 of them: a = 0.1833.
    // A call then fails with q·(1 − a + a·q·(1 − a + a·q)) = 0.4500. (Counting the budget twice, once
    // on the retries it had already thinned, made it look kinder: 0.349.)
    expect(journey(m, 'shop').errorRate).toBeCloseTo(0.45, 3);
  });

  it('without it, two retries leave q³ of calls failing and api takes every attempt', () => {
    const m = settled();
    expect(journey(m, 'shop').errorRate).toBeCloseTo(0.125, 3);
    expect(service(m, 'api').rps).toBe(1750);
  });
});
