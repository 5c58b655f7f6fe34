/** Shared CLI plumbing: colour only on a TTY without NO_COLOR, file loading with diagnostics to stderr. */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatDiagnostic, hasErrors } from '../scenario/diagnostics.ts';
import { siblingResolver, type ScenarioResolver } from '../scenario/extends.ts';
import { loadScenarioText } from '../scenario/load.ts';
import { loadPlanText, type Plan } from '../scenario/plan.ts';
import type { ScenarioSpec } from '../protocol/scenario.ts';
import { parseLog, type ParsedLogFile } from '../core/log/log.ts';

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

export const useColor = (stream: NodeJS.WriteStream): boolean => stream.isTTY === true && !process.env.NO_COLOR;

export const paint = (on: boolean, code: number, text: string): string => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

export class UsageError extends Error {}

/** The scenarios shipped with sevdrill: where a scenario named by its id alone is found. */
export const SHIPPED_SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** The one positional argument a command takes (a file); a usage error if there is not exactly one. */
export function onePositional(positionals: readonly string[], what: string): string {
  const [only] = positionals;
  if (positionals.length !== 1 || only === undefined) throw new UsageError(`give exactly one ${what}`);
  return only;
}

/** parseArgs with our usage errors instead of Node's exceptions. */
export function parseCli<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Reads a file; on failure reports `file:1:1: cannot read file: CODE` on stderr and returns undefined. */
export async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    process.stderr.write(`${file}:1:1: cannot read file: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return undefined;
  }
}

/** A log file, parsed and checked against the event union; a problem is printed as file:line. */
export async function readLogFile(file: string): Promise<ParsedLogFile | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  const parsed = parseLog(text);
  if (parsed.ok) return parsed;
  process.stderr.write(`${file}:${parsed.line}: ${parsed.message}\n`);
  return undefined;
}

/** Where a scenario file that `extends` another finds its base: beside it, read from disk when asked. */
export function siblingsOf(file: string): ScenarioResolver {
  return siblingResolver(file, { readFile: (path) => readFileSync(path, 'utf8'), readDir: (path) => readdirSync(path) });
}

export async function readScenarioFile(file: string): Promise<ScenarioSpec | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  const result = loadScenarioText(text, file, siblingsOf(file));
  const color = useColor(process.stderr);
  for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d, { color })}\n`);
  return result.ok && !hasErrors(result.diagnostics) ? result.scenario : undefined;
}

export async function readPlanFile(file: string): Promise<Plan | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  const result = loadPlanText(text, file);
  const color = useColor(process.stderr);
  for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d, { color })}\n`);
  return result.ok && !hasErrors(result.diagnostics) ? result.plan : undefined;
}

export async function writeText(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text, 'utf8');
}

/** The Node major version, e.g. "20": logs are byte-identical within one major. */
export const nodeMajor = (): string => process.versions.node.split('.')[0] ?? 'unknown';
