/**
 * The exported rule files against the real promtool (Debian's, installed by .ci/run):
 * - `promtool check rules` accepts the file of every shipped scenario, with one rule per alert;
 * - `promtool test rules` runs three of them on series shaped as the /metrics exporter writes them
 *   (names.ts: the drill labels, one series per session) and checks which sessions' alerts fire, when,
 *   with which labels and annotations.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { prometheusRules, prometheusRulesYaml } from '../../engine/integrations/prometheus-rules.ts';
import { METRIC, alertName } from '../../engine/integrations/names.ts';
import { selector } from '../../engine/integrations/promql.ts';
import { siblingsOf } from '../../engine/cli/io.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import type { ScenarioSpec } from '../../engine/protocol/scenario.ts';
import { ROOT, loadSpec } from '../helpers.ts';
import { PROMTOOL_BIN } from './real-tools.ts';

const dir = mkdtempSync(join(tmpdir(), 'sevdrill-rules-'));
const SCENARIOS = join(ROOT, 'scenarios');

/** Every scenario file shipped: scenarios/*.yaml, .yml and .json, not the JSON Schemas nor plans/. */
const shipped = readdirSync(SCENARIOS, { withFileTypes: true })
  .filter((entry) => entry.isFile() && /\.(ya?ml|json)$/.test(entry.name) && !entry.name.endsWith('.schema.json'))
  .map((entry) => entry.name);

function load(file: string): ScenarioSpec {
  const result = loadScenarioText(readFileSync(file, 'utf8'), file, siblingsOf(file));
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result.scenario;
}

function promtool(...args: string[]) {
  const r = spawnSync(PROMTOOL_BIN, args, { cwd: dir, encoding: 'utf8' });
  return { code: r.status, output: `${r.stdout}${r.stderr}`, error: r.error };
}

describe('promtool check rules', () => {
  it('finds the shipped scenarios', () => {
    expect(shipped).toContain('retail-sev1.yaml');
  });

  it.each(shipped)('accepts the rules of scenarios/%s, one per alert', (name) => {
    const scenario = load(join(SCENARIOS, name));
    const out = join(dir, `${scenario.id}.rules.yaml`);
    writeFileSync(out, prometheusRulesYaml(scenario));
    const checked = promtool('check', 'rules', out);
    expect(checked.error).toBeUndefined();
    expect(checked.output).toContain(`SUCCESS: ${scenario.alerts.length} rules found`);
    expect(checked.code, checked.output).toBe(0);
  });

  it('fails on a broken rule, so the check above can fail', () => {
    const out = join(dir, 'broken.rules.yaml');
    const file = prometheusRules(loadSpec('retail-sev1'));
    const rule = file.groups[0]?.rules[0];
    if (rule) rule.expr = `${rule.expr} >`;
    writeFileSync(out, stringify(file));
    const checked = promtool('check', 'rules', out);
    expect(checked.code).not.toBe(0);
    expect(checked.output).toMatch(/parse error/i);
  });
});

/** One series per session, labelled as the exporter labels it. */
const series = (metric: string, scenario: string, session: string, labels: Record<string, string>) =>
  selector(metric, { drill: 'true', sevdrill_session: session, scenario, ...labels });

/**
 * The annotations promtool renders: the rule's own, with the templates this test's data fills in.
 * (promtool compares annotations exactly, after templating.)
 */
function rendered(annotations: Record<string, string>, value: [template: string, text: string], session: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(annotations).map(([key, text]) => [key, text.replace(value[0], value[1]).replace('{{ $labels.sevdrill_session }}', session)]),
  );
}

function runUnitTests(name: string, rulesText: string, tests: unknown[]) {
  writeFileSync(join(dir, `${name}.rules.yaml`), rulesText);
  writeFileSync(join(dir, `${name}.test.yaml`), stringify({ rule_files: [`${name}.rules.yaml`], evaluation_interval: '30s', tests }));
  return promtool('test', 'rules', `${name}.test.yaml`);
}

describe('promtool test rules', () => {
  it("retail-sev1's checkout page fires for the drill whose errors stay above 5% for 2m, and only for it", () => {
    const scenario = loadSpec('retail-sev1');
    const rule = prometheusRules(scenario).groups[0]?.rules.find((r) => r.labels.sevdrill_alert === 'checkout-errors');
    if (!rule) throw new Error('retail-sev1 has no checkout-errors alert');
    const errorRatio = (session: string) => series(METRIC.journeyErrorRatio, 'retail-sev1', session, { journey: 'checkout' });
    const firing = {
      exp_labels: { ...rule.labels, sevdrill_session: 'burning', scenario: 'retail-sev1', journey: 'checkout' },
      exp_annotations: rendered(rule.annotations, ['{{ $value | humanizePercentage }}', '20%'], 'burning'),
    };
    const result = runUnitTests('retail-sev1', prometheusRulesYaml(scenario), [
      {
        interval: '30s',
        input_series: [
          // Breaches from 1m on: pending at 1m, firing from 3m (for: 2m).
          { series: errorRatio('burning'), values: '0.01 0.01 0.2+0x12' },
          { series: errorRatio('healthy'), values: '0.01+0x14' },
          // Another scenario's drill with the same journey name is not this rule's business.
          { series: series(METRIC.journeyErrorRatio, 'other-scenario', 'elsewhere', { journey: 'checkout' }), values: '0.9+0x14' },
        ],
        alert_rule_test: [
          { eval_time: '2m30s', alertname: rule.alert, exp_alerts: [] },
          { eval_time: '3m30s', alertname: rule.alert, exp_alerts: [firing] },
        ],
      },
    ]);
    expect(result.error).toBeUndefined();
    expect(result.output).toContain('SUCCESS');
    expect(result.code, result.output).toBe(0);
  });

  it("order-pipeline's lag page reads the topic series (topic, consumer, producer) and keeps their labels", () => {
    const scenario = loadSpec('order-pipeline');
    const rule = prometheusRules(scenario).groups[0]?.rules.find((r) => r.labels.sevdrill_alert === 'orders-lag');
    if (!rule) throw new Error('order-pipeline has no orders-lag alert');
    const topic = { topic: 'orders', service: 'fulfilment', producer: 'checkout' };
    const result = runUnitTests('order-pipeline', prometheusRulesYaml(scenario), [
      {
        interval: '1m',
        input_series: [
          // The oldest order waits 6 minutes from 1m on; the other topic's lag is not this alert's business.
          { series: series(METRIC.topicLagSeconds, 'order-pipeline', 'stuck', topic), values: '10 360+0x9' },
          { series: series(METRIC.topicLagSeconds, 'order-pipeline', 'stuck', { topic: 'order-emails', service: 'notifications', producer: 'checkout' }), values: '900+0x10' },
        ],
        alert_rule_test: [
          { eval_time: '2m', alertname: rule.alert, exp_alerts: [] },
          {
            eval_time: '3m',
            alertname: rule.alert,
            exp_alerts: [
              {
                exp_labels: { ...rule.labels, sevdrill_session: 'stuck', scenario: 'order-pipeline', ...topic },
                exp_annotations: rendered(rule.annotations, ['{{ $value | humanizeDuration }}', '6m 0s'], 'stuck'),
              },
            ],
          },
        ],
      },
    ]);
    expect(result.error).toBeUndefined();
    expect(result.code, result.output).toBe(0);
  });

  it("checkout-retry-storm's fast burn fires while both windows burn above 14.4×, not after the burn stopped", () => {
    const scenario = loadSpec('checkout-retry-storm');
    const rule = prometheusRules(scenario).groups[0]?.rules.find((r) => r.labels.sevdrill_alert === 'place-order-fast-burn');
    if (!rule) throw new Error('checkout-retry-storm has no place-order-fast-burn alert');
    expect(rule.alert).toBe(alertName('place-order-fast-burn'));
    const counter = (metric: string, session: string) => series(metric, 'checkout-retry-storm', session, { journey: 'place-order' });
    const requests = (session: string) => ({ series: counter(METRIC.journeyRequests, session), values: '0+6000x90' });
    const errors = (session: string, values: string) => ({ series: counter(METRIC.journeyErrors, session), values });
    const result = runUnitTests('checkout-retry-storm', prometheusRulesYaml(scenario), [
      {
        interval: '1m',
        input_series: [
          // 100 requests/s each. "burning": 10% errors throughout, 100× the 0.1% budget.
          requests('burning'),
          errors('burning', '0+600x90'),
          // 0.1% errors: burning the budget at exactly 1×.
          requests('steady'),
          errors('steady', '0+6x90'),
          // 10% errors for 30 minutes, then none: the hour still burns, the last five minutes do not.
          requests('recovered'),
          errors('recovered', '0+600x30 18000+0x59'),
        ],
        alert_rule_test: [
          {
            eval_time: '40m',
            alertname: rule.alert,
            exp_alerts: [
              {
                exp_labels: { ...rule.labels, sevdrill_session: 'burning', scenario: 'checkout-retry-storm', journey: 'place-order' },
                exp_annotations: rendered(rule.annotations, ['{{ $value | printf "%.1f" }}', '100.0'], 'burning'),
              },
            ],
          },
        ],
      },
    ]);
    expect(result.error).toBeUndefined();
    expect(result.code, result.output).toBe(0);
  });
});
