/**
 * Pause is exact: wall time spent paused, and the speed, never change the log. Two drills of the same
 * scenario and seed get the same commands at the same simulated times — one pauses for ~50 ms, the
 * other for ~1.5 s and also runs part of the way at speed 5 — and their logs are byte-identical up to a
 * simulated time both reached. Commands are sent while paused, so their stamps are deterministic.
 */
import { describe, expect, it } from 'vitest';
import { replayLog } from '../../engine/core/log/replay.ts';
import type { RunningServer } from '../../engine/server/app.ts';
import { TestClient, createDrill, fetchLog, get, logEvents, sleep, withServer } from './harness.ts';
import { loadScenario } from '../helpers.ts';

const TICK = 10_000;
/** The tick boundary at or after a fault's start, as the drill's seed (the scenario's own) draws it. */
const drawnStart = (fault: string) => Math.ceil((loadScenario('retail-sev1').faults.find((f) => f.id === fault)?.at ?? NaN) / TICK) * TICK;
const FAULT_AT = drawnStart('pricing-rules-v2'); // `at: 5m ± 2m`
const HERRING_AT = drawnStart('search-reindex');
const T = FAULT_AT + 100_000; // compare the logs up to here

interface Options {
  pauseMs: number;
  /** Run at speed 5 over the scheduled fault (paused there), then back to 60. */
  slowDown: boolean;
}

async function runDrill(server: RunningServer, options: Options) {
  // The steady drill runs at 30 (333 ms per tick), leaving room to pause on the fault's tick under load.
  const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed: options.slowDown ? 60 : 30 });
  const { sessionId } = creds;
  const fac = await TestClient.join(server.url, { sessionId, token: creds.facilitatorToken, name: 'Fran' });
  const rita = await TestClient.join(server.url, { sessionId, code: creds.responderCode, name: 'rita' });
  let n = 0;
  const control = (command: string, extra: Record<string, unknown> = {}) => {
    const id = `c${++n}`;
    fac.send({ type: 'control', command, clientActionId: id, ...extra });
    return id;
  };
  const summaryNow = async () => ((await get(server, `/api/sessions/${sessionId}`)).json as { now: number; phase: string });

  /** While paused: a command from each side, then the wall wait, then resume. */
  const pausedInterlude = async (commands: () => Promise<void>) => {
    const before = await summaryNow();
    expect(before.phase).toBe('paused');
    const ticksBefore = fac.tickArrivals().length;
    await commands();
    await sleep(options.pauseMs);
    // Paused means paused: no tick ran and simulated time did not move, however long the wait.
    expect(fac.tickArrivals().length).toBe(ticksBefore);
    expect(await summaryNow()).toEqual(before);
    expect(await fac.reply(control('resume'))).toMatchObject({ type: 'ack' });
  };

  // Start and pause in one go: both are stamped t=0, before the first tick is due.
  const start = control('start');
  const pause0 = control('pause');
  expect(await fac.reply(start)).toMatchObject({ type: 'ack' });
  expect(await fac.reply(pause0)).toMatchObject({ type: 'ack' });
  await pausedInterlude(async () => {
    rita.send({ type: 'action', clientActionId: 'r1', action: 'status-update', params: { message: 'standing by' } });
    expect(await rita.reply('r1')).toMatchObject({ type: 'error', code: 'drill-not-running' });
  });

  if (options.slowDown) {
    // Just before the fault's tick, slow to speed 5 (2 s per tick)...
    await fac.waitForNow(FAULT_AT, 15_000);
    expect(await fac.reply(control('speed', { speed: 5 }))).toMatchObject({ type: 'ack' });
  }
  // The scheduled fault fires; the facilitator pauses on seeing it, before the next tick is due.
  await fac.waitForEvent('fault.started', { fault: 'pricing-rules-v2' }, 15_000);
  expect(await fac.reply(control('pause'))).toMatchObject({ type: 'ack' });
  await pausedInterlude(async () => {
    expect(await fac.reply(control('inject', { fault: 'login-herd' }))).toMatchObject({ type: 'ack' });
    rita.send({ type: 'action', clientActionId: 'r2', action: 'diagnose', target: 'pricing' });
    expect(await rita.reply('r2')).toMatchObject({ type: 'error', code: 'drill-not-running' });
  });
  if (options.slowDown) {
    // Back to full speed while the slow tick is still pending.
    await sleep(300);
    expect(await fac.reply(control('speed', { speed: 60 }))).toMatchObject({ type: 'ack' });
  }
  await fac.waitForNow(T + 2 * TICK, 15_000);
  const log = await fetchLog(server, sessionId, creds.facilitatorToken);
  fac.close();
  rita.close();
  return { log, fac };
}

/** The header and every event line with t <= T. */
function upTo(log: string, t: number): string[] {
  const [header, ...lines] = log.split('\n').filter((l) => l !== '');
  return [header as string, ...lines.filter((l) => (JSON.parse(l) as { t: number }).t <= t)];
}

describe('pause is exact', () => {
  it('different pauses and speeds give byte-identical logs, and the scheduled fault fires exactly when the seed drew it', async () => {
    await withServer(async (server) => {
      const [quick, slow] = await Promise.all([runDrill(server, { pauseMs: 50, slowDown: false }), runDrill(server, { pauseMs: 1500, slowDown: true })]);

      for (const { log } of [quick, slow]) {
        const events = logEvents(log);
        const commands = events.filter((e) => e.type === 'command').map((e) => [e.t, e.actor, e.command, e.ok === false ? e.code : 'ok']);
        // The commands landed where intended: t=0, and the tick after the fault's (speed is not logged).
        expect(commands).toEqual([
          [0, 'Fran', 'start', 'ok'],
          [0, 'Fran', 'pause', 'ok'],
          [0, 'rita', 'status-update', 'drill-not-running'],
          [0, 'Fran', 'resume', 'ok'],
          [FAULT_AT + TICK, 'Fran', 'pause', 'ok'],
          [FAULT_AT + TICK, 'Fran', 'inject', 'ok'],
          [FAULT_AT + TICK, 'rita', 'diagnose', 'drill-not-running'],
          [FAULT_AT + TICK, 'Fran', 'resume', 'ok'],
        ]);
        expect(events.filter((e) => e.type === 'fault.started').map((e) => [e.fault, e.t])).toEqual([
          ['search-reindex', HERRING_AT],
          ['pricing-rules-v2', FAULT_AT],
          ['login-herd', FAULT_AT + TICK],
        ]);
        expect(replayLog(log)).toMatchObject({ ok: true });
      }

      const a = upTo(quick.log, T);
      const b = upTo(slow.log, T);
      expect(a.length).toBeGreaterThan(30);
      // Minute checkpoints hash the whole engine state, so equal lines mean equal states, not just equal events.
      expect(a.filter((l) => l.includes('"type":"checkpoint"')).length).toBeGreaterThanOrEqual(6);
      expect(a[0]).toBe(b[0]);
      // Line by line first (a readable failure), then the bytes.
      for (let i = 0; i < Math.max(a.length, b.length); i++) expect(b[i], `log line ${i + 1}`).toBe(a[i]);
      expect(b.join('\n')).toBe(a.join('\n'));

      // The tick batches the facilitators saw ran on the same simulated times, one tick apart.
      const nows = (c: TestClient) => c.messages.filter((m) => m.type === 'events' && m.sample !== undefined).map((m) => m.now as number).filter((t) => t <= T);
      expect(nows(slow.fac)).toEqual(nows(quick.fac));
      expect(nows(quick.fac)).toEqual(Array.from({ length: T / TICK }, (_, i) => (i + 1) * TICK));
    });
  }, 60_000);
});
