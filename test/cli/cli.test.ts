/** The sevdrill CLI as a user runs it: real child processes, exit codes, stdout/stderr separation. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';

function sevdrill(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/sevdrill.mjs', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'sevdrill-cli-'));
const log = join(dir, 'run.jsonl');

describe('sevdrill CLI', () => {
  it('run writes a log and a summary; replay confirms it byte for byte', () => {
    const run = sevdrill('run', 'scenarios/retail-sev1.yaml', '--actions', 'scenarios/plans/retail-sev1.plan.yaml', '--out', log);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('first page         00:09:30 (product-price-errors)');
    expect(run.stdout).toContain('final state        resolved (Sev 1)');
    expect(run.stdout).not.toContain('\u001b[');
    const replay = sevdrill('replay', log);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/identical \(\d+ events\)/);
  });

  it('replay exits 1 and shows the first differing event', () => {
    const lines = readFileSync(log, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('"type":"journey.slo"'));
    lines[i] = (lines[i] as string).replace('"ok":false', '"ok":true');
    const tampered = join(dir, 'tampered.jsonl');
    writeFileSync(tampered, lines.join('\n'));
    const replay = sevdrill('replay', tampered);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain(`tampered.jsonl:${i + 1}: event differs`);
    expect(replay.stderr).toMatch(/log: +\{.*"ok":true/);
    expect(replay.stderr).toMatch(/replay: +\{.*"ok":false/);
  });

  it('run --json prints one JSON object on stdout and nothing else', () => {
    const run = sevdrill('run', 'scenarios/retail-sev1.yaml', '--until', '30m', '--seed', '3', '--json');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ scenarioId: 'retail-sev1', seed: 3, endedAt: 1_800_000, endReason: null, incidentState: 'detected' });
  });

  it.each([
    [['run'], 2, 'give exactly one scenario file'],
    [['run', 'scenarios/retail-sev1.yaml', '--seed', 'x'], 2, '--seed must be a whole number'],
    [['run', 'scenarios/retail-sev1.yaml', '--until', 'soon'], 2, 'is not a duration'],
    [['run', 'scenarios/retail-sev1.yaml', '--bogus'], 2, "Unknown option '--bogus'"],
    [['frobnicate'], 2, 'unknown command "frobnicate"'],
    [['run', 'nope.yaml'], 1, 'nope.yaml:1:1: cannot read file'],
    [['run', 'scenarios/retail-sev1.yaml', '--actions', 'scenarios/plans/auth-cert-expiry.plan.yaml'], 1, 'this plan is for scenario "auth-cert-expiry"'],
    [['run', 'test/fixtures/invalid/cycle.yaml'], 1, 'dependency cycle'],
    [['replay', 'nope.jsonl'], 1, 'cannot read file'],
    [['validate'], 2, 'no files given'],
  ])('%j exits %i', (args, code, message) => {
    const r = sevdrill(...args);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it.each(['run', 'replay', 'validate'])('%s --help documents the exit codes', (command) => {
    const r = sevdrill(command, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/exit codes/);
  });
});
