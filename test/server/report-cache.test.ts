/**
 * No simulation on the request path (engine/server/reports.ts): a drill's scorecard and report are
 * computed on a worker thread, so /report never stalls the tick loop of a live drill beside it, and a
 * stopped drill's are computed once and cached, in memory and in the store (they outlive a restart,
 * and serve the drill once it is archived). So are its replay bundle (/replay) and the score the
 * leaderboard records when a drill ends. Timed: it holds the server to a wall-clock bar, so it runs
 * alone (vitest.config.ts).
 */
import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createHeader, parseLog, serializeLog } from '../../engine/core/log/log.ts';
import type { CreateSessionResponse, ReplayBundle, Role } from '../../engine/protocol/messages.ts';
import { renderHtml } from '../../engine/score/report-html.ts';
import { renderJson } from '../../engine/score/report-json.ts';
import { renderMarkdown } from '../../engine/score/report-markdown.ts';
import { scoreLog } from '../../engine/score/scorecard.ts';
import { buildReport } from '../../engine/score/timeline.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import type { TimedCommand } from '../../engine/protocol/commands.ts';
import { startServer, type RunningServer } from '../../engine/server/app.ts';
import type { DrillView } from '../../engine/server/archive.ts';
import { buildReplayBundles, type ReplaySource } from '../../engine/server/replay.ts';
import { ReportService } from '../../engine/server/reports.ts';
import { Store } from '../../engine/server/store.ts';
import { loadPlan, loadScenario } from '../helpers.ts';
import { TestClient, createDrill, get, sleep, testConfig, until } from './harness.ts';
import { recordTicks } from './timing.ts';

const BAR_MS = 20;
/**
 * The event-loop bar for the windows in which a 6-hour drill also ends. Traced (issue-10 note): what
 * an ending added on the main thread is gone (its log is serialized and gzipped on the report worker,
 * with its scorecard; the worker is no longer stopped and started again in every such window). What
 * remains is not the main thread's work: V8 runs every isolate's garbage collection helpers (the
 * report worker's included) on threads the process shares, at the main thread's priority, and on a
 * 2-CPU machine the main thread then waits 10-20 ms for a core (measured: 0.4-1 s of their CPU per
 * 2 s window beside 0.05-0.1 s without report jobs). On a quiet 2-CPU machine these windows measure
 * 17-37 ms at most, as the report windows above do (which meet BAR_MS in the best of their three).
 */
const ENDING_WINDOW_DELAY_BAR_MS = 40;
/** Rounds of requests per measured window (each: every body of both drills, several at once), for at least WINDOW_MS. */
const ROUNDS = 6;
const WINDOW_MS = 2_000;
const SIX_HOURS = 6 * 3_600_000;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const nodeMajorOf = () => process.versions.node.split('.')[0] ?? 'unknown';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Fetched {
  status: number;
  sha256: string;
  head: string;
  /** The whole body, when asked for. */
  text?: string;
}

const ROLES: readonly Role[] = ['facilitator', 'responder', 'observer'];

/** A drill's replay source as of now. */
const sourceOf = (drill: DrillView): ReplaySource => ({ id: drill.id, scenario: drill.scenario, seed: drill.record.seed, tickMs: drill.tickMs, phase: drill.phase, now: drill.now, events: drill.events });
/** The bundles' JSON built synchronously, in this thread, as the server did before it had a worker. */
const replayJson = (source: ReplaySource, roles = ROLES): Map<Role, string> => new Map([...buildReplayBundles(source, roles)].map(([role, bundle]) => [role, JSON.stringify(bundle)]));

/**
 * The HTTP client on a thread of its own, as a browser would be: fetching and reading a report costs
 * its reader, and that must not be charged to the server's event loop, which is what is measured.
 * It answers with each body's hash (and its start, for a failure message). A gzipped body (a replay)
 * is unzipped on this thread too, not by fetch, whose streams unzip on the process's shared thread
 * pool, beside the server, at its priority: a few 4 MB bundles at once would then take both cores of
 * a small machine from the server.
 */
class RemoteClient {
  private readonly worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const { createHash } = require('node:crypto');
     const http = require('node:http');
     const { gunzipSync } = require('node:zlib');
     // Below the server's threads, as a remote browser would be (Linux: this thread alone).
     try { require('node:os').setPriority(Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()), 15); } catch {}
     const get = (url, headers) => new Promise((resolve, reject) => {
       http.get(url, { headers: { 'accept-encoding': 'gzip', ...headers } }, (res) => {
         const chunks = [];
         res.on('data', (chunk) => chunks.push(chunk));
         res.on('error', reject);
         res.on('end', () => {
           const raw = Buffer.concat(chunks);
           resolve({ status: res.statusCode, body: res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw });
         });
       }).on('error', reject);
     });
     // The body's bytes are hashed (the hash of its UTF-8 text): a string of each would be megabytes
     // more garbage, and the collector's helper threads are shared with the server's.
     parentPort.on('message', async ({ id, requests }) => {
       const results = await Promise.all(requests.map(async ({ url, headers, keep }) => {
         const { status, body } = await get(url, headers);
         return { status, sha256: createHash('sha256').update(body).digest('hex'), head: body.subarray(0, 200).toString('utf8'), ...(keep ? { text: body.toString('utf8') } : {}) };
       }));
       parentPort.postMessage({ id, results });
     });`,
    { eval: true },
  );
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (results: Fetched[]) => void; reject: (error: Error) => void }>();

  constructor() {
    this.worker.on('message', (m: { id: number; results: Fetched[] }) => {
      this.waiting.get(m.id)?.resolve(m.results);
      this.waiting.delete(m.id);
    });
    this.worker.on('error', (error) => {
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
    });
  }

  get(requests: { url: string; headers: Record<string, string>; keep?: boolean }[]): Promise<Fetched[]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, requests });
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

async function start(server: RunningServer, drill: CreateSessionResponse): Promise<TestClient> {
  const fac = await TestClient.join(server.url, { sessionId: drill.sessionId, token: drill.facilitatorToken });
  fac.send({ type: 'control', command: 'start', clientActionId: 'start' });
  expect(await fac.reply('start')).toMatchObject({ type: 'ack' });
  return fac;
}

/** The four bodies computed afresh, in this thread, from a drill's log as the server serves it. */
function fresh(logText: string, nodeMajor: string): Record<'score' | 'html' | 'md' | 'json', string> {
  const parsed = parseLog(logText);
  if (!parsed.ok) throw new Error(`the log does not parse: ${parsed.message}`);
  const header = createHeader(parsed.header.scenario, parsed.header.seed, nodeMajor, parsed.header.variation);
  const card = scoreLog(header, parsed.events);
  const report = buildReport(header, parsed.events, card);
  return { score: JSON.stringify(card), html: renderHtml(card, report), md: renderMarkdown(card, report), json: renderJson(card, report) };
}

describe('reports off the request path', () => {
  it('a live drill ticks on time while /report and /score are asked for again and again; a stopped drill is computed once', async () => {
    const config = testConfig();
    const nodeMajor = process.versions.node.split('.')[0] ?? 'unknown';

    // Two long drills, made long without waiting for them: started, then the store is told they ran for
    // hours, and a restart folds them there. One is 30 s from its end, the other 4 hours into 6.
    const restart = () => startServer(config, { log: () => {} });
    let server = await restart();
    const ending = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
    const long = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
    for (const drill of [ending, long]) (await start(server, drill)).close();
    await server.close();
    const store = new Store(config.dataFile);
    store.saveProgress(ending.sessionId, SIX_HOURS - 30_000);
    store.saveProgress(long.sessionId, 4 * 3_600_000);
    store.close();

    server = await restart();
    /** The ended drill's log as it was served from memory, before it was archived. */
    let liveEndingLog: string | undefined;
    try {
      const reports = server.registry.reports;
      // The first drill reaches its time limit, ends and is scored on the worker (the leaderboard's scorecard).
      await until(() => server.registry.get(ending.sessionId)?.status === 'ended' && server.registry.leaderboard.score(ending.sessionId) !== undefined, 20_000);
      expect(reports.stats.computed).toBe(1);
      const liveDrill = server.registry.get(long.sessionId);
      expect(liveDrill?.status).toBe('live');
      expect(liveDrill?.now).toBeGreaterThan(4 * 3_600_000 - 1);

      // The bar only means something if computing one report on the main thread would already break it.
      const liveLog = (await get(server, `/api/sessions/${long.sessionId}/log`, bearer(long.facilitatorToken))).text;
      const started = performance.now();
      fresh(liveLog, nodeMajor);
      const directMs = performance.now() - started;
      expect(directMs).toBeGreaterThan(2 * BAR_MS);

      // A drill ticking beside it all (every 1/6 s), and the long live drill's own ticks.
      const ticker = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
      const tickerFac = await start(server, ticker);
      // A responder on the long drill: each of their commands grows its log, so its report must be computed again.
      const rita = await TestClient.join(server.url, { sessionId: long.sessionId, code: long.responderCode, name: 'rita' });
      let acks = 0;
      let rounds = 0;
      const act = async () => {
        const id = `ack-${acks++}`;
        rita.send({ type: 'action', action: 'ack', clientActionId: id });
        await rita.reply(id);
      };
      const tickerDrill = server.registry.get(ticker.sessionId);
      if (!tickerDrill || !liveDrill) throw new Error('the drills are not in memory');
      await tickerFac.waitForNow(30_000);

      const client = new RemoteClient();
      const hashes: Record<string, string[]> = {};
      /** GETs several paths at once from the client thread; checks each answered 200 and keeps its hash. */
      const ask = async (...paths: [CreateSessionResponse, string][]) => {
        const results = await client.get(paths.map(([drill, path]) => ({ url: `${server.url}/api/sessions/${drill.sessionId}/${path}`, headers: bearer(drill.facilitatorToken) })));
        results.forEach((res, i) => {
          const [drill, path] = paths[i] as [CreateSessionResponse, string];
          expect(res.status, `${path}: ${res.head}`).toBe(200);
          (hashes[`${drill.sessionId} ${path}`] ??= []).push(res.sha256);
        });
      };
      /** Asks for the reports and scores of both drills, several at once, while measuring both drills' ticks and the event loop. */
      const window = async () => {
        const delay = monitorEventLoopDelay({ resolution: 1 });
        const ticks = [tickerDrill, liveDrill].map((d) => recordTicks(d));
        const computed = reports.stats.computed;
        const started = performance.now();
        delay.enable();
        for (let round = 0; round < ROUNDS || performance.now() - started < WINDOW_MS; round++) {
          await act();
          rounds++;
          await ask([ending, 'report'], [ending, 'report?format=md'], [ending, 'report?format=json'], [ending, 'score'], [long, 'report'], [long, 'score']);
          await ask([long, 'report?format=md']);
        }
        delay.disable();
        const lags = ticks.flat().map((t) => t.lagMs);
        return {
          ms: Math.round(performance.now() - started),
          maxDelayMs: delay.max / 1e6,
          p99DelayMs: delay.percentile(99) / 1e6,
          ticks: lags.length,
          maxLagMs: Math.max(...lags),
          computed: reports.stats.computed - computed,
        };
      };
      // For the record: the same measure with the drills ticking and no request at all.
      const quiet = monitorEventLoopDelay({ resolution: 1 });
      quiet.enable();
      await sleep(WINDOW_MS);
      quiet.disable();
      // Stalls from outside (another process on a busy machine taking the core) are not the server's:
      // windows are measured in turn, and one with no stall over the bar suffices. Each window computes
      // the live drill's reports afresh in every round (rita's command grows its log), so computing
      // them on the main thread (directMs above) would fail every one of them.
      const windows: Awaited<ReturnType<typeof window>>[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const w = await window();
        windows.push(w);
        if (Math.max(w.maxDelayMs, w.maxLagMs) < BAR_MS) break;
      }
      const fmt = (n: number) => n.toFixed(1);
      console.log(`no requests, ${WINDOW_MS} ms: event-loop delay max ${fmt(quiet.max / 1e6)} ms (p99 ${fmt(quiet.percentile(99) / 1e6)})`);
      for (const w of windows) {
        console.log(
          `report window ${w.ms} ms, ${w.computed} computed: event-loop delay max ${fmt(w.maxDelayMs)} ms (p99 ${fmt(w.p99DelayMs)}); ` +
            `${w.ticks} ticks, latest ${fmt(w.maxLagMs)} ms; one report on the main thread ${directMs.toFixed(0)} ms`,
        );
      }
      const best = windows[windows.length - 1] as (typeof windows)[number];
      expect(best.ticks).toBeGreaterThan(10);
      expect(best.computed).toBeGreaterThanOrEqual(ROUNDS);
      expect(best.maxDelayMs).toBeLessThan(BAR_MS);
      expect(best.maxLagMs).toBeLessThan(BAR_MS);

      // The ended drill: its scorecard computed once when it ended, its reports once (the three together,
      // with that scorecard); every later request served from memory.
      const endingLog = (await get(server, `/api/sessions/${ending.sessionId}/log`, bearer(ending.facilitatorToken))).text;
      liveEndingLog = endingLog;
      const expected = fresh(endingLog, nodeMajor);
      const paths = { html: 'report', md: 'report?format=md', json: 'report?format=json', score: 'score' } as const;
      for (const [kind, path] of Object.entries(paths)) {
        const served = hashes[`${ending.sessionId} ${path}`] ?? [];
        expect(served).toHaveLength(rounds);
        for (const hash of served) expect(hash, `${path} equals a fresh computation`).toBe(sha256(expected[kind as keyof typeof expected]));
      }
      const liveComputations = reports.stats.computed - 2;
      // The live drill's are computed for its log as it stands (never more often than asked).
      expect(liveComputations).toBeGreaterThan(0);
      expect(liveComputations).toBeLessThanOrEqual(3 * rounds);
      const before = { ...reports.stats };
      await ask([ending, 'report']);
      expect(reports.stats).toEqual({ ...before, fromMemory: before.fromMemory + 1 });
      tickerFac.close();
      rita.close();
      await client.close();
    } finally {
      await server.close();
    }

    // After a restart the ended drill is archived, not rebuilt: its bodies come from the store.
    server = await restart();
    try {
      expect(server.registry.get(ending.sessionId)).toBeUndefined();
      const logText = (await get(server, `/api/sessions/${ending.sessionId}/log`, bearer(ending.facilitatorToken))).text;
      // Archived (serialized and gzipped on the report worker, with its scorecard) byte for byte as it was served live.
      expect(logText === liveEndingLog).toBe(true);
      const expected = fresh(logText, nodeMajor);
      const html = await get(server, `/api/sessions/${ending.sessionId}/report`, bearer(ending.facilitatorToken));
      const score = await get(server, `/api/sessions/${ending.sessionId}/score`, bearer(ending.facilitatorToken));
      expect(html.text === expected.html).toBe(true);
      expect(score.text).toBe(expected.score);
      expect(server.registry.reports.stats).toMatchObject({ computed: 0, fromStore: 1, fromMemory: 1 });
    } finally {
      await server.close();
    }
  }, 120_000);

  it('a live drill ticks on time while /replay is asked for again and again and a 6-hour drill ends and is scored; bundles equal a synchronous build', async () => {
    const config = testConfig();
    const restart = () => startServer(config, { log: () => {} });
    // Made long as above: three 6-hour drills 10 minutes from their end at speed 1 (one is ended in each
    // measured window, at most three), and one at speed 60, 4 hours into 6.
    let server = await restart();
    const endings: CreateSessionResponse[] = [];
    for (let i = 0; i < 3; i++) endings.push(await createDrill(server, { scenarioId: 'retail-sev1', speed: 1, team: `team ${i}` }));
    const long = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
    for (const drill of [...endings, long]) (await start(server, drill)).close();
    await server.close();
    const store = new Store(config.dataFile);
    for (const drill of endings) store.saveProgress(drill.sessionId, SIX_HOURS - 600_000);
    store.saveProgress(long.sessionId, 4 * 3_600_000);
    store.close();

    server = await restart();
    try {
      const reports = server.registry.reports;
      const liveDrill = server.registry.get(long.sessionId);
      if (!liveDrill) throw new Error('the long drill is not in memory');
      expect(liveDrill.status).toBe('live');


      const ticker = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
      const tickerFac = await start(server, ticker);
      const tickerDrill = server.registry.get(ticker.sessionId);
      if (!tickerDrill) throw new Error('the ticker is not in memory');
      // Each of rita's commands grows the long drill's log, so its bundle must be built again.
      const rita = await TestClient.join(server.url, { sessionId: long.sessionId, code: long.responderCode, name: 'rita' });
      let acks = 0;
      const act = async () => {
        const id = `ack-${acks++}`;
        rita.send({ type: 'action', action: 'ack', clientActionId: id });
        await rita.reply(id);
      };
      await tickerFac.waitForNow(30_000);

      const client = new RemoteClient();
      const longReplays: Fetched[] = [];
      const endedReplays = new Map<string, Fetched[]>();
      const boards: Fetched[] = [];
      const url = (path: string) => `${server.url}${path}`;
      /** One measured window: the long drill's replay in every round; one drill ended in the first, then its replay in every role and the leaderboard. */
      const window = async (ending: CreateSessionResponse) => {
        const fac = await TestClient.join(server.url, { sessionId: ending.sessionId, token: ending.facilitatorToken });
        const delay = monitorEventLoopDelay({ resolution: 1 });
        const ticks = [tickerDrill, liveDrill].map((d) => recordTicks(d));
        const computed = reports.replayStats.computed;
        const started = performance.now();
        delay.enable();
        for (let round = 0; round < ROUNDS || performance.now() - started < WINDOW_MS; round++) {
          await act();
          const requests = [{ url: url(`/api/sessions/${long.sessionId}/replay`), headers: bearer(long.facilitatorToken) }];
          if (round === 0) {
            // Ended by its facilitator: scored on the worker, for the leaderboard and the report cache.
            fac.send({ type: 'control', command: 'end', clientActionId: 'end' });
            expect(await fac.reply('end')).toMatchObject({ type: 'ack' });
          }
          const codes = { facilitator: ending.facilitatorToken, responder: ending.responderCode, observer: ending.observerCode } as const;
          for (const role of ROLES) requests.push({ url: url(`/api/sessions/${ending.sessionId}/replay`), headers: bearer(codes[role] ?? '') });
          const results = await client.get([...requests, { url: url('/api/leaderboard/retail-sev1'), headers: {}, keep: true }]);
          for (const res of results) expect(res.status, res.head).toBe(200);
          longReplays.push(results[0] as Fetched);
          ROLES.forEach((role, i) => endedReplays.set(`${ending.sessionId} ${role}`, [...(endedReplays.get(`${ending.sessionId} ${role}`) ?? []), results[1 + i] as Fetched]));
          boards.push(results[4] as Fetched);
        }
        delay.disable();
        fac.close();
        const lags = ticks.flat().map((t) => t.lagMs);
        return {
          ending,
          ms: Math.round(performance.now() - started),
          maxDelayMs: delay.max / 1e6,
          p99DelayMs: delay.percentile(99) / 1e6,
          ticks: lags.length,
          maxLagMs: Math.max(...lags),
          computed: reports.replayStats.computed - computed,
        };
      };
      // The worker started and the paths run once, before anything is measured.
      expect((await client.get([{ url: url(`/api/sessions/${long.sessionId}/replay`), headers: bearer(long.facilitatorToken) }]))[0]?.status).toBe(200);
      const scorecards = reports.stats.computed;
      // As above: one window with no stall over the bar suffices, each ends a drill of its own.
      const windows: Awaited<ReturnType<typeof window>>[] = [];
      for (const ending of endings) {
        const w = await window(ending);
        windows.push(w);
        if (w.maxDelayMs < ENDING_WINDOW_DELAY_BAR_MS && w.maxLagMs < BAR_MS) break;
      }
      // After the windows, so that its garbage is not collected in them. The bar only means something if building a 6-hour drill's bundle on the main thread would
      // already break it (30 to 60 ms here, the JIT warm or cold). Scoring it there took 15 to 85 ms:
      // printed, not held to the bar.
      const firstEnding = server.registry.view(endings[0]?.sessionId ?? '');
      if (!firstEnding) throw new Error('an ended drill is gone');
      let started = performance.now();
      replayJson(sourceOf(firstEnding), ['facilitator']);
      const directReplayMs = performance.now() - started;
      started = performance.now();
      scoreLog(createHeader(firstEnding.scenario, firstEnding.record.seed, 'server'), firstEnding.events);
      const directScoreMs = performance.now() - started;
      expect(directReplayMs).toBeGreaterThan(BAR_MS);
      const fmt = (n: number) => n.toFixed(1);
      for (const w of windows) {
        console.log(
          `replay window ${w.ms} ms, ${w.computed} bundles computed, a 6-hour drill ended and scored: event-loop delay max ${fmt(w.maxDelayMs)} ms (p99 ${fmt(w.p99DelayMs)}); ` +
            `${w.ticks} ticks, latest ${fmt(w.maxLagMs)} ms; on the main thread one replay ${directReplayMs.toFixed(0)} ms, one score ${directScoreMs.toFixed(0)} ms`,
        );
      }
      const best = windows[windows.length - 1] as (typeof windows)[number];
      expect(best.ticks).toBeGreaterThan(10);
      expect(best.computed).toBeGreaterThanOrEqual(ROUNDS);
      expect(best.maxDelayMs).toBeLessThan(ENDING_WINDOW_DELAY_BAR_MS);
      expect(best.maxLagMs).toBeLessThan(BAR_MS);

      // Each ended drill: scored once on the worker (kept in memory for its reports) and listed on the
      // leaderboard by the first read after its end; its bundles equal a synchronous build.
      expect(reports.stats.computed - scorecards).toBe(windows.length);
      for (const { ending } of windows) {
        const drill = server.registry.view(ending.sessionId);
        if (!drill) throw new Error('an ended drill is gone');
        expect(drill.status).toBe('ended');
        const card = scoreLog(createHeader(drill.scenario, drill.record.seed, nodeMajorOf()), drill.events);
        expect(server.registry.leaderboard.scorecard(ending.sessionId)).toEqual(card);
        expect(await reports.get(drill, 'score')).toBe(JSON.stringify(card));
        const expected = replayJson(sourceOf(drill));
        for (const role of ROLES) {
          const served = endedReplays.get(`${ending.sessionId} ${role}`) ?? [];
          expect(served.length).toBeGreaterThanOrEqual(ROUNDS);
          for (const res of served) expect(res.sha256, `${role}'s bundle equals a synchronous build`).toBe(sha256(expected.get(role) ?? ''));
        }
      }
      for (const board of boards) expect(board.text).toContain(endings[0]?.sessionId);
      const firstBoard = JSON.parse(boards[0]?.text ?? '{}') as { seeds: { entries: { sessionId: string; score: number }[] }[] };
      const entry = firstBoard.seeds.flatMap((g) => g.entries).find((e) => e.sessionId === endings[0]?.sessionId);
      expect(entry?.score).toBe((server.registry.leaderboard.scorecard(endings[0]?.sessionId ?? '') as { grade: { score: number } }).grade.score);
      // One computation per ended drill (every role from one fold), then memory; the live drill's once per log length.
      expect(reports.replayStats.fromMemory).toBeGreaterThanOrEqual(windows.length * (3 * ROUNDS - 3));

      // The live drill's last bundle equals a synchronous build of its log as it then stood.
      const [last] = await client.get([{ url: url(`/api/sessions/${long.sessionId}/replay`), headers: bearer(long.facilitatorToken), keep: true }]);
      const bundle = JSON.parse(last?.text ?? '{}') as ReplayBundle;
      expect(bundle.samples.length).toBe(bundle.now / bundle.tickMs);
      const asThen = { ...sourceOf(liveDrill), phase: bundle.phase, now: bundle.now, events: liveDrill.events.slice(0, bundle.events.length) };
      expect(last?.text === replayJson(asThen, ['facilitator']).get('facilitator')).toBe(true);
      expect(new Set(longReplays.map((r) => r.sha256)).size).toBeGreaterThan(1);
      tickerFac.close();
      rita.close();
      await client.close();
    } finally {
      await server.close();
    }
  }, 120_000);

  it('sends a long log in chunks, gives what the main thread would, and survives a computation that fails', async () => {
    const scenario = loadScenario('retail-sev1');
    // A flood of rejected commands: a log of thousands of events, several chunks to the worker.
    const flood: TimedCommand[] = Array.from({ length: 3_000 }, (_, i) => ({ at: 60_000 + i * 1_000, actor: 'flo', type: 'resolve' }));
    const run = runScenario(scenario, { commands: [...loadPlan('retail-sev1'), ...flood], until: 3_600_000 });
    expect(run.events.length).toBeGreaterThan(3_000);
    const view = (id: string, status: DrillView['status'], of: typeof run = run): DrillView => ({
      id,
      record: { id, scenario: of.scenario, seed: of.seed } as DrillView['record'],
      scenario: of.scenario,
      variation: of.variation,
      status,
      team: null,
      events: of.events,
      phase: of.phase,
      now: of.now,
      tickMs: of.tickMs,
      logText: () => '',
    });
    const store = new Store(':memory:');
    const reports = new ReportService(store, () => undefined, { nodeMajor: 'test' });
    try {
      const expected = fresh(serializeLog(createHeader(scenario, run.seed, 'test'), run.events), 'test');
      expect(await reports.get(view('flooded', 'live'), 'md')).toBe(expected.md);
      expect(await reports.get(view('flooded', 'live'), 'score')).toBe(expected.score);
      // A computation that throws (a scenario the engine cannot run) is an error for that request only.
      const broken = { ...view('broken', 'live'), scenario: { ...scenario, services: null } } as unknown as DrillView;
      await expect(reports.get(broken, 'html')).rejects.toThrow();
      expect(await reports.get(view('flooded', 'live'), 'json')).toBe(expected.json);

      // Replay bundles the same way: what the main thread would build, byte for byte.
      const bundles = replayJson(sourceOf(view('flooded', 'live')));
      const unzip = (gz: Buffer) => gunzipSync(gz).toString('utf8');
      // Concurrent requests for a live drill's bundle share one computation, reused until its log grows.
      const [a, b] = await Promise.all([reports.replay(view('flooded', 'live'), 'facilitator'), reports.replay(view('flooded', 'live'), 'facilitator')]);
      expect(a).toBe(b);
      expect(unzip(a) === bundles.get('facilitator')).toBe(true);
      expect(reports.replayStats).toEqual({ computed: 1, fromMemory: 0 });
      expect(await reports.replay(view('flooded', 'live'), 'facilitator')).toBe(a);
      const shorter: DrillView = { ...view('flooded', 'live'), events: run.events.slice(0, -1) };
      expect(unzip(await reports.replay(shorter, 'facilitator')) === replayJson(sourceOf(shorter)).get('facilitator')).toBe(true);
      expect(reports.replayStats).toEqual({ computed: 2, fromMemory: 1 });
      // A stopped drill's: every role's from one computation, then served from memory.
      for (const role of ROLES) expect(unzip(await reports.replay(view('stopped', 'ended'), role)) === bundles.get(role)?.replace('"sessionId":"flooded"', '"sessionId":"stopped"')).toBe(true);
      expect(reports.replayStats).toEqual({ computed: 3, fromMemory: 3 });
      await expect(reports.replay(broken, 'facilitator')).rejects.toThrow();
      expect(await reports.replay(view('stopped', 'ended'), 'observer')).toBeInstanceOf(Buffer);
    } finally {
      await reports.close();
      store.close();
    }
    await expect(reports.get(view('late', 'live'), 'md')).rejects.toThrow(/shutting down/);
    await expect(reports.replay(view('late', 'live'), 'facilitator')).rejects.toThrow(/shutting down/);
  }, 60_000);

  it('keeps the bundles of the last few drills in memory, within a byte budget', async () => {
    const scenario = loadScenario('retail-sev1');
    const run = runScenario(scenario, { commands: loadPlan('retail-sev1'), until: 600_000 });
    const view = (id: string): DrillView => ({
      id,
      record: { id, scenario, seed: run.seed } as DrillView['record'],
      scenario,
      variation: run.variation,
      status: 'ended',
      team: null,
      events: run.events,
      phase: run.phase,
      now: run.now,
      tickMs: run.tickMs,
      logText: () => '',
    });
    const store = new Store(':memory:');
    const size = async (reports: ReportService) => (await Promise.all(ROLES.map((r) => reports.replay(view('x'), r)))).reduce((n, b) => n + b.length, 0);
    const probe = new ReportService(store, () => undefined, { nodeMajor: 'test' });
    const bytes = await size(probe);
    await probe.close();
    // Room for two drills' bundles by count, for one and a half by bytes.
    const reports = new ReportService(store, () => undefined, { nodeMajor: 'test', replayEntries: 2, replayBytes: Math.floor(bytes * 1.5) });
    try {
      for (const id of ['a', 'b', 'a']) await reports.replay(view(id), 'facilitator');
      // b pushed a out (bytes), then a pushed b out.
      expect(reports.replayStats).toEqual({ computed: 3, fromMemory: 0 });
      await reports.replay(view('a'), 'observer');
      expect(reports.replayStats).toEqual({ computed: 3, fromMemory: 1 });
    } finally {
      await reports.close();
      store.close();
    }
  }, 60_000);
});
