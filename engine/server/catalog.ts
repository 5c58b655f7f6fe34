/**
 * The scenario catalog: every scenario file in the shipped ./scenarios and in the directories
 * SEVDRILL_SCENARIOS adds (config.ts), checked by the same loader as `sevdrill validate`.
 *
 * - A file that does not load is kept with its diagnostics: logged, and listed by `GET /api/scenarios`
 *   (`broken`) so that the lobby shows it under "could not load". Nothing is skipped silently.
 * - A scenario id belongs to its first file, in the order of the directories (the shipped one first)
 *   and then by file name. Every later file with that id is reported as not loaded, with a diagnostic
 *   at its `id` naming the file that holds it: an id means one scenario, since the leaderboard ranks
 *   drills by id, and a shipped scenario can never be replaced by accident.
 * - While the server runs, each directory is watched (fs.watch). After a change and a quiet spell
 *   (`scenarioWatchDebounceMs`) the directory is listed again, and each file whose text changed is
 *   checked again by `load` (on a worker thread in the server, so that a large file cannot stall live
 *   drills); removed files are withdrawn. New drills get the new version; a drill keeps the scenario it
 *   was created with (it is stored with the drill).
 * - Which files count: `*.yaml`, `*.yml` and `*.json` directly in the directory, except `*.schema.json`,
 *   plans (`*.plan.yaml`, …) and hidden files (an editor's lock and swap files).
 * - A file that `extends` another scenario is checked with its base, `<id>.yaml` (`.yml`, `.json`) in the
 *   same directory, read from disk by whoever checks it. Each file remembers the base text it was checked
 *   with, as this catalog read it; when a reading finds that text changed (edited, removed, added), the
 *   file is checked again though its own text did not change. If a check read a newer base than the
 *   catalog had, the watcher's event for that write causes one more check: the result settles on the
 *   files as they are.
 */
import { readFileSync, readdirSync, watch, type Dirent, type FSWatcher } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { formatDiagnostic, readError, type Diagnostic } from '../scenario/diagnostics.ts';
import { siblingResolver, type ScenarioResolver } from '../scenario/extends.ts';
import { loadScenarioText, type LoadScenarioResult } from '../scenario/load.ts';
import { makeLocator, parseYaml } from '../scenario/yaml-positions.ts';
import type { ScenarioSpec } from '../protocol/scenario.ts';
import type { BrokenScenarioFile, ScenarioListing } from '../protocol/messages.ts';
import type { Logger } from './logger.ts';
import type { ValidationPool, ValidationPoolOptions } from './validate-pool.ts';

/**
 * Checks a changed file's text (a base it extends read beside it: siblingsOf). `retry`: the checker
 * cannot take it just now (its queue is full); the directory is listed again a moment later.
 */
export type ScenarioLoader = (text: string, file: string) => Promise<LoadScenarioResult | 'retry'>;

export interface CatalogOptions {
  /** Quiet time (wall ms) after a change before a directory is read again. */
  debounceMs: number;
  /** How changed files are checked; by default loadScenarioText on this thread, as at startup. */
  load?: ScenarioLoader;
}

/**
 * The server's loader for changed files: loadScenarioText on the validation pool's workers, so that a
 * large file cannot stall live drills. A file over the pool's time or memory limit is reported as not
 * loaded, naming the setting (at startup, before the server listens, it is loaded on the main thread);
 * a full queue is tried again later; a worker that fails is replaced by this thread.
 */
export function checkOnWorkers(pool: Pick<ValidationPool, 'validate'>, limits: ValidationPoolOptions, stopping: () => boolean): ScenarioLoader {
  const tooLarge = (file: string, why: string): LoadScenarioResult => ({
    ok: false,
    diagnostics: [{ file, line: 1, col: 1, message: `not checked: ${why}; raise it, or restart the server to load the file at startup`, path: '', severity: 'error' }],
  });
  return async (text, file) => {
    const outcome = await pool.validate(text, file, { siblings: true });
    switch (outcome.kind) {
      case 'done':
        return outcome.result;
      case 'busy':
        return 'retry';
      case 'timeout':
        return tooLarge(file, `checking it took longer than ${limits.timeoutMs} ms (SEVDRILL_VALIDATE_TIMEOUT_MS)`);
      case 'out-of-memory':
        return tooLarge(file, `checking it needed more than ${limits.maxOldGenerationMb} MB (SEVDRILL_VALIDATE_MEMORY_MB)`);
      case 'failed':
        return stopping() ? 'retry' : loadScenarioText(text, file, siblingsOf(file));
    }
  };
}

/** Wait before reading a directory again when the checker was busy. */
const RETRY_MS = 1_000;

const SCENARIO_FILE = /\.(ya?ml|json)$/i;
const NOT_A_SCENARIO = /(\.schema\.json|\.plan\.(ya?ml|json))$/i;

interface Entry {
  name: string;
  /** Where it is on disk: its reference plan is looked for beside it (difficulty-cache.ts). */
  path: string;
  /** The path as logs and the lobby show it (scenarioPath). */
  file: string;
  /** The text checked; null if the file could not be read. */
  text: string | null;
  result: LoadScenarioResult;
  /** For a file that extends another: its base's text as this catalog read it when the file was checked (null: none). */
  baseText?: string | null;
  /** Where its `id` is, once asked for (a duplicate id is reported there). */
  idAt?: { line: number; col: number };
}

interface Held {
  scenario: ScenarioSpec;
  path: string;
  file: string;
}

/** A scenario the catalog offers, and the file it came from. */
export interface ScenarioSource {
  scenario: ScenarioSpec;
  /** The file on disk (absolute, as the directory was given). */
  path: string;
}

export class Catalog {
  /** Per directory (in config order), its scenario files by name. */
  private readonly files: Map<string, Entry>[];
  private scenarios = new Map<string, Held>();
  private brokenFiles: BrokenScenarioFile[] = [];
  private readonly load: ScenarioLoader;
  private readonly watchers: FSWatcher[] = [];
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly scans = new Map<number, Promise<void>>();
  /** Directories changed again while they were being read. */
  private readonly again = new Set<number>();
  /** Directories that could not be listed (reported once until they can be again). */
  private readonly unreadableDirs = new Set<number>();
  private readonly listeners: (() => void)[] = [];
  private closed = false;

  /** Loads every directory now, on this thread (the server has not started listening yet). */
  constructor(
    private readonly dirs: readonly string[],
    private readonly logger: Logger,
    private readonly options: CatalogOptions,
  ) {
    this.load = options.load ?? (async (text, file) => loadScenarioText(text, file, siblingsOf(file)));
    this.files = dirs.map((dir, index) => {
      const reads = new Map<string, Read>();
      for (const name of this.listSync(index)) {
        try {
          reads.set(name, { text: readFileSync(join(dir, name), 'utf8') });
        } catch (error) {
          reads.set(name, { error });
        }
      }
      const entries = new Map<string, Entry>();
      for (const [name, read] of reads) {
        const path = join(dir, name);
        const file = scenarioPath(path);
        if ('error' in read) entries.set(name, { name, path, file, text: null, result: unreadable(file, read.error) });
        else entries.set(name, checkedEntry(name, path, read.text, loadScenarioText(read.text, file, siblingsOf(file)), reads));
      }
      return entries;
    });
    this.update(true);
  }

  get(id: string): ScenarioSpec | undefined {
    return this.scenarios.get(id)?.scenario;
  }

  list(): ScenarioListing[] {
    return [...this.scenarios.values()].map((held) => listing(held.scenario));
  }

  /** Every scenario offered, with its file, in directory order then by file name. */
  sources(): ScenarioSource[] {
    return [...this.scenarios.values()].map(({ scenario, path }) => ({ scenario, path }));
  }

  /** Calls `listener` after each change to the scenarios offered (not at startup: read sources() then). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Files that hold no scenario, with their diagnostics, in directory order then by name. */
  broken(): BrokenScenarioFile[] {
    return this.brokenFiles;
  }

  /** Starts watching every directory for files added, changed or removed. The watchers never keep the process alive. */
  watch(): void {
    this.dirs.forEach((dir, index) => {
      try {
        const watcher = watch(dir, { persistent: false }, () => this.schedule(index, this.options.debounceMs));
        watcher.on('error', (error) => {
          this.logger.warn({ err: error }, `stopped watching the scenario directory ${scenarioPath(dir)}: changes there need a restart`);
          watcher.close();
        });
        this.watchers.push(watcher);
      } catch (error) {
        this.logger.warn({ err: error }, `cannot watch the scenario directory ${scenarioPath(dir)}: changes there need a restart`);
      }
    });
  }

  /** Stops watching; a check under way is dropped when it comes back. */
  close(): void {
    this.closed = true;
    for (const watcher of this.watchers.splice(0)) watcher.close();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(index: number, ms: number): void {
    if (this.closed) return;
    const pending = this.timers.get(index);
    if (pending) clearTimeout(pending);
    const timer = setTimeout(() => {
      this.timers.delete(index);
      void this.rescan(index);
    }, ms);
    timer.unref();
    this.timers.set(index, timer);
  }

  /** One reading of a directory at a time; a change seen meanwhile reads it once more afterwards. */
  private rescan(index: number): Promise<void> {
    const running = this.scans.get(index);
    if (running) {
      this.again.add(index);
      return running;
    }
    const scan = this.scan(index)
      .catch((error: unknown) => this.logger.error({ err: error }, `reading the scenario directory ${scenarioPath(this.dirs[index] ?? '')} failed`))
      .finally(() => {
        this.scans.delete(index);
        if (this.again.delete(index) && !this.closed) void this.rescan(index);
      });
    this.scans.set(index, scan);
    return scan;
  }

  private async scan(index: number): Promise<void> {
    const dir = this.dirs[index] as string;
    const files = this.files[index] as Map<string, Entry>;
    let names: string[];
    try {
      names = scenarioNames(await readdir(dir, { withFileTypes: true }));
      this.unreadableDirs.delete(index);
    } catch (error) {
      names = [];
      this.dirUnreadable(index, error);
    }
    // Every file is read before any is checked: whether a file's base changed needs the new text of both.
    const reads = new Map(await Promise.all(names.map(async (name) => [name, await readText(join(dir, name))] as const)));
    const checked = await Promise.all(
      [...reads].map(async ([name, read]): Promise<{ name: string; entry: Entry | 'retry' } | null> => {
        const path = join(dir, name);
        const file = scenarioPath(path);
        const old = files.get(name);
        if ('error' in read) return old?.text === null ? null : { name, entry: { name, path, file, text: null, result: unreadable(file, read.error) } };
        const baseChanged = old?.result.extends !== undefined && baseText(old.result.extends, reads) !== old.baseText;
        if ((old?.text === read.text && !baseChanged) || this.closed) return null;
        const result = await this.load(read.text, file);
        return { name, entry: result === 'retry' ? 'retry' : checkedEntry(name, path, read.text, result, reads) };
      }),
    );
    if (this.closed) return;
    let changed = false;
    for (const name of [...files.keys()]) {
      if (names.includes(name)) continue;
      files.delete(name);
      changed = true;
    }
    let retry = false;
    for (const outcome of checked) {
      if (outcome === null) continue;
      if (outcome.entry === 'retry') retry = true;
      else {
        files.set(outcome.name, outcome.entry);
        changed = true;
      }
    }
    if (retry) this.schedule(index, RETRY_MS);
    if (changed) this.update(false);
  }

  /** Rebuilds the index from the files and logs what changed. */
  private update(startup: boolean): void {
    const before = this.scenarios;
    const brokenBefore = new Map(this.brokenFiles.map((b) => [b.file, b.messages.join('\n')]));
    const scenarios = new Map<string, Held>();
    const broken: BrokenScenarioFile[] = [];
    for (const files of this.files) {
      for (const entry of [...files.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (!entry.result.ok) {
          broken.push(brokenFile(entry.file, entry.result.diagnostics));
          continue;
        }
        const { scenario } = entry.result;
        const holder = scenarios.get(scenario.id);
        if (holder) {
          broken.push(brokenFile(entry.file, [duplicateId(entry, scenario.id, holder.file)]));
          continue;
        }
        scenarios.set(scenario.id, { scenario, path: entry.path, file: entry.file });
        // Warnings do not stop a file loading, but its author should hear of them, as from `sevdrill validate`.
        const warnings = entry.result.diagnostics.filter((d) => d.severity === 'warning');
        if (startup || before.get(scenario.id)?.scenario !== scenario) for (const d of warnings) this.logger.warn({ scenarioFile: entry.file }, formatDiagnostic(d));
      }
    }
    this.scenarios = scenarios;
    this.brokenFiles = broken;

    for (const b of broken) {
      if (brokenBefore.get(b.file) === b.messages.join('\n')) continue;
      for (const message of b.messages) this.logger.warn({ scenarioFile: b.file, errorCode: 'scenario-invalid' }, message);
      this.logger.warn(
        { scenarioFile: b.file, errorCode: 'scenario-invalid' },
        `scenario file ${b.file} could not be loaded (${count(b.messages.length, 'problem')}); the lobby lists it under "could not load" until it is fixed`,
      );
    }
    if (!startup) for (const listener of this.listeners) listener();
    if (startup) {
      const ids = [...scenarios.keys()].join(', ');
      const dirs = this.dirs.map(scenarioPath).join(', ');
      this.logger.info(
        { scenarios: scenarios.size, broken: broken.length },
        `scenario catalog: ${count(scenarios.size, 'scenario')} (${ids}) from ${dirs}${broken.length > 0 ? `; ${count(broken.length, 'file')} could not be loaded` : ''}`,
      );
      return;
    }
    const keeps = 'drills already created keep the version they started with';
    for (const [id, held] of scenarios) {
      const old = before.get(id);
      if (!old) this.logger.info({ scenarioId: id, scenarioFile: held.file }, `scenario ${id} added (${held.file})`);
      else if (old.scenario !== held.scenario) this.logger.info({ scenarioId: id, scenarioFile: held.file }, `scenario ${id} reloaded from ${held.file}; ${keeps}`);
    }
    for (const [id, held] of before) {
      if (!scenarios.has(id)) this.logger.info({ scenarioId: id, scenarioFile: held.file }, `scenario ${id} withdrawn (${held.file} was removed or no longer loads); ${keeps}`);
    }
  }

  private listSync(index: number): string[] {
    try {
      return scenarioNames(readdirSync(this.dirs[index] as string, { withFileTypes: true }));
    } catch (error) {
      this.dirUnreadable(index, error);
      return [];
    }
  }

  private dirUnreadable(index: number, error: unknown): void {
    if (this.unreadableDirs.has(index)) return;
    this.unreadableDirs.add(index);
    this.logger.warn({ err: error }, `the scenario directory ${scenarioPath(this.dirs[index] ?? '')} cannot be read (${readError(error)}): none of its scenarios are offered until it can`);
  }
}

export function listing(s: ScenarioSpec): ScenarioListing {
  return {
    id: s.id,
    title: s.title,
    briefing: s.briefing,
    services: s.services.map((x) => ({ id: x.id, name: x.name ?? x.id, tier: x.tier })),
    defaultSeed: s.seed,
    duration: s.duration,
  };
}

/**
 * A file's path as the server's logs and the lobby show it: relative to the working directory when it
 * is inside it (as `sevdrill validate` run from there would print it), else absolute.
 */
function scenarioPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

function scenarioNames(entries: Dirent[]): string[] {
  return entries
    .filter((e) => !e.isDirectory() && !e.name.startsWith('.') && SCENARIO_FILE.test(e.name) && !NOT_A_SCENARIO.test(e.name))
    .map((e) => e.name)
    .sort();
}

/** A file's text as one reading of its directory found it, or why it could not be read. */
type Read = { text: string } | { error: unknown };

const readText = (path: string): Promise<Read> => readFile(path, 'utf8').then((text) => ({ text }), (error: unknown) => ({ error }));

/** The extensions a base is looked for with, in the order extends.ts tries them. */
const BASE_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** The text of the base `id` in one reading of a directory: the first of its files there; null if none. */
function baseText(id: string, reads: ReadonlyMap<string, Read>): string | null {
  for (const extension of BASE_EXTENSIONS) {
    const read = reads.get(`${id}${extension}`);
    if (read !== undefined) return 'text' in read ? read.text : null;
  }
  return null;
}

/** An entry for a checked file, remembering the base text it was checked with. */
function checkedEntry(name: string, path: string, text: string, result: LoadScenarioResult, reads: ReadonlyMap<string, Read>): Entry {
  const entry: Entry = { name, path, file: scenarioPath(path), text, result };
  if (result.extends !== undefined) entry.baseText = baseText(result.extends, reads);
  return entry;
}

/**
 * Finds the base of a file that `extends` another, beside it on disk: read by the file's shown path,
 * which is relative to the working directory the server (and its worker threads) share, so that the
 * base's diagnostics name it as the catalog names files.
 */
export function siblingsOf(file: string): ScenarioResolver {
  return siblingResolver(file, { readFile: (path) => readFileSync(path, 'utf8'), readDir: (path) => readdirSync(path) });
}

function brokenFile(file: string, diagnostics: Diagnostic[]): BrokenScenarioFile {
  return { file, messages: diagnostics.map((d) => formatDiagnostic(d)), diagnostics };
}

/** The diagnostic of a second file with an id already taken, at its `id`. */
function duplicateId(entry: Entry, id: string, holder: string): Diagnostic {
  if (!entry.idAt) {
    entry.idAt = { line: 1, col: 1 };
    const parsed = entry.text === null ? null : parseYaml(entry.text, entry.file);
    if (parsed?.ok) {
      const at = makeLocator(entry.file, parsed.parsed).diagnostic(['id'], '', 'error');
      entry.idAt = { line: at.line, col: at.col };
    }
  }
  return {
    file: entry.file,
    ...entry.idAt,
    message: `scenario id ${JSON.stringify(id)} is already taken by ${holder}; give this scenario an id of its own`,
    path: 'id',
    severity: 'error',
  };
}

function unreadable(file: string, error: unknown): LoadScenarioResult {
  return { ok: false, diagnostics: [{ file, line: 1, col: 1, message: `cannot read file: ${readError(error)}`, path: '', severity: 'error' }] };
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
