/**
 * Server-wide limits, at the issue's bars: 1,000 create attempts from one address leave at most the
 * configured number of drills (per-address rate, open-drill cap, admin token; campaigns count each of
 * their drills); a restart on a file of 1,000 ended drills stays under 200 MiB, and an archived drill
 * stays readable; and 8 parallel 500 KiB scenario validations leave a live drill's ticks on time.
 * Measured figures are printed (`npx vitest run test/server/limits.test.ts`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { replayLog } from '../../engine/core/log/replay.ts';
import { startServer } from '../../engine/server/app.ts';
import { configFromEnv } from '../../engine/server/config.ts';
import type { LiveDrill } from '../../engine/server/drill.ts';
import type { Store } from '../../engine/server/store.ts';
import { ROOT, bigScenario } from '../helpers.ts';
import { createDrill, get, sleep, testConfig, until, withServer } from './harness.ts';
import { describeLateness, lateness, recordTicks, timeDurableWrites } from './timing.ts';

const DEFAULTS = configFromEnv({});
const ADMIN_TOKEN = 'limits-test-admin-token-0123456789';
const SCENARIOS = ['retail-sev1', 'auth-cert-expiry', 'checkout-retry-storm'];

interface Answer {
  status: number;
  code?: string;
  retryAfter: string | null;
}

async function post(server: { url: string }, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer & { json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  const error = json.error as { code?: string } | undefined;
  return { status: res.status, code: error?.code ?? (json.code as string | undefined), retryAfter: res.headers.get('retry-after'), json };
}

/** `count` POST /api/sessions from this one address, `parallel` at a time; half claim another address in X-Forwarded-For. */
async function attempts(server: { url: string }, count: number, parallel = 20): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        const spoof: Record<string, string> = i % 2 ? { 'x-forwarded-for': `203.0.113.${i % 250}` } : {};
        const { json: _json, ...answer } = await post(server, '/api/sessions', { scenarioId: SCENARIOS[i % 3], team: 'spam' }, spoof);
        answers.push(answer);
      }
    }),
  );
  return answers;
}

const tally = (answers: Answer[]) => {
  const counts: Record<string, number> = {};
  for (const a of answers) counts[`${a.status}${a.code ? ` ${a.code}` : ''}`] = (counts[`${a.status}${a.code ? ` ${a.code}` : ''}`] ?? 0) + 1;
  return counts;
};

/** Every drill the server lists, through the public paged listing. */
async function listed(server: { url: string }): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = (await get(server, `/api/sessions?limit=100${cursor ? `&before=${cursor}` : ''}`)).json as { sessions: { sessionId: string }[]; next: string | null };
    ids.push(...page.sessions.map((s) => s.sessionId));
    cursor = page.next;
  } while (cursor !== null);
  return ids;
}

function asFacilitator(drill: LiveDrill, type: string) {
  const f = drill.roster.facilitator;
  return drill.submit({ actor: f.name, participant: f.id, type });
}

describe('creation caps: 1,000 attempts from one address', () => {
  it('with the per-address rate (10 a minute): at most 10 drills, the rest 429 with Retry-After', async () => {
    const rate = { perSecond: 10 / 60, burst: 10 };
    await withServer(
      async (server) => {
        // Refused requests cost nothing: a typo in a form leaves the whole budget.
        for (let i = 0; i < 3; i++) expect(await post(server, '/api/sessions', { scenarioId: 'no-such-scenario' })).toMatchObject({ status: 400, code: 'unknown-scenario' });
        const started = performance.now();
        const answers = await attempts(server, 1_000);
        const seconds = (performance.now() - started) / 1000;
        const created = answers.filter((a) => a.status === 201).length;
        // The budget refills at 10 a minute while the attempts run.
        const allowed = rate.burst + Math.floor(seconds * rate.perSecond);
        const refused = answers.filter((a) => a.status !== 201);
        const waits = refused.map((a) => Number(a.retryAfter));
        console.log(`[create] rate 10/min: 1,000 attempts in ${seconds.toFixed(1)} s -> ${JSON.stringify(tally(answers))}; Retry-After ${Math.min(...waits)}-${Math.max(...waits)} s`);
        expect(answers.length).toBe(1_000);
        expect(created).toBeGreaterThanOrEqual(rate.burst);
        expect(created).toBeLessThanOrEqual(allowed);
        expect(refused.every((a) => a.status === 429 && a.code === 'too-many-creations')).toBe(true);
        expect(waits.every((w) => Number.isInteger(w) && w >= 1 && w <= 60)).toBe(true);
        // X-Forwarded-For is not trusted unless configured: the spoofing half shared the one budget.
        expect(await listed(server)).toHaveLength(created);
        expect(server.registry.list()).toHaveLength(created);
      },
      { createRate: rate, maxOpenDrills: DEFAULTS.maxOpenDrills },
    );
  });

  it('with maxOpenDrills 5 (and the rate lifted): exactly 5 open drills, the rest 503; ending one frees a place', async () => {
    await withServer(
      async (server) => {
        const answers = await attempts(server, 1_000);
        console.log(`[create] maxOpenDrills 5: 1,000 attempts -> ${JSON.stringify(tally(answers))}`);
        expect(answers.filter((a) => a.status === 201)).toHaveLength(5);
        expect(answers.filter((a) => a.status === 503 && a.code === 'too-many-open-drills')).toHaveLength(995);
        expect(server.registry.openDrills()).toBe(5);
        expect(await listed(server)).toHaveLength(5);

        const [first] = server.registry.list();
        if (!first) throw new Error('no drill');
        expect(asFacilitator(first, 'end').ok).toBe(true);
        expect(server.registry.openDrills()).toBe(4);
        expect(await post(server, '/api/sessions', { scenarioId: 'retail-sev1' })).toMatchObject({ status: 201 });
        expect(await post(server, '/api/sessions', { scenarioId: 'retail-sev1' })).toMatchObject({ status: 503, code: 'too-many-open-drills' });
        expect(server.registry.openDrills()).toBe(5);
        expect(await listed(server)).toHaveLength(6);
      },
      { maxOpenDrills: 5 },
    );
  });

  it('with an admin token: nothing without it; with it, drills and campaigns, each campaign drill counted against both limits', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const campaign = (n: number) => ({ team: 'blue', scenarioIds: SCENARIOS.slice(0, n) });
    // The rate: 5 drills, hardly refilling.
    await withServer(
      async (server) => {
        expect((await get(server, '/api/config')).json).toEqual({ createNeedsAdminToken: true, integrations: [] });
        const wrong: Record<string, string>[] = [{}, { authorization: 'Bearer not-the-admin-token-at-all' }, { authorization: ADMIN_TOKEN }];
        for (const headers of wrong) {
          expect(await post(server, '/api/sessions', { scenarioId: 'retail-sev1' }, headers)).toMatchObject({ status: 401, code: 'admin-token-required' });
          expect(await post(server, '/api/campaigns', campaign(2), headers)).toMatchObject({ status: 401, code: 'admin-token-required' });
        }
        expect(await listed(server)).toEqual([]);
        expect(server.registry.list()).toEqual([]);

        expect(await post(server, '/api/sessions', { scenarioId: 'retail-sev1' }, admin)).toMatchObject({ status: 201 });
        const made = await post(server, '/api/campaigns', campaign(3), admin);
        expect(made).toMatchObject({ status: 201 });
        expect(made.json.drills).toHaveLength(3);
        // One drill's worth of budget left: a campaign of two is too much, a drill is not.
        expect(await post(server, '/api/campaigns', campaign(2), admin)).toMatchObject({ status: 429, code: 'too-many-creations' });
        expect(await post(server, '/api/sessions', { scenarioId: 'retail-sev1' }, admin)).toMatchObject({ status: 201 });
        expect(await post(server, '/api/sessions', { scenarioId: 'retail-sev1' }, admin)).toMatchObject({ status: 429, code: 'too-many-creations' });
        expect(await post(server, '/api/campaigns', campaign(1), admin)).toMatchObject({ status: 429, code: 'too-many-creations' });
        expect(await listed(server)).toHaveLength(5);
      },
      { adminToken: ADMIN_TOKEN, createRate: { perSecond: 1 / 3600, burst: 5 } },
    );
    // The open-drill cap: 4.
    await withServer(
      async (server) => {
        expect(await post(server, '/api/campaigns', campaign(3), admin)).toMatchObject({ status: 201 });
        expect(await post(server, '/api/campaigns', campaign(2), admin)).toMatchObject({ status: 503, code: 'too-many-open-drills' });
        expect(await post(server, '/api/sessions', { scenarioId: 'retail-sev1' }, admin)).toMatchObject({ status: 201 });
        expect(await post(server, '/api/campaigns', campaign(1), admin)).toMatchObject({ status: 503, code: 'too-many-open-drills' });
        expect(await post(server, '/api/sessions', { scenarioId: 'retail-sev1' }, admin)).toMatchObject({ status: 503, code: 'too-many-open-drills' });
        expect(server.registry.openDrills()).toBe(4);
        expect(await listed(server)).toHaveLength(4);
      },
      { adminToken: ADMIN_TOKEN, maxOpenDrills: 4 },
    );
  });
});

// ── a restart on 1,000 drills, as a child process ────────────────────────────────────────────────

const children = new Set<ChildProcess>();
const dataDirs: string[] = [];

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `npm start`'s command on a data file, on an ephemeral port; resolves once it listens. */
function startChild(dataFile: string): Promise<{ child: ChildProcess; url: string; recovered: number; startMs: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', SEVDRILL_DATA: dataFile };
  for (const name of Object.keys(env)) if (name.startsWith('SEVDRILL_') && name !== 'SEVDRILL_DATA') delete env[name];
  // The bars are the drills' memory and start time: no seeds rated by difficulty in the background (a worker thread of its own).
  env.SEVDRILL_DIFFICULTY_SEEDS = '0';
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`no start within 30 s\n${stdout}\n${stderr}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before listening\n${stdout}\n${stderr}`)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const m = /listening on http:\/\/localhost:(\d+) .*?(\d+) drill\(s\) recovered/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ child, url: `http://127.0.0.1:${m[1]}`, recovered: Number(m[2]), startMs: performance.now() - started });
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  children.delete(child);
}

/** Resident memory of a process (Linux), in MiB. */
function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) / 1024;
}

/** The child's RSS once it has been listening and idle for a moment. */
async function settledRss(pid: number): Promise<number> {
  await sleep(1_500);
  return rssMiB(pid);
}

/** 1,000 drills in a fresh data file, made in-process; `end` ends each (and waits until all are archived). */
async function thousandDrills(end: boolean): Promise<{ dataFile: string; kept: { sessionId: string; facilitatorToken: string }; ms: number }> {
  const config = testConfig({ archiveAfterMs: 0 });
  dataDirs.push(dirname(config.dataFile));
  const server = await startServer(config, { log: () => {} });
  const started = performance.now();
  let kept: { sessionId: string; facilitatorToken: string } | undefined;
  try {
    // A hundred drills to a transaction, not three transactions per drill (a slow disk made this take 30 s).
    const store = (server.registry as unknown as { store: Store }).store;
    for (let batch = 0; batch < 10; batch++) {
      store.transaction(() => {
        for (let i = batch * 100; i < (batch + 1) * 100; i++) {
          const result = server.registry.create({ scenarioId: SCENARIOS[i % 3], speed: 1, team: `team ${i % 7}` }, new Date());
          if (!result.ok) throw new Error(`create: ${result.code}`);
          const drill = server.registry.get(result.created.sessionId) as LiveDrill;
          if (!asFacilitator(drill, 'start').ok || (end && !asFacilitator(drill, 'end').ok)) throw new Error(`drill ${i} did not start or end`);
          kept ??= { sessionId: result.created.sessionId, facilitatorToken: result.created.facilitatorToken };
        }
      });
    }
    if (end) expect(server.registry.list().every((d) => d.status === 'ended')).toBe(true);
    // Ended drills are gzipped into the archive off the event loop, then leave memory.
    if (end) await until(() => (server.registry.sweep(), server.registry.list().length === 0), 30_000, 50);
    else expect(server.registry.openDrills()).toBe(1_000);
  } finally {
    await server.close();
  }
  return { dataFile: config.dataFile, kept: kept as { sessionId: string; facilitatorToken: string }, ms: performance.now() - started };
}

describe('a restart on 1,000 ended drills', () => {
  it('uses less than 200 MiB, and an archived drill stays readable', async () => {
    const ended = await thousandDrills(true);
    const restart = await startChild(ended.dataFile);
    const rss = await settledRss(restart.child.pid as number);
    const auth = { authorization: `Bearer ${ended.kept.facilitatorToken}` };
    const base = { url: restart.url };
    const log = await get(base, `/api/sessions/${ended.kept.sessionId}/log`, auth);
    const score = await get(base, `/api/sessions/${ended.kept.sessionId}/score`, auth);
    const report = await get(base, `/api/sessions/${ended.kept.sessionId}/report`, auth);
    const listing = (await get(base, `/api/sessions/${ended.kept.sessionId}`)).json as { status: string };
    const afterReads = rssMiB(restart.child.pid as number);
    await stopChild(restart.child);

    // For comparison: the same 1,000 drills had they still been running.
    const running = await thousandDrills(false);
    const live = await startChild(running.dataFile);
    const liveRss = await settledRss(live.child.pid as number);
    await stopChild(live.child);

    console.log(
      `[restart] 1,000 ended drills (made and archived in ${(ended.ms / 1000).toFixed(1)} s): listening after ${(restart.startMs / 1000).toFixed(1)} s, ` +
        `${restart.recovered} rebuilt, RSS ${rss.toFixed(0)} MiB (${afterReads.toFixed(0)} MiB after reading one's log, score and report); ` +
        `the same 1,000 still running: ${live.recovered} rebuilt in ${(live.startMs / 1000).toFixed(1)} s, RSS ${liveRss.toFixed(0)} MiB`,
    );
    expect(restart.recovered).toBe(0);
    expect(rss).toBeLessThan(200);
    expect(afterReads).toBeLessThan(200);
    expect(live.recovered).toBe(1_000);
    // Ended drills are not rebuilt into memory: that is where the difference comes from.
    expect(liveRss).toBeGreaterThan(rss);

    expect(listing.status).toBe('ended');
    expect(log.status).toBe(200);
    expect(replayLog(log.text)).toMatchObject({ ok: true });
    expect(log.text.split('\n').filter((l) => l.includes('"drill.state"')).length).toBeGreaterThanOrEqual(2);
    expect(score.status).toBe(200);
    expect(score.json).toMatchObject({ scenarioId: 'retail-sev1' });
    expect(report.status).toBe(200);
    expect(report.text).toContain('<html');
  }, 90_000);
});

// ── validation beside a live drill ───────────────────────────────────────────────────────────────



describe('validation beside a live drill', () => {
  it('8 parallel 500 KiB validations: every one answered, and a speed-60 drill’s ticks stay on time', async () => {
    const big = bigScenario(500 * 1024);
    expect(big.length).toBeGreaterThanOrEqual(500 * 1024);
    expect(big.length).toBeLessThan(512 * 1024);
    expect(DEFAULTS.validation).toEqual({ workers: 1, timeoutMs: 5000, maxOldGenerationMb: 256, maxQueue: 16 });
    await withServer(async (server) => {
      const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
      const drill = server.registry.get(creds.sessionId) as LiveDrill;
      expect(asFacilitator(drill, 'start').ok).toBe(true);
      const ticks = recordTicks(drill);
      const writes = timeDurableWrites();
      try {
        await sleep(500);
        const started = performance.now();
        const answers = await Promise.all(
          Array.from({ length: 8 }, async (_, i) => {
            const res = await fetch(`${server.url}/api/scenarios/validate?file=big-${i}.yaml`, { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: big });
            const json = (await res.json()) as { ok?: boolean; error?: { code: string } };
            return { status: res.status, ok: json.ok, code: json.error?.code, ms: performance.now() - started };
          }),
        );
        const ended = performance.now();
        await sleep(300);
        const late = lateness(ticks, writes.spans, started, ended);
        console.log(
          `[validate] 8 x ${(big.length / 1024).toFixed(0)} KiB with the default pool (1 worker, queue 16): ` +
            `${JSON.stringify(answers.map((a) => `${a.status}${a.code ? ` ${a.code}` : ''}`))}, the last after ${((ended - started) / 1000).toFixed(1)} s; ` +
            `the drill (speed 60): ${describeLateness(late)}`,
        );
        for (const a of answers) {
          if (a.status === 200) expect(a.ok).toBe(true);
          else if (a.status === 503) expect(a.code).toBe('validator-busy');
          else expect([a.status, a.code]).toEqual([422, expect.stringMatching(/^validation-(timeout|too-large)$/)]);
        }
        // The default queue (16) takes all 8 at once.
        expect(answers.filter((a) => a.status === 503)).toEqual([]);
        expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(1);
        // The drill ran throughout: the ticks it was due, none more than 100 ms late.
        expect(late.ticks).toBeGreaterThanOrEqual(Math.floor(((ended - started) / (10_000 / 60)) * 0.9));
        expect(late.worst).toBeLessThanOrEqual(100);
      } finally {
        writes.restore();
      }
    });
  }, 60_000);
});
