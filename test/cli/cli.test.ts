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
    expect(run.stdout).toContain('first page         00:09:20 (checkout-errors)');
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

  it('run lists each rejected command with its time, actor, command, target and the engine\'s reason', () => {
    const plan = join(dir, 'mistakes.plan.yaml');
    writeFileSync(
      plan,
      [
        'scenario: retail-sev1',
        'commands:',
        '  - { at: 1m, actor: alice, type: ack }',
        '  - { at: 2m, actor: alice, type: diagnose, target: nowhere }',
        '  - { at: 3m, actor: bob, type: restart, target: checkout }',
        '  - { at: 3m10s, actor: bob, type: restart, target: checkout }',
        '  - { at: 4m, actor: carol, type: approve, params: { request: "rollback:pricing" } }',
        '',
      ].join('\n'),
    );
    const run = sevdrill('run', 'scenarios/retail-sev1.yaml', '--actions', plan, '--until', '10m');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      [
        'commands: 2 accepted, 4 rejected',
        '  00:01:00  alice  ack                       no-incident: nothing has paged yet',
        '  00:02:00  alice  diagnose nowhere          unknown-target: no service "nowhere"',
        '  00:03:10  bob    restart checkout          action-in-progress: restart:checkout is already running',
        '  00:04:00  carol  approve rollback:pricing  unknown-request: no pending request "rollback:pricing"',
        '',
      ].join('\n'),
    );
    const json = sevdrill('run', 'scenarios/retail-sev1.yaml', '--actions', plan, '--until', '10m', '--json');
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout) as { commands: { accepted: number; rejected: number; rejections: unknown[] } };
    expect(summary.commands).toMatchObject({ accepted: 2, rejected: 4 });
    expect(summary.commands.rejections).toEqual([
      { t: 60_000, actor: 'alice', type: 'ack', code: 'no-incident', message: 'nothing has paged yet' },
      { t: 120_000, actor: 'alice', type: 'diagnose', target: 'nowhere', code: 'unknown-target', message: 'no service "nowhere"' },
      { t: 190_000, actor: 'bob', type: 'restart', target: 'checkout', code: 'action-in-progress', message: 'restart:checkout is already running' },
      { t: 240_000, actor: 'carol', type: 'approve', params: { request: 'rollback:pricing' }, code: 'unknown-request', message: 'no pending request "rollback:pricing"' },
    ]);
  });

  it('run with no rejected command lists none', () => {
    const run = sevdrill('run', 'scenarios/retail-sev1.yaml', '--actions', 'scenarios/plans/retail-sev1.plan.yaml', '--until', '30m', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).commands).toMatchObject({ rejected: 0, rejections: [] });
  });

  it('run lists each plan command it never sent: waiting for an event that had not come, or due after it stopped', () => {
    const run = sevdrill('run', 'scenarios/retail-sev1.yaml', '--actions', 'scenarios/plans/retail-sev1.plan.yaml', '--until', '20m');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      [
        'not sent: 3 plan commands',
        '  carol  status-update: its event (mitigated + 50s) had not come by 00:20:00',
        '  alice  resolve: its event (mitigated + 5m50s) had not come by 00:20:00',
        '  carol  status-update: its event (mitigated + 6m50s) had not come by 00:20:00',
      ].join('\n'),
    );
    const plan = join(dir, 'late.plan.yaml');
    writeFileSync(plan, 'commands:\n  - { at: 1m, actor: a, type: ack }\n  - { at: 30m, actor: a, type: resolve }\n');
    const json = sevdrill('run', 'scenarios/retail-sev1.yaml', '--actions', plan, '--until', '10m', '--json');
    expect(JSON.parse(json.stdout).commands.unsent).toEqual([{ actor: 'a', type: 'resolve', at: 1_800_000, why: 'due at 00:30:00, after the run stopped at 00:10:00' }]);
    expect(JSON.parse(sevdrill('run', 'scenarios/retail-sev1.yaml', '--actions', 'scenarios/plans/retail-sev1.plan.yaml', '--json').stdout).commands.unsent).toEqual([]);
  });

  it('validate checks a plan against the scenario it names, and exits 1 on a problem', () => {
    const ok = sevdrill('validate', 'scenarios/plans/retail-sev1.plan.yaml');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('scenarios/plans/retail-sev1.plan.yaml: ok (checked against scenarios/retail-sev1.yaml)\n');
    const plan = join(dir, 'typo.plan.yaml');
    writeFileSync(plan, 'scenario: retail-sev1\ncommands:\n  - { at: 1m, actor: a, type: rollback, target: pricng }\n');
    const bad = sevdrill('validate', plan);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(`${plan}:3:49: unknown service "pricng": the scenario has no such service (did you mean "pricing"?) (at commands[0].target)\n`);
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
