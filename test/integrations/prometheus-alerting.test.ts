/**
 * The whole path a team would wire, with the real programs: a drill runs at speed 1 on a server
 * that a real Prometheus scrapes; that Prometheus evaluates the rule file `sevdrill export
 * prometheus-rules` wrote for the scenario and sends the drill's page to a real Alertmanager, which
 * lists it with drill="true". The same Alertmanager also receives sevdrill's own push for a second
 * drill (no Prometheus involved), and the pushed alert leaves it once the drill clears it.
 *
 * test/integrations/scenarios/quick-page.yaml pages 7 s into the drill, so the test takes seconds.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertName } from '../../engine/integrations/names.ts';
import { prometheusRulesYaml } from '../../engine/integrations/prometheus-rules.ts';
import type { RunningServer } from '../../engine/server/app.ts';
import { configFromEnv } from '../../engine/server/config.ts';
import type { LiveDrill } from '../../engine/server/drill.ts';
import type { Scenario } from '../../engine/protocol/scenario.ts';
import { ROOT } from '../helpers.ts';
import { createDrill, startTestServer, until } from '../server/harness.ts';
import { integrationsAt } from './drill-run.ts';
import { scrapeConfig, startAlertmanager, startPrometheus, type RunningTool } from './real-tools.ts';

const TOKEN = 'prometheus-alerting-test-token-0123456789';
const ALERT = alertName('api-errors');

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
  startsAt: string;
  endsAt: string;
}

/** The drill's alert named ALERT in Alertmanager, once it is there. */
async function listed(am: RunningTool, session: string): Promise<AmAlert | false> {
  return (await alertsIn(am, session)).find((a) => a.labels.alertname === ALERT) ?? false;
}

async function alertsIn(am: RunningTool, session: string): Promise<AmAlert[]> {
  const res = await fetch(`${am.url}/api/v2/alerts?filter=${encodeURIComponent(`sevdrill_session="${session}"`)}`);
  if (!res.ok) throw new Error(`Alertmanager answered ${res.status}`);
  return (await res.json()) as AmAlert[];
}

describe('a drill on a real Prometheus and Alertmanager', () => {
  let server: RunningServer;
  let am: RunningTool;
  let prometheus: RunningTool;

  beforeAll(async () => {
    am = await startAlertmanager();
    const delivery = integrationsAt('http://127.0.0.1:1').delivery;
    server = await startTestServer({
      metricsToken: TOKEN,
      scenarioDirs: configFromEnv({ SEVDRILL_SCENARIOS: join(ROOT, 'test/integrations/scenarios') }).scenarioDirs,
      integrations: { alertmanager: { url: am.url }, pagerduty: null, slack: null, webhook: null, delivery },
    });
  }, 30_000);

  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
    await am?.stop();
  });

  it("fires the exported rule in Prometheus, and the drill's page reaches Alertmanager with drill=\"true\"", async () => {
    const created = await createDrill(server, { scenarioId: 'quick-page', speed: 1 });
    const drill = server.registry.get(created.sessionId) as LiveDrill;
    const rules = prometheusRulesYaml(drill.scenario as Scenario);
    prometheus = await startPrometheus((dir) => {
      const ruleFile = join(dir, 'sevdrill.rules.yml');
      writeFileSync(ruleFile, rules);
      return scrapeConfig(server, TOKEN, { ruleFile, alertmanager: am.url });
    });
    const started = performance.now();
    drill.submit({ actor: 'Fran', type: 'start' });

    const fired = await until(() => listed(am, drill.id), 30_000, 250).catch(() => {
      throw new Error(`the page never reached Alertmanager:\n${prometheus.output().slice(-3000)}`);
    });
    const wallSeconds = (performance.now() - started) / 1000;
    console.log(`Prometheus → Alertmanager: ${ALERT} listed ${wallSeconds.toFixed(1)} s after the drill started (the engine pages at 7 s simulated)`);
    // The rule's labels, and the series' own: which drill, which scenario, which service.
    expect(fired.labels).toMatchObject({
      alertname: ALERT,
      drill: 'true',
      severity: 'page',
      sevdrill_alert: 'api-errors',
      sevdrill_session: drill.id,
      scenario: 'quick-page',
      service: 'api',
      job: 'sevdrill',
    });
    expect(fired.annotations.drill).toMatch(/^\[DRILL\]/);
    expect(fired.status.state).toBe('active');
    // The engine fired the same alert: both paths tell the same story.
    expect(drill.events.some((e) => e.type === 'alert.firing' && e.alert === 'api-errors')).toBe(true);
    // Not before the rule's `for` (5 s) could have held after the fault (2 s in).
    expect(wallSeconds).toBeGreaterThan(6);
  }, 60_000);

  it("takes sevdrill's own push for a drill, and resolves it when the drill clears it", async () => {
    const created = await createDrill(server, { scenarioId: 'quick-page', speed: 60, integrations: ['alertmanager'] });
    const drill = server.registry.get(created.sessionId) as LiveDrill;
    drill.submit({ actor: 'Fran', type: 'start' });
    const pushed = await until(() => listed(am, drill.id), 20_000, 100);
    expect(pushed.labels).toMatchObject({ alertname: ALERT, drill: 'true', severity: 'page', sevdrill_session: drill.id, service: 'api' });
    // No job label: this one came from sevdrill, not from a Prometheus.
    expect(pushed.labels.job).toBeUndefined();
    // The rollback clears the fault; the alert resolves in the engine and leaves Alertmanager's active list.
    const result = drill.submit({ actor: 'Fran', type: 'rollback', target: 'api' } as Parameters<LiveDrill['submit']>[0]);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    await until(() => drill.events.some((e) => e.type === 'alert.resolved' && e.alert === 'api-errors'), 20_000, 100);
    await until(async () => !(await alertsIn(am, drill.id)).some((a) => a.labels.alertname === ALERT && a.status.state === 'active'), 20_000, 200);
  }, 60_000);
});
