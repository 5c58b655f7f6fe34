/**
 * Journeys' SLOs judged over a window (engine/core/rules/slo-window.ts), and "mitigated" as a stable
 * stretch stamped at its start (rules/journeys.ts): a single noisy tick neither takes a journey out of
 * SLO nor resets a mitigation.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import type { EventOf } from '../../engine/protocol/events.ts';
import type { ScenarioInput } from '../../engine/protocol/scenario.ts';
import { at, tinyScenario } from '../helpers.ts';

/** The tiny shop (web calls api with two retries) with one fault on api: `errorRate` for `forSec` seconds from 5:00. */
function blip(errorRate: number, forSec: number, slo: Partial<ScenarioInput['journeys'][number]['slo']> = {}, extra: Partial<ScenarioInput> = {}) {
  return tinyScenario({
    journeys: [{ id: 'shop', name: 'Shop', entry: 'web', rps: 200, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 1000, ...slo } }],
    faults: [{ id: 'blip', kind: 'code-deploy', target: 'api', at: '5m', for: `${forSec}s`, effect: { errorRate }, rootCause: true }],
    ...extra,
  });
}
const sloEvents = (events: readonly { type: string }[]) => events.filter((e): e is EventOf<'journey.slo'> => e.type === 'journey.slo');

describe('a journey SLO judged over its window', () => {
  it('shrugs off one bad tick that a one-tick judgement would count', () => {
    // api failing 30% for one 10 s tick: with two retries, about 3% of the shop's requests fail in
    // that tick, which is under 1% over the minute's six ticks.
    const windowed = runScenario(blip(0.3, 10), { until: 15 * 60_000 });
    expect(sloEvents(windowed.events)).toEqual([]);
    // The same tick against a window of one tick takes the journey out, and back a tick later.
    const perTick = runScenario(blip(0.3, 10, { window: '10s' }), { until: 15 * 60_000 });
    expect(sloEvents(perTick.events).map((e) => [e.t, e.ok])).toEqual([
      [300_000, false],
      [310_000, true],
    ]);
  });

  it('leaves the SLO once a lasting fault fills enough of the window, and comes back once the window error rate is under the SLO again', () => {
    const session = runScenario(blip(0.3, 120), { until: 15 * 60_000 });
    const events = sloEvents(session.events);
    expect(events.map((e) => [e.t, e.ok])).toEqual([
      [310_000, false],
      // The fault ends at 7:00; by 7:40 its last bad tick (6:50) is one of six.
      [460_000, true],
    ]);
    // The event carries the window's error rate: over 1% on the way out, under it on the way back.
    expect(events[0]?.errorRate).toBeGreaterThan(0.01);
    expect(events[1]?.errorRate).toBeLessThanOrEqual(0.01);
  });

  it('judges latency by the share of the window\'s requests slower than p99Ms', () => {
    // The healthy shop answers well under a 1 s p99: nothing is slow.
    const healthy = runScenario(blip(0, 10), { until: 6 * 60_000 });
    expect(sloEvents(healthy.events)).toEqual([]);
    // A p99 limit below the healthy p99 puts more than 1% of requests over it from the first tick.
    const strict = runScenario(blip(0, 10, { p99Ms: 20 }), { until: 6 * 60_000 });
    const first = sloEvents(strict.events)[0];
    expect(first).toMatchObject({ t: 0, ok: false });
    expect(first?.slow).toBeGreaterThan(0.01);
  });
});

describe('mitigated', () => {
  const plan = [at(6, 'alice', 'ack'), at(6, 'alice', 'rollback', 'api'), at(6, 'bob', 'approve', undefined, { request: 'rollback:api' })];
  const mitigatedEvent = (events: readonly { type: string }[]) =>
    events.find((e): e is EventOf<'incident.state'> => e.type === 'incident.state' && (e as EventOf<'incident.state'>).to === 'mitigated');

  it('comes after objectives.stable within SLO, stamped with the start of that stretch', () => {
    const fiveMinutes = runScenario(tinyScenario(), { commands: plan, until: 20 * 60_000 });
    expect(mitigatedEvent(fiveMinutes.events)).toMatchObject({ t: 820_000, since: 530_000 });
    const twoMinutes = runScenario(tinyScenario({ objectives: { ack: '5m', declare: '10m', mitigate: '30m', resolve: '45m', stable: '2m' } }), {
      commands: plan,
      until: 20 * 60_000,
    });
    expect(mitigatedEvent(twoMinutes.events)).toMatchObject({ t: 640_000, since: 530_000 });
  });

  it('is not reset by one noisy tick after the fix', () => {
    // A one-tick blip (api failing 30%, about 3% of the shop's requests) at 12:00, while the stretch
    // that began at 8:50 runs.
    const scenario = tinyScenario({
      faults: [
        { id: 'api-bad-deploy', kind: 'code-deploy', target: 'api', at: '5m', effect: { errorRate: 0.9 }, rootCause: true },
        { id: 'blip', kind: 'code-deploy', target: 'api', at: '12m', for: '10s', effect: { errorRate: 0.3 } },
      ],
    });
    const session = runScenario(scenario, { commands: plan, until: 20 * 60_000 });
    expect(sloEvents(session.events).map((e) => [e.t, e.ok])).toEqual([
      [300_000, false],
      [530_000, true],
    ]);
    expect(mitigatedEvent(session.events)).toMatchObject({ t: 820_000, since: 530_000 });
  });
});
