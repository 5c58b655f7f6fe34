/**
 * `sevdrill validate <files...> [--json]`: checks scenario and plan files without running them,
 * for authors (diagnostics an editor can jump to) and for CI (exit code, or JSON with --json).
 *
 * A plan is also checked against the scenario it is for (engine/scenario/plan-lint.ts), found by the
 * rule in HELP below. This file does the reading and the finding; the checks themselves are pure.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { formatDiagnostic, hasErrors, readError, type Diagnostic } from '../scenario/diagnostics.ts';
import { loadScenarioText } from '../scenario/load.ts';
import { SHIPPED_SCENARIOS, siblingsOf } from './io.ts';
import { loadPlanText, type PlanCheck } from '../scenario/plan.ts';
import type { ScenarioSpec } from '../protocol/scenario.ts';

const USAGE = 'usage: sevdrill validate <files...> [--json] [--help]';

const HELP = `${USAGE}

Checks scenario files (and plan files, named *.plan.yaml) and reports every problem as
file:line:col: message (at path). A scenario with "extends: <id>" is checked merged with its base,
<id>.yaml (or .yml, .json) beside it; a problem in a field it inherits is reported in the base file.

A plan is also checked against its scenario: unknown services, actions, requests and faults in its
commands. Its scenario is
  - with "scenario: <id>" in the plan: the scenario file given here with that id, else the first
    <id>.yaml, <id>.yml or <id>.json with that id in the plan's directory, then its parent directory,
    then sevdrill's own scenarios/ directory; none found is an error;
  - without: the scenario given here whose id is the plan's file name (<id>.plan.yaml), else the only
    scenario file given here; else the plan is checked on its own (its output says so).

  --json   print one JSON object {files: [{file, ok, diagnostics, checkedAgainst?}]} on stdout
           instead (checkedAgainst: for a plan, the scenario file it was checked against, or null)
  --help   show this help

exit codes:
  0  every file is valid (warnings allowed)
  1  a file is invalid or cannot be read
  2  usage error
`;

const PLAN_FILE = /\.plan\.(ya?ml|json)$/i;
const SCENARIO_EXTENSIONS = ['.yaml', '.yml', '.json'];

interface FileReport {
  file: string;
  ok: boolean;
  diagnostics: Diagnostic[];
  /** Plans only: the scenario file the plan was checked against, or null when there was none. */
  checkedAgainst?: string | null;
}

/** A scenario file that loaded, with the name to show for it. */
interface FoundScenario {
  file: string;
  scenario: ScenarioSpec;
}

type Read = { ok: true; text: string } | { ok: false; error: unknown };

/** Reads each file once, however many times it is given or looked up. */
class Files {
  private readonly reads = new Map<string, Promise<Read>>();
  private readonly scenarios = new Map<string, Promise<FoundScenario | { problem: string }>>();

  read(file: string): Promise<Read> {
    const key = resolve(file);
    let read = this.reads.get(key);
    if (read === undefined) {
      read = readFile(key, 'utf8').then(
        (text): Read => ({ ok: true, text }),
        (error: unknown): Read => ({ ok: false, error }),
      );
      this.reads.set(key, read);
    }
    return read;
  }

  /** A scenario file loaded, or why it cannot be used (unreadable, or with errors). */
  scenario(file: string): Promise<FoundScenario | { problem: string }> {
    const key = resolve(file);
    let loaded = this.scenarios.get(key);
    if (loaded === undefined) {
      loaded = this.read(file).then((read) => {
        if (!read.ok) return { problem: `${file} cannot be read (${readError(read.error)})` };
        const result = loadScenarioText(read.text, file, siblingsOf(file));
        if (!result.ok || hasErrors(result.diagnostics)) return { problem: `${file} has errors (run: sevdrill validate ${file})` };
        return { file, scenario: result.scenario };
      });
      this.scenarios.set(key, loaded);
    }
    return loaded;
  }
}

export async function runValidate(argv: string[]): Promise<number> {
  const files: string[] = [];
  let json = false;
  let onlyFiles = false;
  for (const arg of argv) {
    if (onlyFiles || !arg.startsWith('-') || arg === '-') files.push(arg);
    else if (arg === '--') onlyFiles = true;
    else if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(HELP);
      return 0;
    } else return usageError(`unknown option ${arg}`);
  }
  if (files.length === 0) return usageError('no files given');

  const io = new Files();
  // Scenarios first: plans are checked against the ones given on the command line.
  const given: FoundScenario[] = [];
  const scenarioReports = new Map<string, FileReport>();
  for (const file of files.filter((f) => !PLAN_FILE.test(f))) {
    const { report, scenario } = await validateScenario(io, file);
    scenarioReports.set(file, report);
    if (scenario !== undefined) given.push({ file, scenario });
  }
  const reports: FileReport[] = [];
  for (const file of files) {
    reports.push(PLAN_FILE.test(file) ? await validatePlan(io, file, given) : (scenarioReports.get(file) as FileReport));
  }

  if (json) {
    process.stdout.write(`${JSON.stringify({ files: reports })}\n`);
  } else {
    const color = process.stderr.isTTY === true && !process.env.NO_COLOR;
    for (const report of reports) {
      for (const d of report.diagnostics) process.stderr.write(`${formatDiagnostic(d, { color })}\n`);
      if (!report.ok) continue;
      const against = report.checkedAgainst === undefined ? '' : report.checkedAgainst === null ? ' (not checked against a scenario)' : ` (checked against ${report.checkedAgainst})`;
      process.stdout.write(`${report.file}: ok${against}\n`);
    }
  }
  return reports.every((r) => r.ok) ? 0 : 1;
}

function usageError(problem: string): number {
  process.stderr.write(`sevdrill validate: ${problem}\n${USAGE}\n`);
  return 2;
}

function unreadable(file: string, error: unknown): FileReport {
  const diagnostic: Diagnostic = { file, line: 1, col: 1, message: `cannot read file: ${readError(error)}`, path: '', severity: 'error' };
  return { file, ok: false, diagnostics: [diagnostic] };
}

async function validateScenario(io: Files, file: string): Promise<{ report: FileReport; scenario?: ScenarioSpec }> {
  const read = await io.read(file);
  if (!read.ok) return { report: unreadable(file, read.error) };
  const result = loadScenarioText(read.text, file, siblingsOf(file));
  const ok = result.ok && !hasErrors(result.diagnostics);
  const report = { file, ok, diagnostics: result.diagnostics };
  return result.ok && ok ? { report, scenario: result.scenario } : { report };
}

async function validatePlan(io: Files, file: string, given: readonly FoundScenario[]): Promise<FileReport> {
  const read = await io.read(file);
  if (!read.ok) return { ...unreadable(file, read.error), checkedAgainst: null };
  // The plan on its own first: a plan that fails its schema is not checked against anything.
  const alone = loadPlanText(read.text, file);
  if (!alone.ok) return { file, ok: false, diagnostics: alone.diagnostics, checkedAgainst: null };
  const found = await findScenario(io, file, alone.plan.scenario, given);
  if (found === null) return { file, ok: !hasErrors(alone.diagnostics), diagnostics: alone.diagnostics, checkedAgainst: null };
  const check: PlanCheck = 'scenario' in found ? { scenario: found.scenario } : { scenarioProblem: found.problem };
  const result = loadPlanText(read.text, file, check);
  return {
    file,
    ok: result.ok && !hasErrors(result.diagnostics),
    diagnostics: result.diagnostics,
    checkedAgainst: 'scenario' in found ? found.file : null,
  };
}

/**
 * The scenario a plan is checked against (the rule is in HELP): a scenario, why the one the plan
 * names cannot be used, or null when a plan that names none matches nothing given.
 */
async function findScenario(io: Files, planFile: string, id: string | undefined, given: readonly FoundScenario[]): Promise<FoundScenario | { problem: string } | null> {
  if (id === undefined) {
    const byName = basename(planFile).replace(PLAN_FILE, '');
    return given.find((g) => g.scenario.id === byName) ?? (given.length === 1 ? (given[0] as FoundScenario) : null);
  }
  const named = given.find((g) => g.scenario.id === id);
  if (named !== undefined) return named;
  const planDir = dirname(resolve(planFile));
  const dirs = [...new Set([planDir, dirname(planDir), resolve(SHIPPED_SCENARIOS)])];
  const problems: string[] = [];
  for (const dir of dirs) {
    for (const extension of SCENARIO_EXTENSIONS) {
      const candidate = join(dir, `${id}${extension}`);
      const shown = display(candidate);
      const read = await io.read(candidate);
      if (!read.ok && (read.error as { code?: unknown } | null)?.code === 'ENOENT') continue;
      const loaded = await io.scenario(shown);
      if ('problem' in loaded) problems.push(loaded.problem);
      else if (loaded.scenario.id !== id) problems.push(`${shown} is scenario ${JSON.stringify(loaded.scenario.id)}`);
      else return loaded;
    }
  }
  const shown = dirs.map((d) => `${display(d)}/`);
  const where = shown.length > 1 ? `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}` : shown.join('');
  if (problems.length === 0) {
    return { problem: `unknown scenario ${JSON.stringify(id)}: no scenario given on the command line has this id, and there is no ${id}.yaml (or .yml, .json) in ${where}` };
  }
  return { problem: `cannot check this plan against scenario ${JSON.stringify(id)}: ${problems.join('; ')}` };
}

/** A path as the user would type it from here: relative inside the working directory, absolute outside it. */
function display(path: string): string {
  const shown = relative(process.cwd(), path);
  if (shown === '') return '.';
  return shown === '..' || shown.startsWith(`..${sep}`) ? path : shown;
}

