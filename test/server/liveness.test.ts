/**
 * Dead and slow clients. The heartbeat drops a socket that stops answering pings within about two
 * intervals; a client that stops reading is cut off as soon as its unsent data passes the cap, so it
 * cannot grow the server's heap, and it never delays anyone else's ticks.
 */
import { describe, expect, it } from 'vitest';
import { TestClient, createDrill, get, largestGap, sleep, until, withServer } from './harness.ts';

const HEARTBEAT_MS = 200;
const CAP = 64 * 1024;

describe('heartbeat', () => {
  it('drops a client that stops answering pings within about two intervals; a live one stays', async () => {
    await withServer(
      async (server) => {
        const creds = await createDrill(server);
        const fac = await TestClient.join(server.url, { sessionId: creds.sessionId, token: creds.facilitatorToken, name: 'Fran' });
        fac.send({ type: 'control', command: 'start', clientActionId: 'go' });
        await fac.reply('go');

        const live = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.observerCode, name: 'live' });
        const t0 = performance.now();
        const dead = await TestClient.connect(server.url, { autoPong: false });
        let pingsToDead = 0;
        dead.ws.on('ping', () => pingsToDead++);
        dead.send({ type: 'hello', v: 1, sessionId: creds.sessionId, code: creds.observerCode, name: 'dead' });
        await dead.waitFor((m) => m.type === 'welcome');
        // A socket that never joined is dropped the same way.
        const silent = await TestClient.connect(server.url, { autoPong: false });
        let pingsToLive = 0;
        live.ws.on('ping', () => pingsToLive++);
        expect(((await get(server, `/api/sessions/${creds.sessionId}`, { authorization: `Bearer ${creds.facilitatorToken}` })).json as { clients: number }).clients).toBe(3);

        const closed = await dead.closed;
        const elapsed = performance.now() - t0;
        // Pinged at the first heartbeat, terminated at the next: at most two intervals after joining.
        expect(closed.code).toBe(1006);
        expect(pingsToDead).toBe(1);
        expect(elapsed).toBeGreaterThan(HEARTBEAT_MS * 0.9);
        expect(elapsed).toBeLessThan(HEARTBEAT_MS * 2 + 250);
        expect((await silent.closed).code).toBe(1006);
        expect(performance.now() - t0).toBeLessThan(HEARTBEAT_MS * 2 + 400);
        // The server forgot it: only the facilitator and the live observer are left.
        expect(((await get(server, `/api/sessions/${creds.sessionId}`, { authorization: `Bearer ${creds.facilitatorToken}` })).json as { clients: number }).clients).toBe(2);

        // The one that answers survives many more intervals and keeps receiving ticks.
        const ticksBefore = live.tickArrivals().length;
        await sleep(HEARTBEAT_MS * 6);
        expect(live.isClosed).toBe(false);
        expect(fac.isClosed).toBe(false);
        // Pinged (and answering) for more than the two intervals that dropped the dead one.
        expect(pingsToLive).toBeGreaterThanOrEqual(3);
        expect(live.tickArrivals().length).toBeGreaterThanOrEqual(ticksBefore + 4);
        expect(live.errors()).toEqual([]);
        for (const c of [fac, live]) c.close();
      },
      { heartbeatMs: HEARTBEAT_MS },
    );
  });
});

describe('slow clients', () => {
  it('cuts off a client that stops reading once its buffer passes the cap; a normal client keeps its ticks', async () => {
    const logs: string[] = [];
    await withServer(
      async (server) => {
        const creds = await createDrill(server);
        const fac = await TestClient.join(server.url, { sessionId: creds.sessionId, token: creds.facilitatorToken, name: 'Fran' });
        const normal = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.observerCode, name: 'normal' });
        const slow = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.observerCode, name: 'slow' });
        const loud = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.responderCode, name: 'loud' });
        fac.send({ type: 'control', command: 'start', clientActionId: 'go' });
        await fac.reply('go');
        await normal.waitForNow(20_000);
        const slowSaw = slow.messages.length;
        slow.ws.pause(); // stops reading: the kernel buffers fill, then the server's own buffer grows

        // Lots of data: each status update carries ~58 KB of parameters, which the logged command
        // event repeats to every client. The kernel buffers on loopback hold a few MB, so ~150 of these
        // (~9 MB) are far more than enough to push the slow client over the cap.
        const padding = Object.fromEntries(Array.from({ length: 28 }, (_, i) => [`pad${i}`, `${i}`.padEnd(2000, '.')]));
        const floodStart = performance.now();
        let sent = 0;
        let cutAt = 0;
        for (let batch = 0; batch < 30 && cutAt === 0; batch++) {
          for (let i = 0; i < 10; i++, sent++) loud.send({ type: 'action', clientActionId: `u${sent}`, action: 'status-update', params: { message: `update ${sent}`, ...padding } });
          expect(await loud.reply(`u${sent - 1}`)).toMatchObject({ type: 'ack' });
          const clients = ((await get(server, `/api/sessions/${creds.sessionId}`, { authorization: `Bearer ${creds.facilitatorToken}` })).json as { clients: number }).clients;
          if (clients === 3) cutAt = sent;
        }
        const floodEnd = performance.now();
        expect(cutAt).toBeGreaterThan(0);
        // At least the kernel buffers (a few MB) went out before the cut; well under the 9 MB available.
        expect(cutAt).toBeGreaterThanOrEqual(20);

        // It was cut off just past the cap, not after its buffer had grown without limit.
        const lines = logs.map((l) => JSON.parse(l) as { msg: string; unsent?: number });
        const cut = lines.find((l) => l.msg.startsWith('cutting off a slow observer'));
        expect(cut).toBeDefined();
        const unsent = Number(cut?.unsent);
        expect(unsent).toBeGreaterThan(CAP);
        expect(unsent).toBeLessThan(CAP + 2 * 62 * 1024);
        expect(lines.filter((l) => l.msg.startsWith('cutting off')).length).toBe(1);

        // The normal client read everything, and its tick batches kept coming on time throughout.
        await normal.waitFor((m) => m.type === 'events' && (m.events as { type: string; actor?: string; command?: string }[]).some((e) => e.command === 'status-update' && e.actor === 'loud' && JSON.stringify(e).includes(`update ${sent - 1}"`)), 10_000);
        await normal.waitForNext((m) => m.type === 'events' && m.sample !== undefined, 2_000);
        expect(normal.isClosed).toBe(false);
        expect(normal.events().filter((e) => e.command === 'status-update').length).toBe(sent);
        expect(largestGap(normal.tickArrivals(), floodStart, floodEnd)).toBeLessThan(1_000);
        const nows = normal.messages.filter((m) => m.type === 'events' && m.sample !== undefined).map((m) => m.now as number);
        for (let i = 1; i < nows.length; i++) expect((nows[i] as number) - (nows[i - 1] as number)).toBe(10_000);
        expect(normal.errors()).toEqual([]);

        // Once it reads again, the slow client finds itself disconnected, having missed most of the flood.
        slow.ws.resume();
        expect((await slow.closed).code).toBe(1006);
        expect(slow.messages.length).toBeGreaterThanOrEqual(slowSaw);
        const slowUpdates = slow.events().filter((e) => e.command === 'status-update').length;
        expect(slowUpdates).toBeLessThan(sent);

        // It can come back and resume where it stopped reading.
        const lastSeq = Math.max(...slow.events().map((e) => e.seq as number));
        const slowToken = (slow.messages[0] as unknown as { participant: { token: string } }).participant.token;
        const back = await TestClient.join(server.url, { sessionId: creds.sessionId, participantToken: slowToken, lastSeq });
        expect(back.messages[0]).toMatchObject({ type: 'welcome', resumed: true });
        await until(() => back.events().filter((e) => e.command === 'status-update').length + slowUpdates >= sent, 10_000);
        expect(back.events()[0]?.seq).toBeGreaterThan(lastSeq);
        for (const c of [fac, normal, loud, back]) c.close();
      },
      // The flood limits are lifted: this test needs megabytes through one drill quickly.
      {
        heartbeatMs: 60_000,
        maxBufferedBytes: CAP,
        rateLimit: { perSecond: 1000, burst: 1000 },
        participantRate: { perSecond: 1000, burst: 1000 },
        drillRate: { perSecond: 1000, burst: 1000 },
        drillLogBytes: { perSecond: 1e9, burst: 1e9 },
      },
      (line) => logs.push(line),
    );
  });
});
