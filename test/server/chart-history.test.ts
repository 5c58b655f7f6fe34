/**
 * History on join: a client that joins or reloads late is sent the charts' telemetry so far (a
 * `history` message after its backlog), and it is the very points the live samples gave a client
 * that was there from the start; a restarted server sends the same history again. The ring is
 * bounded, whatever the drill's length.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../engine/server/app.ts';
import { ChartHistory } from '../../engine/server/metrics-history.ts';
import { createSession } from '../../engine/core/session.ts';
import { CHART_HISTORY_SAMPLES } from '../../engine/protocol/messages.ts';
import type { MetricsHistory, MetricsSample } from '../../engine/protocol/views.ts';
import { loadSpec } from '../helpers.ts';
import { startServer } from '../../engine/server/app.ts';
import { TestClient, createDrill, startTestServer, testConfig, type Message } from './harness.ts';

/** Every tick's sample of retail-sev1 left alone, to `until` (default: its six hours). */
function untreatedSamples(until?: number): MetricsSample[] {
  const session = createSession(loadSpec('retail-sev1'));
  session.submit({ actor: 'facilitator', type: 'start' });
  const samples: MetricsSample[] = [];
  session.runUntil(until ?? session.scenario.duration, (s) => samples.push(s));
  return samples;
}

/** The samples a client collected from live frames, as the history's columns. */
function columns(samples: readonly MetricsSample[]): MetricsHistory {
  const history = new ChartHistory(samples.length || 1);
  for (const s of samples) history.push(s);
  return history.toMessage();
}

const historyOf = async (client: TestClient): Promise<MetricsHistory> => ((await client.waitFor((m) => m.type === 'history')) as Message & { history: MetricsHistory }).history;
const samplesAfterHistory = (client: TestClient): MetricsSample[] => {
  const from = client.messages.findIndex((m) => m.type === 'history');
  return client.messages.slice(from + 1).flatMap((m) => (m.type === 'events' && m.sample !== undefined ? [m.sample as MetricsSample] : []));
};

describe('the chart history ring', () => {
  it('keeps the last ticks in order, column by column, and nothing more', () => {
    const samples = untreatedSamples(5 * 60_000);
    const ring = new ChartHistory(10);
    for (const s of samples) ring.push(s);
    const message = ring.toMessage();
    const last = samples.slice(-10);
    expect(message.t).toEqual(last.map((s) => s.t));
    const pricing = message.services.find((s) => s.id === 'pricing');
    expect(pricing?.p99Ms).toEqual(last.map((s) => s.services.find((x) => x.id === 'pricing')?.p99Ms));
    expect(message.journeys.map((j) => j.id)).toEqual(['product-price', 'checkout', 'account']);
    expect(message.journeys[1]?.errorRate).toEqual(last.map((s) => s.journeys[1]?.errorRate));
  });

  it('is bounded for a six-hour drill', () => {
    const ring = new ChartHistory();
    for (const s of untreatedSamples()) ring.push(s);
    const message = ring.toMessage();
    expect(message.t).toHaveLength(CHART_HISTORY_SAMPLES);
    expect(message.t.at(-1)).toBe(6 * 3_600_000 - 10_000);
    // What a join costs on the wire (the note quotes it): under a megabyte.
    expect(JSON.stringify({ type: 'history', history: message }).length).toBeLessThan(1024 * 1024);
  });
});

describe('a late joiner gets the charts the others drew', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('point for point, after its backlog; and a reload gets them again', async () => {
    const created = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
    const fac = await TestClient.join(server.url, { sessionId: created.sessionId, token: created.facilitatorToken });
    const early = await TestClient.join(server.url, { sessionId: created.sessionId, code: created.responderCode, name: 'early' });
    expect((await historyOf(early)).t).toEqual([]);
    fac.send({ type: 'control', command: 'start', clientActionId: 'start' });
    await early.waitForNow(3 * 60_000, 20_000);
    fac.send({ type: 'control', command: 'pause', clientActionId: 'pause' });
    await fac.reply('pause');
    // Whatever was in flight has arrived once the pause has.
    await early.waitForEvent('drill.state', { to: 'paused' });

    const late = await TestClient.join(server.url, { sessionId: created.sessionId, code: created.responderCode, name: 'late' });
    const history = await historyOf(late);
    const seen = samplesAfterHistory(early);
    expect(seen.length).toBeGreaterThanOrEqual(18);
    expect(history).toEqual(columns(seen));
    // The history's last tick is the snapshot's: the charts and the numbers beside them agree.
    const welcome = late.messages.find((m) => m.type === 'welcome') as Message & { snapshot: { metrics: MetricsSample } };
    expect(history.t.at(-1)).toBe(welcome.snapshot.metrics.t);

    // The same person reloading gets it again, and the live samples carry on from its last tick.
    const token = (late.messages.find((m) => m.type === 'welcome') as Message & { participant: { token: string } }).participant.token;
    late.close();
    const again = await TestClient.join(server.url, { sessionId: created.sessionId, participantToken: token });
    expect(await historyOf(again)).toEqual(history);
    fac.send({ type: 'control', command: 'resume', clientActionId: 'resume' });
    const next = (await again.waitForNext((m) => m.type === 'events' && m.sample !== undefined)) as Message & { sample: MetricsSample };
    expect(next.sample.t).toBe((history.t.at(-1) as number) + 10_000);
    for (const c of [fac, early, again]) c.close();
  });
});

describe('after a restart', () => {
  it('a drill rebuilt from its inputs sends the history it sent before', async () => {
    const config = testConfig();
    const first = await startServer(config);
    const dataFile = config.dataFile;
    const created = await createDrill(first, { scenarioId: 'retail-sev1', speed: 60 });
    const fac = await TestClient.join(first.url, { sessionId: created.sessionId, token: created.facilitatorToken });
    fac.send({ type: 'control', command: 'start', clientActionId: 'start' });
    await fac.waitForNow(2 * 60_000, 20_000);
    fac.send({ type: 'control', command: 'pause', clientActionId: 'pause' });
    await fac.reply('pause');
    const viewer = await TestClient.join(first.url, { sessionId: created.sessionId, code: created.observerCode, name: 'viewer' });
    const before = await historyOf(viewer);
    expect(before.t.length).toBeGreaterThanOrEqual(12);
    viewer.close();
    fac.close();
    await first.close();

    const second = await startServer({ ...config, dataFile });
    try {
      const back = await TestClient.join(second.url, { sessionId: created.sessionId, code: created.observerCode, name: 'viewer2' });
      expect(await historyOf(back)).toEqual(before);
      back.close();
    } finally {
      await second.close();
    }
  });
});
