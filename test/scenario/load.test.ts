import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, pathToString, type Diagnostic } from '../../engine/scenario/diagnostics.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';

const minimalText = readFileSync('test/fixtures/valid/minimal.yaml', 'utf8');
const lines = (ds: Diagnostic[]) => ds.map((d) => formatDiagnostic(d));

describe('pathToString', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(pathToString(['services', 2, 'dependencies', 0, 'service'])).toBe('services[2].dependencies[0].service');
    expect(pathToString([])).toBe('');
    expect(pathToString(['$schema'])).toBe('$schema');
    expect(pathToString(['scoring', 'weights', 'a b'])).toBe('scoring.weights["a b"]');
  });
});

describe('formatDiagnostic', () => {
  const d: Diagnostic = { file: 'a.yaml', line: 3, col: 7, message: 'boom', path: 'x[0].y', severity: 'error' };
  it('is file:line:col: message (at path)', () => {
    expect(formatDiagnostic(d)).toBe('a.yaml:3:7: boom (at x[0].y)');
    expect(formatDiagnostic({ ...d, path: '' })).toBe('a.yaml:3:7: boom');
  });
  it('colours only a severity word', () => {
    const coloured = formatDiagnostic({ ...d, severity: 'warning' }, { color: true });
    expect(coloured).toBe('a.yaml:3:7: \u001b[33mwarning:\u001b[0m boom (at x[0].y)');
  });
});

describe('loadScenarioText', () => {
  it('loads the minimal scenario with defaults applied and durations in ms', () => {
    const result = loadScenarioText(minimalText, 'm.yaml');
    if (!result.ok) throw new Error(lines(result.diagnostics).join('\n'));
    expect(result.scenario.duration).toBe(7_200_000);
    expect(result.scenario.actions[0]?.duration).toBe(180_000);
    expect(result.scenario.services[0]?.dependencies[0]?.timeout).toBe(1_000);
  });

  it('accepts JSON (JSON is YAML)', () => {
    const json = JSON.stringify(parse(minimalText), null, 2);
    expect(loadScenarioText(json, 'm.json').ok).toBe(true);
  });

  it('points into JSON input too', () => {
    const data = parse(minimalText) as Record<string, unknown>;
    const json = JSON.stringify({ ...data, seed: 'one' }, null, 2);
    const result = loadScenarioText(json, 'm.json');
    const line = json.split('\n').findIndex((l) => l.includes('"seed"')) + 1;
    expect(lines(result.diagnostics)).toEqual([`m.json:${line}:11: expected a number, got a string (at seed)`]);
  });

  it('reports missing root fields at the root mapping and names them', () => {
    const result = loadScenarioText('id: x\n', 'f.yaml');
    expect(result.ok).toBe(false);
    const messages = result.diagnostics.map((d) => `${d.line}:${d.col} ${d.message} @${d.path}`);
    expect(messages).toContain('1:1 missing required field "title" @title');
    expect(messages).toContain('1:1 missing required field "objectives" @objectives');
  });

  it('says when the document is empty or not a mapping', () => {
    expect(lines(loadScenarioText('', 'e.yaml').diagnostics)).toEqual(['e.yaml:1:1: the document is empty: expected a mapping of fields']);
    expect(lines(loadScenarioText('# nothing\n', 'e.yaml').diagnostics)).toHaveLength(1);
    expect(lines(loadScenarioText('- a\n', 'e.yaml').diagnostics)).toEqual(['e.yaml:1:1: expected a mapping, got a list']);
  });

  it('points at an unknown key and suggests the right one', () => {
    const text = minimalText.replace('briefing:', 'breifing:');
    const line = text.split('\n').findIndex((l) => l.startsWith('breifing:')) + 1;
    expect(lines(loadScenarioText(text, 'f.yaml').diagnostics)).toContain(
      `f.yaml:${line}:1: unknown field "breifing" (did you mean "briefing"?) (at breifing)`,
    );
  });

  it('lists the allowed values of an enum', () => {
    const text = minimalText.replace('kind: code-deploy', 'kind: deploy');
    const [d] = loadScenarioText(text, 'f.yaml').diagnostics;
    expect(d?.message).toBe(
      'invalid value "deploy": expected one of "config-deploy", "code-deploy", "dependency-outage", "latency-spike", ' +
        '"capacity-loss", "cache-flush", "cert-expiry", "traffic-surge", "thundering-herd", "noise"',
    );
  });

  it('reports every YAML syntax error, not only the first', () => {
    const result = loadScenarioText('a: [1\nb: 2\nc: @x\nd: `y\n', 'f.yaml');
    expect(result.diagnostics.map((d) => `${d.line}:${d.col}`)).toEqual(['1:4', '3:4', '4:4']);
  });

  it('rejects an alias bomb without expanding it', () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) levels.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const result = loadScenarioText(levels.join('\n'), 'bomb.yaml');
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]?.message).toMatch(/too many aliases/);
  });

  it('reports an alias to an anchor that does not exist, where it is used', () => {
    expect(lines(loadScenarioText('id: *nope\n', 'f.yaml').diagnostics)).toEqual([
      'f.yaml:1:5: unknown alias *nope: define the anchor &nope before using it',
    ]);
  });

  it('follows aliases to point at the anchored text', () => {
    const text = minimalText
      .replace('baseline: { rps: 5, latencyMs: 20 }', 'baseline: &b { rps: 5, latencyMs: -20 }')
      .replace('baseline: { latencyMs: 5 }', 'baseline: *b');
    const textLines = text.split('\n');
    const line = textLines.findIndex((l) => l.includes('&b')) + 1;
    const col = (textLines[line - 1] as string).indexOf('-20') + 1;
    expect(lines(loadScenarioText(text, 'f.yaml').diagnostics)).toEqual([
      `f.yaml:${line}:${col}: must be greater than 0, got -20 (at services[0].baseline.latencyMs)`,
      `f.yaml:${line}:${col}: must be greater than 0, got -20 (at services[2].baseline.latencyMs)`,
    ]);
  });

  it('points at an alias when the aliased value is wrong where it is used', () => {
    const text = minimalText.replace('kind: hard\n        timeout', 'kind: &k hard\n        timeout').replace('tier: standard', 'tier: *k');
    const line = text.split('\n').findIndex((l) => l.includes('*k')) + 1;
    expect(lines(loadScenarioText(text, 'f.yaml').diagnostics)).toEqual([
      `f.yaml:${line}:11: invalid value "hard": expected one of "critical", "standard" (at services[2].tier)`,
    ]);
  });

  it('survives very deep nesting', () => {
    for (const text of ['id: ' + '['.repeat(10_000) + ']'.repeat(10_000), 'a:\n' + Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i + 1)}b${i}:`).join('\n')]) {
      const result = loadScenarioText(text, 'deep.yaml');
      expect(result.ok).toBe(false);
      expect(result.diagnostics.length).toBeGreaterThan(0);
    }
  });

  it('reports more than one document', () => {
    const result = loadScenarioText(`${minimalText}---\nid: other\n`, 'f.yaml');
    expect(result.diagnostics[0]?.message).toMatch(/more than one YAML document/);
  });

  it('keeps YAML warnings as warnings', () => {
    const text = minimalText.replace('title: Bad deploy on the API', 'title: !shout Bad deploy on the API');
    const result = loadScenarioText(text, 'f.yaml');
    expect(result.ok).toBe(true);
    expect(result.diagnostics.map((d) => d.severity)).toEqual(['warning']);
  });

  it('never throws, even when called with something that is not text', () => {
    const result = loadScenarioText(undefined as unknown as string, 'f.yaml');
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]).toMatchObject({ line: 1, col: 1 });
  });

  it('returns diagnostics sorted by line then column', () => {
    const text = minimalText.replace('tier: standard', 'tier: gold').replace('id: minimal', 'id: Minimal');
    const positions = loadScenarioText(text, 'f.yaml').diagnostics.map((d) => [d.line, d.col]);
    expect(positions).toEqual([...positions].sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number)));
    expect(positions.length).toBe(2);
  });

  it('keeps only the useful bound for a huge integer', () => {
    const text = minimalText.replace('tick: 10s', 'tick: 10s\nseed: 9007199254740993');
    expect(loadScenarioText(text, 'f.yaml').diagnostics.map((d) => d.message)).toEqual(['must be at most 2147483647, got 9007199254740992']);
  });

  it('passes with warnings only', () => {
    const text = minimalText.replace('  - type: restart\n    target: api\n', '  - type: restart\n    target: api\n    shed: 0.5\n');
    const result = loadScenarioText(text, 'f.yaml');
    expect(result.ok).toBe(true);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ severity: 'warning', path: 'actions[1].shed' });
  });
});
