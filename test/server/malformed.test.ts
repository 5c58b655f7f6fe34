/**
 * Untrusted input over the socket: every malformed, unknown, unauthorised or misdirected frame gets an
 * `error` with the right code and changes nothing, while an already-joined client keeps receiving its
 * tick batches without a single error. Oversized frames close the offending socket (1009) and a flood
 * is rate-limited and then closed (1008), with the server and every other client carrying on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateSessionResponse } from '../../engine/protocol/messages.ts';
import type { RunningServer } from '../../engine/server/app.ts';
import { TestClient, createDrill, fetchLog, get, largestGap, logEvents, startTestServer, type Message } from './harness.ts';

let server: RunningServer;
let a: CreateSessionResponse;
let b: CreateSessionResponse;
let fac: TestClient;
let watcher: TestClient;
let olga: TestClient;
let startedAt = 0;
let commandsBefore: Record<string, unknown>[] = [];
const extra: TestClient[] = [];

/** The command events in a drill's log: any accepted or engine-rejected input shows up here. */
async function commands(creds: CreateSessionResponse): Promise<Record<string, unknown>[]> {
  return logEvents(await fetchLog(server, creds.sessionId, creds.facilitatorToken)).filter((e) => e.type === 'command');
}

/** Sends a frame and returns the next error the client receives (registered before sending). */
async function errorFor(client: TestClient, frame: unknown, binary = false): Promise<Message> {
  const next = client.waitForNext((m) => m.type === 'error', 5_000);
  if (binary) client.ws.send(Buffer.from(JSON.stringify(frame)), { binary: true });
  else client.send(frame);
  const error = await next;
  expect(typeof error.message).toBe('string');
  expect((error.message as string).length).toBeGreaterThan(5);
  return error;
}

async function connect(): Promise<TestClient> {
  const client = await TestClient.connect(server.url);
  extra.push(client);
  return client;
}

/** A fresh responder socket per test, so that one test's frames do not eat another's rate limit. */
let responders = 0;
const responder = (name = `rita-${++responders}`) => join({ sessionId: a.sessionId, code: a.responderCode, name });

async function join(hello: Record<string, unknown>): Promise<TestClient> {
  const client = await TestClient.join(server.url, hello);
  extra.push(client);
  expect(client.messages[0]).toMatchObject({ type: 'welcome' });
  return client;
}

beforeAll(async () => {
  server = await startTestServer();
  a = await createDrill(server);
  b = await createDrill(server);
  fac = await TestClient.join(server.url, { sessionId: a.sessionId, token: a.facilitatorToken, name: 'Fran' });
  watcher = await TestClient.join(server.url, { sessionId: a.sessionId, code: a.responderCode, name: 'wendy' });
  olga = await TestClient.join(server.url, { sessionId: a.sessionId, code: a.observerCode, name: 'olga' });
  fac.send({ type: 'control', command: 'start', clientActionId: 'start' });
  expect(await fac.reply('start')).toMatchObject({ type: 'ack' });
  await watcher.waitForNow(20_000);
  startedAt = performance.now();
  commandsBefore = await commands(a);
  expect(commandsBefore.map((c) => c.command)).toEqual(['start']);
});

afterAll(async () => {
  for (const c of [fac, watcher, olga, ...extra]) c?.ws.terminate();
  await server?.close();
});

describe('bad frames get an error and change nothing', () => {
  it('malformed JSON', async () => {
    const rita = await responder();
    expect(await errorFor(rita, '{"type": "action", ')).toMatchObject({ code: 'bad-json' });
    expect(await errorFor(rita, '')).toMatchObject({ code: 'bad-json' });
  });

  it('a JSON value that is not an object', async () => {
    const rita = await responder();
    for (const frame of ['42', '"hello"', 'null', 'true', '[{"type":"hello"}]']) {
      expect(await errorFor(rita, frame), frame).toMatchObject({ code: 'bad-message' });
    }
  });

  it('unknown message types, including names inherited from Object.prototype', async () => {
    const rita = await responder();
    expect(await errorFor(rita, { type: 'shout', clientActionId: 'u1' })).toMatchObject({ code: 'unknown-type', clientActionId: 'u1' });
    expect(await errorFor(rita, {})).toMatchObject({ code: 'unknown-type' });
    expect(await errorFor(rita, { type: 42 })).toMatchObject({ code: 'unknown-type' });
    for (const type of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(await errorFor(rita, { type }), type).toMatchObject({ code: 'unknown-type' });
    }
  });

  it('missing and invalid fields name the field', async () => {
    const rita = await responder();
    const fresh = await connect();
    expect(await errorFor(fresh, { type: 'hello', v: 1, sessionId: a.sessionId, code: a.responderCode })).toMatchObject({ code: 'missing-name', path: 'name' });
    expect(await errorFor(fresh, { type: 'hello', v: 1, sessionId: a.sessionId, code: a.responderCode, name: '   ' })).toMatchObject({ code: 'bad-name', path: 'name' });
    expect(await errorFor(fresh, { type: 'hello', v: 1, sessionId: a.sessionId, code: a.responderCode, name: 7 })).toMatchObject({ code: 'bad-message', path: 'name' });
    expect(await errorFor(fresh, { type: 'hello', v: 2, sessionId: a.sessionId, code: a.responderCode, name: 'x' })).toMatchObject({ code: 'bad-message', path: 'v' });
    expect(await errorFor(fresh, { type: 'hello', v: 1, code: a.responderCode, name: 'x' })).toMatchObject({ code: 'bad-message', path: 'sessionId' });
    expect(await errorFor(fresh, { type: 'hello', v: 1, sessionId: a.sessionId, code: a.responderCode, name: 'x', lastSeq: 1.5 })).toMatchObject({ code: 'bad-message', path: 'lastSeq' });
    // A malformed hello does not join: the socket is still not in a session.
    expect(await errorFor(fresh, { type: 'action', clientActionId: 'n1', action: 'ack' })).toMatchObject({ code: 'not-joined', clientActionId: 'n1' });

    expect(await errorFor(rita, { type: 'action', action: 'ack' })).toMatchObject({ code: 'bad-message', path: 'clientActionId' });
    expect(await errorFor(rita, { type: 'action', clientActionId: 'm1' })).toMatchObject({ code: 'bad-message', path: 'action', clientActionId: 'm1' });
    expect(await errorFor(rita, { type: 'action', clientActionId: 'm2', action: 'declare', params: { severity: { deep: 1 } } })).toMatchObject({
      code: 'bad-message',
      clientActionId: 'm2',
      path: 'params.severity',
    });
    expect(await errorFor(rita, { type: 'action', clientActionId: 'x'.repeat(129), action: 'ack' })).toMatchObject({ code: 'bad-message', path: 'clientActionId' });
    // The command's own schema (engine/protocol/commands.ts): an unknown command, an over-long target or parameter.
    expect(await errorFor(rita, { type: 'action', clientActionId: 'm3', action: 'reboot-the-world' })).toMatchObject({ code: 'bad-message', path: 'action', clientActionId: 'm3' });
    expect(await errorFor(rita, { type: 'action', clientActionId: 'm4', action: 'diagnose', target: 'x'.repeat(129) })).toMatchObject({ code: 'bad-message', path: 'target' });
    expect(await errorFor(rita, { type: 'action', clientActionId: 'm5', action: 'ack', params: { ['k'.repeat(65)]: 1 } })).toMatchObject({ code: 'bad-message', path: `params.${'k'.repeat(65)}` });
    expect(await errorFor(fac, { type: 'control', command: 'speed', speed: 'fast', clientActionId: 'c6' })).toMatchObject({ code: 'bad-message', path: 'speed' });
    expect(await errorFor(fac, { type: 'control', command: 'explode', clientActionId: 'c1' })).toMatchObject({ code: 'bad-message', path: 'command', clientActionId: 'c1' });
    expect(await errorFor(fac, { type: 'control', command: 'inject', clientActionId: 'c2' })).toMatchObject({ code: 'missing-param', path: 'fault', clientActionId: 'c2' });
    expect(await errorFor(fac, { type: 'control', command: 'speed', speed: 0, clientActionId: 'c3' })).toMatchObject({ code: 'bad-speed', clientActionId: 'c3' });
    expect(await errorFor(fac, { type: 'control', command: 'speed', speed: 61, clientActionId: 'c4' })).toMatchObject({ code: 'bad-speed', clientActionId: 'c4' });
    expect(await errorFor(fac, { type: 'control', command: 'speed', clientActionId: 'c5' })).toMatchObject({ code: 'bad-speed', clientActionId: 'c5' });
  });

  it('a wrong token, a wrong code and an unknown session; five failed joins close the socket', async () => {
    const fresh = await connect();
    expect(await errorFor(fresh, { type: 'hello', v: 1, sessionId: a.sessionId, token: 'not-the-token', name: 'mallory' })).toMatchObject({ code: 'unauthorized' });
    expect(await errorFor(fresh, { type: 'hello', v: 1, sessionId: a.sessionId, code: 'not-a-code', name: 'mallory' })).toMatchObject({ code: 'unauthorized' });
    // Another drill's credentials do not open this one.
    expect(await errorFor(fresh, { type: 'hello', v: 1, sessionId: a.sessionId, token: b.facilitatorToken, name: 'mallory' })).toMatchObject({ code: 'unauthorized' });
    expect(await errorFor(fresh, { type: 'hello', v: 1, sessionId: a.sessionId, code: b.responderCode, name: 'mallory' })).toMatchObject({ code: 'unauthorized' });
    expect(fresh.isClosed).toBe(false);
    expect(await errorFor(fresh, { type: 'hello', v: 1, sessionId: 'no-such-session', code: a.responderCode, name: 'mallory' })).toMatchObject({ code: 'unknown-session' });
    expect(await fresh.closed).toMatchObject({ code: 1008 });
    expect(fresh.messages.every((m) => m.type === 'error')).toBe(true);
  });

  it('an action before hello', async () => {
    const fresh = await connect();
    expect(await errorFor(fresh, { type: 'action', clientActionId: 'early', action: 'ack' })).toMatchObject({ code: 'not-joined', clientActionId: 'early' });
    expect(await errorFor(fresh, { type: 'control', command: 'end', clientActionId: 'early2' })).toMatchObject({ code: 'not-joined', clientActionId: 'early2' });
  });

  it('an action naming another session', async () => {
    const rita = await responder();
    expect(await errorFor(rita, { type: 'action', clientActionId: 'w1', action: 'diagnose', target: 'pricing', sessionId: b.sessionId })).toMatchObject({
      code: 'wrong-session',
      clientActionId: 'w1',
    });
    expect(await errorFor(rita, { type: 'action', clientActionId: 'w2', action: 'ack', sessionId: 'no-such-session' })).toMatchObject({ code: 'wrong-session', clientActionId: 'w2' });
    // Neither drill heard of it.
    expect(await commands(b)).toEqual([]);
  });

  it('binary frames', async () => {
    const rita = await responder();
    expect(await errorFor(rita, { type: 'action', clientActionId: 'bin', action: 'ack' }, true)).toMatchObject({ code: 'bad-message' });
    const fresh = await connect();
    expect(await errorFor(fresh, { type: 'hello', v: 1, sessionId: a.sessionId, code: a.responderCode, name: 'binny' }, true)).toMatchObject({ code: 'bad-message' });
    expect(fresh.messages.some((m) => m.type === 'welcome')).toBe(false);
  });

  it('observers and the facilitator cannot take actions', async () => {
    expect(await errorFor(olga, { type: 'action', clientActionId: 'o1', action: 'ack' })).toMatchObject({ code: 'forbidden', clientActionId: 'o1' });
    expect(await errorFor(olga, { type: 'action', clientActionId: 'o2', action: 'rollback', target: 'pricing' })).toMatchObject({ code: 'forbidden', clientActionId: 'o2' });
    expect(await errorFor(fac, { type: 'action', clientActionId: 'f1', action: 'declare', params: { severity: 1 } })).toMatchObject({ code: 'forbidden', clientActionId: 'f1' });
    expect(await errorFor(olga, { type: 'control', command: 'pause', clientActionId: 'o3' })).toMatchObject({ code: 'forbidden', clientActionId: 'o3' });
  });

  it('responders cannot control the drill, neither with `control` nor by naming a control as an action', async () => {
    const rita = await responder();
    for (const command of ['start', 'pause', 'resume', 'end']) {
      expect(await errorFor(rita, { type: 'control', command, clientActionId: `r-${command}` })).toMatchObject({ code: 'forbidden', clientActionId: `r-${command}` });
    }
    expect(await errorFor(rita, { type: 'control', command: 'inject', fault: 'login-herd', clientActionId: 'r-inject' })).toMatchObject({ code: 'forbidden' });
    expect(await errorFor(rita, { type: 'control', command: 'speed', speed: 1, clientActionId: 'r-speed' })).toMatchObject({ code: 'forbidden' });
    for (const action of ['pause', 'end', 'start', 'resume']) {
      expect(await errorFor(rita, { type: 'action', clientActionId: `ra-${action}`, action }), action).toMatchObject({ code: 'forbidden', clientActionId: `ra-${action}` });
    }
    // Nor can a responder inject (or probe for) a fault.
    for (const fault of ['login-herd', 'pricing-rules-v2', 'no-such-fault']) {
      expect(await errorFor(rita, { type: 'action', clientActionId: `ri-${fault}`, action: 'inject', params: { fault } }), fault).toMatchObject({ code: 'forbidden' });
    }
    const s = (await get(server, `/api/sessions/${a.sessionId}`, { authorization: `Bearer ${a.facilitatorToken}` })).json as { phase: string; speed: number };
    expect(s).toMatchObject({ phase: 'running', speed: 60 });
  });

  it('a second hello on a joined socket', async () => {
    const rita = await responder();
    expect(await errorFor(rita, { type: 'hello', v: 1, sessionId: b.sessionId, code: b.responderCode, name: 'rita' })).toMatchObject({ code: 'already-joined' });
  });

  it('a frame just under 64 KiB is answered; one over 64 KiB closes that socket with 1009', async () => {
    const big = await join({ sessionId: a.sessionId, code: a.responderCode, name: 'bigmouth' });
    const under = JSON.stringify({ type: 'action', clientActionId: 'big', action: 'status-update', params: { message: 'x'.repeat(60_000) } });
    expect(under.length).toBeLessThan(64 * 1024);
    // Accepted by the socket layer, refused by validation (messages are at most 2,000 characters).
    expect(await errorFor(big, under)).toMatchObject({ code: 'bad-message', clientActionId: 'big', path: 'params.message' });
    const watcherTicks = watcher.tickArrivals().length;
    big.send(JSON.stringify({ type: 'action', clientActionId: 'huge', action: 'ack', padding: 'y'.repeat(66 * 1024) }));
    expect(await big.closed).toMatchObject({ code: 1009 });
    expect(big.messages.some((m) => m.clientActionId === 'huge')).toBe(false);
    // Everyone else carries on.
    await watcher.waitFor(() => watcher.tickArrivals().length >= watcherTicks + 2, 5_000);
    expect((await get(server, '/healthz')).json).toEqual({ ok: true });
  });

  it('a flood is rate-limited, then closed with 1008; other clients keep ticking and the server stays healthy', async () => {
    const flooder = await join({ sessionId: a.sessionId, code: a.observerCode, name: 'flood' });
    const floodStart = performance.now();
    const ticksBefore = watcher.tickArrivals().length;
    for (let i = 0; i < 500; i++) flooder.send({ type: 'action', clientActionId: `flood-${i}`, action: 'ack' });
    const closed = await flooder.closed;
    expect(closed.code).toBe(1008);
    const rateLimited = flooder.errors().filter((m) => m.code === 'rate-limited');
    expect(rateLimited.length).toBeGreaterThanOrEqual(1);
    // Only the burst (40 less the hello, plus what refilled meanwhile) got through, each refused as an observer's.
    const answered = flooder.errors().filter((m) => m.code === 'forbidden');
    expect(answered.length).toBeGreaterThanOrEqual(39);
    expect(answered.length).toBeLessThan(60);
    // In order: the burst first, whole; later, whatever the bucket refilled (on a loaded machine that can
    // fall between two refused messages, so only the order is fixed from there on).
    const numbers = answered.map((m) => Number(String(m.clientActionId).slice('flood-'.length)));
    expect(numbers.slice(0, 39)).toEqual(numbers.slice(0, 39).map((_, i) => i));
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y));

    await watcher.waitFor(() => watcher.tickArrivals().length >= ticksBefore + 3, 5_000);
    expect(largestGap(watcher.tickArrivals(), floodStart, performance.now())).toBeLessThan(1_000);
    expect((await get(server, '/healthz')).json).toEqual({ ok: true });
    // The flooder's IP is not banned: a new socket joins fine.
    await join({ sessionId: a.sessionId, code: a.observerCode, name: 'flood-again' });
  });

  it('after all that: no new commands, the drill runs on, and the watcher saw every tick and no error', async () => {
    expect(await commands(a)).toEqual(commandsBefore);
    expect(await commands(b)).toEqual([]);
    const summary = (await get(server, `/api/sessions/${a.sessionId}`, { authorization: `Bearer ${a.facilitatorToken}` })).json as { phase: string; speed: number; now: number };
    expect(summary).toMatchObject({ phase: 'running', speed: 60 });
    const bSummary = (await get(server, `/api/sessions/${b.sessionId}`, { authorization: `Bearer ${b.facilitatorToken}` })).json as { phase: string; now: number };
    expect(bSummary).toMatchObject({ phase: 'ready', now: 0 });

    expect(watcher.errors()).toEqual([]);
    const now = performance.now();
    // Speed 60 and 10 s ticks: a batch every ~167 ms the whole time.
    expect(largestGap(watcher.tickArrivals(), startedAt, now)).toBeLessThan(1_000);
    // ...and at the set pace: simulated time ran at (nearly) 60 × wall time.
    expect(watcher.tickArrivals().filter((t) => t >= startedAt).length).toBeGreaterThanOrEqual(Math.floor(((now - startedAt) / (10_000 / 60)) * 0.8));
    // Tick batches arrived in order, each one tick after the last.
    const nows = watcher.messages.filter((m) => m.type === 'events' && m.sample !== undefined).map((m) => m.now as number);
    for (let i = 1; i < nows.length; i++) expect((nows[i] as number) - (nows[i - 1] as number)).toBe(10_000);
  });
});
