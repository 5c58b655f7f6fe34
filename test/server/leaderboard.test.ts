/**
 * Scores live in the server's database: a drill is scored from its log when it ends (on the report
 * worker: the leaderboard's reads wait for it), teams are ranked per scenario and seed, a team sees
 * its history, and a campaign adds up availability. A score whose computation fails is never lost.
 */
import { describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../engine/server/app.ts';
import { TestClient, createDrill, get, testConfig, until, withServer } from './harness.ts';

/** Plays retail-sev1 at speed 60: a good team responds; a passive one only watches. Then ends it. */
async function play(server: RunningServer, team: string, respond: boolean, scenarioId = 'retail-sev1') {
  const creds = await createDrill(server, { scenarioId, speed: 60, seed: 11, team });
  const { sessionId } = creds;
  const fac = await TestClient.join(server.url, { sessionId, token: creds.facilitatorToken, name: 'fac' });
  const ann = await TestClient.join(server.url, { sessionId, code: creds.responderCode, name: 'ann' });
  const bo = await TestClient.join(server.url, { sessionId, code: creds.responderCode, name: 'bo' });
  fac.send({ type: 'control', command: 'start', clientActionId: 'start' });
  await fac.waitFor((m) => m.type === 'ack' && m.clientActionId === 'start');
  await ann.waitForEvent('alert.firing', { severity: 'page' }, 20_000);
  if (respond) {
    ann.send({ type: 'action', clientActionId: 'a1', action: 'declare', params: { severity: 1 } });
    ann.send({ type: 'action', clientActionId: 'a2', action: 'rollback', target: 'pricing' });
    await bo.waitForEvent('approval.requested');
    bo.send({ type: 'action', clientActionId: 'b1', action: 'approve', params: { request: 'rollback:pricing' } });
    // Seed 11 draws its own rollback time; without the retry cut, pricing's queue drains for a while.
    await ann.waitForEvent('incident.state', { to: 'mitigated' }, 45_000);
  } else {
    await ann.waitFor((m) => m.type === 'events' && (m.now as number) >= 1_000_000, 20_000);
  }
  fac.send({ type: 'control', command: 'end', clientActionId: 'end' });
  await fac.waitFor((m) => m.type === 'ack' && m.clientActionId === 'end');
  for (const c of [fac, ann, bo]) c.close();
  return creds;
}

describe('leaderboard, history and campaigns', () => {
  it('scores ended drills, ranks teams on the same scenario and seed, and keeps each team\'s history', async () => {
    await withServer(async (server) => {
      const [good, passive] = await Promise.all([play(server, 'red team', true), play(server, 'blue team', false)]);
      const board = (await get(server, '/api/leaderboard/retail-sev1')).json as { seeds: { seed: number; entries: { team: string; rank: number; score: number; sessionId: string }[] }[] };
      expect(board.seeds).toHaveLength(1);
      expect(board.seeds[0]?.seed).toBe(11);
      const entries = board.seeds[0]?.entries ?? [];
      expect(entries.map((e) => [e.rank, e.team])).toEqual([
        [1, 'red team'],
        [2, 'blue team'],
      ]);
      expect(entries[0]?.score).toBeGreaterThan((entries[1]?.score ?? 100) + 20);

      // The score is the same scorecard the CLI computes; participants may read it after the end.
      const card = await get(server, `/api/sessions/${good.sessionId}/score?code=${good.responderCode}`);
      expect(card.status).toBe(200);
      expect((card.json as { grade: { score: number } }).grade.score).toBe(entries[0]?.score);
      expect((await get(server, `/api/sessions/${passive.sessionId}/score`)).status).toBe(401);
      // The debrief report is served in each format to participants once the drill has ended.
      const html = await get(server, `/api/sessions/${good.sessionId}/report?code=${good.observerCode}`);
      expect(html.status).toBe(200);
      expect(html.text).toContain('<svg');
      expect(html.text).toContain(String(entries[0]?.score));
      const md = await get(server, `/api/sessions/${good.sessionId}/report?format=md&code=${good.responderCode}`);
      expect(md.text).toMatch(/^# /m);
      expect((await get(server, `/api/sessions/${good.sessionId}/report?format=pdf&code=${good.responderCode}`)).status).toBe(400);

      const history = (await get(server, `/api/teams/${encodeURIComponent('red team')}`)).json as { history: { sessionId: string }[] };
      expect(history.history.map((h) => h.sessionId)).toEqual([good.sessionId]);
      expect((await get(server, '/api/leaderboard/nope')).status).toBe(404);
    });
  }, 90_000);

  it('runs a campaign of several scenarios for one team and adds up their availability', async () => {
    await withServer(async (server) => {
      const res = await fetch(`${server.url}/api/campaigns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ team: 'green team', name: 'Game week 1', scenarioIds: ['retail-sev1', 'retail-sev1'], speed: 60 }),
      });
      expect(res.status).toBe(201);
      const campaign = (await res.json()) as { campaignId: string; drills: { sessionId: string; facilitatorToken: string }[] };
      expect(campaign.drills).toHaveLength(2);
      // End both drills quickly: availability comes from each drill's own impact summaries.
      for (const drill of campaign.drills) {
        const fac = await TestClient.join(server.url, { sessionId: drill.sessionId, token: drill.facilitatorToken, name: 'fac' });
        fac.send({ type: 'control', command: 'start' });
        fac.send({ type: 'control', command: 'inject', fault: 'pricing-rules-v2' });
        // Long enough for the config's rollout (its ramp is drawn by the seed, up to six minutes) to take every journey down.
        await fac.waitFor((m) => m.type === 'events' && (m.now as number) >= 600_000, 30_000);
        fac.send({ type: 'control', command: 'end', clientActionId: 'end' });
        await fac.waitFor((m) => m.type === 'ack' && m.clientActionId === 'end');
        fac.close();
      }
      const view = (await get(server, `/api/campaigns/${campaign.campaignId}`)).json as {
        team: string;
        name: string;
        scored: { requests: number; failed: number }[];
        availability: { requests: number; failed: number; availability: number };
      };
      expect(view).toMatchObject({ team: 'green team', name: 'Game week 1' });
      expect(view.scored).toHaveLength(2);
      const requests = view.scored.reduce((s, r) => s + r.requests, 0);
      const failed = view.scored.reduce((s, r) => s + r.failed, 0);
      expect(view.availability.requests).toBe(requests);
      expect(view.availability.availability).toBeCloseTo(1 - failed / requests, 5);
      expect(view.availability.availability).toBeLessThan(0.95);
      // Each drill, in order, with its score and its response times from its own scorecard.
      const drills = (view as unknown as { drills: { sessionId: string; status: string; score: number | null; durations: unknown }[] }).drills;
      expect(drills.map((d) => d.sessionId)).toEqual(campaign.drills.map((d) => d.sessionId));
      for (const [i, d] of drills.entries()) {
        const card = (await get(server, `/api/sessions/${d.sessionId}/score`, { authorization: `Bearer ${campaign.drills[i]?.facilitatorToken}` })).json as { grade: { score: number }; durations: unknown };
        expect(d).toMatchObject({ status: 'ended', score: card.grade.score, durations: card.durations });
      }

      // Ranked with other weeks once every drill is scored: a week with no fault served every request.
      const week = async (team: string, scenarioIds: string[]) =>
        (await (await fetch(`${server.url}/api/campaigns`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ team, scenarioIds, speed: 60 }) })).json()) as typeof campaign;
      const calm = await week('calm team', ['retail-sev1']);
      await week('idle team', ['retail-sev1']);
      const fac = await TestClient.join(server.url, { sessionId: calm.drills[0]?.sessionId ?? '', token: calm.drills[0]?.facilitatorToken, name: 'fac' });
      for (const command of ['start', 'end']) {
        fac.send({ type: 'control', command, clientActionId: command });
        expect(await fac.reply(command)).toMatchObject({ type: 'ack' });
      }
      fac.close();
      const board = (await get(server, '/api/leaderboard/campaigns')).json as { campaigns: { rank: number; campaignId: string; team: string; totalScore: number; availability: { availability: number }; scenarioIds: string[] }[] };
      expect(board.campaigns.map((c) => [c.rank, c.team])).toEqual([
        [1, 'calm team'],
        [2, 'green team'],
      ]);
      expect(board.campaigns[1]).toMatchObject({ campaignId: campaign.campaignId, scenarioIds: ['retail-sev1', 'retail-sev1'], availability: view.availability });
      expect(board.campaigns[1]?.totalScore).toBeCloseTo(drills.reduce((sum, d) => sum + (d.score ?? 0), 0), 5);

      const bad = await fetch(`${server.url}/api/campaigns`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ team: 'x', scenarioIds: ['nope'] }) });
      expect(bad.status).toBe(400);
      expect((await get(server, '/api/campaigns/nope')).status).toBe(404);
    });
  }, 90_000);

  it('tries a failed score again, and scores at the next start a drill whose score was never recorded', async () => {
    const config = testConfig();
    /** A drill started and ended at once by its facilitator. */
    const startAndEnd = async (server: RunningServer, team: string) => {
      const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, seed: 11, team });
      const fac = await TestClient.join(server.url, { sessionId: creds.sessionId, token: creds.facilitatorToken, name: 'fac' });
      for (const command of ['start', 'end']) {
        fac.send({ type: 'control', command, clientActionId: command });
        expect(await fac.reply(command)).toMatchObject({ type: 'ack' });
      }
      fac.close();
      return creds.sessionId;
    };
    const listed = async (server: RunningServer) => {
      const board = (await get(server, '/api/leaderboard/retail-sev1')).json as { seeds: { entries: { sessionId: string }[] }[] };
      return board.seeds.flatMap((g) => g.entries.map((e) => e.sessionId));
    };
    const lines: string[] = [];
    let server = await startServer(config, { log: (line) => lines.push(line) });
    let lucky: string;
    let unlucky: string;
    try {
      // The worker fails the first computation of a score (a crash, say): it is tried again a moment later.
      const reports = server.registry.reports;
      const real = reports.scorecard.bind(reports);
      let failures = 1;
      reports.scorecard = (drill) => (failures-- > 0 ? Promise.reject(new Error('the report worker exited (code 1)')) : real(drill));
      lucky = await startAndEnd(server, 'red team');
      expect(await listed(server)).toEqual([lucky]);
      expect(lines.some((l) => l.includes('failed; trying again'))).toBe(true);
      // Every try fails, and the server stops before the last: the drill has ended unscored...
      failures = Infinity;
      unlucky = await startAndEnd(server, 'blue team');
      expect(server.registry.leaderboard.score(unlucky)).toBeUndefined();
    } finally {
      await server.close();
    }
    // ...until the next start, which scores it on the worker.
    server = await startServer(config, { log: () => {} });
    try {
      await until(() => server.registry.leaderboard.score(unlucky) !== undefined, 20_000);
      expect((await listed(server)).sort()).toEqual([lucky, unlucky].sort());
      expect(server.registry.leaderboard.unscored()).toEqual([]);
    } finally {
      await server.close();
    }
  }, 60_000);
});
