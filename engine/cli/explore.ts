/**
 * `sevdrill explore <scenario> [--seeds N] [--plan plan.yaml] [--workers N] [--from-seed S] [--json]`
 *
 * Runs a scenario headless over many seeds, in parallel on worker threads, each seed with the plan and
 * untreated, and reports how the outcome is distributed: impact, time to mitigate, score, and the seeds
 * where the plan failed. Results are gathered by seed, never by completion order, so the same arguments
 * always print the same numbers (only the wall time and runs/s differ).
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { PlanCommand } from '../protocol/commands.ts';
import { formatCount, formatMoney } from '../protocol/format.ts';
import type { ScenarioSpec } from '../protocol/scenario.ts';
import { describeVariation, type Variation } from '../protocol/varied.ts';
import type { ExploreJob, FromWorker, RunImpact, ScoringMode, SeedResult, ToWorker } from './explore-worker.ts';
import { distribution, histogramBins, renderHistogram, type Bin, type Distribution } from './histogram.ts';
import { EXIT_INVALID, EXIT_OK, UsageError, paint, onePositional, parseCli, readPlanFile, readScenarioFile, useColor } from './io.ts';
import { createProgress } from './progress.ts';
import { namedSeeds, rateSeeds, type Rating, type SeedDifficulty } from './difficulty.ts';

const EXPLORE_HELP = `usage: sevdrill explore <scenario> [--seeds N] [--plan plan.yaml] [--workers N] [--from-seed S] [--json]

Runs the scenario headless for seeds S, S+1, …, S+N−1, in parallel, each seed twice: with the plan and
untreated (nobody responding). Prints the distribution (min, p10, p50, p90, p99, max, mean) of the
impact with and without the plan, of the time to mitigate and of the plan run's score; histograms of the
score and the time to mitigate; and the seeds where the plan failed (the incident was not resolved,
impact was still ongoing at the end, or a plan command was rejected). Each seed is rated by difficulty:
the mean of the percentiles of its untreated loss and of the plan's time to mitigate (never mitigated is
the longest), easy below a third, hard above two thirds; the easiest, median and hardest seeds are
named, and --json lists every seed. The same arguments always give the same numbers. Without --plan,
each seed is run once, untreated, and that run is scored (and rated by its loss alone).

  --seeds N         how many seeds to run (default 100)
  --from-seed S     the first seed (default 1)
  --plan FILE       a plan of timed commands (see scenarios/plans/*.plan.yaml)
  --workers N       worker threads (default: the available parallelism, here ${defaultWorkers()})
  --json            print one JSON object with every figure on stdout

Progress goes to stderr: a bar on a terminal, otherwise a line every 10%.
exit codes: 0 ok (even if the plan failed on some seeds), 1 the scenario or plan failed its check, 2 usage error
`;

const MAX_SEED = 2 ** 31 - 1;
const MAX_SEEDS = 1_000_000;
const MAX_WORKERS = 256;
/** Failed seeds listed in the report. */
const FAILURES_SHOWN = 20;

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export interface ExploreOptions {
  scenario: ScenarioSpec;
  /** null: no plan. */
  commands: PlanCommand[] | null;
  /** The plan's file, as given (only reported). */
  planFile?: string | null;
  fromSeed: number;
  count: number;
  workers: number;
  /** Called with the number of seeds done so far. */
  onProgress?: (done: number) => void;
  /** Stops the workers and rejects with the signal's reason: the server drops a scenario that changed or closes. */
  signal?: AbortSignal;
}

export interface ImpactStats {
  lostRevenue: Distribution | null;
  failedRequests: Distribution | null;
  /** Minutes out of SLO, summed over journeys. */
  minutesOutOfSlo: Distribution | null;
  /** Seeds whose run still had a journey out of SLO at the end. */
  ongoingAtEnd: number;
}

export interface MitigationStats {
  /** Over the seeds where impact ended; simulated ms. */
  distribution: Distribution | null;
  /** Seeds where impact never ended (or never started). */
  never: number;
}

export interface ExploreReport {
  scenario: string;
  title: string;
  plan: string | null;
  seeds: { from: number; count: number };
  workers: number;
  /** Simulations: seeds × 2 with a plan, seeds × 1 without. */
  runs: number;
  /** How scores were computed: reusing the untreated run as scoreLog's twin, or scoreLog itself. */
  scoring: ScoringMode;
  impact: { plan: ImpactStats | null; untreated: ImpactStats };
  timeToMitigateMs: { plan: MitigationStats | null; untreated: MitigationStats };
  /** Seeds where the plan stopped the incident before it began (not counted in the plan's time to mitigate); null without a plan. */
  prevented: number | null;
  /** When the first page fired, over the seeds (untreated: the system alone decides it); `never`: seeds with no page. */
  timeToFirstPageMs: MitigationStats;
  /** The plan run's score, or the untreated run's without a plan. */
  score: Distribution | null;
  histograms: { score: Bin[]; timeToMitigateMin: { bins: Bin[]; never: number } };
  /** null without a plan. */
  failures: { count: number; seeds: { seed: number; reasons: string[] }[] } | null;
  /** How many seeds are rated easy, typical and hard (difficulty.ts), and which are the easiest, median and hardest. */
  difficulty: { easy: number; typical: number; hard: number; easiest: number; median: number; hardest: number } | null;
  /** Every seed, in seed order: its times, score, outcome and difficulty. */
  perSeed: PerSeed[];
  timing: { wallSec: number; runsPerSec: number };
}

export interface PerSeed extends Omit<SeedDifficulty, 'seed'> {
  seed: number;
  /** When the first page fired (untreated run); null: never. Simulated ms. */
  timeToFirstPage: number | null;
  /** The plan run's (or, without a plan, the untreated run's) time to mitigate; null: never. */
  timeToMitigate: number | null;
  score: number;
  untreatedLost: number;
  /** null without a plan. */
  planLost: number | null;
  /** 'resolved' when the plan worked, 'prevented' when it stopped the incident before it began; otherwise why it failed. null without a plan. */
  outcome: 'resolved' | 'prevented' | string[] | null;
  /** What the seed drew for the scenario's varied fields, by path (durations in ms); empty if nothing varies. */
  variation: Variation;
}

/** Runs every seed on worker threads; results come back ordered by seed. */
async function exploreSeeds(options: ExploreOptions): Promise<{ results: SeedResult[]; scoring: ScoringMode }> {
  const { fromSeed, count } = options;
  const job: ExploreJob = { scenario: options.scenario, commands: options.commands, checkSeed: fromSeed };
  const workerCount = Math.max(1, Math.min(options.workers, count));
  // Small batches keep the workers evenly loaded and the progress smooth; big enough to amortise messages.
  const batch = Math.max(1, Math.min(25, Math.ceil(count / (workerCount * 10))));
  const results: (SeedResult | undefined)[] = new Array(count);
  let next = 0;
  let done = 0;
  const modes = new Set<ScoringMode>();
  const workers: Worker[] = [];
  const { signal } = options;
  let onAbort: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      if (signal?.aborted) return fail(signal.reason);
      onAbort = () => fail(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const feed = (worker: Worker) => {
        if (next >= count) return;
        const seeds: number[] = [];
        for (let i = 0; i < batch && next < count; i++, next++) seeds.push(fromSeed + next);
        worker.postMessage({ type: 'run', seeds } satisfies ToWorker);
      };
      for (let w = 0; w < workerCount; w++) {
        const worker = new Worker(new URL('./explore-worker.mjs', import.meta.url), { workerData: { kind: 'sevdrill-explore', job } });
        workers.push(worker);
        worker.on('message', (msg: FromWorker) => {
          if (settled) return;
          if (msg.type === 'error') return fail(new Error(`explore worker failed: ${msg.message}`));
          if (msg.type === 'ready') {
            modes.add(msg.mode);
            return feed(worker);
          }
          for (const r of msg.results) results[r.seed - fromSeed] = r;
          done += msg.results.length;
          options.onProgress?.(done);
          if (done === count) {
            settled = true;
            resolve();
          } else feed(worker);
        });
        worker.on('error', (error) => fail(error));
        worker.on('exit', (code) => {
          if (!settled) fail(new Error(`explore worker exited early (code ${code})`));
        });
      }
    });
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  // Every worker checks the same seed, so they agree; scoreLog wins if one ever did not.
  const scoring: ScoringMode = modes.has('scoreLog') || modes.size === 0 ? 'scoreLog' : 'reuse-untreated';
  return { results: results as SeedResult[], scoring };
}

function impactStats(impacts: readonly RunImpact[]): ImpactStats {
  return {
    lostRevenue: distribution(impacts.map((x) => x.lost), 2),
    failedRequests: distribution(impacts.map((x) => x.failed), 2),
    minutesOutOfSlo: distribution(impacts.map((x) => x.minutesOutOfSlo), 2),
    ongoingAtEnd: impacts.filter((x) => x.ongoingAtEnd).length,
  };
}

function mitigationStats(times: readonly (number | null)[]): MitigationStats {
  const mitigated = times.filter((t): t is number => t !== null);
  return { distribution: distribution(mitigated, 0), never: times.length - mitigated.length };
}

/** Everything the CLI prints, from the per-seed results (in seed order) and the wall time. */
function buildReport(options: ExploreOptions, results: readonly SeedResult[], scoring: ScoringMode, wallMs: number): ExploreReport {
  const withPlan = options.commands !== null;
  const runs = results.length * (withPlan ? 2 : 1);
  const tickMin = options.scenario.tick / 60_000;
  // A prevented incident had nothing to mitigate: it is neither a time nor "never".
  const ttm = results.flatMap((r) => (r.prevented ? [] : [r.timeToMitigate]));
  const prevented = results.filter((r) => r.prevented).length;
  const failed = withPlan ? results.filter((r) => r.failure !== null) : [];
  const wallSec = wallMs / 1000;
  const rated = rateSeeds(results.map((r) => ({ seed: r.seed, untreatedLost: r.untreated.lost, ...(withPlan ? { timeToMitigate: r.timeToMitigate } : {}) })));
  const named = namedSeeds(rated);
  const count = (rating: Rating) => rated.filter((d) => d.rating === rating).length;
  return {
    scenario: options.scenario.id,
    title: options.scenario.title,
    plan: withPlan ? (options.planFile ?? '(plan)') : null,
    seeds: { from: options.fromSeed, count: results.length },
    workers: Math.max(1, Math.min(options.workers, options.count)),
    runs,
    scoring,
    impact: {
      plan: withPlan ? impactStats(results.map((r) => r.plan as RunImpact)) : null,
      untreated: impactStats(results.map((r) => r.untreated)),
    },
    timeToMitigateMs: {
      plan: withPlan ? mitigationStats(ttm) : null,
      untreated: mitigationStats(results.map((r) => r.untreatedTimeToMitigate)),
    },
    prevented: withPlan ? prevented : null,
    timeToFirstPageMs: mitigationStats(results.map((r) => r.timeToFirstPage)),
    score: distribution(results.map((r) => r.score), 2),
    histograms: {
      score: histogramBins(results.map((r) => r.score), { maxBins: 20, minStep: 0.1 }),
      timeToMitigateMin: {
        bins: histogramBins(ttm.filter((t): t is number => t !== null).map((t) => t / 60_000), { maxBins: 20, minStep: tickMin }),
        never: ttm.filter((t) => t === null).length,
      },
    },
    failures: withPlan
      ? { count: failed.length, seeds: failed.slice(0, FAILURES_SHOWN).map((r) => ({ seed: r.seed, reasons: r.failure ?? [] })) }
      : null,
    difficulty: named === null ? null : { easy: count('easy'), typical: count('typical'), hard: count('hard'), ...named },
    perSeed: results.map((r, i) => ({
      ...(rated[i] as SeedDifficulty),
      timeToFirstPage: r.timeToFirstPage,
      timeToMitigate: r.timeToMitigate,
      score: r.score,
      untreatedLost: r.untreated.lost,
      planLost: r.plan?.lost ?? null,
      outcome: withPlan ? (r.failure ?? (r.prevented ? 'prevented' : 'resolved')) : null,
      variation: r.variation,
    })),
    timing: { wallSec: Math.round(wallSec * 1000) / 1000, runsPerSec: wallSec > 0 ? Math.round((runs / wallSec) * 10) / 10 : 0 },
  };
}

/** Runs the seeds and builds the report; what the CLI and the bench call. */
export async function explore(options: ExploreOptions): Promise<ExploreReport> {
  const started = performance.now();
  const { results, scoring } = await exploreSeeds(options);
  return buildReport(options, results, scoring, performance.now() - started);
}

// ---- text output ----

const oneDecimal = (x: number): string => x.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const minutes = (ms: number): string => oneDecimal(ms / 60_000);
const COLUMNS = ['min', 'p10', 'p50', 'p90', 'p99', 'max', 'mean'] as const;

function formatReport(r: ExploreReport, color: boolean): string {
  const bold = (t: string) => paint(color, 1, t);
  const red = (t: string) => paint(color, 31, t);
  const green = (t: string) => paint(color, 32, t);
  const n = r.seeds.count;
  const last = r.seeds.from + n - 1;
  type Row = { metric: string; variant: string; d: Distribution | null; fmt: (x: number) => string };
  const rows: Row[] = [];
  const pair = <T>(metric: string, plan: T | null, untreated: T, pick: (x: T) => Distribution | null, fmt: (x: number) => string) => {
    const list: [string, T][] = plan !== null ? [['with plan', plan], ['untreated', untreated]] : [['untreated', untreated]];
    list.forEach(([variant, v], i) => rows.push({ metric: i === 0 ? metric : '', variant, d: pick(v), fmt }));
  };
  pair('lost revenue', r.impact.plan, r.impact.untreated, (x) => x.lostRevenue, formatMoney);
  pair('failed requests', r.impact.plan, r.impact.untreated, (x) => x.failedRequests, formatCount);
  pair('min out of SLO (Σ journeys)', r.impact.plan, r.impact.untreated, (x) => x.minutesOutOfSlo, oneDecimal);
  rows.push({ metric: 'time to first page (min)', variant: 'untreated', d: r.timeToFirstPageMs.distribution, fmt: minutes });
  pair('time to mitigate (min)', r.timeToMitigateMs.plan, r.timeToMitigateMs.untreated, (x) => x.distribution, minutes);
  rows.push({ metric: 'score (0–100)', variant: r.plan !== null ? 'with plan' : 'untreated', d: r.score, fmt: oneDecimal });

  const cells = rows.map((row) => COLUMNS.map((c) => (row.d === null ? '—' : row.fmt(row.d[c]))));
  const metricWidth = Math.max(...rows.map((row) => row.metric.length));
  const variantWidth = Math.max(...rows.map((row) => row.variant.length));
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (metric: string, variant: string, values: readonly string[]) =>
    `${metric.padEnd(metricWidth)}  ${variant.padEnd(variantWidth)}  ${values.map((v, i) => v.padStart(widths[i] ?? 0)).join('  ')}`.trimEnd();

  const out: string[] = [];
  out.push(
    `${bold(`${r.title}`)}  (scenario ${r.scenario}) — ${formatCount(n)} seeds (${r.seeds.from}–${last}), ` +
      `${r.plan !== null ? `plan ${r.plan}` : 'no plan (untreated only)'}, ${r.workers} worker${r.workers === 1 ? '' : 's'}`,
  );
  out.push('');
  out.push(bold(line('', '', COLUMNS)));
  rows.forEach((row, i) => out.push(line(row.metric, row.variant, cells[i] ?? [])));
  out.push('');
  const of = (k: number) => `${formatCount(k)} of ${formatCount(n)} seeds`;
  if (r.impact.plan !== null && r.timeToMitigateMs.plan !== null) {
    const ongoing = r.impact.plan.ongoingAtEnd;
    out.push(`impact still ongoing at the end: with plan ${(ongoing > 0 ? red : green)(of(ongoing))}, untreated ${of(r.impact.untreated.ongoingAtEnd)}`);
    out.push(`never mitigated: with plan ${of(r.timeToMitigateMs.plan.never)}, untreated ${of(r.timeToMitigateMs.untreated.never)}`);
    if ((r.prevented ?? 0) > 0) out.push(`prevented (the incident never began): with plan ${green(of(r.prevented ?? 0))}`);
  } else {
    out.push(`impact still ongoing at the end: ${of(r.impact.untreated.ongoingAtEnd)}; never mitigated: ${of(r.timeToMitigateMs.untreated.never)}`);
  }
  out.push('');
  const who = r.plan !== null ? 'with plan' : 'untreated';
  out.push(bold(`score (${who})`));
  out.push(...renderHistogram(r.histograms.score, { width: 40, format: oneDecimal }));
  out.push('');
  out.push(bold(`time to mitigate, minutes (${who})`));
  const ttmHist = r.histograms.timeToMitigateMin;
  out.push(...renderHistogram(ttmHist.bins, { width: 40, extra: ttmHist.never > 0 || ttmHist.bins.length === 0 ? [{ label: 'never', count: ttmHist.never }] : [] }));
  out.push('');
  if (r.failures !== null) {
    const f = r.failures;
    if (f.count === 0) out.push(green(`the plan did not fail on any of the ${formatCount(n)} seeds`));
    else {
      out.push(red(`the plan failed on ${of(f.count)}${f.count > f.seeds.length ? ` (first ${f.seeds.length} shown)` : ''}:`));
      for (const s of f.seeds) out.push(`  seed ${s.seed}: ${s.reasons.join('; ')}`);
    }
    out.push('');
  }
  if (r.difficulty !== null) {
    const d = r.difficulty;
    const about = (seed: number) => {
      const p = r.perSeed.find((x) => x.seed === seed);
      if (p === undefined) return `seed ${seed}`;
      const ttm = p.outcome === 'prevented' ? 'prevented' : p.timeToMitigate === null ? 'never mitigated' : `mitigated in ${minutes(p.timeToMitigate)} min`;
      return `seed ${seed} (difficulty ${oneDecimal(p.difficulty)}: untreated ${formatMoney(p.untreatedLost)} lost, ${ttm})`;
    };
    out.push(bold('difficulty') + ` (percentile of untreated loss${r.plan !== null ? ' and of the plan\'s time to mitigate' : ''}; every seed in --json)`);
    out.push(`  ${formatCount(d.easy)} easy, ${formatCount(d.typical)} typical, ${formatCount(d.hard)} hard`);
    for (const [label, seed] of [['easiest', d.easiest], ['median ', d.median], ['hardest', d.hardest]] as const) {
      out.push(`  ${label} ${about(seed)}`);
      const drew = describeVariation(r.perSeed.find((x) => x.seed === seed)?.variation ?? {});
      if (drew !== '') out.push(`          drew ${drew}`);
    }
    out.push('');
  }
  out.push(
    `${formatCount(n)} seeds, ${formatCount(r.runs)} runs in ${r.timing.wallSec.toFixed(1)} s wall: ${oneDecimal(r.timing.runsPerSec)} runs/s ` +
      `(${r.workers} worker${r.workers === 1 ? '' : 's'}; scores ${r.scoring === 'reuse-untreated' ? 'reuse the untreated run as the twin' : 'from scoreLog'})`,
  );
  return `${out.join('\n')}\n`;
}

// ---- CLI ----

function wholeNumber(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const x = Number(text);
  if (text.trim() === '' || !Number.isInteger(x) || x < min || x > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return x;
}

export async function runExplore(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    seeds: { type: 'string' },
    plan: { type: 'string' },
    workers: { type: 'string' },
    'from-seed': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(EXPLORE_HELP);
    return EXIT_OK;
  }
  const file = onePositional(positionals, 'scenario file');
  const seeds = wholeNumber('seeds', values.seeds, 100, 1, MAX_SEEDS);
  const fromSeed = wholeNumber('from-seed', values['from-seed'], 1, 0, MAX_SEED);
  if (fromSeed + seeds - 1 > MAX_SEED) throw new UsageError(`the last seed (--from-seed + --seeds − 1) must be at most ${MAX_SEED}`);
  const workers = wholeNumber('workers', values.workers, defaultWorkers(), 1, MAX_WORKERS);

  const scenario = await readScenarioFile(file);
  if (!scenario) return EXIT_INVALID;
  const plan = values.plan === undefined ? undefined : await readPlanFile(values.plan);
  if (values.plan !== undefined && !plan) return EXIT_INVALID;
  if (plan?.scenario !== undefined && plan.scenario !== scenario.id) {
    process.stderr.write(`${values.plan}: this plan is for scenario "${plan.scenario}", not "${scenario.id}"\n`);
    return EXIT_INVALID;
  }

  const progress = createProgress({ total: seeds, label: 'explore', unit: 'seeds' });
  const options: ExploreOptions = {
    scenario,
    commands: plan?.commands ?? null,
    planFile: values.plan ?? null,
    fromSeed,
    count: seeds,
    workers,
    onProgress: (done) => progress.update(done),
  };
  let report: ExploreReport;
  progress.update(0);
  try {
    report = await explore(options);
  } finally {
    progress.finish();
  }
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(formatReport(report, useColor(process.stdout)));
  return EXIT_OK;
}
