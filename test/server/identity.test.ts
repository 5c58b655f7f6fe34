/**
 * Identity and controlled friction over real HTTP and real sockets: every participant is a
 * server-issued id; one person under a second name, in a second tab or behind a confusable name is
 * still one person and cannot approve their own request; two people can. Invite-only drills, the
 * facilitator's roster and removal, the facilitator coming back, and identities across a restart.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateSessionResponse, InviteResponse, RosterEntry } from '../../engine/protocol/messages.ts';
import type { RunningServer } from '../../engine/server/app.ts';
import { deriveSecret } from '../../engine/server/credentials.ts';
import { TestClient, createDrill, fetchLog, logEvents, startTestServer, until, type Message } from './harness.ts';

const REQUEST = 'rollback:pricing';

interface Reply {
  status: number;
  json: Record<string, unknown>;
}

async function call(server: { url: string }, method: string, path: string, opts: { bearer?: string; body?: unknown } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.bearer !== undefined) headers.authorization = `Bearer ${opts.bearer}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.url}${path}`, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

/** Joins and returns the client with its first answer (welcome or error). */
async function hello(server: { url: string }, fields: Record<string, unknown>): Promise<{ client: TestClient; first: Message }> {
  const client = await TestClient.join(server.url, fields);
  const first = client.messages[0] as Message;
  return { client, first };
}

/** A hello that must be refused: returns the error frame and closes the socket. */
async function refused(server: { url: string }, fields: Record<string, unknown>): Promise<Message> {
  const { client, first } = await hello(server, fields);
  client.close();
  if (first.type !== 'error') throw new Error(`expected a refusal, got ${JSON.stringify(first).slice(0, 200)}`);
  return first;
}

/** A hello that must be welcomed. */
async function welcomed(server: { url: string }, fields: Record<string, unknown>): Promise<{ client: TestClient; welcome: Message }> {
  const { client, first } = await hello(server, fields);
  if (first.type !== 'welcome') throw new Error(`expected a welcome, got ${JSON.stringify(first)}`);
  return { client, welcome: first };
}

async function startedDrill(server: { url: string }, body: Record<string, unknown> = {}) {
  const created = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, ...body });
  const { client: fac, welcome } = await welcomed(server, { sessionId: created.sessionId, token: created.facilitatorToken });
  fac.send({ type: 'control', command: 'start', clientActionId: 'start' });
  expect(await fac.reply('start')).toMatchObject({ type: 'ack' });
  return { created, fac, welcome };
}

async function act(client: TestClient, id: string, action: string, extra: Record<string, unknown> = {}): Promise<Message> {
  client.send({ type: 'action', clientActionId: id, action, ...extra });
  return client.reply(id);
}

const approve = (client: TestClient, id: string) => act(client, id, 'approve', { params: { request: REQUEST } });

const participantOf = (welcome: Message) => welcome.participant as { id: string; name: string; token?: string };

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('one person cannot review their own change (the change window)', () => {
  it('not from a second tab nor under a second name; a second person can, and friction off needs nobody', async () => {
    const { created, welcome: facWelcome } = await startedDrill(server, { scenarioId: 'retail-change-window' });
    expect(facWelcome.scenario).toMatchObject({ id: 'retail-change-window', controlledFriction: 'on', task: { by: 'dana', deadline: 1_200_000 } });
    const sessionId = created.sessionId;
    const { client: bob, welcome } = await welcomed(server, { sessionId, code: created.responderCode, name: 'bob' });
    const bobToken = participantOf(welcome).token as string;
    const propose = { params: { change: 'regional-rounding-v2', page: 'pricing-rules-faq' } };
    expect(await act(bob, 'p1', 'propose-change', propose)).toMatchObject({ type: 'ack' });
    await bob.waitForEvent('change.proposed', { change: 'regional-rounding-v2', by: 'bob', byId: 'p2', review: true });

    const review = (verdict: string) => ({ params: { change: 'regional-rounding-v2', verdict } });
    const { client: tab } = await welcomed(server, { sessionId, participantToken: bobToken, name: 'robert' });
    expect(await act(tab, 't1', 'review-change', review('approve'))).toMatchObject({ type: 'error', code: 'self-review', path: 'actor' });
    expect(await act(bob, 'b1', 'review-change', review('deny'))).toMatchObject({ type: 'error', code: 'self-review' });

    const { client: alice } = await welcomed(server, { sessionId, code: created.responderCode, name: 'alice' });
    expect(await act(alice, 'a0', 'page-history', { params: { page: 'pricing-rules-faq' } })).toMatchObject({ type: 'ack' });
    expect(await act(alice, 'a1', 'review-change', review('deny'))).toMatchObject({ type: 'ack' });
    await bob.waitForEvent('change.denied', { change: 'regional-rounding-v2', by: 'alice', byId: 'p3', requestedBy: 'bob', requestedById: 'p2' });
    for (const c of [bob, tab, alice]) c.close();

    // The same scenario "before the policy": the proposal deploys at once, with nobody to review it.
    const off = await startedDrill(server, { scenarioId: 'retail-change-window', controlledFriction: 'off' });
    expect(off.welcome.scenario).toMatchObject({ controlledFriction: 'off' });
    const { client: solo } = await welcomed(server, { sessionId: off.created.sessionId, code: off.created.responderCode, name: 'bob' });
    expect(await act(solo, 's1', 'propose-change', propose)).toMatchObject({ type: 'ack' });
    await solo.waitForEvent('change.deployed', { change: 'regional-rounding-v2', author: 'bob' });
    solo.close();
    off.fac.close();
  });
});

describe('one person cannot approve their own request', () => {
  it('not under a second name, not from a second tab, not behind a confusable name; nor deny it', async () => {
    const { created, fac, welcome: facWelcome } = await startedDrill(server);
    const sessionId = created.sessionId;
    expect(participantOf(facWelcome)).toEqual({ id: 'p1', name: 'Fran' });

    const { client: bob, welcome } = await welcomed(server, { sessionId, code: created.responderCode, name: 'bob' });
    expect(welcome).toMatchObject({ role: 'responder', name: 'bob', joinMode: 'code' });
    const bobId = participantOf(welcome);
    expect(bobId).toEqual({ id: 'p2', name: 'bob', token: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) });
    const bobToken = bobId.token as string;

    expect(await act(bob, 'r1', 'rollback', { target: 'pricing' })).toMatchObject({ type: 'ack' });
    await bob.waitForEvent('approval.requested', { request: REQUEST, by: 'bob', byId: 'p2' });

    // Bob again, asking for another name: the token says who he is; the name is ignored.
    const { client: alt, welcome: altWelcome } = await welcomed(server, { sessionId, participantToken: bobToken, name: 'bob-alt' });
    expect(altWelcome).toMatchObject({ role: 'responder', name: 'bob', participant: { id: 'p2', name: 'bob', token: bobToken } });
    expect(await approve(alt, 'alt-approve')).toMatchObject({ type: 'error', code: 'self-approval', path: 'actor' });

    // Bob in a second tab, same name.
    const { client: tab, welcome: tabWelcome } = await welcomed(server, { sessionId, participantToken: bobToken });
    expect(tabWelcome).toMatchObject({ name: 'bob', participant: { id: 'p2', name: 'bob' } });
    expect(await approve(tab, 'tab-approve')).toMatchObject({ type: 'error', code: 'self-approval' });
    expect(await approve(bob, 'bob-approve')).toMatchObject({ type: 'error', code: 'self-approval' });

    // Nor can he deny it: the request stays pending for someone else.
    expect(await act(bob, 'bob-deny', 'deny', { params: { request: REQUEST } })).toMatchObject({ type: 'error', code: 'self-denial', path: 'actor' });
    expect(await act(alt, 'alt-deny', 'deny', { params: { request: REQUEST } })).toMatchObject({ type: 'error', code: 'self-denial' });

    // No second identity for him (or anyone) behind a name that looks like one already in the drill.
    for (const name of ['b\u043Eb', 'Bob', 'BOB', 'bob\u200B', '\u202Ebob', '\uFF42\uFF4F\uFF42', 'b0b']) {
      const error = await refused(server, { sessionId, code: created.responderCode, name });
      expect(error, JSON.stringify(name)).toMatchObject({ code: 'name-taken', path: 'name', message: expect.stringMatching(/^".+" is taken \(someone in this drill has it\); pick another name$/) });
    }
    expect(await refused(server, { sessionId, code: created.responderCode, name: 'b\u043Eb' })).toEqual({
      type: 'error',
      code: 'name-taken',
      path: 'name',
      message: '"b\u043Eb" is taken (someone in this drill has it); pick another name',
    });
    // The observer code does not get around it either.
    expect(await refused(server, { sessionId, code: created.observerCode, name: 'BOB' })).toMatchObject({ code: 'name-taken', path: 'name' });
    // The facilitator's name, and the reserved ones.
    for (const name of ['fran', 'FRAN', 'Fr\u0430n']) {
      expect(await refused(server, { sessionId, code: created.responderCode, name })).toMatchObject({ code: 'name-taken', path: 'name', message: expect.stringContaining("(the facilitator's name)") });
    }
    for (const name of ['facilitator', 'Sevdrill', 'SYSTEM']) {
      expect(await refused(server, { sessionId, code: created.responderCode, name })).toMatchObject({ code: 'name-taken', path: 'name', message: expect.stringContaining('(a reserved name)') });
    }

    // Still one request, still bob's, still pending; nothing started.
    const { client: watcher, welcome: watcherWelcome } = await welcomed(server, { sessionId, code: created.observerCode, name: 'olga' });
    const snapshot = watcherWelcome.snapshot as { pendingApprovals: unknown[]; runningActions: unknown[] };
    expect(snapshot.pendingApprovals).toEqual([{ request: REQUEST, action: 'rollback', target: 'pricing', by: 'bob', byId: 'p2', requestedAt: expect.any(Number) }]);
    expect(snapshot.runningActions).toEqual([]);

    const events = logEvents(await fetchLog(server, sessionId, created.facilitatorToken));
    expect(events.filter((e) => ['approval.granted', 'approval.denied', 'approval.bypassed', 'action.started'].includes(e.type as string))).toEqual([]);
    const decisions = events.filter((e) => e.type === 'command' && (e.command === 'approve' || e.command === 'deny'));
    expect(decisions.map((e) => [e.actor, e.participant, e.command, e.ok, e.code])).toEqual([
      ['bob', 'p2', 'approve', false, 'self-approval'],
      ['bob', 'p2', 'approve', false, 'self-approval'],
      ['bob', 'p2', 'approve', false, 'self-approval'],
      ['bob', 'p2', 'deny', false, 'self-denial'],
      ['bob', 'p2', 'deny', false, 'self-denial'],
    ]);

    // The roster: the facilitator, bob (three sockets, one browser) and the observer; nobody else.
    const roster = await call(server, 'GET', `/api/sessions/${sessionId}/participants`, { bearer: created.facilitatorToken });
    expect(roster.status).toBe(200);
    expect((roster.json.participants as RosterEntry[]).map((p) => [p.id, p.name, p.role, p.sockets, p.browsers])).toEqual([
      ['p1', 'Fran', 'facilitator', 1, 1],
      ['p2', 'bob', 'responder', 3, 1],
      ['p3', 'olga', 'observer', 1, 1],
    ]);
    for (const c of [fac, bob, alt, tab, watcher]) c.close();
  });
});

describe('two people', () => {
  it('alice requests, bob approves: granted with both names and ids, in the events, the log and the report', async () => {
    const { created, fac } = await startedDrill(server);
    const { sessionId, facilitatorToken } = created;
    const { client: alice, welcome: aw } = await welcomed(server, { sessionId, code: created.responderCode, name: 'alice' });
    const { client: bob, welcome: bw } = await welcomed(server, { sessionId, code: created.responderCode, name: 'bob' });
    expect(participantOf(aw).id).toBe('p2');
    expect(participantOf(bw).id).toBe('p3');

    expect(await act(alice, 'a1', 'rollback', { target: 'pricing' })).toMatchObject({ type: 'ack' });
    expect(await approve(bob, 'b1')).toMatchObject({ type: 'ack' });
    const granted = (await alice.waitForEvent('approval.granted')).events as Record<string, unknown>[];
    expect(granted.find((e) => e.type === 'approval.granted')).toEqual({
      seq: expect.any(Number),
      t: expect.any(Number),
      type: 'approval.granted',
      request: REQUEST,
      by: 'bob',
      byId: 'p3',
      requestedBy: 'alice',
      requestedById: 'p2',
    });
    await alice.waitForEvent('action.started', { action: REQUEST, by: 'alice' });
    // 4 simulated minutes at 60x.
    await alice.waitForEvent('action.completed', { action: REQUEST, by: 'alice' }, 15_000);

    fac.send({ type: 'control', command: 'end', clientActionId: 'end' });
    expect(await fac.reply('end')).toMatchObject({ type: 'ack' });

    const events = logEvents(await fetchLog(server, sessionId, facilitatorToken));
    const commands = events.filter((e) => e.type === 'command');
    expect(commands.map((e) => [e.actor, e.participant, e.command, e.ok])).toEqual([
      ['Fran', 'p1', 'start', true],
      ['alice', 'p2', 'rollback', true],
      ['bob', 'p3', 'approve', true],
      ['Fran', 'p1', 'end', true],
    ]);
    expect(events.filter((e) => e.type === 'approval.requested')).toEqual([
      expect.objectContaining({ request: REQUEST, action: 'rollback', target: 'pricing', by: 'alice', byId: 'p2' }),
    ]);

    await until(async () => (await call(server, 'GET', `/api/sessions/${sessionId}`)).json.status === 'ended');
    // Once ended, a participant's own token opens the debrief.
    const bobToken = participantOf(bw).token as string;
    const md = await fetch(`${server.url}/api/sessions/${sessionId}/report?format=md`, { headers: { authorization: `Bearer ${bobToken}` } });
    expect(md.status).toBe(200);
    const mdRow = (await md.text()).split('\n').find((l) => l.startsWith(`| \`${REQUEST}\``));
    expect(mdRow).toMatch(/^\| `rollback:pricing` \| alice \(`p2`\) \| [\d:]+ \| granted \| bob \(`p3`\) \| [^|]+ \|$/);

    const html = await fetch(`${server.url}/api/sessions/${sessionId}/report?format=html`, { headers: { authorization: `Bearer ${facilitatorToken}` } });
    expect(html.status).toBe(200);
    const page = await html.text();
    expect(page).toContain('alice <span class="muted">(p2)</span>');
    expect(page).toContain('bob <span class="muted">(p3)</span>');

    const json = await call(server, 'GET', `/api/sessions/${sessionId}/report?format=json`, { bearer: facilitatorToken });
    expect((json.json.report as { approvals: unknown[] }).approvals).toEqual([
      { request: REQUEST, requestedBy: 'alice', requestedById: 'p2', requestedAt: expect.any(Number), outcome: 'granted', by: 'bob', byId: 'p3', decidedAt: expect.any(Number), waitedMs: expect.any(Number) },
    ]);
    // The scorecard agrees with the report's: nothing bypassed or denied (it has no per-approval rows).
    const score = await call(server, 'GET', `/api/sessions/${sessionId}/score`, { bearer: bobToken });
    expect(score.status).toBe(200);
    expect((score.json.conduct as Record<string, unknown>).approvalsBypassed).toEqual([]);
    expect((score.json.conduct as Record<string, unknown>).approvalsDenied).toEqual([]);
    for (const c of [fac, alice, bob]) c.close();
  });
});

describe('invite-only drills', () => {
  it('refuse the responder code; named invites bring in exactly that person, again and again', async () => {
    const created = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, join: 'invite' });
    const { sessionId, facilitatorToken } = created;
    expect(created).toMatchObject({ responderCode: null, join: 'invite', facilitatorName: 'Fran', facilitatorPath: `/#/drill/${sessionId}?token=${facilitatorToken}` });
    expect(created.observerCode).toMatch(/^[A-Za-z0-9_-]{16}$/);

    const { client: fac, welcome } = await welcomed(server, { sessionId, token: facilitatorToken });
    expect(welcome).toMatchObject({ role: 'facilitator', joinMode: 'invite', share: { responderCode: null, observerCode: created.observerCode } });

    // The code a code-mode drill would have had: not a code here.
    const derived = deriveSecret(facilitatorToken, sessionId, 'responder');
    expect(await refused(server, { sessionId, code: derived, name: 'mallory' })).toMatchObject({ code: 'unauthorized' });
    // The preimage of the stored responder-code hash: a responder code, and refused as invite-only.
    expect(await refused(server, { sessionId, code: `${facilitatorToken}:no-responder-code`, name: 'mallory' })).toMatchObject({ code: 'invite-only' });

    // Invites are the facilitator's.
    const inviteUrl = `/api/sessions/${sessionId}/invites`;
    expect(await call(server, 'POST', inviteUrl, { body: { name: 'carol' } })).toMatchObject({ status: 401, json: { code: 'unauthorized' } });
    expect(await call(server, 'POST', inviteUrl, { bearer: 'not-a-token', body: { name: 'carol' } })).toMatchObject({ status: 401, json: { code: 'unauthorized' } });
    expect(await call(server, 'POST', inviteUrl, { bearer: created.observerCode, body: { name: 'carol' } })).toMatchObject({ status: 401, json: { code: 'unauthorized' } });

    const made = await call(server, 'POST', inviteUrl, { bearer: facilitatorToken, body: { name: 'carol' } });
    expect(made.status).toBe(201);
    const carolInvite = made.json as unknown as InviteResponse;
    expect(carolInvite).toEqual({ inviteId: expect.stringMatching(/^i-[A-Za-z0-9_-]{8}$/), name: 'carol', participantId: null, invite: expect.any(String), path: `/#/join/${sessionId}?invite=${carolInvite.invite}` });
    // Asking again for the same person is the same link.
    expect((await call(server, 'POST', inviteUrl, { bearer: facilitatorToken, body: { name: 'Carol' } })).json).toEqual(carolInvite);

    // The invite decides the name; the hello's name is ignored.
    const { client: carol, welcome: cw } = await welcomed(server, { sessionId, invite: carolInvite.invite, name: 'Fran' });
    expect(cw).toMatchObject({ role: 'responder', name: 'carol', joinMode: 'invite', participant: { id: 'p2', name: 'carol' } });
    expect(cw).not.toHaveProperty('share');
    expect(cw).not.toHaveProperty('roster');
    const carolToken = participantOf(cw).token as string;
    // Another browser with the same link: the same person, with a token of its own.
    const { client: carol2, welcome: cw2 } = await welcomed(server, { sessionId, invite: carolInvite.invite });
    expect(participantOf(cw2)).toEqual({ id: 'p2', name: 'carol', token: expect.any(String) });
    expect(participantOf(cw2).token).not.toBe(carolToken);

    // A participant token is no key to the facilitator's endpoints.
    expect(await call(server, 'POST', inviteUrl, { bearer: carolToken, body: { name: 'dave' } })).toMatchObject({ status: 401, json: { code: 'unauthorized' } });
    expect(await call(server, 'GET', inviteUrl, { bearer: carolToken })).toMatchObject({ status: 401 });

    // The observer code still works in invite mode.
    const { client: olga, welcome: ow } = await welcomed(server, { sessionId, code: created.observerCode, name: 'olga' });
    expect(ow).toMatchObject({ role: 'observer', participant: { id: 'p3', name: 'olga' } });

    // Names that are someone else's: the facilitator's, the observer's, the reserved ones.
    for (const name of ['Fran', 'fran', 'FRAN', 'OLGA', 'facilitator', 'sevdrill']) {
      expect(await call(server, 'POST', inviteUrl, { bearer: facilitatorToken, body: { name } }), name).toMatchObject({ status: 409, json: { code: 'name-taken' } });
    }
    expect(await call(server, 'POST', inviteUrl, { bearer: facilitatorToken, body: { name: '\u200B' } })).toMatchObject({ status: 400, json: { code: 'bad-name' } });
    expect(await call(server, 'POST', inviteUrl, { bearer: facilitatorToken, body: {} })).toMatchObject({ status: 400, json: { code: 'bad-name' } });

    // The invite for carol now names her; an invite for her name is still hers.
    const again = await call(server, 'POST', inviteUrl, { bearer: facilitatorToken, body: { name: 'CAROL' } });
    expect(again.json).toEqual({ ...carolInvite, participantId: 'p2' });
    const dave = (await call(server, 'POST', inviteUrl, { bearer: facilitatorToken, body: { name: 'dave' } })).json as unknown as InviteResponse;
    const list = await call(server, 'GET', inviteUrl, { bearer: facilitatorToken });
    expect(list).toEqual({ status: 200, json: { invites: [{ ...carolInvite, participantId: 'p2' }, dave] } });
    expect(dave.path).toBe(`/#/join/${sessionId}?invite=${dave.invite}`);
    // An invited name is kept for that person: nobody can take it with the observer code meanwhile.
    expect(await refused(server, { sessionId, code: created.observerCode, name: 'Dave' })).toMatchObject({ code: 'name-taken', path: 'name' });

    // Bad and foreign invites.
    expect(await refused(server, { sessionId, invite: 'x'.repeat(16) })).toMatchObject({ code: 'unknown-invite' });
    const other = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, join: 'invite' });
    expect(await refused(server, { sessionId: other.sessionId, invite: carolInvite.invite })).toMatchObject({ code: 'unknown-invite' });
    expect(await refused(server, { sessionId: other.sessionId, participantToken: carolToken })).toMatchObject({ code: 'unknown-participant' });
    expect(await call(server, 'POST', `/api/sessions/${other.sessionId}/invites`, { bearer: facilitatorToken, body: { name: 'x' } })).toMatchObject({ status: 401 });

    // Two identities never share one approval: carol requests; carol's other browser cannot approve.
    fac.send({ type: 'control', command: 'start', clientActionId: 'start' });
    await fac.reply('start');
    expect(await act(carol, 'c1', 'rollback', { target: 'pricing' })).toMatchObject({ type: 'ack' });
    expect(await approve(carol2, 'c2')).toMatchObject({ type: 'error', code: 'self-approval' });
    for (const c of [fac, carol, carol2, olga]) c.close();
  });

  it('in a code drill, an invite for a participant’s name brings that same person back', async () => {
    const created = await createDrill(server);
    const { sessionId, facilitatorToken } = created;
    const { client: bob, welcome } = await welcomed(server, { sessionId, code: created.responderCode, name: 'bob' });
    const made = await call(server, 'POST', `/api/sessions/${sessionId}/invites`, { bearer: facilitatorToken, body: { name: 'BOB' } });
    expect(made).toMatchObject({ status: 201, json: { name: 'bob', participantId: 'p2' } });
    const { client: back, welcome: bw } = await welcomed(server, { sessionId, invite: (made.json as unknown as InviteResponse).invite, name: 'robert' });
    expect(participantOf(bw)).toEqual({ id: 'p2', name: 'bob', token: expect.any(String) });
    expect(participantOf(bw).token).not.toBe(participantOf(welcome).token);
    // Both tokens are bob's.
    const { client: tab } = await welcomed(server, { sessionId, participantToken: participantOf(welcome).token });
    const { client: tab2 } = await welcomed(server, { sessionId, participantToken: participantOf(bw).token });
    const roster = await call(server, 'GET', `/api/sessions/${sessionId}/participants`, { bearer: facilitatorToken });
    expect((roster.json.participants as RosterEntry[]).map((p) => [p.id, p.name, p.sockets, p.browsers])).toEqual([
      ['p1', 'Fran', 0, 0],
      ['p2', 'bob', 4, 2],
    ]);
    for (const c of [bob, back, tab, tab2]) c.close();
  });
});

describe('roster and removal', () => {
  it('the facilitator sees who is here, and can remove someone for good', async () => {
    const created = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, facilitatorName: 'Fran' });
    const { sessionId, facilitatorToken } = created;
    const { client: fac, welcome } = await welcomed(server, { sessionId, token: facilitatorToken });
    // (Its own socket is counted from the first roster frame on: the welcome is sent before it is attached.)
    expect(welcome.roster).toEqual([expect.objectContaining({ id: 'p1', name: 'Fran', role: 'facilitator', joinedAt: expect.any(String), invited: false, removed: false })]);
    expect(welcome.roster).toHaveLength(1);
    const rosterFrames = () => fac.messages.filter((m) => m.type === 'roster').map((m) => m.participants as RosterEntry[]);
    const summary = (entries: RosterEntry[]) => entries.map((p) => `${p.id}:${p.name}:${p.role}:${p.sockets}/${p.browsers}${p.invited ? ':invited' : ''}${p.removed ? ':removed' : ''}`);
    /** Waits for a roster frame showing exactly `expected`, among those that arrived after message `since`. */
    const nextRoster = (expected: string[], since: number) =>
      until(() => fac.messages.slice(since).find((m) => m.type === 'roster' && JSON.stringify(summary(m.participants as RosterEntry[])) === JSON.stringify(expected)));
    await nextRoster(['p1:Fran:facilitator:1/1'], 0);

    let since = fac.messages.length;
    const { client: alice, welcome: aw } = await welcomed(server, { sessionId, code: created.responderCode, name: 'alice', device: 'laptop-a' });
    await nextRoster(['p1:Fran:facilitator:1/1', 'p2:alice:responder:1/1'], since);
    const aliceToken = participantOf(aw).token as string;
    since = fac.messages.length;
    const { client: alice2 } = await welcomed(server, { sessionId, participantToken: aliceToken, device: 'laptop-a' });
    await nextRoster(['p1:Fran:facilitator:1/1', 'p2:alice:responder:2/1'], since);
    since = fac.messages.length;
    const { client: alice3 } = await welcomed(server, { sessionId, participantToken: aliceToken, device: 'phone-a' });
    await nextRoster(['p1:Fran:facilitator:1/1', 'p2:alice:responder:3/2'], since);
    since = fac.messages.length;
    alice3.close();
    await nextRoster(['p1:Fran:facilitator:1/1', 'p2:alice:responder:2/1'], since);

    since = fac.messages.length;
    const invite = (await call(server, 'POST', `/api/sessions/${sessionId}/invites`, { bearer: facilitatorToken, body: { name: 'carol' } })).json as unknown as InviteResponse;
    const { client: carol, welcome: cw } = await welcomed(server, { sessionId, invite: invite.invite });
    const { client: olga } = await welcomed(server, { sessionId, code: created.observerCode, name: 'olga' });
    const everyone = ['p1:Fran:facilitator:1/1', 'p2:alice:responder:2/1', 'p3:carol:responder:1/1:invited', 'p4:olga:observer:1/1'];
    await nextRoster(everyone, since);

    const url = `/api/sessions/${sessionId}/participants`;
    const listed = await call(server, 'GET', url, { bearer: facilitatorToken });
    expect(listed.status).toBe(200);
    expect(summary(listed.json.participants as RosterEntry[])).toEqual(everyone);
    expect(await call(server, 'GET', url)).toMatchObject({ status: 401, json: { code: 'unauthorized' } });
    expect(await call(server, 'GET', url, { bearer: aliceToken })).toMatchObject({ status: 401, json: { code: 'unauthorized' } });

    // Removal is the facilitator's alone, and never of the facilitator.
    expect(await call(server, 'DELETE', `${url}/p3`, { bearer: aliceToken })).toMatchObject({ status: 401, json: { code: 'unauthorized' } });
    expect(await call(server, 'DELETE', `${url}/p3`, { bearer: created.responderCode })).toMatchObject({ status: 401, json: { code: 'unauthorized' } });
    expect(await call(server, 'DELETE', `${url}/p3`)).toMatchObject({ status: 401, json: { code: 'unauthorized' } });
    expect(await call(server, 'DELETE', `${url}/p1`, { bearer: facilitatorToken })).toMatchObject({ status: 403, json: { code: 'forbidden' } });
    expect(await call(server, 'DELETE', `${url}/p99`, { bearer: facilitatorToken })).toMatchObject({ status: 404, json: { code: 'unknown-participant' } });

    // Remove carol (invited) and alice (two tabs).
    const carolToken = participantOf(cw).token as string;
    since = fac.messages.length;
    const gone = await call(server, 'DELETE', `${url}/p3`, { bearer: facilitatorToken });
    expect(gone.status).toBe(200);
    expect(summary(gone.json.participants as RosterEntry[])).toEqual(['p1:Fran:facilitator:1/1', 'p2:alice:responder:2/1', 'p3:carol:responder:0/0:invited:removed', 'p4:olga:observer:1/1']);
    expect(await carol.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'removed' });
    expect(await carol.closed).toEqual({ code: 4000, reason: 'removed' });

    expect((await call(server, 'DELETE', `${url}/p2`, { bearer: facilitatorToken })).status).toBe(200);
    for (const tab of [alice, alice2]) {
      expect(await tab.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'removed' });
      expect(await tab.closed).toEqual({ code: 4000, reason: 'removed' });
    }
    await nextRoster(['p1:Fran:facilitator:1/1', 'p2:alice:responder:0/0:removed', 'p3:carol:responder:0/0:invited:removed', 'p4:olga:observer:1/1'], since);
    // Removing again changes nothing.
    expect((await call(server, 'DELETE', `${url}/p2`, { bearer: facilitatorToken })).status).toBe(200);

    // Their tokens and links no longer open the drill, and their names stay taken.
    expect(await refused(server, { sessionId, participantToken: aliceToken })).toMatchObject({ code: 'removed' });
    expect(await refused(server, { sessionId, participantToken: carolToken })).toMatchObject({ code: 'removed' });
    expect(await refused(server, { sessionId, invite: invite.invite })).toMatchObject({ code: 'removed' });
    expect(await refused(server, { sessionId, code: created.responderCode, name: 'Alice' })).toMatchObject({ code: 'name-taken', path: 'name' });
    expect(await refused(server, { sessionId, code: created.responderCode, name: 'carol' })).toMatchObject({ code: 'name-taken', path: 'name' });
    expect(await call(server, 'POST', `/api/sessions/${sessionId}/invites`, { bearer: facilitatorToken, body: { name: 'carol' } })).toMatchObject({ status: 409, json: { code: 'name-taken' } });
    expect((await call(server, 'GET', `/api/sessions/${sessionId}/invites`, { bearer: facilitatorToken })).json).toEqual({ invites: [] });
    // Nor do their tokens open the debrief.
    fac.send({ type: 'control', command: 'end', clientActionId: 'end' });
    await fac.reply('end');
    expect(await call(server, 'GET', `/api/sessions/${sessionId}/score`, { bearer: aliceToken })).toMatchObject({ status: 401 });
    expect((await call(server, 'GET', `/api/sessions/${sessionId}/score`, { bearer: created.observerCode })).status).toBe(200);

    // Roster frames reached the facilitator only.
    expect(rosterFrames().length).toBeGreaterThanOrEqual(6);
    for (const c of [alice, alice2, carol, olga]) expect(c.messages.filter((m) => m.type === 'roster')).toEqual([]);
    fac.close();
    olga.close();
  });
});

describe('the facilitator comes back', () => {
  it('with the same token: the facilitator again, with the codes the create response gave', async () => {
    const created: CreateSessionResponse = await createDrill(server);
    const { sessionId, facilitatorToken } = created;
    expect(created.facilitatorPath).toBe(`/#/drill/${sessionId}?token=${facilitatorToken}`);
    const share = { responderCode: created.responderCode, observerCode: created.observerCode };
    const first = await welcomed(server, { sessionId, token: facilitatorToken });
    expect(first.welcome).toMatchObject({ role: 'facilitator', name: 'Fran', participant: { id: 'p1', name: 'Fran' }, share });
    expect(participantOf(first.welcome)).not.toHaveProperty('token');
    // Another tab while the first is open.
    const second = await welcomed(server, { sessionId, token: facilitatorToken, name: 'someone-else' });
    expect(second.welcome).toMatchObject({ role: 'facilitator', name: 'Fran', participant: { id: 'p1', name: 'Fran' }, share, roster: expect.any(Array) });
    first.client.close();
    second.client.close();
    await first.client.closed;
    await second.client.closed;
    // After closing every tab.
    const third = await welcomed(server, { sessionId, token: facilitatorToken });
    expect(third.welcome).toMatchObject({ role: 'facilitator', participant: { id: 'p1', name: 'Fran' }, share });
    expect(third.welcome.facilitator).toBeDefined();
    // A near miss is no facilitator.
    const nearMiss = `${facilitatorToken.slice(0, -1)}${facilitatorToken.endsWith('A') ? 'B' : 'A'}`;
    expect(await refused(server, { sessionId, token: nearMiss })).toMatchObject({ code: 'unauthorized' });
    third.client.close();
  });
});

describe('identities survive a restart', () => {
  it('tokens, invites, names and the pending request carry over to a new server on the same data file', async () => {
    const dataFile = join(mkdtempSync(join(tmpdir(), 'sevdrill-identity-')), 'drill.db');
    const first = await startTestServer({ dataFile });
    const { created, fac } = await startedDrill(first);
    const { sessionId, facilitatorToken } = created;
    const { client: bob, welcome } = await welcomed(first, { sessionId, code: created.responderCode, name: 'bob' });
    const bobToken = participantOf(welcome).token as string;
    const invite = (await call(first, 'POST', `/api/sessions/${sessionId}/invites`, { bearer: facilitatorToken, body: { name: 'carol' } })).json as unknown as InviteResponse;
    const { client: carol } = await welcomed(first, { sessionId, invite: invite.invite });
    expect(await act(bob, 'r1', 'rollback', { target: 'pricing' })).toMatchObject({ type: 'ack' });
    for (const c of [fac, bob, carol]) c.close();
    await first.close();

    const second = await startTestServer({ dataFile });
    try {
      expect(second.recovered).toBe(1);
      const back = await welcomed(second, { sessionId, participantToken: bobToken, name: 'robert' });
      expect(back.welcome).toMatchObject({ role: 'responder', name: 'bob', participant: { id: 'p2', name: 'bob', token: bobToken } });
      expect((back.welcome.snapshot as { pendingApprovals: unknown[] }).pendingApprovals).toEqual([expect.objectContaining({ request: REQUEST, by: 'bob', byId: 'p2' })]);
      expect(await approve(back.client, 'again')).toMatchObject({ type: 'error', code: 'self-approval' });

      const carolAgain = await welcomed(second, { sessionId, invite: invite.invite });
      expect(participantOf(carolAgain.welcome)).toMatchObject({ id: 'p3', name: 'carol' });
      const facAgain = await welcomed(second, { sessionId, token: facilitatorToken });
      expect(facAgain.welcome).toMatchObject({ participant: { id: 'p1', name: 'Fran' }, share: { responderCode: created.responderCode, observerCode: created.observerCode } });
      expect(await refused(second, { sessionId, code: created.responderCode, name: 'BOB' })).toMatchObject({ code: 'name-taken' });

      const { client: alice, welcome: aw } = await welcomed(second, { sessionId, code: created.responderCode, name: 'alice' });
      expect(participantOf(aw).id).toBe('p4');
      expect(await approve(alice, 'ok')).toMatchObject({ type: 'ack' });
      await alice.waitForEvent('approval.granted', { request: REQUEST, by: 'alice', byId: 'p4', requestedBy: 'bob', requestedById: 'p2' });
      for (const c of [back.client, carolAgain.client, facAgain.client, alice]) c.close();
    } finally {
      await second.close();
    }
  });
});

describe('a join refused by a limit leaves no trace', () => {
  it('the name stays free and no token is issued when the sockets per code are full', async () => {
    const server = await startTestServer({ maxSocketsPerCode: 1 });
    try {
      const { created, fac } = await startedDrill(server);
      const { client: alice } = await welcomed(server, { sessionId: created.sessionId, code: created.responderCode, name: 'alice' });
      expect(await refused(server, { sessionId: created.sessionId, code: created.responderCode, name: 'bob' })).toMatchObject({ code: 'too-many-sockets' });
      alice.close();
      await alice.closed;
      await until(async () => ((await call(server, 'GET', `/api/sessions/${created.sessionId}/participants`, { bearer: created.facilitatorToken })).json.participants as RosterEntry[]).every((p) => p.sockets === 0 || p.role === 'facilitator'));
      // bob's refused attempt took nothing: he gets his name, as the next id (p3), not a later one.
      const { client: bob, welcome } = await welcomed(server, { sessionId: created.sessionId, code: created.responderCode, name: 'bob' });
      expect(welcome.participant).toMatchObject({ id: 'p3', name: 'bob' });
      const roster = (await call(server, 'GET', `/api/sessions/${created.sessionId}/participants`, { bearer: created.facilitatorToken })).json.participants as RosterEntry[];
      expect(roster.map((p) => [p.id, p.name])).toEqual([
        ['p1', 'Fran'],
        ['p2', 'alice'],
        ['p3', 'bob'],
      ]);
      for (const c of [bob, fac]) c.close();
    } finally {
      await server.close();
    }
  });
});
