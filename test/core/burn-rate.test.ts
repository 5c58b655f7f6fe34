/**
 * Multi-window, multi-burn-rate alerts on a journey's error budget (engine/core/rules/burn-rate.ts),
 * pinned to exact times for a fixed seed, and checked against the arithmetic they stand for.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import type { EventOf } from '../../engine/protocol/events.ts';
import { lintScenario } from '../../engine/scenario/lint.ts';
import type { ScenarioInput } from '../../engine/protocol/scenario.ts';
import { at, tickSamples, tinyScenario } from '../helpers.ts';

const burnAlerts: ScenarioInput['alerts'] = [
  // The SRE workbook's pair, scaled to a one-hour drill: a fast burn pages, a slow one files a ticket.
  { id: 'shop-fast-burn', journey: 'shop', metric: 'burnRate', threshold: 14.4, windows: { long: '1h', short: '5m' }, severity: 'page' },
  { id: 'shop-slow-burn', journey: 'shop', metric: 'burnRate', threshold: 6, windows: { long: '30m', short: '5m' }, severity: 'ticket' },
];
/** api fails 30% from 5:00: with two retries, about 2.8% of the shop's requests fail: 28× its 0.1% budget. */
const scenario = tinyScenario({
  faults: [{ id: 'api-bad-deploy', kind: 'code-deploy', target: 'api', at: '5m', effect: { errorRate: 0.3 }, rootCause: true }],
  alerts: burnAlerts,
});
const plan = [at(12, 'ana', 'ack'), at(12, 'ana', 'rollback', 'api'), at(12, 'ben', 'approve', undefined, { request: 'rollback:api' })];
type AlertEvent = EventOf<'alert.firing'> | EventOf<'alert.resolved'>;
const alertEvents = (events: readonly { type: string }[]) => events.filter((e): e is AlertEvent => e.type === 'alert.firing' || e.type === 'alert.resolved');

describe('burn-rate alerts', () => {
  const session = runScenario(scenario, { commands: plan, until: 40 * 60_000 });
  const events = alertEvents(session.events);

  it('fire when both windows burn faster than the threshold, and the fast one resolves soon after the fix', () => {
    // The rollback lands at 14:00. The short window (5 minutes, 30 ticks) resolves each alert long
    // before the long window would: the fast one once fewer than about 15 of its ticks carry the 2.8%
    // (16:30), the slow one once fewer than about 6 do (18:00).
    expect(events.map((e) => [e.t, e.type, e.alert])).toEqual([
      [360_000, 'alert.firing', 'shop-slow-burn'],
      [590_000, 'alert.firing', 'shop-fast-burn'],
      [990_000, 'alert.resolved', 'shop-fast-burn'],
      [1_080_000, 'alert.resolved', 'shop-slow-burn'],
    ]);
    const fast = events.find((e): e is EventOf<'alert.firing'> => e.type === 'alert.firing' && e.alert === 'shop-fast-burn');
    expect(fast).toMatchObject({ metric: 'burnRate', threshold: 14.4, journey: 'shop', severity: 'page' });
    expect(fast?.value).toBeGreaterThan(14.4);
  });

  it('agree with the burn computed from the telemetry: the share of requests failed over each window ÷ the 0.1% budget', () => {
    // Before the long windows fill (under 30 minutes in), both windows hold every tick they cover
    // exactly, so the first tick at which both burn rates pass the threshold is the firing time.
    const samples = tickSamples(scenario, 12 * 60_000);
    const requests = samples.map((s) => (s.journeys[0]?.rps ?? 0) * 10);
    const failed = samples.map((s, i) => (requests[i] as number) * (s.journeys[0]?.errorRate ?? 0));
    const burn = (from: number, to: number) => {
      let r = 0;
      let f = 0;
      for (let i = Math.max(0, from); i <= to; i++) {
        r += requests[i] as number;
        f += failed[i] as number;
      }
      return f / r / 0.001;
    };
    const firstBreach = (threshold: number) => samples.findIndex((_, i) => burn(0, i) > threshold && burn(i - 29, i) > threshold);
    expect(samples[firstBreach(6)]?.t).toBe(360_000);
    expect(samples[firstBreach(14.4)]?.t).toBe(590_000);
  });

  it('are checked by the validator', () => {
    const lint = (alert: Partial<NonNullable<ScenarioInput['alerts']>[number]>) =>
      lintScenario(tinyScenario({ alerts: [{ id: 'b', severity: 'page', metric: 'burnRate', threshold: 14.4, ...alert }] })).map((i) => [i.path.join('.'), i.message]);
    expect(lint({ journey: 'shop', metric: 'burnRate', windows: { long: '1h', short: '5m' } })).toEqual([]);
    expect(lint({ service: 'web', metric: 'burnRate', windows: { long: '1h', short: '5m' } })).toEqual([
      ['alerts.0.metric', 'alert "b": burnRate is a journey\'s (its error rate over its error budget): give it a "journey" instead of a service or topic'],
    ]);
    expect(lint({ journey: 'shop', metric: 'burnRate' })).toEqual([
      ['alerts.0', 'alert "b" watches burnRate but has no "windows": give it a long and a short window, for example { long: 1h, short: 5m }'],
    ]);
    expect(lint({ journey: 'shop', metric: 'burnRate', windows: { long: '5m', short: '1h' } })).toEqual([
      ['alerts.0.windows.short', 'alert "b": the short window (1h) must be shorter than the long one (5m)'],
    ]);
    expect(lint({ journey: 'shop', metric: 'errorRate', windows: { long: '1h', short: '5m' } })).toEqual([
      ['alerts.0.windows', 'alert "b" watches errorRate: "windows" is for metric burnRate only; remove it'],
    ]);
  });
});
