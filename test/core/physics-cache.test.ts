/**
 * Capacity degradation through a cache whose hit ratio is state (issue 10), pinned for fixed seeds:
 * a flush sends every call to the callee and the cache warms back with its time constant; with too
 * little capacity for the full miss load the flush tips a stampede that keeps the cache cold; the
 * cache-flush action does the same; the hit ratio is part of the checkpoint; and the validator
 * catches a flush with no cache to empty.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import { createState } from '../../engine/core/state.ts';
import { checkpointHash } from '../../engine/core/log/checkpoint.ts';
import { createSimState, simArrays } from '../../engine/core/physics/sim-state.ts';
import { compileTopology } from '../../engine/core/physics/topology.ts';
import { lintScenario } from '../../engine/scenario/lint.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { type Scenario, type ScenarioInput } from '../../engine/protocol/scenario.ts';
import type { MetricsSample } from '../../engine/protocol/views.ts';
import { parse } from 'yaml';
import { logText, tickSamples, parseScenario } from '../helpers.ts';

const FLUSH_AT = 10 * 60_000;
const QUIET = { rps: 0, latency: 0, errorRate: 0 };

interface CacheOptions {
  /** The database's capacity in rps; the full miss load is 5,000. */
  capacity: number;
  tick?: string;
  hitRatio?: number;
  /** How the cache is emptied at 10 minutes: a fault with flushCaches, or nothing (a command may). */
  flush?: 'fault' | 'none';
  /** A second caller (batch, 1,000 rps) with its own cache in front of db; the fault flushes only web's. */
  batch?: boolean;
}

/**
 * web (an asynchronous tier) serves 5,000 rps and calls db once per request, with a 1 s timeout and
 * one retry, through a cache that answers 90% of calls when warm (warm-up time constant 2 minutes):
 * db carries 500 rps warm and all 5,000 cold. No noise and no baseline errors, so every figure is
 * the model's arithmetic.
 */
function cached(o: CacheOptions): Scenario {
  const cache = { hitRatio: o.hitRatio ?? 0.9, warmup: '2m' };
  const flushFault = { id: 'flush', kind: 'cache-flush' as const, target: 'db', at: '10m', for: '1m', effect: { flushCaches: true }, ...(o.batch ? { from: 'web' } : {}) };
  const input: ScenarioInput = {
    id: 'cache',
    title: 'Cache flush',
    briefing: 'A cache in front of a database.',
    seed: 4,
    tick: o.tick ?? '10s',
    duration: '1h',
    services: [
      {
        id: 'web',
        tier: 'critical',
        baseline: { latencyMs: 5, errorRate: 0 },
        concurrency: 100_000,
        noise: QUIET,
        dependencies: [{ service: 'db', kind: 'hard', timeout: '1s', retries: 1, cache }],
      },
      ...(o.batch
        ? [{ id: 'batch', tier: 'standard' as const, baseline: { latencyMs: 5, errorRate: 0 }, concurrency: 100_000, noise: QUIET, dependencies: [{ service: 'db', kind: 'hard' as const, timeout: '1s', cache }] }]
        : []),
      { id: 'db', tier: 'critical', baseline: { latencyMs: 20, p99Ms: 60, errorRate: 0 }, capacity: o.capacity, noise: QUIET },
    ],
    journeys: [
      { id: 'shop', name: 'Shop', entry: 'web', rps: 5000, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 2000 } },
      ...(o.batch ? [{ id: 'jobs', name: 'Jobs', entry: 'batch', rps: 1000, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 2000 } }] : []),
    ],
    faults: o.flush === 'none' ? [{ id: 'quiet', kind: 'noise', target: 'db', at: '50m', effect: { latencyMs: 1 } }] : [flushFault],
    actions: [
      { type: 'cache-flush', target: 'db', duration: '30s' },
      { type: 'breaker', target: 'web', dependency: 'db', duration: '0s' },
    ],
    objectives: { ack: '5m', declare: '10m', mitigate: '30m', resolve: '45m' },
  };
  return parseScenario(input);
}

const at = (out: MetricsSample[], t: number) => out.find((s) => s.t === t) as MetricsSample;
const service = (s: MetricsSample, id: string) => s.services.find((x) => x.id === id) as MetricsSample['services'][number];
const dbRps = (out: MetricsSample[], t: number) => service(at(out, t), 'db').rps;

describe('a cache whose hit ratio is state', () => {
  it('a flush sends every call to the callee, and the cache warms back with its time constant', () => {
    // A 2 s tick samples every physics step, so a sample is the load of one step.
    const out = tickSamples(cached({ capacity: 20_000, tick: '2s' }), 40 * 60_000);
    const before = dbRps(out, FLUSH_AT - 2000);
    const peak = dbRps(out, FLUSH_AT);
    expect(before).toBe(500);
    // Cold, every call misses: calls × web's traffic, 1 / (1 − 0.9) = 10 times the warm load.
    expect(peak).toBe(5000);
    // One time constant later, the load has come back 1 − 1/e of the way.
    const oneTau = dbRps(out, FLUSH_AT + 120_000);
    expect(oneTau).toBe(2155);
    expect((oneTau - before) / (peak - before)).toBeCloseTo(Math.exp(-1), 3);
    // Ten time constants later, it is warm again.
    expect(dbRps(out, FLUSH_AT + 20 * 60_000)).toBe(500);
    // The callee never queued: this is the recoverable case.
    expect(Math.max(...out.map((s) => service(s, 'db').backlog))).toBe(0);
    // Callers feel the misses: web's p50 goes from its own 5 ms to a db call's time.
    expect(service(at(out, FLUSH_AT - 2000), 'web').p50Ms).toBeLessThan(6);
    expect(service(at(out, FLUSH_AT), 'web').p50Ms).toBeGreaterThan(20);
  });

  it('with a 10 s tick the samples are the steps’ average, on the same curve', () => {
    const out = tickSamples(cached({ capacity: 20_000 }), 15 * 60_000);
    expect([FLUSH_AT - 10_000, FLUSH_AT, FLUSH_AT + 60_000, FLUSH_AT + 120_000].map((t) => dbRps(out, t))).toEqual([500, 4854, 3141, 2102]);
  });

  it('a stampede: with less capacity than the full miss load, the overload keeps the cache cold', () => {
    const stampede = tickSamples(cached({ capacity: 3000 }), 40 * 60_000);
    const last = at(stampede, 40 * 60_000 - 10_000);
    // Thirty minutes on: every miss is tried twice and served too late to fill the cache.
    expect(service(last, 'db').rps).toBe(10_000);
    expect(service(last, 'db').saturation).toBeGreaterThan(3);
    expect(service(last, 'db').backlog).toBe(30_000);
    expect(last.journeys[0]?.errorRate).toBe(1);
    // The same flush with headroom for the full miss load recovers by itself.
    const recovered = at(tickSamples(cached({ capacity: 6000 }), 40 * 60_000), 40 * 60_000 - 10_000);
    expect(service(recovered, 'db').rps).toBe(500);
    expect(recovered.journeys[0]?.errorRate).toBe(0);
  });

  it('is a race between the queue and the warm-up: a little less than the full miss load can survive', () => {
    const end = (capacity: number) => at(tickSamples(cached({ capacity }), 30 * 60_000), 30 * 60_000 - 10_000);
    // At 4,500 rps the backlog peaks below the timeout while the cache warms; at 4,400 it does not.
    expect(end(4500).journeys[0]?.errorRate).toBe(0);
    expect(end(4400).journeys[0]?.errorRate).toBeGreaterThan(0.9);
  });

  it('the cache-flush action empties the caches in front of its target when it completes', () => {
    const byFault = tickSamples(cached({ capacity: 20_000, tick: '2s' }), 15 * 60_000);
    const byAction = tickSamples(cached({ capacity: 20_000, tick: '2s', flush: 'none' }), 15 * 60_000, [
      { at: FLUSH_AT, actor: 'bob', type: 'cache-flush', target: 'db' },
    ]);
    // It lands when the action completes, 30 s later, then follows the same curve.
    expect(dbRps(byAction, FLUSH_AT + 28_000)).toBe(500);
    for (let t = 0; t <= 4 * 60_000; t += 2000) expect(dbRps(byAction, FLUSH_AT + 30_000 + t), `${t}`).toBe(dbRps(byFault, FLUSH_AT + t));
    // And under load it is as risky: with db at 3,000 rps it tips the stampede.
    const risky = tickSamples(cached({ capacity: 3000, flush: 'none' }), 30 * 60_000, [{ at: FLUSH_AT, actor: 'bob', type: 'cache-flush', target: 'db' }]);
    expect(at(risky, 30 * 60_000 - 10_000).journeys[0]?.errorRate).toBe(1);
  });

  it('a fault with `from` empties only that caller’s cache', () => {
    const out = tickSamples(cached({ capacity: 20_000, tick: '2s', batch: true }), 11 * 60_000);
    // Warm: 500 from web and 100 from batch. web's cache emptied: 5,000 + 100.
    expect(dbRps(out, FLUSH_AT - 2000)).toBe(600);
    expect(dbRps(out, FLUSH_AT)).toBe(5100);
  });

  it('an open breaker fails the misses fast, and the hits are still answered', () => {
    const out = tickSamples(cached({ capacity: 20_000, flush: 'none' }), 8 * 60_000, [{ at: 5 * 60_000, actor: 'bob', type: 'breaker', target: 'web' }]);
    const last = at(out, 8 * 60_000 - 10_000);
    expect(service(last, 'db').rps).toBe(0);
    expect(last.journeys[0]?.errorRate).toBeCloseTo(0.1, 6);
  });
});

describe('the hit ratio is state', () => {
  it('is in the checkpoint when the scenario has a cache, and empty (so not hashed) otherwise', () => {
    const withCache = createSimState(compileTopology(cached({ capacity: 20_000 })));
    expect(simArrays(withCache)).toContain(withCache.cacheHit);
    const plain = cached({ capacity: 20_000 });
    const noCache = { ...plain, services: plain.services.map((s) => ({ ...s, dependencies: s.dependencies.map(({ cache: _cache, ...d }) => d) })) };
    const without = createSimState(compileTopology(noCache));
    // Empty without a cache: the checkpoint skips empty arrays, so scenarios with no cache hash as before.
    expect(without.cacheHit).toHaveLength(0);
    expect(without.cacheFill).toHaveLength(0);
  });

  it('moves the checkpoint by itself', () => {
    const state = createState(cached({ capacity: 20_000 }), 4);
    const warm = checkpointHash(state);
    state.sim.cacheHit[0] = 0.5;
    expect(checkpointHash(state)).not.toBe(warm);
  });

  it('checkpoints differ when only the hit ratio differs; the same inputs give the same log', () => {
    const checkpoints = (hitRatio: number) =>
      runScenario(cached({ capacity: 3000, hitRatio }), { until: 20 * 60_000 })
        .events.filter((e) => e.type === 'checkpoint')
        .map((e) => (e.type === 'checkpoint' ? e.hash : ''));
    const a = checkpoints(0.9);
    const b = checkpoints(0.8);
    expect(a).toHaveLength(20);
    for (let i = 0; i < a.length; i++) expect(a[i], `minute ${i + 1}`).not.toBe(b[i]);
    expect(logText(runScenario(cached({ capacity: 3000 })))).toBe(logText(runScenario(cached({ capacity: 3000 }))));
  });
});

/** A small scenario as YAML text: web and batch call db; web's call may have a cache; the fault flushes. */
function flushYaml(o: { cache?: string; from?: string }): string {
  return `id: flush
title: Flush
briefing: A flush.
duration: 1h
services:
  - id: web
    tier: critical
    baseline: { latencyMs: 5 }
    capacity: 1000
    dependencies:
      - { service: db, kind: hard${o.cache !== undefined ? `, cache: ${o.cache}` : ''} }
  - id: batch
    tier: standard
    baseline: { latencyMs: 5 }
    capacity: 1000
    dependencies:
      - { service: db, kind: hard }
  - id: db
    tier: critical
    baseline: { latencyMs: 20 }
    capacity: 1000
journeys:
  - { id: shop, name: Shop, entry: web, rps: 100, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 2000 } }
  - { id: jobs, name: Jobs, entry: batch, rps: 10, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 2000 } }
faults:
  - id: flush
    kind: cache-flush
    target: db
${o.from !== undefined ? `    from: ${o.from}\n` : ''}    at: 5m
    for: 1m
    effect: { flushCaches: true }
objectives: { ack: 5m, declare: 10m, mitigate: 30m, resolve: 45m }
`;
}
const diagnostics = (text: string) => loadScenarioText(text, 'flush.yaml').diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`);

describe('validator', () => {
  it('accepts a flush with a cache in front of its target, from any caller or from the one with the cache', () => {
    expect(diagnostics(flushYaml({ cache: '{ hitRatio: 0.9, warmup: 2m }' }))).toEqual([]);
    expect(diagnostics(flushYaml({ cache: '{ hitRatio: 0.9 }', from: 'web' }))).toEqual([]);
  });

  it('a flush needs a cache in front of its target', () => {
    const scenario = parseScenario(parse(flushYaml({})));
    expect(lintScenario(scenario)).toEqual([
      { path: ['faults', 0, 'effect', 'flushCaches'], message: 'fault "flush" flushes the caches in front of "db", but no caller of "db" has a "cache" on it', severity: 'error' },
    ]);
    expect(diagnostics(flushYaml({}))).toEqual(['31:28 fault "flush" flushes the caches in front of "db", but no caller of "db" has a "cache" on it']);
  });

  it('with `from`, a flush needs a cache on that call', () => {
    expect(diagnostics(flushYaml({ cache: '{ hitRatio: 0.9 }', from: 'batch' }))).toEqual([
      '32:28 fault "flush" flushes the cache "batch" keeps in front of "db", but that dependency has no "cache"',
    ]);
  });

  it('a cache needs a warm-up longer than 0s', () => {
    expect(diagnostics(flushYaml({ cache: '{ hitRatio: 0.9, warmup: 0s }' }))).toEqual([
      '11:68 the cache of "web" in front of "db" needs a "warmup" longer than 0s',
    ]);
  });
});
