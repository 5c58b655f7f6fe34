/**
 * Abuse over WebSockets, with the server's default limits. A flood in one drill (many people, many
 * sockets, 2000-character updates as fast as they go) costs another drill none of its ticks and grows
 * the flooded drill's log by less than 1 MiB a minute; a drill with 10 MB of history can take 20 fresh
 * joins at once, each getting all of it; a removed participant's socket gets nothing more in; and
 * sockets that never join, or never finish a message, are closed and logged. Measured figures are
 * printed (`npx vitest run test/server/abuse.test.ts`). The flooding clients run on a worker thread
 * (flood-worker.mjs), so that generating the flood is not counted as the server's cost.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerConfig } from '../../engine/server/config.ts';
import { configFromEnv } from '../../engine/server/config.ts';
import type { LiveDrill } from '../../engine/server/drill.ts';
import type { RunningServer } from '../../engine/server/app.ts';
import type { Store } from '../../engine/server/store.ts';
import { TestClient, createDrill, fetchLog, largestGap, logEvents, sleep, until, withServer, type Message } from './harness.ts';
import { describeLateness, lateness, recordTicks, timeDurableWrites } from './timing.ts';

const MiB = 1024 * 1024;
const DEFAULTS = configFromEnv({});
/** Everything at the server's defaults: harness.ts lifts the creation limits, so they are put back here. */
const DEFAULT_LIMITS: Partial<ServerConfig> = { createRate: DEFAULTS.createRate, maxOpenDrills: DEFAULTS.maxOpenDrills };
/** The bar for another drill's ticks. */
const MAX_TICK_LATENESS_MS = 100;

function live(server: RunningServer, id: string): LiveDrill {
  const drill = server.registry.get(id);
  if (!drill) throw new Error(`no live drill ${id}`);
  return drill;
}

/** A command as the drill's facilitator, straight into the drill (what the socket calls). */
function asFacilitator(drill: LiveDrill, type: string, params?: Record<string, string>) {
  const f = drill.roster.facilitator;
  return drill.submit({ actor: f.name, participant: f.id, type, ...(params ? { params } : {}) });
}

const logLines = (logs: string[]) => logs.map((l) => JSON.parse(l) as { msg: string; errorCode?: string; level: number });

interface FloodStats {
  sent: number;
  acks: number;
  errors: Record<string, number>;
  closes: Record<string, number>;
  reconnects: number;
  failedRejoins: Record<string, number>;
  bytesReceived: number;
}

describe('a flood in one drill', () => {
  it('costs another drill none of its ticks, and grows its own log by less than 1 MiB a minute', async () => {
    const logs: string[] = [];
    await withServer(
      async (server) => {
        const a = await createDrill(server, { scenarioId: 'retail-sev1' });
        const b = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
        const drillA = live(server, a.sessionId);
        const drillB = live(server, b.sessionId);
        expect(asFacilitator(drillA, 'start').ok).toBe(true);
        expect(asFacilitator(drillB, 'start').ok).toBe(true);
        const facA = await TestClient.join(server.url, { sessionId: a.sessionId, token: a.facilitatorToken });
        const watcherB = await TestClient.join(server.url, { sessionId: b.sessionId, code: b.observerCode, name: 'watcher' });
        await watcherB.waitForNow(30_000);

        // 25 people through the one responder code, and the first of them on 10 more sockets (8 is the cap).
        const FLOOD_MS = 15_000;
        const names = Array.from({ length: 25 }, (_, i) => `flooder ${i + 10}`);
        const worker = new Worker(new URL('./flood-worker.mjs', import.meta.url), {
          workerData: { url: server.url, sessionId: a.sessionId, code: a.responderCode, names, sharedExtra: 10, messageLength: 2000, durationMs: FLOOD_MS },
        });
        const fromWorker = (type: string) =>
          new Promise<Record<string, unknown>>((resolve, reject) => {
            // Each wait removes its own listeners, so waiting many times adds none for good.
            const onError = (error: Error) => {
              worker.off('message', onMessage);
              reject(error);
            };
            const onMessage = (m: Record<string, unknown>) => {
              if (m.type !== type) return;
              worker.off('message', onMessage);
              worker.off('error', onError);
              resolve(m);
            };
            worker.on('message', onMessage);
            worker.once('error', onError);
          });
        let restoreStore = () => {};
        try {
          const joined = (await fromWorker('joined')) as { answers: string[]; participants: number; sharedAnswers: string[]; sockets: number };
          expect(joined.answers).toEqual(Array(25).fill('welcome'));
          expect(joined.participants).toBe(25);
          // One socket already, 7 more allowed, then refused.
          expect(joined.sharedAnswers).toEqual([...Array(7).fill('welcome'), ...Array(3).fill('too-many-sockets')]);
          expect(joined.sockets).toBe(32);
          expect(drillA.roster.socketsOf(drillA.roster.entries().find((e) => e.name === 'flooder 10')?.id ?? '')).toBe(8);

          const before = Buffer.byteLength(await fetchLog(server, a.sessionId, a.facilitatorToken));
          const ticks = recordTicks(drillB);
          const writes = timeDurableWrites();
          restoreStore = writes.restore;
          const done = fromWorker('done');
          const t0 = performance.now();
          worker.postMessage('go');

          // A third of the way in, the burst allowance is spent: from here the log grows at the steady rate.
          await sleep(FLOOD_MS / 3);
          const t1 = performance.now();
          const mid = Buffer.byteLength(await fetchLog(server, a.sessionId, a.facilitatorToken));
          // The facilitator is not starved by the flood: their controls go through at once.
          const asked = performance.now();
          facA.send({ type: 'control', command: 'speed', speed: 2, clientActionId: 'mid-flood' });
          expect(await facA.reply('mid-flood', 5_000)).toMatchObject({ type: 'ack' });
          const facilitatorMs = performance.now() - asked;

          const { stats } = (await done) as { stats: FloodStats };
          const t2 = t0 + FLOOD_MS;
          const log = await fetchLog(server, a.sessionId, a.facilitatorToken);
          const after = Buffer.byteLength(log);
          writes.restore();
          const late = lateness(ticks, writes.spans, t0, t2 + 500);
          const gap = largestGap(watcherB.tickArrivals(), t0, t2);
          const updates = logEvents(log).filter((e) => e.type === 'status.posted').length;
          const minutes = FLOOD_MS / 60_000;
          const steadyPerMinute = (after - mid) / ((t2 - t1) / 60_000);
          // The burst allowance is spent once; a whole minute of flooding adds it and 60 s at the steady rate.
          const worstMinute = mid - before + (steadyPerMinute * (60_000 - (t1 - t0))) / 60_000;
          const budget = DEFAULTS.drillLogBytes.burst + (DEFAULTS.drillLogBytes.perSecond * FLOOD_MS) / 1000;
          console.log(
            `[flood] ${FLOOD_MS / 1000} s, 32 sockets of 25 people: sent ${stats.sent} updates (${((stats.sent * 2100) / MiB).toFixed(0)} MiB), ` +
              `${stats.acks} accepted, errors ${JSON.stringify(stats.errors)}, closes ${JSON.stringify(stats.closes)}, ${stats.reconnects} reconnects ` +
              `(refused: ${JSON.stringify(stats.failedRejoins)}), ${(stats.bytesReceived / MiB).toFixed(1)} MiB sent to the flooders`,
          );
          console.log(
            `[flood] drill B (speed 60, a tick due every ${(10_000 / 60).toFixed(0)} ms): ${describeLateness(late)}; ` +
              `largest gap between tick frames at a client ${gap.toFixed(0)} ms; the flooded drill's facilitator got an ack in ${facilitatorMs.toFixed(0)} ms`,
          );
          console.log(
            `[flood] drill A's log: +${((after - before) / 1024).toFixed(0)} KiB in ${FLOOD_MS / 1000} s (${updates} updates logged); ` +
              `+${((mid - before) / 1024).toFixed(0)} KiB in the first ${((t1 - t0) / 1000).toFixed(1)} s (the burst), then ` +
              `${(steadyPerMinute / 1024).toFixed(0)} KiB a minute; so a full minute of flooding adds ${(worstMinute / 1024).toFixed(0)} KiB ` +
              `(the drill's byte budget: ${(DEFAULTS.drillLogBytes.burst / 1024).toFixed(0)} KiB burst + ${(DEFAULTS.drillLogBytes.perSecond / 1024).toFixed(0)} KiB/s)`,
          );

          // B kept time throughout: every tick that was due, on time.
          expect(late.ticks).toBeGreaterThanOrEqual(Math.floor((FLOOD_MS / (10_000 / 60)) * 0.9));
          // The bar, as measured: the store never fsyncs on the event loop (store.ts), so nothing is left out.
          expect(late.worst).toBeLessThanOrEqual(MAX_TICK_LATENESS_MS);
          expect(watcherB.errors()).toEqual([]);
          // The flood was a flood: far more than the limits let through, refused with `rate-limited`.
          expect(stats.sent).toBeGreaterThan(20 * stats.acks);
          expect(stats.errors['rate-limited'] ?? 0).toBeGreaterThan(0);
          // Some got through, and the log's growth stayed within the bar: within this (under a minute) flood,
          // and at the steady rate once the burst was spent.
          expect(updates).toBeGreaterThan(0);
          expect(stats.acks).toBeGreaterThan(0);
          expect(after).toBeGreaterThan(before);
          expect(minutes).toBeLessThan(1);
          expect(after - before).toBeLessThanOrEqual(MiB);
          expect(steadyPerMinute).toBeLessThanOrEqual(MiB);
          expect(worstMinute).toBeLessThanOrEqual(MiB);
          // And the limiter's own arithmetic: no more than its budget (plus one update's overshoot and A's few ticks).
          expect(after - before).toBeLessThanOrEqual(budget + 32 * 1024);
          expect(facA.isClosed).toBe(false);
          // Flooding is logged once per socket closed for it, not once per message dropped.
          const cut = logLines(logs).filter((l) => l.msg === 'closing a socket that kept flooding').length;
          console.log(`[flood] ${logs.length} server log lines, ${cut} of them "closing a socket that kept flooding"`);
          expect(cut).toBeGreaterThan(0);
          expect(cut).toBeLessThanOrEqual(stats.reconnects + 32);
          expect(logs.length).toBeLessThan(2 * (stats.reconnects + 32) + 100);
        } finally {
          restoreStore();
          await worker.terminate();
        }
        facA.close();
        watcherB.close();
      },
      DEFAULT_LIMITS,
      (line) => logs.push(line),
    );
  }, 60_000);
});

/** A fresh join that reads the backlog without keeping it: checks seqs and counts bytes. */
class Catchup {
  readonly ws: WebSocket;
  bytes = 0;
  frames = 0;
  welcome: Message | null = null;
  nextSeq = 0;
  problems: string[] = [];
  closed: { code: number } | null = null;
  finishedAt = 0;
  readonly finished: Promise<void>;

  constructor(url: string, hello: Record<string, unknown>) {
    this.ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
    this.ws.on('open', () => this.ws.send(JSON.stringify({ type: 'hello', v: 1, ...hello })));
    this.ws.on('error', () => {});
    this.finished = new Promise((resolve, reject) => {
      this.ws.on('close', (code) => {
        this.closed = { code };
        reject(new Error(`closed (${code}) at seq ${this.nextSeq} of ${String(this.welcome?.seq)}`));
      });
      this.ws.on('message', (data: Buffer) => {
        this.bytes += data.length;
        this.frames++;
        const m = JSON.parse(data.toString()) as Message;
        if (m.type === 'welcome') this.welcome = m;
        else if (m.type === 'events') {
          if (!this.welcome) this.problems.push('events before the welcome');
          for (const e of m.events as { seq: number }[]) {
            if (e.seq !== this.nextSeq) this.problems.push(`seq ${e.seq} where ${this.nextSeq} was due`);
            this.nextSeq = e.seq + 1;
          }
        } else if (m.type === 'error') this.problems.push(`error ${m.code}`);
        if (this.welcome && this.finishedAt === 0 && this.nextSeq > (this.welcome.seq as number)) {
          this.finishedAt = performance.now();
          resolve();
        }
      });
    });
    this.finished.catch(() => {});
  }
}

describe('a drill with 10 MB of history', () => {
  it('takes 20 fresh joins at once: each gets the whole backlog, and none is cut off as slow', async () => {
    const logs: string[] = [];
    await withServer(
      async (server) => {
        const creds = await createDrill(server, { scenarioId: 'retail-sev1' });
        const drill = live(server, creds.sessionId);
        expect(asFacilitator(drill, 'start').ok).toBe(true);
        const built = performance.now();
        let logged = 0;
        // 2,000-character updates, what the socket would submit; 500 to a transaction to be quick.
        const store = (server.registry as unknown as { store: Store }).store;
        for (let i = 0; logged < 10 * MiB; ) {
          store.transaction(() => {
            for (const end = i + 500; i < end && logged < 10 * MiB; i++) {
              const result = asFacilitator(drill, 'status-update', { message: `${i} `.padEnd(2000, 'x') });
              if (!result.ok) throw new Error(`update ${i}: ${result.code}`);
              logged += result.events.reduce((n, e) => n + JSON.stringify(e).length + 1, 0);
            }
          });
        }
        const buildMs = performance.now() - built;
        const logBytes = Buffer.byteLength(await fetchLog(server, creds.sessionId, creds.facilitatorToken));
        expect(logBytes).toBeGreaterThanOrEqual(10 * MiB);
        // Another drill ticking meanwhile, for the record.
        const other = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
        const otherDrill = live(server, other.sessionId);
        asFacilitator(otherDrill, 'start');
        const ticks = recordTicks(otherDrill);
        await sleep(300);

        const visible = drill.sequence.length('public');
        const started = performance.now();
        const joins = Array.from(
          { length: 20 },
          (_, i) => new Catchup(server.url, { sessionId: creds.sessionId, ...(i % 2 ? { code: creds.observerCode } : { code: creds.responderCode }), name: `late joiner ${i + 10}` }),
        );
        await Promise.all(joins.map((j) => j.finished));
        const finished = Math.max(...joins.map((j) => j.finishedAt));
        await sleep(500);
        const lags = ticks.filter((t) => t.at >= started && t.at <= finished).map((t) => t.lagMs);
        const total = joins.reduce((n, j) => n + j.bytes, 0);
        console.log(
          `[backlog] log ${(logBytes / MiB).toFixed(1)} MiB (${drill.events.length} events, built in-process in ${(buildMs / 1000).toFixed(1)} s); ` +
            `20 fresh joins completed in ${((finished - started) / 1000).toFixed(2)} s (first done after ${((Math.min(...joins.map((j) => j.finishedAt)) - started) / 1000).toFixed(2)} s), ` +
            `${(total / MiB).toFixed(0)} MiB received in ${joins.reduce((n, j) => n + j.frames, 0)} frames; ` +
            `another drill's worst tick lateness meanwhile ${Math.max(...lags).toFixed(0)} ms over ${lags.length} ticks (client parsing shares the core)`,
        );

        for (const [i, j] of joins.entries()) {
          expect(j.welcome, `join ${i}`).toMatchObject({ type: 'welcome', resumed: false, role: i % 2 ? 'observer' : 'responder' });
          expect(j.problems, `join ${i}`).toEqual([]);
          // Everything up to the welcome's seq, from 0, in order (checked frame by frame above).
          expect(j.nextSeq, `join ${i}`).toBeGreaterThan(j.welcome?.seq as number);
          expect(j.welcome?.seq as number, `join ${i}`).toBeGreaterThanOrEqual(visible - 1);
          expect(j.bytes, `join ${i}`).toBeGreaterThan(logBytes * 0.95);
          expect(j.closed, `join ${i}`).toBeNull();
          expect(j.ws.readyState, `join ${i}`).toBe(WebSocket.OPEN);
        }
        expect(logLines(logs).filter((l) => l.msg.startsWith('cutting off'))).toEqual([]);
        expect(drill.clients.size).toBe(20);
        // Once caught up they are live: a new update reaches every one of them.
        const seqs = joins.map((j) => j.nextSeq);
        asFacilitator(drill, 'status-update', { message: 'after the backlog' });
        await until(() => joins.every((j, i) => j.nextSeq > (seqs[i] as number)), 5_000);
        for (const j of joins) expect(j.problems).toEqual([]);
        for (const j of joins) j.ws.close();
      },
      DEFAULT_LIMITS,
      (line) => logs.push(line),
    );
  }, 60_000);
});

describe('a removed participant', () => {
  it('gets nothing more in: what their socket sent before it heard of the removal is dropped, not logged', async () => {
    await withServer(async (server) => {
      const creds = await createDrill(server);
      const drill = live(server, creds.sessionId);
      expect(asFacilitator(drill, 'start').ok).toBe(true);
      const gone = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.responderCode, name: 'gone' });
      const { id } = (gone.messages[0] as unknown as { participant: { id: string } }).participant;
      gone.send({ type: 'action', clientActionId: 'before', action: 'status-update', params: { message: 'still here' } });
      expect(await gone.reply('before')).toMatchObject({ type: 'ack' });
      // Sent, and on the wire; the server reads them only after it has removed their sender.
      for (let i = 0; i < 3; i++) gone.send({ type: 'action', clientActionId: `after-${i}`, action: 'status-update', params: { message: `after ${i}` } });
      expect(server.registry.removeParticipant(drill, id)).toEqual({ ok: true });
      expect(await gone.closed).toMatchObject({ code: 4000 });
      const theirs = logEvents(await fetchLog(server, creds.sessionId, creds.facilitatorToken)).filter((e) => e.type === 'command' && e.participant === id);
      expect(theirs.map((e) => (e.params as { message: string }).message)).toEqual(['still here']);
    }, DEFAULT_LIMITS);
  });
});

describe('socket hygiene', () => {
  it('closes sockets that never join or never finish a message, and caps one person’s sockets', async () => {
    const logs: string[] = [];
    const HELLO_TIMEOUT_MS = 500;
    await withServer(
      async (server) => {
        const creds = await createDrill(server);
        const drill = live(server, creds.sessionId);

        // Joined, then a message begun and never finished: a fragment without its final frame ...
        const fragmented = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.observerCode, name: 'fragment' });
        const fragmentAt = performance.now();
        fragmented.ws.send('{"type":"action","clientActionId":"x","action":"ack"', { fin: false });
        // ... and a frame whose header promised 1000 bytes, of which 10 came.
        const partial = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.observerCode, name: 'partial' });
        const partialAt = performance.now();
        const header = Buffer.from([0x81, 0x80 | 126, 1000 >> 8, 1000 & 0xff, 1, 2, 3, 4]);
        (partial.ws as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.concat([header, Buffer.alloc(10, 0x41)]));
        // A joined socket that is merely quiet stays.
        const quiet = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.observerCode, name: 'quiet' });

        // Never says hello.
        const silentAt = performance.now();
        const silent = await TestClient.connect(server.url);
        const silentClosed = await silent.closed;
        const silentMs = performance.now() - silentAt;
        expect(silent.messages).toEqual([expect.objectContaining({ type: 'error', code: 'hello-timeout' })]);
        expect(silentClosed.code).toBe(1008);
        expect(silentMs).toBeGreaterThanOrEqual(HELLO_TIMEOUT_MS);
        // The watchdog looks once a second.
        expect(silentMs).toBeLessThan(HELLO_TIMEOUT_MS + 2_500);

        // One person, many tabs: 8 sockets, then refused; closing one frees a place.
        const first = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.responderCode, name: 'tabby' });
        const token = (first.messages[0] as unknown as { participant: { token: string; id: string } }).participant;
        const tabs = [first];
        for (let i = 1; i < 8; i++) tabs.push(await TestClient.join(server.url, { sessionId: creds.sessionId, participantToken: token.token }));
        expect(tabs.map((t) => t.messages[0]?.type)).toEqual(Array(8).fill('welcome'));
        const ninth = await TestClient.join(server.url, { sessionId: creds.sessionId, participantToken: token.token });
        expect(ninth.messages[0]).toMatchObject({ type: 'error', code: 'too-many-sockets' });
        // Refused, it has not joined: it goes the way of any socket that never joins.
        expect(await ninth.closed).toMatchObject({ code: 1008 });
        expect(ninth.errors().map((m) => m.code)).toEqual(['too-many-sockets', 'hello-timeout']);
        expect(drill.roster.socketsOf(token.id)).toBe(8);
        tabs.pop()?.close();
        await until(() => drill.roster.socketsOf(token.id) === 7, 5_000);
        const again = await TestClient.join(server.url, { sessionId: creds.sessionId, participantToken: token.token });
        expect(again.messages[0]).toMatchObject({ type: 'welcome' });
        tabs.push(again);

        const [fragmentClosed, partialClosed] = await Promise.all([fragmented.closed, partial.closed]);
        const fragmentMs = performance.now() - fragmentAt;
        const partialMs = performance.now() - partialAt;
        console.log(
          `[hygiene] no hello: closed after ${silentMs.toFixed(0)} ms (helloTimeoutMs ${HELLO_TIMEOUT_MS}); ` +
            `unfinished fragment: closed after ${(fragmentMs / 1000).toFixed(1)} s; partial frame: closed after ${(partialMs / 1000).toFixed(1)} s`,
        );
        for (const [client, closed, ms] of [
          [fragmented, fragmentClosed, fragmentMs],
          [partial, partialClosed, partialMs],
        ] as const) {
          expect(client.errors()).toEqual([expect.objectContaining({ code: 'unfinished-message' })]);
          expect(closed.code).toBe(1008);
          expect(ms).toBeGreaterThanOrEqual(10_000);
          expect(ms).toBeLessThan(13_000);
        }
        expect(quiet.isClosed).toBe(false);
        expect(quiet.errors()).toEqual([]);
        expect(tabs.every((t) => !t.isClosed)).toBe(true);
        expect(drill.clients.size).toBe(9);

        const lines = logLines(logs);
        expect(lines.filter((l) => l.errorCode === 'hello-timeout').length).toBe(2);
        expect(lines.filter((l) => l.errorCode === 'unfinished-message').length).toBe(2);
        expect(lines.filter((l) => l.errorCode === 'too-many-sockets').length).toBe(1);
        for (const c of [quiet, ...tabs]) c.close();
      },
      { ...DEFAULT_LIMITS, helloTimeoutMs: HELLO_TIMEOUT_MS },
      (line) => logs.push(line),
    );
  }, 30_000);
});
