/**
 * What the server exposes, checked over real HTTP and WebSocket upgrades: the Origin and Host
 * allow-list (DNS rebinding, cross-site pages), security headers, secrets at rest (hashes only, an
 * owner-only database), coded and logged answers to bad input (prototype-named parameters included),
 * no secret in any log line, and the public listing showing only public fields.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { InviteResponse } from '../../engine/protocol/messages.ts';
import type { RunningServer } from '../../engine/server/app.ts';
import { TestClient, createDrill, startTestServer, until, type CodeDrill } from './harness.ts';

const APP_CSP = "default-src 'self';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data:;connect-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";
const REPORT_CSP = "default-src 'none';style-src 'unsafe-inline';img-src data:;frame-ancestors 'self';base-uri 'none';form-action 'none'";
const PUBLIC_FIELDS = ['createdAt', 'endedAt', 'phase', 'scenarioId', 'score', 'seed', 'sessionId', 'status', 'team', 'title'];

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown> | undefined;
}

/** A request with exactly the headers given, Host included (fetch will not let a test set Host). */
function raw(port: number, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A WebSocket upgrade with these headers: 101 if it opened, else the refusal's status. */
function upgrade(port: number, headers: Record<string, string>, path = '/ws'): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    ws.on('error', reject);
  });
}

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  code?: string;
  errorCode?: string;
  [key: string]: unknown;
}

/** A server whose log lines are kept, parsed. */
async function loggedServer(overrides: Parameters<typeof startTestServer>[0] = {}) {
  const lines: string[] = [];
  const server = await startTestServer(overrides, (line) => lines.push(line));
  return { server, lines, parsed: () => lines.map((l) => JSON.parse(l) as LogLine) };
}

describe('Origin and Host allow-list, default policy', () => {
  let server: RunningServer;
  let port: number;
  let lines: () => LogLine[];
  beforeAll(async () => {
    const s = await loggedServer();
    server = s.server;
    lines = s.parsed;
    port = server.port;
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses DNS rebinding (a foreign Host), with or without an Origin, over HTTP', async () => {
    const rebinding: Record<string, string>[] = [{ host: `evil.example:${port}` }, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` }, { host: `evil.example:${port}`, origin: `http://127.0.0.1:${port}` }];
    for (const headers of rebinding) {
      const res = await raw(port, '/api/scenarios', headers);
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ ok: false, code: 'host-not-allowed', requestId: res.headers['x-request-id'] });
    }
    // Creating a drill through a rebinding page makes nothing.
    const before = (await raw(port, '/api/sessions', { host: `127.0.0.1:${port}` })).json as { sessions: unknown[] };
    const post = await raw(port, '/api/sessions', { host: `evil.example:${port}`, 'content-type': 'application/json' }, 'POST', JSON.stringify({ scenarioId: 'retail-sev1' }));
    expect(post.status).toBe(403);
    expect(post.json).toMatchObject({ code: 'host-not-allowed' });
    expect(((await raw(port, '/api/sessions', { host: `127.0.0.1:${port}` })).json as { sessions: unknown[] }).sessions).toHaveLength(before.sessions.length);
    // Loopback names on another port are another server.
    expect((await raw(port, '/api/scenarios', { host: `localhost:${port + 1}` })).status).toBe(403);
    expect((await raw(port, '/api/scenarios', { host: 'localhost' })).status).toBe(403);
  });

  it('refuses foreign, https and null Origins; allows none and the loopback ones', async () => {
    const host = `127.0.0.1:${port}`;
    for (const origin of [`https://127.0.0.1:${port}`, 'null', 'http://evil.example', `http://127.0.0.1:${port + 1}`, `http://localhost:${port}.evil.example`]) {
      const res = await raw(port, '/api/scenarios', { host, origin });
      expect(res.status, origin).toBe(403);
      expect(res.json, origin).toMatchObject({ ok: false, code: 'origin-not-allowed' });
    }
    // A cross-site form post is refused before it creates anything.
    const csrf = await raw(port, '/api/sessions', { host, origin: 'http://evil.example', 'content-type': 'application/json' }, 'POST', JSON.stringify({ scenarioId: 'retail-sev1' }));
    expect(csrf).toMatchObject({ status: 403, json: { code: 'origin-not-allowed' } });
    expect((await raw(port, '/api/scenarios', { host })).status).toBe(200);
    for (const [h, origin] of [
      [`127.0.0.1:${port}`, `http://127.0.0.1:${port}`],
      [`localhost:${port}`, `http://localhost:${port}`],
      [`[::1]:${port}`, `http://[::1]:${port}`],
    ] as const) {
      expect((await raw(port, '/api/scenarios', { host: h, origin })).status, origin).toBe(200);
    }
  });

  it('/healthz answers whatever the Host', async () => {
    for (const host of [`evil.example:${port}`, 'anything', `127.0.0.1:${port}`]) {
      const res = await raw(port, '/healthz', { host, origin: 'null' });
      expect(res, host).toMatchObject({ status: 200, json: { ok: true } });
    }
  });

  it('applies the same checks to WebSocket upgrades, and logs the refusals', async () => {
    const mark = lines().length;
    expect(await upgrade(port, { host: `evil.example:${port}` })).toBe(403);
    expect(await upgrade(port, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` })).toBe(403);
    expect(await upgrade(port, { host: `127.0.0.1:${port}`, origin: `https://127.0.0.1:${port}` })).toBe(403);
    expect(await upgrade(port, { host: `127.0.0.1:${port}`, origin: 'null' })).toBe(403);
    expect(await upgrade(port, { host: `127.0.0.1:${port}`, origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade(port, { host: `127.0.0.1:${port}` }, '/elsewhere')).toBe(404);
    expect(await upgrade(port, { host: `127.0.0.1:${port}` })).toBe(101);
    expect(await upgrade(port, { host: `localhost:${port}`, origin: `http://localhost:${port}` })).toBe(101);
    const refusals = lines()
      .slice(mark)
      .filter((l) => l.msg.startsWith('websocket upgrade refused'))
      .map((l) => l.errorCode);
    expect(refusals).toEqual(['host-not-allowed', 'host-not-allowed', 'origin-not-allowed', 'origin-not-allowed', 'origin-not-allowed', 'not-found']);
  });
});

describe('Origin and Host allow-list with allowedOrigins', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ allowedOrigins: ['http://good.example'] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('lets the configured origin in and keeps others out, over HTTP and WebSocket', async () => {
    const { port } = server;
    const ok: Record<string, string>[] = [
      { host: 'good.example', origin: 'http://good.example' },
      { host: 'good.example:80', origin: 'http://good.example' },
      { host: 'good.example' },
      { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` },
    ];
    for (const headers of ok) {
      expect((await raw(port, '/api/scenarios', headers)).status, JSON.stringify(headers)).toBe(200);
      expect(await upgrade(port, headers), JSON.stringify(headers)).toBe(101);
    }
    const refused: [Record<string, string>, string][] = [
      [{ host: 'evil.example', origin: 'http://good.example' }, 'host-not-allowed'],
      [{ host: 'evil.example' }, 'host-not-allowed'],
      [{ host: 'good.example.evil.example', origin: 'http://good.example.evil.example' }, 'host-not-allowed'],
      [{ host: 'good.example:8080', origin: 'http://good.example:8080' }, 'host-not-allowed'],
      [{ host: 'good.example', origin: 'http://evil.example' }, 'origin-not-allowed'],
      [{ host: 'good.example', origin: 'https://good.example' }, 'origin-not-allowed'],
      [{ host: 'good.example', origin: 'null' }, 'origin-not-allowed'],
    ];
    for (const [headers, code] of refused) {
      expect(await raw(port, '/api/scenarios', headers), JSON.stringify(headers)).toMatchObject({ status: 403, json: { code } });
      expect(await upgrade(port, headers), JSON.stringify(headers)).toBe(403);
    }
  });
});

describe('security headers', () => {
  let server: RunningServer;
  let drill: CodeDrill;
  beforeAll(async () => {
    server = await startTestServer();
    drill = await createDrill(server);
  });
  afterAll(async () => {
    await server.close();
  });

  const check = (headers: Headers, csp: string, frame: string) => {
    expect(headers.get('content-security-policy')).toBe(csp);
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe(frame);
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(headers.has('strict-transport-security')).toBe(false);
    expect(headers.has('x-powered-by')).toBe(false);
  };

  it('on the app and the API', async () => {
    for (const path of ['/', '/index.html', '/api/scenarios', '/api/sessions', '/api/nothing', '/healthz']) {
      const res = await fetch(`${server.url}${path}`);
      await res.arrayBuffer();
      check(res.headers, APP_CSP, 'DENY');
    }
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    // Refusals carry them too.
    const refused = await raw(server.port, '/api/scenarios', { host: 'evil.example' });
    expect(refused.status).toBe(403);
    expect(refused.headers['content-security-policy']).toBe(APP_CSP);
    expect(refused.headers['x-frame-options']).toBe('DENY');
  });

  it('on the report: its own CSP, framable by the app only', async () => {
    const res = await fetch(`${server.url}/api/sessions/${drill.sessionId}/report`, { headers: { authorization: `Bearer ${drill.facilitatorToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/^<!doctype html>/i);
    check(res.headers, REPORT_CSP, 'SAMEORIGIN');
    expect(res.headers.get('content-security-policy')?.split(',')).toHaveLength(1);
    for (const format of ['md', 'json']) {
      const other = await fetch(`${server.url}/api/sessions/${drill.sessionId}/report?format=${format}`, { headers: { authorization: `Bearer ${drill.facilitatorToken}` } });
      await other.arrayBuffer();
      check(other.headers, REPORT_CSP, 'SAMEORIGIN');
    }
    const denied = await fetch(`${server.url}/api/sessions/${drill.sessionId}/report`);
    expect(denied.status).toBe(401);
    check(denied.headers, REPORT_CSP, 'SAMEORIGIN');
  });
});

describe('secrets at rest and in the log', () => {
  let server: RunningServer;
  let lines: string[];
  let dataFile: string;
  const secrets: Record<string, string> = {};
  /** Every hash the database must hold, with the secret it hashes. */
  const hashed: { table: string; column: string; secret: string }[] = [];
  let code: CodeDrill;

  beforeAll(async () => {
    // A directory that does not exist yet: the store makes it.
    dataFile = join(mkdtempSync(join(tmpdir(), 'sevdrill-exposure-')), 'nested', 'data', 'drills.db');
    const s = await loggedServer({ dataFile, logLevel: 'debug' });
    server = s.server;
    lines = s.lines;

    code = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, team: 'blue' });
    const invite = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, join: 'invite' });
    Object.assign(secrets, {
      facilitatorToken: code.facilitatorToken,
      responderCode: code.responderCode,
      observerCode: code.observerCode,
      inviteDrillFacilitatorToken: invite.facilitatorToken,
      inviteDrillObserverCode: invite.observerCode,
    });
    hashed.push(
      { table: 'sessions', column: 'facilitator_token_hash', secret: code.facilitatorToken },
      { table: 'sessions', column: 'responder_code_hash', secret: code.responderCode },
      { table: 'sessions', column: 'observer_code_hash', secret: code.observerCode },
      { table: 'sessions', column: 'facilitator_token_hash', secret: invite.facilitatorToken },
      { table: 'sessions', column: 'observer_code_hash', secret: invite.observerCode },
    );

    const clients: TestClient[] = [];
    const enter = async (hello: Record<string, unknown>) => {
      const c = await TestClient.join(server.url, hello);
      clients.push(c);
      const w = c.messages[0] as { type: string; participant?: { token?: string } };
      if (w.type !== 'welcome') throw new Error(JSON.stringify(w));
      return w.participant?.token as string;
    };
    const fac = await TestClient.join(server.url, { sessionId: code.sessionId, token: code.facilitatorToken });
    clients.push(fac);
    await TestClient.join(server.url, { sessionId: invite.sessionId, token: invite.facilitatorToken }).then((c) => clients.push(c));
    secrets.alice = await enter({ sessionId: code.sessionId, code: code.responderCode, name: 'alice' });
    secrets.olga = await enter({ sessionId: code.sessionId, code: code.observerCode, name: 'olga' });
    secrets.alice2 = await enter({ sessionId: code.sessionId, code: code.responderCode, name: 'alice2' });
    const links: string[] = [];
    for (const [drill, name] of [
      [code, 'carol'],
      [invite, 'dave'],
      [invite, 'erin'],
    ] as const) {
      const res = await fetch(`${server.url}/api/sessions/${drill.sessionId}/invites`, {
        method: 'POST',
        headers: { authorization: `Bearer ${drill.facilitatorToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      const link = (await res.json()) as InviteResponse;
      secrets[`invite-${name}`] = link.invite;
      hashed.push({ table: 'invites', column: 'token_hash', secret: link.invite });
      links.push(link.invite);
      if (name !== 'erin') {
        secrets[`${name}-token`] = await enter({ sessionId: drill.sessionId, invite: link.invite });
        secrets[`${name}-token2`] = await enter({ sessionId: drill.sessionId, invite: link.invite });
      }
    }
    for (const key of ['alice', 'olga', 'alice2', 'carol-token', 'carol-token2', 'dave-token', 'dave-token2']) {
      hashed.push({ table: 'participant_tokens', column: 'token_hash', secret: secrets[key] as string });
    }
    expect(Object.values(secrets).every((v) => typeof v === 'string' && v.length >= 16)).toBe(true);

    // Secrets sent where they do not belong, and where they do: none may reach the log.
    const base = `/api/sessions/${code.sessionId}`;
    const noisy: [string, Record<string, string>][] = [
      [`${base}/log?code=${code.responderCode}`, {}],
      [`${base}/log?code=${code.observerCode}`, { authorization: `Bearer ${code.facilitatorToken}` }],
      [`${base}/score?code=${secrets.alice}`, {}],
      [`${base}/report?format=md&code=${secrets['carol-token']}`, { authorization: `Bearer ${secrets.olga}` }],
      [`${base}/participants`, { authorization: `Bearer ${code.facilitatorToken}` }],
      [`${base}/participants`, { authorization: `Bearer ${secrets.alice}` }],
      [`${base}/invites?invite=${links[0]}`, { authorization: `Bearer ${code.responderCode}` }],
      [`/api/sessions/${invite.sessionId}/invites`, { authorization: `Bearer ${invite.facilitatorToken}` }],
      [`/api/nothing?token=${code.facilitatorToken}`, { authorization: `Bearer ${invite.facilitatorToken}` }],
      [`${base}?code=${invite.observerCode}`, { authorization: `Bearer ${code.facilitatorToken}` }],
    ];
    for (const [path, headers] of noisy) await (await fetch(`${server.url}${path}`, { headers })).arrayBuffer();
    // Refused hellos carrying secrets: wrong drill, wrong kind, taken names.
    for (const hello of [
      { sessionId: invite.sessionId, code: code.responderCode, name: 'x' },
      { sessionId: invite.sessionId, participantToken: secrets.alice },
      { sessionId: code.sessionId, invite: links[1] },
      { sessionId: code.sessionId, token: invite.facilitatorToken },
      { sessionId: code.sessionId, code: code.responderCode, name: 'ALICE' },
      { sessionId: 'no-such-drill', token: code.facilitatorToken },
      { sessionId: code.sessionId, token: code.facilitatorToken, code: code.responderCode },
    ]) {
      const c = await TestClient.join(server.url, hello);
      expect(c.messages[0]?.type, JSON.stringify(hello)).toBe('error');
      c.close();
    }
    // A removal (logged at info) and an ended drill (archived, scored).
    await fetch(`${server.url}${base}/participants/p4`, { method: 'DELETE', headers: { authorization: `Bearer ${code.facilitatorToken}` } });
    fac.send({ type: 'control', command: 'start', clientActionId: 'start' });
    await fac.reply('start');
    fac.send({ type: 'control', command: 'end', clientActionId: 'end' });
    await fac.reply('end');
    const db = new Database(dataFile, { readonly: true, fileMustExist: true });
    try {
      await until(() => (db.prepare('SELECT COUNT(*) AS n FROM archives').get() as { n: number }).n === 1);
    } finally {
      db.close();
    }
    for (const c of clients) c.close();
  });

  afterAll(async () => {
    await server.close();
  });

  it('the database holds the SHA-256 of every secret and never the secret', () => {
    // Raw bytes first: the database and its write-ahead log as they sit on disk.
    const files = [dataFile, `${dataFile}-wal`, `${dataFile}-shm`].filter((f) => existsSync(f));
    expect(files).toContain(`${dataFile}-wal`);
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    for (const [name, secret] of Object.entries(secrets)) {
      expect(bytes.includes(Buffer.from(secret)), name).toBe(false);
    }

    // Then every value of every table (a value can span pages, so the raw scan alone could miss one),
    // with the archived logs unzipped.
    const db = new Database(dataFile, { readonly: true, fileMustExist: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(['sessions', 'inputs', 'participants', 'participant_tokens', 'invites', 'archives', 'scores', 'session_meta']));
      const values: string[] = [];
      for (const table of tables) {
        for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
          for (const value of Object.values(row)) {
            if (typeof value === 'string') values.push(value);
            else if (Buffer.isBuffer(value)) values.push(table === 'archives' ? gunzipSync(value).toString('utf8') : value.toString('latin1'));
          }
        }
      }
      const all = values.join('\n');
      expect(all).toContain('"actor":"Fran"');
      for (const [name, secret] of Object.entries(secrets)) expect(all.includes(secret), name).toBe(false);

      for (const { table, column, secret } of hashed) {
        const hits = db.prepare(`SELECT COUNT(*) AS n FROM "${table}" WHERE "${column}" = ?`).get(sha256(secret)) as { n: number };
        expect(hits.n, `${table}.${column}`).toBe(1);
      }
      // Nothing but those hashes: one per participant token issued, one per invite.
      expect((db.prepare('SELECT COUNT(*) AS n FROM participant_tokens').get() as { n: number }).n).toBe(7);
      expect((db.prepare('SELECT COUNT(*) AS n FROM invites').get() as { n: number }).n).toBe(3);
      for (const r of db.prepare('SELECT facilitator_token_hash AS a, responder_code_hash AS b, observer_code_hash AS c FROM sessions').all() as Record<string, string>[]) {
        for (const h of Object.values(r)) expect(h).toMatch(/^[0-9a-f]{64}$/);
      }
    } finally {
      db.close();
    }
  });

  it('the database, its WAL and shared memory are owner-only, in an owner-only directory', () => {
    const mode = (f: string) => statSync(f).mode & 0o777;
    expect(mode(dataFile)).toBe(0o600);
    for (const sidecar of [`${dataFile}-wal`, `${dataFile}-shm`]) if (existsSync(sidecar)) expect(mode(sidecar), sidecar).toBe(0o600);
    expect(existsSync(`${dataFile}-wal`)).toBe(true);
    expect(mode(dirname(dataFile))).toBe(0o700);
  });

  it('no secret appears in any log line', () => {
    expect(lines.length).toBeGreaterThan(20);
    const text = lines.join('\n');
    // The log did record these requests and refusals, just not their secrets.
    expect(text).toContain(`/api/sessions/${code.sessionId}/log`);
    expect(text).toContain('"errorCode":"name-taken"');
    expect(text).toContain('"errorCode":"unknown-participant"');
    expect(text).toContain('removed from drill');
    for (const [name, secret] of Object.entries(secrets)) expect(text.includes(secret), name).toBe(false);
  });
});

describe('bad input gets a coded answer, logged under the same request id', () => {
  let server: RunningServer;
  let parsed: () => LogLine[];
  let drill: CodeDrill;
  beforeAll(async () => {
    const s = await loggedServer();
    server = s.server;
    parsed = s.parsed;
    drill = await createDrill(server);
  });
  afterAll(async () => {
    await server.close();
  });

  it.each([
    ['/api/sessions/:id/report?format=constructor', 400, 'bad-format'],
    ['/api/sessions/:id/report?format=__proto__', 400, 'bad-format'],
    ['/api/sessions/:id/report?format=toString', 400, 'bad-format'],
    ['/api/sessions/:id/report?format=hasOwnProperty', 400, 'bad-format'],
    ['/api/scenarios/constructor', 404, 'unknown-scenario'],
    ['/api/scenarios/__proto__', 404, 'unknown-scenario'],
    ['/api/leaderboard/__proto__', 404, 'unknown-scenario'],
    ['/api/leaderboard/constructor', 404, 'unknown-scenario'],
    ['/api/leaderboard/retail-sev1?seed=constructor', 400, 'bad-seed'],
    ['/api/leaderboard/retail-sev1?seed=1e3', 400, 'bad-seed'],
    ['/api/sessions?before=constructor', 400, 'bad-cursor'],
    ['/api/sessions?before=__proto__', 400, 'bad-cursor'],
    ['/api/sessions?limit=toString', 400, 'bad-limit'],
    ['/api/sessions?limit=constructor', 400, 'bad-limit'],
    ['/api/sessions?limit=1&limit=2', 400, 'bad-limit'],
    ['/api/sessions/constructor', 404, 'unknown-session'],
    ['/api/sessions/__proto__/log', 404, 'unknown-session'],
    ['/api/sessions/toString/report', 404, 'unknown-session'],
    ['/api/sessions/__proto__/participants', 404, 'unknown-session'],
    ['/api/campaigns/__proto__', 404, 'unknown-campaign'],
    ['/api/campaigns/constructor', 404, 'unknown-campaign'],
    ['/api/__proto__', 404, 'not-found'],
    ['/api/sessions/:id/log', 401, 'unauthorized'],
  ])('GET %s → %i %s', async (template, status, errorCode) => {
    const path = template.replace(':id', drill.sessionId);
    const res = await fetch(`${server.url}${path}`, template.includes('report?') ? { headers: { authorization: `Bearer ${drill.facilitatorToken}` } } : {});
    const body = (await res.json()) as Record<string, unknown>;
    const id = res.headers.get('x-request-id');
    expect(res.status).toBe(status);
    expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(body).toEqual({ ok: false, code: errorCode, message: expect.any(String), requestId: id });
    const line = await until(() => parsed().find((l) => l.reqId === id));
    expect(line).toMatchObject({ level: 40, reqId: id, status, code: errorCode, path: path.split('?')[0], msg: expect.stringContaining(` ${errorCode}: `) });
  });

  it('a team called "constructor" is just a team with no history', async () => {
    const res = await fetch(`${server.url}/api/teams/constructor`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ team: 'constructor', history: [] });
    expect(await (await fetch(`${server.url}/api/teams/__proto__`)).json()).toEqual({ team: '__proto__', history: [] });
  });

  it.each([
    ['POST', '/api/sessions', '{"scenarioId":"__proto__"}', 400, 'unknown-scenario'],
    ['POST', '/api/sessions', '{"scenarioId":"constructor"}', 400, 'unknown-scenario'],
    ['POST', '/api/sessions', '{"scenarioId":"retail-sev1","join":"constructor"}', 400, 'bad-join'],
    ['POST', '/api/sessions', '{"__proto__":{"scenarioId":"retail-sev1"}}', 400, 'unknown-scenario'],
    ['POST', '/api/sessions', '{"scenarioId":', 400, 'bad-json'],
    ['POST', '/api/sessions/:id/invites', '{"name":{"toString":"bob"}}', 400, 'bad-name'],
    ['DELETE', '/api/sessions/:id/participants/__proto__', '', 404, 'unknown-participant'],
    ['DELETE', '/api/sessions/:id/participants/constructor', '', 404, 'unknown-participant'],
  ])('%s %s %s → %i %s', async (method, template, body, status, errorCode) => {
    const path = template.replace(':id', drill.sessionId);
    const headers: Record<string, string> = { authorization: `Bearer ${drill.facilitatorToken}` };
    if (body !== '') headers['content-type'] = 'application/json';
    const res = await fetch(`${server.url}${path}`, { method, headers, ...(body !== '' ? { body } : {}) });
    const json = (await res.json()) as Record<string, unknown>;
    const id = res.headers.get('x-request-id');
    expect(res.status).toBe(status);
    expect(json).toEqual({ ok: false, code: errorCode, message: expect.any(String), requestId: id });
    const line = await until(() => parsed().find((l) => l.reqId === id));
    expect(line).toMatchObject({ level: 40, status, code: errorCode });
  });

  it('every 4xx logged so far has a request id of its own, and none of those bad inputs was a 500', () => {
    const errors = parsed().filter((l) => typeof l.status === 'number' && (l.status as number) >= 400);
    expect(errors.length).toBeGreaterThanOrEqual(30);
    expect(errors.filter((l) => (l.status as number) >= 500)).toEqual([]);
    expect(new Set(errors.map((l) => l.reqId)).size).toBe(errors.length);
  });
});

describe('what the public sees of a drill', () => {
  let server: RunningServer;
  let drill: CodeDrill;
  let aliceToken: string;
  let alice: TestClient;
  beforeAll(async () => {
    server = await startTestServer();
    drill = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, team: 'red' });
    alice = await TestClient.join(server.url, { sessionId: drill.sessionId, code: drill.responderCode, name: 'alice' });
    aliceToken = (alice.messages[0] as { participant: { token: string } }).participant.token;
  });
  afterAll(async () => {
    alice.close();
    await server.close();
  });

  it('the listing and an anonymous summary have only public fields', async () => {
    const list = (await (await fetch(`${server.url}/api/sessions`)).json()) as { sessions: Record<string, unknown>[]; next: unknown };
    expect(list.next).toBeNull();
    expect(list.sessions).toHaveLength(1);
    expect(Object.keys(list.sessions[0] as object).sort()).toEqual(PUBLIC_FIELDS);
    expect(list.sessions[0]).toMatchObject({ sessionId: drill.sessionId, scenarioId: 'retail-sev1', team: 'red', status: 'live', phase: 'ready', endedAt: null, score: null });
    // Even with the facilitator token, the listing is the public one.
    const listed = (await (await fetch(`${server.url}/api/sessions`, { headers: { authorization: `Bearer ${drill.facilitatorToken}` } })).json()) as { sessions: object[] };
    expect(Object.keys(listed.sessions[0] as object).sort()).toEqual(PUBLIC_FIELDS);

    const credentials: Record<string, string>[] = [{}, { authorization: `Bearer ${drill.responderCode}` }, { authorization: `Bearer ${drill.observerCode}` }, { authorization: `Bearer ${aliceToken}` }, { authorization: 'Bearer nope' }];
    for (const headers of credentials) {
      const res = await fetch(`${server.url}/api/sessions/${drill.sessionId}`, { headers });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort(), JSON.stringify(headers)).toEqual(PUBLIC_FIELDS);
    }
  });

  it('the facilitator’s summary has the live fields', async () => {
    const res = await fetch(`${server.url}/api/sessions/${drill.sessionId}`, { headers: { authorization: `Bearer ${drill.facilitatorToken}` } });
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual([...PUBLIC_FIELDS, 'clients', 'incidentState', 'joinMode', 'now', 'severity', 'speed'].sort());
    expect(body).toMatchObject({ sessionId: drill.sessionId, speed: 60, now: 0, incidentState: 'idle', severity: null, clients: 1, joinMode: 'code', phase: 'ready', team: 'red' });
  });
});
