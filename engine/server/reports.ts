/**
 * A drill's scorecard and after-action report (html, md, json), served without simulating on the
 * request path.
 *
 * Scoring a log and building its report each re-simulate the drill (the untreated twin; the report's
 * charts): for a 6-hour drill that is ~0.3 s and ~0.15 s of CPU, and ~0.1 s more to render the HTML
 * (measured). Done in the request, that stalls every live drill's tick for as long.
 *
 * The choice: all of it runs on a worker thread (report-worker.ts), for ended and live drills alike.
 * The main thread only copies the log to the worker, in chunks of CHUNK_EVENTS (~1 ms of structured
 * clone each) with a turn of the event loop between them, so ticks run in between; what comes back
 * are strings, cheap to receive. (Slicing the computation on the main thread instead would need the
 * engine to yield mid-fold; a child process would cost more to start and to feed.)
 *
 * - A stopped drill (ended, failed or expired) has a final log, so its scorecard and all three reports
 *   are computed once, together, and kept in memory (the last few drills) and in the store
 *   (report_cache), which outlives a restart: an archived drill is served from there, and is never
 *   simulated again. The leaderboard's scorecard of an ended drill (registry.ts) is used, not recomputed.
 * - A live drill's report changes as it runs. It is computed on request for the log as it stands; a
 *   report is a function of the log alone, so the result is reused until the log grows.
 * - Concurrent requests for the same result share one computation.
 */
import { Worker } from 'node:worker_threads';
import { ENGINE_VERSION } from '../core/log/version.ts';
import type { EngineEvent } from '../protocol/events.ts';
import { SCORECARD_VERSION, type Scorecard } from '../score/scorecard.ts';
import { REPORT_VERSION } from '../score/timeline.ts';
import type { DrillView } from './archive.ts';
import type { ReportKind, ReportReply, ReportRequest, ReportWorkerData } from './report-worker.ts';
import type { CachedReport, Store } from './store.ts';

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

export interface ReportServiceOptions {
  /** Stamped in the reports' log header (as the /log endpoint does). */
  nodeMajor: string;
  /** Worker threads computing reports (default 1: the main thread keeps a core to itself). */
  workers?: number;
  /** How long a worker that computed a live drill's report is kept for the next request (default 30 s). */
  idleMs?: number;
  /** Drills whose results are kept in memory (default 16; a 6-hour drill's are ~250 KB). */
  memoryEntries?: number;
}

export class ReportService {
  /** How each result was served, for tests and diagnostics. */
  readonly stats = { computed: 0, fromMemory: 0, fromStore: 0 };
  private readonly memory = new Map<string, Entry>();
  /** Computations under way, by drill and log length. */
  private readonly pending = new Map<string, { kinds: readonly ReportKind[]; done: Promise<Bodies> }[]>();
  private readonly pool: ReportPool;
  private readonly memoryEntries: number;

  constructor(
    private readonly store: Store,
    /** The stored scorecard of an ended drill (the leaderboard's), if any. */
    private readonly scorecardOf: (sessionId: string) => Scorecard | undefined,
    private readonly options: ReportServiceOptions,
  ) {
    this.pool = new ReportPool(options.workers ?? 1, options.idleMs ?? 30_000);
    this.memoryEntries = options.memoryEntries ?? 16;
  }

  /** One body of a drill: its scorecard (`score`, JSON) or its report in one format. */
  async get(drill: DrillView, kind: ReportKind): Promise<string> {
    // A stopped drill's log never grows again (stopped drills take no commands, socket.ts).
    const final = drill.status !== 'live';
    const events = drill.events.length;
    const cached = this.fromMemory(drill.id, events, kind) ?? (final ? this.fromStore(drill.id, events, kind) : undefined);
    if (cached !== undefined) return cached;
    const card = final ? this.scorecardOf(drill.id) : undefined;
    if (kind === 'score' && card) {
      const body = JSON.stringify(card);
      this.remember(drill.id, events, { score: body });
      return body;
    }
    // A computation under way for the same log that includes this kind is shared.
    const key = `${drill.id}|${events}`;
    const jobs = this.pending.get(key) ?? [];
    let job = jobs.find((j) => j.kinds.includes(kind));
    if (!job) {
      // Once final, everything at once: every later request is then served from the cache.
      const kinds = final ? ALL_KINDS : kind === 'score' ? [kind] : (['score', kind] as const);
      const done = this.compute(drill, events, kinds, card ?? null, final).finally(() => {
        const left = (this.pending.get(key) ?? []).filter((j) => j !== job);
        if (left.length > 0) this.pending.set(key, left);
        else this.pending.delete(key);
      });
      job = { kinds, done };
      this.pending.set(key, [...jobs, job]);
    }
    const body = (await job.done)[kind];
    if (body === undefined) throw new Error(`invariant: the ${kind} report of ${drill.id} was not computed`);
    return body;
  }

  /** Stops the workers; computations under way fail. */
  close(): Promise<void> {
    return this.pool.close();
  }

  private async compute(drill: DrillView, events: number, kinds: readonly ReportKind[], card: Scorecard | null, final: boolean): Promise<Bodies> {
    const job = { scenario: drill.scenario, seed: drill.record.seed, nodeMajor: this.options.nodeMajor, card, kinds: [...kinds] };
    // A live drill's report is likely to be asked for again soon; a stopped drill's never is.
    const bodies = await this.pool.run(job, drill.events, events, final ? 0 : undefined);
    this.stats.computed++;
    this.remember(drill.id, events, bodies);
    if (final) {
      const rows: CachedReport[] = Object.entries(bodies).map(([kind, body]) => ({ kind, events, version: REPORT_CACHE_VERSION, body }));
      try {
        this.store.saveReports(drill.id, rows, new Date());
      } catch {
        // Only a restart's first request pays for it: the results are in memory.
      }
    }
    return bodies;
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
  jobs: Map<number, { resolve: (bodies: Bodies) => void; reject: (error: Error) => void; idleMs: number }>;
  idleTimer: NodeJS.Timeout | null;
}

/**
 * Worker threads running report jobs; a worker that fails fails its jobs and is replaced on the next.
 * A worker costs ~40 MB while it lives (its isolate, the engine's modules, the heap of a job), so one
 * with nothing to do is not kept for long: after a stopped drill's job (computed once) it is stopped
 * at once, and after a live drill's once it has been idle for `idleMs`.
 */
class ReportPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly idleMs: number,
  ) {}

  /** Computes `job` over the first `count` of `events`, sending them a chunk per turn of the event loop. */
  async run(job: Omit<Extract<ReportRequest, { type: 'job' }>, 'type' | 'id'>, events: readonly EngineEvent[], count: number, idleMs = this.idleMs): Promise<Bodies> {
    if (this.closed) throw new Error('the report service is shutting down');
    const slot = this.slot();
    const id = this.nextId++;
    const done = new Promise<Bodies>((resolve, reject) => slot.jobs.set(id, { resolve, reject, idleMs }));
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    // A busy worker keeps the process alive (a caller awaits it); an idle one must not.
    slot.worker.ref();
    slot.worker.postMessage({ type: 'job', id, ...job } satisfies ReportRequest);
    for (let from = 0; from < count && slot.jobs.has(id); from += CHUNK_EVENTS) {
      if (from > 0) await new Promise((resolve) => setImmediate(resolve));
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
    const slot: Slot = { worker, jobs: new Map(), idleTimer: null };
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
    if (slot.jobs.size === 0) {
      // Stopped before the caller hears back, so that its memory is given back by then.
      if (job.idleMs === 0) await this.retire(slot, new Error('invariant: the report worker had no job'));
      else {
        slot.worker.unref();
        slot.idleTimer = setTimeout(() => void this.retire(slot, new Error('invariant: the report worker had no job')), job.idleMs);
        slot.idleTimer.unref();
      }
    }
    if ('error' in reply) job.reject(new Error(reply.error));
    else job.resolve(reply.bodies);
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
