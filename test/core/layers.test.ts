/**
 * Dependencies point one way: the contract (engine/protocol) at the bottom, then the core and the
 * scenario loader side by side, then scoring, then the server and the CLI; the UI sees only the
 * contract. Checked over every import in the source, type-only imports included.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';

type Layer = 'protocol' | 'core' | 'integrations' | 'scenario' | 'score' | 'cli' | 'server' | 'ui';

/** Which layers each layer may import from (besides itself), and which packages. */
const RULES: Record<Layer, { layers: Layer[]; packages: RegExp }> = {
  protocol: { layers: [], packages: /^zod$/ },
  core: { layers: ['protocol'], packages: /^(xstate|seedrandom)$/ },
  // What sevdrill shows to a team's own tools (metric names, rule files): pure, beside the core.
  integrations: { layers: ['protocol'], packages: /^yaml$/ },
  scenario: { layers: ['protocol'], packages: /^(zod|yaml)$|^node:(fs|path|url)$/ },
  // d3 draws the report's charts as SVG on the server.
  score: { layers: ['protocol', 'core'], packages: /^d3$/ },
  cli: { layers: ['protocol', 'core', 'integrations', 'scenario', 'score'], packages: /^node:|^(tsx\/esm\/api)$/ },
  // tsx/esm/api: worker threads load TypeScript sources. yaml: the integrations settings file (SEVDRILL_INTEGRATIONS_FILE).
  server: { layers: ['protocol', 'core', 'integrations', 'scenario', 'score'], packages: /^node:|^(express|ws|helmet|pino|better-sqlite3|unhomoglyph|zod|yaml|prom-client|tsx\/esm\/api)$/ },
  ui: { layers: ['protocol'], packages: /^d3(-[a-z]+)?$/ },
};

/** Files allowed a package their layer otherwise may not use, and why. */
const EXCEPTIONS: Record<string, RegExp> = {
  // Writes the generated JSON Schema to docs/; run by `npm run schema`, never imported.
  'engine/scenario/write-json-schema.ts': /^node:/,
};

/** Files allowed one file of a layer their layer otherwise may not import, and why. */
const LAYER_EXCEPTIONS: Record<string, string> = {
  // The server rates seeds by difficulty with `sevdrill explore` itself (its worker threads), not a copy of it.
  'engine/server/difficulty-cache.ts': 'engine/cli/explore.ts',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

function layerOf(file: string): Layer | null {
  const rel = relative(ROOT, file);
  const m = /^engine\/(protocol|core|integrations|scenario|score|cli|server)\//.exec(rel);
  if (m) return m[1] as Layer;
  return rel.startsWith('ui/src/') ? 'ui' : null;
}

interface Import {
  spec: string;
  typeOnly: boolean;
}

/** Every import specifier in a file: static (value or type), side-effect and dynamic. */
function importsOf(text: string): Import[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const found: Import[] = [];
  for (const m of code.matchAll(/\b(import|export)\s+(type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g)) {
    found.push({ spec: m[3] as string, typeOnly: m[2] !== undefined });
  }
  for (const m of code.matchAll(/\bimport\s*(?:\(\s*)?['"]([^'"]+)['"]/g)) found.push({ spec: m[1] as string, typeOnly: false });
  return found;
}

interface Violation {
  file: string;
  spec: string;
  why: string;
}

function checkFile(file: string, text: string): Violation[] {
  const layer = layerOf(file);
  if (!layer) return [];
  const rel = relative(ROOT, file);
  const rule = RULES[layer];
  const out: Violation[] = [];
  for (const { spec } of importsOf(text)) {
    if (spec.startsWith('.')) {
      const target = layerOf(resolve(dirname(file), spec));
      if (LAYER_EXCEPTIONS[rel] === relative(ROOT, resolve(dirname(file), spec))) continue;
      if (target === null) out.push({ file: rel, spec, why: 'imports a file outside the layered source' });
      else if (target !== layer && !rule.layers.includes(target)) out.push({ file: rel, spec, why: `${layer} may not import ${target}` });
    } else if (!rule.packages.test(spec) && !EXCEPTIONS[rel]?.test(spec)) {
      out.push({ file: rel, spec, why: `${layer} may not import the package "${spec}"` });
    }
  }
  return out;
}

const files = ['engine', 'ui/src'].flatMap((d) => sourceFiles(join(ROOT, d)));

/** The files a module loads at run time (type-only imports are erased), transitively, within the repo. */
function runtimeClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const { spec, typeOnly } of importsOf(readFileSync(file, 'utf8'))) {
    if (typeOnly) continue;
    if (spec.startsWith('.')) runtimeClosure(resolve(dirname(file), spec), seen);
    else seen.add(`package:${spec}`);
  }
  return seen;
}

describe('layers', () => {
  it('finds every layer', () => {
    const layers = new Set(files.map(layerOf));
    for (const l of Object.keys(RULES)) expect(layers).toContain(l);
  });

  it('every import points down the layers', () => {
    const violations = files.flatMap((f) => checkFile(f, readFileSync(f, 'utf8')));
    expect(violations).toEqual([]);
  });

  it('no file under engine/core imports zod or engine/scenario, and engine/scenario imports nothing from engine/core', () => {
    for (const f of files) {
      const rel = relative(ROOT, f);
      const specs = importsOf(readFileSync(f, 'utf8')).map((i) => i.spec);
      if (rel.startsWith('engine/core/')) {
        expect(specs.filter((s) => s === 'zod' || s.includes('/scenario/')), rel).toEqual([]);
      }
      if (rel.startsWith('engine/scenario/')) expect(specs.filter((s) => s.includes('/core/')), rel).toEqual([]);
    }
  });

  it('the UI loads no zod at run time: it imports only types from the zod-based contract files', () => {
    for (const f of files.filter((x) => layerOf(x) === 'ui')) {
      expect([...runtimeClosure(f)].filter((x) => x === 'package:zod'), relative(ROOT, f)).toEqual([]);
    }
  });

  it('the check can fail', () => {
    const at = (p: string) => join(ROOT, p);
    expect(checkFile(at('engine/core/x.ts'), "import { z } from 'zod';")).toHaveLength(1);
    expect(checkFile(at('engine/core/x.ts'), "import type { Scenario } from '../scenario/load.ts';")).toHaveLength(1);
    expect(checkFile(at('engine/scenario/x.ts'), "import { runScenario } from '../core/log/run.ts';")).toHaveLength(1);
    expect(checkFile(at('engine/protocol/x.ts'), "import type { Session } from '../core/session.ts';")).toHaveLength(1);
    expect(checkFile(at('ui/src/x.ts'), "import { parseLog } from '../../engine/core/log/log.ts';")).toHaveLength(1);
    expect(checkFile(at('engine/core/x.ts'), "import { readFileSync } from 'node:fs';")).toHaveLength(1);
    expect(checkFile(at('engine/core/x.ts'), "import type { EngineEvent } from '../protocol/events.ts';")).toEqual([]);
    expect(importsOf("const m = await import('./worker.ts');")).toEqual([{ spec: './worker.ts', typeOnly: false }]);
  });
});
