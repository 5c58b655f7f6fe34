/**
 * Retry throttling (gRPC's token bucket) and client-side adaptive throttling (SRE book), pinned for
 * fixed seeds on the metastable storm of physics.test.ts: web → api at 600 rps, a 5 s timeout, two
 * retries, and a capacity dip of api to 58%. Each option is a field on the dependency and a fix a
 * retry-policy action can push; the lint rules that come with them are at the end.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import { lintScenario } from '../../engine/scenario/lint.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { type Scenario, type ScenarioInput } from '../../engine/protocol/scenario.ts';
import type { MetricsSample } from '../../engine/protocol/views.ts';
import type { TimedCommand } from '../../engine/protocol/commands.ts';
import { logText, stormScenario, tickSamples, parseScenario } from '../helpers.ts';

type Dependency = NonNullable<ScenarioInput['services'][number]['dependencies']>[number];
type Action = NonNullable<ScenarioInput['actions']>[number];

const DIP_AT = 10 * 60_000;
const MIN = 60_000;

const api = (s: MetricsSample) => s.services.find((x) => x.id === 'api') as MetricsSample['services'][number];
const web = (s: MetricsSample) => s.services.find((x) => x.id === 'web') as MetricsSample['services'][number];
const shopErrors = (s: MetricsSample) => s.journeys[0]?.errorRate ?? NaN;
/** Attempts per call web makes to api: 1 without retries, up to 3 with two. */
const attemptsPerCall = (s: MetricsSample) => Math.round((api(s).rps / web(s).rps) * 1000) / 1000;
/** The first tick at or after `from` where the journey fails less than 5% of requests. */
const recoveredAt = (out: MetricsSample[], from: number) => out.find((s) => s.t >= from && shopErrors(s) < 0.05)?.t ?? Infinity;
const at = (out: MetricsSample[], t: number) => out.find((s) => s.t === t) as MetricsSample;

/** A dip this long tips the plain storm (test/core/physics.test.ts puts the threshold at 170 s with a 10 s tick). */
const DIP_SEC = 240;
const ADAPTIVE = { adaptiveThrottle: { k: 2 } };
const BUCKET = { retryThrottle: { maxTokens: 10, tokenRatio: 0.1 } };

describe('client-side adaptive throttling (K = 2, a 2-minute window)', () => {
  it('the dip that tips the plain storm recovers by itself once the dip ends', () => {
    const plain = tickSamples(stormScenario({ forSec: DIP_SEC }), 40 * MIN);
    const throttled = tickSamples(stormScenario({ forSec: DIP_SEC, client: ADAPTIVE }), 40 * MIN);
    const dipEnd = DIP_AT + DIP_SEC * 1000;
    // Without it: still failing twenty minutes after the dip ended.
    expect(shopErrors(at(plain, dipEnd + 20 * MIN))).toBe(1);
    // With it: back under 5% errors 100 s after the dip ended (the window still remembers the
    // failures, so the client goes on rejecting for a while), and healthy for good.
    expect(recoveredAt(throttled, dipEnd)).toBe(dipEnd + 100_000);
    expect(Math.max(...throttled.filter((s) => s.t >= dipEnd + 3 * MIN).map(shopErrors))).toBe(0.0012);
  });

  it('keeps the load on the callee down while a long dip lasts, and recovers after it', () => {
    const load = (client: Partial<Dependency>) => {
      const out = tickSamples(stormScenario({ forSec: 600, client }), 40 * MIN);
      const during = out.filter((s) => s.t >= DIP_AT && s.t < DIP_AT + 10 * MIN).map((s) => api(s).rps);
      return {
        recovered: recoveredAt(out, DIP_AT + 10 * MIN),
        mean: Math.round(during.reduce((a, b) => a + b, 0) / during.length),
        ticksOverCapacity: during.filter((rps) => rps > 1000).length,
      };
    };
    // Without it: about 1,500 attempts a second on average, above even api's full capacity in 43 of
    // the dip's 60 ticks, and it never recovers.
    expect(load({})).toEqual({ recovered: Infinity, mean: 1496, ticksOverCapacity: 43 });
    // With it: one burst as the storm starts (the window needs tens of seconds to see it), then the
    // client sends about twice what api accepts; 60 s after the dip, the journey is healthy again.
    expect(load(ADAPTIVE)).toEqual({ recovered: DIP_AT + 10 * MIN + 60_000, mean: 632, ticksOverCapacity: 6 });
  });
});

describe('token-bucket retry throttling (maxTokens 10, tokenRatio 0.1)', () => {
  const dipEnd = DIP_AT + DIP_SEC * 1000;

  it('retries collapse while attempts fail and come back once they succeed again', () => {
    // api fails 5% of requests on a good day, so retries show: about 1.05 attempts per call.
    const plain = tickSamples(stormScenario({ forSec: DIP_SEC, apiErrorRate: 0.05 }), 40 * MIN);
    const throttled = tickSamples(stormScenario({ forSec: DIP_SEC, apiErrorRate: 0.05, client: BUCKET }), 40 * MIN);
    expect(attemptsPerCall(at(throttled, DIP_AT - 10_000))).toBe(1.052);
    // While the dip makes attempts time out, the buckets are empty: first attempts only.
    const failing = throttled.filter((s) => s.t >= DIP_AT && shopErrors(s) > 0.5);
    expect(failing.map((s) => s.t)).toEqual(Array.from({ length: 17 }, (_, i) => 680_000 + i * 10_000));
    expect(failing.map(attemptsPerCall)).toEqual([1.017, ...Array<number>(16).fill(1)]);
    // The plain storm sends about four attempts per call (retries of earlier calls arriving too).
    expect(Math.max(...plain.filter((s) => s.t >= DIP_AT && s.t < dipEnd).map(attemptsPerCall))).toBe(4.021);
    // The backlog drains within a tick of the dip's end, successes refill the buckets, and the 5% of
    // failures are retried again.
    expect(recoveredAt(throttled, dipEnd)).toBe(dipEnd + 10_000);
    expect(attemptsPerCall(at(throttled, dipEnd + 5 * MIN))).toBe(1.053);
    expect(shopErrors(at(throttled, dipEnd + 5 * MIN))).toBe(0.0011);
    expect(shopErrors(at(plain, dipEnd + 20 * MIN))).toBe(1);
  });

  it('composes with a retry budget: both caps apply', () => {
    const both = tickSamples(stormScenario({ forSec: DIP_SEC, apiErrorRate: 0.05, client: { ...BUCKET, retryBudget: 0.02 } }), 20 * MIN);
    // On a good day the budget is the tighter cap (2% of first attempts) ...
    expect(attemptsPerCall(at(both, DIP_AT - 10_000))).toBe(1.021);
    // ... in the storm the bucket is: no retries at all, once the first failing tick has emptied it.
    expect(both.filter((s) => shopErrors(s) > 0.99).map(attemptsPerCall)).toEqual([1.003, ...Array<number>(11).fill(1)]);
    expect(recoveredAt(both, dipEnd)).toBe(dipEnd + 10_000);
  });
});

describe('a retry-policy action switches a throttle on', () => {
  const withAction = (action: Partial<Action>) =>
    stormScenario({ forSec: DIP_SEC, secondDipAt: '50m', actions: [{ type: 'retry-policy', target: 'web', dependency: 'api', ...action }] });
  const push: TimedCommand = { at: 20 * MIN, actor: 'bob', type: 'retry-policy', target: 'web' };
  const revert: TimedCommand = { at: 40 * MIN, actor: 'bob', type: 'revert', params: { action: 'retry-policy:web' } };
  const untreated = tickSamples(withAction(ADAPTIVE), 80 * MIN);

  it('untreated, the storm outlives both dips', () => {
    expect([20, 45, 75].map((m) => shopErrors(at(untreated, m * MIN)))).toEqual([1, 1, 1]);
  });

  it('adaptive throttling pushed during a tipped storm recovers it; a revert brings the old behaviour back', () => {
    const pushed = tickSamples(withAction(ADAPTIVE), 80 * MIN, [push]);
    // The new throttler starts with no accepts, so it first rejects nearly everything; api drains,
    // and accepts grow back by e every minute (half the window): healthy 8m50s after it landed.
    expect(recoveredAt(pushed, 21 * MIN)).toBe(29 * MIN + 50_000);
    // It stays on: the second dip recovers by itself, 60 s after it ends.
    expect(shopErrors(at(pushed, 45 * MIN))).toBe(0.001);
    expect(recoveredAt(pushed, 54 * MIN)).toBe(55 * MIN);
    expect(shopErrors(at(pushed, 75 * MIN))).toBe(0.001);
    // Reverted at 40 minutes: healthy until the second dip, which tips it again.
    const reverted = tickSamples(withAction(ADAPTIVE), 80 * MIN, [push, revert]);
    expect(shopErrors(at(reverted, 45 * MIN))).toBe(0.001);
    expect(shopErrors(at(reverted, 75 * MIN))).toBe(1);
  });

  it('a token bucket pushed during a tipped storm cuts the retries at once', () => {
    const pushed = tickSamples(withAction(BUCKET), 80 * MIN, [push]);
    // The buckets empty within a step: only first attempts reach api, which drains its queue.
    expect(recoveredAt(pushed, 21 * MIN)).toBe(21 * MIN + 20_000);
    expect(recoveredAt(pushed, 54 * MIN)).toBe(54 * MIN + 10_000);
    expect(shopErrors(at(pushed, 75 * MIN))).toBe(0.001);
    const reverted = tickSamples(withAction(BUCKET), 80 * MIN, [push, revert]);
    expect(shopErrors(at(reverted, 45 * MIN))).toBe(0.001);
    expect(shopErrors(at(reverted, 75 * MIN))).toBe(1);
  });
});

describe('determinism', () => {
  const both = { ...ADAPTIVE, ...BUCKET };
  const plan: TimedCommand[] = [{ at: 20 * MIN, actor: 'bob', type: 'retry-policy', target: 'web' }];
  const scenario = stormScenario({ forSec: 300, client: BUCKET, actions: [{ type: 'retry-policy', target: 'web', dependency: 'api', ...ADAPTIVE }] });

  it('the same scenario and commands give the same log, byte for byte', () => {
    const a = logText(runScenario(scenario, { commands: plan, until: 40 * MIN }));
    const b = logText(runScenario(scenario, { commands: plan, until: 40 * MIN }));
    expect(a).toBe(b);
  });

  it('checkpoints see the throttle state, even while the telemetry is the same', () => {
    const run = (client: Partial<Dependency>) => runScenario(stormScenario({ forSec: DIP_SEC, client }), { until: 5 * MIN });
    const twoMinutes = run(both);
    const threeMinutes = run({ ...BUCKET, adaptiveThrottle: { k: 2, window: '3m' } });
    // Nothing fails yet, so nothing is rejected, but the two windows hold different averages.
    expect(twoMinutes.sample()).toEqual(threeMinutes.sample());
    expect(twoMinutes.checkpoint()).not.toBe(threeMinutes.checkpoint());
    expect(run({ ...ADAPTIVE, retryThrottle: { maxTokens: 20, tokenRatio: 0.1 } }).checkpoint()).not.toBe(twoMinutes.checkpoint());
  });

  it('a throttle that is only offered (in an action nobody takes) changes nothing but the checkpoint', () => {
    const offered = stormScenario({ forSec: DIP_SEC, actions: [{ type: 'retry-policy', target: 'web', dependency: 'api', ...both }] });
    const a = tickSamples(stormScenario({ forSec: DIP_SEC }), 30 * MIN);
    const b = tickSamples(offered, 30 * MIN);
    expect(b).toEqual(a);
    // Its state is carried (empty until the action lands), so the checkpoint is not the plain one.
    const checkpoint = (s: Scenario) => runScenario(s, { until: 5 * MIN }).checkpoint();
    expect(checkpoint(offered)).not.toBe(checkpoint(stormScenario({ forSec: DIP_SEC })));
  });
});

describe('validation', () => {
  const minimal = parse(readFileSync('test/fixtures/valid/minimal.yaml', 'utf8')) as ScenarioInput;
  const scenario = (change: (s: ScenarioInput) => void): Scenario => {
    const input = structuredClone(minimal);
    change(input);
    return parseScenario(input);
  };
  const webToApi = (s: ScenarioInput) => s.services[0]?.dependencies?.[0] as Dependency;

  it('accepts both throttles on a dependency with retries, and on a retry-policy action', () => {
    const s = scenario((x) => {
      Object.assign(webToApi(x), { retries: 2, retryThrottle: { maxTokens: 10, tokenRatio: 0.1 }, adaptiveThrottle: {} });
      x.actions?.push({ type: 'retry-policy', target: 'web', dependency: 'api', adaptiveThrottle: { k: 1.5, window: '30s' } });
    });
    expect(lintScenario(s)).toEqual([]);
    expect(s.services[0]?.dependencies[0]?.adaptiveThrottle).toEqual({ k: 2, window: 120_000 });
    expect(s.actions.at(-1)?.adaptiveThrottle).toEqual({ k: 1.5, window: 30_000 });
  });

  it('a retry-policy may push only a throttle, but must push something', () => {
    const only = scenario((x) => void x.actions?.push({ type: 'retry-policy', target: 'web', dependency: 'api', adaptiveThrottle: {} }));
    expect(lintScenario(only)).toEqual([]);
    const nothing = scenario((x) => void x.actions?.push({ type: 'retry-policy', target: 'web', dependency: 'api' }));
    expect(lintScenario(nothing)).toEqual([
      { path: ['actions', 2], message: 'a retry-policy action needs "retries", "retryBudget", "retryThrottle" or "adaptiveThrottle": the client setting it pushes', severity: 'error' },
    ]);
    const noDependency = scenario((x) => void x.actions?.push({ type: 'retry-policy', target: 'web', retryThrottle: { maxTokens: 10, tokenRatio: 0.1 } }));
    expect(lintScenario(noDependency).map((i) => i.message)).toEqual(['a retry-policy action needs "dependency": the dependency of "web" it cuts off']);
  });

  it('the throttle fields on any other action are ignored, and say so', () => {
    const s = scenario((x) => {
      x.actions?.push({ type: 'breaker', target: 'web', dependency: 'api', retryThrottle: { maxTokens: 10, tokenRatio: 0.1 }, adaptiveThrottle: {} });
    });
    expect(lintScenario(s)).toEqual([
      { path: ['actions', 2, 'retryThrottle'], message: '"retryThrottle" only applies to retry-policy actions; it is ignored here', severity: 'warning' },
      { path: ['actions', 2, 'adaptiveThrottle'], message: '"adaptiveThrottle" only applies to retry-policy actions; it is ignored here', severity: 'warning' },
    ]);
  });

  it('warns about a token bucket on a call that makes no retries, unless an action gives it some', () => {
    const bucket = { maxTokens: 10, tokenRatio: 0.1 };
    const s = scenario((x) => {
      Object.assign(webToApi(x), { retryThrottle: bucket });
      x.actions?.push({ type: 'retry-policy', target: 'api', dependency: 'db', retryThrottle: bucket });
    });
    expect(lintScenario(s)).toEqual([
      {
        path: ['services', 0, 'dependencies', 0, 'retryThrottle'],
        message: '"web" → "api" makes no retries, so "retryThrottle" (which only stops retries) does nothing',
        severity: 'warning',
      },
      { path: ['actions', 2, 'retryThrottle'], message: '"api" → "db" makes no retries, so "retryThrottle" (which only stops retries) does nothing', severity: 'warning' },
    ]);
    const retried = scenario((x) => {
      Object.assign(webToApi(x), { retryThrottle: bucket });
      x.actions?.push({ type: 'retry-policy', target: 'web', dependency: 'api', retries: 2 });
    });
    expect(lintScenario(retried)).toEqual([]);
  });

  it('points at the bad field, with its line, when a throttle is out of range', () => {
    const text = readFileSync('test/fixtures/valid/minimal.yaml', 'utf8').replace(
      '      - service: api\n        kind: hard\n',
      '      - service: api\n        kind: hard\n        retries: 2\n        retryThrottle: { maxTokens: 10, tokenRatio: 0 }\n        adaptiveThrottle: { k: 0.5 }\n',
    );
    const result = loadScenarioText(text, 'throttle.yaml');
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => `${d.line}:${d.col} ${d.path}: ${d.message}`)).toEqual([
      '17:53 services[0].dependencies[0].retryThrottle.tokenRatio: must be greater than 0, got 0',
      '18:32 services[0].dependencies[0].adaptiveThrottle.k: must be at least 1, got 0.5',
    ]);
  });
});
