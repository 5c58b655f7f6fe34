/**
 * integrations/grafana/sevdrill-drill.json reads only what the /metrics exporter writes: every PromQL
 * in it (panel targets and variable queries) names metrics from METRIC only (the duration histogram
 * with its _bucket, _sum and _count), keeps to drill series, and parses: with Grafana's variables filled
 * in, each one becomes a recording rule that the real `promtool check rules` parses.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { METRIC } from '../../engine/integrations/names.ts';
import { ROOT } from '../helpers.ts';
import { PROMTOOL_BIN } from './real-tools.ts';

interface Panel {
  type: string;
  title?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
  panels?: Panel[];
  options?: { content?: string };
}

interface Variable {
  type: string;
  name: string;
  query: string;
}

const FILE = join(ROOT, 'integrations/grafana/sevdrill-drill.json');
const dashboard = JSON.parse(readFileSync(FILE, 'utf8')) as { schemaVersion: number; panels: Panel[]; templating: { list: Variable[] } };
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const LABEL_VALUES = /^label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\)$/s;

/** Every PromQL in the dashboard, with where it is: panel targets, and the selectors of label_values variables. */
const queries: { where: string; expr: string }[] = [
  ...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title ?? ''}"`, expr: t.expr }))),
  ...dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => ({ where: `variable ${v.name}`, expr: LABEL_VALUES.exec(v.query)?.[1] ?? `not label_values(selector, label): ${v.query}` })),
];

const ALLOWED = new Set<string>([
  ...Object.values(METRIC),
  ...['_bucket', '_sum', '_count'].map((suffix) => `${METRIC.serviceDuration}${suffix}`),
]);
const KEYWORDS = new Set([
  ...['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset'],
  // Aggregations may put their grouping before the parenthesis: sum by (le) (…).
  ...['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values'],
]);

/**
 * The metric names an expression reads: identifiers left once strings, label matchers, ranges,
 * grouping label lists, Grafana variables and function calls are taken out.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1()')
    .replace(/\$\{?\w+\}?/g, '');
  return [...bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)]
    .filter((m) => !/^\s*\(/.test(bare.slice(m.index + m[0].length)))
    .map((m) => m[0])
    .filter((name) => !KEYWORDS.has(name));
}

/** Brackets of each kind close in order, outside strings. */
function balanced(expr: string): boolean {
  const open: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (const ch of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if (ch === '(' || ch === '[' || ch === '{') open.push(ch);
    else if (ch in pairs && open.pop() !== pairs[ch]) return false;
  }
  return open.length === 0;
}

/** A Grafana query as Prometheus would receive it: variables replaced by values of their kind. */
const filledIn = (expr: string) => expr.replaceAll('$__rate_interval', '1m').replace(/\$\{?(\w+)\}?/g, 'x');

function promtoolParses(exprs: readonly string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'sevdrill-dashboard-'));
  const file = join(dir, 'dashboard-queries.rules.yaml');
  const rules = exprs.map((expr, i) => ({ record: `sevdrill_dashboard_query_${i}`, expr: filledIn(expr) }));
  writeFileSync(file, stringify({ groups: [{ name: 'sevdrill-dashboard-queries', rules }] }));
  const r = spawnSync(PROMTOOL_BIN, ['check', 'rules', file], { encoding: 'utf8' });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('the Grafana dashboard', () => {
  it('is a dashboard of the schema it says, with the drill banner first', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const top = [...panels].sort((a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x)[0];
    expect(top?.type).toBe('text');
    expect(top?.gridPos).toMatchObject({ x: 0, y: 0, w: 24 });
    expect(top?.options?.content).toContain('[DRILL] sevdrill game day — simulated data, not production');
  });

  it('picks its Prometheus as a variable, and filters by scenario and session', () => {
    const names = dashboard.templating.list.map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['datasource', 'scenario', 'sevdrill_session']));
    for (const panel of panels.filter((p) => p.targets !== undefined)) {
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      for (const target of panel.targets ?? []) {
        expect(target.expr, panel.title).toContain('scenario=~"$scenario"');
        expect(target.expr, panel.title).toContain('sevdrill_session=~"$sevdrill_session"');
      }
    }
  });

  it('charts journeys, services (with the histogram), topics, alerts and the incident', () => {
    const read = new Set(queries.flatMap((q) => metricNames(q.expr)));
    for (const name of [
      METRIC.journeyRequestRate, METRIC.journeyErrorRatio, METRIC.journeyLatency, METRIC.journeySloOk,
      METRIC.serviceErrorRatio, METRIC.serviceLatency, `${METRIC.serviceDuration}_bucket`, METRIC.serviceSaturation, METRIC.serviceBacklog,
      METRIC.topicLag, METRIC.alertFiring, METRIC.incidentState, METRIC.incidentSeverity,
    ]) expect(read, name).toContain(name);
  });

  it('every query reads only METRIC names, only drill series, with balanced brackets', () => {
    expect(queries.length).toBeGreaterThan(15);
    for (const { where, expr } of queries) {
      const names = metricNames(expr);
      expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0);
      expect(names.filter((n) => !ALLOWED.has(n)), `${where}: ${expr}`).toEqual([]);
      for (const matchers of expr.match(/\{[^}]*\}/g) ?? []) expect(matchers, where).toContain('drill="true"');
      expect(balanced(expr), `${where}: ${expr}`).toBe(true);
    }
  });

  it('every query parses as PromQL (promtool check rules, one recording rule each)', () => {
    const checked = promtoolParses(queries.map((q) => q.expr));
    expect(checked.output).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(checked.code, checked.output).toBe(0);
  });

  it('the checks can fail: an unknown metric, a label taken for a metric, unbalanced brackets, bad PromQL', () => {
    expect(metricNames('rate(sevdrill_nope_total{drill="true",sevdrill_session=~"$sevdrill_session"}[$__rate_interval])')).toEqual(['sevdrill_nope_total']);
    expect(metricNames(`histogram_quantile(0.99, sum by (le, sevdrill_session) (rate(${METRIC.serviceDuration}_bucket{drill="true"}[5m])))`)).toEqual([`${METRIC.serviceDuration}_bucket`]);
    expect(metricNames(`${METRIC.serviceErrorRatio} > on(sevdrill_session) group_left ${METRIC.journeyErrorRatio}`)).toEqual([METRIC.serviceErrorRatio, METRIC.journeyErrorRatio]);
    expect(balanced('sum(rate(x{a="(("}[5m])')).toBe(false);
    expect(balanced('sum(rate(x{a="(("}[5m]))')).toBe(true);
    expect(promtoolParses(['sum(rate(x{drill="true"}[$__rate_interval]) by (']).code).not.toBe(0);
  });
});
