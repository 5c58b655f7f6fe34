/**
 * GET /metrics over real HTTP: a running drill's series carry the drill labels, counters count what
 * the drill's own chart history says it served, histograms agree with the counters, alerts and the
 * incident read as the engine has them, a stopped drill's series go, and the token is enforced
 * without anything breaking. Values are compared while drills are paused, so nothing moves between
 * a scrape and the engine's own reading.
 */
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRILL_SERIES_LABELS, HEALTH_METRIC, METRIC, alertName } from '../../engine/integrations/names.ts';
import { INCIDENT_STATES } from '../../engine/protocol/events.ts';
import type { RunningServer } from '../../engine/server/app.ts';
import { configFromEnv } from '../../engine/server/config.ts';
import type { LiveDrill } from '../../engine/server/drill.ts';
import { LATENCY_BOUNDS_S } from '../../engine/server/prometheus/latency-buckets.ts';
import { metricTypes, scrape, select, type Sample } from './exposition.ts';
import { TestClient, createDrill, startTestServer, until } from './harness.ts';

const TOKEN = 'metrics-test-token-0123456789abcdef';
const DRILL_FAMILIES = new Set<string>(Object.values(METRIC));
/** The metric family a sample line belongs to (a histogram's _bucket, _sum and _count lines belong to it). */
const familyOf = (name: string): string => (DRILL_FAMILIES.has(name) ? name : name.replace(/_(bucket|sum|count)$/, ''));
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const closeTo = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));

/** Sends a control command as the facilitator and waits for its ack. */
async function control(client: TestClient, command: string): Promise<void> {
  const id = `${command}-${Math.random()}`;
  client.send({ type: 'control', command, clientActionId: id });
  expect(await client.reply(id)).toMatchObject({ type: 'ack' });
}

/** A GET with exactly these headers, Host included (fetch will not let a test set Host). */
function rawGet(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Checks the labels every simulated series must carry, and returns the drill's samples. */
function checkLabels(samples: readonly Sample[], drill: LiveDrill): Sample[] {
  const mine = samples.filter((s) => DRILL_FAMILIES.has(familyOf(s.name)) && s.labels.sevdrill_session === drill.id);
  const scenario = drill.scenario;
  for (const s of mine) {
    for (const label of DRILL_SERIES_LABELS) expect(s.labels[label], `${s.name} ${label}`).toBeDefined();
    expect(s.labels).toMatchObject({ drill: 'true', scenario: scenario.id });
    const family = familyOf(s.name);
    if (family.startsWith('sevdrill_service_')) expect(scenario.services.map((x) => x.id)).toContain(s.labels.service);
    if (family.startsWith('sevdrill_journey_')) expect(scenario.journeys.map((x) => x.id)).toContain(s.labels.journey);
    if (family.startsWith('sevdrill_topic_')) {
      // service = the consumer; producer = the service that publishes.
      const producer = scenario.services.find((x) => x.id === s.labels.producer);
      expect(producer?.dependencies.some((d) => d.kind === 'async' && d.service === s.labels.service)).toBe(true);
      expect(s.labels.topic).toBeTruthy();
    }
    if (family === METRIC.alertFiring) {
      const alert = scenario.alerts.find((a) => a.id === s.labels.sevdrill_alert);
      expect(alert).toBeDefined();
      expect(s.labels.alertname).toBe(alertName(alert?.id ?? ''));
      expect(s.labels.severity).toBe(alert?.severity);
      expect([s.labels.service, s.labels.journey, s.labels.topic]).toContain(alert?.service ?? alert?.journey ?? alert?.topic);
    }
  }
  return mine;
}

describe('GET /metrics, with a metrics token', () => {
  let server: RunningServer;
  const logs: string[] = [];
  beforeAll(async () => {
    server = await startTestServer({ metricsToken: TOKEN }, (line) => logs.push(line));
  });
  afterAll(async () => {
    await server.close();
  });

  it('a drill not started yet: its counters and histograms at 0, its drill gauges, no per-tick gauges yet', async () => {
    const created = await createDrill(server, { scenarioId: 'retail-sev1', speed: 1 });
    const drill = server.registry.get(created.sessionId) as LiveDrill;
    const { status, type, samples } = await scrape(server.url, TOKEN);
    expect(status).toBe(200);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const mine = checkLabels(samples, drill);
    const requests = select(mine, METRIC.serviceRequests);
    expect(requests.map((s) => s.labels.service).sort()).toEqual(drill.scenario.services.map((s) => s.id).sort());
    expect(requests.every((s) => s.value === 0)).toBe(true);
    expect(select(mine, `${METRIC.serviceDuration}_count`).every((s) => s.value === 0)).toBe(true);
    expect(select(mine, METRIC.serviceRequestRate)).toEqual([]);
    expect(select(mine, METRIC.serviceState)).toEqual([]);
    const checkout = drill.scenario.journeys.find((j) => j.id === 'checkout');
    expect(select(mine, METRIC.journeySloTarget, { journey: 'checkout' }).map((s) => s.value)).toEqual([checkout?.slo.target]);
    expect(select(mine, METRIC.incidentState, { state: 'idle' }).map((s) => s.value)).toEqual([1]);
    expect(select(mine, METRIC.alertFiring).map((s) => s.value)).toEqual(drill.scenario.alerts.map(() => 0));
    expect(select(mine, METRIC.simTime).map((s) => s.value)).toEqual([0]);
    expect(select(mine, METRIC.speed).map((s) => s.value)).toEqual([1]);
  });

  it('running drills: labelled series, counters that count what the drill served, histograms that agree, alerts and the incident as the engine has them; gone once stopped', async () => {
    const a = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
    // order-pipeline has topics (asynchronous edges): every metric name shows up between the two.
    const b = await createDrill(server, { scenarioId: 'order-pipeline', speed: 60 });
    const drillA = server.registry.get(a.sessionId) as LiveDrill;
    const drillB = server.registry.get(b.sessionId) as LiveDrill;
    const facA = await TestClient.join(server.url, { sessionId: a.sessionId, token: a.facilitatorToken, name: 'Fran' });
    const facB = await TestClient.join(server.url, { sessionId: b.sessionId, token: b.facilitatorToken, name: 'Fran' });
    await control(facA, 'start');
    await control(facB, 'start');
    await facA.waitForNow(40_000);
    const early = await scrape(server.url, TOKEN);

    // On until the engine has an alert firing (the search reindex, then the cascade), then held still.
    await until(() => drillA.session.snapshot().firingAlerts.length > 0, 30_000, 100);
    await control(facA, 'pause');
    await control(facB, 'pause');
    const paused = await scrape(server.url, TOKEN);
    const again = await scrape(server.url, TOKEN);

    // Every name of the contract, with its type.
    const types = metricTypes(paused.text);
    for (const name of Object.values(METRIC)) {
      const expected = name.endsWith('_total') ? 'counter' : name === METRIC.serviceDuration ? 'histogram' : name.endsWith('_latency_seconds') ? 'summary' : 'gauge';
      expect(types.get(name), name).toBe(expected);
    }
    const mineA = checkLabels(paused.samples, drillA);
    const mineB = checkLabels(paused.samples, drillB);
    expect(new Set(mineB.map((s) => familyOf(s.name)))).toEqual(DRILL_FAMILIES);
    expect(select(mineB, METRIC.topicPublished).length).toBeGreaterThan(0);

    // Counters only grow, and a paused drill's stand still.
    const requestsEarly = new Map(select(early.samples, METRIC.serviceRequests, { sevdrill_session: a.sessionId }).map((s) => [s.labels.service, s.value]));
    for (const s of select(mineA, METRIC.serviceRequests)) expect(s.value, s.labels.service).toBeGreaterThanOrEqual(requestsEarly.get(s.labels.service) ?? Infinity);
    expect(select(mineA, METRIC.serviceRequests, { service: 'checkout' })[0]?.value).toBeGreaterThan(requestsEarly.get('checkout') ?? Infinity);
    const counters = (samples: readonly Sample[]) => samples.filter((s) => s.name.endsWith('_total') && s.labels.sevdrill_session === a.sessionId);
    expect(counters(again.samples)).toEqual(counters(paused.samples));

    // The counters count what the drill's chart history (every tick's sample, kept for late joiners) says it served.
    const history = drillA.charts.toMessage();
    const tickSeconds = drillA.tickMs / 1000;
    expect(history.t.length).toBe(drillA.now / drillA.tickMs);
    for (const service of history.services) {
      closeTo(select(mineA, METRIC.serviceRequests, { service: service.id })[0]?.value ?? NaN, sum(service.rps) * tickSeconds);
      closeTo(select(mineA, METRIC.serviceErrors, { service: service.id })[0]?.value ?? NaN, sum(service.rps.map((r, i) => r * (service.errorRate[i] ?? NaN))) * tickSeconds);
      const last = service.rps.length - 1;
      expect(select(mineA, METRIC.serviceRequestRate, { service: service.id })[0]?.value).toBe(service.rps[last]);
      expect(select(mineA, METRIC.serviceLatency, { service: service.id, quantile: '0.99' })[0]?.value).toBeCloseTo((service.p99Ms[last] ?? NaN) / 1000, 9);
    }
    for (const journey of history.journeys) {
      closeTo(select(mineA, METRIC.journeyRequests, { journey: journey.id })[0]?.value ?? NaN, sum(journey.rps) * tickSeconds);
    }

    // Histograms: fixed bounds, cumulative buckets, +Inf = _count = the requests counter.
    for (const service of drillA.scenario.services) {
      const where = { sevdrill_session: a.sessionId, service: service.id };
      const buckets = select(paused.samples, `${METRIC.serviceDuration}_bucket`, where);
      expect(buckets.map((s) => s.labels.le)).toEqual([...LATENCY_BOUNDS_S.map(String), '+Inf']);
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]?.value, `${service.id} le=${buckets[i]?.labels.le}`).toBeGreaterThanOrEqual(buckets[i - 1]?.value ?? Infinity);
      const count = select(paused.samples, `${METRIC.serviceDuration}_count`, where)[0]?.value;
      expect(buckets.at(-1)?.value).toBe(count);
      expect(count).toBe(select(paused.samples, METRIC.serviceRequests, where)[0]?.value);
    }

    // Alerts, the incident and the clock, as the engine has them.
    const snapshot = drillA.session.snapshot();
    const firing = new Set(snapshot.firingAlerts.map((f) => f.alert));
    expect(firing.size).toBeGreaterThan(0);
    for (const s of select(mineA, METRIC.alertFiring)) expect(s.value, s.labels.sevdrill_alert).toBe(firing.has(s.labels.sevdrill_alert ?? '') ? 1 : 0);
    for (const state of INCIDENT_STATES) expect(select(mineA, METRIC.incidentState, { state })[0]?.value, state).toBe(state === snapshot.incident.state ? 1 : 0);
    expect(select(mineA, METRIC.incidentSeverity)[0]?.value).toBe(snapshot.incident.severity ?? 0);
    expect(select(mineA, METRIC.simTime)[0]?.value).toBe(drillA.now / 1000);
    expect(select(mineA, METRIC.speed)[0]?.value).toBe(60);

    // The server's health.
    const lagCount = select(paused.samples, `${HEALTH_METRIC.tickLag}_count`, { sevdrill_session: a.sessionId })[0]?.value ?? 0;
    expect(lagCount).toBe(history.t.length);
    expect(select(paused.samples, HEALTH_METRIC.sockets)[0]?.value).toBeGreaterThanOrEqual(2);
    // Two hellos, two starts and two pauses at least; every tick's batch was sent to a facilitator.
    expect(select(paused.samples, HEALTH_METRIC.messagesReceived)[0]?.value).toBeGreaterThanOrEqual(6);
    expect(select(paused.samples, HEALTH_METRIC.messagesSent)[0]?.value).toBeGreaterThanOrEqual(history.t.length);
    expect(select(paused.samples, `${HEALTH_METRIC.storeCommit}_count`)[0]?.value).toBeGreaterThanOrEqual(4);
    expect(select(paused.samples, HEALTH_METRIC.liveDrills, { phase: 'paused' })[0]?.value).toBeGreaterThanOrEqual(2);
    expect(select(paused.samples, 'process_cpu_user_seconds_total').length).toBe(1);

    // Ended: its series (and its tick lag) are gone; the other drill's stay.
    await control(facA, 'end');
    const after = await scrape(server.url, TOKEN);
    expect(after.samples.filter((s) => s.labels.sevdrill_session === a.sessionId)).toEqual([]);
    expect(checkLabels(after.samples, drillB).length).toBe(mineB.length);
    facA.close();
    facB.close();
  });

  it('refuses a scrape without the token, or with a wrong or malformed one, and carries on', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TOKEN.slice(0, -1)}x` },
      { authorization: 'Bearer short' },
      { authorization: 'Bearer ' },
      { authorization: TOKEN },
      { authorization: `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}` },
      { authorization: `Bearer ${'x'.repeat(8_000)}` },
      { authorization: `Bearer ${TOKEN}\u0000` },
    ];
    for (const headers of attempts) {
      const res = await fetch(`${server.url}/metrics`, { headers }).catch(() => null);
      // A header fetch refuses to send (a NUL) never reaches the server: nothing to check for it.
      if (res === null) continue;
      expect(res.status, JSON.stringify(headers).slice(0, 80)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(await res.json()).toMatchObject({ ok: false, code: 'metrics-token-required' });
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await scrape(server.url, TOKEN)).status).toBe(200);
    // Prometheus sends no Origin, and may reach the server by any name: with a token, the Host is not checked.
    expect((await rawGet(server.port, '/metrics', { host: 'sevdrill.monitoring.svc:9000', authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await rawGet(server.port, '/metrics', { host: 'sevdrill.monitoring.svc:9000' })).status).toBe(401);
    expect(logs.some((line) => line.includes(TOKEN))).toBe(false);
    expect(logs.some((line) => line.includes('metrics-token-required'))).toBe(true);
  });
});

describe('GET /metrics after a restart', () => {
  it('has the recovered drill, its alerts and incident as the engine has them, and counters that start again', async () => {
    const dataFile = join(mkdtempSync(join(tmpdir(), 'sevdrill-metrics-')), 'drill.db');
    const first = await startTestServer({ dataFile });
    const created = await createDrill(first, { scenarioId: 'retail-sev1', speed: 60 });
    const fac = await TestClient.join(first.url, { sessionId: created.sessionId, token: created.facilitatorToken, name: 'Fran' });
    await control(fac, 'start');
    const running = first.registry.get(created.sessionId) as LiveDrill;
    await until(() => running.session.snapshot().firingAlerts.length > 0, 30_000, 100);
    await control(fac, 'pause');
    fac.close();
    await first.close();

    const second = await startTestServer({ dataFile });
    try {
      expect(second.recovered).toBe(1);
      const drill = second.registry.get(created.sessionId) as LiveDrill;
      const mine = checkLabels((await scrape(second.url)).samples, drill);
      const snapshot = drill.session.snapshot();
      const firing = new Set(snapshot.firingAlerts.map((f) => f.alert));
      expect(firing.size).toBeGreaterThan(0);
      for (const s of select(mine, METRIC.alertFiring)) expect(s.value, s.labels.sevdrill_alert).toBe(firing.has(s.labels.sevdrill_alert ?? '') ? 1 : 0);
      expect(select(mine, METRIC.incidentState, { state: snapshot.incident.state })[0]?.value).toBe(1);
      expect(select(mine, METRIC.simTime)[0]?.value).toBe(drill.now / 1000);
      // No tick since the restart: a counter reset, which rate() and increase() handle.
      expect(select(mine, METRIC.serviceRequests).every((s) => s.value === 0)).toBe(true);
    } finally {
      await second.close();
    }
  });
});

describe('GET /metrics, without a metrics token', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('is open, and checks the Host like the rest of the API', async () => {
    expect((await scrape(server.url)).status).toBe(200);
    expect((await rawGet(server.port, '/metrics', { host: `localhost:${server.port}` })).status).toBe(200);
    const refused = await rawGet(server.port, '/metrics', { host: `evil.example:${server.port}` });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 'host-not-allowed' });
  });
});

describe('SEVDRILL_METRICS_TOKEN', () => {
  it('is read from the environment, and a short one stops the server', () => {
    expect(configFromEnv({}).metricsToken).toBeNull();
    expect(configFromEnv({ SEVDRILL_METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
    expect(() => configFromEnv({ SEVDRILL_METRICS_TOKEN: 'too-short' })).toThrow(/SEVDRILL_METRICS_TOKEN must be at least 16 characters/);
  });
});
