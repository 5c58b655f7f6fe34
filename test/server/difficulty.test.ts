/**
 * Creating a drill by difficulty (difficulty-cache.ts): the server rates seeds 1..N of each scenario
 * with a reference plan by an explore in the background, keeps the ratings in the store (a restart
 * explores nothing again), explores a changed scenario again, and picks a seed of the rating asked
 * for, taking turns. Asking before the ratings are ready, for a scenario without a plan, or with a bad
 * or doubled request, is an error as data. N is 6 here (200 by default), so the suite stays fast.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explore, type ExploreOptions } from '../../engine/cli/explore.ts';
import type { CreateSessionResponse, Difficulty, ScenarioDifficulty, ScenarioList } from '../../engine/protocol/messages.ts';
import { startServer, type RunningServer } from '../../engine/server/app.ts';
import type { Explorer } from '../../engine/server/difficulty-cache.ts';
import { ROOT, loadPlanCommands, loadSpec } from '../helpers.ts';
import { get, startTestServer, testConfig, until } from './harness.ts';

const SEEDS = 6;
const RATED = { difficulty: { seeds: SEEDS, workers: 1 } };
/** The quickest shipped scenario to explore, and its reference plan. */
const SCENARIO = 'auth-cert-expiry';
const SCENARIO_TEXT = readFileSync(join(ROOT, 'scenarios', `${SCENARIO}.yaml`), 'utf8');
const PLAN_TEXT = readFileSync(join(ROOT, 'scenarios', 'plans', `${SCENARIO}.plan.yaml`), 'utf8');

/** A scenario directory: the scenario with its plan in plans/ (as shipped), and a copy under another id with no plan. */
function scenarioDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sevdrill-difficulty-'));
  mkdirSync(join(dir, 'plans'));
  writeFileSync(join(dir, `${SCENARIO}.yaml`), SCENARIO_TEXT);
  writeFileSync(join(dir, 'plans', `${SCENARIO}.plan.yaml`), PLAN_TEXT);
  writeFileSync(join(dir, 'planless.yaml'), SCENARIO_TEXT.replace(/^id: .*$/m, 'id: planless'));
  return dir;
}

async function difficultyOf(server: { url: string }, id: string): Promise<ScenarioDifficulty | undefined> {
  const { scenarios } = (await get(server, '/api/scenarios')).json as ScenarioList;
  return scenarios.find((s) => s.id === id)?.difficulty;
}

const ready = (server: { url: string }, id = SCENARIO) => until(async () => ((await difficultyOf(server, id))?.status === 'ready' ? difficultyOf(server, id) : undefined), 60_000, 100);

async function create(server: { url: string }, body: Record<string, unknown>) {
  const res = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as CreateSessionResponse & { code?: string; message?: string } };
}

/** `explore`, counting its runs: what the server would compute. */
function countingExplorer(): { explorer: Explorer; runs: string[] } {
  const runs: string[] = [];
  return { runs, explorer: (options) => (runs.push(options.scenario.id), explore(options)) };
}

/** An explore that reports `done` seeds and then never finishes, until it is stopped (as explore is). */
function heldExplorer(done: number): { explorer: Explorer; stopped: () => boolean } {
  let stopped = false;
  const explorer: Explorer = (options: ExploreOptions) =>
    new Promise((_resolve, reject) => {
      options.onProgress?.(done);
      options.signal?.addEventListener('abort', () => {
        stopped = true;
        reject(options.signal?.reason);
      });
    });
  return { explorer, stopped: () => stopped };
}

/** An explore that rates every seed `typical`. */
const allTypical: Explorer = async (options) => ({
  perSeed: Array.from({ length: options.count }, (_, i) => ({ seed: options.fromSeed + i, rating: 'typical', difficulty: 50 })) as never,
});

describe('drills by difficulty', () => {
  let dir: string;
  let dataFile: string;
  let server: RunningServer;
  let closed = false;
  let counting: ReturnType<typeof countingExplorer>;
  /** Each seed's rating, from explore run here with the same plan and seeds. */
  let expected: Map<number, Difficulty>;

  beforeAll(async () => {
    dir = scenarioDir();
    const config = testConfig({ scenarioDirs: [dir], ...RATED });
    dataFile = config.dataFile;
    counting = countingExplorer();
    server = await startServer(config, { log: () => {}, explorer: counting.explorer });
    const report = await explore({ scenario: loadSpec(SCENARIO), commands: loadPlanCommands(SCENARIO), fromSeed: 1, count: SEEDS, workers: 1 });
    expected = new Map(report.perSeed.map((p) => [p.seed, p.rating]));
  });
  afterAll(async () => {
    if (!closed) await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rates seeds 1..N of a scenario with a reference plan in the background, as explore does', async () => {
    const state = await ready(server);
    const counts = { easy: 0, typical: 0, hard: 0 };
    for (const rating of expected.values()) counts[rating]++;
    expect(state).toEqual({ status: 'ready', seeds: SEEDS, done: SEEDS, counts, reason: null });
    expect(counting.runs).toEqual([SCENARIO]);
    // The detail endpoint says the same.
    expect((await get(server, `/api/scenarios/${SCENARIO}`)).json).toMatchObject({ difficulty: state });
  });

  it('picks a seed of the rating asked for, each of them in turn, and says which', async () => {
    await ready(server);
    for (const difficulty of ['easy', 'typical', 'hard'] as const) {
      const rated = [...expected].filter(([, r]) => r === difficulty).map(([seed]) => seed);
      const picked: number[] = [];
      for (let i = 0; i < Math.max(2, rated.length); i++) {
        const res = await create(server, { scenarioId: SCENARIO, difficulty });
        if (rated.length === 0) {
          expect(res).toMatchObject({ status: 409, json: { ok: false, code: 'difficulty-empty' } });
          continue;
        }
        expect(res.status).toBe(201);
        expect(res.json.difficulty).toBe(difficulty);
        expect(expected.get(res.json.seed)).toBe(difficulty);
        picked.push(res.json.seed);
        // The drill runs that seed: the public listing says so.
        expect((await get(server, `/api/sessions/${res.json.sessionId}`)).json).toMatchObject({ seed: res.json.seed, scenarioId: SCENARIO });
      }
      // Taking turns: as many drills as seeds of that rating get every one of them.
      expect(new Set(picked.slice(0, rated.length))).toEqual(new Set(rated));
    }
  });

  it('refuses a seed and a difficulty together, and a difficulty that is not one, as data', async () => {
    await ready(server);
    expect(await create(server, { scenarioId: SCENARIO, seed: 3, difficulty: 'hard' })).toMatchObject({
      status: 400,
      json: { ok: false, code: 'seed-and-difficulty', message: 'give a seed or a difficulty, not both: a difficulty picks the seed' },
    });
    for (const difficulty of ['extreme', 'HARD', 3, true, ['easy']]) {
      expect(await create(server, { scenarioId: SCENARIO, difficulty }), JSON.stringify(difficulty)).toMatchObject({
        status: 400,
        json: { ok: false, code: 'bad-difficulty', message: 'difficulty must be "easy", "typical" or "hard"' },
      });
    }
    // Null is left out, as for every optional field: the seed decides.
    expect(await create(server, { scenarioId: SCENARIO, seed: 3, difficulty: null })).toMatchObject({ status: 201, json: { seed: 3, difficulty: null } });
    // The scenario is checked first, as ever.
    expect(await create(server, { scenarioId: 'no-such', difficulty: 'hard' })).toMatchObject({ status: 400, json: { code: 'unknown-scenario' } });
  });

  it('a scenario without a reference plan is unavailable, with the reason', async () => {
    const state = await difficultyOf(server, 'planless');
    expect(state).toMatchObject({ status: 'unavailable', counts: null, reason: expect.stringContaining('no reference plan') });
    expect(await create(server, { scenarioId: 'planless', difficulty: 'typical' })).toMatchObject({
      status: 409,
      json: { ok: false, code: 'difficulty-unavailable', message: expect.stringContaining('no reference plan') },
    });
    // A seed still works.
    expect((await create(server, { scenarioId: 'planless', seed: 5 })).status).toBe(201);
  });

  it("gives each drill of a campaign its own difficulty or seed, and a drill that cannot have its difficulty fails the campaign", async () => {
    await ready(server);
    const campaign = async (drills: unknown[]) => {
      const res = await fetch(`${server.url}/api/campaigns`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ team: 'red', drills }) });
      return { status: res.status, json: (await res.json()) as { campaignId: string; drills: CreateSessionResponse[]; code?: string; message?: string } };
    };
    // A rating some seed has.
    const difficulty = [...expected.values()][0] as Difficulty;
    const made = await campaign([{ scenarioId: SCENARIO, difficulty }, { scenarioId: 'planless', seed: 4 }]);
    expect(made.status).toBe(201);
    const [rated, seeded] = made.json.drills;
    expect(rated?.difficulty).toBe(difficulty);
    expect(expected.get(rated?.seed ?? 0)).toBe(difficulty);
    expect(seeded).toMatchObject({ seed: 4, difficulty: null });
    // The campaign remembers what each drill was asked for: the seed alone does not say it was meant to be hard.
    const stored = (await get(server, `/api/campaigns/${made.json.campaignId}`)).json as { drills: { sessionId: string; seed: number; difficulty: string | null }[] };
    expect(stored.drills.map((d) => [d.sessionId, d.seed, d.difficulty])).toEqual([
      [rated?.sessionId, rated?.seed, difficulty],
      [seeded?.sessionId, 4, null],
    ]);
    expect(await campaign([{ scenarioId: SCENARIO, difficulty }, { scenarioId: 'planless', difficulty }])).toMatchObject({
      status: 409,
      json: { code: 'difficulty-unavailable', message: expect.stringMatching(/^drills\[1\]: .*no reference plan/) },
    });
  });

  it('explores a scenario again when its file changes, and refuses its difficulty meanwhile', async () => {
    await ready(server);
    const before = counting.runs.length;
    // A different duration: another scenario hash.
    const changed = SCENARIO_TEXT.replace(/^duration: .*$/m, 'duration: 2h');
    expect(changed).not.toBe(SCENARIO_TEXT);
    writeFileSync(join(dir, `${SCENARIO}.yaml`), changed);
    await until(() => counting.runs.length > before, 20_000, 50);
    // The ratings of the old version do not hold for the new one.
    expect(await create(server, { scenarioId: SCENARIO, difficulty: 'typical' })).toMatchObject({ status: 503, json: { code: 'difficulty-not-ready' } });
    const state = await ready(server);
    expect(state?.done).toBe(SEEDS);
    expect(counting.runs.slice(before)).toEqual([SCENARIO]);
  });

  it('keeps the ratings in the store: a restart explores nothing again', async () => {
    const state = await ready(server);
    // One server on the data file at a time, as in production.
    await server.close();
    closed = true;
    const again = countingExplorer();
    const restarted = await startServer(testConfig({ scenarioDirs: [dir], dataFile, ...RATED }), { log: () => {}, explorer: again.explorer });
    try {
      // Ready once its plan has been read again, from the store.
      expect(await ready(restarted)).toEqual(state);
      const res = await create(restarted, { scenarioId: SCENARIO, difficulty: 'typical' });
      expect(res.status).toBe(201);
      expect(res.json.seed).toBeGreaterThanOrEqual(1);
      expect(res.json.seed).toBeLessThanOrEqual(SEEDS);
      expect(again.runs).toEqual([]);
    } finally {
      await restarted.close();
    }
    // Another N is another explore.
    const other = countingExplorer();
    const more = await startServer(testConfig({ scenarioDirs: [dir], dataFile, difficulty: { seeds: SEEDS + 1, workers: 1 } }), { log: () => {}, explorer: other.explorer });
    try {
      expect((await ready(more))?.seeds).toBe(SEEDS + 1);
      expect(other.runs).toEqual([SCENARIO]);
    } finally {
      await more.close();
    }
  });
});

describe('drills by difficulty, before the ratings are ready', () => {
  it('503 difficulty-not-ready with Retry-After while the explore runs; the explore is stopped when the server closes', async () => {
    const held = heldExplorer(2);
    const server = await startServer(testConfig({ ...RATED }), { log: () => {}, explorer: held.explorer });
    try {
      // One scenario at a time: the first computes, the rest wait.
      const scenarios =
        (await until(async () => {
          const list = ((await get(server, '/api/scenarios')).json as ScenarioList).scenarios;
          return list.some((s) => s.difficulty?.status === 'computing') ? list : null;
        })) ?? [];
      const statuses = scenarios.map((s) => s.difficulty?.status);
      expect(statuses.filter((s) => s === 'computing')).toHaveLength(1);
      expect(statuses.filter((s) => s === 'pending')).toHaveLength(scenarios.length - 1);
      const computing = scenarios.find((s) => s.difficulty?.status === 'computing');
      expect(computing?.difficulty).toEqual({ status: 'computing', seeds: SEEDS, done: 2, counts: null, reason: null });
      const res = await create(server, { scenarioId: computing?.id, difficulty: 'hard' });
      expect(res).toMatchObject({ status: 503, retryAfter: '5', json: { ok: false, code: 'difficulty-not-ready' } });
      expect(res.json.message).toContain('2 of 6 seeds rated');
      const waiting = scenarios.find((s) => s.difficulty?.status === 'pending');
      expect(await create(server, { scenarioId: waiting?.id, difficulty: 'easy' })).toMatchObject({ status: 503, json: { code: 'difficulty-not-ready' } });
      // Never a silent fallback, but a seed is always fine.
      expect((await create(server, { scenarioId: waiting?.id, seed: 11 })).json.seed).toBe(11);
    } finally {
      await server.close();
    }
    expect(held.stopped()).toBe(true);
  });

  it('a rating no seed has is refused, naming the difficulty', async () => {
    const typical = await startServer(testConfig({ ...RATED }), { log: () => {}, explorer: allTypical });
    try {
      expect(await ready(typical, 'retail-sev1')).toMatchObject({ counts: { easy: 0, typical: SEEDS, hard: 0 } });
      expect(await create(typical, { scenarioId: 'retail-sev1', difficulty: 'easy' })).toMatchObject({
        status: 409,
        json: { code: 'difficulty-empty', message: 'none of the 6 seeds explored of "retail-sev1" is rated easy; pick another difficulty, or give a seed' },
      });
    } finally {
      await typical.close();
    }
  });

  it('SEVDRILL_DIFFICULTY_SEEDS=0 rates nothing: every scenario says why', async () => {
    const server = await startTestServer();
    try {
      expect(await difficultyOf(server, 'retail-sev1')).toEqual({ status: 'unavailable', seeds: 0, done: 0, counts: null, reason: 'this server rates no seeds (SEVDRILL_DIFFICULTY_SEEDS=0)' });
      expect(await create(server, { scenarioId: 'retail-sev1', difficulty: 'hard' })).toMatchObject({ status: 409, json: { code: 'difficulty-unavailable' } });
    } finally {
      await server.close();
    }
  });
});
