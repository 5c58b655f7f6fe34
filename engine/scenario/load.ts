/**
 * Scenario text → a validated scenario, or every problem in it with its line and column.
 * Three stages, each only if the one before passed (later stages need the earlier ones' guarantees):
 * YAML syntax, then the schema, then semantic lint. A file that `extends` a base is merged with it
 * between the first two (extends.ts), and each later problem is reported in the file that holds it.
 * Reading files is the caller's job: engine/scenario does no I/O, so a base is found through `resolve`.
 */
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.ts';
import { buildOnBase, isMapping, type ScenarioResolver } from './extends.ts';
import { lintSpec } from './lint-vary.ts';
import { ID_PATTERN, scenarioSchema, type ScenarioSpec } from '../protocol/scenario.ts';
import { crashDiagnostic, makeLocator, parseYaml, type Locator } from './yaml-positions.ts';
import { checkSchema } from './zod-issues.ts';

/**
 * `extends`: the id of the scenario the file is built on, when it names one (whether or not it was
 * found), so that a caller watching files can check it again when that file changes.
 */
export type LoadScenarioResult =
  | { ok: true; scenario: ScenarioSpec; diagnostics: Diagnostic[]; extends?: string }
  | { ok: false; diagnostics: Diagnostic[]; extends?: string };

/** Never throws: anything unexpected becomes a diagnostic at 1:1. Without `resolve`, a file that extends another is an error. */
export function loadScenarioText(text: string, file: string, resolve?: ScenarioResolver): LoadScenarioResult {
  try {
    return load(text, file, resolve);
  } catch (error) {
    return { ok: false, diagnostics: [crashDiagnostic(String(file), error)] };
  }
}

function load(text: string, file: string, resolve: ScenarioResolver | undefined): LoadScenarioResult {
  if (typeof text !== 'string') return { ok: false, diagnostics: [crashDiagnostic(file, new TypeError('not text'))] };
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return { ok: false, diagnostics: sortDiagnostics(parsed.diagnostics) };
  const own = makeLocator(file, parsed.parsed);
  let value = parsed.parsed.value;
  let locator: Locator = own;
  let baseFile: string | undefined;
  const named = isMapping(value) && typeof value.extends === 'string' && ID_PATTERN.test(value.extends) ? { extends: value.extends } : {};
  if (isMapping(value) && Object.hasOwn(value, 'extends')) {
    const built = buildOnBase(value, own, resolve);
    if (!built.ok) return { ok: false, diagnostics: ordered(file, [...parsed.diagnostics, ...built.diagnostics]), ...named };
    ({ value, locator, baseFile } = built);
  }
  const finish = (found: Diagnostic[]) => ordered(file, [...parsed.diagnostics, ...found, ...inheritedErrors(found, own, baseFile)]);
  const checked = checkSchema(scenarioSchema, value, locator);
  if (!checked.ok) return { ok: false, diagnostics: finish(checked.diagnostics), ...named };
  const lint = lintSpec(checked.data).map((issue) => locator.diagnostic(issue.path, issue.message, issue.severity));
  const diagnostics = finish(lint);
  return hasErrors(diagnostics) ? { ok: false, diagnostics, ...named } : { ok: true, scenario: checked.data, diagnostics, ...named };
}

/**
 * Errors in what a file inherits are reported in the base file; one more at `extends` says so in this
 * file, so that an editor showing only this file's problems does not show a broken file as clean.
 */
function inheritedErrors(found: readonly Diagnostic[], own: Locator, baseFile: string | undefined): Diagnostic[] {
  if (baseFile === undefined || !found.some((d) => d.file === baseFile && d.severity === 'error')) return [];
  return [own.diagnostic(['extends'], `the fields this scenario inherits from ${baseFile} have errors (reported in that file)`, 'error')];
}

/** This file's problems first, then the base's, each by position. */
function ordered(file: string, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...sortDiagnostics(diagnostics.filter((d) => d.file === file)), ...sortDiagnostics(diagnostics.filter((d) => d.file !== file))];
}
