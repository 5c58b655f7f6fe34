/**
 * A system at rest takes one long step per traffic draw instead of five 2 s steps
 * (engine/core/physics/quiet.ts), and latency and error noise are observed, not physical
 * (cascade.ts). Pinned here: when a drill is at rest and when it is not, that the long steps show
 * the same telemetry as the short ones, and that a service's jitter stays on its own charts.
 */
import { describe, expect, it } from 'vitest';
import { createSession, type Session } from '../../engine/core/session.ts';
import { inputsChanged, type SimState } from '../../engine/core/physics/sim-state.ts';
import type { MetricsSample } from '../../engine/protocol/views.ts';
import type { TimedCommand } from '../../engine/protocol/commands.ts';
import { loadPlan, loadScenario, tinyScenario } from '../helpers.ts';

/** The session's physics state (the bench reads it the same way). */
const simOf = (session: Session): SimState => (session as unknown as { state: { sim: SimState } }).state.sim;

interface Tick {
  t: number;
  steps: number;
  sample: MetricsSample;
}

/** Runs tick by tick, recording the physics steps each tick took; `busy` marks inputs changed before every tick. */
function ticks(session: Session, until: number, commands: readonly TimedCommand[] = [], busy = false): Tick[] {
  const sim = simOf(session);
  session.submit({ actor: 'facilitator', type: 'start' });
  const out: Tick[] = [];
  let i = 0;
  while (session.now < until) {
    while (i < commands.length && (commands[i]?.at ?? Infinity) <= session.now) {
      const { at: _at, ...cmd } = commands[i++] as TimedCommand;
      session.submit(cmd);
    }
    if (busy) inputsChanged(sim);
    const before = sim.step;
    const t = session.now;
    session.runUntil(t + session.tickMs);
    out.push({ t, steps: sim.step - before, sample: session.sample() });
  }
  return out;
}

const MIN = 60_000;
/** When the default seed's drill is at rest again after its rollback (pinned: a change to the physics moves it). */
const REST_AGAIN = 17 * MIN;

describe('a system at rest', () => {
  const retail = loadScenario('retail-sev1');
  const run = ticks(createSession(retail), 60 * MIN, loadPlan('retail-sev1'));
  const stepsAt = (from: number, to: number) => run.filter((x) => x.t >= from && x.t < to).map((x) => x.steps);

  it('takes one step per 10 s tick until the fault, five while it and its queues last, then one again', () => {
    // The times the scenario's seed drew: the red herring on search (one tick on short steps: its
    // inputs changed), then the pricing config push, which ramps; the rollback's queues drain after.
    const boundary = (at: number | undefined) => Math.ceil((at ?? NaN) / retail.tick) * retail.tick;
    const herring = boundary(retail.faults.find((f) => f.id === 'search-reindex')?.at);
    const push = boundary(retail.faults.find((f) => f.id === 'pricing-rules-v2')?.at);
    expect(new Set(stepsAt(0, herring))).toEqual(new Set([1]));
    expect(stepsAt(herring, herring + 20_000)).toEqual([5, 1]);
    expect(new Set(stepsAt(herring + 10_000, push))).toEqual(new Set([1]));
    const rest = run.find((x) => x.t >= push && x.steps === 1)?.t ?? NaN;
    expect(new Set(stepsAt(push, rest))).toEqual(new Set([5]));
    expect(rest).toBe(REST_AGAIN);
    // After that, only the red herring's end (40 minutes after it started) changes anything.
    expect(run.filter((x) => x.t >= rest + MIN && x.steps !== 1).map((x) => x.t)).toEqual([herring + 40 * MIN]);
  });

  it('shows the same telemetry on long steps as on short ones', () => {
    // The same drill forced onto 2 s steps (its inputs marked changed before every tick).
    const short = ticks(createSession(retail), 5 * MIN, [], true);
    expect(new Set(short.map((x) => x.steps))).toEqual(new Set([5]));
    // Samples are rounded: rps to 1, times to 0.1 ms, saturation to 1e-4.
    const unit = { rps: 1, p50Ms: 0.1, p99Ms: 0.1, saturation: 1e-4 } as const;
    let worst = 0;
    let compared = 0;
    let apart = 0;
    for (const [k, tick] of short.entries()) {
      const long = run[k] as Tick;
      if (long.steps !== 1) continue;
      compared++;
      for (const [s, service] of tick.sample.services.entries()) {
        const other = long.sample.services[s] as MetricsSample['services'][number];
        for (const key of ['rps', 'p50Ms', 'p99Ms', 'saturation'] as const) {
          const gap = Math.abs(other[key] - service[key]);
          if (gap > 0) apart++;
          // Half a percent, or one rounding unit of the sample.
          worst = Math.max(worst, gap / (0.005 * Math.abs(service[key]) + unit[key]));
        }
        expect(Math.abs(other.errorRate - service.errorRate)).toBeLessThan(2e-4);
      }
    }
    // The ticks at rest in the first five minutes of the default seed: all but the herring's and the push's.
    expect(compared).toBe(24);
    expect(worst).toBeLessThanOrEqual(1);
    // Not the same numbers, though: the long steps are another integration of the same system.
    expect(apart).toBeGreaterThan(0);
  });

  it('leaves rest at the first tick whose inputs change, however calm the telemetry', () => {
    const calm = tinyScenario({ faults: [{ id: 'slow', kind: 'latency-spike', target: 'db', at: '2m', for: '1m', effect: { latencyMs: 1 }, rootCause: true }] });
    const out = ticks(createSession(calm), 5 * MIN);
    const at = (t: number) => out.find((x) => x.t === t)?.steps;
    expect(at(110_000)).toBe(1);
    expect(at(2 * MIN)).toBe(5);
    // The fault ends at 3:00: that changes the inputs too.
    expect(at(3 * MIN)).toBe(5);
    expect(at(4 * MIN)).toBe(1);
  });
});

describe('observed noise', () => {
  // db's latency and errors jitter; web and api have none of their own.
  const jittery = tinyScenario({});
  const services = jittery.services.map((s) =>
    s.id === 'db' ? { ...s, baseline: { ...s.baseline, errorRate: 0.01 }, noise: { rps: 0, latency: 0.2, errorRate: 0.5 } } : { ...s, noise: { rps: 0, latency: 0, errorRate: 0 } },
  );
  // Before its fault at 5:00.
  const out = ticks(createSession({ ...jittery, services }), 4.5 * MIN).map((x) => x.sample);
  const series = (id: string, key: 'p50Ms' | 'errorRate') => out.map((s) => s.services.find((x) => x.id === id)?.[key] ?? Number.NaN);

  it("moves the service's own charts", () => {
    expect(new Set(series('db', 'p50Ms')).size).toBeGreaterThan(10);
    expect(new Set(series('db', 'errorRate')).size).toBeGreaterThan(5);
  });

  it("stays off its callers' charts: they answer with its mean", () => {
    expect(new Set(series('api', 'p50Ms')).size).toBe(1);
    expect(new Set(series('web', 'p50Ms')).size).toBe(1);
    expect(new Set(series('api', 'errorRate')).size).toBe(1);
  });
});
