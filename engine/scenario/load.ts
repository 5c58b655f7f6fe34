/**
 * Scenario text → a validated scenario, or every problem in it with its line and column.
 * Three stages, each only if the one before passed (later stages need the earlier ones' guarantees):
 * YAML syntax, then the schema, then semantic lint.
 * Reading the file is the caller's job: engine/scenario does no I/O.
 */
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.ts';
import { lintSpec } from './lint-vary.ts';
import { scenarioSchema, type ScenarioSpec } from '../protocol/scenario.ts';
import { crashDiagnostic, makeLocator, parseYaml } from './yaml-positions.ts';
import { checkSchema } from './zod-issues.ts';

export type LoadScenarioResult =
  | { ok: true; scenario: ScenarioSpec; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

/** Never throws: anything unexpected becomes a diagnostic at 1:1. */
export function loadScenarioText(text: string, file: string): LoadScenarioResult {
  try {
    return load(text, file);
  } catch (error) {
    return { ok: false, diagnostics: [crashDiagnostic(String(file), error)] };
  }
}

function load(text: string, file: string): LoadScenarioResult {
  if (typeof text !== 'string') return { ok: false, diagnostics: [crashDiagnostic(file, new TypeError('not text'))] };
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return { ok: false, diagnostics: sortDiagnostics(parsed.diagnostics) };
  const locator = makeLocator(file, parsed.parsed);
  const checked = checkSchema(scenarioSchema, parsed.parsed.value, locator);
  if (!checked.ok) return { ok: false, diagnostics: sortDiagnostics([...parsed.diagnostics, ...checked.diagnostics]) };
  const lint = lintSpec(checked.data).map((issue) => locator.diagnostic(issue.path, issue.message, issue.severity));
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...lint]);
  return hasErrors(diagnostics) ? { ok: false, diagnostics } : { ok: true, scenario: checked.data, diagnostics };
}
