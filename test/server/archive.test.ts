/**
 * Drills that stop leave memory: an ended drill is archived (its log gzipped into the database) and,
 * after SEVDRILL_ARCHIVE_AFTER, released, its sockets told `drill-archived`; a drill nobody has
 * touched or watched for SEVDRILL_IDLE_EXPIRY is closed as `expired` and archived the same way. Either
 * way its debrief stays readable: log (which still replays), score, report and replay.
 */
import { describe, expect, it } from 'vitest';
import { replayLog } from '../../engine/core/log/replay.ts';
import type { SessionListing } from '../../engine/protocol/messages.ts';
import { TestClient, createDrill, get, until, withServer } from './harness.ts';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('archiving', () => {
  it('an ended drill leaves memory after archiveAfter; its sockets are told, its debrief stays', async () => {
    await withServer(
      async (server) => {
        const created = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
        const fac = await TestClient.join(server.url, { sessionId: created.sessionId, token: created.facilitatorToken });
        const rita = await TestClient.join(server.url, { sessionId: created.sessionId, code: created.responderCode, name: 'rita' });
        const ritaToken = (rita.messages[0] as unknown as { participant: { token: string } }).participant.token;
        for (const command of ['start', 'end']) {
          fac.send({ type: 'control', command, clientActionId: command });
          expect(await fac.reply(command)).toMatchObject({ type: 'ack' });
        }
        const logWhileLive = (await get(server, `/api/sessions/${created.sessionId}/log`, bearer(created.facilitatorToken))).text;
        // Still in memory (archiveAfter has not passed): the console stays connected.
        server.registry.sweep();
        expect(server.registry.get(created.sessionId)).toBeDefined();
        // Once the archive is written and the time has passed, the drill leaves memory and its sockets are told.
        await until(() => {
          server.registry.sweep(performance.now() + 60_001);
          return server.registry.get(created.sessionId) === undefined;
        });
        expect(await rita.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'drill-archived' });
        expect((await rita.closed).code).toBe(4000);
        const again = await TestClient.join(server.url, { sessionId: created.sessionId, participantToken: ritaToken });
        expect(again.messages[0]).toMatchObject({ type: 'error', code: 'drill-archived' });
        // Readable from the archive, by the facilitator and (the drill has ended) by rita's own token.
        const log = await get(server, `/api/sessions/${created.sessionId}/log`, bearer(ritaToken));
        expect(log.status).toBe(200);
        expect(log.text).toBe(logWhileLive);
        expect(replayLog(log.text)).toMatchObject({ ok: true });
        for (const path of ['score', 'report', 'report?format=md', 'replay']) {
          expect((await get(server, `/api/sessions/${created.sessionId}/${path}`, bearer(created.facilitatorToken))).status, path).toBe(200);
        }
        expect((await get(server, `/api/sessions/${created.sessionId}`)).json).toMatchObject({ status: 'ended', phase: 'ended' });
        // The facilitator's live-drill requests say why they cannot be done.
        expect(await get(server, `/api/sessions/${created.sessionId}/participants`, bearer(created.facilitatorToken))).toMatchObject({ status: 410, json: { code: 'drill-archived' } });
        for (const c of [fac, again]) c.close();
      },
      { archiveAfterMs: 60_000 },
    );
  });

  it('a drill nobody touches or watches for idleExpiry is closed as expired and archived', async () => {
    await withServer(
      async (server) => {
        const idle = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
        const watched = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
        const watcher = await TestClient.join(server.url, { sessionId: watched.sessionId, code: watched.observerCode, name: 'olga' });
        const later = performance.now() + 3_600_001;
        server.registry.sweep(later);
        // The watched one stays open; the idle one is expired, then released once archived.
        expect(server.registry.get(watched.sessionId)?.status).toBe('live');
        expect(server.registry.get(idle.sessionId)?.status).toBe('expired');
        await until(() => {
          server.registry.sweep(later + 1);
          return server.registry.get(idle.sessionId) === undefined;
        });
        const listing = (await get(server, `/api/sessions/${idle.sessionId}`)).json as SessionListing;
        expect(listing).toMatchObject({ status: 'expired', phase: 'ended' });
        expect(Date.parse(listing.endedAt ?? '')).not.toBeNaN();
        // It no longer counts as open, and its log is still there.
        expect(server.registry.openDrills()).toBe(1);
        expect((await get(server, `/api/sessions/${idle.sessionId}/log`, bearer(idle.facilitatorToken))).status).toBe(200);
        expect((await TestClient.join(server.url, { sessionId: idle.sessionId, token: idle.facilitatorToken })).messages[0]).toMatchObject({ code: 'drill-archived' });
        watcher.close();
      },
      { idleExpiryMs: 3_600_000, archiveAfterMs: 0 },
    );
  });
});
