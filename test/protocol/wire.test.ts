/**
 * The wire schemas describe what a real server sends: every WebSocket message and HTTP body of a
 * live drill parses with its schema and comes back unchanged (so no field is missing from a schema,
 * and none has the wrong type). The TypeScript types are derived from the same schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as http from '../../engine/protocol/http.ts';
import { clientMessageSchema, serverMessageSchema, welcomeMessageSchema } from '../../engine/protocol/messages-schema.ts';
import { publicScenarioSchema } from '../../engine/protocol/views.ts';
import type { RunningServer } from '../../engine/server/app.ts';
import { TestClient, createDrill, get, startTestServer, type CodeDrill } from '../server/harness.ts';

/** Parses with the schema and expects the value back as it was: nothing unknown, nothing wrong. */
function conforms(schema: z.ZodType, value: unknown, label: string): void {
  const parsed = schema.safeParse(value);
  expect(parsed.success ? [] : parsed.error.issues.slice(0, 3), label).toEqual([]);
  expect(parsed.data, label).toEqual(value);
}

/** A body with its scenario set aside: scenarios go out with durations already in ms, which the scenario file schema reads as text. */
function withoutScenario(value: unknown): Record<string, unknown> {
  const { scenario: _scenario, ...rest } = value as Record<string, unknown>;
  return rest;
}

async function send(server: RunningServer, method: string, path: string, body: unknown, token?: string): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const res = await fetch(`${server.url}${path}`, { method, headers, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe('what a live server sends matches the schemas', () => {
  let server: RunningServer;
  let drill: CodeDrill;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    server = await startTestServer();
    drill = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, team: 'wire' });
  });
  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await server.close();
  });

  it('WebSocket: welcome, events, ack, error, clock and roster', async () => {
    const join = async (hello: Record<string, unknown>) => {
      const client = await TestClient.join(server.url, hello);
      clients.push(client);
      return client;
    };
    const fac = await join({ sessionId: drill.sessionId, token: drill.facilitatorToken });
    const alice = await join({ sessionId: drill.sessionId, code: drill.responderCode, name: 'alice', device: 'd-1' });
    const bob = await join({ sessionId: drill.sessionId, code: drill.responderCode, name: 'bob' });
    const frames: unknown[] = [
      { type: 'control', command: 'start', clientActionId: 'c1' },
      { type: 'control', command: 'inject', fault: 'pricing-rules-v2', clientActionId: 'c2' },
      { type: 'control', command: 'speed', speed: 60, clientActionId: 'c3' },
    ];
    for (const frame of frames) fac.send(frame);
    await fac.reply('c3');
    await alice.waitForEvent('alert.firing', { severity: 'page' }, 15_000);
    const actions: unknown[] = [
      { type: 'action', clientActionId: 'a1', action: 'ack' },
      { type: 'action', clientActionId: 'a2', action: 'declare', params: { severity: 1 } },
      { type: 'action', clientActionId: 'a3', action: 'rollback', target: 'pricing' },
      { type: 'action', clientActionId: 'a4', action: 'approve', params: { request: 'rollback:pricing' } },
    ];
    for (const frame of actions) alice.send(frame);
    expect(await alice.reply('a4')).toMatchObject({ type: 'error', code: 'self-approval' });
    bob.send({ type: 'action', clientActionId: 'b1', action: 'diagnose', target: 'pricing', sessionId: drill.sessionId });
    await bob.reply('b1');
    for (const frame of [...frames, ...actions]) conforms(clientMessageSchema, frame, JSON.stringify(frame));

    const seen = new Set<string>();
    for (const client of [fac, alice, bob]) {
      for (const message of client.messages) {
        seen.add(message.type);
        if (message.type === 'welcome') {
          conforms(welcomeMessageSchema.omit({ scenario: true }), withoutScenario(message), `${client === fac ? 'facilitator' : 'responder'} welcome`);
          if (client !== fac) expect(Object.keys(message.scenario).sort()).toEqual(Object.keys(publicScenarioSchema.shape).sort());
        } else conforms(serverMessageSchema, message, `${message.type} ${JSON.stringify(message).slice(0, 200)}`);
      }
    }
    expect([...seen].sort()).toEqual(['ack', 'clock', 'error', 'events', 'history', 'roster', 'welcome']);
  });

  it('HTTP: every body of the API', async () => {
    const bearer = { authorization: `Bearer ${drill.facilitatorToken}` };
    const id = drill.sessionId;
    conforms(http.healthSchema, (await get(server, '/healthz')).json, 'healthz');
    conforms(http.serverInfoSchema, (await get(server, '/api/config')).json, 'config');
    conforms(http.scenarioListSchema, (await get(server, '/api/scenarios')).json, 'scenarios');
    conforms(http.scenarioDetailSchema.omit({ scenario: true }), withoutScenario((await get(server, '/api/scenarios/retail-sev1')).json), 'scenario');
    conforms(http.sessionPageSchema, (await get(server, '/api/sessions?limit=5')).json, 'page');
    conforms(http.sessionListingSchema, (await get(server, `/api/sessions/${id}`)).json, 'listing');
    conforms(http.sessionSummarySchema, (await get(server, `/api/sessions/${id}`, bearer)).json, 'summary');
    conforms(http.replayBundleSchema.omit({ scenario: true }), withoutScenario((await get(server, `/api/sessions/${id}/replay`, bearer)).json), 'replay');

    const invite = await send(server, 'POST', `/api/sessions/${id}/invites`, { name: 'carol' }, drill.facilitatorToken);
    expect(invite.status).toBe(201);
    conforms(http.inviteResponseSchema, invite.json, 'invite');
    conforms(http.inviteListSchema, (await get(server, `/api/sessions/${id}/invites`, bearer)).json, 'invites');
    conforms(http.participantListSchema, (await get(server, `/api/sessions/${id}/participants`, bearer)).json, 'participants');

    conforms(http.leaderboardSchema, (await get(server, '/api/leaderboard/retail-sev1')).json, 'leaderboard');
    conforms(http.teamHistorySchema, (await get(server, '/api/teams/wire')).json, 'team');
    const campaign = await send(server, 'POST', '/api/campaigns', { team: 'wire', scenarioIds: ['retail-sev1', 'auth-cert-expiry'] });
    expect(campaign.status).toBe(201);
    conforms(http.createCampaignResponseSchema, campaign.json, 'campaign created');
    conforms(http.campaignSchema, (await get(server, `/api/campaigns/${(campaign.json as { campaignId: string }).campaignId}`)).json, 'campaign');
    conforms(http.campaignLeaderboardSchema, (await get(server, '/api/leaderboard/campaigns')).json, 'campaign leaderboard');

    for (const path of ['/api/sessions/nope', '/api/nothing', '/api/sessions?limit=0']) conforms(http.errorResponseSchema, (await get(server, path)).json, path);
    const validated = await fetch(`${server.url}/api/scenarios/validate`, { method: 'POST', body: 'id: [' });
    conforms(http.validationResultSchema, await validated.json(), 'validate');
  });
});
