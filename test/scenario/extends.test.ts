/**
 * `extends: <id>`: a scenario file built on another in its directory, merged wholesale by top-level key,
 * one level only; every problem reported in the file that holds it, and every problem with the base
 * itself at the derived file's `extends`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, type Diagnostic } from '../../engine/scenario/diagnostics.ts';
import { siblingResolver, type ScenarioResolver } from '../../engine/scenario/extends.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { ROOT } from '../helpers.ts';

const BASE = readFileSync(join(ROOT, 'test/fixtures/valid/minimal.yaml'), 'utf8');
const lines = (ds: readonly Diagnostic[]) => ds.map((d) => formatDiagnostic(d));

/** A resolver over files held in memory, as a directory would hold them. */
function resolverOf(files: Record<string, string>): ScenarioResolver {
  const resolve: ScenarioResolver = (id) => (files[`${id}.yaml`] === undefined ? null : { text: files[`${id}.yaml`] as string, file: `${id}.yaml` });
  resolve.ids = () => Object.keys(files).map((name) => name.replace(/\.yaml$/, ''));
  return resolve;
}

const load = (derived: string, files: Record<string, string> = { 'minimal.yaml': BASE }) => loadScenarioText(derived, 'derived.yaml', resolverOf(files));

/** The line and column (1-based) of the first occurrence of `text` in `source`. */
function at(source: string, text: string): { line: number; col: number } {
  const index = source.indexOf(text);
  if (index < 0) throw new Error(`${text} not found`);
  const before = source.slice(0, index).split('\n');
  return { line: before.length, col: (before[before.length - 1] as string).length + 1 };
}

describe('extends', () => {
  it('inherits every key the file does not set and replaces, whole, each one it sets', () => {
    const derived = [
      'id: minimal-quick',
      'extends: minimal',
      'title: The same bad deploy, with a quick rollback',
      'actions:',
      '  - { type: rollback, target: api, duration: 1m, resolves: [bad-deploy] }',
      '',
    ].join('\n');
    const base = loadScenarioText(BASE, 'minimal.yaml');
    const result = load(derived);
    if (!result.ok || !base.ok) throw new Error(lines(result.diagnostics).join('\n'));
    expect(result.diagnostics).toEqual([]);
    expect(result.extends).toBe('minimal');
    const { scenario } = result;
    expect(scenario.id).toBe('minimal-quick');
    expect(scenario.title).toBe('The same bad deploy, with a quick rollback');
    // Base had a rollback and a restart: the list is replaced, not merged.
    expect(scenario.actions).toHaveLength(1);
    expect(scenario.actions[0]).toMatchObject({ type: 'rollback', duration: 60_000 });
    expect(scenario.services).toEqual(base.scenario.services);
    expect(scenario.alerts).toEqual(base.scenario.alerts);
    expect(scenario.facilitator).toEqual(base.scenario.facilitator);
    // Neither the base's $schema nor `extends` itself is part of the scenario.
    expect(scenario.$schema).toBeUndefined();
    expect('extends' in scenario).toBe(false);
  });

  it('replaces a mapping whole too: the base\'s fields inside it are not kept', () => {
    const derived = 'id: other\nextends: minimal\nobjectives: { mitigate: 30m }\n';
    const result = load(derived);
    expect(result.ok).toBe(false);
    expect(lines(result.diagnostics)).toEqual(['ack', 'declare', 'resolve'].map((key) => `derived.yaml:3:13: missing required field "${key}" (at objectives.${key})`));
  });

  it('reports a schema error in an inherited key in the base file, and one in the derived file in that file', () => {
    const base = BASE.replace('capacity: 400', 'capacity: -400');
    const derived = 'id: other\nextends: minimal\ntick: soon\n';
    const result = load(derived, { 'minimal.yaml': base });
    expect(result.ok).toBe(false);
    const capacity = at(base, '-400');
    const tick = at(derived, 'soon');
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ file: 'derived.yaml', ...at(derived, 'minimal'), path: 'extends', message: 'the fields this scenario inherits from minimal.yaml have errors (reported in that file)' }),
      expect.objectContaining({ file: 'derived.yaml', ...tick, path: 'tick' }),
      expect.objectContaining({ file: 'minimal.yaml', ...capacity, path: 'services[1].capacity' }),
    ]);
    expect(capacity.line).toBe(19);
  });

  it('reports a semantic problem in an inherited key in the base file: an alert on a service the derived file removed', () => {
    const derived = [
      'id: other',
      'extends: minimal',
      'services:',
      '  - { id: web, tier: critical, baseline: { latencyMs: 20 }, capacity: 500 }',
      'faults:',
      '  - { id: bad-deploy, kind: code-deploy, target: web, at: 5m, effect: { errorRate: 0.3 }, rootCause: true }',
      'logs: []',
      'actions:',
      '  - { type: rollback, target: web, resolves: [bad-deploy] }',
      '',
    ].join('\n');
    const result = load(derived);
    expect(result.ok).toBe(false);
    const alert = result.diagnostics.find((d) => d.path === 'alerts[0].service');
    expect(alert).toMatchObject({ file: 'minimal.yaml', ...at(BASE, 'api\n    metric'), severity: 'error' });
    expect(alert?.message).toMatch(/unknown service "api"/);
    expect(result.diagnostics.filter((d) => d.file === 'derived.yaml').map((d) => d.path)).toEqual(['extends']);
  });

  describe('a clear error at `extends`', () => {
    const extendsAt = (derived: string) => ({ file: 'derived.yaml', line: at(derived, 'extends: ').line, col: at(derived, 'extends: ').col + 'extends: '.length, path: 'extends', severity: 'error' });

    it('for an unknown base, with a did-you-mean', () => {
      const derived = 'id: other\nextends: minmal\n';
      const result = load(derived);
      expect(result.ok).toBe(false);
      expect(result.extends).toBe('minmal');
      expect(result.diagnostics).toEqual([
        { ...extendsAt(derived), message: 'unknown base scenario "minmal": there is no minmal.yaml (or .yml, .json) in this file\'s directory (did you mean "minimal"?)' },
      ]);
    });

    it('without a resolver: the file was checked on its own', () => {
      const derived = 'id: other\nextends: minimal\n';
      const result = loadScenarioText(derived, 'derived.yaml');
      expect(result.ok).toBe(false);
      expect(result.diagnostics).toHaveLength(1);
      expect(result.diagnostics[0]).toMatchObject(extendsAt(derived));
      expect(result.diagnostics[0]?.message).toMatch(/^extends needs the scenario directory; /);
    });

    it('for a file without an id of its own, or with the base\'s id', () => {
      for (const derived of ['title: x\nextends: minimal\n', 'id: minimal\nextends: minimal\n']) {
        const result = load(derived);
        expect(result.ok).toBe(false);
        expect(result.diagnostics).toHaveLength(1);
        expect(result.diagnostics[0]).toMatchObject(extendsAt(derived));
        expect(result.diagnostics[0]?.message).toMatch(derived.startsWith('id') ? /the id of the scenario it extends: give it an id of its own/ : /must set its own id/);
      }
    });

    it('for a base that extends another: one level only', () => {
      const derived = 'id: retail-x\nextends: retail-y\n';
      const result = load(derived, { 'retail-y.yaml': 'id: retail-y\nextends: minimal\n', 'minimal.yaml': BASE });
      expect(result.diagnostics).toEqual([{ ...extendsAt(derived), message: '"retail-x" extends "retail-y", which extends "minimal"; only one level of extends is allowed' }]);
    });

    it('for a base with a YAML syntax error, which is reported in the base file too', () => {
      const derived = 'id: other\nextends: minimal\n';
      const result = load(derived, { 'minimal.yaml': 'id: minimal\ntitle: [unclosed\n' });
      expect(result.ok).toBe(false);
      expect(result.diagnostics[0]).toEqual({ ...extendsAt(derived), message: 'base scenario "minimal" has errors (minimal.yaml): fix it first' });
      expect(result.diagnostics.slice(1).map((d) => [d.file, d.line, d.col])).toEqual([['minimal.yaml', 2, 8]]);
    });

    it('for a base whose id is not its file name, and for an extends that is not an id', () => {
      const wrong = load('id: other\nextends: minimal\n', { 'minimal.yaml': BASE.replace('id: minimal', 'id: maximal') });
      expect(wrong.diagnostics.map((d) => d.message)).toEqual(['minimal.yaml is scenario "maximal", not "minimal": a base is found by its file name and must have that id']);
      for (const value of ['../../etc/passwd', '[a, b]', '']) {
        const result = load(`id: other\nextends: ${value}\n`);
        expect(result.diagnostics.map((d) => [d.path, d.message]), value).toEqual([['extends', 'extends names the scenario this one is built on: its id, such as "retail-sev1"']]);
      }
    });
  });
});

describe('siblingResolver', () => {
  const disk = { readFile: (path: string) => readFileSync(path, 'utf8'), readDir: (path: string) => readdirSync(path) };

  it('finds <id>.yaml, .yml or .json beside the file, named like it, and never reads outside the directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sevdrill-siblings-'));
    writeFileSync(join(dir, 'a.yml'), 'id: a\n');
    writeFileSync(join(dir, 'b.json'), '{"id": "b"}');
    writeFileSync(join(dir, 'b.plan.yaml'), 'commands: []\n');
    const resolve = siblingResolver(join(dir, 'derived.yaml'), disk);
    expect(resolve('a')).toEqual({ text: 'id: a\n', file: join(dir, 'a.yml') });
    expect(resolve('b')).toEqual({ text: '{"id": "b"}', file: join(dir, 'b.json') });
    expect(resolve('c')).toBeNull();
    expect(resolve('../a')).toBeNull();
    expect(resolve.ids?.().sort()).toEqual(['a', 'b']);
  });
});

describe('sevdrill validate with extends', () => {
  const validate = (file: string) => spawnSync(process.execPath, [join(ROOT, 'bin/sevdrill.mjs'), 'validate', file], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('checks a derived file with its base beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sevdrill-extends-'));
    writeFileSync(join(dir, 'minimal.yaml'), BASE);
    writeFileSync(join(dir, 'derived.yaml'), 'id: derived\nextends: minimal\ntitle: Derived\n');
    const r = validate(join(dir, 'derived.yaml'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${join(dir, 'derived.yaml')}: ok\n`);
    expect(r.status).toBe(0);
  });

  it('fails with a broken base, at the base\'s file:line:col', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sevdrill-extends-'));
    writeFileSync(join(dir, 'minimal.yaml'), BASE.replace('capacity: 400', 'capacity: lots'));
    writeFileSync(join(dir, 'derived.yaml'), 'id: derived\nextends: minimal\n');
    const r = validate(join(dir, 'derived.yaml'));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((l) => l !== '')).toEqual([
      `${join(dir, 'derived.yaml')}:2:10: the fields this scenario inherits from ${join(dir, 'minimal.yaml')} have errors (reported in that file) (at extends)`,
      `${join(dir, 'minimal.yaml')}:19:15: expected a number, got a string (at services[1].capacity)`,
    ]);
  });
});
