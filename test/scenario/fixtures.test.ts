/**
 * Golden tests: each broken fixture has a sibling *.expected.txt with the exact diagnostics, one per line.
 * The positions in those files were checked by hand against the offending tokens.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../engine/scenario/diagnostics.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { loadPlanText } from '../../engine/scenario/plan.ts';

const load = (file: string) => {
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.plan.yaml') ? loadPlanText(text, file) : loadScenarioText(text, file);
};

const yamlIn = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort();

describe('invalid fixtures', () => {
  const dir = 'test/fixtures/invalid';
  it('has at least 6 scenario fixtures, each with expectations', () => {
    const scenarios = yamlIn(dir).filter((name) => !name.endsWith('.plan.yaml'));
    expect(scenarios.length).toBeGreaterThanOrEqual(6);
  });
  for (const name of yamlIn(dir)) {
    it(name, () => {
      const file = `${dir}/${name}`;
      const result = load(file);
      const expected = readFileSync(file.replace(/\.yaml$/, '.expected.txt'), 'utf8');
      expect(result.ok).toBe(false);
      expect(result.diagnostics.map((d) => `${formatDiagnostic(d)}\n`).join('')).toBe(expected);
    });
  }
});

describe('valid fixtures', () => {
  const dir = 'test/fixtures/valid';
  for (const name of yamlIn(dir)) {
    it(`${name} loads without diagnostics`, () => {
      const result = load(`${dir}/${name}`);
      expect(result.diagnostics).toEqual([]);
      expect(result.ok).toBe(true);
    });
  }
});
