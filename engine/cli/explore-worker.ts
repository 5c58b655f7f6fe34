/**
 * One seed of `sevdrill explore`, and the worker_threads loop that runs batches of them.
 *
 * Per seed: the scenario with the plan and untreated (nobody responding), their impact, the time to
 * mitigate, the plan run's score, and why the plan failed if it did.
 *
 * The score is the scorecard's (engine/score/scorecard.ts), whose impact component compares the run
 * with its untreated twin, which scoreLog re-simulates. The untreated run here is that same twin
 * whenever the plan has no facilitator control commands and both runs stop at the same simulated time,
 * so the score is then assembled from the scorecard's own pieces with the twin reused (one simulation
 * fewer per seed). Each worker first checks, on one fixed seed, that this gives exactly scoreLog's
 * grade and durations; if not (or when the twin cannot be reused), every seed is scored by scoreLog.
 *
 * Loaded in a worker through explore-worker.mjs (which registers tsx), or imported directly.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { formatClock } from '../protocol/format.ts';
import { createHeader } from '../core/log/log.ts';
import { FACILITATOR, runScenario } from '../core/log/run.ts';
import type { Session } from '../core/session.ts';
import type { Variation } from '../protocol/varied.ts';
import { summarizeRun, type RunSummary } from '../core/read/summary.ts';
import { CONTROL_COMMANDS, type PlanCommand } from '../protocol/commands.ts';
import type { EngineEvent, EventOf } from '../protocol/events.ts';
import type { ScenarioSpec } from '../protocol/scenario.ts';
import { durations, findMilestones } from '../score/milestones.ts';
import { scoreLog, scoreRuns } from '../score/scorecard.ts';
import { roundTo } from './histogram.ts';
import { nodeMajor } from './io.ts';

/** What the worker is given (structured-cloned): the loaded scenario and the plan's commands, if any. */
export interface ExploreJob {
  scenario: ScenarioSpec;
  /** null: no plan; each seed is run once, untreated. */
  commands: PlanCommand[] | null;
  /** The seed each worker checks the reuse of the untreated run on (the first explored seed). */
  checkSeed: number;
}

export interface RunImpact {
  /** Lost revenue, in dollars (summed over journeys). */
  lost: number;
  /** Failed requests (summed over journeys). */
  failed: number;
  /** Minutes out of SLO, summed over journeys. */
  minutesOutOfSlo: number;
  /** A journey was still out of SLO when the run stopped. */
  ongoingAtEnd: boolean;
}

export interface SeedResult {
  seed: number;
  /** The run with the plan; null without a plan. */
  plan: RunImpact | null;
  untreated: RunImpact;
  /** Impact start → every journey back within SLO for good, in simulated ms (the scorecard's); null: never. */
  timeToMitigate: number | null;
  untreatedTimeToMitigate: number | null;
  /** When the first page fired in the untreated run (the system alone decides it); null: never. */
  timeToFirstPage: number | null;
  /** The scorecard grade (0–100) of the plan run, or of the untreated run without a plan. */
  score: number;
  /** Why the plan failed on this seed; null if it did not (or there is no plan). */
  failure: string[] | null;
  /** The plan stopped the incident before it began (a change window's denied change): nothing to mitigate. */
  prevented: boolean;
  /** What the seed drew for the scenario's varied fields (both runs draw the same). */
  variation: Variation;
}

export type ScoringMode = 'reuse-untreated' | 'scoreLog';

const CONTROL = new Set<string>(CONTROL_COMMANDS);

function impactOf(s: RunSummary): RunImpact {
  let minutes = 0;
  for (const j of s.journeys) minutes += j.badMinutes;
  return {
    lost: s.totals.lost,
    failed: s.totals.failed,
    minutesOutOfSlo: roundTo(minutes, 2),
    ongoingAtEnd: s.impactStart !== null && s.impactEnd === null,
  };
}

const lastT = (events: readonly EngineEvent[]): number => events.at(-1)?.t ?? 0;

/** The time of the first page: the first alert of severity page that fired. */
function firstPage(events: readonly EngineEvent[]): number | null {
  for (const e of events) if (e.type === 'alert.firing' && e.severity === 'page') return e.t;
  return null;
}

/** Whether the untreated run is exactly the twin scoreLog would simulate for this plan run. */
function twinReusable(commands: readonly PlanCommand[] | null, treated: Session, untreated: Session): boolean {
  if (commands?.some((c) => CONTROL.has(c.type))) return false;
  return lastT(treated.events) === untreated.now;
}

interface Scored {
  score: number;
  timeToMitigate: number | null;
  prevented: boolean;
  /** For the self-check: the grade and durations, as JSON. */
  fingerprint: string;
}

/** scoreLog's grade and durations, with the untreated twin's summary given instead of re-simulated. */
function scoreReusingTwin(session: Session, events: readonly EngineEvent[], twin: readonly EngineEvent[]): Scored {
  // Both runs reached the scenario's duration (twinReusable), so they are their own horizon.
  const card = scoreRuns(headerOf(session), events, { treated: events, untreated: twin });
  return { score: card.grade.score, timeToMitigate: card.durations.timeToMitigate, prevented: card.prevented, fingerprint: JSON.stringify({ g: card.grade, d: card.durations }) };
}

function scoreFull(session: Session, events: readonly EngineEvent[]): Scored {
  const card = scoreLog(headerOf(session), events);
  return { score: card.grade.score, timeToMitigate: card.durations.timeToMitigate, prevented: card.prevented, fingerprint: JSON.stringify({ g: card.grade, d: card.durations }) };
}

/** The header of a session's log: the scenario as its seed drew it. */
const headerOf = (session: Session) => createHeader(session.scenario, session.seed, nodeMajor(), session.variation);

function failureOf(summary: RunSummary, events: readonly EngineEvent[], prevented: boolean): string[] | null {
  const reasons: string[] = [];
  // A prevented incident never opened: there was nothing to resolve.
  if (summary.incidentState !== 'resolved' && !prevented) reasons.push(`incident not resolved (${summary.incidentState})`);
  if (summary.impactStart !== null && summary.impactEnd === null) reasons.push('impact still ongoing at the end');
  const rejected = events.filter((e): e is EventOf<'command'> => e.type === 'command' && !e.ok && e.actor !== FACILITATOR);
  const [e] = rejected;
  if (e) {
    const what = `${e.command}${e.target === undefined ? '' : ` ${e.target}`}`;
    const more = rejected.length > 1 ? ` (+${rejected.length - 1} more)` : '';
    reasons.push(`command rejected: ${what} by ${e.actor} at ${formatClock(e.t)}: ${e.code ?? '?'}: ${e.message ?? '?'}${more}`);
  }
  return reasons.length > 0 ? reasons : null;
}

/** Explores one seed. `mode` 'scoreLog' always scores with scoreLog (re-simulating the twin). */
export function exploreSeed(job: ExploreJob, seed: number, mode: ScoringMode = 'reuse-untreated'): SeedResult {
  return exploreSeedScored(job, seed, mode).result;
}

function exploreSeedScored(job: ExploreJob, seed: number, mode: ScoringMode): { result: SeedResult; reused: boolean; scored: Scored; session: Session } {
  const { scenario, commands } = job;
  const untreated = runScenario(scenario, { seed });
  const untreatedSummary = summarizeRun(untreated.scenario, seed, untreated.events, untreated.now);
  const untreatedTtm = durations(findMilestones(untreated.scenario, untreated.events)).timeToMitigate;
  const treated = commands === null ? untreated : runScenario(scenario, { seed, commands });
  const treatedSummary = commands === null ? untreatedSummary : summarizeRun(treated.scenario, seed, treated.events, treated.now);
  const reused = mode === 'reuse-untreated' && twinReusable(commands, treated, untreated);
  const scored = reused ? scoreReusingTwin(treated, treated.events, untreated.events) : scoreFull(treated, treated.events);
  const result: SeedResult = {
    seed,
    plan: commands === null ? null : impactOf(treatedSummary),
    untreated: impactOf(untreatedSummary),
    timeToMitigate: scored.timeToMitigate,
    untreatedTimeToMitigate: untreatedTtm,
    timeToFirstPage: firstPage(untreated.events),
    score: scored.score,
    failure: commands === null ? null : failureOf(treatedSummary, treated.events, scored.prevented),
    prevented: commands !== null && scored.prevented,
    variation: untreated.variation,
  };
  return { result, reused, scored, session: treated };
}

/**
 * Decides how this worker scores: reuse the untreated run only if, on the check seed, that gives
 * byte-for-byte the grade and durations scoreLog gives. Every worker checks the same seed, so all
 * of them decide alike and results never depend on which worker ran a seed.
 */
export function chooseScoringMode(job: ExploreJob): ScoringMode {
  const fast = exploreSeedScored(job, job.checkSeed, 'reuse-untreated');
  if (!fast.reused) return 'scoreLog';
  const full = scoreFull(fast.session, fast.session.events);
  return full.fingerprint === fast.scored.fingerprint ? 'reuse-untreated' : 'scoreLog';
}

/** Main thread → worker. */
export type ToWorker = { type: 'run'; seeds: number[] };
/** Worker → main thread. */
export type FromWorker = { type: 'ready'; mode: ScoringMode } | { type: 'done'; results: SeedResult[] } | { type: 'error'; message: string };

if (!isMainThread && parentPort && (workerData as { kind?: string } | null)?.kind === 'sevdrill-explore') {
  const port = parentPort;
  const job = (workerData as { job: ExploreJob }).job;
  try {
    const mode = chooseScoringMode(job);
    port.postMessage({ type: 'ready', mode } satisfies FromWorker);
    port.on('message', (msg: ToWorker) => {
      try {
        const results = msg.seeds.map((seed) => exploreSeed(job, seed, mode));
        port.postMessage({ type: 'done', results } satisfies FromWorker);
      } catch (error) {
        port.postMessage({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies FromWorker);
      }
    });
  } catch (error) {
    port.postMessage({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies FromWorker);
  }
}
