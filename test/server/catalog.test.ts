/**
 * The scenario catalog: SEVDRILL_SCENARIOS adds directories to the shipped ones; broken files are
 * reported (log and API) with the diagnostics `sevdrill validate` prints; a scenario id belongs to its
 * first file; files added, changed and removed while the server runs are picked up, while a drill keeps
 * the scenario it was created with; watchers are closed with the server and never keep a process alive.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioList } from '../../engine/protocol/messages.ts';
import type { RunningServer } from '../../engine/server/app.ts';
import { Catalog, checkOnWorkers } from '../../engine/server/catalog.ts';
import { configFromEnv } from '../../engine/server/config.ts';
import { createLogger } from '../../engine/server/logger.ts';
import { ROOT } from '../helpers.ts';
import { createDrill, get, sleep, startTestServer, until } from './harness.ts';

const SHIPPED_DIR = join(ROOT, 'scenarios');
const SHIPPED = ['auth-cert-expiry', 'checkout-retry-storm', 'order-pipeline', 'retail-change-window', 'retail-sev1'];
const BASE = readFileSync(join(SHIPPED_DIR, 'checkout-retry-storm.yaml'), 'utf8');

/** The smallest shipped scenario under another id and title. */
function scenarioText(id: string, title = `Drill ${id}`): string {
  const text = BASE.replace(/^id: checkout-retry-storm$/m, `id: ${id}`).replace(/^title: .*$/m, `title: "${title}"`);
  if (!text.includes(`id: ${id}`) || !text.includes(title)) throw new Error('the base scenario changed shape: update this test');
  return text;
}

/** A scenario that parses but fails its checks: an alert on a service that does not exist. */
const lintBroken = (id: string) => scenarioText(id).replace('{ service: payments, kind: hard, timeout: 1500ms', '{ service: paymints, kind: hard, timeout: 1500ms');

/** The path as the server shows it: relative to the working directory when inside it. */
const shown = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));

/** What `sevdrill validate` prints on stderr for these files, one diagnostic a line. */
function validateLines(...files: string[]): string[] {
  const r = spawnSync(process.execPath, ['bin/sevdrill.mjs', 'validate', ...files], { cwd: process.cwd(), encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return r.stderr.split('\n').filter((l) => l !== '');
}

const listOf = async (server: RunningServer) => (await get(server, '/api/scenarios')).json as ScenarioList;
const ids = (list: ScenarioList) => list.scenarios.map((s) => s.id).sort();
const messagesOf = (lines: string[]) => lines.map((l) => (JSON.parse(l) as { msg: string }).msg);

describe('SEVDRILL_SCENARIOS', () => {
  it('adds directories, in order, to the shipped ones, which always load', () => {
    const a = mkdtempSync(join(tmpdir(), 'sevdrill-a-'));
    const b = mkdtempSync(join(tmpdir(), 'sevdrill-b-'));
    expect(configFromEnv({}).scenarioDirs).toEqual([SHIPPED_DIR]);
    expect(configFromEnv({ SEVDRILL_SCENARIOS: '' }).scenarioDirs).toEqual([SHIPPED_DIR]);
    expect(configFromEnv({ SEVDRILL_SCENARIOS: `${b}${delimiter}${a}` }).scenarioDirs).toEqual([SHIPPED_DIR, b, a]);
    // Empty entries are skipped; a directory named twice (or the shipped one, or one behind a symlink) loads once.
    const link = join(mkdtempSync(join(tmpdir(), 'sevdrill-link-')), 'to-a');
    symlinkSync(a, link);
    expect(configFromEnv({ SEVDRILL_SCENARIOS: [a, '', SHIPPED_DIR, a, link, b, ''].join(delimiter) }).scenarioDirs).toEqual([SHIPPED_DIR, a, b]);
  });

  it('stops the server at startup, naming the variable, when an entry is not a directory', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sevdrill-f-')), 'x.yaml');
    writeFileSync(file, 'x');
    expect(() => configFromEnv({ SEVDRILL_SCENARIOS: '/no/such/dir' })).toThrow(/SEVDRILL_SCENARIOS entry "\/no\/such\/dir" is not a directory/);
    expect(() => configFromEnv({ SEVDRILL_SCENARIOS: file })).toThrow(/SEVDRILL_SCENARIOS entry ".*x\.yaml" is not a directory/);
  });
});

describe('a server with an extra scenario directory', () => {
  let server: RunningServer;
  let dir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sevdrill-scenarios-'));
    writeFileSync(join(dir, 'mine.yaml'), scenarioText('mine'));
    writeFileSync(join(dir, 'broken.yaml'), lintBroken('broken'));
    writeFileSync(join(dir, 'syntax.yaml'), 'id: syntax\ntitle: [unclosed\n');
    // Same id as a shipped scenario: the shipped one keeps it.
    writeFileSync(join(dir, 'copy-of-storm.yaml'), `# a copy\n${BASE}`);
    // Not scenarios: a plan, a schema, a hidden editor file, a sub-directory.
    writeFileSync(join(dir, 'mine.plan.yaml'), 'commands: []\n');
    writeFileSync(join(dir, 'x.schema.json'), '{}');
    writeFileSync(join(dir, '.#mine.yaml'), 'junk');
    mkdirSync(join(dir, 'plans.yaml'));
    server = await startTestServer({ scenarioDirs: [SHIPPED_DIR, dir], scenarioWatchDebounceMs: 20 }, (line) => logs.push(line));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers the shipped scenarios and the added one', async () => {
    expect(ids(await listOf(server))).toEqual([...SHIPPED, 'mine'].sort());
    expect((await get(server, '/api/scenarios/mine')).status).toBe(200);
  });

  it('lists every file that could not be loaded, with the diagnostics `sevdrill validate` prints', async () => {
    const { broken } = await listOf(server);
    expect(broken.map((b) => b.file)).toEqual(['broken.yaml', 'copy-of-storm.yaml', 'syntax.yaml'].map((f) => shown(join(dir, f))));
    for (const name of ['broken.yaml', 'syntax.yaml']) {
      const file = shown(join(dir, name));
      const entry = broken.find((b) => b.file === file);
      expect(entry?.messages.length, name).toBeGreaterThan(0);
      expect(entry?.messages, name).toEqual(validateLines(file));
      expect(entry?.diagnostics.map((d) => d.file), name).toEqual(entry?.messages.map(() => file));
    }
    expect(broken.find((b) => b.file.endsWith('broken.yaml'))?.messages.join('\n')).toMatch(/paymints/);
  });

  it('reports a second file with a taken id at its `id`, naming the file that holds it', async () => {
    const copy = (await listOf(server)).broken.find((b) => b.file.endsWith('copy-of-storm.yaml'));
    expect(copy?.diagnostics).toEqual([
      {
        file: shown(join(dir, 'copy-of-storm.yaml')),
        line: 7,
        col: 5,
        message: `scenario id "checkout-retry-storm" is already taken by ${shown(join(SHIPPED_DIR, 'checkout-retry-storm.yaml'))}; give this scenario an id of its own`,
        path: 'id',
        severity: 'error',
      },
    ]);
    // The shipped one is the one offered.
    const storm = (await get(server, '/api/scenarios/checkout-retry-storm')).json as { title: string };
    expect(storm.title).toBe('Checkout retry storm: a slow fraud model takes payments down');
  });

  it('logged every diagnostic at startup, and a summary', () => {
    const lines = logs.map((l) => JSON.parse(l) as { level: number; msg: string; scenarioFile?: string });
    const warned = lines.filter((l) => l.level === 40).map((l) => l.msg);
    for (const name of ['broken.yaml', 'syntax.yaml']) for (const line of validateLines(shown(join(dir, name)))) expect(warned).toContain(line);
    expect(warned.some((m) => m.includes('is already taken by'))).toBe(true);
    expect(warned).toContain(`scenario file ${shown(join(dir, 'syntax.yaml'))} could not be loaded (1 problem); the lobby lists it under "could not load" until it is fixed`);
    expect(lines.find((l) => l.msg.startsWith('scenario catalog: 6 scenarios'))?.msg).toMatch(/; 3 files could not be loaded$/);
  });

  it('picks up files added, changed, fixed and removed while it runs; a drill keeps the scenario it started with', async () => {
    const later = join(dir, 'later.yaml');
    writeFileSync(later, scenarioText('later', 'Later, first version'));
    await until(async () => ids(await listOf(server)).includes('later'), 15_000);

    const drill = await createDrill(server, { scenarioId: 'later', speed: 60 });
    const fullScenario = async () => ((await get(server, `/api/sessions/${drill.sessionId}/scenario`, { authorization: `Bearer ${drill.facilitatorToken}` })).json as { title: string }).title;

    writeFileSync(later, scenarioText('later', 'Later, second version'));
    await until(async () => (await listOf(server)).scenarios.find((s) => s.id === 'later')?.title === 'Later, second version', 15_000);
    expect(await fullScenario()).toBe('Later, first version');

    // Broken: withdrawn and listed; the running drill is untouched.
    writeFileSync(later, lintBroken('later'));
    const expected = validateLines(shown(later));
    expect(expected.join('\n')).toMatch(/paymints/);
    await until(async () => JSON.stringify((await listOf(server)).broken.find((b) => b.file === shown(later))?.messages) === JSON.stringify(expected), 15_000);
    expect(ids(await listOf(server))).not.toContain('later');
    expect((await get(server, '/api/scenarios/later')).status).toBe(404);
    expect(await fullScenario()).toBe('Later, first version');

    // Fixed, then removed.
    writeFileSync(later, scenarioText('later', 'Later, fixed'));
    await until(async () => (await listOf(server)).scenarios.some((s) => s.title === 'Later, fixed'), 15_000);
    expect((await listOf(server)).broken.some((b) => b.file === shown(later))).toBe(false);
    unlinkSync(later);
    await until(async () => !ids(await listOf(server)).includes('later'), 15_000);
    expect(await fullScenario()).toBe('Later, first version');

    const said = messagesOf(logs);
    expect(said).toContain(`scenario later added (${shown(later)})`);
    expect(said.some((m) => m.startsWith(`scenario later reloaded from ${shown(later)}`))).toBe(true);
    expect(said).toContain(`scenario file ${shown(later)} could not be loaded (1 problem); the lobby lists it under "could not load" until it is fixed`);
    expect(said.some((m) => m.startsWith(`scenario later withdrawn (${shown(later)}`))).toBe(true);
  });

  it('lets a second file with an id load once the first one is gone', async () => {
    writeFileSync(join(dir, 'a-first.yaml'), scenarioText('twin', 'Twin A'));
    writeFileSync(join(dir, 'b-second.yaml'), scenarioText('twin', 'Twin B'));
    await until(async () => (await listOf(server)).broken.some((b) => b.file.endsWith('b-second.yaml')), 15_000);
    expect((await listOf(server)).scenarios.find((s) => s.id === 'twin')?.title).toBe('Twin A');
    unlinkSync(join(dir, 'a-first.yaml'));
    await until(async () => (await listOf(server)).scenarios.find((s) => s.id === 'twin')?.title === 'Twin B', 15_000);
    expect((await listOf(server)).broken.some((b) => b.file.endsWith('b-second.yaml'))).toBe(false);
  });
});

describe('closing the server', () => {
  it('stops watching its scenario directories', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sevdrill-close-'));
    const logs: string[] = [];
    const server = await startTestServer({ scenarioDirs: [SHIPPED_DIR, dir], scenarioWatchDebounceMs: 10 }, (line) => logs.push(line));
    writeFileSync(join(dir, 'before.yaml'), scenarioText('before'));
    await until(() => messagesOf(logs).some((m) => m.startsWith('scenario before added')), 15_000);
    await server.close();
    writeFileSync(join(dir, 'after.yaml'), lintBroken('after'));
    unlinkSync(join(dir, 'before.yaml'));
    await sleep(300);
    expect(messagesOf(logs).filter((m) => m.includes('after.yaml') || m.includes('withdrawn'))).toEqual([]);
  });
});

describe('the catalog on its own', () => {
  const quiet = createLogger({ level: 'silent' });

  it('stops noticing changes once closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sevdrill-closed-'));
    const catalog = new Catalog([dir], quiet, { debounceMs: 10 });
    catalog.watch();
    writeFileSync(join(dir, 'one.yaml'), scenarioText('one'));
    await until(() => catalog.get('one') !== undefined, 15_000);
    catalog.close();
    writeFileSync(join(dir, 'two.yaml'), scenarioText('two'));
    unlinkSync(join(dir, 'one.yaml'));
    await sleep(300);
    expect(catalog.get('two')).toBeUndefined();
    expect(catalog.get('one')).toBeDefined();
  });

  it('reads a directory again when the checker is busy, and reports a file over its limits naming the setting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sevdrill-busy-'));
    const limits = { workers: 1, timeoutMs: 250, maxOldGenerationMb: 64, maxQueue: 0 };
    let calls = 0;
    const pool = { validate: async () => (++calls <= 2 ? { kind: 'busy' as const } : { kind: 'timeout' as const }) };
    const catalog = new Catalog([dir], quiet, { debounceMs: 10, load: checkOnWorkers(pool, limits, () => false) });
    catalog.watch();
    try {
      writeFileSync(join(dir, 'slow.yaml'), scenarioText('slow'));
      // Busy twice (each time read again a second later), then over the time limit.
      await until(() => catalog.broken().length > 0, 15_000);
      expect(calls).toBeGreaterThanOrEqual(3);
      expect(catalog.broken()[0]?.messages).toEqual([
        `${shown(join(dir, 'slow.yaml'))}:1:1: not checked: checking it took longer than 250 ms (SEVDRILL_VALIDATE_TIMEOUT_MS); raise it, or restart the server to load the file at startup`,
      ]);
    } finally {
      catalog.close();
    }
  });

  it('a failed worker falls back to this thread; a full queue is retried', async () => {
    const limits = { workers: 1, timeoutMs: 250, maxOldGenerationMb: 64, maxQueue: 0 };
    const failed = checkOnWorkers({ validate: async () => ({ kind: 'failed', message: 'boom' }) }, limits, () => false);
    const result = await failed(scenarioText('fallback'), 'fallback.yaml');
    expect(result !== 'retry' && result.ok && result.scenario.id).toBe('fallback');
    expect(await checkOnWorkers({ validate: async () => ({ kind: 'failed', message: 'shutting down' }) }, limits, () => true)('x', 'x.yaml')).toBe('retry');
    expect(await checkOnWorkers({ validate: async () => ({ kind: 'busy' }) }, limits, () => false)('x', 'x.yaml')).toBe('retry');
  });

  it('never keeps a process alive: one that watches and never closes still exits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sevdrill-exit-'));
    const script = `
      import { Catalog } from './engine/server/catalog.ts';
      import { createLogger } from './engine/server/logger.ts';
      const catalog = new Catalog([${JSON.stringify(dir)}], createLogger({ level: 'silent' }), { debounceMs: 10 });
      catalog.watch();
      console.log('watching');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.error).toBeUndefined();
    expect(r.signal).toBeNull();
    expect(r.stdout.trim()).toBe('watching');
    expect(r.status).toBe(0);
  });
});
