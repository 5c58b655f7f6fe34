/**
 * The worker_threads side of reports.ts: scores a drill's log and renders its reports off the main
 * thread. Both re-simulate the drill (the untreated twin, the report's charts), which takes hundreds
 * of milliseconds for a long drill: on the main thread that would stall every live drill's tick.
 *
 * A job arrives in pieces, so that no single message is costly to copy on the main thread: `job`
 * (the scenario, seed and what to compute), then `events` in chunks, then `run`. Jobs run one at a
 * time, in the order their `run` arrives.
 *
 * Loaded in a worker through report-worker.mjs (which registers tsx).
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createHeader } from '../core/log/log.ts';
import type { EngineEvent } from '../protocol/events.ts';
import type { Scenario } from '../protocol/scenario.ts';
import { renderHtml } from '../score/report-html.ts';
import { renderJson } from '../score/report-json.ts';
import { renderMarkdown } from '../score/report-markdown.ts';
import { scoreLog, type Scorecard } from '../score/scorecard.ts';
import { buildReport, type ReportModel } from '../score/timeline.ts';

/** What a drill's debrief serves: its scorecard (JSON), and its report in three formats. */
export type ReportKind = 'score' | 'html' | 'md' | 'json';

/** Tells this worker apart from any other worker that happens to import the module. */
export interface ReportWorkerData {
  kind: 'sevdrill-report';
}

/** Main thread → worker. */
export type ReportRequest =
  | {
      type: 'job';
      id: number;
      scenario: Scenario;
      seed: number;
      nodeMajor: string;
      /** The scorecard, if already known (the leaderboard keeps an ended drill's): not computed again. */
      card: Scorecard | null;
      kinds: ReportKind[];
    }
  | { type: 'events'; id: number; events: EngineEvent[] }
  | { type: 'run'; id: number };

/** Worker → main thread. */
export type ReportReply = { id: number; bodies: Partial<Record<ReportKind, string>> } | { id: number; error: string };

const RENDER: Record<Exclude<ReportKind, 'score'>, (card: Scorecard, report: ReportModel) => string> = {
  html: renderHtml,
  md: renderMarkdown,
  json: renderJson,
};

/** The bodies asked for: pure in the scenario, seed and events (and the card, which is the log's own). */
function computeReports(job: { scenario: Scenario; seed: number; nodeMajor: string; card: Scorecard | null; kinds: readonly ReportKind[] }, events: readonly EngineEvent[]): Partial<Record<ReportKind, string>> {
  const header = createHeader(job.scenario, job.seed, job.nodeMajor);
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
 * Puts this thread below the main thread, whose event loop runs every drill's ticks: when the cores are
 * busy the scheduler then gives them to the ticks first, and a report just takes longer. On Linux a
 * thread's own id (from /proc/thread-self) names that thread alone; elsewhere this does nothing.
 */
function yieldToTicks(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // Not Linux, or not permitted: the normal priority.
  }
}

if (!isMainThread && parentPort && (workerData as Partial<ReportWorkerData> | null)?.kind === 'sevdrill-report') {
  yieldToTicks();
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
        port.postMessage({ id: msg.id, bodies: computeReports(entry.job, entry.events) } satisfies ReportReply);
      } catch (error) {
        port.postMessage({ id: msg.id, error: error instanceof Error ? error.message : String(error) } satisfies ReportReply);
      }
    }
  });
}
