/** The request log (engine/server/logger.ts): levels, fields, one readable line per error, request ids, no secrets. */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, requestLogger, sendError } from '../../engine/server/logger.ts';

interface Line {
  level: number;
  msg: string;
  reqId?: string;
  method?: string;
  path?: string;
  status?: number;
  ms?: number;
  code?: string;
  err?: { type: string; message: string; stack: string };
  [key: string]: unknown;
}

const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 };
const raw: string[] = [];
const lines = () => raw.map((l) => JSON.parse(l) as Line);
const logger = createLogger({ level: 'debug', destination: (line) => raw.push(line) });

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(requestLogger(logger));
  app.get('/ok', (req, res) => {
    res.json({ ok: true, id: req.id, local: res.locals.requestId as string });
  });
  app.post('/api/sessions', (_req, res) => sendError(res, 400, 'bad-seed', 'seed must be a whole number from 0 to 2147483647'));
  app.get('/boom', () => {
    throw new Error('kaboom: the database went away');
  });
  app.get('/api/sessions/:id/log', (req, res) => sendError(res, 401, 'unauthorized', `no access to ${String(req.params.id)}`));
  app.use('/api', (_req, res) => sendError(res, 404, 'not-found', 'no such endpoint'));
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => sendError(res, 500, 'internal', 'internal error', error));
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  raw.length = 0;
});

/** The response and its log line: the line is written on 'finish', which can trail the client's read. */
async function call(path: string, init: RequestInit = {}): Promise<{ res: globalThis.Response; body: Record<string, unknown>; line: Line }> {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  const body = (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, unknown>;
  const id = res.headers.get('x-request-id');
  for (let i = 0; i < 100; i++) {
    const line = lines().find((l) => l.reqId === id);
    if (line) return { res, body, line };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no log line for ${path} (request id ${id})`);
}

describe('requestLogger', () => {
  it('logs a success at debug with the structured fields, and gives the request an id', async () => {
    const { res, body, line } = await call('/ok');
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(body).toEqual({ ok: true, id, local: id });
    expect(line).toMatchObject({ level: LEVEL.debug, msg: '200 GET /ok', reqId: id, method: 'GET', path: '/ok', status: 200 });
    expect(line.ms).toBeTypeOf('number');
    expect(line.ms).toBeGreaterThanOrEqual(0);
    expect(line).not.toHaveProperty('code');
    expect(line).not.toHaveProperty('err');
    expect(typeof line.time).toBe('string');
  });

  it('logs a user-caused error as one readable warn line, with the same id in header, body and log', async () => {
    const { res, body, line } = await call('/api/sessions', { method: 'POST' });
    expect(res.status).toBe(400);
    const id = res.headers.get('x-request-id');
    expect(body).toEqual({ ok: false, code: 'bad-seed', message: 'seed must be a whole number from 0 to 2147483647', requestId: id });
    expect(line).toMatchObject({
      level: LEVEL.warn,
      msg: '400 POST /api/sessions bad-seed: seed must be a whole number from 0 to 2147483647',
      reqId: id,
      method: 'POST',
      path: '/api/sessions',
      status: 400,
      code: 'bad-seed',
    });
    expect(line).not.toHaveProperty('err');
    expect(lines()).toHaveLength(1);
  });

  it('logs a 404 at warn', async () => {
    const { res, body, line } = await call('/api/nothing');
    expect(res.status).toBe(404);
    expect(body).toMatchObject({ code: 'not-found', requestId: res.headers.get('x-request-id') });
    expect(line).toMatchObject({ level: LEVEL.warn, msg: '404 GET /api/nothing not-found: no such endpoint', status: 404, code: 'not-found' });
  });

  it('logs a 404 nobody recorded (Express’s own) at warn, without a code', async () => {
    const { res, line } = await call('/nothing-here');
    expect(res.status).toBe(404);
    expect(line).toMatchObject({ level: LEVEL.warn, msg: '404 GET /nothing-here', status: 404 });
    expect(line).not.toHaveProperty('code');
  });

  it('logs a thrown error at error with its stack; the client sees only the generic message', async () => {
    const { res, body, line } = await call('/boom');
    expect(res.status).toBe(500);
    expect(body).toEqual({ ok: false, code: 'internal', message: 'internal error', requestId: res.headers.get('x-request-id') });
    expect(line).toMatchObject({ level: LEVEL.error, msg: '500 GET /boom internal: internal error', status: 500, code: 'internal' });
    expect(line.err).toMatchObject({ type: 'Error', message: 'kaboom: the database went away' });
    expect(line.err?.stack).toMatch(/^Error: kaboom: the database went away\n\s+at /);
    expect(line.err?.stack).toContain('logger.test.ts');
  });

  it('keeps a well-formed incoming X-Request-Id and replaces anything else', async () => {
    const kept = await call('/ok', { headers: { 'x-request-id': 'lb-1234.abc_DEF' } });
    expect(kept.res.headers.get('x-request-id')).toBe('lb-1234.abc_DEF');
    expect(kept.line.reqId).toBe('lb-1234.abc_DEF');
    for (const bad of ['has space', 'a'.repeat(65), 'semi;colon', '<script>', '%0d%0a', '']) {
      const replaced = await call('/ok', { headers: { 'x-request-id': bad } });
      const id = replaced.res.headers.get('x-request-id');
      expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
      expect(replaced.line.reqId).toBe(id);
    }
  });

  it('gives every request a different id', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, async () => (await fetch(`${base}/ok`)).headers.get('x-request-id')));
    expect(new Set(ids).size).toBe(20);
  });
});

describe('secrets never reach the log', () => {
  it('drops the query string and headers, even at debug', async () => {
    await call('/ok?code=SECRET1&token=SECRET2', { headers: { authorization: 'Bearer SECRET3', cookie: 'sid=SECRET4' } });
    await call('/api/sessions/abc/log?code=SECRET5', { headers: { authorization: 'Bearer SECRET6' } });
    await call('/boom?code=SECRET7', { headers: { authorization: 'Bearer SECRET8' } });
    expect(raw).toHaveLength(3);
    expect(lines().map((l) => l.path)).toEqual(['/ok', '/api/sessions/abc/log', '/boom']);
    for (const line of raw) expect(line).not.toMatch(/SECRET/);
  });

  it('redacts secret-named fields at the top level and one level down, as a second line of defence', () => {
    logger.info(
      {
        code: 'SECRET1',
        token: 'SECRET2',
        authorization: 'Bearer SECRET3',
        facilitatorToken: 'SECRET4',
        created: { participantToken: 'SECRET5', responderCode: 'SECRET6', observerCode: 'SECRET7', invite: 'SECRET8', code: 'SECRET9' },
        headers: { cookie: 'SECRET10', authorization: 'SECRET11' },
        sessionId: 'visible',
      },
      'created a drill',
    );
    logger.child({ token: 'SECRET12' }).warn('child bindings too');
    expect(raw).toHaveLength(2);
    for (const line of raw) expect(line).not.toMatch(/SECRET/);
    expect(lines()[0]).toMatchObject({ code: '[Redacted]', created: { code: '[Redacted]', invite: '[Redacted]' }, sessionId: 'visible' });
  });
});

describe('createLogger', () => {
  it('takes its level from SEVDRILL_LOG_LEVEL, default info', () => {
    const saved = process.env.SEVDRILL_LOG_LEVEL;
    try {
      delete process.env.SEVDRILL_LOG_LEVEL;
      expect(createLogger({ destination: () => {} }).level).toBe('info');
      process.env.SEVDRILL_LOG_LEVEL = 'warn';
      expect(createLogger({ destination: () => {} }).level).toBe('warn');
      expect(createLogger({ level: 'debug', destination: () => {} }).level).toBe('debug');
      process.env.SEVDRILL_LOG_LEVEL = 'loud';
      expect(() => createLogger({ destination: () => {} })).toThrow(/log level "loud" is not one of fatal, error, warn, info, debug, trace, silent/);
    } finally {
      if (saved === undefined) delete process.env.SEVDRILL_LOG_LEVEL;
      else process.env.SEVDRILL_LOG_LEVEL = saved;
    }
  });

  it('at info, successful requests are not logged but errors are', async () => {
    const quiet: string[] = [];
    const app = express();
    app.use(requestLogger(createLogger({ level: 'info', destination: (l) => quiet.push(l) })));
    app.get('/ok', (_req, res) => res.send('ok'));
    app.get('/bad', (_req, res) => sendError(res, 400, 'bad-request', 'no'));
    const s = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => s.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
      await (await fetch(`${url}/ok`)).text();
      await (await fetch(`${url}/bad`)).text();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(quiet.map((l) => (JSON.parse(l) as Line).msg)).toEqual(['400 GET /bad bad-request: no']);
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });
});
