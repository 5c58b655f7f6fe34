/** Integration-test harness: a real server on port 0 with a temp database, and real ws clients. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../engine/server/app.ts';
import { configFromEnv, type ServerConfig } from '../../engine/server/config.ts';
import type { CreateSessionResponse, ServerMessage } from '../../engine/protocol/messages.ts';

export function testConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const dir = mkdtempSync(join(tmpdir(), 'sevdrill-server-'));
  // Most tests make many drills quickly from one address; the abuse tests set these limits themselves.
  const lifted = { createRate: { perSecond: 1000, burst: 1000 }, maxOpenDrills: 1000 };
  // No seeds are rated by difficulty in the background (200 a scenario by default) unless a test asks for a few.
  const quiet = { difficulty: { seeds: 0, workers: 1 } };
  return { ...configFromEnv({}), port: 0, host: '127.0.0.1', dataFile: join(dir, 'test.db'), ...lifted, ...quiet, ...overrides };
}

/** A server for a whole `describe` (beforeAll/afterAll); remember to close it. `log` receives its log lines. */
export function startTestServer(overrides: Partial<ServerConfig> = {}, log: (message: string) => void = () => {}): Promise<RunningServer> {
  return startServer(testConfig(overrides), { log });
}

export async function withServer<T>(fn: (server: RunningServer) => Promise<T>, overrides: Partial<ServerConfig> = {}, log: (message: string) => void = () => {}): Promise<T> {
  const server = await startTestServer(overrides, log);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

/** A drill in the default "code" mode, whose responder code is always there. */
export type CodeDrill = CreateSessionResponse & { responderCode: string };

export async function createDrill(server: { url: string }, body: Record<string, unknown> = { scenarioId: 'retail-sev1', speed: 60 }): Promise<CodeDrill> {
  // The tests' facilitator is Fran (the name in their logs).
  const res = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ facilitatorName: 'Fran', ...body }) });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  const created = (await res.json()) as CreateSessionResponse;
  if (created.responderCode === null && body.join !== 'invite') throw new Error('a drill in code mode came back without a responder code');
  return created as CodeDrill;
}

/** GET a path on the server; returns the status, the raw body and (if JSON) the parsed body. */
export async function get(server: { url: string }, path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: unknown }> {
  const res = await fetch(`${server.url}${path}`, { headers }).catch((error: unknown) => {
    // A kept-alive socket that the server closed while this test process was busy (a synchronous
    // `sevdrill validate` run, say) fails on reuse; a browser retries an idempotent GET then, and so do we.
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    return fetch(`${server.url}${path}`, { headers });
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** The drill's log (facilitator token), as text. */
export async function fetchLog(server: { url: string }, sessionId: string, token: string): Promise<string> {
  const res = await get(server, `/api/sessions/${sessionId}/log`, { authorization: `Bearer ${token}` });
  if (res.status !== 200) throw new Error(`log: ${res.status} ${res.text}`);
  return res.text;
}

/** The events of a log text (the header line dropped). */
export function logEvents(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Resolves after `ms` wall milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls `check` until it returns a truthy value (which it returns) or the deadline passes (bounded). */
export async function until<T>(check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 20): Promise<Truthy<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

export type Message = ServerMessage & Record<string, unknown>;

export interface ConnectOptions {
  headers?: Record<string, string>;
  /** false: never answer pings (a client that has gone away without closing). */
  autoPong?: boolean;
}

/** A ws client that records every message (raw and parsed, with arrival times) and can wait for one. */
export class TestClient {
  readonly messages: Message[] = [];
  /** Every frame exactly as received. */
  readonly raw: string[] = [];
  /** Wall time (performance.now) each message arrived, parallel to `messages`. */
  readonly arrivals: number[] = [];
  private waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  readonly ws: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
  isClosed = false;

  private constructor(url: string, options: ConnectOptions = {}) {
    this.ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, { headers: options.headers ?? {}, autoPong: options.autoPong ?? true });
    this.ws.on('message', (data) => {
      const text = data.toString();
      const m = JSON.parse(text) as Message;
      this.raw.push(text);
      this.messages.push(m);
      this.arrivals.push(performance.now());
      this.waiters = this.waiters.filter((w) => (w.match(m) ? (w.resolve(m), false) : true));
    });
    this.ws.on('error', () => {});
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code, reason) => {
        this.isClosed = true;
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  static async connect(url: string, options: ConnectOptions = {}): Promise<TestClient> {
    const client = new TestClient(url, options);
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('error', reject);
    });
    return client;
  }

  static async join(url: string, hello: Record<string, unknown>, options: ConnectOptions = {}): Promise<TestClient> {
    const client = await TestClient.connect(url, options);
    client.send({ type: 'hello', v: 1, ...hello });
    await client.waitFor((m) => m.type === 'welcome' || m.type === 'error');
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first message (already received or future) that matches. */
  waitFor(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return this.waitForNext(match, timeoutMs);
  }

  /** Like waitFor, but only for messages that arrive from now on. */
  waitForNext(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (m: Message) => (clearTimeout(timer), resolve(m)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting; last: ${JSON.stringify(this.messages.slice(-3)).slice(0, 500)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Waits for an event of a type (optionally matching fields) inside an `events` batch. */
  waitForEvent(type: string, fields: Record<string, unknown> = {}, timeoutMs = 10_000) {
    const has = (m: Message) =>
      m.type === 'events' && (m.events as Record<string, unknown>[]).some((e) => e.type === type && Object.entries(fields).every(([k, v]) => e[k] === v));
    return this.waitFor(has, timeoutMs);
  }

  /** Waits for a live tick batch whose `now` (the next tick's simulated ms) is at least `t`. */
  waitForNow(t: number, timeoutMs = 10_000) {
    return this.waitFor((m) => m.type === 'events' && m.sample !== undefined && (m.now as number) >= t, timeoutMs);
  }

  /** Waits for the reply (ack or error) to a clientActionId. */
  reply(clientActionId: string, timeoutMs = 10_000) {
    return this.waitFor((m) => (m.type === 'ack' || m.type === 'error') && m.clientActionId === clientActionId, timeoutMs);
  }

  /** Every event received, in order. */
  events(): Record<string, unknown>[] {
    return this.messages.flatMap((m) => (m.type === 'events' ? (m.events as Record<string, unknown>[]) : []));
  }

  errors(): Message[] {
    return this.messages.filter((m) => m.type === 'error');
  }

  /** Arrival times of live tick batches (those with a telemetry sample). */
  tickArrivals(): number[] {
    return this.messages.flatMap((m, i) => (m.type === 'events' && m.sample !== undefined ? [this.arrivals[i] as number] : []));
  }

  close(): void {
    this.ws.close();
  }
}

/** The largest wall gap (ms) between consecutive values, including from `from` and up to `to`. */
export function largestGap(times: readonly number[], from: number, to: number): number {
  const inside = times.filter((t) => t >= from && t <= to);
  const points = [from, ...inside, to];
  let gap = 0;
  for (let i = 1; i < points.length; i++) gap = Math.max(gap, (points[i] as number) - (points[i - 1] as number));
  return gap;
}
