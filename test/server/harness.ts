/** Integration-test harness: a real server on port 0 with a temp database, and real ws clients. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../engine/server/app.ts';
import { configFromEnv, type ServerConfig } from '../../engine/server/config.ts';
import type { CreateSessionResponse, ServerMessage } from '../../engine/protocol.ts';

export function testConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const dir = mkdtempSync(join(tmpdir(), 'sevdrill-server-'));
  return { ...configFromEnv({}), port: 0, host: '127.0.0.1', dataFile: join(dir, 'test.db'), ...overrides };
}

export async function withServer<T>(fn: (server: RunningServer) => Promise<T>, overrides: Partial<ServerConfig> = {}): Promise<T> {
  const server = await startServer(testConfig(overrides), { log: () => {} });
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

export async function createDrill(server: { url: string }, body: Record<string, unknown> = { scenarioId: 'retail-sev1', speed: 60 }): Promise<CreateSessionResponse> {
  const res = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as CreateSessionResponse;
}

type Message = ServerMessage & Record<string, unknown>;

/** A ws client that records every message and can wait for one matching a predicate. */
export class TestClient {
  readonly messages: Message[] = [];
  private waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  readonly ws: WebSocket;
  closed: Promise<{ code: number; reason: string }>;

  private constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, { headers });
    this.ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as Message;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.match(m) ? (w.resolve(m), false) : true));
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    const client = new TestClient(url, headers);
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('error', reject);
    });
    return client;
  }

  static async join(url: string, hello: Record<string, unknown>): Promise<TestClient> {
    const client = await TestClient.connect(url);
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
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting; last: ${JSON.stringify(this.messages.slice(-3)).slice(0, 500)}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  /** Waits for an event of a type (optionally matching fields) inside an `events` batch. */
  waitForEvent(type: string, fields: Record<string, unknown> = {}, timeoutMs = 10_000) {
    const has = (m: Message) =>
      m.type === 'events' && (m.events as Record<string, unknown>[]).some((e) => e.type === type && Object.entries(fields).every(([k, v]) => e[k] === v));
    return this.waitFor(has, timeoutMs);
  }

  /** Every event received, in order. */
  events(): Record<string, unknown>[] {
    return this.messages.flatMap((m) => (m.type === 'events' ? (m.events as Record<string, unknown>[]) : []));
  }

  close(): void {
    this.ws.close();
  }
}
