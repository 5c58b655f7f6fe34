/**
 * Everything the server derives from a drill's log by simulating it again, served without simulating
 * on the request path: a drill's scorecard and after-action report (html, md, json), and its replay
 * bundle (replay.ts).
 *
 * Scoring a log and building its report each re-simulate the drill (the untreated twin; the report's
 * charts): for a 6-hour drill that is ~0.3 s and ~0.15 s of CPU, and ~0.1 s more to render the HTML
 * (measured); a replay bundle folds the log again for every tick's telemetry (~0.3 s, and ~4 MB of
 * JSON to encode and gzip). Done in the request, that stalls every live drill's tick for as long.
 *
 * The choice: all of it runs on a worker thread (report-worker.ts), for ended and live drills alike.
 * The main thread only copies the log to the worker, in chunks of CHUNK_EVENTS (~1 ms of structured
 * clone each) with a turn of the event loop between them, so ticks run in between; what comes back
 * are strings, or a replay's gzipped bytes transferred without a copy. (Slicing the computation on
 * the main thread instead would need the engine to yield mid-fold; a child process would cost more to
 * start and to feed.)
 *
 * - A stopped drill (ended, failed or expired) has a final log, so its scorecard and reports are
 *   computed once and kept in memory (the last few drills) and in the store (report_cache), which
 *   outlives a restart: an archived drill is served from there, and is never simulated again. An
 *   ended drill's scorecard is computed here alone when it ends, for the leaderboard (registry.ts,
 *   which stores it); its three reports are computed together, with that scorecard, when first asked
 *   for (a request that comes while the scorecard is being computed waits for it).
 * - A stopped drill's replay bundles (one per role, from one fold) are computed once and kept in
 *   memory, bounded by count and bytes. They are not stored: a 6-hour drill's are ~1.2 MB gzipped,
 *   ~45 times its archived log, so storing them would multiply the database's size for a screen that
 *   is opened a few times; after a restart the first replay of a drill costs one computation on the
 *   worker, which stalls nothing.
 * - A live drill's report and replay change as it runs. They are computed on request for the log as it
 *   stands; a report is a function of the log alone, so it is reused until the log grows. So is a
 *   replay bundle, whose samples run to the drill's `now` when it was computed: ticks that log nothing
 *   move `now` on, so a live bundle may trail the drill by a few ticks (a true replay of its log still).
 * - A stopped drill's log is archived (registry.ts) as computed here too, gzipped: for an ended drill
 *   with its scorecard, whose job already holds the log; for another, on its own. Serializing and
 *   gzipping a 6-hour log takes the main thread milliseconds, in the very turn in which the drill's
 *   score comes back (and records it, and answers the leaderboard reads that waited for it).
 * - Concurrent requests for the same result share one computation.
 */
import { Worker } from 'node:worker_threads';
import { ENGINE_VERSION } from '../core/log/version.ts';
import type { EngineEvent } from '../protocol/events.ts';
import type { Role } from '../protocol/messages.ts';
import { SCORECARD_VERSION, type Scorecard } from '../score/scorecard.ts';
import { REPORT_VERSION } from '../score/timeline.ts';
import type { DrillView } from './archive.ts';
import type { ReportKind, ReportReply, ReportRequest, ReportResult, ReportTask, ReportWorkerData } from './report-worker.ts';
import type { CachedReport, Store } from './store.ts';
import { SharedJobs } from './shared-jobs.ts';

export type { ReportKind } from './report-worker.ts';

/** The content type of each kind. */
export const REPORT_TYPES = new Map<ReportKind, string>([
  ['score', 'application/json'],
  ['html', 'text/html'],
  ['md', 'text/markdown'],
  ['json', 'application/json'],
]);

const FORMATS = new Map<string, ReportKind>([
  ['html', 'html'],
  ['md', 'md'],
  ['json', 'json'],
]);
const KINDS = new Map<string, ReportKind>([...FORMATS, ['score', 'score']]);

/** `?format=` of /report: html, md or json. */
export function reportFormat(format: string): ReportKind | undefined {
  return FORMATS.get(format);
}

/** Cached bodies computed by other code are not served: bump REPORT_VERSION or SCORECARD_VERSION when their output changes. */
const REPORT_CACHE_VERSION = `${ENGINE_VERSION}/${SCORECARD_VERSION}/${REPORT_VERSION}`;

const ALL_KINDS: readonly ReportKind[] = ['score', 'html', 'md', 'json'];
const ALL_ROLES: readonly Role[] = ['facilitator', 'responder', 'observer'];
/** How long the worker is kept after a drill's scorecard (ReportService.scorecard). */
const SCORING_IDLE_MS = 5_000;
/** Events per message to the worker: a 6-hour drill's whole log is ~750 events. */
const CHUNK_EVENTS = 1000;
// A job's heap: a 6-hour drill needs tens of MB; a log flooded to its byte budget, a few times that.
// A small young generation keeps the worker's footprint close to what it uses (validate-pool.ts).
const MAX_OLD_GENERATION_MB = 256;
const YOUNG_GENERATION_MB = 16;

type Bodies = Partial<Record<ReportKind, string>>;

interface Entry {
  /** The length of the log the bodies were computed from: a longer log makes them stale. */
  events: number;
  bodies: Bodies;
}

/** A buffer transferred from the worker, as a Buffer (no copy). */
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Replay bundles as gzipped JSON, by role. */
type Replays = Partial<Record<Role, Buffer>>;

interface ReplayEntry {
  /** As for Entry. */
  events: number;
  replays: Replays;
  bytes: number;
}

/** A scorecard asked for by the leaderboard (registry.ts), not by a request. */
export interface Scoring {
  /** The drill has just stopped and is archived next: its gzipped log is computed with the scorecard. */
  archive: boolean;
}

export interface ReportServiceOptions {
  /** Stamped in the reports' log header (as the /log endpoint does). */
  nodeMajor: string;
  /** Worker threads computing reports (default 1: the main thread keeps a core to itself). */
  workers?: number;
  /** How long a worker that computed a live drill's report is kept for the next request (default 30 s). */
  idleMs?: number;
  /** Drills whose results are kept in memory (default 16; a 6-hour drill's are ~250 KB). */
  memoryEntries?: number;
  /** Drills whose replay bundles are kept in memory (default 8), and their most bytes in all (default 32 MB; a 6-hour drill's are ~1.2 MB). */
  replayEntries?: number;
  replayBytes?: number;
}

export class ReportService {
  /** How each result was served, for tests and diagnostics. */
  readonly stats = { computed: 0, fromMemory: 0, fromStore: 0 };
  readonly replayStats = { computed: 0, fromMemory: 0 };
  private readonly memory = new Map<string, Entry>();
  private readonly replays = new Map<string, ReplayEntry>();
  /** Gzipped logs computed with an ended drill's scorecard, until the registry archives them (archive()). */
  private readonly archives = new Map<string, { events: number; gz: Buffer }>();
  /** Computations under way, by drill and log length. */
  private readonly pending = new SharedJobs<ReportKind, Bodies>();
  private readonly pendingReplays = new SharedJobs<Role, Replays>();
  private readonly pool: ReportPool;
  private readonly memoryEntries: number;
  private readonly replayEntries: number;
  private readonly replayBytes: number;

  constructor(
    private readonly store: Store,
    /** The stored scorecard of an ended drill (the leaderboard's), if any. */
    private readonly scorecardOf: (sessionId: string) => Scorecard | undefined,
    private readonly options: ReportServiceOptions,
  ) {
    this.pool = new ReportPool(options.workers ?? 1, options.idleMs ?? 30_000);
    this.memoryEntries = options.memoryEntries ?? 16;
    this.replayEntries = options.replayEntries ?? 8;
    this.replayBytes = options.replayBytes ?? 32 * 1024 * 1024;
  }

  /** One body of a drill: its scorecard (`score`, JSON) or its report in one format. */
  get(drill: DrillView, kind: ReportKind): Promise<string> {
    return this.body(drill, kind, null);
  }

  /**
   * A stopped drill's scorecard, for the leaderboard (registry.ts: when the drill ends, or after a
   * restart). Computed alone: the reports, which need it, are computed with it when first asked for.
   * Not put in the store (the leaderboard keeps it); the worker is kept SCORING_IDLE_MS, for the
   * debrief's report that usually follows, or the next drill's score. With `archive`, for a drill that
   * has just stopped, its log is gzipped with it, for archive() to give.
   */
  async scorecard(drill: DrillView, scoring: Scoring = { archive: false }): Promise<Scorecard> {
    return JSON.parse(await this.body(drill, 'score', scoring)) as Scorecard;
  }

  private async body(drill: DrillView, kind: ReportKind, scoring: Scoring | null): Promise<string> {
    // A stopped drill's log never grows again (stopped drills take no commands, socket.ts).
    const final = drill.status !== 'live';
    const events = drill.events.length;
    const cached = this.fromMemory(drill.id, events, kind) ?? (final ? this.fromStore(drill.id, events, kind) : undefined);
    if (cached !== undefined) return cached;
    const key = `${drill.id}|${events}`;
    // A stopped drill's reports are computed with its scorecard: one under way (the drill has just ended) is waited for.
    const scored = final && kind !== 'score' ? this.pending.under(key).find((j) => j.parts.includes('score') && !j.parts.includes(kind)) : undefined;
    if (scored) {
      await scored.done.catch(() => undefined);
      return this.body(drill, kind, scoring);
    }
    const card = final ? (this.scorecardOf(drill.id) ?? this.rememberedCard(drill.id, events)) : undefined;
    if (kind === 'score' && card) {
      const body = JSON.stringify(card);
      this.remember(drill.id, events, { score: body });
      return body;
    }
    // A computation under way for the same log that includes this kind is shared.
    // Once final, the three reports at once: every later request is then served from the cache.
    const kinds = kind === 'score' ? [kind] : final ? ALL_KINDS : (['score', kind] as const);
    const bodies = await this.pending.join(key, kind, kinds, () => this.compute(drill, events, kinds, card ?? null, final, scoring));
    const body = bodies[kind];
    if (body === undefined) throw new Error(`invariant: the ${kind} report of ${drill.id} was not computed`);
    return body;
  }

  /** A drill's replay bundle for one role, as gzipped JSON (replay.ts). */
  async replay(drill: DrillView, role: Role): Promise<Buffer> {
    const final = drill.status !== 'live';
    const events = drill.events.length;
    const entry = this.replays.get(drill.id);
    const cached = entry?.events === events ? entry.replays[role] : undefined;
    if (cached && entry) {
      this.replayStats.fromMemory++;
      // Most recently used last.
      this.replays.delete(drill.id);
      this.replays.set(drill.id, entry);
      return cached;
    }
    const key = `${drill.id}|${events}`;
    // Once final, every role's from one fold: the debrief's readers come in all roles, and each is then served from memory.
    const roles = final ? ALL_ROLES : [role];
    const bytes = (await this.pendingReplays.join(key, role, roles, () => this.computeReplays(drill, events, roles, final)))[role];
    if (bytes === undefined) throw new Error(`invariant: the ${role} replay of ${drill.id} was not computed`);
    return bytes;
  }

  /**
   * A stopped drill's log as the store archives it: `drill.logText(nodeMajor)`, gzipped. The one
   * computed with the drill's scorecard, if any (then forgotten), else computed on the worker.
   */
  async archive(drill: DrillView): Promise<Buffer> {
    const events = drill.events.length;
    const kept = this.archives.get(drill.id);
    this.archives.delete(drill.id);
    if (kept?.events === events) return kept.gz;
    const result = await this.pool.run(drill, { task: 'archive', nodeMajor: this.options.nodeMajor }, events, 0);
    if (result.task !== 'archive') throw new Error('invariant: an archive job gave something else');
    return asBuffer(result.archive);
  }

  /** Stops the workers; computations under way fail. */
  close(): Promise<void> {
    return this.pool.close();
  }

  private async compute(drill: DrillView, events: number, kinds: readonly ReportKind[], card: Scorecard | null, final: boolean, scoring: Scoring | null): Promise<Bodies> {
    // A drill scored as it stops is archived next (registry.ts): its log with its scorecard, from the log the job holds.
    const task: ReportTask = { task: 'reports', nodeMajor: this.options.nodeMajor, card, kinds: [...kinds], archive: final && scoring?.archive === true };
    // A live drill's report is likely to be asked for again soon; a stopped drill's never is (but for its
    // reports after its scorecard).
    const result = await this.pool.run(drill, task, events, final ? (scoring ? SCORING_IDLE_MS : 0) : undefined);
    if (result.task !== 'reports') throw new Error('invariant: a report job gave something else');
    const bodies = result.bodies;
    if (result.archive) {
      this.archives.delete(drill.id);
      this.archives.set(drill.id, { events, gz: asBuffer(result.archive) });
      // Taken at once (registry.ts); bounded all the same, should the server stop first.
      while (this.archives.size > this.memoryEntries) this.archives.delete(this.archives.keys().next().value as string);
    }
    this.stats.computed++;
    this.remember(drill.id, events, bodies);
    if (final && !scoring) {
      const rows: CachedReport[] = Object.entries(bodies).map(([kind, body]) => ({ kind, events, version: REPORT_CACHE_VERSION, body }));
      try {
        this.store.saveReports(drill.id, rows, new Date());
      } catch {
        // Only a restart's first request pays for it: the results are in memory.
      }
    }
    return bodies;
  }

  private async computeReplays(drill: DrillView, events: number, roles: readonly Role[], final: boolean): Promise<Replays> {
    // Where the drill got to, now: a live drill moves on while the log is sent.
    const task: ReportTask = { task: 'replay', sessionId: drill.id, tickMs: drill.tickMs, phase: drill.phase, now: drill.now, roles: [...roles] };
    const result = await this.pool.run(drill, task, events, final ? 0 : undefined);
    if (result.task !== 'replay') throw new Error('invariant: a replay job gave something else');
    const replays: Replays = {};
    let bytes = 0;
    for (const [role, data] of Object.entries(result.replays) as [Role, Uint8Array][]) {
      replays[role] = asBuffer(data);
      bytes += data.byteLength;
    }
    this.replayStats.computed++;
    this.replays.delete(drill.id);
    this.replays.set(drill.id, { events, replays, bytes });
    let total = 0;
    for (const entry of this.replays.values()) total += entry.bytes;
    // The least recently used first; the newest stays even when it alone is over the budget (it is being sent).
    for (const [id, entry] of this.replays) {
      if (this.replays.size <= 1 || (this.replays.size <= this.replayEntries && total <= this.replayBytes)) break;
      this.replays.delete(id);
      total -= entry.bytes;
    }
    return replays;
  }

  /** A stopped drill's scorecard, if memory holds its body. */
  private rememberedCard(id: string, events: number): Scorecard | undefined {
    const entry = this.memory.get(id);
    const body = entry?.events === events ? entry.bodies.score : undefined;
    return body === undefined ? undefined : (JSON.parse(body) as Scorecard);
  }

  private fromMemory(id: string, events: number, kind: ReportKind): string | undefined {
    const entry = this.memory.get(id);
    const body = entry?.events === events ? entry.bodies[kind] : undefined;
    if (body === undefined) return undefined;
    this.stats.fromMemory++;
    // Most recently used last.
    this.memory.delete(id);
    if (entry) this.memory.set(id, entry);
    return body;
  }

  private fromStore(id: string, events: number, kind: ReportKind): string | undefined {
    const bodies: Bodies = {};
    for (const r of this.store.cachedReports(id)) {
      const stored = KINDS.get(r.kind);
      if (stored && r.events === events && r.version === REPORT_CACHE_VERSION) bodies[stored] = r.body;
    }
    if (Object.keys(bodies).length === 0) return undefined;
    this.remember(id, events, bodies);
    const body = bodies[kind];
    if (body !== undefined) this.stats.fromStore++;
    return body;
  }

  /** Adds bodies to what memory holds for a drill (replacing it if it was for another log length). */
  private remember(id: string, events: number, bodies: Bodies): void {
    const entry = this.memory.get(id);
    this.memory.delete(id);
    this.memory.set(id, entry?.events === events ? { events, bodies: { ...entry.bodies, ...bodies } } : { events, bodies });
    while (this.memory.size > this.memoryEntries) this.memory.delete(this.memory.keys().next().value as string);
  }
}

interface Slot {
  worker: Worker;
  jobs: Map<number, { resolve: (result: ReportResult) => void; reject: (error: Error) => void; idleMs: number }>;
  idleTimer: NodeJS.Timeout | null;
  /** performance.now() until which the worker is kept once idle: the latest its jobs asked for. */
  keepUntil: number;
}

/**
 * Worker threads running report and replay jobs; a worker that fails fails its jobs and is replaced on the next.
 * A worker costs ~40 MB while it lives (its isolate, the engine's modules, the heap of a job), so one
 * with nothing to do is not kept for long: after a stopped drill's job (computed once) it is stopped
 * at once (after its scorecard, a few seconds later), and after a live drill's once it has been idle
 * for `idleMs`. Each job's wish counts from its own end, and the latest wins: a stopped drill's job
 * does not stop a worker that a live drill's job keeps. (Starting one again is not free: ~0.6 s of
 * CPU on its own thread, and as much again on the threads V8 shares between every isolate of the
 * process, at the main thread's priority, to compile the engine anew and collect its garbage.)
 */
class ReportPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly idleMs: number,
  ) {}

  /** Computes `task` over the first `count` of the drill's events, sending them a chunk per turn of the event loop. */
  async run(drill: DrillView, task: ReportTask, count: number, idleMs = this.idleMs): Promise<ReportResult> {
    if (this.closed) throw new Error('the report service is shutting down');
    const events: readonly EngineEvent[] = drill.events;
    const job = { scenario: drill.scenario, seed: drill.record.seed, variation: drill.variation, ...task };
    const slot = this.slot();
    const id = this.nextId++;
    const done = new Promise<ReportResult>((resolve, reject) => slot.jobs.set(id, { resolve, reject, idleMs }));
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    // A busy worker keeps the process alive (a caller awaits it); an idle one must not.
    slot.worker.ref();
    slot.worker.postMessage({ type: 'job', id, ...job } satisfies ReportRequest);
    // The first chunk too waits for a turn: the caller (a drill that has just ended) may have used most of this one.
    for (let from = 0; from < count && slot.jobs.has(id); from += CHUNK_EVENTS) {
      await new Promise((resolve) => setImmediate(resolve));
      if (!slot.jobs.has(id)) break;
      slot.worker.postMessage({ type: 'events', id, events: events.slice(from, Math.min(count, from + CHUNK_EVENTS)) } satisfies ReportRequest);
    }
    if (slot.jobs.has(id)) slot.worker.postMessage({ type: 'run', id } satisfies ReportRequest);
    return done;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.slots].map((slot) => this.retire(slot, new Error('the report service is shutting down'))));
  }

  /** The least busy worker, or a new one while the pool is not full. */
  private slot(): Slot {
    const idle = this.slots.find((s) => s.jobs.size === 0);
    if (idle) return idle;
    if (this.slots.length < this.size) return this.spawn();
    return this.slots.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./report-worker.mjs', import.meta.url), {
      workerData: { kind: 'sevdrill-report' } satisfies ReportWorkerData,
      // Not the main thread's flags: its `--import tsx` would start a loader thread for the worker too.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: MAX_OLD_GENERATION_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    const slot: Slot = { worker, jobs: new Map(), idleTimer: null, keepUntil: 0 };
    this.slots.push(slot);
    worker.on('message', (reply: ReportReply) => void this.answer(slot, reply));
    worker.on('messageerror', (error) => void this.retire(slot, error));
    worker.on('error', (error) => void this.retire(slot, error));
    worker.on('exit', (code) => void this.retire(slot, new Error(`the report worker exited (code ${code})`)));
    return slot;
  }

  private async answer(slot: Slot, reply: ReportReply): Promise<void> {
    const job = slot.jobs.get(reply.id);
    if (!job) return;
    slot.jobs.delete(reply.id);
    const now = performance.now();
    slot.keepUntil = Math.max(slot.keepUntil, now + job.idleMs);
    if (slot.jobs.size === 0) {
      // Stopped before the caller hears back, so that its memory is given back by then.
      if (slot.keepUntil <= now) await this.retire(slot, new Error('invariant: the report worker had no job'));
      else {
        slot.worker.unref();
        slot.idleTimer = setTimeout(() => void this.retire(slot, new Error('invariant: the report worker had no job')), slot.keepUntil - now);
        slot.idleTimer.unref();
      }
    }
    if ('error' in reply) job.reject(new Error(reply.error));
    else job.resolve(reply);
  }

  /** Takes a worker out of the pool for good, failing its jobs. */
  private async retire(slot: Slot, error: Error): Promise<void> {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    for (const job of slot.jobs.values()) job.reject(error);
    slot.jobs.clear();
    await slot.worker.terminate();
  }
}
