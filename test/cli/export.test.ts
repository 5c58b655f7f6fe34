/** `sevdrill export prometheus-rules` as a user runs it: by file or shipped id, to stdout or --out, and its errors. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { prometheusRulesYaml } from '../../engine/integrations/prometheus-rules.ts';
import { ROOT, loadSpec } from '../helpers.ts';

function sevdrill(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/sevdrill.mjs', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'sevdrill-export-'));

describe('sevdrill export prometheus-rules', () => {
  it('writes the rules of a scenario file to stdout, and nothing else there', () => {
    const run = sevdrill('export', 'prometheus-rules', 'scenarios/retail-sev1.yaml');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(prometheusRulesYaml(loadSpec('retail-sev1')));
    expect((parse(run.stdout) as { groups: { name: string }[] }).groups[0]?.name).toBe('sevdrill-retail-sev1');
  });

  it('finds a shipped scenario by its id, including one that extends another', () => {
    const run = sevdrill('export', 'prometheus-rules', 'retail-change-window');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(prometheusRulesYaml(loadSpec('retail-change-window')));
  });

  it('writes to --out instead of stdout', () => {
    const out = join(dir, 'nested', 'rules.yaml');
    const run = sevdrill('export', 'prometheus-rules', 'order-pipeline', '--out', out);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(prometheusRulesYaml(loadSpec('order-pipeline')));
  });

  it('an unknown scenario id is an error (exit 1) that says where it looked', () => {
    const run = sevdrill('export', 'prometheus-rules', 'no-such-scenario');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('unknown scenario "no-such-scenario"');
    expect(run.stderr).toContain('no-such-scenario.yaml');
  });

  it('a broken scenario file is reported as file:line:col (exit 1), a missing one as file:1:1', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'id: bad\nalerts:\n  - { id: x, service: nowhere, metric: errorRate, threshold: 2, severity: page }\n');
    const run = sevdrill('export', 'prometheus-rules', bad);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `, 'm'));
    const missing = sevdrill('export', 'prometheus-rules', join(dir, 'missing.yaml'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${join(dir, 'missing.yaml')}:1:1: cannot read file: ENOENT`);
  });

  it('usage errors exit 2: nothing to export, an unknown target, two scenarios', () => {
    expect(sevdrill('export').code).toBe(2);
    const unknown = sevdrill('export', 'grafana-dashboard', 'retail-sev1');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('sevdrill exports prometheus-rules');
    expect(sevdrill('export', 'prometheus-rules', 'retail-sev1', 'order-pipeline').code).toBe(2);
  });

  it('--help explains the command and is listed in the top-level help', () => {
    const help = sevdrill('export', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: sevdrill export prometheus-rules <scenario.yaml|id> [--out FILE]');
    expect(sevdrill('--help').stdout).toContain('export prometheus-rules <scenario>');
  });
});
