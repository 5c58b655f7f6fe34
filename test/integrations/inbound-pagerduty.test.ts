/**
 * Acknowledging a drill page from PagerDuty (docs/integrations.md, "Acknowledge from your own tools"):
 * a V3 webhook on the drill's inbound URL, with its inbound secret, becomes an `ack` from the named
 * responder; a wrong secret, another drill's page, an unknown person, a retry, a malformed or oversized
 * body each get their answer, and the drill and the server go on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../engine/server/app.ts';
import { deriveSecret } from '../../engine/server/credentials.ts';
import { TestClient, createDrill, fetchLog, logEvents, startTestServer, type CodeDrill, type Message } from '../server/harness.ts';
import { integrationsAt } from './drill-run.ts';
import { startReceiver, type Receiver } from './receiver.ts';

interface Drill {
  creds: CodeDrill;
  fac: TestClient;
  alice: TestClient;
  observer: TestClient;
  path: string;
  secret: string;
  /** The dedup_key sevdrill sent for the page that fired. */
  key: string;
}

const webhook = (key: string, agent: Record<string, unknown> = { summary: 'Alice', type: 'user_reference' }, eventType = 'incident.acknowledged') => ({
  event: {
    id: '01DEN2H8Q5ZJ2KE7RR7C1MMHAK',
    event_type: eventType,
    resource_type: 'incident',
    occurred_at: '2026-05-04T09:31:30.000Z',
    agent: { html_url: 'https://acme.pagerduty.com/users/PLH1HKV', id: 'PLH1HKV', self: 'https://api.pagerduty.com/users/PLH1HKV', ...agent },
    client: null,
    data: { id: 'PGR0VU2', type: 'incident', number: 2, status: 'acknowledged', incident_key: key, title: '[DRILL] Checkout errors' },
  },
});

describe('acknowledging from PagerDuty', () => {
  let server: RunningServer;
  let receiver: Receiver;
  const logs: string[] = [];
  const open: TestClient[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startTestServer({ integrations: { ...integrationsAt(receiver.url), alertmanager: null, slack: null, webhook: null } }, (line) => logs.push(line));
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await server.close();
    await receiver.close();
  });

  const post = (path: string, body: unknown, secret?: string, raw?: string) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret !== undefined ? { authorization: `Bearer ${secret}` } : {}) },
      body: raw ?? JSON.stringify(body),
    });

  /** A drill sending to PagerDuty, started, its page fired; alice a responder, and an observer. */
  async function pagedDrill(): Promise<Drill> {
    const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, integrations: ['pagerduty'] });
    const fac = await TestClient.join(server.url, { sessionId: creds.sessionId, token: creds.facilitatorToken, name: 'Fran' });
    const alice = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.responderCode, name: 'alice' });
    const observer = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.observerCode, name: 'Otto' });
    open.push(fac, alice, observer);
    fac.send({ type: 'control', command: 'start', clientActionId: 'go' });
    await fac.reply('go');
    fac.send({ type: 'control', command: 'inject', fault: 'pricing-rules-v2', clientActionId: 'inject' });
    const paged = await alice.waitForEvent('alert.firing', { severity: 'page' }, 20_000);
    const alert = (paged.events as { type: string; severity?: string; alert?: string }[]).find((e) => e.type === 'alert.firing' && e.severity === 'page')?.alert as string;
    const welcome = fac.messages.find((m) => m.type === 'welcome') as Message & { inbound?: { pagerduty?: { path: string; secret: string } } };
    const inbound = welcome.inbound?.pagerduty;
    if (!inbound) throw new Error(`the facilitator's welcome has no inbound URL: ${JSON.stringify(welcome).slice(0, 300)}`);
    return { creds, fac, alice, observer, path: inbound.path, secret: inbound.secret, key: `sevdrill-${creds.sessionId}-${alert}` };
  }

  const acks = async (d: Drill) => logEvents(await fetchLog(server, d.creds.sessionId, d.creds.facilitatorToken)).filter((e) => e.type === 'command' && e.command === 'ack');

  it('acknowledges as the named responder, once, whatever PagerDuty retries', async () => {
    const d = await pagedDrill();
    expect(d.path).toBe(`/api/sessions/${d.creds.sessionId}/inbound/pagerduty`);

    // Without the secret, or with a wrong one (another drill's included), nothing is read or acknowledged.
    const other = await pagedDrill();
    for (const secret of [undefined, 'not-the-secret', other.secret, d.creds.facilitatorToken, d.creds.responderCode]) {
      const res = await post(d.path, webhook(d.key), secret);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe('unauthorized');
    }
    expect(await acks(d)).toEqual([]);

    // Another drill's page on this drill's URL: ignored, with a 2xx so PagerDuty neither retries nor disables the subscription.
    const foreign = await post(d.path, webhook(other.key), d.secret);
    expect(foreign.status).toBe(202);
    expect(await foreign.json()).toMatchObject({ ok: true, outcome: 'ignored' });
    // A real incident on the same service, and an event that is not an acknowledgement: ignored too.
    expect((await post(d.path, webhook('d3640fbd41094207a1c11e58e46b1662'), d.secret)).status).toBe(202);
    expect((await post(d.path, webhook(d.key, undefined, 'incident.triggered'), d.secret)).status).toBe(202);
    expect(await acks(d)).toEqual([]);
    expect(await acks(other)).toEqual([]);

    const res = await post(d.path, webhook(d.key, { summary: 'ALICE', type: 'user_reference' }), d.secret);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, outcome: 'acknowledged', participant: { id: 'p2', name: 'alice' } });
    await d.alice.waitForEvent('incident.state', { to: 'acknowledged' });
    expect(await acks(d)).toMatchObject([{ actor: 'alice', participant: 'p2', ok: true }]);

    // PagerDuty delivers at least once: the retry is a 2xx, and the log gets no second command.
    const again = await post(d.path, webhook(d.key), d.secret);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ok: true, outcome: 'already-acknowledged' });
    expect(await acks(d)).toHaveLength(1);
    expect(await acks(other)).toEqual([]);
    expect(logs.some((l) => l.includes('acknowledged by alice (p2) from PagerDuty'))).toBe(true);
  }, 60_000);

  it('refuses a person who is not a responder of the drill, and the drill goes on', async () => {
    const d = await pagedDrill();
    for (const agent of [{ summary: 'Mallory' }, { summary: 'Otto' }, { summary: 'Fran' }, {}]) {
      const res = await post(d.path, webhook(d.key, agent), d.secret);
      // Not a 4xx: PagerDuty disables a subscription after three dropped deliveries in a row.
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ ok: true, outcome: 'unknown-person' });
    }
    expect(await acks(d)).toEqual([]);
    expect(logs.some((l) => l.includes('"errorCode":"unknown-person"') && l.includes('Mallory'))).toBe(true);
    // The facilitator hears of it (and can ask Mallory to join under that name); alice does not.
    const told = (c: TestClient) => c.messages.filter((m) => m.type === 'error' && m.code === 'unknown-person' && String(m.message).includes('"Mallory"'));
    expect(told(d.fac)).toHaveLength(1);
    expect(told(d.alice)).toHaveLength(0);

    // The display name is no responder's, but the email address's name is: that is who acknowledged.
    const res = await post(d.path, webhook(d.key, { summary: 'Alice Liddell', email: 'Alice@example.com' }), d.secret);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'acknowledged', participant: { name: 'alice' } });
  }, 60_000);

  it('answers a malformed, oversized or wrongly shaped body with a clear error; the server and other drills carry on', async () => {
    const d = await pagedDrill();
    const bystander = await pagedDrill();
    const bad = await post(d.path, null, d.secret, '{"event": {"event_type": "incident.ack');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, code: 'bad-json' });
    const big = await post(d.path, null, d.secret, JSON.stringify({ event: { event_type: 'incident.acknowledged', pad: 'x'.repeat(70 * 1024) } }));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ ok: false, code: 'payload-too-large' });
    for (const shape of [{}, [], { event: 'acknowledged' }, { event: { event_type: 42 } }]) {
      const res = await post(d.path, shape, d.secret);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ ok: false, code: 'bad-webhook' });
    }
    // A tool that is not one: 404 with the way it is done instead.
    const am = await post(d.path.replace(/pagerduty$/, 'alertmanager'), webhook(d.key), d.secret);
    expect(am.status).toBe(404);
    expect(((await am.json()) as { message: string }).message).toContain('silences');

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ok = await post(bystander.path, webhook(bystander.key), bystander.secret);
    expect(ok.status).toBe(200);
    d.alice.send({ type: 'action', clientActionId: 'a1', action: 'ack' });
    expect((await d.alice.reply('a1')).type).toBe('ack');
  }, 60_000);

  it("gives a drill made before inbound secrets one when its facilitator comes back", async () => {
    const d = await pagedDrill();
    const live = server.registry.get(d.creds.sessionId);
    if (!live) throw new Error('the drill is not live');
    // As an older server stored it: no hash, so no secret opens it yet.
    live.record.inboundSecretHash = '';
    expect((await post(d.path, webhook(d.key), d.secret)).status).toBe(401);
    const back = await TestClient.join(server.url, { sessionId: d.creds.sessionId, token: d.creds.facilitatorToken });
    open.push(back);
    expect(back.messages.find((m) => m.type === 'welcome')).toMatchObject({ inbound: { pagerduty: { path: d.path, secret: d.secret } } });
    expect(live.record.inboundSecretHash).not.toBe('');
    expect((await post(d.path, webhook(d.key), d.secret)).status).toBe(200);
  }, 60_000);

  it('is shown to the facilitator only, and never logged', async () => {
    const d = await pagedDrill();
    await post(d.path, webhook(d.key), d.secret);
    await post(d.path, webhook(d.key), 'wrong');
    for (const client of [d.alice, d.observer]) {
      expect(client.raw.some((frame) => frame.includes(d.secret))).toBe(false);
      expect(client.messages.find((m) => m.type === 'welcome')).not.toHaveProperty('inbound');
    }
    expect(logs.some((l) => l.includes(d.secret))).toBe(false);

    // A drill that does not send to PagerDuty shows none, and its own secret (derived as the server does) opens nothing there.
    const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
    const fac = await TestClient.join(server.url, { sessionId: creds.sessionId, token: creds.facilitatorToken, name: 'Fran' });
    open.push(fac);
    expect(fac.messages.find((m) => m.type === 'welcome')).not.toHaveProperty('inbound');
    const off = await post(`/api/sessions/${creds.sessionId}/inbound/pagerduty`, webhook(`sevdrill-${creds.sessionId}-checkout-errors`), deriveSecret(creds.facilitatorToken, creds.sessionId, 'inbound'));
    expect(off.status).toBe(409);
    expect(await off.json()).toMatchObject({ code: 'integration-off' });
  }, 60_000);
});
