/**
 * Silencing a drill alert in a real Alertmanager (Debian's prometheus-alertmanager,
 * test/integrations/real-tools.ts) acknowledges the drill's incident as the silence's creator: the
 * drill pushes its page, "alice" silences it through Alertmanager's API, and the drill's log shows
 * alice's `ack`. Silences by nobody in the drill, or that do not name the drill, acknowledge nothing.
 */
import { describe, expect, it } from 'vitest';
import { alertName } from '../../engine/integrations/names.ts';
import { TestClient, createDrill, fetchLog, logEvents, sleep, until, withServer } from '../server/harness.ts';
import { integrationsAt } from './drill-run.ts';
import { startAlertmanager } from './real-tools.ts';

type Matcher = { name: string; value: string; isRegex?: boolean; isEqual?: boolean };

async function silence(base: string, createdBy: string, matchers: Matcher[]): Promise<string> {
  const now = Date.now();
  const res = await fetch(`${base}/api/v2/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers: matchers.map((m) => ({ isRegex: false, isEqual: true, ...m })),
      startsAt: new Date(now - 1_000).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
      createdBy,
      comment: 'drill: looking into it',
    }),
  });
  if (!res.ok) throw new Error(`POST /api/v2/silences: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { silenceID: string }).silenceID;
}

describe('acknowledging from Alertmanager: a silence', () => {
  it('acknowledges the drill as the responder who silenced its page, once; other silences acknowledge nothing', async () => {
    const am = await startAlertmanager();
    const logs: string[] = [];
    try {
      const delivery = { ...integrationsAt('http://127.0.0.1:1').delivery, silencePollMs: 200 };
      await withServer(
        async (server) => {
          const drill = async () => {
            const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, integrations: ['alertmanager'] });
            const fac = await TestClient.join(server.url, { sessionId: creds.sessionId, token: creds.facilitatorToken, name: 'Fran' });
            const alice = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.responderCode, name: 'alice' });
            fac.send({ type: 'control', command: 'start', clientActionId: 'go' });
            await fac.reply('go');
            fac.send({ type: 'control', command: 'inject', fault: 'pricing-rules-v2', clientActionId: 'inject' });
            const page = await alice.waitForEvent('alert.firing', { severity: 'page' }, 20_000);
            const alert = (page.events as { type: string; severity?: string; alert?: string }[]).find((e) => e.type === 'alert.firing' && e.severity === 'page')?.alert as string;
            const acks = async () => logEvents(await fetchLog(server, creds.sessionId, creds.facilitatorToken)).filter((e) => e.type === 'command' && e.command === 'ack');
            return { creds, fac, alice, alert, acks, close: () => [fac, alice].forEach((c) => c.close()) };
          };
          const d = await drill();
          const other = await drill();
          // The page reached Alertmanager (the outbound push), as the on-call would see it there.
          await until(async () => {
            const res = await fetch(`${am.url}/api/v2/alerts?filter=sevdrill_session="${d.creds.sessionId}"`);
            return ((await res.json()) as unknown[]).length > 0;
          }, 10_000);

          const session = { name: 'sevdrill_session', value: d.creds.sessionId };
          const page = { name: 'alertname', value: alertName(d.alert) };
          // Someone who is not in the drill; a silence that does not name the drill (it silences it all
          // the same, but is someone's real silence); a silence of the other drill.
          await silence(am.url, 'mallory', [session, page]);
          await silence(am.url, 'alice', [page, { name: 'drill', value: 'true' }]);
          await silence(am.url, 'alice', [{ name: 'sevdrill_session', value: other.creds.sessionId }, { name: 'sevdrill_alert', value: 'no-such-alert' }]);
          await until(() => logs.some((l) => l.includes('"errorCode":"unknown-person"') && l.includes('mallory')), 10_000);
          await sleep(600);
          expect(await d.acks()).toEqual([]);
          expect(await other.acks()).toEqual([]);

          const id = await silence(am.url, 'alice@example.com', [session, page, { name: 'severity', value: 'page|ticket', isRegex: true }]);
          const acked = await d.alice.waitForEvent('incident.state', { to: 'acknowledged' }, 10_000);
          expect(acked).toBeDefined();
          expect(await d.acks()).toMatchObject([{ actor: 'alice', participant: 'p2', ok: true }]);
          expect(logs.some((l) => l.includes(`through Alertmanager silence ${id}`))).toBe(true);
          // The silence stays active; later reads acknowledge nothing more, and the other drill is untouched.
          await sleep(600);
          expect(await d.acks()).toHaveLength(1);
          expect(await other.acks()).toEqual([]);
          d.close();
          other.close();
        },
        { integrations: { alertmanager: { url: am.url }, pagerduty: null, slack: null, webhook: null, delivery } },
        (line) => logs.push(line),
      );
    } catch (error) {
      throw new Error(`${String(error)}\nalertmanager said:\n${am.output().slice(-2_000)}`, { cause: error });
    } finally {
      await am.stop();
    }
  }, 90_000);
});
