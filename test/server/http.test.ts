/**
 * The HTTP API: health, the scenario catalogue and validator, creating and listing sessions (with
 * every kind of bad request), and the credentials it hands out. The origin and host allow-list,
 * headers and limits are in exposure.test.ts.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateSessionResponse, ScenarioListing, SessionListing, SessionPage, SessionSummary } from '../../engine/protocol/messages.ts';
import type { RunningServer } from '../../engine/server/app.ts';
import { ROOT, loadScenario } from '../helpers.ts';
import { createDrill, get, startTestServer, type CodeDrill } from './harness.ts';

const SHIPPED = ['auth-cert-expiry', 'checkout-retry-storm', 'order-pipeline', 'retail-change-window', 'retail-sev1'];

async function post(server: { url: string }, path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as Record<string, unknown> };
}

describe('HTTP API', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('GET /healthz', async () => {
    expect(await get(server, '/healthz')).toMatchObject({ status: 200, json: { ok: true } });
  });

  it('lists the shipped scenarios with their public facts', async () => {
    const res = await get(server, '/api/scenarios');
    expect(res.status).toBe(200);
    const { scenarios, broken } = res.json as { scenarios: ScenarioListing[]; broken: unknown[] };
    expect(scenarios.map((s) => s.id).sort()).toEqual(SHIPPED);
    // Every shipped file loads: none is listed as broken.
    expect(broken).toEqual([]);
    for (const listing of scenarios) {
      const s = loadScenario(listing.id);
      expect(listing).toEqual({
        id: s.id,
        title: s.title,
        briefing: s.briefing,
        services: s.services.map((x) => ({ id: x.id, name: x.name ?? x.id, tier: x.tier })),
        defaultSeed: s.seed,
        duration: s.duration,
        // The test servers rate no seeds (harness.ts); difficulty.test.ts rates a few.
        difficulty: { status: 'unavailable', seeds: 0, done: 0, counts: null, reason: 'this server rates no seeds (SEVDRILL_DIFFICULTY_SEEDS=0)' },
      });
      expect(listing.services.length).toBeGreaterThan(3);
    }
  });

  it('GET /api/scenarios/:id: the listing plus the public scenario; 404 for an unknown id', async () => {
    const one = await get(server, '/api/scenarios/retail-sev1');
    expect(one.status).toBe(200);
    const body = one.json as ScenarioListing & { scenario: { id: string; actions: unknown[]; journeys: unknown[] } };
    expect(body).toMatchObject({ id: 'retail-sev1', defaultSeed: 7 });
    expect(body.scenario.id).toBe('retail-sev1');
    expect(body.scenario.actions.length).toBe(loadScenario('retail-sev1').actions.length);
    expect(await get(server, '/api/scenarios/no-such-scenario')).toMatchObject({ status: 404, json: { ok: false, code: 'unknown-scenario' } });
    expect(await get(server, '/api/nothing-here')).toMatchObject({ status: 404, json: { ok: false, code: 'not-found' } });
  });

  it('POST /api/scenarios/validate: 422 with line/col diagnostics for a broken file, 200 for a valid one', async () => {
    const cycle = readFileSync(`${ROOT}test/fixtures/invalid/cycle.yaml`, 'utf8');
    const bad = await post(server, '/api/scenarios/validate?file=cycle.yaml', cycle, { 'content-type': 'text/yaml' });
    expect(bad.status).toBe(422);
    expect(bad.json.ok).toBe(false);
    const diagnostics = bad.json.diagnostics as { file: string; line: number; col: number; message: string; path: string; severity: string }[];
    // The same as the CLI's expected output for this fixture.
    const expected = readFileSync(`${ROOT}test/fixtures/invalid/cycle.expected.txt`, 'utf8').trim().split('\n');
    expect(diagnostics.map((d) => `test/fixtures/invalid/${d.file}:${d.line}:${d.col}: ${d.message} (at ${d.path})`)).toEqual(expected);
    expect(diagnostics.map((d) => [d.line, d.col, d.severity])).toEqual([
      [11, 20, 'error'],
      [30, 20, 'error'],
    ]);

    const syntax = await post(server, '/api/scenarios/validate', 'id: [unclosed', { 'content-type': 'text/plain' });
    expect(syntax.status).toBe(422);
    expect((syntax.json.diagnostics as { line: number; col: number; file: string }[])[0]).toMatchObject({ file: 'scenario.yaml', line: expect.any(Number), col: expect.any(Number) });

    // No content type at all is still read as text.
    const empty = await post(server, '/api/scenarios/validate', '', {});
    expect(empty.status).toBe(422);

    const valid = await post(server, '/api/scenarios/validate', readFileSync(`${ROOT}test/fixtures/valid/minimal.yaml`, 'utf8'), { 'content-type': 'text/yaml' });
    expect(valid).toMatchObject({ status: 200, json: { ok: true } });
    expect((valid.json.diagnostics as { severity: string }[]).filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('POST /api/sessions refuses bad requests with the right status and code', async () => {
    const create = (body: unknown) => post(server, '/api/sessions', JSON.stringify(body));
    const before = ((await get(server, '/api/sessions')).json as { sessions: unknown[] }).sessions.length;
    expect(await create({ scenarioId: 'no-such-scenario' })).toMatchObject({ status: 400, json: { ok: false, code: 'unknown-scenario' } });
    expect(await create({})).toMatchObject({ status: 400, json: { code: 'unknown-scenario' } });
    expect(await create({ scenarioId: ['retail-sev1'] })).toMatchObject({ status: 400, json: { code: 'unknown-scenario' } });
    expect(await create({ scenarioId: 'toString' })).toMatchObject({ status: 400, json: { code: 'unknown-scenario' } });
    for (const speed of [0, 0.4, 61, -1, 'fast', true]) {
      expect(await create({ scenarioId: 'retail-sev1', speed }), String(speed)).toMatchObject({ status: 400, json: { code: 'bad-speed' } });
    }
    for (const seed of [-1, 1.5, 2 ** 31, '7']) {
      expect(await create({ scenarioId: 'retail-sev1', seed }), String(seed)).toMatchObject({ status: 400, json: { code: 'bad-seed' } });
    }
    expect(await post(server, '/api/sessions', '{"scenarioId": "retail-sev1",')).toMatchObject({ status: 400, json: { ok: false, code: 'bad-json' } });
    const oversized = JSON.stringify({ scenarioId: 'retail-sev1', padding: 'x'.repeat(65 * 1024) });
    expect(await post(server, '/api/sessions', oversized)).toMatchObject({ status: 413, json: { ok: false, code: 'payload-too-large' } });
    // Nothing was created by any of them.
    expect(((await get(server, '/api/sessions')).json as { sessions: unknown[] }).sessions.length).toBe(before);
    // The server is fine afterwards.
    expect(await get(server, '/healthz')).toMatchObject({ status: 200 });
  });

  it('request bodies are parsed with the protocol schemas; each field keeps its code, message and order', async () => {
    const create = (body: unknown) => post(server, '/api/sessions', JSON.stringify(body));
    const error = (code: string, message: string) => ({ status: 400, json: { ok: false, code, message } });
    const teamMessage = 'team must be a name of 1 to 64 characters';
    for (const team of ['', '   ', 'x'.repeat(65), 7]) expect(await create({ scenarioId: 'retail-sev1', team }), String(team)).toMatchObject(error('bad-team', teamMessage));
    expect(await create({ scenarioId: 'retail-sev1', join: 'anyone' })).toMatchObject(error('bad-join', 'join must be "code" or "invite"'));
    expect(await create({ scenarioId: 'retail-sev1', speed: 61 })).toMatchObject(error('bad-speed', 'speed must be from 0.5 to 60'));
    expect(await create({ scenarioId: 'retail-sev1', seed: 1.5 })).toMatchObject(error('bad-seed', 'seed must be a whole number from 0 to 2147483647'));
    for (const controlledFriction of ['no', false, 0]) {
      expect(await create({ scenarioId: 'retail-sev1', controlledFriction }), String(controlledFriction)).toMatchObject(error('bad-friction', 'controlledFriction must be "on" or "off"'));
    }
    expect(await create({ scenarioId: 'retail-sev1', speed: 0, controlledFriction: 'no' })).toMatchObject({ json: { code: 'bad-speed' } });
    expect(await create({ scenarioId: ['retail-sev1'] })).toMatchObject(error('unknown-scenario', 'no scenario "retail-sev1"'));
    // The first problem in the order team, scenario, seed, speed, join.
    expect(await create({ scenarioId: 'nope', team: '', seed: -1 })).toMatchObject({ json: { code: 'bad-team' } });
    expect(await create({ scenarioId: 'nope', seed: -1, speed: 0 })).toMatchObject({ json: { code: 'unknown-scenario' } });
    expect(await create({ scenarioId: 'retail-sev1', seed: -1, speed: 0, join: 'x' })).toMatchObject({ json: { code: 'bad-seed' } });
    expect(await create({ scenarioId: 'retail-sev1', speed: 0, join: 'x' })).toMatchObject({ json: { code: 'bad-speed' } });
    // Null is "not given"; a facilitator name that is not a name falls back to the default.
    const made = await create({ scenarioId: 'retail-sev1', seed: null, speed: null, team: null, join: null, facilitatorName: 7 });
    expect(made).toMatchObject({ status: 201, json: { join: 'code', facilitatorName: 'Facilitator' } });
    const listing = (await get(server, `/api/sessions/${(made.json as { sessionId: string }).sessionId}`)).json;
    expect(listing).toMatchObject({ seed: 7, team: null });

    const campaign = (body: unknown) => post(server, '/api/campaigns', JSON.stringify(body));
    const needsTeam = 'a campaign needs a team name of 1 to 64 characters';
    for (const body of [{}, { team: null }, { team: ' ' }]) expect(await campaign(body), JSON.stringify(body)).toMatchObject(error('bad-team', needsTeam));
    for (const scenarioIds of [undefined, 'retail-sev1', [], Array(21).fill('retail-sev1')]) {
      expect(await campaign({ team: 't', scenarioIds }), String(scenarioIds)).toMatchObject(error('bad-scenarios', 'scenarioIds must list 1 to 20 scenarios'));
    }
    expect(await campaign({ team: 't', scenarioIds: ['nope', 5] })).toMatchObject(error('unknown-scenario', 'no scenario "nope"'));
    expect(await campaign({ team: 't', scenarioIds: ['retail-sev1', 5] })).toMatchObject(error('unknown-scenario', 'no scenario "5"'));
    expect(await campaign({ team: 't', scenarioIds: ['retail-sev1'], seed: 'x' })).toMatchObject(error('bad-seed', 'seed must be a whole number from 0 to 2147483647'));
    expect(await campaign({ team: 't', scenarioIds: ['retail-sev1'], speed: 100 })).toMatchObject(error('bad-speed', 'speed must be from 0.5 to 60'));
    const week = await campaign({ team: ' t ', name: 5, scenarioIds: ['retail-sev1'] });
    expect(week.status).toBe(201);
    expect((await get(server, `/api/campaigns/${(week.json as { campaignId: string }).campaignId}`)).json).toMatchObject({ team: 't', name: "t's week" });

    const drill = await createDrill(server);
    const invite = (body: unknown) => post(server, `/api/sessions/${drill.sessionId}/invites`, JSON.stringify(body), { 'content-type': 'application/json', authorization: `Bearer ${drill.facilitatorToken}` });
    for (const body of [{}, { name: 5 }, { name: null }]) expect(await invite(body), JSON.stringify(body)).toMatchObject(error('bad-name', 'a name must be a string'));
    expect(await invite({ name: 'carol' })).toMatchObject({ status: 201, json: { name: 'carol' } });
  });

  it('POST /api/campaigns with drills: each its own seed or difficulty, checked as POST /api/sessions checks one; all or none', async () => {
    const campaign = (body: unknown) => post(server, '/api/campaigns', JSON.stringify(body));
    const error = (code: string, message: string, status = 400) => ({ status, json: { ok: false, code, message } });
    const sessions = async () => ((await get(server, '/api/sessions?limit=100')).json as SessionPage).sessions.length;
    const before = await sessions();
    const retail = { scenarioId: 'retail-sev1' };
    expect(await campaign({ team: 't', scenarioIds: ['retail-sev1'], drills: [retail] })).toMatchObject(error('scenarios-and-drills', 'give scenarioIds or drills, not both'));
    const listMessage = 'drills must list 1 to 20 drills, each an object {scenarioId, seed?, difficulty?}';
    for (const drills of ['retail-sev1', [], ['retail-sev1'], [retail, null], Array(21).fill(retail)]) {
      expect(await campaign({ team: 't', drills }), JSON.stringify(drills).slice(0, 40)).toMatchObject(error('bad-scenarios', listMessage));
    }
    // The team first, then the list, then the campaign's own seed and speed, then each drill in order.
    expect(await campaign({ team: '', drills: [] })).toMatchObject({ json: { code: 'bad-team' } });
    expect(await campaign({ team: 't', drills: [retail], seed: 'x', speed: 0 })).toMatchObject(error('bad-seed', 'seed must be a whole number from 0 to 2147483647'));
    expect(await campaign({ team: 't', drills: [retail], speed: 0 })).toMatchObject(error('bad-speed', 'speed must be from 0.5 to 60'));
    expect(await campaign({ team: 't', drills: [retail, { scenarioId: 'nope', seed: -1 }] })).toMatchObject(error('unknown-scenario', 'drills[1]: no scenario "nope"'));
    expect(await campaign({ team: 't', drills: [{ ...retail, seed: -1 }] })).toMatchObject(error('bad-seed', 'drills[0]: seed must be a whole number from 0 to 2147483647'));
    expect(await campaign({ team: 't', drills: [{ ...retail, difficulty: 'brutal' }] })).toMatchObject(error('bad-difficulty', 'drills[0]: difficulty must be "easy", "typical" or "hard"'));
    expect(await campaign({ team: 't', drills: [{ ...retail, seed: 3, difficulty: 'hard' }] })).toMatchObject({ status: 400, json: { code: 'seed-and-difficulty', message: expect.stringMatching(/^drills\[0\]: give a seed or a difficulty, not both/) } });
    // This server rates no seeds: a later drill by difficulty fails the campaign, and the earlier drill is not created either.
    const unrated = await campaign({ team: 't', drills: [{ ...retail, seed: 3 }, { scenarioId: 'checkout-retry-storm', difficulty: 'hard' }] });
    expect(unrated).toMatchObject({ status: 409, json: { code: 'difficulty-unavailable', message: expect.stringMatching(/^drills\[1\]: drills of "checkout-retry-storm" cannot be created by difficulty/) } });
    expect(await sessions()).toBe(before);

    // A drill without a seed of its own takes the campaign's; null is "not given", as for a drill.
    const made = await campaign({ team: 'blue', seed: 9, speed: 30, drills: [{ ...retail, seed: 5 }, { scenarioId: 'checkout-retry-storm', difficulty: null }, { scenarioId: 'retail-sev1', extra: 1 }] });
    expect(made.status).toBe(201);
    const { campaignId, drills } = made.json as { campaignId: string; drills: { scenarioId: string; seed: number; difficulty: null; sessionId: string; facilitatorToken: string }[] };
    expect(drills.map((d) => [d.scenarioId, d.seed, d.difficulty])).toEqual([
      ['retail-sev1', 5, null],
      ['checkout-retry-storm', 9, null],
      ['retail-sev1', 9, null],
    ]);
    expect(await sessions()).toBe(before + 3);
    // The campaign page's data: each drill in order, its state, and no response times until it is scored.
    const view = (await get(server, `/api/campaigns/${campaignId}`)).json as { team: string; name: string; drills: (SessionListing & { durations: unknown })[] };
    expect(view).toMatchObject({ team: 'blue', name: "blue's week" });
    expect(view.drills.map((d) => [d.sessionId, d.scenarioId, d.seed, d.status, d.phase, d.score, d.durations])).toEqual(drills.map((d) => [d.sessionId, d.scenarioId, d.seed, 'live', 'ready', null, null]));
    const summary = (await get(server, `/api/sessions/${drills[0]?.sessionId}`, { authorization: `Bearer ${drills[0]?.facilitatorToken}` })).json as SessionSummary;
    expect(summary.speed).toBe(30);
    // No week is finished: the campaign leaderboard is empty, not a scenario named "campaigns".
    expect(await get(server, '/api/leaderboard/campaigns')).toMatchObject({ status: 200, json: { campaigns: [] } });
  });

  it('creates sessions with long, random, distinct credentials; lists them with public fields only', async () => {
    const made: CodeDrill[] = [];
    for (const body of [{ scenarioId: 'retail-sev1' }, { scenarioId: 'retail-sev1', seed: 42, speed: 10 }, { scenarioId: 'auth-cert-expiry', speed: 0.5 }]) {
      made.push(await createDrill(server, body));
    }
    const all = made.flatMap((c) => [c.sessionId, c.facilitatorToken, c.responderCode, c.observerCode]);
    expect(new Set(all).size).toBe(all.length);
    for (const c of made) {
      expect(c.facilitatorToken).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      expect(c.responderCode).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(c.observerCode).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(c.sessionId).toMatch(/^[A-Za-z0-9_-]{8,}$/);
      // The way back in: the token sits after the '#', which browsers never send to a server.
      expect(c.facilitatorPath).toBe(`/#/drill/${c.sessionId}?token=${c.facilitatorToken}`);
      expect(c).toMatchObject({ join: 'code', facilitatorName: 'Fran', difficulty: null });
    }
    // The seed the drill runs, whether asked for or the scenario's own.
    expect(made.map((c) => c.seed)).toEqual([loadScenario('retail-sev1').seed, 42, loadScenario('auth-cert-expiry').seed]);

    const { sessions } = (await get(server, '/api/sessions')).json as { sessions: SessionListing[] };
    for (const c of made) expect(sessions.map((s) => s.sessionId)).toContain(c.sessionId);
    const second = sessions.find((s) => s.sessionId === made[1]?.sessionId);
    expect(second).toEqual({
      sessionId: made[1]?.sessionId,
      scenarioId: 'retail-sev1',
      title: loadScenario('retail-sev1').title,
      team: null,
      seed: 42,
      status: 'live',
      phase: 'ready',
      createdAt: expect.any(String),
      endedAt: null,
      score: null,
    });
    expect(Date.parse(second?.createdAt ?? '')).not.toBeNaN();
    // Strangers get the listing; the facilitator's token adds the drill's state.
    expect(await get(server, `/api/sessions/${made[1]?.sessionId}`)).toMatchObject({ status: 200, json: second });
    const own = (await get(server, `/api/sessions/${made[1]?.sessionId}`, { authorization: `Bearer ${made[1]?.facilitatorToken}` })).json as SessionSummary;
    expect(own).toMatchObject({ ...second, speed: 10, now: 0, incidentState: 'idle', severity: null, clients: 0, joinMode: 'code' });
    expect((await get(server, `/api/sessions/${made[1]?.sessionId}`, { authorization: `Bearer ${made[0]?.facilitatorToken}` })).json).toEqual(second);
    expect(await get(server, '/api/sessions/no-such-session')).toMatchObject({ status: 404, json: { code: 'unknown-session' } });
    expect(await get(server, '/api/sessions/no-such-session/log')).toMatchObject({ status: 404, json: { code: 'unknown-session' } });
    // Each credential opens its own session only.
    const other = made[0] as CreateSessionResponse;
    expect((await get(server, `/api/sessions/${made[1]?.sessionId}/log`, { authorization: `Bearer ${other.facilitatorToken}` })).status).toBe(401);
    expect((await get(server, `/api/sessions/${made[1]?.sessionId}/log`, { authorization: `Bearer ${made[1]?.facilitatorToken}` })).status).toBe(200);
  });

  it('pages the drill list newest first, with an opaque cursor', async () => {
    const own = await startTestServer();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await createDrill(own)).sessionId);
      const seen: string[] = [];
      let next: string | null = null;
      let pages = 0;
      do {
        const page = (await get(own, `/api/sessions?limit=3${next ? `&before=${next}` : ''}`)).json as SessionPage;
        expect(page.sessions.length).toBeLessThanOrEqual(3);
        seen.push(...page.sessions.map((s) => s.sessionId));
        next = page.next;
        pages++;
      } while (next !== null && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());
      for (const bad of ['limit=0', 'limit=101', 'limit=abc', 'before=nonsense', 'before=' + Buffer.from('[1,2]').toString('base64url')]) {
        expect(await get(own, `/api/sessions?${bad}`), bad).toMatchObject({ status: 400 });
      }
    } finally {
      await own.close();
    }
  });

  it('GET /docs/scoring: the scoring guide as an HTML page, weights table and all, under a CSP that allows only its own style', async () => {
    const res = await fetch(`${server.url}/docs/scoring`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('<h2 id="weights-and-penalties">Weights and penalties</h2>');
    // The weights table: every default weight, as in docs/scoring.md.
    for (const [name, weight] of [['acknowledge', 10], ['declare', 10], ['diagnose', 10], ['mitigate', 25], ['resolve', 10], ['impact', 20], ['conduct', 15]]) {
      expect(html).toContain(`<tr><td><code>${name}</code></td><td>${weight}</td></tr>`);
    }
    expect(html).not.toMatch(/<script|\son\w+=/i);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/^default-src 'none';style-src 'sha256-[A-Za-z0-9+/=]+';base-uri 'none';form-action 'none';frame-ancestors 'none'$/);
    // The other guides, and the links between them, go to their routes.
    const scenarios = await get(server, '/docs/scenarios');
    expect(scenarios.status).toBe(200);
    expect(scenarios.text).toContain('<a href="/docs/scoring#verification-was-the-advice-checked-before-anyone-acted-on-it">');
    // The integrations guide, whose YAML examples a team copies into its own Prometheus.
    const integrations = await get(server, '/docs/integrations');
    expect(integrations.status).toBe(200);
    expect(integrations.text).toContain('SEVDRILL_ALERTMANAGER_URL');
    expect(integrations.text).toMatch(/<pre><code[^>]*>[^<]*scrape_configs:/);
  });

  it('GET /docs/<anything else> is a 404 page that lists the guides; no file outside them is read', async () => {
    for (const path of ['/docs/nope', '/docs/README', '/docs/..%2Fpackage', '/docs/scoring.md', '/docs/__proto__', '/docs/constructor']) {
      const res = await get(server, path);
      expect(res.status, path).toBe(404);
      if (path !== '/docs/..%2Fpackage') expect(res.text, path).toContain('<a href="/docs/scoring">');
    }
  });
});
