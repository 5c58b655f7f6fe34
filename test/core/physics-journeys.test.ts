/**
 * Journeys that share an entry but take different routes, and users who reload a failed page or
 * give up (issue 10), pinned for fixed seeds.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import { calibrate, computeTick } from '../../engine/core/physics/cascade.ts';
import { createSimState, inputsChanged, simArrays } from '../../engine/core/physics/sim-state.ts';
import { compileTopology, findEdge } from '../../engine/core/physics/topology.ts';
import { type Scenario, type ScenarioInput } from '../../engine/protocol/scenario.ts';
import type { EventOf } from '../../engine/protocol/events.ts';
import type { MetricsSample } from '../../engine/protocol/views.ts';
import { formatDiagnostic } from '../../engine/scenario/diagnostics.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { ROOT, parseScenario } from '../helpers.ts';

type Users = { refresh: number; abandon: number };
interface ShopOptions {
  /** Name each journey's route (browse → catalog, checkout → catalog + payment); else both call everything. */
  routes?: readonly [string[] | undefined, string[] | undefined] | false;
  checkoutUsers?: Users;
  paymentErrorRate?: number;
}

/**
 * A frontend with 20 rps of background traffic and two journeys: browse (300 rps) and checkout
 * (50 rps). Payment is sized for checkout, not for everyone: 200 rps. From 5 to 15 minutes payment
 * fails every request.
 */
function shop(o: ShopOptions = {}): Scenario {
  const routes = o.routes === undefined ? [['catalog'], ['catalog', 'payment']] : o.routes;
  const input: ScenarioInput = {
    id: 'shop',
    title: 'Shop',
    briefing: 'Browse and checkout share a frontend.',
    seed: 7,
    duration: '1h',
    services: [
      {
        id: 'frontend',
        tier: 'critical',
        baseline: { latencyMs: 10, rps: 20 },
        capacity: 800,
        dependencies: [
          { service: 'catalog', kind: 'hard', timeout: '1s', retries: 1 },
          { service: 'payment', kind: 'hard', timeout: '2s', retries: 1 },
        ],
      },
      { id: 'catalog', tier: 'critical', baseline: { latencyMs: 20 }, capacity: 1000 },
      { id: 'payment', tier: 'critical', baseline: { latencyMs: 200, p99Ms: 600 }, capacity: 200 },
    ],
    journeys: [
      { id: 'browse', name: 'Browse', entry: 'frontend', rps: 300, valuePerRequest: 0.1, slo: { errorRate: 0.01, p99Ms: 2000 }, ...(routes && routes[0] ? { route: routes[0] } : {}) },
      {
        id: 'checkout',
        name: 'Checkout',
        entry: 'frontend',
        rps: 50,
        valuePerRequest: 20,
        slo: { errorRate: 0.01, p99Ms: 3000 },
        ...(routes && routes[1] ? { route: routes[1] } : {}),
        ...(o.checkoutUsers ? { users: o.checkoutUsers } : {}),
      },
    ],
    faults: [{ id: 'pay-down', kind: 'dependency-outage', target: 'payment', at: '5m', for: '10m', effect: { errorRate: o.paymentErrorRate ?? 1 }, rootCause: true }],
    actions: [{ type: 'restart', target: 'payment' }],
    objectives: { ack: '5m', declare: '10m', mitigate: '30m', resolve: '45m' },
  };
  return parseScenario(input);
}

/** Every tick's sample up to `until`. */
function samples(scenario: Scenario, until: number): MetricsSample[] {
  const session = runScenario(scenario, { until: 0 });
  const out: MetricsSample[] = [];
  session.runUntil(until, (s) => out.push(s));
  return out;
}
const at = (out: MetricsSample[], minutes: number) => out.find((s) => s.t === minutes * 60_000) as MetricsSample;
const service = (s: MetricsSample, id: string) => s.services.find((x) => x.id === id) as MetricsSample['services'][number];
const journey = (s: MetricsSample, id: string) => s.journeys.find((x) => x.id === id) as MetricsSample['journeys'][number];

describe('journey routes', () => {
  const routed = samples(shop(), 20 * 60_000);

  it('a journey calls only its route: payment serves checkout and the background traffic, not browse', () => {
    const healthy = at(routed, 4);
    expect(service(healthy, 'frontend').rps).toBe(369);
    // Everyone calls the catalog; payment gets checkout (50) and the background (20), not browse (300).
    expect(service(healthy, 'catalog').rps).toBe(370);
    expect(service(healthy, 'payment').rps).toBe(70);
    expect(journey(healthy, 'checkout').rps + 20).toBeCloseTo(service(healthy, 'payment').rps, -1);
    // Without routes every request calls payment, which cannot take it: every journey fails.
    const plain = at(samples(shop({ routes: false }), 5 * 60_000), 4);
    expect(service(plain, 'payment').rps).toBe(service(plain, 'catalog').rps);
    expect(journey(plain, 'browse').errorRate).toBe(1);
  });

  it('a fault on payment fails checkout and leaves browse within its baseline', () => {
    const healthy = at(routed, 4);
    const failing = at(routed, 10);
    expect(journey(failing, 'checkout')).toMatchObject({ errorRate: 1, inSlo: false });
    expect(journey(failing, 'browse')).toMatchObject({ errorRate: 0.0012, inSlo: true, p99Ms: 77.9 });
    expect(journey(healthy, 'browse')).toMatchObject({ errorRate: 0.001, p99Ms: 76.6 });
    // Checkout waits for two failed payment attempts (retries: 1): slower, but within its users' patience.
    expect(journey(healthy, 'checkout').p99Ms).toBe(638.7);
    expect(journey(failing, 'checkout').p99Ms).toBe(1067.7);
    // Payment sees each checkout call twice (one retry) and still nothing from browse.
    expect(service(failing, 'payment').rps).toBe(135);
    // The frontend's error rate is checkout's and the background's share: (48 + 20) / 357.
    expect(service(failing, 'frontend').errorRate).toBe(0.1901);
  });

  it("the frontend's saturation is its traffic-weighted mixture: checkout's slower requests hold its workers longer", () => {
    expect(service(at(routed, 4), 'frontend').saturation).toBe(0.4615);
    expect(service(at(routed, 10), 'frontend').saturation).toBe(0.8078);
    expect(service(at(routed, 18), 'frontend').saturation).toBe(0.4391);
  });

  it('composes the entry as the mixture of its classes, with shares from the traffic', () => {
    const topo = compileTopology(shop());
    const sim = createSimState(topo);
    calibrate(topo, sim);
    const fe = topo.index.get('frontend') as number;
    const payment = topo.index.get('payment') as number;
    const check = () => {
      // Shares of the frontend's 370 rps: browse 300, checkout 50, the rest (background) 20, calling everything.
      const [browse, checkout] = [sim.journeyShare[0] as number, sim.journeyShare[1] as number];
      expect(browse).toBeCloseTo(300 / 370, 12);
      expect(checkout).toBeCloseTo(50 / 370, 12);
      expect(sim.edgeWeight[findEdge(topo, fe, payment)]).toBeCloseTo(70 / 370, 12);
      expect(sim.edgeWeight[findEdge(topo, fe, topo.index.get('catalog') as number)]).toBe(1);
      // The background calls everything, as checkout does: its class composes as checkout's.
      const rest = 1 - browse - checkout;
      const mean = browse * (sim.journeyMean[0] as number) + (checkout + rest) * (sim.journeyMean[1] as number);
      expect(sim.serviceMean[fe]).toBeCloseTo(mean, 9);
      const ok = (j: number) => (sim.journeyOkFree[j] as number) * (sim.journeyOkKeyed[j] as number);
      const okMix = browse * ok(0) + (checkout + rest) * ok(1);
      expect((1 - (sim.failInd[fe] as number)) * (1 - (sim.failKey[fe] as number))).toBeCloseTo(okMix, 12);
    };
    check();
    expect(sim.journeyMean[1] as number).toBeGreaterThan(5 * (sim.journeyMean[0] as number));
    // Payment fails everything: checkout fails, browse does not, the frontend fails their mixture.
    for (let minute = 0; minute < 5; minute++) {
      sim.errAdd[payment] = 1;
      // A fault would say so itself (rules/faults.ts); poking the modifier directly, the test must.
      inputsChanged(sim);
      computeTick(topo, sim, 60_000, minute * 60_000);
    }
    check();
    // Its workers are held for the mixture's time in service: saturation = arrivals × mean time ÷ workers.
    const busy = ((sim.offered[fe] as number) * (sim.serviceMean[fe] as number)) / (1000 * (sim.workers[fe] as number));
    expect(sim.saturation[fe]).toBeCloseTo(busy, 6);
    expect(sim.saturation[fe]).toBeCloseTo(0.8364, 4);
    expect(sim.journeyOkFree[1]).toBe(0);
    expect(1 - (sim.journeyOkFree[0] as number)).toBeLessThan(0.0011);
    // 70 of 370 requests a second fail on payment; of the others, browse's own 0.1% (and a catalog call failing twice).
    expect(sim.failInd[fe]).toBeCloseTo(70 / 370 + (300 / 370) * 0.001, 5);
  });

  it('a journey without a route, beside one with a route, still calls everything and sees all of it', () => {
    const failing = at(samples(shop({ routes: [['catalog'], undefined] }), 10 * 60_000), 9);
    expect(journey(failing, 'checkout').errorRate).toBe(1);
    expect(journey(failing, 'browse').errorRate).toBe(0.0011);
    expect(service(failing, 'payment').rps).toBe(136);
  });

  it('a route that names every dependency behaves as no route at all', () => {
    const all = samples(shop({ routes: [['catalog', 'payment'], ['payment', 'catalog']] }), 8 * 60_000);
    const none = samples(shop({ routes: false }), 8 * 60_000);
    for (const minute of [4, 7]) {
      const [a, b] = [at(all, minute), at(none, minute)];
      for (const id of ['frontend', 'payment']) {
        expect(service(a, id).rps).toBe(service(b, id).rps);
        expect(service(a, id).errorRate).toBeCloseTo(service(b, id).errorRate, 3);
      }
      expect(journey(a, 'browse').errorRate).toBeCloseTo(journey(b, 'browse').errorRate, 3);
    }
  });
});

/** web → api, 1,000 rps, no noise: api fails `errorRate` of requests from 5 to 15 minutes. */
function simple(users: Users | undefined, errorRate = 0.5): Scenario {
  const quiet = { rps: 0, latency: 0, errorRate: 0 };
  return parseScenario({
    id: 'users',
    title: 'Users',
    briefing: 'A web tier and its API.',
    seed: 7,
    duration: '1h',
    services: [
      { id: 'web', tier: 'critical', baseline: { latencyMs: 10 }, capacity: 5000, noise: quiet, dependencies: [{ service: 'api', kind: 'hard', timeout: '1s' }] },
      { id: 'api', tier: 'critical', baseline: { latencyMs: 20 }, capacity: 5000, noise: quiet },
    ],
    journeys: [{ id: 'shop', name: 'Shop', entry: 'web', rps: 1000, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 2000 }, ...(users ? { users } : {}) }],
    faults: [{ id: 'bad', kind: 'code-deploy', target: 'api', at: '5m', for: '10m', effect: { errorRate }, rootCause: true }],
    actions: [{ type: 'restart', target: 'api' }],
    objectives: { ack: '5m', declare: '10m', mitigate: '30m', resolve: '45m' },
  } satisfies ScenarioInput);
}

const minutes = (scenario: Scenario, until: number) =>
  runScenario(scenario, { until }).events.filter((e): e is EventOf<'impact.minute'> => e.type === 'impact.minute');

describe('users who refresh', () => {
  const out = samples(simple({ refresh: 0.6, abandon: 0 }), 20 * 60_000);

  it("raises the entry's arrivals to rps / (1 − refresh × failure share) while it fails", () => {
    const failing = at(out, 10);
    const f = journey(failing, 'shop').errorRate;
    expect(f).toBe(0.5015);
    // 1000 / (1 − 0.6 × 0.5015) = 1430.4. The tolerance, 0.1%, is the rounding of the sample (rps to
    // the request, errors to 4 digits); noise is off and the failure steady, so nothing else moves it.
    const expected = 1000 / (1 - 0.6 * f);
    expect(Math.abs(service(failing, 'web').rps - expected) / expected).toBeLessThan(0.001);
    // The journey's rps is what a dashboard shows: reloads included.
    expect(journey(failing, 'shop').rps).toBe(1430);
    // The reloads arrive a step after the failures and stop a step after they do.
    expect(service(at(out, 4), 'web').rps).toBe(1001);
    expect(service(at(out, 16), 'web').rps).toBe(1001);
  });

  it('counts as lost only the failures nobody reloaded', () => {
    const plain = minutes(simple(undefined), 12 * 60_000).find((m) => m.minute === 10)?.journeys['shop'];
    const refreshing = minutes(simple({ refresh: 0.6, abandon: 0 }), 12 * 60_000).find((m) => m.minute === 10)?.journeys['shop'];
    expect(plain).toMatchObject({ requests: 60_000, failed: 29_970, lost: 29_970 });
    // 1,430.4 rps × 60 s × (0.5015 − 0.002) × (1 − 0.6): each intent finally fails with f(1 − r)/(1 − fr) = 28.6%.
    expect(refreshing).toMatchObject({ requests: 85_825, failed: 17_148, lost: 17_147.75 });
  });

  /** The storm of physics.test.ts, with users who give up after 3 s (before web's 5 s timeouts). */
  function storm(forSec: number, refresh?: number): Scenario {
    return parseScenario({
      id: 'storm',
      title: 'Metastable storm',
      briefing: 'A capacity dip and retries.',
      seed: 3,
      duration: '2h',
      services: [
        { id: 'web', tier: 'critical', baseline: { latencyMs: 5 }, concurrency: 100_000, dependencies: [{ service: 'api', kind: 'hard', timeout: '5s', retries: 2 }] },
        { id: 'api', tier: 'critical', baseline: { latencyMs: 50, p99Ms: 150 }, capacity: 1000 },
      ],
      journeys: [
        { id: 'shop', name: 'Shop', entry: 'web', rps: 600, timeout: '3s', valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 5000 }, ...(refresh !== undefined ? { users: { refresh, abandon: 0 } } : {}) },
      ],
      faults: [{ id: 'dip', kind: 'capacity-loss', target: 'api', at: '10m', for: `${forSec}s`, effect: { capacityFactor: 0.58 }, rootCause: true }],
      actions: [{ type: 'restart', target: 'api' }],
      objectives: { ack: '5m', declare: '10m', mitigate: '30m', resolve: '45m' },
    } satisfies ScenarioInput);
  }
  const twentyMinutesAfter = (forSec: number, refresh?: number) => runScenario(storm(forSec, refresh), { until: 10 * 60_000 + forSec * 1000 + 20 * 60_000 }).sample();

  it('tips a storm that does not tip without it', () => {
    // A 140 s dip: the backlog's wait passes the users' 3 s patience before the dip ends. Without
    // reloads the backlog then drains; with them, the extra load pushes the wait past web's timeouts.
    const calm = twentyMinutesAfter(140);
    expect(journey(calm, 'shop').errorRate).toBeLessThan(0.002);
    const tipped = twentyMinutesAfter(140, 0.5);
    expect(journey(tipped, 'shop').errorRate).toBe(1);
    // Every request fails, so reloads double the traffic: 600 / (1 − 0.5), with the traffic's noise.
    expect(journey(tipped, 'shop').rps).toBe(1187);
    // A shorter dip recovers even with reloads.
    expect(journey(twentyMinutesAfter(100, 0.5), 'shop').errorRate).toBeLessThan(0.002);
  });
});

describe('users who abandon', () => {
  const out = samples(simple({ refresh: 0, abandon: 0.5 }), 30 * 60_000);
  const rps = (minute: number) => journey(at(out, minute), 'shop').rps;

  it("lower the journey's traffic while it fails, by abandon × the recent failure share", () => {
    expect([4, 6, 8, 10, 14].map(rps)).toEqual([999, 901, 805, 770, 752]);
    // Towards 1000 × (1 − 0.5 × 0.5015) = 749 with a two-minute time constant.
    expect(rps(14)).toBeGreaterThan(749);
    expect(service(at(out, 14), 'web').rps).toBe(752);
  });

  it('come back after it recovers, over a few minutes', () => {
    expect([16, 18, 20, 25, 29].map(rps)).toEqual([849, 944, 979, 997, 999]);
  });

  it('take their unsent requests with them: they count as lost value, not as failures', () => {
    const byMinute = minutes(simple({ refresh: 0, abandon: 0.5 }), 20 * 60_000);
    const plain = minutes(simple(undefined), 20 * 60_000);
    const of = (list: typeof byMinute, minute: number) => list.find((m) => m.minute === minute)?.journeys['shop'];
    expect(of(byMinute, 4)?.lost).toBe(0);
    expect(of(byMinute, 14)).toMatchObject({ failed: 22_523, lost: 37_371.7 });
    expect(of(plain, 14)).toMatchObject({ failed: 29_970, lost: 29_970 });
    // After the fix nothing fails, but the users who left are still missing.
    expect(of(byMinute, 16)).toMatchObject({ failed: 0, lost: 7_404.3 });
  });
});

describe('journey state in the checkpoint', () => {
  it('hashes the users and route state only when a scenario uses them', () => {
    const state = (scenario: Scenario) => {
      const topo = compileTopology(scenario);
      return createSimState(topo);
    };
    const plain = state(simple(undefined));
    const users = state(simple({ refresh: 0.5, abandon: 0.2 }));
    expect(simArrays(users)).toContain(users.journeyReload);
    expect(simArrays(users)).toContain(users.journeyFailRecent);
    // Empty without the feature: the checkpoint skips empty arrays, so such scenarios hash as before.
    expect(plain.journeyReload).toHaveLength(0);
    expect(plain.journeyFailRecent).toHaveLength(0);
    expect(plain.edgeWeight).toHaveLength(0);
    const routed = state(shop());
    expect(simArrays(routed)).toContain(routed.edgeWeight);
    expect(simArrays(routed)).toContain(routed.journeyShare);
  });

  it('replays byte-identically with routes and users', () => {
    const scenario = shop({ checkoutUsers: { refresh: 0.5, abandon: 0.3 } });
    const checkpoints = () => runScenario(scenario, { until: 20 * 60_000 }).events.filter((e) => e.type === 'checkpoint');
    expect(checkpoints()).toEqual(checkpoints());
  });
});

describe('validator', () => {
  const minimal = readFileSync(`${ROOT}test/fixtures/valid/minimal.yaml`, 'utf8');
  const load = (journeyExtra: string) => {
    const text = minimal.replace('    slo: { errorRate: 0.01, p99Ms: 800 }\n', `    slo: { errorRate: 0.01, p99Ms: 800 }\n${journeyExtra}`);
    return loadScenarioText(text, 'shop.yaml').diagnostics.map((d) => formatDiagnostic(d));
  };

  it('accepts a route of the entry’s dependencies and users', () => {
    expect(load('    route: [api]\n    users: { refresh: 0.3, abandon: 0.2 }\n')).toEqual([]);
  });

  it('a route names dependencies of the entry, with a suggestion for a typo', () => {
    expect(load('    route: [apii, db]\n')).toEqual([
      'shop.yaml:36:13: journey "checkout": "apii" is not a dependency of its entry "web" (did you mean "api"?) (at journeys[0].route[0])',
      'shop.yaml:36:19: journey "checkout": "db" is not a dependency of its entry "web" (at journeys[0].route[1])',
    ]);
  });

  it('a route names each dependency once', () => {
    expect(load('    route: [api, api]\n')).toEqual(['shop.yaml:36:18: journey "checkout": "api" is already in its route (at journeys[0].route[1])']);
  });

  it('users either reload or leave: the two shares add up to at most 1', () => {
    expect(load('    users: { refresh: 0.7, abandon: 0.5 }\n')).toEqual([
      'shop.yaml:36:12: journey "checkout": "refresh" and "abandon" are shares of the same users and add up to more than 1 (at journeys[0].users)',
    ]);
  });
});
