/**
 * The engine core reads no clock, draws no unseeded randomness, sets no timers and does no I/O.
 * Checked twice: statically over the source, and at run time with traps on the globals.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import { ROOT, loadPlan, loadScenario } from '../helpers.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Strips comments so prose like "never calls Date.now" does not count. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');

const BANNED = /\bnew\s+Date\b|\bDate\s*[.(]|Math\.random|\b(setTimeout|setInterval|setImmediate)\s*\(|performance\.now|\bprocess\./;

const PURE_DIRS = ['engine/core', 'engine/protocol', 'engine/scenario'];
const PURE_EXCEPTIONS = new Set(['engine/scenario/write-json-schema.ts']);
const pureFiles = PURE_DIRS.flatMap((d) => sourceFiles(join(ROOT, d)))
  .map((f) => relative(ROOT, f))
  .filter((f) => !PURE_EXCEPTIONS.has(f));

describe('engine purity (static)', () => {
  it('finds the engine sources', () => {
    expect(pureFiles.length).toBeGreaterThan(20);
  });

  it.each(pureFiles)('%s uses no clock, unseeded randomness or timers', (file) => {
    const text = code(readFileSync(join(ROOT, file), 'utf8'));
    expect(text).not.toMatch(BANNED);
  });

  it.each(pureFiles)('%s imports nothing from node:, ws, express, server, cli or ui', (file) => {
    const imports = [...readFileSync(join(ROOT, file), 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
    for (const spec of imports) {
      expect(spec).not.toMatch(/^node:|^(ws|express|fs|path|os|crypto|child_process|http)$|\/(server|cli|ui)\//);
    }
  });

  it('the static check can fail', () => {
    for (const bad of ['const x = Date.now();', 'new Date()', 'Math.random()', 'setTimeout(f, 1)', 'process.env.X']) {
      expect(code(bad)).toMatch(BANNED);
    }
    expect(code('// Date.now() in a comment')).not.toMatch(BANNED);
    expect(code("if (tag === '[object Date]') {}")).not.toMatch(BANNED);
  });
});

describe('engine purity (run time)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs a full 6-hour drill without touching the clock, Math.random or timers', () => {
    const scenario = loadScenario('retail-sev1');
    const plan = loadPlan('retail-sev1');
    const trap = (name: string) => () => {
      throw new Error(`engine called ${name}`);
    };
    const spies = [
      vi.spyOn(Date, 'now').mockImplementation(trap('Date.now')),
      vi.spyOn(Math, 'random').mockImplementation(trap('Math.random')),
      vi.spyOn(performance, 'now').mockImplementation(trap('performance.now')),
      vi.spyOn(globalThis, 'setTimeout').mockImplementation(trap('setTimeout') as never),
      vi.spyOn(globalThis, 'setInterval').mockImplementation(trap('setInterval') as never),
    ];
    const session = runScenario(scenario, { commands: plan });
    expect(session.phase).toBe('ended');
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});
