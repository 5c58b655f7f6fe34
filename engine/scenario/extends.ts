/**
 * `extends: <id>`: a scenario file built on another scenario in its directory, so that a second scenario
 * of the same system reuses its services, journeys, alerts and actions instead of copying them.
 *
 * The merge is wholesale by top-level key: the derived file's keys replace the base's (a list is
 * replaced, never merged), every other key of the base is inherited. One level only, so that what a
 * file means can be read from two files at most. `extends` is a feature of scenario *files*: it is
 * resolved here, on plain data, before the schema sees it, so a loaded scenario never carries it.
 *
 * Pure: the caller hands in a resolver that reads the base (engine/scenario does no I/O).
 */
import { didYouMean, quote, readError, type Diagnostic, type PathSegment } from './diagnostics.ts';
import { ID_PATTERN } from '../protocol/scenario.ts';
import { makeLocator, parseYaml, type Locator } from './yaml-positions.ts';

/** The base file's text and its name as diagnostics show it; or why it could not be read; null: there is none. */
export type ResolvedBase = { text: string; file: string } | { file: string; problem: string } | null;

/** Finds a scenario's base by its id. `ids` (optional) names the scenarios there, for a did-you-mean. */
export interface ScenarioResolver {
  (id: string): ResolvedBase;
  ids?: () => string[];
}

/** The only I/O a sibling resolver needs; both functions throw Node's errors (ENOENT when missing). */
export interface FileAccess {
  readFile(path: string): string;
  readDir(path: string): string[];
}

/** The extensions a base file may have, in the order they are tried. */
const EXTENSIONS = ['.yaml', '.yml', '.json'];
const SCENARIO_NAME = /^([a-z][a-z0-9-]*)\.(ya?ml|json)$/;

/**
 * The resolver every caller uses: `<id>.yaml`, `.yml` or `.json` in the directory of `file`, named as
 * `file` is (relative stays relative), so the base's diagnostics read like the derived file's.
 */
export function siblingResolver(file: string, fs: FileAccess): ScenarioResolver {
  const dir = file.slice(0, Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const resolve: ScenarioResolver = (id) => {
    // An id is never a path: `extends: ../../etc/passwd` must not read outside the directory.
    if (!ID_PATTERN.test(id)) return null;
    for (const extension of EXTENSIONS) {
      const path = `${dir}${id}${extension}`;
      try {
        return { text: fs.readFile(path), file: path };
      } catch (error) {
        if ((error as { code?: unknown } | null)?.code !== 'ENOENT') return { file: path, problem: readError(error) };
      }
    }
    return null;
  };
  resolve.ids = () => {
    try {
      return fs.readDir(dir === '' ? '.' : dir).flatMap((name) => SCENARIO_NAME.exec(name)?.[1] ?? []);
    } catch {
      return [];
    }
  };
  return resolve;
}

export type BuildOnBase =
  | { ok: true; value: Record<string, unknown>; locator: Locator; baseFile: string }
  | { ok: false; diagnostics: Diagnostic[] };

/**
 * The derived file's data merged over its base's, with a locator that points into whichever file holds
 * each top-level key; or the problems, each at the derived file's `extends` (plus the base's own syntax
 * errors, in the base file).
 */
export function buildOnBase(derived: Record<string, unknown>, locator: Locator, resolve: ScenarioResolver | undefined): BuildOnBase {
  const fail = (message: string, more: Diagnostic[] = []): BuildOnBase => ({
    ok: false,
    diagnostics: [locator.diagnostic(['extends'], message, 'error'), ...more],
  });
  const id = derived.extends;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    return fail('extends names the scenario this one is built on: its id, such as "retail-sev1"');
  }
  if (resolve === undefined) {
    return fail(`extends needs the scenario directory; this file was checked on its own, so base scenario ${quote(id)} cannot be found (check it with \`sevdrill validate <file>\`)`);
  }
  const own = derived.id;
  if (own === undefined || own === null) return fail(`a scenario that extends another must set its own id (it would otherwise be ${quote(id)} twice)`);
  if (own === id) return fail(`this scenario's id is ${quote(id)}, the id of the scenario it extends: give it an id of its own`);

  const found = resolve(id);
  if (found === null) {
    const hint = didYouMean(id, (resolve.ids?.() ?? []).filter((known) => known !== own));
    return fail(`unknown base scenario ${quote(id)}: there is no ${id}.yaml (or .yml, .json) in this file's directory${hint}`);
  }
  if ('problem' in found) return fail(`base scenario ${quote(id)} cannot be read (${found.file}: ${found.problem})`);
  const parsed = parseYaml(found.text, found.file);
  if (!parsed.ok) {
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    return fail(`base scenario ${quote(id)} has errors (${found.file}): fix it first`, errors);
  }
  const base = parsed.parsed.value;
  if (!isMapping(base)) return fail(`base scenario ${quote(id)} (${found.file}) is not a mapping of fields`);
  if (Object.hasOwn(base, 'extends')) {
    const further = typeof base.extends === 'string' ? quote(base.extends) : 'another';
    return fail(`${typeof own === 'string' ? quote(own) : 'this scenario'} extends ${quote(id)}, which extends ${further}; only one level of extends is allowed`);
  }
  if (base.id !== id) {
    const is = typeof base.id === 'string' ? `is scenario ${quote(base.id)}` : 'has no id';
    return fail(`${found.file} ${is}, not ${quote(id)}: a base is found by its file name and must have that id`);
  }

  // `$schema` names the editor schema of the base file, and `extends` is this file's, not data.
  const { $schema: _schema, ...inheritable } = base;
  const { extends: _extends, ...ownFields } = derived;
  const inherited = new Set(Object.keys(inheritable).filter((key) => !Object.hasOwn(ownFields, key)));
  return {
    ok: true,
    value: { ...inheritable, ...ownFields },
    locator: pickLocator(locator, makeLocator(found.file, parsed.parsed), inherited),
    baseFile: found.file,
  };
}

/** A problem whose path starts with an inherited key is in the base file; every other is in the derived one. */
function pickLocator(derived: Locator, base: Locator, inherited: ReadonlySet<string>): Locator {
  const pick = (path: readonly PathSegment[]) => (path.length > 0 && inherited.has(String(path[0])) ? base : derived);
  return {
    position: (path, pointAt) => pick(path).position(path, pointAt),
    diagnostic: (path, message, severity, pointAt) => pick(path).diagnostic(path, message, severity, pointAt),
  };
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
