import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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
    expect(stdout).toBe(`${valid}: ok\n${plan}: ok\n`);
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
