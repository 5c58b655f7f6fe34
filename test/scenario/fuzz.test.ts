/**
 * Mutation fuzzing of the loader: thousands of broken variants of the valid fixtures, generated from a fixed seed
 * so a failure reproduces. The loader must never throw, must always finish, and every diagnostic must point at
 * a real position with a message.
 */
import { readdirSync, readFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { loadPlanText } from '../../engine/scenario/plan.ts';

const MUTANTS = 1200;
const dir = 'test/fixtures/valid';
const scenarioTexts = readdirSync(dir)
  .filter((name) => name.endsWith('.yaml') && !name.endsWith('.plan.yaml'))
  .sort()
  .map((name) => readFileSync(`${dir}/${name}`, 'utf8'));
// JSON is YAML: mutate the JSON spelling of the fixtures as well.
const bases = [...scenarioTexts, ...scenarioTexts.map((text) => JSON.stringify(parse(text), null, 2))];

type Rng = () => number;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)] as T;

const HUGE = ['1e308', '-1e308', '1e400', '-1e400', String(2 ** 53 + 1), '-0', '.inf', '-.inf', '.nan', '0x7fffffff', '1_000'];
const SWAPS = ['[]', '{}', 'null', '~', '""', 'true', 'no', '"text"', '12', '-1', '0.5', '[a, b]', '{a: 1}', '5m', '?', ...HUGE];
const BAD_CHARS = ['\t', ':', '- ', '[', ']', '{', '}', '"', "'", '&', '*', '!', '|', '>', '%', '@', '`', '#', ',', '?', '\u0000', '\ufeff', '\r', '\n', '\u2028', '\\', '---\n', '...\n'];

function junk(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(int(rng, rng() < 0.8 ? 0x80 : 0x10000));
  return out;
}

/** Replaces the value of a random `key: value` line. */
function swapValue(rng: Rng, text: string, values: readonly string[]): string {
  const lines = text.split('\n');
  const candidates = lines.map((line, i) => (/:\s+\S/.test(line) ? i : -1)).filter((i) => i >= 0);
  if (candidates.length === 0) return text;
  const i = pick(rng, candidates);
  lines[i] = (lines[i] as string).replace(/(:\s+)(.*)$/, (_m, sep: string) => `${sep}${pick(rng, values)}`);
  return lines.join('\n');
}

function nest(rng: Rng, depth: number): string {
  switch (int(rng, 3)) {
    case 0:
      return '['.repeat(depth) + ']'.repeat(depth);
    case 1:
      return '{a: '.repeat(depth) + '1' + '}'.repeat(depth);
    default:
      return '\n' + Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 2)}k:`).join('\n') + ' 1';
  }
}

const MUTATIONS: ((rng: Rng, text: string) => string)[] = [
  (rng, text) => text.slice(0, int(rng, text.length)),
  (rng, text) => swapValue(rng, text, SWAPS),
  (rng, text) => swapValue(rng, text, HUGE),
  (rng, text) => {
    const at = int(rng, text.length);
    return text.slice(0, at) + pick(rng, BAD_CHARS) + text.slice(at);
  },
  (rng, text) => {
    const at = int(rng, text.length);
    return text.slice(0, at) + junk(rng, 1 + int(rng, 40)) + text.slice(at + int(rng, 10));
  },
  (rng) => junk(rng, int(rng, 400)),
  (rng, text) => {
    // Duplicate a line: usually a duplicated key.
    const lines = text.split('\n');
    const i = int(rng, lines.length);
    lines.splice(i, 0, lines[i] as string);
    return lines.join('\n');
  },
  (rng, text) => {
    const lines = text.split('\n');
    lines.splice(int(rng, lines.length), 1 + int(rng, 3));
    return lines.join('\n');
  },
  (rng, text) => {
    // Shift the indentation of a line.
    const lines = text.split('\n');
    const i = int(rng, lines.length);
    lines[i] = rng() < 0.5 ? ` ${lines[i]}` : (lines[i] as string).replace(/^ {1,2}/, '');
    return lines.join('\n');
  },
  (rng, text) => swapValue(rng, text, [nest(rng, 1 + int(rng, 300))]),
  (rng, text) => {
    // Anchors and aliases: a bomb, an alias to nothing, or a real anchor reused somewhere else.
    const choice = int(rng, 3);
    if (choice === 0) {
      const levels = ['x0: &x0 [a, a, a, a, a, a, a, a, a]'];
      for (let i = 1; i < 9; i++) levels.push(`x${i}: &x${i} [${Array(9).fill(`*x${i - 1}`).join(', ')}]`);
      return `${levels.join('\n')}\n${text}`;
    }
    if (choice === 1) return swapValue(rng, text, ['*missing']);
    return swapValue(rng, swapValue(rng, text, ['&anchor 7']), ['*anchor']);
  },
  (rng, text) => {
    // Swap two lines.
    const lines = text.split('\n');
    const a = int(rng, lines.length);
    const b = int(rng, lines.length);
    [lines[a], lines[b]] = [lines[b] as string, lines[a] as string];
    return lines.join('\n');
  },
];

function mutate(rng: Rng, text: string): string {
  let out = text;
  const rounds = 1 + int(rng, 3);
  for (let i = 0; i < rounds; i++) out = pick(rng, MUTATIONS)(rng, out);
  return out;
}

describe('loader fuzzing', () => {
  it(`survives ${MUTANTS} mutated scenarios`, () => {
    const rng = seedrandom('sevdrill-fuzz-1');
    const started = performance.now();
    let rejected = 0;
    for (let n = 0; n < MUTANTS; n++) {
      const text = mutate(rng, pick(rng, bases));
      const file = `mutant-${n}.yaml`;
      let result: ReturnType<typeof loadScenarioText>;
      try {
        result = loadScenarioText(text, file);
      } catch (error) {
        throw new Error(`mutant ${n} threw: ${String(error)}\n${text.slice(0, 500)}`, { cause: error });
      }
      const lineCount = text.split(/\r\n|\r|\n|\u2028|\u2029/).length;
      for (const d of result.diagnostics) {
        const where = `mutant ${n}: ${JSON.stringify(d)}`;
        expect(Number.isInteger(d.line) && d.line >= 1 && d.line <= lineCount + 1, where).toBe(true);
        expect(Number.isInteger(d.col) && d.col >= 1, where).toBe(true);
        expect(d.message.trim().length > 0 && !d.message.includes('\n'), where).toBe(true);
        expect(d.file).toBe(file);
      }
      if (result.ok) expect(result.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
      else {
        rejected++;
        expect(result.diagnostics.length, `mutant ${n} failed without a diagnostic`).toBeGreaterThan(0);
      }
    }
    // Most mutations break a scenario; if nearly nothing is rejected, the loader is accepting garbage.
    expect(rejected / MUTANTS).toBeGreaterThan(0.6);
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('survives nesting 10 000 levels deep', () => {
    // A few fixed cases rather than random ones: each takes the parser ~100 ms.
    const rng = seedrandom('sevdrill-fuzz-deep');
    for (const base of bases) {
      for (let kind = 0; kind < 2; kind++) {
        const deep = kind === 0 ? '['.repeat(10_000) + ']'.repeat(10_000) : '{a: '.repeat(10_000) + '1' + '}'.repeat(10_000);
        const result = loadScenarioText(swapValue(rng, base, [deep]), 'deep.yaml');
        expect(result.ok).toBe(false);
        expect(result.diagnostics.every((d) => d.line >= 1 && d.col >= 1 && d.message !== '')).toBe(true);
      }
    }
  });

  it('survives mutated plans', () => {
    const rng = seedrandom('sevdrill-fuzz-plan');
    const plan = readFileSync(`${dir}/minimal.plan.yaml`, 'utf8');
    for (let n = 0; n < 300; n++) {
      const result = loadPlanText(mutate(rng, plan), 'p.plan.yaml');
      for (const d of result.diagnostics) expect(d.line >= 1 && d.col >= 1 && d.message !== '').toBe(true);
    }
  });
});
