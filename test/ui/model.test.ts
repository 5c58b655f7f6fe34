/**
 * The console's view-model (ui/src/model.ts): a pure fold of the server's events. These tests feed it
 * hand-made events with exact expected results, and the real event stream of retail-sev1 played by
 * its reference plan (the test may import the engine; the UI itself may not).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import { createSession } from '../../engine/core/session.ts';
import type { MetricsSample } from '../../engine/protocol/views.ts';
import type { EngineEvent, EventOf, EventType, PayloadOf } from '../../engine/protocol/events.ts';
import { isFacilitatorOnly, publicScenario } from '../../engine/core/read/visibility.ts';
import type { WelcomeMessage } from '../../engine/protocol/messages.ts';
import { SERIES_WINDOW, SeriesStore, applyEvent, applyEvents, applySample, modelFromWelcome, type ViewModel } from '../../ui/src/model.ts';
import { loadPlan, loadScenario } from '../helpers.ts';

const scenario = loadScenario('retail-sev1');
const plan = loadPlan('retail-sev1');
const run = runScenario(scenario, { commands: plan });
const allEvents: readonly EngineEvent[] = run.events;
const visibleEvents = allEvents.filter((e) => !isFacilitatorOnly(e));

function welcomeFrom(snapshot: WelcomeMessage['snapshot'], role: WelcomeMessage['role'] = 'responder'): WelcomeMessage {
  return {
    type: 'welcome',
    v: 1,
    sessionId: 's-test',
    role,
    name: 'alice',
    participant: { id: 'p-alice', name: 'alice' },
    joinMode: 'code',
    scenario: role === 'facilitator' ? scenario : publicScenario(scenario),
    snapshot,
    seq: -1,
    speed: 10,
    resumed: false,
  };
}

/** A model as a responder sees it on joining a drill that has not started. */
const fresh = (): ViewModel => modelFromWelcome(welcomeFrom(createSession(scenario).snapshot()));

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value as object)) deepFreeze(v);
  return value;
}

let seq = 100;
/** A hand-made event with the next seq. */
const ev = <K extends EventType>(type: K, t: number, fields: PayloadOf<K>): EventOf<K> =>
  // The stamp and the payload together are the event of that type; TS cannot see through the generic spread.
  ({ seq: ++seq, t, type, ...fields }) as EventOf<K>;

/** Folds events one by one, checking at each step that the input model is left exactly as it was. */
function foldChecked(model: ViewModel, events: readonly EngineEvent[]): ViewModel {
  let m = deepFreeze(model);
  for (const e of events) {
    deepFreeze(e);
    m = deepFreeze(applyEvent(m, e));
  }
  return m;
}

describe('modelFromWelcome', () => {
  it('starts from the snapshot: every service healthy, the incident idle, nothing seen yet', () => {
    const m = fresh();
    expect(Object.keys(m.services)).toEqual(scenario.services.map((s) => s.id));
    expect(Object.values(m.services).every((s) => s.state === 'healthy')).toBe(true);
    expect(m.services.pricing).toMatchObject({ id: 'pricing', name: 'Pricing', tier: 'critical' });
    expect(m.services['session-store']?.name).toBe('session-store');
    expect(Object.keys(m.journeys)).toEqual(['product-price', 'checkout', 'account']);
    expect(m.incident).toEqual({ state: 'idle', severity: null, acknowledged: false, roles: {} });
    expect(m).toMatchObject({ role: 'responder', name: 'alice', phase: 'ready', lastSeq: -1, timeline: [], advice: [], approvals: {}, running: {}, inForce: {}, facilitator: null });
  });

  it('takes pending approvals, firing alerts and the incident from a mid-drill snapshot', () => {
    // A tick before alice approves: bob has asked to roll pricing back (the plan's times at the scenario's seed).
    const due = (type: string) => Math.ceil((plan.find((c) => c.type === type)?.at ?? NaN) / scenario.tick) * scenario.tick;
    const mid = runScenario(scenario, { commands: plan, until: due('approve') - scenario.tick });
    const m = modelFromWelcome(welcomeFrom(mid.snapshot()));
    expect(m.approvals).toEqual({ 'rollback:pricing': { request: 'rollback:pricing', action: 'rollback', target: 'pricing', by: 'bob', byId: null, t: due('rollback') } });
    expect(m.incident).toEqual({ state: 'declared', severity: 1, acknowledged: true, roles: { ic: 'alice', ops: 'bob', comms: 'carol' } });
    expect(m.services.pricing?.state).toBe('down');
    expect(Object.keys(m.alerts).sort()).toEqual(['account-errors', 'checkout-errors', 'pricing-latency', 'product-price-errors']);
    expect(Object.values(m.alerts).every((a) => a.firing)).toBe(true);
  });
});

describe('applyEvent', () => {
  it('never mutates the model or the event it is given', () => {
    // Deep-frozen inputs throw on any write (ES modules are strict); the clone comparison catches the rest.
    const folded = foldChecked(fresh(), allEvents);
    expect(folded.timeline).toHaveLength(allEvents.length);
    let m = fresh();
    for (const e of allEvents.slice(0, 200)) {
      const before = structuredClone(m);
      const event = structuredClone(e);
      const next = applyEvent(m, e);
      expect(m).toEqual(before);
      expect(e).toEqual(event);
      expect(next).not.toBe(m);
      m = next;
    }
  });

  it('ignores events at or below lastSeq (duplicates after a resume)', () => {
    const m = applyEvents(fresh(), allEvents.slice(0, 50));
    expect(m.lastSeq).toBe(49);
    const [third, thirtieth, last] = [allEvents[3], allEvents[30], allEvents[49]];
    if (!third || !thirtieth || !last) throw new Error('the stream is too short');
    expect(applyEvent(m, last)).toBe(m);
    expect(applyEvent(m, third)).toBe(m);
    const stale: EventOf<'service.state'> = { seq: thirtieth.seq, t: thirtieth.t, type: 'service.state', service: 'pricing', from: 'healthy', to: 'down', errorRate: 1, p99Ms: 1 };
    expect(applyEvent(m, stale)).toBe(m);
    // Overlapping batches fold to the same model as the stream once.
    const overlapped = applyEvents(applyEvents(applyEvents(fresh(), allEvents.slice(0, 300)), allEvents.slice(250, 600)), allEvents);
    expect(overlapped).toEqual(applyEvents(fresh(), allEvents));
  });

  it('folds drill, incident, role and status events to exact values', () => {
    let m = foldChecked(fresh(), [ev('drill.state', 0, { from: 'ready', to: 'running', by: 'facilitator' })]);
    expect(m.phase).toBe('running');
    expect(m.lastSeq).toBe(seq);

    m = foldChecked(m, [ev('incident.state', 430_000, { from: 'idle', to: 'detected', severity: null, alert: 'product-price-errors' })]);
    expect(m.incident).toEqual({ state: 'detected', severity: null, acknowledged: false, roles: {} });
    expect(m.now).toBe(430_000);

    m = foldChecked(m, [ev('incident.state', 480_000, { from: 'detected', to: 'acknowledged', severity: null })]);
    expect(m.incident).toEqual({ state: 'acknowledged', severity: null, acknowledged: true, roles: {} });

    m = foldChecked(m, [ev('incident.state', 540_000, { from: 'acknowledged', to: 'declared', severity: 2, by: 'alice' })]);
    expect(m.incident).toEqual({ state: 'declared', severity: 2, acknowledged: true, roles: {} });

    m = foldChecked(m, [ev('incident.severity', 545_000, { from: 2, to: 1, by: 'alice' })]);
    expect(m.incident.severity).toBe(1);

    m = foldChecked(m, [ev('incident.role', 550_000, { role: 'ic', person: 'alice', by: 'alice' }), ev('incident.role', 550_000, { role: 'ops', person: 'bob', by: 'bob' })]);
    expect(m.incident.roles).toEqual({ ic: 'alice', ops: 'bob' });
    m = foldChecked(m, [ev('incident.role', 560_000, { role: 'ic', person: 'carol', by: 'carol' })]);
    expect(m.incident.roles).toEqual({ ic: 'carol', ops: 'bob' });

    expect(m.lastStatusAt).toBeNull();
    m = foldChecked(m, [ev('status.posted', 600_000, { by: 'carol', message: 'Investigating pricing.', severity: 1 })]);
    expect(m.lastStatusAt).toBe(600_000);

    m = foldChecked(m, [ev('incident.state', 1_050_000, { from: 'declared', to: 'mitigated', severity: 1 })]);
    expect(m.incident).toEqual({ state: 'mitigated', severity: 1, acknowledged: true, roles: { ic: 'carol', ops: 'bob' } });
    expect(m.timeline.map((e) => e.type)).toEqual([
      'drill.state',
      'incident.state',
      'incident.state',
      'incident.state',
      'incident.severity',
      'incident.role',
      'incident.role',
      'incident.role',
      'status.posted',
      'incident.state',
    ]);
  });

  it('folds service, journey and alert events to exact values', () => {
    let m = foldChecked(fresh(), [ev('service.state', 310_000, { service: 'pricing', from: 'healthy', to: 'down', errorRate: 0.7, p99Ms: 785 })]);
    expect(m.services.pricing?.state).toBe('down');
    expect(m.services.checkout?.state).toBe('healthy');

    const before = m.services;
    m = foldChecked(m, [ev('service.state', 311_000, { service: 'no-such-service', from: 'healthy', to: 'down', errorRate: 1, p99Ms: 1 })]);
    expect(m.services).toBe(before);
    expect(m.timeline).toHaveLength(2);

    m = foldChecked(m, [ev('journey.slo', 310_000, { journey: 'checkout', ok: false, errorRate: 0.02, p99Ms: 2500 })]);
    expect(m.journeys.checkout?.inSlo).toBe(false);
    expect(m.journeys.account?.inSlo).toBe(true);

    m = foldChecked(m, [
      ev('alert.firing', 430_000, { alert: 'checkout-errors', name: 'Checkout errors > 5%', severity: 'page', journey: 'checkout', metric: 'errorRate', value: 0.61, threshold: 0.05 }),
      ev('alert.firing', 440_000, { alert: 'pricing-latency', name: 'Pricing p99 > 600 ms', severity: 'page', service: 'pricing', metric: 'p99Ms', value: 832, threshold: 600 }),
    ]);
    expect(m.alerts['checkout-errors']).toEqual({ id: 'checkout-errors', name: 'Checkout errors > 5%', severity: 'page', target: 'checkout', firing: true, since: 430_000, value: 0.61, threshold: 0.05 });
    expect(m.alerts['pricing-latency']).toEqual({ id: 'pricing-latency', name: 'Pricing p99 > 600 ms', severity: 'page', target: 'pricing', firing: true, since: 440_000, value: 832, threshold: 600 });

    m = foldChecked(m, [ev('alert.resolved', 990_000, { alert: 'checkout-errors', value: 0.002 })]);
    expect(m.alerts['checkout-errors']).toEqual({ id: 'checkout-errors', name: 'Checkout errors > 5%', severity: 'page', target: 'checkout', firing: false, since: 430_000, value: 0.002, threshold: 0.05 });
    expect(m.alerts['pricing-latency']?.firing).toBe(true);
    const alerts = m.alerts;
    m = foldChecked(m, [ev('alert.resolved', 990_000, { alert: 'never-fired', value: 0 })]);
    expect(m.alerts).toBe(alerts);
  });

  it('folds advice, approval, action, diagnosis and impact events to exact values', () => {
    let m = foldChecked(fresh(), [
      ev('advice.shown', 480_000, { advice: 'a1', source: 'assistant', title: 'Known issue?', text: 'Restart account.', proposes: { type: 'restart', target: 'account' } }),
      ev('advice.shown', 490_000, { advice: 'a2', source: 'colleague', title: null, text: 'Hmm.', proposes: null }),
    ]);
    expect(m.advice).toEqual([
      { id: 'a1', t: 480_000, source: 'assistant', title: 'Known issue?', text: 'Restart account.', proposes: { type: 'restart', target: 'account' } },
      { id: 'a2', t: 490_000, source: 'colleague', title: null, text: 'Hmm.', proposes: null },
    ]);

    m = foldChecked(m, [
      ev('approval.requested', 720_000, { request: 'rollback:pricing', action: 'rollback', target: 'pricing', by: 'bob' }),
      ev('approval.requested', 721_000, { request: 'failover:pricing', action: 'failover', target: 'pricing', by: 'bob', byId: 'p3' }),
    ]);
    expect(m.approvals).toEqual({
      'rollback:pricing': { request: 'rollback:pricing', action: 'rollback', target: 'pricing', by: 'bob', byId: null, t: 720_000 },
      'failover:pricing': { request: 'failover:pricing', action: 'failover', target: 'pricing', by: 'bob', byId: 'p3', t: 721_000 },
    });
    m = foldChecked(m, [ev('approval.denied', 730_000, { request: 'failover:pricing', by: 'alice', requestedBy: 'bob' })]);
    expect(Object.keys(m.approvals)).toEqual(['rollback:pricing']);
    m = foldChecked(m, [ev('approval.granted', 750_000, { request: 'rollback:pricing', by: 'alice', requestedBy: 'bob' })]);
    expect(m.approvals).toEqual({});

    m = foldChecked(m, [
      ev('action.started', 750_000, { action: 'rollback:pricing', kind: 'rollback', target: 'pricing', by: 'bob', duration: 240_000 }),
      ev('action.started', 760_000, { action: 'scale:auth', kind: 'scale', target: 'auth', by: 'carol', duration: 180_000 }),
    ]);
    expect(m.running).toEqual({
      'rollback:pricing': { action: 'rollback:pricing', kind: 'rollback', target: 'pricing', by: 'bob', startedAt: 750_000, duration: 240_000 },
      'scale:auth': { action: 'scale:auth', kind: 'scale', target: 'auth', by: 'carol', startedAt: 760_000, duration: 180_000 },
    });
    m = foldChecked(m, [ev('action.completed', 940_000, { action: 'scale:auth', kind: 'scale', target: 'auth', by: 'carol' })]);
    expect(Object.keys(m.running)).toEqual(['rollback:pricing']);
    expect(m.inForce).toEqual({ 'scale:auth': 1 });
    m = foldChecked(m, [ev('action.completed', 990_000, { action: 'rollback:pricing', kind: 'rollback', target: 'pricing', by: 'bob' })]);
    expect(m.running).toEqual({});
    expect(m.inForce).toEqual({ 'scale:auth': 1 });
    m = foldChecked(m, [ev('action.reverted', 1_000_000, { action: 'scale:auth', kind: 'scale', target: 'auth', by: 'carol' })]);
    expect(m.inForce).toEqual({});

    m = foldChecked(m, [ev('diagnosis', 660_000, { by: 'bob', target: 'pricing', lines: ['ERROR RuleEngine', 'INFO ConfigLoader'], errorRate: 0.7, p99Ms: 785, saturation: 0.4 })]);
    expect(m.diagnoses).toEqual({ pricing: { t: 660_000, lines: ['ERROR RuleEngine', 'INFO ConfigLoader'], by: 'bob' } });

    m = foldChecked(m, [ev('impact.minute', 1_010_000, { minute: 16, journeys: {}, total: { failed: 1234, lost: 5678.9 } })]);
    expect(m.totals).toEqual({ failed: 1234, lost: 5678.9 });
    expect(m.now).toBe(1_010_000);

    // Unknown event types (a server newer than this console) still go on the timeline and move lastSeq.
    const before = m;
    const unknown = { seq: ++seq, t: 1_020_000, type: 'something.new', x: 1 };
    // The union has no such type: that is the point of the test.
    m = foldChecked(m, [unknown as unknown as EngineEvent]);
    expect(m.lastSeq).toBe(seq);
    expect(m.timeline.at(-1)?.type).toBe('something.new');
    expect({ ...m, lastSeq: before.lastSeq, now: before.now, timeline: before.timeline }).toEqual(before);
  });
});

describe('folding the real retail-sev1 stream', () => {
  const check = (m: ViewModel, events: readonly EngineEvent[]) => {
    const end = run.snapshot();
    expect(m.phase).toBe('ended');
    expect(m.incident).toEqual({ state: 'resolved', severity: 1, acknowledged: true, roles: { ic: 'alice', ops: 'bob', comms: 'carol' } });
    expect(m.approvals).toEqual({});
    expect(m.running).toEqual({});
    expect(m.inForce).toEqual(end.inForce);
    expect(m.timeline).toHaveLength(events.length);
    expect(m.timeline).toEqual(events);
    expect(m.lastSeq).toBe(events.at(-1)?.seq);
    expect(m.advice.map((a) => a.id)).toEqual(end.adviceShown);
    expect(m.totals).toEqual(end.totals);
    expect(Object.values(m.alerts).filter((a) => a.firing)).toEqual([]);
    for (const s of end.metrics.services) expect(`${s.id}: ${m.services[s.id]?.state}`).toBe(`${s.id}: ${s.state}`);
    expect(Object.keys(m.diagnoses).sort()).toEqual(['checkout', 'pricing']);
    // The plan's last status update, at the scenario's seed.
    expect(m.lastStatusAt).toBe(Math.ceil((plan.filter((c) => c.type === 'status-update').at(-1)?.at ?? NaN) / scenario.tick) * scenario.tick);
  };

  it('as the facilitator sees it: every event', () => {
    check(foldChecked(modelFromWelcome(welcomeFrom(createSession(scenario).snapshot(), 'facilitator')), allEvents), allEvents);
  });

  it('as a responder sees it: fault and inject events removed', () => {
    expect(visibleEvents.length).toBeLessThan(allEvents.length);
    check(foldChecked(fresh(), visibleEvents), visibleEvents);
  });

  it('keeps effects in force as the engine does: scales stack and are reverted one at a time', () => {
    const session = createSession(scenario);
    const steps: [number, string, string | undefined, Record<string, string> | undefined][] = [
      [0, 'start', undefined, undefined],
      [60_000, 'scale', 'auth', undefined],
      [300_000, 'scale', 'auth', undefined],
      [310_000, 'breaker', 'checkout', undefined],
      [600_000, 'revert', undefined, { action: 'scale:auth' }],
      [610_000, 'revert', undefined, { action: 'breaker:checkout' }],
      [620_000, 'revert', undefined, { action: 'scale:auth' }],
    ];
    const seen: string[][] = [];
    for (const [at, type, target, params] of steps) {
      session.runUntil(at);
      session.submit({ actor: type === 'start' ? 'facilitator' : 'bob', type, ...(target ? { target } : {}), ...(params ? { params } : {}) });
      session.runUntil(at + 10_000);
      const m = applyEvents(fresh(), session.events.filter((e) => !isFacilitatorOnly(e)));
      expect(m.inForce).toEqual(session.snapshot().inForce);
      seen.push(Object.entries(m.inForce).sort().map(([id, n]) => `${id}×${n}`));
    }
    // After the breaker's 30 s and the second scale's 3 min: both scales and the breaker; then one revert each.
    expect(seen.slice(4)).toEqual([['breaker:checkout×1', 'scale:auth×1'], ['scale:auth×1'], []]);
  });

  it('joined with a scale in force twice: one revert leaves it in force, the second clears it, as in the engine', () => {
    const session = createSession(scenario);
    session.submit({ actor: 'facilitator', type: 'start' });
    session.runUntil(60_000);
    session.submit({ actor: 'bob', type: 'scale', target: 'auth' });
    session.runUntil(250_000);
    session.submit({ actor: 'bob', type: 'scale', target: 'auth' });
    session.runUntil(450_000);
    const joined = modelFromWelcome(welcomeFrom(session.snapshot()));
    expect(joined.inForce).toEqual({ 'scale:auth': 2 });
    const from = session.events.length;
    session.submit({ actor: 'bob', type: 'revert', params: { action: 'scale:auth' } });
    session.runUntil(460_000);
    const once = applyEvents(joined, session.events.slice(from).filter((e) => !isFacilitatorOnly(e)));
    expect(once.inForce).toEqual(session.snapshot().inForce);
    expect(once.inForce).toEqual({ 'scale:auth': 1 });
    const next = session.events.length;
    session.submit({ actor: 'bob', type: 'revert', params: { action: 'scale:auth' } });
    session.runUntil(470_000);
    expect(applyEvents(once, session.events.slice(next).filter((e) => !isFacilitatorOnly(e))).inForce).toEqual({});
  });

  it('joined mid-drill with a scale in force: a second scale and one revert leave it in force, as in the engine', () => {
    const session = createSession(scenario);
    session.submit({ actor: 'facilitator', type: 'start' });
    session.runUntil(60_000);
    session.submit({ actor: 'bob', type: 'scale', target: 'auth' });
    session.runUntil(250_000);
    const joined = modelFromWelcome(welcomeFrom(session.snapshot()));
    expect(joined.inForce).toEqual({ 'scale:auth': 1 });
    // The snapshot carries the count, so a client that joins late stacks and reverts as the engine does.
    const from = session.events.length;
    session.submit({ actor: 'bob', type: 'scale', target: 'auth' });
    session.runUntil(500_000);
    session.submit({ actor: 'bob', type: 'revert', params: { action: 'scale:auth' } });
    session.runUntil(510_000);
    const m = applyEvents(joined, session.events.slice(from).filter((e) => !isFacilitatorOnly(e)));
    expect(session.snapshot().inForce).toEqual({ 'scale:auth': 1 });
    expect(m.inForce).toEqual({ 'scale:auth': 1 });
  });

  it('in live-sized batches, the same as all at once', () => {
    let m = fresh();
    for (let i = 0; i < visibleEvents.length; i += 7) m = applyEvents(m, visibleEvents.slice(i, i + 7));
    expect(m).toEqual(applyEvents(fresh(), visibleEvents));
  });

  it('from a mid-drill snapshot plus the rest of the stream, to the same incident and services', () => {
    const cut = 740_000;
    const mid = runScenario(scenario, { commands: plan, until: cut });
    const rest = visibleEvents.filter((e) => e.seq >= mid.events.length);
    const m = applyEvents(modelFromWelcome(welcomeFrom(mid.snapshot())), rest);
    const whole = applyEvents(fresh(), visibleEvents);
    expect(m.incident).toEqual(whole.incident);
    expect(m.approvals).toEqual(whole.approvals);
    expect(m.running).toEqual(whole.running);
    expect(m.phase).toBe('ended');
    for (const id of Object.keys(whole.services)) expect(m.services[id]?.state).toBe(whole.services[id]?.state);
  });
});

describe('applySample', () => {
  const samples: MetricsSample[] = [];
  const session = createSession(scenario);
  session.submit({ actor: 'facilitator', type: 'start' });
  session.runUntil(600_000, (s) => samples.push(s));

  it('takes the latest numbers and states for services and journeys, without touching its input', () => {
    const sample = samples.at(-1) as MetricsSample;
    const m = deepFreeze(fresh());
    const before = structuredClone(m);
    const next = applySample(m, deepFreeze(structuredClone(sample)));
    expect(m).toEqual(before);
    const pricing = sample.services.find((s) => s.id === 'pricing');
    expect(pricing?.state).toBe('down');
    expect(next.services.pricing).toEqual({
      id: 'pricing',
      name: 'Pricing',
      tier: 'critical',
      state: pricing?.state,
      metrics: { rps: pricing?.rps, errorRate: pricing?.errorRate, p50Ms: pricing?.p50Ms, p99Ms: pricing?.p99Ms, saturation: pricing?.saturation },
    });
    const checkout = sample.journeys.find((j) => j.id === 'checkout');
    expect(next.journeys.checkout).toEqual({ id: 'checkout', name: 'Check out', inSlo: false, metrics: { rps: checkout?.rps, errorRate: checkout?.errorRate, p50Ms: 0, p99Ms: checkout?.p99Ms, saturation: 0 } });
    // Events are not the sample's business.
    expect(next.timeline).toBe(m.timeline);
    expect(next.lastSeq).toBe(m.lastSeq);
  });

  it('ignores services and journeys the scenario does not have', () => {
    const m = fresh();
    const next = applySample(m, { t: 10_000, services: [{ id: 'ghost', state: 'down', rps: 1, errorRate: 1, p50Ms: 1, p99Ms: 1, saturation: 1, backlog: 1 }], journeys: [{ id: 'ghost', inSlo: false, rps: 1, errorRate: 1, p99Ms: 1 }], topics: [] });
    expect(next.services).toEqual(m.services);
    expect(next.journeys).toEqual(m.journeys);
  });

  it('SeriesStore keeps at most its window, newest last', () => {
    const store = new SeriesStore(5);
    for (const s of samples.slice(0, 12)) store.add(s);
    const pricing = store.series.get('service:pricing');
    expect(pricing?.t).toEqual(samples.slice(7, 12).map((s) => s.t));
    expect(pricing?.errorRate).toEqual(samples.slice(7, 12).map((s) => s.services.find((x) => x.id === 'pricing')?.errorRate));
    for (const k of ['errorRate', 'p99Ms', 'rps', 'saturation'] as const) expect(pricing?.[k]).toHaveLength(5);
    const journey = store.series.get('journey:checkout');
    expect(journey?.t).toHaveLength(5);
    expect(journey?.saturation).toEqual([0, 0, 0, 0, 0]);
    expect(store.series.size).toBe(scenario.services.length + scenario.journeys.length);

    const big = new SeriesStore();
    expect(big.window).toBe(SERIES_WINDOW);
    const base = samples[0] as MetricsSample;
    for (let i = 0; i < SERIES_WINDOW + 100; i++) big.add({ ...base, t: i * 10_000 });
    expect(big.series.get('service:pricing')?.t).toHaveLength(SERIES_WINDOW);
    expect(big.series.get('service:pricing')?.t[0]).toBe(100 * 10_000);
  });

  it("SeriesStore keeps a topic's lag, for the journeys that wait on it", () => {
    const store = new SeriesStore(5);
    const base = samples[0] as MetricsSample;
    const topic = { id: 'orders', from: 'web', to: 'fulfil', rps: 800, consumed: 640, lag: 0, lagSeconds: 0 };
    for (let i = 0; i < 7; i++) store.add({ ...base, t: i * 10_000, topics: [{ ...topic, lag: 1600 * i, lagSeconds: 2 * i }] });
    expect(store.series.get('topic:orders')?.lagSeconds).toEqual([4, 6, 8, 10, 12]);
    expect(store.series.get('topic:orders')?.rps).toEqual([800, 800, 800, 800, 800]);
    expect(store.series.get('service:pricing')?.lagSeconds).toEqual([0, 0, 0, 0, 0]);
  });

  it('SeriesStore drops samples that are out of order or repeated', () => {
    const store = new SeriesStore(100);
    const [a, b, c] = samples as [MetricsSample, MetricsSample, MetricsSample];
    store.add(a);
    store.add(c);
    store.add(b); // older than c
    store.add(c); // repeated
    store.add({ ...a, t: c.t }); // same time, other numbers
    const pricing = store.series.get('service:pricing');
    expect(pricing?.t).toEqual([a.t, c.t]);
    expect(pricing?.rps).toEqual([a.services.find((s) => s.id === 'pricing')?.rps, c.services.find((s) => s.id === 'pricing')?.rps]);
  });
});
