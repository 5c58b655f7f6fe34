/**
 * Delivery: a receiver that fails twice gets the message on the third try and then the rest in
 * order; one that always fails has each message given up after every try, and the facilitator sees
 * it, redacted; no secret (routing key, webhook secret, the Slack URL's path) ever reaches a client
 * frame or a log line.
 */
import { describe, expect, it } from 'vitest';
import { TestClient, createDrill, until, withServer, type CodeDrill } from '../server/harness.ts';
import { PATHS, SECRETS, integrationsAt } from './drill-run.ts';
import { startReceiver } from './receiver.ts';

/** Starts a drill, sets off its page, runs on a little, and ends it. */
async function shortDrill(server: { url: string }, integrations: string[]): Promise<{ creds: CodeDrill; fac: TestClient }> {
  const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, integrations });
  const fac = await TestClient.join(server.url, { sessionId: creds.sessionId, token: creds.facilitatorToken, name: 'Fran' });
  fac.send({ type: 'control', command: 'start', clientActionId: 'go' });
  await fac.reply('go');
  fac.send({ type: 'control', command: 'inject', fault: 'pricing-rules-v2', clientActionId: 'inject' });
  await fac.waitForEvent('alert.firing', { severity: 'page' }, 20_000);
  fac.send({ type: 'control', command: 'end', clientActionId: 'end' });
  await fac.reply('end');
  return { creds, fac };
}

type Status = { name: string; on: boolean; sent: number; pending: number; gaveUp: number; lastError: string | null; lastSuccessAt: string | null };
const statusOf = (m: Record<string, unknown>, name: string): Status | undefined => (m.integrations as Status[]).find((i) => i.name === name);

describe('outbound integrations: delivery', () => {
  it('delivers on the third try after two failures, then the rest in order', async () => {
    const receiver = await startReceiver((_request, index) => (index < 2 ? 500 : 200));
    try {
      await withServer(
        async (server) => {
          const { fac } = await shortDrill(server, ['webhook']);
          // The drill's end is its last message; then the facilitator's status settles.
          await until(() => receiver.to(PATHS.webhook).some((r) => (r.body as { kind: string }).kind === 'drill.state' && r.raw.includes('"to":"ended"')), 20_000);
          const hooks = receiver.to(PATHS.webhook);
          const distinct = new Set(hooks.map((r) => r.raw)).size;
          const done = await fac.waitFor((m) => m.type === 'integrations' && statusOf(m, 'webhook')?.sent === distinct && statusOf(m, 'webhook')?.pending === 0, 10_000);
          // The same first message three times, then each later one once.
          expect(hooks[1]?.raw).toBe(hooks[0]?.raw);
          expect(hooks[2]?.raw).toBe(hooks[0]?.raw);
          const delivered = hooks.slice(2).map((r) => (r.body as { event: { seq: number } }).event.seq);
          expect(distinct).toBe(delivered.length);
          expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
          expect(statusOf(done, 'webhook')).toMatchObject({ on: true, sent: delivered.length, gaveUp: 0 });
          expect(statusOf(done, 'webhook')?.lastError).toMatch(/^HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/…$/);
          fac.close();
        },
        { integrations: integrationsAt(receiver.url) },
      );
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('gives a message up after every try fails, shows it to the facilitator redacted, and leaks no secret', async () => {
    const receiver = await startReceiver(() => 500);
    const logs: string[] = [];
    try {
      await withServer(
        async (server) => {
          const { fac } = await shortDrill(server, ['slack', 'pagerduty', 'webhook']);
          const given = await fac.waitFor(
            (m) => m.type === 'integrations' && ['slack', 'pagerduty', 'webhook'].every((name) => statusOf(m, name)?.pending === 0 && (statusOf(m, name)?.gaveUp ?? 0) > 0),
            30_000,
          );
          // Three tries each (retryDelaysMs has two waits), never more.
          const tries = new Map<string, number>();
          for (const r of receiver.received) tries.set(r.raw, (tries.get(r.raw) ?? 0) + 1);
          expect(new Set(tries.values())).toEqual(new Set([3]));
          const slack = statusOf(given, 'slack');
          expect(slack).toMatchObject({ sent: 0, lastSuccessAt: null });
          expect(slack?.gaveUp).toBe(receiver.to(PATHS.slack).length / 3);
          expect(slack?.lastError).toMatch(/^HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/…$/);
          await until(() => logs.some((l) => l.includes('"integration":"slack"') && l.includes('gave up')), 5_000);
          // Secrets went to the receiver (where they belong) and nowhere else.
          expect(receiver.received.some((r) => r.raw.includes(SECRETS[0] as string))).toBe(true);
          const leaks = (text: string) => SECRETS.filter((s) => text.includes(s));
          expect(leaks(fac.raw.join('\n'))).toEqual([]);
          expect(leaks(logs.join('\n'))).toEqual([]);
          fac.close();
        },
        { integrations: integrationsAt(receiver.url, { retryDelaysMs: [20, 40] }), logLevel: 'debug' },
        (line) => logs.push(line),
      );
    } finally {
      await receiver.close();
    }
  }, 60_000);
});
