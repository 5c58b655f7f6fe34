/**
 * The worker_threads side of reports.ts: everything the server derives from a drill's log by
 * simulating it again, off the main thread. A job is one of two tasks:
 * - `reports`: scores the log and renders its reports (the untreated twin, the report's charts);
 * - `replay`: builds the replay bundles (replay.ts: the log folded again for every tick's telemetry),
 *   each encoded as JSON and gzipped here, so the main thread has nothing left to do but send bytes.
 * - `archive`: a stopped drill's log as the store archives it (its text, gzipped), also computed with
 *   an ended drill's scorecard (`reports` with `archive`), whose job already holds the log.
 * Either of the first two takes hundreds of milliseconds for a long drill: on the main thread that
 * would stall every live drill's tick. The third takes milliseconds (a 6-hour log is ~180 kB of JSON),
 * but it comes when a drill ends, in the same turn as its score.
 *
 * A job arrives in pieces, so that no single message is costly to copy on the main thread: `job`
 * (the scenario, seed and what to compute), then `events` in chunks, then `run`. Jobs run one at a
 * time, in the order their `run` arrives. Bytes (a replay's, an archive's) go back transferred, not
 * copied.
 *
 * Loaded in a worker through report-worker.mjs (which registers tsx, and lowers this thread's priority).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { createHeader, serializeLog } from '../core/log/log.ts';
import type { EngineEvent } from '../protocol/events.ts';
import type { Role } from '../protocol/messages.ts';
import type { Scenario } from '../protocol/scenario.ts';
import type { Variation } from '../protocol/varied.ts';
import { renderHtml } from '../score/report-html.ts';
import { renderJson } from '../score/report-json.ts';
import { renderMarkdown } from '../score/report-markdown.ts';
import { scoreLog, type Scorecard } from '../score/scorecard.ts';
import { buildReport, type ReportModel } from '../score/timeline.ts';
import { buildReplayBundles } from './replay.ts';

/** What a drill's debrief serves: its scorecard (JSON), and its report in three formats. */
export type ReportKind = 'score' | 'html' | 'md' | 'json';

/** Tells this worker apart from any other worker that happens to import the module. */
export interface ReportWorkerData {
  kind: 'sevdrill-report';
}

/** What one job computes from a drill's scenario, seed and log. */
export type ReportTask =
  | {
      task: 'reports';
      nodeMajor: string;
      /** The scorecard, if already known (the leaderboard keeps an ended drill's): not computed again. */
      card: Scorecard | null;
      kinds: ReportKind[];
      /** Also the log as archived (`archive` below): a drill that has just ended is scored, then archived. */
      archive: boolean;
    }
  | {
      task: 'replay';
      /** The rest of the replay source (replay.ts), as of the moment the job was made. */
      sessionId: string;
      tickMs: number;
      phase: string;
      now: number;
      roles: Role[];
    }
  | {
      task: 'archive';
      /** Stamped in the log's header, as the /log endpoint does. */
      nodeMajor: string;
    };

/** Main thread → worker. */
export type ReportRequest =
  | ({ type: 'job'; id: number; scenario: Scenario; seed: number; variation: Variation } & ReportTask)
  | { type: 'events'; id: number; events: EngineEvent[] }
  | { type: 'run'; id: number };

/** What a job gives back: report bodies (and the gzipped log, if asked for), each role's replay bundle as gzipped JSON, or the gzipped log. */
export type ReportResult =
  | { task: 'reports'; bodies: Partial<Record<ReportKind, string>>; archive?: Uint8Array<ArrayBuffer> }
  | { task: 'replay'; replays: Partial<Record<Role, Uint8Array<ArrayBuffer>>> }
  | { task: 'archive'; archive: Uint8Array<ArrayBuffer> };

/** Worker → main thread. */
export type ReportReply = ({ id: number } & ReportResult) | { id: number; error: string };

const RENDER: Record<Exclude<ReportKind, 'score'>, (card: Scorecard, report: ReportModel) => string> = {
  html: renderHtml,
  md: renderMarkdown,
  json: renderJson,
};

/** The bodies asked for: pure in the scenario, seed and events (and the card, which is the log's own). */
function computeReports(job: { scenario: Scenario; seed: number; variation: Variation; nodeMajor: string; card: Scorecard | null; kinds: readonly ReportKind[] }, events: readonly EngineEvent[]): Partial<Record<ReportKind, string>> {
  const header = createHeader(job.scenario, job.seed, job.nodeMajor, job.variation);
  const card = job.card ?? scoreLog(header, events);
  const bodies: Partial<Record<ReportKind, string>> = {};
  if (job.kinds.includes('score')) bodies.score = JSON.stringify(card);
  const formats = job.kinds.filter((k): k is Exclude<ReportKind, 'score'> => k !== 'score');
  if (formats.length > 0) {
    const report = buildReport(header, events, card);
    for (const format of formats) bodies[format] = RENDER[format](card, report);
  }
  return bodies;
}

/**
 * Each role's bundle as `JSON.stringify(bundle)` would give it, gzipped, in a buffer of its own (so
 * that it can be transferred). The samples, the bulk of every bundle and the same in each, are
 * encoded once; they are its last key, so each role's JSON is its other keys', then theirs. (Less
 * garbage here is less work for the collector's helper threads, which the main thread shares.)
 */
function computeReplays(job: Extract<ReportRequest, { type: 'job'; task: 'replay' }>, events: readonly EngineEvent[]): Partial<Record<Role, Uint8Array<ArrayBuffer>>> {
  const source = { id: job.sessionId, scenario: job.scenario, seed: job.seed, tickMs: job.tickMs, phase: job.phase, now: job.now, events };
  const replays: Partial<Record<Role, Uint8Array<ArrayBuffer>>> = {};
  let samples: Buffer | undefined;
  for (const [role, bundle] of buildReplayBundles(source, job.roles)) {
    samples ??= Buffer.from(JSON.stringify(bundle.samples));
    const rest = JSON.stringify({ ...bundle, samples: [] });
    if (!rest.endsWith(',"samples":[]}')) throw new Error('invariant: the samples are not the last key of a replay bundle');
    const json = Buffer.concat([Buffer.from(rest.slice(0, -'[]}'.length)), samples, Buffer.from('}')]);
    replays[role] = new Uint8Array(gzipSync(json));
  }
  return replays;
}

/** The log exactly as LiveDrill.logText gives it, gzipped as the registry archives it, in a buffer of its own (so that it can be transferred). */
function archiveLog(job: { scenario: Scenario; seed: number; variation: Variation; nodeMajor: string }, events: readonly EngineEvent[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(gzipSync(serializeLog(createHeader(job.scenario, job.seed, job.nodeMajor, job.variation), events)));
}

function compute(job: Extract<ReportRequest, { type: 'job' }>, events: readonly EngineEvent[]): ReportResult {
  if (job.task === 'reports') return { task: 'reports', bodies: computeReports(job, events), ...(job.archive ? { archive: archiveLog(job, events) } : {}) };
  if (job.task === 'replay') return { task: 'replay', replays: computeReplays(job, events) };
  return { task: 'archive', archive: archiveLog(job, events) };
}

/** The buffers of a result, to transfer rather than copy. */
function transferable(result: ReportResult): ArrayBuffer[] {
  if (result.task === 'replay') return Object.values(result.replays).map((bytes) => bytes.buffer);
  return result.archive ? [result.archive.buffer] : [];
}

if (!isMainThread && parentPort && (workerData as Partial<ReportWorkerData> | null)?.kind === 'sevdrill-report') {
  const port = parentPort;
  const jobs = new Map<number, { job: Extract<ReportRequest, { type: 'job' }>; events: EngineEvent[] }>();
  port.on('message', (msg: ReportRequest) => {
    if (msg.type === 'job') jobs.set(msg.id, { job: msg, events: [] });
    else if (msg.type === 'events') jobs.get(msg.id)?.events.push(...msg.events);
    else {
      const entry = jobs.get(msg.id);
      jobs.delete(msg.id);
      if (!entry) return;
      try {
        const result = compute(entry.job, entry.events);
        port.postMessage({ id: msg.id, ...result } satisfies ReportReply, transferable(result));
      } catch (error) {
        port.postMessage({ id: msg.id, error: error instanceof Error ? error.message : String(error) } satisfies ReportReply);
      }
    }
  });
}
