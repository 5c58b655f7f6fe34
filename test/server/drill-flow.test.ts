/** A live drill end to end over real sockets: two responders, an observer and a facilitator. */
import { describe, expect, it } from 'vitest';
import { replayLog } from '../../engine/core/log/replay.ts';
import { TestClient, createDrill, withServer } from './harness.ts';

describe('live drill', () => {
  it('runs the cascade, acks actions, gates the rollback on a second responder, and replays', async () => {
    await withServer(async (server) => {
      const creds = await createDrill(server);
      const fac = await TestClient.join(server.url, { sessionId: creds.sessionId, token: creds.facilitatorToken, name: 'Fran' });
      const alice = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.responderCode, name: 'alice' });
      const bob = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.responderCode, name: 'bob' });
      const obs = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.observerCode, name: 'olga' });
      expect((await fac.waitFor((m) => m.type === 'welcome')).role).toBe('facilitator');
      expect((await alice.waitFor((m) => m.type === 'welcome')).role).toBe('responder');
      expect((await obs.waitFor((m) => m.type === 'welcome')).role).toBe('observer');

      fac.send({ type: 'control', command: 'speed', speed: 60, clientActionId: 's1' });
      fac.send({ type: 'control', command: 'start', clientActionId: 'c1' });
      await fac.waitFor((m) => m.type === 'ack' && m.clientActionId === 'c1');
      // Inject the root cause now rather than waiting five simulated minutes.
      fac.send({ type: 'control', command: 'inject', fault: 'pricing-rules-v2', clientActionId: 'c2' });
      await alice.waitForEvent('alert.firing', { severity: 'page' }, 15_000);

      alice.send({ type: 'action', clientActionId: 'a1', action: 'ack' });
      const ack = await alice.waitFor((m) => m.type === 'ack' && m.clientActionId === 'a1');
      expect(typeof ack.seq).toBe('number');
      alice.send({ type: 'action', clientActionId: 'a2', action: 'declare', params: { severity: 1 } });
      await alice.waitFor((m) => m.type === 'ack' && m.clientActionId === 'a2');

      obs.send({ type: 'action', clientActionId: 'o1', action: 'ack' });
      expect(await obs.waitFor((m) => m.type === 'error' && m.clientActionId === 'o1')).toMatchObject({ code: 'forbidden' });

      alice.send({ type: 'action', clientActionId: 'a3', action: 'rollback', target: 'pricing' });
      await bob.waitForEvent('approval.requested', { request: 'rollback:pricing', by: 'alice' });
      alice.send({ type: 'action', clientActionId: 'a4', action: 'approve', params: { request: 'rollback:pricing' } });
      expect(await alice.waitFor((m) => m.type === 'error' && m.clientActionId === 'a4')).toMatchObject({ code: 'self-approval' });
      bob.send({ type: 'action', clientActionId: 'b1', action: 'approve', params: { request: 'rollback:pricing' } });
      await bob.waitFor((m) => m.type === 'ack' && m.clientActionId === 'b1');
      await obs.waitForEvent('incident.state', { to: 'mitigated' }, 20_000);

      // Everyone saw the same events in the same order (responders: minus the hidden ones).
      const seqs = (c: TestClient) => c.events().map((e) => e.seq as number);
      const common = Math.min(seqs(alice).length, seqs(bob).length, seqs(obs).length);
      expect(seqs(alice).slice(0, common)).toEqual(seqs(bob).slice(0, common));
      expect(seqs(obs).slice(0, common)).toEqual(seqs(alice).slice(0, common));
      expect(fac.events().some((e) => e.type === 'fault.started')).toBe(true);
      expect(alice.events().some((e) => e.type === 'fault.started')).toBe(false);

      const log = await (await fetch(`${server.url}/api/sessions/${creds.sessionId}/log`, { headers: { authorization: `Bearer ${creds.facilitatorToken}` } })).text();
      expect(replayLog(log)).toMatchObject({ ok: true });
      for (const c of [fac, alice, bob, obs]) c.close();
    });
  }, 60_000);
});
