/**
 * The push reaches a real Alertmanager (Debian's prometheus-alertmanager, test/integrations/real-tools.ts):
 * while the drill's page fires, `GET /api/v2/alerts` lists it with `drill="true"` and the drill's
 * session; once the drill ends, Alertmanager holds it as resolved and lists it as active no more.
 */
import { describe, expect, it } from 'vitest';
import { alertName } from '../../engine/integrations/names.ts';
import { TestClient, createDrill, until, withServer } from '../server/harness.ts';
import { integrationsAt } from './drill-run.ts';
import { startAlertmanager } from './real-tools.ts';

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  status: { state: string };
}

async function alerts(base: string, query = ''): Promise<GettableAlert[]> {
  const res = await fetch(`${base}/api/v2/alerts${query}`);
  if (!res.ok) throw new Error(`GET /api/v2/alerts: ${res.status}`);
  return (await res.json()) as GettableAlert[];
}

describe('outbound integrations: a real Alertmanager', () => {
  it('holds the drill alert while it fires, labelled as a drill, and resolves it when the drill ends', async () => {
    const am = await startAlertmanager();
    try {
      const delivery = integrationsAt('http://127.0.0.1:1').delivery;
      await withServer(
        async (server) => {
          const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, integrations: ['alertmanager'] });
          const fac = await TestClient.join(server.url, { sessionId: creds.sessionId, token: creds.facilitatorToken, name: 'Fran' });
          fac.send({ type: 'control', command: 'start', clientActionId: 'go' });
          await fac.reply('go');
          fac.send({ type: 'control', command: 'inject', fault: 'pricing-rules-v2', clientActionId: 'inject' });
          const page = await fac.waitForEvent('alert.firing', { severity: 'page' }, 20_000);
          const alertId = (page.events as { type: string; severity?: string; alert?: string }[]).find((e) => e.type === 'alert.firing' && e.severity === 'page')?.alert as string;

          const ours = (list: GettableAlert[]) => list.filter((a) => a.labels.sevdrill_session === creds.sessionId && a.labels.alertname === alertName(alertId));
          const firing = (await until(async () => ours(await alerts(am.url))[0], 10_000)) as GettableAlert;
          expect(firing.labels).toMatchObject({ drill: 'true', sevdrill_alert: alertId, scenario: 'retail-sev1', severity: 'page' });
          expect(firing.status.state).toBe('active');
          expect(firing.annotations.summary).toMatch(/^\[DRILL\] /);
          expect(firing.generatorURL).toContain(`/#/drill/${creds.sessionId}`);
          expect(Date.parse(firing.endsAt)).toBeGreaterThan(Date.now());

          fac.send({ type: 'control', command: 'end', clientActionId: 'end' });
          await fac.reply('end');
          // Alertmanager 0.25 lists only alerts that have not ended: a resolved alert leaves the list.
          await until(async () => ours(await alerts(am.url)).length === 0, 10_000);
          expect(ours(await alerts(am.url, '?active=true&silenced=true&inhibited=true&unprocessed=true'))).toEqual([]);
          fac.close();
        },
        { integrations: { alertmanager: { url: am.url }, pagerduty: null, slack: null, webhook: null, delivery } },
      );
    } catch (error) {
      throw new Error(`${String(error)}\nalertmanager said:\n${am.output().slice(-2_000)}`, { cause: error });
    } finally {
      await am.stop();
    }
  }, 90_000);
});
