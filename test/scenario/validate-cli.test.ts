import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runValidate } from '../../engine/cli/validate.ts';

let stdout = '';
let stderr = '';

beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  vi.stubEnv('NO_COLOR', '1');
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const valid = 'test/fixtures/valid/minimal.yaml';
const invalid = 'test/fixtures/invalid/cycle.yaml';

describe('sevdrill validate', () => {
  it('exits 0 and says ok for valid scenario and plan files', async () => {
    const plan = 'test/fixtures/valid/minimal.plan.yaml';
    expect(await runValidate([valid, plan])).toBe(0);
    expect(stdout).toBe(`${valid}: ok\n${plan}: ok (checked against ${valid})\n`);
    expect(stderr).toBe('');
  });

  it('exits 1 and prints each diagnostic on stderr for an invalid file', async () => {
    expect(await runValidate([valid, invalid])).toBe(1);
    expect(stdout).toBe(`${valid}: ok\n`);
    expect(stderr).toBe(readFileSync('test/fixtures/invalid/cycle.expected.txt', 'utf8'));
  });

  it('validates *.plan.yaml files as plans', async () => {
    expect(await runValidate(['test/fixtures/invalid/bad.plan.yaml'])).toBe(1);
    expect(stderr).toBe(readFileSync('test/fixtures/invalid/bad.plan.expected.txt', 'utf8'));
  });

  it('exits 1 for a file it cannot read', async () => {
    expect(await runValidate(['test/fixtures/no-such-file.yaml'])).toBe(1);
    expect(stderr).toBe('test/fixtures/no-such-file.yaml:1:1: cannot read file: no such file\n');
    expect(await runValidate(['test/fixtures'])).toBe(1);
    expect(stderr).toContain('test/fixtures:1:1: cannot read file: it is a directory');
  });

  it('exits 2 with a usage line for no files or an unknown flag', async () => {
    expect(await runValidate([])).toBe(2);
    expect(stderr).toMatch(/no files given\nusage: sevdrill validate/);
    stderr = '';
    expect(await runValidate(['--jsn', valid])).toBe(2);
    expect(stderr).toMatch(/unknown option --jsn\nusage: sevdrill validate/);
    expect(stdout).toBe('');
  });

  it('prints usage and exit codes for --help', async () => {
    expect(await runValidate(['--help'])).toBe(0);
    expect(stdout).toMatch(/^usage: sevdrill validate/);
    expect(stdout).toMatch(/exit codes/);
  });

  it('prints only one JSON object on stdout with --json', async () => {
    expect(await runValidate(['--json', valid, invalid])).toBe(1);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as { files: { file: string; ok: boolean; diagnostics: { line: number; message: string }[] }[] };
    expect(report.files.map((f) => [f.file, f.ok, f.diagnostics.length])).toEqual([
      [valid, true, 0],
      [invalid, false, 2],
    ]);
    expect(report.files[1]?.diagnostics[0]).toMatchObject({ line: 11, col: 20, severity: 'error', path: 'services[0].dependencies[0].service' });
  });

  it('colours the severity only on a terminal without NO_COLOR', async () => {
    const wasTty = process.stderr.isTTY;
    process.stderr.isTTY = true;
    try {
      vi.stubEnv('NO_COLOR', '');
      await runValidate([invalid]);
      expect(stderr).toContain('\u001b[31merror:\u001b[0m dependency cycle');
      stderr = '';
      vi.stubEnv('NO_COLOR', '1');
      await runValidate([invalid]);
      expect(stderr).not.toContain('\u001b[');
    } finally {
      process.stderr.isTTY = wasTty;
    }
  });

  it('treats arguments after -- as files', async () => {
    expect(await runValidate(['--', '--json'])).toBe(1);
    expect(stderr).toBe('--json:1:1: cannot read file: no such file\n');
  });
});

describe('sevdrill validate: plans against their scenario', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  /** A fresh directory holding the minimal scenario (id "minimal"), plus the files given. */
  function workspace(files: Record<string, string> = {}): string {
    const dir = mkdtempSync(join(tmpdir(), 'sevdrill-validate-'));
    made.push(dir);
    copyFileSync(valid, join(dir, 'minimal.yaml'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  }
  const badPlan = [
    'commands:',
    '  - { at: 1m, actor: a, type: declare, params: { severity: 5 } }',
    '  - { at: 2m, actor: a, type: reboot, target: api }',
    '  - { at: 3m, actor: a, type: diagnose, target: apii }',
    '  - { at: 4m, actor: a, type: restart, target: web }',
    '  - { at: 5m, actor: a, type: rollback }',
    '  - { at: 6m, actor: b, type: approve, params: { request: "rollback:api" } }',
    '  - { at: 7m, actor: b, type: inject, params: { fault: bad-deploi } }',
    '',
  ].join('\n');

  it('reports every problem of a plan given beside its scenario as file:line:col: message, and exits 1', async () => {
    const dir = workspace({ 'bad.plan.yaml': badPlan });
    const scenario = join(dir, 'minimal.yaml');
    const plan = join(dir, 'bad.plan.yaml');
    expect(await runValidate([scenario, plan])).toBe(1);
    expect(stdout).toBe(`${scenario}: ok\n`);
    // The plan's schema comes first: the checks against the scenario run on a plan that passes it.
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      `${plan}:2:60: params.severity must be 1, 2, 3 or 4 (1 is the most severe) (at commands[0].params.severity)`,
      expect.stringMatching(new RegExp(`^${plan.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:31: invalid value "reboot": expected one of "start", `)),
      `${plan}:6:5: rollback needs a target: the service it acts on (at commands[4])`,
    ]);
    stderr = '';
    // Fixed, the plan gets the checks against the scenario.
    writeFileSync(plan, badPlan.replace(/^.*(severity: 5|reboot|type: rollback ).*\n/gm, ''));
    expect(await runValidate([scenario, plan])).toBe(1);
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      `${plan}:2:49: unknown service "apii": the scenario has no such service (did you mean "api"?) (at commands[0].target)`,
      `${plan}:3:48: no restart action on "web" in this scenario; restart is available on "api" (at commands[1].target)`,
      `${plan}:4:59: request "rollback:api" never exists: that action needs no approval (it has no "approval: true"), so it starts at once (at commands[2].params.request)`,
      `${plan}:5:56: unknown fault "bad-deploi": the scenario has no such fault (did you mean "bad-deploy"?) (at commands[3].params.fault)`,
    ]);
  });

  it('finds the scenario a plan names next to it, then in its parent directory, then in the shipped scenarios/', async () => {
    const plan = (scenario: string) => `scenario: ${scenario}\ncommands:\n  - { at: 1m, actor: a, type: diagnose, target: api }\n`;
    const dir = workspace({ 'plans/minimal.plan.yaml': plan('minimal'), 'plans/retail.plan.yaml': plan('retail-sev1') });
    const inParent = join(dir, 'plans', 'minimal.plan.yaml');
    const shipped = join(dir, 'plans', 'retail.plan.yaml');
    expect(await runValidate([inParent])).toBe(0);
    expect(stdout).toBe(`${inParent}: ok (checked against ${join(dir, 'minimal.yaml')})\n`);
    stdout = '';
    // retail-sev1 has no service "api": the plan was checked against the shipped scenario.
    expect(await runValidate([shipped])).toBe(1);
    expect(stderr).toBe(`${shipped}:3:49: unknown service "api": the scenario has no such service (at commands[0].target)\n`);
    stderr = '';
    // Next to the plan wins over the parent directory.
    copyFileSync(valid, join(dir, 'plans', 'minimal.yaml'));
    expect(await runValidate([inParent])).toBe(0);
    expect(stdout).toBe(`${inParent}: ok (checked against ${join(dir, 'plans', 'minimal.yaml')})\n`);
  });

  it('prefers a scenario given on the command line with the id the plan names, whatever its file name', async () => {
    const dir = workspace({ 'p.plan.yaml': 'scenario: minimal\ncommands: []\n' });
    const other = join(dir, 'other-name.yaml');
    copyFileSync(valid, other);
    expect(await runValidate([other, join(dir, 'p.plan.yaml')])).toBe(0);
    expect(stdout).toBe(`${other}: ok\n${join(dir, 'p.plan.yaml')}: ok (checked against ${other})\n`);
  });

  it('fails a plan whose named scenario cannot be found, or has errors, at its scenario field', async () => {
    const dir = workspace({ 'a.plan.yaml': '# a plan\nscenario: nowhere\ncommands: []\n', 'b.plan.yaml': 'scenario: broken\ncommands: []\n', 'broken.yaml': 'id: broken\n' });
    const a = join(dir, 'a.plan.yaml');
    const b = join(dir, 'b.plan.yaml');
    expect(await runValidate([a, b])).toBe(1);
    expect(stdout).toBe('');
    const [first, second, ...rest] = stderr.split('\n');
    expect(first).toMatch(new RegExp(`^${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:11: unknown scenario "nowhere": no scenario given on the command line has this id, and there is no nowhere\\.yaml \\(or \\.yml, \\.json\\) in .+, .+ or scenarios/ \\(at scenario\\)$`));
    expect(second).toBe(`${b}:1:11: cannot check this plan against scenario "broken": ${join(dir, 'broken.yaml')} has errors (run: sevdrill validate ${join(dir, 'broken.yaml')}) (at scenario)`);
    expect(rest).toEqual(['']);
  });

  it('without a scenario field: the given scenario named like the plan, else the only one given, else the plan alone', async () => {
    const dir = workspace({ 'minimal.plan.yaml': 'commands:\n  - { at: 1m, actor: a, type: diagnose, target: pricing }\n' });
    const plan = join(dir, 'minimal.plan.yaml');
    const retail = 'scenarios/retail-sev1.yaml';
    // Named like the plan (minimal), among several: minimal has no "pricing".
    expect(await runValidate([retail, join(dir, 'minimal.yaml'), plan])).toBe(1);
    expect(stderr).toContain(`${plan}:2:49: unknown service "pricing"`);
    stdout = '';
    stderr = '';
    // The only one given: retail-sev1 has "pricing".
    expect(await runValidate([retail, plan])).toBe(0);
    expect(stdout).toBe(`${retail}: ok\n${plan}: ok (checked against ${retail})\n`);
    stdout = '';
    // None given: the plan alone, and the output says so.
    expect(await runValidate([plan])).toBe(0);
    expect(stdout).toBe(`${plan}: ok (not checked against a scenario)\n`);
    expect(stderr).toBe('');
  });

  it('--json says what each plan was checked against', async () => {
    const plan = 'test/fixtures/valid/minimal.plan.yaml';
    expect(await runValidate(['--json', valid, plan, 'test/fixtures/invalid/bad.plan.yaml'])).toBe(1);
    const report = JSON.parse(stdout) as { files: { file: string; ok: boolean; checkedAgainst?: string | null }[] };
    expect(report.files.map((f) => [f.file, f.ok, f.checkedAgainst])).toEqual([
      [valid, true, undefined],
      [plan, true, valid],
      ['test/fixtures/invalid/bad.plan.yaml', false, null],
    ]);
  });

  it('the shipped plans validate clean against the shipped scenarios, given together or alone', async () => {
    const scenarios = readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).map((f) => `scenarios/${f}`);
    const plans = readdirSync('scenarios/plans').filter((f) => f.endsWith('.plan.yaml')).map((f) => `scenarios/plans/${f}`);
    expect(plans.length).toBeGreaterThanOrEqual(4);
    // `<id>.<variant>.plan.yaml` is checked against `<id>.yaml`.
    const against = (p: string) => `scenarios/${(p.replace('scenarios/plans/', '').split('.')[0] as string)}.yaml`;
    expect(await runValidate([...scenarios, ...plans])).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe([...scenarios.map((f) => `${f}: ok\n`), ...plans.map((p) => `${p}: ok (checked against ${against(p)})\n`)].join(''));
    stdout = '';
    expect(await runValidate(plans)).toBe(0);
    expect(stdout).toBe(plans.map((p) => `${p}: ok (checked against ${against(p)})\n`).join(''));
    expect(stderr).toBe('');
  });
});
