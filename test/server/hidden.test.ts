/**
 * Facilitator-only information never reaches responders or observers: not in the welcome, not in
 * backlog or live batches, not in errors, and not over HTTP. Every raw frame they receive is searched
 * for the scenario's `facilitator` texts, advice labels, fault ids and the hidden keys; the facilitator's
 * own frames must contain them (so the search would find a leak). The log opens to the facilitator
 * while the drill runs and to any participant once it has ended.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../engine/protocol/scenario.ts';
import { loadScenario } from '../helpers.ts';
import { TestClient, createDrill, get, withServer } from './harness.ts';

const HIDDEN_KEYS = ['faults', 'resolves', 'rootCause', 'upcomingInjects', 'activeFaults', 'adviceLabels', 'facilitator', 'logs', 'whenFault'];
const LABELS = ['stale', 'correct', 'harmful'];

/** Every string under any `facilitator` key, at any depth. */
function facilitatorStrings(value: unknown, inside = false, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (inside) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) facilitatorStrings(v, inside, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) facilitatorStrings(v, inside || k === 'facilitator', out);
  }
  return out;
}

/** The secrets of a scenario, as the substrings they would be in JSON text. */
function secretsOf(scenario: Scenario, options: { faultIds: boolean }) {
  const texts = new Set<string>();
  for (const s of facilitatorStrings(scenario)) {
    if (LABELS.includes(s)) continue; // a label word is a secret only in a label position (checked below)
    if (s === scenario.id) continue;
    const escaped = JSON.stringify(s).slice(1, -1);
    texts.add(escaped);
    // A note leaked in part (one line of it) counts too.
    for (const line of s.split('\n')) if (line.trim().length >= 20) texts.add(JSON.stringify(line.trim()).slice(1, -1));
  }
  const faultIds = options.faultIds ? scenario.faults.map((f) => f.id) : [];
  return { texts: [...texts], faultIds };
}

const retail = loadScenario('retail-sev1');
const RETAIL = secretsOf(retail, { faultIds: true });
// The other shipped scenarios appear in the public listings too. ("auth-cert-expiry" is both a
// scenario id and that scenario's root-cause fault, so their fault ids cannot be told from public ids.)
const OTHERS = ['auth-cert-expiry', 'checkout-retry-storm'].map((id) => secretsOf(loadScenario(id), { faultIds: false }));

/** Every leak found in a text (empty when there is none). */
function leaks(text: string, secrets: { texts: string[]; faultIds: string[] }[] = [RETAIL]): string[] {
  const found: string[] = [];
  for (const s of secrets) {
    for (const t of s.texts) if (text.includes(t)) found.push(`facilitator text: ${t.slice(0, 60)}`);
    for (const id of s.faultIds) if (text.includes(id)) found.push(`fault id: ${id}`);
  }
  for (const key of HIDDEN_KEYS) if (text.includes(`"${key}":`)) found.push(`key: ${key}`);
  for (const m of text.matchAll(/"label"\s*:\s*"([^"]*)"/g)) if (LABELS.includes(m[1] as string)) found.push(`label: ${m[1]}`);
  return found;
}

function expectNoLeak(client: TestClient, who: string): void {
  // At least the welcome and a backlog or live batch.
  expect(client.raw.length, `${who} received frames`).toBeGreaterThanOrEqual(2);
  const found = new Set(client.raw.flatMap((frame) => leaks(frame)));
  expect([...found], `${who} received hidden information`).toEqual([]);
}

describe('hidden information', () => {
  it('never reaches responders or observers, over the socket or HTTP', async () => {
    // The secrets are real and specific: the notes, the root cause and four fault ids.
    expect(RETAIL.faultIds.sort()).toEqual(['login-herd', 'price-cache-stampede', 'pricing-rules-v2', 'search-reindex']);
    expect(RETAIL.texts.length).toBeGreaterThanOrEqual(8);
    expect(retail.advice.map((a) => a.facilitator.label)).toEqual(['stale', 'correct', 'harmful']);

    await withServer(async (server) => {
      const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
      const { sessionId } = creds;
      const join = (hello: Record<string, unknown>) => TestClient.join(server.url, { sessionId, ...hello });
      const fac = await join({ token: creds.facilitatorToken, name: 'Fran' });
      const rita = await join({ code: creds.responderCode, name: 'rita' });
      const ritaToken = (rita.messages[0] as { participant: { token: string } }).participant.token;
      const bob = await join({ code: creds.responderCode, name: 'bob' });
      const olga = await join({ code: creds.observerCode, name: 'olga' });
      let n = 0;
      const act = async (client: TestClient, action: string, extra: Record<string, unknown> = {}) => {
        const id = `a${++n}`;
        client.send({ type: 'action', clientActionId: id, action, ...extra });
        const reply = await client.reply(id);
        expect(reply, `${action} ${JSON.stringify(extra)}`).toMatchObject({ type: 'ack' });
      };
      const control = async (command: string, extra: Record<string, unknown> = {}) => {
        const id = `c${++n}`;
        fac.send({ type: 'control', command, clientActionId: id, ...extra });
        expect(await fac.reply(id), command).toMatchObject({ type: 'ack' });
      };

      await control('start');
      await control('inject', { fault: 'pricing-rules-v2' });
      // The facilitator's inject of an unknown fault is answered to the facilitator alone.
      fac.send({ type: 'control', command: 'inject', fault: 'no-such-fault', clientActionId: 'bad-inject' });
      expect(await fac.reply('bad-inject')).toMatchObject({ type: 'error', code: 'unknown-fault' });

      // The scheduled red herring starts at 2m; the responders investigate everything.
      await rita.waitForNow(130_000, 15_000);
      for (const target of ['search', 'pricing', 'checkout', 'product-page']) await act(rita, 'diagnose', { target });
      // Both traps: the restart sets off the login herd, the flush the cache stampede.
      await act(rita, 'restart', { target: 'account' });
      await act(bob, 'cache-flush', { target: 'pricing' });
      await rita.waitForEvent('action.completed', { action: 'restart:account' }, 15_000);
      await rita.waitForNow(rita.events().find((e) => e.type === 'action.completed' && e.action === 'restart:account')!.t as number + 20_000, 15_000);
      for (const target of ['auth', 'account', 'pricing-db']) await act(bob, 'diagnose', { target });
      await rita.waitForEvent('alert.firing', { severity: 'page' }, 15_000);
      await act(rita, 'ack');
      await act(rita, 'declare', { params: { severity: 1 } });
      // The fix (which ends the root-cause fault, a hidden event).
      await act(rita, 'rollback', { target: 'pricing' });
      await act(bob, 'approve', { params: { request: 'rollback:pricing' } });
      // All three pieces of advice (8, 11 and 14 simulated minutes).
      await olga.waitForEvent('advice.shown', { advice: 'colleague-flush-cache' }, 20_000);
      await rita.waitForEvent('action.completed', { action: 'rollback:pricing' }, 15_000);

      // Latecomers get the whole history as backlog, or the part after their lastSeq.
      const late = await join({ code: creds.observerCode, name: 'late' });
      const back = await join({ participantToken: ritaToken, lastSeq: 3 });
      expect(back.messages[0]).toMatchObject({ type: 'welcome', resumed: true });
      await late.waitForNext((m) => m.type === 'events' && m.sample !== undefined);
      await back.waitForNext((m) => m.type === 'events' && m.sample !== undefined);

      // The facilitator did receive all of it, so the search below can find a leak.
      const facText = fac.raw.join('\n');
      for (const id of RETAIL.faultIds) expect(facText, id).toContain(id);
      for (const t of RETAIL.texts) expect(facText, t).toContain(t);
      for (const label of LABELS) expect(facText).toMatch(new RegExp(`"label":"${label}"`));
      expect(new Set(leaks(facText).map((l) => l.split(':')[0]))).toEqual(new Set(['facilitator text', 'fault id', 'key', 'label']));
      const facEvents = fac.events();
      for (const fault of RETAIL.faultIds) expect(facEvents.some((e) => e.type === 'fault.started' && e.fault === fault), fault).toBe(true);
      expect(facEvents.some((e) => e.type === 'fault.ended' && e.fault === 'pricing-rules-v2' && e.reason === 'fixed')).toBe(true);
      // ...and the others saw the drill itself: the change, the advice, the diagnoses, the fix.
      for (const type of ['change.deployed', 'advice.shown', 'diagnosis', 'alert.firing', 'action.completed']) {
        expect(olga.events().some((e) => e.type === type), type).toBe(true);
      }
      expect(olga.events().filter((e) => e.type === 'advice.shown').map((e) => e.advice)).toEqual(retail.advice.map((a) => a.id));
      expect(late.events().filter((e) => e.type === 'advice.shown').length).toBe(3);

      for (const [client, who] of [[rita, 'rita'], [bob, 'bob'], [olga, 'olga'], [late, 'late observer'], [back, 'resumed responder']] as const) {
        expectNoLeak(client, who);
        expect(client.events().some((e) => e.type === 'fault.started' || e.type === 'fault.ended' || e.command === 'inject'), who).toBe(false);
      }
      // The hidden events took seqs in the facilitator's numbering only: everyone else's has no gap
      // that would say when the root cause started, or that a restart set something off.
      const hiddenSeqs = facEvents.filter((e) => String(e.type).startsWith('fault.') || e.command === 'inject').map((e) => e.seq);
      expect(hiddenSeqs.length).toBeGreaterThanOrEqual(6);
      expect(facEvents.map((e) => e.seq)).toEqual(facEvents.map((_, i) => i));
      for (const [client, who, first] of [[rita, 'rita', 0], [bob, 'bob', 0], [olga, 'olga', 0], [late, 'late observer', 0], [back, 'resumed responder', 4]] as const) {
        const seen = client.events().map((e) => e.seq);
        expect(seen, `${who}'s seqs`).toEqual(seen.map((_, i) => first + i));
        // No frame arrives for a batch that held only hidden events (its timing would give it away).
        expect(client.messages.filter((m) => m.type === 'events' && m.sample === undefined && (m.events as unknown[]).length === 0), who).toEqual([]);
      }
      // Renumbered, the observer's stream is the facilitator's with the hidden events taken out.
      const visibleToAll = facEvents.filter((e) => !hiddenSeqs.includes(e.seq)).map((e, seq) => ({ ...e, seq }));
      const common = Math.min(olga.events().length, visibleToAll.length);
      expect(common).toBeGreaterThan(50);
      expect(olga.events().slice(0, common)).toEqual(visibleToAll.slice(0, common));

      // HTTP: the public endpoints hold none of it either.
      const everyScenario = [RETAIL, ...OTHERS];
      for (const path of ['/api/scenarios', '/api/scenarios/retail-sev1', '/api/scenarios/auth-cert-expiry', '/api/scenarios/checkout-retry-storm', '/api/sessions', `/api/sessions/${sessionId}`]) {
        const res = await get(server, path);
        expect(res.status, path).toBe(200);
        expect(leaks(res.text, everyScenario), path).toEqual([]);
      }
      expect(((await get(server, '/api/scenarios/retail-sev1')).json as { scenario: { title: string } }).scenario.title).toBe(retail.title);

      // The log: the facilitator's while the drill runs.
      const logPath = `/api/sessions/${sessionId}/log`;
      const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
      expect(await get(server, logPath)).toMatchObject({ status: 401, json: { code: 'unauthorized' } });
      expect(await get(server, logPath, bearer('wrong-token'))).toMatchObject({ status: 401 });
      expect(await get(server, logPath, { authorization: creds.facilitatorToken })).toMatchObject({ status: 401 });
      expect(await get(server, logPath, bearer(creds.responderCode))).toMatchObject({ status: 403, json: { code: 'drill-running' } });
      expect(await get(server, `${logPath}?code=${creds.responderCode}`)).toMatchObject({ status: 403, json: { code: 'drill-running' } });
      expect(await get(server, `${logPath}?code=${creds.observerCode}`)).toMatchObject({ status: 403 });
      const running = await get(server, logPath, bearer(creds.facilitatorToken));
      expect(running.status).toBe(200);
      expect(running.text).toContain('"type":"fault.started"');
      // The full scenario: the facilitator's only.
      const scenarioPath = `/api/sessions/${sessionId}/scenario`;
      expect(await get(server, scenarioPath)).toMatchObject({ status: 401 });
      expect(await get(server, scenarioPath, bearer(creds.responderCode))).toMatchObject({ status: 401 });
      expect(await get(server, `${scenarioPath}?code=${creds.responderCode}`)).toMatchObject({ status: 401 });
      const full = await get(server, scenarioPath, bearer(creds.facilitatorToken));
      expect(full.status).toBe(200);
      expect((full.json as Scenario).faults.map((f) => f.id).sort()).toEqual(RETAIL.faultIds);

      // Once the drill has ended, any participant's code opens the log.
      await control('end');
      expect(((await get(server, `/api/sessions/${sessionId}`)).json as { phase: string }).phase).toBe('ended');
      const byQuery = await get(server, `${logPath}?code=${creds.responderCode}`);
      expect(byQuery.status).toBe(200);
      const byBearer = await get(server, logPath, bearer(creds.responderCode));
      expect(byBearer.status).toBe(200);
      expect(byBearer.text).toBe(byQuery.text);
      expect(byQuery.text).toBe((await get(server, logPath, bearer(creds.facilitatorToken))).text);
      expect(byQuery.text).toContain('"command":"end"');
      expect((await get(server, `${logPath}?code=${creds.observerCode}`)).status).toBe(200);
      expect(await get(server, `${logPath}?code=not-a-code`)).toMatchObject({ status: 401 });
      // The full scenario stays the facilitator's.
      expect(await get(server, scenarioPath, bearer(creds.responderCode))).toMatchObject({ status: 401 });

      // Joining after the end: still nothing hidden.
      const after = await join({ code: creds.observerCode, name: 'after' });
      expect(after.messages[0]).toMatchObject({ type: 'welcome', snapshot: { phase: 'ended' } });
      await after.waitFor((m) => m.type === 'events' && (m.events as { command?: string }[]).some((e) => e.command === 'end'));
      expectNoLeak(after, 'observer joining after the end');
      for (const c of [rita, bob, olga, late, back]) expectNoLeak(c, 'after the end');
      for (const c of [fac, rita, bob, olga, late, back, after]) c.close();
    });
  }, 60_000);
});
