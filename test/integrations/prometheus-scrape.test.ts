/**
 * A real Prometheus (Debian's, started by real-tools.ts) scrapes a test server's /metrics every
 * second with the bearer token, as a team would configure it, while a drill runs; its query API
 * then has the drill's series with the drill labels, and histogram_quantile works on them. promtool
 * also checks the exposition itself (its format, and Prometheus's naming rules).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC } from '../../engine/integrations/names.ts';
import type { RunningServer } from '../../engine/server/app.ts';
import type { LiveDrill } from '../../engine/server/drill.ts';
import { scrape } from '../server/exposition.ts';
import { createDrill, startTestServer, until } from '../server/harness.ts';
import { PROMTOOL_BIN, scrapeConfig, startPrometheus, type RunningTool } from './real-tools.ts';

const TOKEN = 'prometheus-scrape-test-token-0123456789';

interface VectorResult {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query, now or at `time` (Unix seconds). */
async function query(prometheus: RunningTool, promql: string, time?: number): Promise<VectorResult[]> {
  const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}${time === undefined ? '' : `&time=${time}`}`);
  const body = (await res.json()) as { status: string; data?: { resultType: string; result: VectorResult[] } };
  if (body.status !== 'success' || body.data?.resultType !== 'vector') throw new Error(`query ${promql}: ${JSON.stringify(body)}`);
  return body.data.result;
}

describe('a real Prometheus scraping /metrics', () => {
  let server: RunningServer;
  let prometheus: RunningTool;
  let drill: LiveDrill;

  beforeAll(async () => {
    server = await startTestServer({ metricsToken: TOKEN });
    const created = await createDrill(server, { scenarioId: 'retail-sev1', speed: 10 });
    drill = server.registry.get(created.sessionId) as LiveDrill;
    drill.submit({ actor: 'Fran', type: 'start' });
    prometheus = await startPrometheus(() => scrapeConfig(server, TOKEN));
  }, 30_000);

  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
  });

  it("has the drill's series, with its labels, and histogram_quantile works on them", async () => {
    const selector = `{drill="true",sevdrill_session="${drill.id}"}`;
    // Two scrapes of a counter that grows, so rate() has something to work with.
    const found = await until(async () => {
      const result = await query(prometheus, `${METRIC.serviceRequests}${selector}`);
      const rates = await query(prometheus, `rate(${METRIC.serviceRequests}{drill="true",service="checkout"}[5s])`);
      return result.length > 0 && rates.some((r) => Number(r.value[1]) > 0) ? result : null;
    }, 20_000, 250).catch(() => {
      throw new Error(`Prometheus never had the drill's series:\n${prometheus.output()}`);
    });
    const series = found ?? [];
    expect(series.map((s) => s.metric.service).sort()).toEqual(drill.scenario.services.map((s) => s.id).sort());
    for (const s of series) expect(s.metric).toMatchObject({ drill: 'true', sevdrill_session: drill.id, scenario: 'retail-sev1', job: 'sevdrill' });

    // Scraped with the token: the target is up.
    expect((await query(prometheus, 'up{job="sevdrill"}')).map((r) => r.value[1])).toEqual(['1']);
    const quantile = await query(prometheus, `histogram_quantile(0.5, sum by (le) (rate(${METRIC.serviceDuration}_bucket{drill="true",service="checkout"}[5s])))`);
    expect(Number(quantile[0]?.value[1])).toBeGreaterThan(0);
    expect(Number.isFinite(Number(quantile[0]?.value[1]))).toBe(true);
    // docs/integrations.md's query for simulated rps at any speed: the wall-time rate divided by the drill's
    // speed, one result per service. Both evaluated at one instant, so they compare exactly.
    const at = Date.now() / 1000;
    const wall = await query(prometheus, `rate(${METRIC.serviceRequests}${selector}[5s])`, at);
    const simulated = await query(prometheus, `rate(${METRIC.serviceRequests}${selector}[5s]) / on (sevdrill_session) group_left ${METRIC.speed}`, at);
    expect(simulated.length).toBe(drill.scenario.services.length);
    for (const r of simulated) {
      const same = wall.find((w) => w.metric.service === r.metric.service);
      expect(Number(r.value[1]), r.metric.service).toBeCloseTo(Number(same?.value[1]) / drill.speed, 9);
    }
    const alerts = await query(prometheus, `${METRIC.alertFiring}${selector}`);
    expect(alerts.length).toBe(drill.scenario.alerts.length);
    for (const a of alerts) expect(a.metric.alertname).toMatch(/^Sevdrill[A-Za-z0-9]+$/);
  });

  it('promtool accepts the exposition', async () => {
    const { text } = await scrape(server.url, TOKEN);
    const check = spawnSync(PROMTOOL_BIN, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    // promtool exits 1 on a parse error and 3 on lint problems only. prom-client's own nodejs_* gauges
    // named *_total draw lint warnings; sevdrill's metrics must draw none.
    const problems = `${check.stdout}${check.stderr}`.split('\n').filter((line) => line !== '');
    expect(check.status === 0 || check.status === 3, problems.join('\n')).toBe(true);
    expect(problems.filter((line) => !line.startsWith('nodejs_'))).toEqual([]);
  });
});
