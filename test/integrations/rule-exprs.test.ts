/**
 * The exported rules mean what the engine's alerts mean (engine/core/rules/alerts.ts): each metric
 * kind reads the series the /metrics exporter writes, in its units, filtered to the drill, and keeps
 * the session label. promtool runs these exprs on data in prometheus-rules.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { AlertDef } from '../../engine/protocol/scenario.ts';
import { alertCondition, type RulesScenario } from '../../engine/integrations/alert-exprs.ts';
import { prometheusRules, prometheusRulesYaml } from '../../engine/integrations/prometheus-rules.ts';
import { promDuration, promNumber } from '../../engine/integrations/promql.ts';
import { alertName } from '../../engine/integrations/names.ts';
import { parse } from 'yaml';
import { loadSpec } from '../helpers.ts';

const DRILL = 'drill="true",scenario="shop"';

function alert(fields: Partial<AlertDef> & Pick<AlertDef, 'id' | 'metric' | 'threshold'>): AlertDef {
  return { op: '>', for: 0, severity: 'page', ...fields };
}

function shop(...alerts: AlertDef[]): RulesScenario {
  return { id: 'shop', alerts, journeys: [{ id: 'checkout', entry: 'checkout-api', slo: { target: 0.999 } }, { id: 'browse', entry: 'web', slo: { target: 0.99 } }] };
}

const exprOf = (a: AlertDef) => alertCondition(shop(a), a).expr;

describe('the expr of each metric kind', () => {
  it('service metrics read the service gauges, latencies in seconds', () => {
    expect(exprOf(alert({ id: 'a', service: 'pricing', metric: 'errorRate', threshold: 0.05 }))).toBe(`sevdrill_service_error_ratio{${DRILL},service="pricing"} > 0.05`);
    expect(exprOf(alert({ id: 'a', service: 'pricing', metric: 'p50Ms', threshold: 250 }))).toBe(`sevdrill_service_latency_seconds{${DRILL},service="pricing",quantile="0.5"} > 0.25`);
    expect(exprOf(alert({ id: 'a', service: 'user-db', metric: 'p99Ms', threshold: 40 }))).toBe(`sevdrill_service_latency_seconds{${DRILL},service="user-db",quantile="0.99"} > 0.04`);
    expect(exprOf(alert({ id: 'a', service: 'pricing', metric: 'rps', threshold: 1500 }))).toBe(`sevdrill_service_requests_per_second{${DRILL},service="pricing"} > 1500`);
    expect(exprOf(alert({ id: 'a', service: 'auth', metric: 'saturation', threshold: 0.9 }))).toBe(`sevdrill_service_saturation_ratio{${DRILL},service="auth"} > 0.9`);
  });

  it('journey metrics read the journey gauges; p50 and saturation read its entry service and name the journey', () => {
    expect(exprOf(alert({ id: 'a', journey: 'checkout', metric: 'errorRate', threshold: 0.02 }))).toBe(`sevdrill_journey_error_ratio{${DRILL},journey="checkout"} > 0.02`);
    expect(exprOf(alert({ id: 'a', journey: 'checkout', metric: 'p99Ms', threshold: 3000 }))).toBe(`sevdrill_journey_latency_seconds{${DRILL},journey="checkout",quantile="0.99"} > 3`);
    expect(exprOf(alert({ id: 'a', journey: 'checkout', metric: 'rps', threshold: 10 }))).toBe(`sevdrill_journey_requests_per_second{${DRILL},journey="checkout"} > 10`);
    const p50 = alert({ id: 'a', journey: 'checkout', metric: 'p50Ms', threshold: 100 });
    expect(alertCondition(shop(p50), p50)).toMatchObject({ expr: `sevdrill_service_latency_seconds{${DRILL},service="checkout-api",quantile="0.5"} > 0.1`, labels: { journey: 'checkout' } });
    const saturation = alert({ id: 'a', journey: 'browse', metric: 'saturation', threshold: 0.8 });
    expect(alertCondition(shop(saturation), saturation)).toMatchObject({ expr: `sevdrill_service_saturation_ratio{${DRILL},service="web"} > 0.8`, labels: { journey: 'browse' } });
  });

  it('a "<" alert compares downwards (traffic that vanished)', () => {
    const drop = alert({ id: 'orders-stopped', journey: 'checkout', metric: 'rps', op: '<', threshold: 5 });
    const condition = alertCondition(shop(drop), drop);
    expect(condition.expr).toBe(`sevdrill_journey_requests_per_second{${DRILL},journey="checkout"} < 5`);
    expect(condition.description).toContain('fires as soon as it is below 5 rps');
  });

  it('a topic alert reads the topic lag, in messages or in seconds', () => {
    expect(exprOf(alert({ id: 'a', topic: 'orders', metric: 'lag', threshold: 10000 }))).toBe(`sevdrill_topic_lag_messages{${DRILL},topic="orders"} > 10000`);
    expect(exprOf(alert({ id: 'a', topic: 'orders', metric: 'lagSeconds', threshold: 300 }))).toBe(`sevdrill_topic_lag_seconds{${DRILL},topic="orders"} > 300`);
  });

  it('a burn-rate alert is the error ratio over each window ÷ the budget, both windows above the threshold', () => {
    const burn = alert({ id: 'fast-burn', journey: 'browse', metric: 'burnRate', threshold: 14.4, windows: { long: 3_600_000, short: 300_000 } });
    const sel = (name: string) => `${name}{${DRILL},journey="browse"}`;
    const over = (range: string) =>
      `(rate(${sel('sevdrill_journey_errors_total')}[${range}]) / rate(${sel('sevdrill_journey_requests_total')}[${range}])) / 0.01 > 14.4`;
    const condition = alertCondition(shop(burn), burn);
    expect(condition.expr).toBe(`${over('1h')}\nand\n${over('5m')}`);
    expect(condition.description).toContain('1 − SLO target 99% = 1%');
    expect(condition.description).toContain('above 14.4× over both 1h and 5m');
  });

  it('no expr aggregates, so every result keeps its sevdrill_session', () => {
    const all = loadSpec('checkout-retry-storm');
    for (const rule of prometheusRules(all).groups[0]?.rules ?? []) expect(rule.expr).not.toMatch(/\b(sum|avg|max|min|count|topk|bottomk)\b|\bby\b|\bwithout\b/);
  });
});

describe('the rule file', () => {
  const spec = loadSpec('auth-cert-expiry');
  const file = parse(prometheusRulesYaml(spec)) as ReturnType<typeof prometheusRules>;
  const rules = file.groups[0]?.rules ?? [];

  it('has one group named for the scenario and one rule per alert, named as the Alertmanager push names them', () => {
    expect(file.groups.map((g) => g.name)).toEqual(['sevdrill-auth-cert-expiry']);
    expect(rules.map((r) => r.alert)).toEqual(spec.alerts.map((a) => alertName(a.id)));
  });

  it('labels each rule drill="true" with its severity and scenario alert id', () => {
    spec.alerts.forEach((a, i) => expect(rules[i]?.labels).toEqual({ severity: a.severity, drill: 'true', sevdrill_alert: a.id }));
  });

  it('carries the for duration as Prometheus writes it, and leaves out a for of 0s', () => {
    spec.alerts.forEach((a, i) => expect(rules[i]?.for).toBe(promDuration(a.for)));
    const now = alert({ id: 'now', service: 'auth', metric: 'errorRate', threshold: 0.5 });
    expect(prometheusRules(shop(now)).groups[0]?.rules[0]).not.toHaveProperty('for');
  });

  it('annotates summary, a description in human units, and a [DRILL] line', () => {
    const latency = rules.find((r) => r.labels.sevdrill_alert === 'user-db-latency');
    expect(latency?.annotations.summary).toBe('User DB p99 > 40 ms');
    expect(latency?.annotations.description).toContain('p99 of service user-db: fires when it stays above 40 ms for 2m');
    for (const rule of rules) expect(rule.annotations.drill).toMatch(/^\[DRILL\] .*not production/);
  });

  it('never exports what only the facilitator may see (red herrings, notes)', () => {
    const text = prometheusRulesYaml(spec);
    const secrets = spec.alerts.flatMap((a) => (a.facilitator?.note !== undefined ? [a.facilitator.note] : []));
    expect(secrets.length).toBeGreaterThan(0);
    for (const note of secrets) expect(text).not.toContain(note);
    expect(text).not.toMatch(/red.?herring|facilitator/i);
  });
});

describe('PromQL spellings', () => {
  it('durations in whole units, as Prometheus parses them', () => {
    expect([0, 250, 2_500, 90_000, 120_000, 5_400_000, 86_400_000].map(promDuration)).toEqual(['0s', '250ms', '2s500ms', '1m30s', '2m', '1h30m', '24h']);
    expect(() => promDuration(1.5)).toThrow();
  });

  it('numbers without binary noise', () => {
    expect(promNumber(1 - 0.999)).toBe('0.001');
    expect(promNumber(600 / 1000)).toBe('0.6');
    expect(promNumber(0.1 + 0.2)).toBe('0.3');
  });
});
