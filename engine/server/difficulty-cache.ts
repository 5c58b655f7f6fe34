/**
 * Creating a drill by difficulty (issue 11). For each scenario of the catalog that has a reference
 * plan, the server explores seeds 1..N in the background, as `sevdrill explore` does (each seed with
 * the plan and untreated, on a worker thread: engine/cli/explore.ts), and keeps each seed's rating
 * (easy, typical or hard, relative to the other seeds). A drill asked for by difficulty gets a seed of
 * that rating, the seeds of a rating taking turns.
 *
 * - Never on the drills' event loop: the simulations run on `workers` threads (one by default), one
 *   scenario at a time, so live drills keep the other cores. The main thread only keeps count.
 * - Keyed by everything that decides the ratings: the scenario's hash (as in a log header), its plan's
 *   hash, the engine and rating code (DIFFICULTY_CACHE_VERSION), the Node major (logs are identical
 *   within one) and N. Kept in memory and in the store, so a restart explores nothing it already has.
 * - It follows the catalog: a scenario that changed is explored again (its plan is read again then
 *   too), one withdrawn is dropped, and an explore under way for a version no longer offered is stopped.
 * - Never a silent fallback: until a scenario's explore is ready, asking for a difficulty is an error.
 */
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { explore, type ExploreOptions, type ExploreReport } from '../cli/explore.ts';
import { ENGINE_VERSION } from '../core/log/version.ts';
import { canonicalJson, hashString } from '../protocol/hash.ts';
import { DIFFICULTIES, type Difficulty, type ScenarioDifficulty } from '../protocol/messages.ts';
import type { PlanCommand } from '../protocol/commands.ts';
import type { ScenarioSpec } from '../protocol/scenario.ts';
import { formatDiagnostic, hasErrors } from '../scenario/diagnostics.ts';
import { loadPlanText } from '../scenario/plan.ts';
import type { ScenarioSource } from './catalog.ts';
import type { Logger } from './logger.ts';
import type { CachedDifficulty, RatedSeed, Store } from './store.ts';

/** Bump when the ratings change for the same scenario, plan and engine (engine/cli/difficulty.ts, explore's runs). */
const DIFFICULTY_CACHE_VERSION = 1;

/** Runs an explore: `explore` itself, or a stand-in in tests. */
export type Explorer = (options: ExploreOptions) => Promise<Pick<ExploreReport, 'perSeed'>>;

export interface DifficultyOptions {
  /** Seeds 1..seeds are explored; 0 explores nothing. */
  seeds: number;
  workers: number;
  nodeMajor: string;
  explorer?: Explorer;
}

/** The seed picked for a difficulty, or why none can be (the HTTP status is the caller's: see SEED_CHOICE_STATUS). */
export type SeedChoice = { ok: true; seed: number } | { ok: false; code: SeedChoiceError; message: string };
export type SeedChoiceError = 'difficulty-not-ready' | 'difficulty-unavailable' | 'difficulty-empty';

/** Not ready is a moment's wait (503, with Retry-After); the other two hold until the scenario changes (409). */
export const SEED_CHOICE_STATUS: Record<SeedChoiceError, number> = { 'difficulty-not-ready': 503, 'difficulty-unavailable': 409, 'difficulty-empty': 409 };

/** The seeds of a scenario a drill can be asked for by: what the registry needs. */
export interface SeedPicker {
  pick(scenario: ScenarioSpec, difficulty: Difficulty): SeedChoice;
}

interface Job {
  commands: PlanCommand[];
  scenarioHash: string;
  planHash: string;
}

interface Entry {
  /** The catalog's object this entry is for: a drill is created from that very object. */
  scenario: ScenarioSpec;
  status: ScenarioDifficulty['status'];
  done: number;
  reason: string | null;
  /** What to explore; null when unavailable. */
  job: Job | null;
  /** Once ready: the seeds of each rating, in seed order. */
  byRating: Record<Difficulty, number[]> | null;
  /** Where each rating's turn is: the next seed handed out is byRating[r][turn[r] % length]. */
  turn: Record<Difficulty, number>;
  abort: AbortController | null;
}

/** Where a scenario's reference plan may be: in `plans/` beside it (as shipped), or beside it. */
function planCandidates(source: ScenarioSource): string[] {
  const dir = dirname(source.path);
  const id = source.scenario.id;
  const names = ['yaml', 'yml', 'json'].map((ext) => `${id}.plan.${ext}`);
  return [...names.map((n) => join(dir, 'plans', n)), ...names.map((n) => join(dir, n))];
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';

export class DifficultyCache implements SeedPicker {
  private readonly entries = new Map<string, Entry>();
  private readonly version: string;
  private readonly explorer: Explorer;
  /** The entry being explored now, if any: one at a time. */
  private running: { entry: Entry; done: Promise<void> } | null = null;
  /** Bumped by each reconcile: a slower, older one must not overwrite a newer one's entries. */
  private generation = 0;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly sources: () => ScenarioSource[],
    private readonly logger: Logger,
    private readonly options: DifficultyOptions,
  ) {
    this.version = `${ENGINE_VERSION}/${DIFFICULTY_CACHE_VERSION}/node${options.nodeMajor}`;
    this.explorer = options.explorer ?? explore;
  }

  /** Brings the entries up to the catalog's scenarios, and starts exploring what is missing. Call at start and after each catalog change. */
  async reconcile(): Promise<void> {
    try {
      await this.update();
    } catch (error) {
      if (!this.closed) this.logger.error({ err: error }, 'updating the difficulty ratings to the scenario catalog failed');
    }
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const sources = this.sources();
    const fresh = await Promise.all(sources.map(async (source) => (this.entries.get(source.scenario.id)?.scenario === source.scenario ? null : this.entryFor(source))));
    if (this.closed || generation !== this.generation) return;
    const offered = new Set(sources.map((s) => s.scenario.id));
    for (const [id, entry] of this.entries) {
      if (offered.has(id)) continue;
      entry.abort?.abort(new Error(`scenario ${id} was withdrawn`));
      this.entries.delete(id);
    }
    sources.forEach((source, i) => {
      const entry = fresh[i];
      if (!entry) return;
      this.entries.get(source.scenario.id)?.abort?.abort(new Error(`scenario ${source.scenario.id} changed`));
      this.entries.set(source.scenario.id, entry);
    });
    this.pump();
  }

  /** Where a scenario's explore stands, for the lobby. A scenario the catalog has only just offered waits for the next reconcile: pending. */
  status(scenarioId: string): ScenarioDifficulty {
    const entry = this.entries.get(scenarioId);
    if (!entry) return { status: 'pending', seeds: this.options.seeds, done: 0, counts: null, reason: null };
    const counts = entry.byRating && { easy: entry.byRating.easy.length, typical: entry.byRating.typical.length, hard: entry.byRating.hard.length };
    return { status: entry.status, seeds: this.options.seeds, done: entry.done, counts, reason: entry.reason };
  }

  pick(scenario: ScenarioSpec, difficulty: Difficulty): SeedChoice {
    const entry = this.entries.get(scenario.id);
    const n = this.options.seeds;
    // An entry for another version of the scenario is a version that is about to be explored again.
    if (!entry || entry.scenario !== scenario || entry.status === 'pending' || entry.status === 'computing') {
      const progress = entry?.scenario === scenario && entry.status === 'computing' ? `${entry.done} of ${n} seeds rated` : 'waiting its turn';
      return { ok: false, code: 'difficulty-not-ready', message: `the seeds of "${scenario.id}" are still being rated by difficulty (${progress}); try again in a moment, or give a seed` };
    }
    if (!entry.byRating) return { ok: false, code: 'difficulty-unavailable', message: `drills of "${scenario.id}" cannot be created by difficulty: ${entry.reason ?? 'no ratings'}; give a seed` };
    const seeds = entry.byRating[difficulty];
    if (seeds.length === 0) return { ok: false, code: 'difficulty-empty', message: `none of the ${n} seeds explored of "${scenario.id}" is rated ${difficulty}; pick another difficulty, or give a seed` };
    const seed = seeds[entry.turn[difficulty] % seeds.length] as number;
    entry.turn[difficulty]++;
    return { ok: true, seed };
  }

  /** Stops an explore under way (its worker threads end) and waits for it. */
  async close(): Promise<void> {
    this.closed = true;
    const running = this.running;
    running?.entry.abort?.abort(new Error('the server is closing'));
    await running?.done;
  }

  /** A new entry for a scenario the catalog offers: ready from the store, pending, or unavailable with the reason. */
  private async entryFor(source: ScenarioSource): Promise<Entry> {
    const { scenario } = source;
    const entry: Entry = { scenario, status: 'unavailable', done: 0, reason: null, job: null, byRating: null, turn: { easy: 0, typical: 0, hard: 0 }, abort: null };
    if (this.options.seeds === 0) return { ...entry, reason: 'this server rates no seeds (SEVDRILL_DIFFICULTY_SEEDS=0)' };
    const plan = await this.readPlan(source);
    if (!plan.ok) return { ...entry, reason: plan.reason };
    const job: Job = { commands: plan.commands, scenarioHash: hashString(canonicalJson(scenario)), planHash: hashString(canonicalJson(plan.commands)) };
    const stored = this.closed ? undefined : this.store.cachedDifficulty(scenario.id);
    if (stored && this.holds(stored, job)) return { ...entry, job, ...rated(stored.ratings) };
    return { ...entry, status: 'pending', job };
  }

  private holds(stored: CachedDifficulty, job: Job): boolean {
    return stored.scenarioHash === job.scenarioHash && stored.planHash === job.planHash && stored.version === this.version && stored.seeds === this.options.seeds;
  }

  /** The first reference plan found beside the scenario, checked against it as `sevdrill validate` would. */
  private async readPlan(source: ScenarioSource): Promise<{ ok: true; commands: PlanCommand[] } | { ok: false; reason: string }> {
    for (const path of planCandidates(source)) {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if (isMissing(error)) continue;
        return { ok: false, reason: `its reference plan ${basename(path)} cannot be read (${(error as Error).message})` };
      }
      const loaded = loadPlanText(text, path, { scenario: source.scenario });
      if (!loaded.ok || hasErrors(loaded.diagnostics)) {
        const first = loaded.diagnostics.find((d) => d.severity === 'error');
        return { ok: false, reason: `its reference plan ${basename(path)} has errors${first ? ` (${formatDiagnostic(first)})` : ''}` };
      }
      if (loaded.plan.scenario !== undefined && loaded.plan.scenario !== source.scenario.id) {
        return { ok: false, reason: `its reference plan ${basename(path)} is for scenario "${loaded.plan.scenario}"` };
      }
      return { ok: true, commands: loaded.plan.commands };
    }
    return { ok: false, reason: `it has no reference plan (plans/${source.scenario.id}.plan.yaml beside the scenario file)` };
  }

  /** Starts exploring the first pending scenario, if nothing is being explored. */
  private pump(): void {
    if (this.running || this.closed) return;
    const entry = [...this.entries.values()].find((e) => e.status === 'pending');
    if (!entry) return;
    const done = this.compute(entry).finally(() => {
      this.running = null;
      this.pump();
    });
    this.running = { entry, done };
  }

  private async compute(entry: Entry): Promise<void> {
    const job = entry.job as Job;
    const { scenario } = entry;
    const seeds = this.options.seeds;
    const abort = new AbortController();
    entry.abort = abort;
    entry.status = 'computing';
    const started = performance.now();
    const current = () => this.entries.get(scenario.id) === entry && !this.closed;
    try {
      const report = await this.explorer({
        scenario,
        commands: job.commands,
        fromSeed: 1,
        count: seeds,
        workers: this.options.workers,
        onProgress: (done) => (entry.done = done),
        signal: abort.signal,
      });
      if (!current()) return;
      const ratings: RatedSeed[] = report.perSeed.map((p) => ({ seed: p.seed, rating: p.rating, difficulty: p.difficulty }));
      this.store.saveDifficulty({ scenarioId: scenario.id, ...job, version: this.version, seeds, ratings }, new Date());
      Object.assign(entry, rated(ratings), { abort: null });
      const counts = DIFFICULTIES.map((d) => `${d} ${entry.byRating?.[d].length ?? 0}`).join(', ');
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      this.logger.info({ scenarioId: scenario.id, seeds, seconds: Number(seconds) }, `rated ${seeds} seeds of ${scenario.id} by difficulty in ${seconds} s (${counts})`);
    } catch (error) {
      if (abort.signal.aborted) return;
      entry.abort = null;
      if (!current()) return;
      entry.status = 'unavailable';
      entry.reason = 'exploring its seeds failed (see the server log); it is tried again when the scenario changes or the server restarts';
      this.logger.error({ err: error, scenarioId: scenario.id }, `rating the seeds of ${scenario.id} by difficulty failed`);
    }
  }
}

/** An entry's fields once its seeds are rated. */
function rated(ratings: readonly RatedSeed[]): Pick<Entry, 'status' | 'done' | 'byRating' | 'turn'> {
  const byRating = Object.fromEntries(DIFFICULTIES.map((d) => [d, ratings.filter((r) => r.rating === d).map((r) => r.seed)])) as Record<Difficulty, number[]>;
  // Each rating's turns start at a random one of its seeds, so that a restart does not hand out the same seeds first again.
  const turn = Object.fromEntries(DIFFICULTIES.map((d) => [d, byRating[d].length > 0 ? randomInt(byRating[d].length) : 0])) as Record<Difficulty, number>;
  return { status: 'ready', done: ratings.length, byRating, turn };
}
