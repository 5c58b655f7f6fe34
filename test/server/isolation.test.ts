/**
 * Drills are isolated: several run at once, each with its own engine and loop. When one drill's tick
 * throws, that drill alone stops (its clients get `drill-failed`); the others keep ticking on time and
 * their logs still replay.
 */
import { describe, expect, it } from 'vitest';
import { replayLog } from '../../engine/core/log/replay.ts';
import type { CreateSessionResponse } from '../../engine/protocol/messages.ts';
import { TestClient, createDrill, fetchLog, get, largestGap, logEvents, sleep, withServer } from './harness.ts';

interface Drill {
  creds: CreateSessionResponse;
  fac: TestClient;
  obs: TestClient;
  rita: TestClient;
}

describe('isolation', () => {
  it('five drills at once; one failing tick stops that drill only', async () => {
    await withServer(async (server) => {
      const bodies = [
        { scenarioId: 'retail-sev1', speed: 60 },
        { scenarioId: 'retail-sev1', speed: 60, seed: 99 },
        { scenarioId: 'auth-cert-expiry', speed: 60 },
        { scenarioId: 'checkout-retry-storm', speed: 60 },
        { scenarioId: 'retail-sev1', speed: 60 },
      ];
      const drills: Drill[] = [];
      for (const body of bodies) {
        const creds = await createDrill(server, body);
        const join = (hello: Record<string, unknown>) => TestClient.join(server.url, { sessionId: creds.sessionId, ...hello });
        drills.push({
          creds,
          fac: await join({ token: creds.facilitatorToken, name: 'Fran' }),
          obs: await join({ code: creds.observerCode, name: 'olga' }),
          rita: await join({ code: creds.responderCode, name: 'rita' }),
        });
      }
      for (const d of drills) d.fac.send({ type: 'control', command: 'start', clientActionId: 'go' });
      for (const d of drills) expect(await d.fac.reply('go')).toMatchObject({ type: 'ack' });
      await Promise.all(drills.map((d) => d.obs.waitForNow(30_000)));

      // Each has its own engine.
      const sessions = drills.map((d) => server.registry.get(d.creds.sessionId)?.session);
      expect(new Set(sessions).size).toBe(5);
      expect(sessions.every((s) => s !== undefined)).toBe(true);
      // A command in one drill is in that drill only.
      const one = drills[1] as Drill;
      one.rita.send({ type: 'action', clientActionId: 'd1', action: 'diagnose', target: 'pricing' });
      expect(await one.rita.reply('d1')).toMatchObject({ type: 'ack' });
      const commandsOf = async (d: Drill) =>
        logEvents(await fetchLog(server, d.creds.sessionId, d.creds.facilitatorToken))
          .filter((e) => e.type === 'command')
          .map((e) => `${String(e.actor)}:${String(e.command)}`);
      for (const [i, d] of drills.entries()) expect(await commandsOf(d)).toEqual(i === 1 ? ['Fran:start', 'rita:diagnose'] : ['Fran:start']);

      // Drill 0's next tick throws.
      const victim = drills[0] as Drill;
      const others = drills.slice(1);
      const live = server.registry.get(victim.creds.sessionId);
      if (!live) throw new Error('no drill');
      live.session.runUntil = () => {
        throw new Error('boom');
      };
      const failedAt = performance.now();
      for (const c of [victim.fac, victim.obs, victim.rita]) {
        expect(await c.waitFor((m) => m.type === 'error' && m.code === 'drill-failed', 2_000)).toMatchObject({ type: 'error', code: 'drill-failed' });
      }
      const stoppedAt = ((await get(server, `/api/sessions/${victim.creds.sessionId}`)).json as { now: number }).now;

      // The others carry on, on time: a batch per tick (~167 ms at speed 60), one tick apart.
      const ticksBefore = others.map((d) => d.obs.tickArrivals().length);
      await sleep(1_500);
      const until = performance.now();
      for (const [i, d] of others.entries()) {
        expect(d.obs.tickArrivals().length, `drill ${i + 1}`).toBeGreaterThanOrEqual((ticksBefore[i] as number) + 6);
        expect(largestGap(d.obs.tickArrivals(), failedAt, until), `drill ${i + 1}`).toBeLessThan(1_000);
        const nows = d.obs.messages.filter((m) => m.type === 'events' && m.sample !== undefined).map((m) => m.now as number);
        expect(nows, `drill ${i + 1}`).toEqual(nows.map((_, k) => (k + 1) * 10_000));
        expect(d.obs.errors(), `drill ${i + 1}`).toEqual([]);
        expect(d.fac.errors(), `drill ${i + 1}`).toEqual([]);
        // They still take commands.
        const target = (d.rita.messages[0] as unknown as { scenario: { services: { id: string }[] } }).scenario.services[0]?.id;
        d.rita.send({ type: 'action', clientActionId: 'after', action: 'diagnose', target });
        expect(await d.rita.reply('after'), `drill ${i + 1}`).toMatchObject({ type: 'ack' });
      }

      // The failed drill stays stopped and refuses input.
      expect(((await get(server, `/api/sessions/${victim.creds.sessionId}`)).json as { now: number }).now).toBe(stoppedAt);
      expect(victim.obs.messages.filter((m) => m.type === 'events' && m.sample !== undefined && (m.now as number) > stoppedAt)).toEqual([]);
      victim.fac.send({ type: 'control', command: 'pause', clientActionId: 'p' });
      expect(await victim.fac.reply('p')).toMatchObject({ type: 'error', code: 'drill-closed' });
      victim.rita.send({ type: 'action', clientActionId: 'r', action: 'ack' });
      expect(await victim.rita.reply('r')).toMatchObject({ type: 'error', code: 'drill-closed' });
      expect(victim.fac.errors().filter((m) => m.code === 'drill-failed').length).toBe(1);

      // Every log still replays to the same bytes, the failed drill's included (up to where it stopped).
      for (const [i, d] of drills.entries()) {
        const log = await fetchLog(server, d.creds.sessionId, d.creds.facilitatorToken);
        expect(replayLog(log), `drill ${i}`).toMatchObject({ ok: true });
        expect(logEvents(log).length, `drill ${i}`).toBeGreaterThan(0);
      }
      // And the server as a whole is fine: a new drill starts and runs.
      expect((await get(server, '/healthz')).json).toEqual({ ok: true });
      const fresh = await createDrill(server);
      const fac = await TestClient.join(server.url, { sessionId: fresh.sessionId, token: fresh.facilitatorToken, name: 'Fran' });
      fac.send({ type: 'control', command: 'start', clientActionId: 'go' });
      await fac.waitForNow(20_000, 5_000);
      for (const c of [fac, ...drills.flatMap((d) => [d.fac, d.obs, d.rita])]) c.close();
    });
  }, 30_000);
});
