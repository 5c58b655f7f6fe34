/**
 * Crash safety, end to end: the server runs as a child process (`npm start`'s command line) and is
 * killed with SIGKILL mid-drill, right after it acknowledged an action. A new process on the same data
 * file must carry the drill on, keep every acknowledged action at the seq it was acknowledged with, and
 * produce the very log an uninterrupted run with the same inputs would. A clean stop (SIGTERM) must
 * lose nothing at all, not even simulated time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHeader, parseLog, serializeLog } from '../../engine/core/log/log.ts';
import { replayLog } from '../../engine/core/log/replay.ts';
import { createSession } from '../../engine/core/session.ts';
import type { CommandInput, CommandParams } from '../../engine/protocol/commands.ts';
import type { EngineEvent } from '../../engine/protocol/events.ts';
import type { CreateSessionResponse, SessionSummary } from '../../engine/protocol/messages.ts';
import { Store } from '../../engine/server/store.ts';
import { isFacilitatorOnly } from '../../engine/core/read/visibility.ts';
import { ROOT, loadScenario, loadSpec } from '../helpers.ts';
import { TestClient, createDrill } from './harness.ts';

const NODE_MAJOR = process.versions.node.split('.')[0] ?? 'unknown';
const START_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 10_000;

// ── the server as a child process ─────────────────────────────────────────────────────────────────

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

class ServerProcess {
  readonly stderr: string[] = [];
  readonly exited: Promise<Exit>;
  private done = false;

  private constructor(
    readonly proc: ChildProcess,
    readonly url: string,
    readonly recovered: number,
  ) {
    this.exited = new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve({ code: proc.exitCode, signal: proc.signalCode });
      else proc.once('exit', (code, signal) => resolve({ code, signal }));
    });
    void this.exited.then(() => {
      this.done = true;
      live.delete(this);
    });
  }

  /** `node --import tsx engine/server/main.ts` on an ephemeral loopback port; resolves once it listens. */
  static start(dataFile: string): Promise<ServerProcess> {
    // SEVDRILL_DIFFICULTY_SEEDS=0: no seeds rated in the background, whose worker would compete with the drills for the CPU.
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', SEVDRILL_DATA: dataFile, SEVDRILL_DIFFICULTY_SEEDS: '0' };
    delete env.SEVDRILL_ORIGINS;
    delete env.SEVDRILL_SCENARIOS;
    const proc = spawn(process.execPath, ['--import', 'tsx', 'engine/server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    return new Promise((resolve, reject) => {
      let stdout = '';
      const fail = (why: string) => {
        clearTimeout(timer);
        proc.kill('SIGKILL');
        reject(new Error(`${why}\nstdout: ${stdout}\nstderr: ${stderr.join('')}`));
      };
      const timer = setTimeout(() => fail(`the server did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
      proc.once('exit', (code, signal) => fail(`the server exited before listening (code ${code}, signal ${signal})`));
      proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const m = /sevdrill listening on http:\/\/localhost:(\d+) .*?(\d+) drill\(s\) recovered/.exec(stdout);
        if (!m) return;
        clearTimeout(timer);
        proc.removeAllListeners('exit');
        const server = new ServerProcess(proc, `http://127.0.0.1:${m[1]}`, Number(m[2]));
        server.stderr.push(...stderr);
        proc.stderr?.removeAllListeners('data').on('data', (c: string) => server.stderr.push(c));
        live.add(server);
        resolve(server);
      });
    });
  }

  /** Sends a signal and waits (bounded) for the process to exit. */
  async stop(signal: NodeJS.Signals): Promise<Exit & { ms: number }> {
    const t0 = performance.now();
    if (!this.done) this.proc.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.proc.kill('SIGKILL');
        reject(new Error(`the server did not exit within ${EXIT_TIMEOUT_MS} ms of ${signal}`));
      }, EXIT_TIMEOUT_MS);
    });
    try {
      return { ...(await Promise.race([this.exited, timeout])), ms: performance.now() - t0 };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Resolves as `promise` does, or rejects after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Children still running; any a failed test leaves behind are killed. */
const live = new Set<ServerProcess>();
const tempDirs: string[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await Promise.all([...live].map((s) => s.stop('SIGKILL').catch(() => undefined)));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDataFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sevdrill-crash-'));
  tempDirs.push(dir);
  return join(dir, 'drills.db');
}

// ── a scripted drill that records what the server acknowledged ───────────────────────────────────

interface Acked {
  clientActionId: string;
  /** The seq the ack named: the log's for the facilitator, the visible events' numbering for responders. */
  seq: number;
  facilitator: boolean;
  /** The engine command the server builds from the message (socket.ts): the person's name and id. */
  command: CommandInput;
}

async function joinDrill(url: string, hello: Record<string, unknown>): Promise<TestClient> {
  const client = await TestClient.join(url, hello);
  clients.push(client);
  const welcome = await client.waitFor((m) => m.type === 'welcome' || m.type === 'error');
  if (welcome.type !== 'welcome') throw new Error(`join refused: ${JSON.stringify(welcome)}`);
  return client;
}

class Script {
  readonly acked: Acked[] = [];
  private n = 0;

  /** Sends a message and waits for its ack; a refusal fails the test (every scripted command is valid). */
  private async send(client: TestClient, message: Record<string, unknown>, type: string, extra: { target?: string; params?: CommandParams }): Promise<number> {
    // The engine command the server builds (socket.ts): the person's name and participant id from their welcome.
    const { participant, role } = (await client.waitFor((m) => m.type === 'welcome')) as unknown as { participant: { id: string; name: string }; role: string };
    const command: CommandInput = { actor: participant.name, participant: participant.id, type, ...extra };
    const clientActionId = `${command.actor}-${command.type}-${++this.n}`;
    client.send({ ...message, clientActionId });
    const reply = await client.waitFor((m) => (m.type === 'ack' || m.type === 'error') && m.clientActionId === clientActionId);
    if (reply.type !== 'ack') throw new Error(`${clientActionId} was refused: ${JSON.stringify(reply)}`);
    this.acked.push({ clientActionId, seq: reply.seq, facilitator: role === 'facilitator', command });
    return reply.seq;
  }

  action(client: TestClient, action: string, extra: { target?: string; params?: CommandParams } = {}): Promise<number> {
    return this.send(client, { type: 'action', action, ...extra }, action, extra);
  }

  control(client: TestClient, command: 'start' | 'inject', fault?: string): Promise<number> {
    return this.send(client, { type: 'control', command, ...(fault === undefined ? {} : { fault }) }, command, fault === undefined ? {} : { params: { fault } });
  }
}

interface Drill {
  creds: CreateSessionResponse;
  fac: TestClient;
  alice: TestClient;
  bob: TestClient;
  script: Script;
}

/**
 * Creates a retail-sev1 drill at speed 60 and plays the response up to the second responder's approval.
 * With `page`, waits for the injected fault to page and acknowledges and declares it first (~150 s
 * simulated); without, goes straight to the commands that need no incident.
 */
async function playUpToApproval(server: ServerProcess, { page }: { page: boolean }): Promise<Drill> {
  const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
  const fac = await joinDrill(server.url, { sessionId: creds.sessionId, token: creds.facilitatorToken, name: 'Fran' });
  const alice = await joinDrill(server.url, { sessionId: creds.sessionId, code: creds.responderCode, name: 'alice' });
  const bob = await joinDrill(server.url, { sessionId: creds.sessionId, code: creds.responderCode, name: 'bob' });
  const script = new Script();
  await script.control(fac, 'start');
  await script.control(fac, 'inject', 'pricing-rules-v2');
  if (page) {
    await alice.waitForEvent('alert.firing', { severity: 'page' }, 15_000);
    await script.action(alice, 'ack');
    await script.action(alice, 'declare', { params: { severity: 1 } });
  }
  await script.action(bob, 'assign-role', { params: { role: 'ops' } });
  await script.action(bob, 'diagnose', { target: 'pricing' });
  await script.action(alice, 'status-update', { params: { message: 'Sev 1: prices failing. Rolling back pricing-rules v2.' } });
  await script.action(alice, 'rollback', { target: 'pricing' });
  await script.action(bob, 'approve', { params: { request: 'rollback:pricing' } });
  return { creds, fac, alice, bob, script };
}

// ── checks ─────────────────────────────────────────────────────────────────────────────────────────

async function fetchLog(server: ServerProcess, creds: CreateSessionResponse): Promise<string> {
  const res = await fetch(`${server.url}/api/sessions/${creds.sessionId}/log`, { headers: { authorization: `Bearer ${creds.facilitatorToken}` } });
  expect(res.status).toBe(200);
  return res.text();
}

async function summary(server: ServerProcess, creds: CreateSessionResponse): Promise<SessionSummary> {
  const res = await fetch(`${server.url}/api/sessions/${creds.sessionId}`, { headers: { authorization: `Bearer ${creds.facilitatorToken}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as SessionSummary;
}

/** The events a client has received, by seq (a resync may deliver some twice: they must agree). */
function seenBySeq(client: TestClient): Map<number, string> {
  const seen = new Map<number, string>();
  for (const e of client.events()) {
    const line = JSON.stringify(e);
    const before = seen.get(e.seq as number);
    if (before !== undefined) expect(line, `seq ${String(e.seq)} delivered twice, differently`).toBe(before);
    seen.set(e.seq as number, line);
  }
  return seen;
}

/** The token a participant's first welcome gave them: identities (and their tokens) survive a restart. */
const participantToken = (client: TestClient): string => (client.messages.find((m) => m.type === 'welcome') as unknown as { participant: { token: string } }).participant.token;

const lastSeq = (client: TestClient): number => Math.max(-1, ...client.events().map((e) => e.seq as number));

/** The live tick batches (they carry a sample) a client has received. */
const tickBatches = (client: TestClient) => client.messages.filter((m) => m.type === 'events' && m.sample !== undefined) as { now: number }[];

/**
 * The log must hold every acknowledged command at its acknowledged seq and no other command, replay
 * from its own header, and equal, byte for byte, a fresh in-process run of the acknowledged commands
 * submitted at the simulated times the log stamps them with.
 */
function checkLog(text: string, acked: readonly Acked[]): { header: string; lines: string[]; events: EngineEvent[] } {
  const parsed = parseLog(text);
  if (!parsed.ok) throw new Error(`the log does not parse: line ${parsed.line}: ${parsed.message}`);
  const { events, lines } = parsed;
  events.forEach((e, i) => expect(e.seq, 'seq is the event index').toBe(i));

  // Every ack is in the log as that very command, at that very seq; the log has no other command.
  const visibleSeqs = events.filter((e) => !isFacilitatorOnly(e)).map((e) => e.seq);
  const logSeq = (a: Acked): number => (a.facilitator ? a.seq : (visibleSeqs[a.seq] as number));
  for (const a of acked) {
    const e = events[logSeq(a)];
    expect(e, `acked ${a.clientActionId} (seq ${a.seq}) is missing from the log`).toBeDefined();
    expect(e).toMatchObject({ seq: logSeq(a), type: 'command', actor: a.command.actor, participant: a.command.participant, command: a.command.type, ok: true });
    if (e?.type !== 'command') return expect.fail(`seq ${logSeq(a)} is not a command`);
    expect(e.target).toEqual(a.command.target);
    expect(e.params).toEqual(a.command.params);
  }
  const commandSeqs = events.filter((e) => e.type === 'command').map((e) => e.seq);
  expect(commandSeqs).toEqual(acked.map(logSeq).sort((x, y) => x - y));

  // Re-simulated from the log's own header and commands.
  expect(replayLog(text)).toEqual({ ok: true, events: events.length });

  // An uninterrupted in-process run: the scenario from disk, the acked commands at the stamped times.
  const session = createSession(loadSpec('retail-sev1'));
  for (const a of [...acked].sort((x, y) => logSeq(x) - logSeq(y))) {
    session.runUntil((events[logSeq(a)] as EngineEvent).t);
    const result = session.submit(a.command);
    expect(result).toMatchObject({ ok: true, seq: logSeq(a) });
  }
  const lastT = events.length > 0 ? (events[events.length - 1] as EngineEvent).t : 0;
  session.runUntil(lastT + 1);
  const expected = serializeLog(createHeader(session.scenario, session.seed, NODE_MAJOR, session.variation), session.events).split('\n');
  expected.pop();
  const common = Math.min(expected.length, lines.length);
  // The log is fetched between ticks, so the in-process run covers all of it: the prefix is the whole log.
  expect(common).toBe(lines.length);
  for (let i = 0; i < common; i++) {
    if (lines[i] !== expected[i]) expect.fail(`log line ${i + 1} differs from an uninterrupted run:\n  log:        ${lines[i]}\n  in-process: ${expected[i]}`);
  }
  return { header: lines[0] as string, lines, events };
}

/** Every event a client saw before the restart is in the new log, byte for byte, at the same seq. */
function expectSeenInLog(seen: Map<number, string>, lines: readonly string[]): void {
  expect(seen.size).toBeGreaterThan(0);
  for (const [seq, line] of seen) {
    if (lines[seq + 1] !== line) expect.fail(`event seq ${seq} seen before the restart differs in the new log:\n  seen: ${line}\n  log:  ${String(lines[seq + 1])}`);
  }
}

/** What the data file holds while no server runs: exactly the acked commands, in order. */
function readStore(dataFile: string, sessionId: string): { simNow: number; status: string; inputs: { n: number; t: number; command: CommandInput }[] } {
  const store = new Store(dataFile);
  try {
    const stored = store.session(sessionId);
    if (!stored) throw new Error(`session ${sessionId} is not in the data file`);
    return { simNow: stored.simNow, status: stored.status, inputs: store.loadInputs(sessionId) };
  } finally {
    store.close();
  }
}

function expectStoredInputs(inputs: { n: number; command: CommandInput }[], acked: readonly Acked[]): void {
  expect(inputs.map((i) => i.n)).toEqual(acked.map((_, n) => n));
  expect(inputs.map((i) => i.command)).toEqual(acked.map((a) => a.command));
}

/** Rejoins all three with the lastSeq each saw; checks the drill is running and its clock moves on. */
async function rejoin(server: ServerProcess, d: Drill) {
  const { sessionId, facilitatorToken } = d.creds;
  const fac = await joinDrill(server.url, { sessionId, token: facilitatorToken, name: 'Fran', lastSeq: lastSeq(d.fac) });
  const alice = await joinDrill(server.url, { sessionId, participantToken: participantToken(d.alice), lastSeq: lastSeq(d.alice) });
  const bob = await joinDrill(server.url, { sessionId, participantToken: participantToken(d.bob), lastSeq: lastSeq(d.bob) });
  const welcome = (await fac.waitFor((m) => m.type === 'welcome')) as unknown as { role: string; resumed: boolean; seq: number; snapshot: { phase: string; now: number } };
  expect(welcome.role).toBe('facilitator');
  expect(welcome.snapshot.phase).toBe('running');
  // New tick batches arrive and simulated time moves on past where the new process started.
  const tickMs = loadScenario('retail-sev1').tick;
  await fac.waitFor((m) => m.type === 'events' && m.sample !== undefined && (m.now as number) >= welcome.snapshot.now + 3 * tickMs, 10_000);
  const nows = tickBatches(fac).map((b) => b.now);
  expect(nows.length).toBeGreaterThanOrEqual(3);
  expect(nows).toEqual([...nows].sort((a, b) => a - b));
  return { fac, alice, bob, welcome };
}

// ── the tests ──────────────────────────────────────────────────────────────────────────────────────

describe('server crash safety (child process)', () => {
  it('survives SIGKILL right after an ack: the drill carries on and the log equals an uninterrupted run', async () => {
    const dataFile = tempDataFile();
    const first = await ServerProcess.start(dataFile);
    expect(first.recovered).toBe(0);
    const d = await playUpToApproval(first, { page: true });
    const seenBefore = seenBySeq(d.fac);
    const nowBefore = Math.max(...tickBatches(d.fac).map((b) => b.now));

    // kill -9 the moment the approval is acknowledged, mid-drill.
    const killed = await first.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    await within(Promise.all([d.fac.closed, d.alice.closed, d.bob.closed]), 5_000, 'the sockets to close after the kill');

    // Acknowledged means durable: the data file holds exactly the acked commands, in order.
    const stored = readStore(dataFile, d.creds.sessionId);
    expect(stored.status).toBe('live');
    expectStoredInputs(stored.inputs, d.script.acked);

    const second = await ServerProcess.start(dataFile);
    expect(second.recovered).toBe(1);
    const after = await rejoin(second, d);
    expect((await summary(second, d.creds)).phase).toBe('running');

    // The approved rollback, requested before the crash, completes after it; responders act again.
    await after.alice.waitForEvent('action.completed', { action: 'rollback:pricing' }, 15_000);
    await d.script.action(after.bob, 'status-update', { params: { message: 'Rollback done after the server restart.' } });

    const seenAfter = seenBySeq(after.fac);
    const log = checkLog(await fetchLog(second, d.creds), d.script.acked);
    expectSeenInLog(seenBefore, log.lines);
    expectSeenInLog(seenAfter, log.lines);
    const s = await summary(second, d.creds);
    expect(s.now).toBeGreaterThan(nowBefore);
    expect(s.phase).toBe('running');
    expect(second.stderr.join('')).not.toMatch(/internal error|drill-failed/);
    expect((await second.stop('SIGTERM')).code).toBe(0);
  }, 40_000);

  it('a clean restart (SIGTERM) loses nothing, not even simulated time', async () => {
    const dataFile = tempDataFile();
    const first = await ServerProcess.start(dataFile);
    const d = await playUpToApproval(first, { page: false });
    // Let a few ticks run past the last command, so there is simulated time to lose.
    const approvedAt = Math.max(...tickBatches(d.fac).map((b) => b.now));
    await d.fac.waitFor((m) => m.type === 'events' && m.sample !== undefined && (m.now as number) >= approvedAt + 30_000, 10_000);
    const logBefore = await fetchLog(first, d.creds);

    const stopped = await first.stop('SIGTERM');
    expect(stopped).toMatchObject({ code: 0, signal: null });
    expect(stopped.ms).toBeLessThan(5_000);
    const seenBefore = seenBySeq(d.fac);
    const lastNowSeen = Math.max(...tickBatches(d.fac).map((b) => b.now));

    // The shutdown recorded how far simulated time had got: at least as far as any client saw.
    const stored = readStore(dataFile, d.creds.sessionId);
    expectStoredInputs(stored.inputs, d.script.acked);
    expect(stored.status).toBe('live');
    expect(stored.simNow).toBeGreaterThanOrEqual(lastNowSeen);

    const second = await ServerProcess.start(dataFile);
    expect(second.recovered).toBe(1);
    // Straight after startup the drill is already where it stopped (recovery runs to the saved time).
    expect((await summary(second, d.creds)).now).toBeGreaterThanOrEqual(stored.simNow);
    const after = await rejoin(second, d);
    expect(after.welcome.resumed).toBe(true);

    const log = checkLog(await fetchLog(second, d.creds), d.script.acked);
    expect(log.lines.slice(0, logBefore.split('\n').length - 1)).toEqual(logBefore.split('\n').slice(0, -1));
    expectSeenInLog(seenBefore, log.lines);
    expect((await second.stop('SIGTERM')).code).toBe(0);
  }, 40_000);

  /*
   * Regression test for a fixed server bug (engine/server/drill.ts, LiveDrill.tickUnsafe): the tick set
   * `timer = null`, so afterChange() re-armed the loop (and reset lastSave) inside every tick. Drills
   * ticked at half their speed and the periodic progress save never fired above speed 5.
   */
  it('ticks at the requested speed, and a SIGKILL rewinds simulated time by at most one progress save', async () => {
    const dataFile = tempDataFile();
    const server = await ServerProcess.start(dataFile);
    const speed = 60;
    const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed });
    const fac = await joinDrill(server.url, { sessionId: creds.sessionId, token: creds.facilitatorToken, name: 'Fran' });
    fac.send({ type: 'control', command: 'start', clientActionId: 'go' });
    await fac.waitFor((m) => m.type === 'ack' && m.clientActionId === 'go');
    const tickMs = loadScenario('retail-sev1').tick;
    // 12 ticks with no command (2 s wall at speed 60: two progress saves), so only the periodic save records progress.
    const arrivals: { wall: number; now: number }[] = [];
    fac.ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; now?: number; sample?: unknown };
      if (m.type === 'events' && m.sample !== undefined) arrivals.push({ wall: performance.now(), now: m.now as number });
    });
    await fac.waitFor((m) => m.type === 'events' && m.sample !== undefined && (m.now as number) >= 12 * tickMs, 15_000);
    const killed = await server.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    const stored = readStore(dataFile, creds.sessionId);
    const lastNowSeen = Math.max(...tickBatches(fac).map((b) => b.now));
    const saveIntervalSim = 1000 * speed; // progressSaveMs (1 s wall) of simulated time at this speed
    const report = `stored simNow ${stored.simNow} ms, last seen ${lastNowSeen} ms`;
    expect(stored.simNow, report).toBeGreaterThanOrEqual(lastNowSeen - saveIntervalSim - tickMs);
    // Tick cadence: tick ÷ speed wall ms apart (10 s ÷ 60 ≈ 167 ms), measured over the live batches.
    const span = arrivals.length >= 2 ? ((arrivals.at(-1) as { wall: number }).wall - (arrivals[0] as { wall: number }).wall) / (arrivals.length - 1) : NaN;
    expect(span, `wall ms per tick (${arrivals.length} batches)`).toBeLessThan(1.3 * (tickMs / speed));
  }, 30_000);
});
