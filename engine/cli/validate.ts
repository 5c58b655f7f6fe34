/**
 * `sevdrill validate <files...> [--json]`: checks scenario and plan files without running them,
 * for authors (diagnostics an editor can jump to) and for CI (exit code, or JSON with --json).
 */
import { readFile } from 'node:fs/promises';
import { formatDiagnostic, hasErrors, type Diagnostic } from '../scenario/diagnostics.ts';
import { loadScenarioText } from '../scenario/load.ts';
import { loadPlanText } from '../scenario/plan.ts';

const USAGE = 'usage: sevdrill validate <files...> [--json] [--help]';

const HELP = `${USAGE}

Checks scenario files (and plan files, named *.plan.yaml) and reports every problem as
file:line:col: message (at path).

  --json   print one JSON object {files: [{file, ok, diagnostics}]} on stdout instead
  --help   show this help

exit codes:
  0  every file is valid (warnings allowed)
  1  a file is invalid or cannot be read
  2  usage error
`;

const PLAN_FILE = /\.plan\.(ya?ml|json)$/i;

interface FileReport {
  file: string;
  ok: boolean;
  diagnostics: Diagnostic[];
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

  const reports: FileReport[] = [];
  for (const file of files) reports.push(await validateFile(file));

  if (json) {
    process.stdout.write(`${JSON.stringify({ files: reports })}\n`);
  } else {
    const color = process.stderr.isTTY === true && !process.env.NO_COLOR;
    for (const report of reports) {
      for (const d of report.diagnostics) process.stderr.write(`${formatDiagnostic(d, { color })}\n`);
      if (report.ok) process.stdout.write(`${report.file}: ok\n`);
    }
  }
  return reports.every((r) => r.ok) ? 0 : 1;
}

function usageError(problem: string): number {
  process.stderr.write(`sevdrill validate: ${problem}\n${USAGE}\n`);
  return 2;
}

async function validateFile(file: string): Promise<FileReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const diagnostic: Diagnostic = { file, line: 1, col: 1, message: `cannot read file: ${readError(error)}`, path: '', severity: 'error' };
    return { file, ok: false, diagnostics: [diagnostic] };
  }
  const result = PLAN_FILE.test(file) ? loadPlanText(text, file) : loadScenarioText(text, file);
  return { file, ok: result.ok && !hasErrors(result.diagnostics), diagnostics: result.diagnostics };
}

function readError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
