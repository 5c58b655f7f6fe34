/**
 * Asynchronous edges (issue 10): a producer publishes to a topic and moves on; the consumer drains it
 * at its own capacity. Lag (messages, and the age of the oldest one) is what a slow or failing
 * consumer shows, and alerts and journey SLOs can watch it; the producer never notices.
 */
import { parseScenario } from '../helpers.ts';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import { createSession } from '../../engine/core/session.ts';
import { lintScenario } from '../../engine/scenario/lint.ts';
import { type Scenario, type ScenarioInput } from '../../engine/protocol/scenario.ts';
import type { MetricsSample } from '../../engine/protocol/views.ts';

type FaultInput = ScenarioInput['faults'][number];

const slowConsumer: FaultInput = { id: 'slow', kind: 'capacity-loss', target: 'fulfil', at: '10m', for: '20m', effect: { capacityFactor: 0.5 }, rootCause: true };
const warehouseDown: FaultInput = { id: 'down', kind: 'dependency-outage', target: 'warehouse', at: '10m', for: '20m', effect: { errorRate: 1 }, rootCause: true };

/**
 * web takes 800 orders/s and publishes each to `orders`; fulfil (100 workers, ~75 ms a message: about
 * 1,300 messages/s) consumes them and calls warehouse. Halving fulfil's workers leaves ~650/s for
 * 800/s published; a warehouse outage makes every message fail (and be redelivered).
 */
function shopInput(fault: FaultInput): ScenarioInput {
  return {
    id: 'orders',
    title: 'Orders on a topic',
    briefing: 'Orders are fulfilled asynchronously.',
    seed: 3,
    duration: '2h',
    services: [
      { id: 'web', tier: 'critical', baseline: { latencyMs: 20 }, capacity: 2000, dependencies: [{ service: 'fulfil', kind: 'async', topic: 'orders' }] },
      { id: 'fulfil', tier: 'standard', baseline: { latencyMs: 50, p99Ms: 150 }, concurrency: 100, dependencies: [{ service: 'warehouse', kind: 'hard', timeout: '2s' }] },
      { id: 'warehouse', tier: 'standard', baseline: { latencyMs: 20 }, capacity: 3000 },
    ],
    journeys: [{ id: 'order', name: 'Order', entry: 'web', rps: 800, valuePerRequest: 1, topic: 'orders', slo: { errorRate: 0.01, p99Ms: 2000, lagSeconds: 120 } }],
    faults: [fault],
    alerts: [{ id: 'orders-lag', topic: 'orders', metric: 'lagSeconds', threshold: 60, for: '1m', severity: 'page' }],
    actions: [{ type: 'restart', target: 'fulfil' }],
    objectives: { ack: '5m', declare: '10m', mitigate: '30m', resolve: '45m' },
  };
}
const shop = (fault: FaultInput): Scenario => parseScenario(shopInput(fault));

/** One sample per minute of a run from the start. */
function minutes(scenario: Scenario, until: number): MetricsSample[] {
  const session = createSession(scenario);
  session.submit({ actor: 'facilitator', type: 'start' });
  const samples: MetricsSample[] = [];
  for (let t = 60_000; t <= until; t += 60_000) {
    session.runUntil(t);
    samples.push(session.sample());
  }
  return samples;
}

const service = (sample: MetricsSample, id: string) => sample.services.find((s) => s.id === id);
const topic = (sample: MetricsSample) => sample.topics[0];

describe('asynchronous edges', () => {
  it('isolate the producer: a saturated consumer raises lag while the producer stays at its baseline', () => {
    const faulty = minutes(shop(slowConsumer), 60 * 60_000);
    const quiet = minutes(shop({ ...slowConsumer, at: '3h' }), 60 * 60_000);
    for (let m = 0; m < faulty.length; m++) {
      // The producer's telemetry is the same number for number, fault or not: it never waits on the topic.
      expect(service(faulty[m] as MetricsSample, 'web')).toEqual(service(quiet[m] as MetricsSample, 'web'));
    }
    const at20 = faulty[19] as MetricsSample;
    expect(service(at20, 'web')?.errorRate).toBeLessThan(0.002);
    expect(topic(at20)).toEqual({ id: 'orders', from: 'web', to: 'fulfil', rps: 819, consumed: 638, lag: 103023, lagSeconds: 125.8 });
    // Without the fault the topic keeps up: only redeliveries of the 0.2% of failed messages wait.
    expect(topic(quiet[19] as MetricsSample)?.lag).toBeLessThan(10);
  });

  it('grows the lag while the consumer is short and drains it at the consumer’s spare capacity after the fix', () => {
    const lag = minutes(shop(slowConsumer), 60 * 60_000).map((s) => topic(s)?.lag ?? Number.NaN);
    // Growing by (published − consumed) ≈ 190 messages/s, for the fault's 20 minutes.
    expect(lag[14]).toBeGreaterThan(lag[12] as number);
    expect(lag[29]).toBeGreaterThan(200_000);
    // Draining: the consumer works flat out (~1,290/s against ~800/s published) for several minutes.
    expect(lag[32]).toBeLessThan(lag[30] as number);
    expect(lag[34]).toBeGreaterThan(50_000);
    expect(lag[39]).toBeLessThan(10);
  });

  it('makes no progress while the consumer’s own dependency is down: failed messages are redelivered', () => {
    const samples = minutes(shop(warehouseDown), 40 * 60_000);
    const during = samples[20] as MetricsSample;
    expect(topic(during)?.consumed).toBe(0);
    expect(service(during, 'fulfil')?.errorRate).toBe(1);
    // The consumer spins through redeliveries at full speed, hammering its broken dependency.
    expect(service(during, 'fulfil')?.saturation).toBeGreaterThan(0.99);
    expect(service(during, 'web')?.errorRate).toBeLessThan(0.002);
    expect(topic(samples[29] as MetricsSample)?.lag).toBeGreaterThan(900_000);
  });

  it('lets alerts and journey SLOs watch the lag', () => {
    const session = runScenario(shop(slowConsumer), { until: 45 * 60_000 });
    const events = session.events;
    const fired = events.find((e) => e.type === 'alert.firing');
    expect(fired).toMatchObject({ t: 950_000, alert: 'orders-lag', topic: 'orders', metric: 'lagSeconds' });
    const slo = events.filter((e) => e.type === 'journey.slo');
    expect(slo.map((e) => [e.t, e.type === 'journey.slo' && e.ok, e.type === 'journey.slo' && e.lagSeconds])).toEqual([
      // Judged over the SLO's one-minute window: its mean lag.
      [1_190_000, false, 121.1],
      [2_080_000, true, 114.1],
    ]);
  });

  it('puts the lag into the checkpoint', () => {
    const a = runScenario(shop(slowConsumer), { until: 20 * 60_000 });
    const b = runScenario(shop({ ...slowConsumer, effect: { capacityFactor: 0.55 } }), { until: 20 * 60_000 });
    expect(service(a.sample(), 'web')).toEqual(service(b.sample(), 'web'));
    expect(a.checkpoint()).not.toBe(b.checkpoint());
  });
});

describe('the validator on topics', () => {
  const lint = (change: (s: ScenarioInput) => void) => {
    const input = shopInput(slowConsumer);
    change(input);
    return lintScenario(parseScenario(input)).map((i) => [i.path.join('.'), i.message, i.severity]);
  };
  const deps = (s: ScenarioInput, i: number) => s.services[i]?.dependencies ?? [];

  it('accepts the shop', () => {
    expect(lint(() => {})).toEqual([]);
  });

  it('rejects retries, breakers and budgets on a publish, and a topic on a synchronous call', () => {
    expect(
      lint((s) => {
        Object.assign(deps(s, 0)[0] ?? {}, { retries: 2, breaker: 0.5, retryBudget: 0.1 });
        Object.assign(deps(s, 1)[0] ?? {}, { topic: 'stock' });
      }),
    ).toEqual([
      ['services.0.dependencies.0.retries', 'web publishes to fulfil asynchronously: it never waits for the consumer, so it has nothing to retry (a failed message is redelivered to the consumer instead); remove "retries"', 'error'],
      ['services.0.dependencies.0.breaker', 'web publishes to fulfil asynchronously: a slow consumer never fails the publisher, so a breaker would never open; remove "breaker"', 'error'],
      ['services.0.dependencies.0.retryBudget', 'web publishes to fulfil asynchronously: there are no retries to budget; remove "retryBudget"', 'error'],
      ['services.1.dependencies.0.topic', '"topic" names the topic of an asynchronous call; "fulfil" calls "warehouse" synchronously (kind: hard): remove it or set kind: async', 'error'],
    ]);
  });

  it('names each topic once, with a default of caller-consumer', () => {
    expect(
      lint((s) => {
        delete deps(s, 0)[0]?.topic;
        s.services[1]?.dependencies?.push({ service: 'warehouse', kind: 'async', topic: 'web-fulfil' });
        s.services[1]?.dependencies?.shift();
        if (s.alerts?.[0]) s.alerts[0].topic = 'web-fulfil';
        if (s.journeys[0]) s.journeys[0].topic = 'web-fulfil';
      }),
    ).toEqual([['services.1.dependencies.0.topic', 'topic "web-fulfil" is already the topic of web → fulfil: give this one its own "topic"', 'error']]);
  });

  it('keeps lag metrics on topics, and checks what alerts and journeys name', () => {
    expect(
      lint((s) => {
        s.alerts = [
          { id: 'a', topic: 'ordrs', metric: 'lag', threshold: 1, severity: 'page' },
          { id: 'b', service: 'fulfil', metric: 'lagSeconds', threshold: 1, severity: 'page' },
          { id: 'c', topic: 'orders', metric: 'errorRate', threshold: 1, severity: 'page' },
        ];
        if (s.journeys[0]) delete s.journeys[0].topic;
      }),
    ).toEqual([
      ['alerts.0.topic', 'unknown topic "ordrs" (did you mean "orders"?)', 'error'],
      ['alerts.1.metric', 'alert "b": lagSeconds is the lag of a topic; add "topic" (an asynchronous dependency\'s topic) instead of a service or journey', 'error'],
      ['alerts.2.metric', 'alert "c" watches topic "orders": its metric is lag (messages) or lagSeconds, not errorRate', 'error'],
      ['journeys.0.slo.lagSeconds', 'journey "order": slo.lagSeconds needs "topic", the topic whose lag counts against it', 'error'],
    ]);
  });
});
