/**
 * The README stays true to the code:
 * - its Settings table (and docs/protocol.md's) lists every environment variable the code reads, and
 *   nothing the code does not read; the two tables agree on names and defaults;
 * - its sample of `sevdrill run` is what that command prints now.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PROTOCOL = readFileSync(join(ROOT, 'docs/protocol.md'), 'utf8');

// ── environment variables ─────────────────────────────────────────────────────────────────────

/** Everything that runs: the engine, the bin, the UI and its build, the bench and the tests. */
const SOURCES = ['engine', 'bin', 'ui/src', 'ui/build.mjs', 'bench', 'test'];
const SOURCE_FILE = /\.(ts|mts|cts|mjs|cjs|js)$/;
/** This file: its own examples below would count as reads. */
const SELF = 'test/docs/readme.test.ts';

function sourceFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return SOURCE_FILE.test(path) ? [path] : [];
  return readdirSync(path).flatMap((name) => (name === 'node_modules' || name === 'dist' ? [] : sourceFiles(join(path, name))));
}

const NAME = '[A-Z_][A-Z0-9_]*';
const READS = [
  // process.env.X, env.X (a `env` parameter holding process.env); not inside a string ('process.env.X').
  new RegExp(`(?<![\\w$.'"\`])(?:process\\.)?env\\.(${NAME})\\b`, 'g'),
  // env['X'], process.env["X"]
  new RegExp(`\\benv\\[\\s*['"\`](${NAME})['"\`]\\s*\\]`, 'g'),
  // helpers handed the environment and a name: count(env, 'PORT', …), integerFromEnv(env, 'X', …)
  new RegExp(`\\(\\s*(?:process\\.)?env\\s*,\\s*['"\`](${NAME})['"\`]`, 'g'),
  // any SEVDRILL_ name at all: a message or a comment naming a setting documents a setting
  /\b(SEVDRILL_[A-Z0-9_]*[A-Z0-9])\b/g,
];
const DESTRUCTURED = /\{([^{}]*)\}\s*=\s*process\.env\b/g;

/**
 * The environment variables a source text reads (or names, for SEVDRILL_*). A name built at run time
 * (`env[prefix + x]`) cannot be seen here; the code has none, and review should keep it that way.
 */
function envReads(text: string): Set<string> {
  const names = new Set<string>();
  for (const pattern of READS) for (const m of text.matchAll(pattern)) names.add(m[1] as string);
  for (const m of text.matchAll(DESTRUCTURED)) {
    for (const part of (m[1] as string).split(',')) {
      const name = part.split(':')[0]?.trim() ?? '';
      if (new RegExp(`^${NAME}$`).test(name)) names.add(name);
    }
  }
  return names;
}

/** Every variable the code reads, with the files that read it. */
function readsInCode(): Map<string, string[]> {
  const reads = new Map<string, string[]>();
  for (const file of SOURCES.flatMap((s) => sourceFiles(join(ROOT, s)))) {
    const path = relative(ROOT, file);
    if (path === SELF) continue;
    for (const name of envReads(readFileSync(file, 'utf8'))) reads.set(name, [...(reads.get(name) ?? []), path]);
  }
  return reads;
}

/** The table that follows `heading`: each variable named in a row's first cell, with that row's default cell. */
function settingsTable(doc: string, heading: string): Map<string, string> {
  const start = doc.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`no "${heading}" section`);
  const lines = doc.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('| variable |'));
  const table = new Map<string, string>();
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    const [names = '', defaults = ''] = line.split(' | ').map((cell) => cell.replace(/^\|\s*/, '').trim());
    for (const m of names.matchAll(/`([A-Z_][A-Z0-9_]*)`/g)) table.set(m[1] as string, defaults);
  }
  if (table.size === 0) throw new Error(`no table of variables under "${heading}"`);
  return table;
}

describe('environment variables', () => {
  const reads = readsInCode();
  const readme = settingsTable(README, '### Settings');
  const protocol = settingsTable(PROTOCOL, '## Settings');

  it('finds reads in every form the code uses (so that the check below can fail)', () => {
    const sample = [
      "const a = process.env.FOO_ONE ?? 'x';",
      'const b = env.HOST;',
      "const c = process.env['FOO_TWO'];",
      "count(env, 'FOO_THREE', 10);",
      "integerFromEnv(env, 'FOO_FOUR', 1, 1, 64);",
      'const { FOO_FIVE, FOO_SIX: six } = process.env;',
      '// set SEVDRILL_SOMETHING_NEW to …',
      "expect(() => run('process.env.NOT_A_READ')).toThrow(); const x = y.env.NOT_EITHER; const z = env.ts;",
    ].join('\n');
    expect([...envReads(sample)].sort()).toEqual(['FOO_FIVE', 'FOO_FOUR', 'FOO_ONE', 'FOO_SIX', 'FOO_THREE', 'FOO_TWO', 'HOST', 'SEVDRILL_SOMETHING_NEW'].sort());
    // The server's own settings are among the reads found in the code.
    for (const name of ['PORT', 'HOST', 'SEVDRILL_DATA', 'SEVDRILL_SCENARIOS', 'SEVDRILL_VALIDATE_QUEUE', 'SEVDRILL_LOG_LEVEL', 'NO_COLOR']) expect(reads.has(name), name).toBe(true);
  });

  it("every variable the code reads is in the README's Settings table", () => {
    const undocumented = [...reads].filter(([name]) => !readme.has(name)).map(([name, files]) => `${name} (read in ${files.join(', ')})`);
    expect(undocumented).toEqual([]);
  });

  it('every variable the README documents is read by the code', () => {
    expect([...readme.keys()].filter((name) => !reads.has(name))).toEqual([]);
  });

  it('docs/protocol.md lists the same variables with the same defaults', () => {
    expect(Object.fromEntries(protocol)).toEqual(Object.fromEntries(readme));
  });
});

// ── the sample run ────────────────────────────────────────────────────────────────────────────

describe("the README's sample run", () => {
  it('is what `sevdrill run` prints for the command above it', () => {
    // The command in the sh block just before "A run prints what happened:", and the block after it.
    const match = /```sh\n(npx sevdrill run [^\n]*)\n```\n\nA run prints what happened:\n\n```\n([\s\S]*?)```\n/.exec(README);
    if (!match) throw new Error('the README no longer has a `npx sevdrill run` command followed by "A run prints what happened:" and a sample');
    const [, command = '', sample = ''] = match;
    const args = command.replace(/^npx sevdrill /, '').split(/\s+/);
    const run = spawnSync(process.execPath, ['bin/sevdrill.mjs', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // No normalisation: the run is deterministic (same scenario, seed and plan, same output) and prints
    // no wall-clock time; stdout is a pipe and NO_COLOR is set, so it has no colour codes. The sample
    // must be the whole output, byte for byte: replace it with what `run` prints when this fails.
    expect(sample).toBe(run.stdout);
  });
});
