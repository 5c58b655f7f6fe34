/** The shared helpers in engine/protocol: describe, kindOf, ids and the formatters. */
import { describe as group, expect, it } from 'vitest';
import { isFacilitatorOnly } from '../../engine/core/read/visibility.ts';
import { commandPhrase, describe, namesOf } from '../../engine/protocol/describe.ts';
import { EVENT_TYPES, engineEventSchema, type EngineEvent, type EventOf, type EventType } from '../../engine/protocol/events.ts';
import { clip, formatAxisTime, formatClock, formatCount, formatDuration, formatMetric, formatMoney, formatPercent, metricName } from '../../engine/protocol/format.ts';
import { actionId, proposalKey } from '../../engine/protocol/ids.ts';
import { kindOf, type EventKind } from '../../engine/protocol/kinds.ts';
import { scoredRun } from '../score/runs.ts';

const stamp = { seq: 7, t: 125_000 };
/** One event of every type: a `Record` over EventType, so a new event type fails to compile here. */
const SAMPLES: { [K in EventType]: EventOf<K> } = {
  command: { ...stamp, type: 'command', actor: 'alice', command: 'declare', params: { severity: 1 }, ok: true },
  'drill.state': { ...stamp, type: 'drill.state', from: 'ready', to: 'running', by: 'facilitator' },
  'incident.state': { ...stamp, type: 'incident.state', from: 'detected', to: 'declared', severity: 1, by: 'alice' },
  'incident.severity': { ...stamp, type: 'incident.severity', from: 2, to: 1, by: 'alice' },
  'incident.role': { ...stamp, type: 'incident.role', role: 'comms', person: 'carol', by: 'alice' },
  'status.posted': { ...stamp, type: 'status.posted', by: 'carol', message: 'Checkout is failing.\n  Investigating.', severity: 1 },
  'service.state': { ...stamp, type: 'service.state', service: 'pricing', from: 'healthy', to: 'down', errorRate: 0.4512, p99Ms: 2_400.4 },
  'journey.slo': { ...stamp, type: 'journey.slo', journey: 'checkout', ok: false, errorRate: 0.2, p99Ms: 900 },
  'impact.minute': {
    ...stamp,
    type: 'impact.minute',
    minute: 2,
    journeys: { checkout: { requests: 100, failed: 20, degraded: 0, lost: 1_234.5, badSec: 30 } },
    total: { failed: 12_345, lost: 67_890.4 },
  },
  'alert.firing': { ...stamp, type: 'alert.firing', alert: 'checkout-errors', name: 'Checkout errors', severity: 'page', journey: 'checkout', metric: 'errorRate', value: 0.2, threshold: 0.05 },
  'alert.resolved': { ...stamp, type: 'alert.resolved', alert: 'checkout-errors', value: 0.01 },
  checkpoint: { ...stamp, type: 'checkpoint', hash: '77e5e254b0843938' },
  'advice.shown': { ...stamp, type: 'advice.shown', advice: 'restart-db', source: 'assistant', title: 'Restart the database?', text: 'Try a restart.', proposes: { type: 'restart', target: 'db' } },
  'breaker.opened': { ...stamp, type: 'breaker.opened', service: 'checkout', dependency: 'pricing', manual: true },
  'breaker.closed': { ...stamp, type: 'breaker.closed', service: 'checkout', dependency: 'pricing', manual: false },
  'fault.started': { ...stamp, type: 'fault.started', fault: 'bad-deploy', kind: 'code-deploy', target: 'pricing', scheduled: true },
  'fault.ended': { ...stamp, type: 'fault.ended', fault: 'bad-deploy', reason: 'fixed', action: 'rollback:pricing' },
  'change.deployed': { ...stamp, type: 'change.deployed', service: 'pricing', summary: 'pricing v2', author: 'deploy-bot' },
  'change.proposed': { ...stamp, type: 'change.proposed', change: 'rounding-v2', service: 'pricing', summary: 'pricing-rules v2', by: 'bob', page: 'pricing-faq', review: true },
  'change.approved': { ...stamp, type: 'change.approved', change: 'rounding-v2', by: 'alice', requestedBy: 'bob' },
  'change.denied': { ...stamp, type: 'change.denied', change: 'rounding-v2', by: 'alice', requestedBy: 'bob', reason: 'The FAQ predates the pricing move.' },
  'task.due': { ...stamp, type: 'task.due', title: 'Apply the rounding rule', by: 'dana', pushed: 'rounding-v2' },
  'approval.requested': { ...stamp, type: 'approval.requested', request: 'rollback:pricing', action: 'rollback', target: 'pricing', by: 'bob' },
  'approval.bypassed': { ...stamp, type: 'approval.bypassed', request: 'rollback:pricing', by: 'bob' },
  'approval.granted': { ...stamp, type: 'approval.granted', request: 'rollback:pricing', by: 'alice', requestedBy: 'bob' },
  'approval.denied': { ...stamp, type: 'approval.denied', request: 'rollback:pricing', by: 'alice', requestedBy: 'bob' },
  'action.started': { ...stamp, type: 'action.started', action: 'rollback:pricing', kind: 'rollback', target: 'pricing', by: 'bob', duration: 90_000 },
  'action.progress': { ...stamp, type: 'action.progress', action: 'rollback:pricing', kind: 'rollback', target: 'pricing', by: 'bob', done: 3, of: 6 },
  'action.completed': { ...stamp, type: 'action.completed', action: 'rollback:pricing', kind: 'rollback', target: 'pricing', by: 'bob' },
  'action.reverted': { ...stamp, type: 'action.reverted', action: 'rollback:pricing', kind: 'rollback', target: 'pricing', by: 'bob' },
  diagnosis: { ...stamp, type: 'diagnosis', by: 'bob', target: 'pricing', lines: ['ERROR  db pool exhausted', 'WARN retry'], errorRate: 0.45, p99Ms: 2_400, saturation: 0.97 },
  'assistant.answered': {
    ...stamp,
    type: 'assistant.answered',
    inReplyTo: 6,
    by: 'bob',
    question: 'Why is account failing?',
    page: 'account-cache',
    title: 'Account: stuck session cache',
    edited: '2023-02',
    text: 'Restart it.',
    proposes: { type: 'restart', target: 'account' },
  },
  'page.opened': { ...stamp, type: 'page.opened', by: 'bob', page: 'account-cache', title: 'Account: stuck session cache', edited: '2023-02', body: 'Restart it.' },
  'page.history': {
    ...stamp,
    type: 'page.history',
    by: 'bob',
    page: 'account-cache',
    title: 'Account: stuck session cache',
    edited: '2023-02',
    history: [{ edited: '2021-06', summary: 'Created' }],
    laterChanges: [{ date: '2024-03', summary: 'Session cache removed' }],
  },
};

const EXPECTED: Record<EventType, string> = {
  command: 'alice declared Sev 1.',
  'drill.state': 'The drill went from ready to running (facilitator).',
  'incident.state': 'Incident declared, Sev 1 (by alice).',
  'incident.severity': 'Severity changed from Sev 2 to Sev 1 (by alice).',
  'incident.role': 'alice gave the comms role to carol.',
  'status.posted': 'carol posted a status update: “Checkout is failing. Investigating.”',
  'service.state': 'Service pricing went from healthy to down (errors 45.1%, p99 2,400 ms).',
  'journey.slo': 'Journey checkout left its SLO (errors 20.0%, p99 900 ms).',
  'impact.minute': 'Minute 2 closed: 12,345 failed requests and $67,890 lost so far.',
  'alert.firing': 'Alert “Checkout errors” fired (page): error rate 20.0%, threshold 5.0%.',
  'alert.resolved': 'Alert checkout-errors resolved (0.01).',
  checkpoint: 'Checkpoint 77e5e254b0843938.',
  'advice.shown': 'Advice from the AI assistant: “Restart the database?”, proposing to restart db.',
  'breaker.opened': 'Breaker from checkout to pricing opened (manual).',
  'breaker.closed': 'Breaker from checkout to pricing closed (automatic).',
  'fault.started': 'Fault bad-deploy (code-deploy) started on pricing, as scheduled.',
  'fault.ended': 'Fault bad-deploy ended: fixed by “Roll back pricing”.',
  'change.deployed': 'Change on pricing by deploy-bot: pricing v2.',
  'change.proposed': 'bob proposed a change to pricing, citing the wiki page pricing-faq: pricing-rules v2 (waiting for a second reviewer).',
  'change.approved': "alice approved bob's change rounding-v2.",
  'change.denied': "alice denied bob's change rounding-v2: “The FAQ predates the pricing move.”",
  'task.due': 'The deadline for “Apply the rounding rule” passed: dana pushed the change rounding-v2 alone.',
  'approval.requested': "bob's request to roll back pricing is waiting for a second approver.",
  'approval.bypassed': 'bob bypassed the approval of the request to roll back pricing (break glass).',
  'approval.granted': "alice approved bob's request to roll back pricing.",
  'approval.denied': "alice denied bob's request to roll back pricing.",
  'action.started': 'Action “Roll back pricing” started (by bob; lands in 1m30s).',
  'action.progress': 'Action “Roll back pricing”: 3/6 instances done.',
  'action.completed': 'Action “Roll back pricing” completed.',
  'action.reverted': 'bob reverted “Roll back pricing”.',
  diagnosis: 'bob looked at pricing: errors 45.0%, p99 2,400 ms, saturation 97%; logs: “ERROR db pool exhausted” (+1 more).',
  'assistant.answered': 'The assistant answered bob, citing the wiki page “Account: stuck session cache” (last edited 2023-02), proposing to restart account (unverified).',
  'page.opened': 'bob opened the wiki page “Account: stuck session cache” (last edited 2023-02).',
  'page.history': 'bob checked the history of “Account: stuck session cache” (last edited 2023-02; changed since: 2024-03 Session cache removed).',
};

const KINDS: Record<EventType, EventKind> = {
  command: 'human',
  'drill.state': 'system',
  'incident.state': 'human',
  'incident.severity': 'human',
  'incident.role': 'human',
  'status.posted': 'human',
  'service.state': 'system',
  'journey.slo': 'system',
  'impact.minute': 'system',
  'alert.firing': 'system',
  'alert.resolved': 'system',
  checkpoint: 'system',
  'advice.shown': 'advice',
  'breaker.opened': 'system',
  'breaker.closed': 'system',
  'fault.started': 'hidden',
  'fault.ended': 'hidden',
  'change.deployed': 'system',
  'change.proposed': 'human',
  'change.approved': 'human',
  'change.denied': 'human',
  'task.due': 'system',
  'approval.requested': 'human',
  'approval.bypassed': 'human',
  'approval.granted': 'human',
  'approval.denied': 'human',
  'action.started': 'human',
  'action.progress': 'human',
  'action.completed': 'human',
  'action.reverted': 'human',
  diagnosis: 'human',
  'assistant.answered': 'advice',
  'page.opened': 'human',
  'page.history': 'human',
};

const command = (over: Partial<EventOf<'command'>>): EventOf<'command'> => ({ ...stamp, type: 'command', actor: 'alice', command: 'ack', ok: true, ...over });

group('describe', () => {
  it('has a sample, valid against the event schema, for every event type', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...EVENT_TYPES].sort());
    for (const e of Object.values(SAMPLES)) expect(engineEventSchema.safeParse(e).success, e.type).toBe(true);
  });

  it.each(EVENT_TYPES)('describes %s in one sentence', (type) => {
    expect(describe(SAMPLES[type])).toBe(EXPECTED[type]);
  });

  it('writes commands as what the person did, or tried to do and why it was refused', () => {
    expect(describe(command({}))).toBe('alice acknowledged the page.');
    expect(describe(command({ actor: 'facilitator', command: 'end' }))).toBe('facilitator ended the drill.');
    expect(describe(command({ command: 'assign-role', params: { role: 'ic' } }))).toBe('alice took the ic role.');
    expect(describe(command({ command: 'rollback', target: 'pricing', params: { breakGlass: true } }))).toBe('alice ran “Roll back pricing” (break glass, bypassing approval).');
    const rejected = command({ actor: 'bob', command: 'approve', params: { request: 'rollback:pricing' }, ok: false, code: 'self-approval', message: 'a second person must approve' });
    expect(describe(rejected)).toBe('bob tried to approve “Roll back pricing”: rejected with self-approval (a second person must approve).');
    expect(commandPhrase(command({ command: 'rollback', target: 'pricing' }))).toBe('roll back pricing');
    expect(commandPhrase(command({ command: 'declare', params: { severity: 2 } }), 'past')).toBe('declared Sev 2');
  });

  it('adds facilitator knowledge only when the names carry it', () => {
    const full = namesOf({
      alerts: [{ id: 'checkout-errors', name: 'Checkout errors', metric: 'errorRate', facilitator: { redHerring: true } }],
      advice: [{ id: 'restart-db', facilitator: { label: 'harmful' } }],
    });
    expect(describe(SAMPLES['alert.firing'], full)).toBe('Alert “Checkout errors” fired (page): error rate 20.0%, threshold 5.0% — a red herring.');
    expect(describe(SAMPLES['alert.resolved'], full)).toBe('Alert “Checkout errors” resolved (error rate 1.0%).');
    expect(describe(SAMPLES['advice.shown'], full)).toBe('Advice from the AI assistant: “Restart the database?”, proposing to restart db (harmful).');
    // Advice the scenario does not list is still labelled, as unlabelled, when labels are known at all.
    expect(describe({ ...SAMPLES['advice.shown'], advice: 'other' }, full)).toMatch(/\(unlabelled\)\.$/);
    // A public view of the scenario (what responders hold) has no labels and no red herrings.
    const pub = namesOf({ alerts: [{ id: 'checkout-errors', metric: 'errorRate' }] });
    expect(describe(SAMPLES['alert.firing'], pub)).not.toContain('red herring');
    expect(describe(SAMPLES['advice.shown'], pub)).not.toContain('(');
  });

  it('calls a service and a journey by the one name the console gives them', () => {
    const names = namesOf({ services: [{ id: 'pricing', name: 'Pricing' }, { id: 'db' }], journeys: [{ id: 'checkout', name: 'Check out' }] });
    expect(describe(SAMPLES['service.state'], names)).toBe('Service Pricing went from healthy to down (errors 45.1%, p99 2,400 ms).');
    expect(describe(SAMPLES['journey.slo'], names)).toBe('Journey “Check out” left its SLO (errors 20.0%, p99 900 ms).');
    expect(describe(SAMPLES.diagnosis, names)).toMatch(/^bob looked at Pricing: errors/);
    expect(describe(SAMPLES['change.deployed'], names)).toBe('Change on Pricing by deploy-bot: pricing v2.');
    // A service with no name keeps its id.
    expect(describe({ ...SAMPLES['service.state'], service: 'db' }, names)).toMatch(/^Service db went/);
    expect(describe(SAMPLES['breaker.opened'], names)).toBe('Breaker from checkout to Pricing opened (manual).');
    expect(describe(SAMPLES['change.proposed'], names)).toMatch(/^bob proposed a change to Pricing, /);
    expect(describe({ ...SAMPLES['fault.started'], from: 'checkout', targets: ['pricing', 'db'] }, names)).toBe('Fault bad-deploy (code-deploy) started on the calls from checkout to Pricing and db, as scheduled.');
  });

  it('calls an action what its button says, in display names', () => {
    const names = namesOf({
      services: [{ id: 'pricing', name: 'Pricing' }, { id: 'checkout', name: 'Checkout' }, { id: 'recs', name: 'Recommendations' }],
      alerts: [{ id: 'checkout-errors', name: 'Checkout errors', metric: 'errorRate' }],
      actions: [
        { id: 'undo-v2', type: 'rollback', target: 'pricing' },
        { type: 'rollback', target: 'pricing' },
        { type: 'breaker', target: 'checkout', dependency: 'recs' },
      ],
    });
    // By its explicit id, and by "type:target" (the first such action, as a command without params.action means).
    expect(describe({ ...SAMPLES['approval.requested'], request: 'undo-v2' }, names)).toBe("bob's request to roll back Pricing is waiting for a second approver.");
    expect(describe(SAMPLES['approval.granted'], names)).toBe("alice approved bob's request to roll back Pricing.");
    expect(describe(SAMPLES['approval.denied'], names)).toBe("alice denied bob's request to roll back Pricing.");
    expect(describe(SAMPLES['approval.bypassed'], names)).toBe('bob bypassed the approval of the request to roll back Pricing (break glass).');
    expect(describe(SAMPLES['action.started'], names)).toBe('Action “Roll back Pricing” started (by bob; lands in 1m30s).');
    expect(describe(SAMPLES['action.completed'], names)).toBe('Action “Roll back Pricing” completed.');
    expect(describe(SAMPLES['fault.ended'], names)).toBe('Fault bad-deploy ended: fixed by “Roll back Pricing”.');
    const breaker = { ...SAMPLES['action.reverted'], action: 'breaker:checkout', kind: 'breaker' as const, target: 'checkout' };
    expect(describe(breaker, names)).toBe('bob reverted “Open a breaker on Checkout (calls to Recommendations)”.');
    expect(describe(command({ command: 'rollback', target: 'pricing' }), names)).toBe('alice ran “Roll back Pricing”.');
    expect(describe(command({ command: 'rollback', target: 'pricing', params: { action: 'undo-v2' }, ok: false, code: 'x', message: 'no' }), names)).toBe('alice tried to roll back Pricing: rejected with x (no).');
    expect(describe(command({ command: 'approve', params: { request: 'undo-v2' } }), names)).toBe('alice approved “Roll back Pricing”.');
    expect(describe(command({ command: 'diagnose', target: 'pricing' }), names)).toBe("alice looked at Pricing's logs and metrics.");
    expect(describe({ ...SAMPLES['advice.shown'], proposes: { type: 'rollback', target: 'pricing' } }, names)).toMatch(/, proposing to roll back Pricing\.$/);
    expect(describe({ ...stamp, type: 'incident.state', from: 'idle', to: 'detected', severity: null, alert: 'checkout-errors' }, names)).toBe('Incident detected: the page “Checkout errors” fired.');
    // An id nothing names stays as it is, never capitalised into a name.
    expect(describe({ ...SAMPLES['action.completed'], action: 'mystery' }, {})).toBe('Action “Roll back pricing” completed.');
    expect(describe({ ...SAMPLES['approval.granted'], request: 'mystery' }, names)).toBe("alice approved bob's request mystery.");
    expect(describe(command({ command: 'revert', params: { action: 'mystery' } }), names)).toBe('alice reverted mystery.');
  });

  it('covers the other branches of the state sentences', () => {
    expect(describe({ ...stamp, type: 'drill.state', from: 'running', to: 'ended', reason: 'time-limit' })).toBe('The drill ended (time-limit).');
    expect(describe({ ...stamp, type: 'incident.state', from: 'idle', to: 'detected', severity: null, alert: 'checkout-errors' })).toBe('Incident detected: the page checkout-errors fired.');
    expect(describe({ ...stamp, type: 'incident.state', from: 'declared', to: 'mitigated', severity: 1 })).toBe('Incident mitigated: every journey back within its SLO.');
    expect(describe({ ...stamp, type: 'incident.severity', from: null, to: 2 })).toBe('Severity changed from none to Sev 2.');
    expect(describe({ ...stamp, type: 'incident.role', role: 'ic', person: 'alice', by: 'alice' })).toBe('alice took the ic role.');
    expect(describe({ ...stamp, type: 'fault.started', fault: 'f', kind: 'dependency-outage', target: 'db', triggeredBy: 'bob', action: 'restart:db' })).toBe('Fault f (dependency-outage) started on db, set off by “Restart db” (run by bob).');
    expect(describe({ ...stamp, type: 'impact.minute', minute: 0, journeys: {}, total: { failed: 1, lost: 0 } })).toBe('Minute 0 closed: 1 failed request and $0 lost so far.');
  });

  it('gives every event of a real run a sentence with no holes in it', () => {
    const { header, events } = scoredRun('retail-sev1.bad');
    const names = namesOf(header.scenario);
    const types = new Set<string>();
    for (const e of events) {
      const text = describe(e, names);
      types.add(e.type);
      expect(text, JSON.stringify(e)).toMatch(/[.”]$/);
      // A lone `?` is what a sentence prints for a missing field.
      expect(text).not.toMatch(/undefined|null|NaN|\[object|(^|[\s(])\?([\s).,:;]|$)/);
    }
    expect(types.size).toBeGreaterThan(15);
  });
});

group('kindOf', () => {
  it.each(EVENT_TYPES)('classifies %s', (type) => {
    expect(kindOf(SAMPLES[type])).toBe(KINDS[type]);
  });

  it('counts a severity change as human, and detection and mitigation as system', () => {
    expect(kindOf({ ...stamp, type: 'incident.severity', from: null, to: 1 })).toBe('human');
    expect(kindOf({ ...stamp, type: 'incident.state', from: 'idle', to: 'detected', severity: null })).toBe('system');
    expect(kindOf({ ...stamp, type: 'incident.state', from: 'declared', to: 'mitigated', severity: 1 })).toBe('system');
    expect(kindOf({ ...stamp, type: 'incident.state', from: 'detected', to: 'acknowledged', severity: null, by: 'alice' })).toBe('human');
    expect(kindOf({ ...stamp, type: 'incident.state', from: 'mitigated', to: 'resolved', severity: 1, by: 'alice' })).toBe('human');
  });

  it('hides the inject command, runs the drill as system and counts every other command as human', () => {
    expect(kindOf(command({ actor: 'facilitator', command: 'inject', params: { fault: 'f' } }))).toBe('hidden');
    for (const c of ['start', 'pause', 'resume', 'end']) expect(kindOf(command({ actor: 'facilitator', command: c }))).toBe('system');
    for (const c of ['ack', 'rollback', 'approve', 'diagnose']) expect(kindOf(command({ command: c }))).toBe('human');
    expect(kindOf(command({ command: 'rollback', ok: false, code: 'x' }))).toBe('human');
  });

  it('is the rule the live stream hides events by', () => {
    const { events } = scoredRun('retail-sev1.bad');
    const all: EngineEvent[] = [...events, ...Object.values(SAMPLES), command({ command: 'inject' })];
    for (const e of all) expect(isFacilitatorOnly(e)).toBe(kindOf(e) === 'hidden');
    expect(all.some((e) => kindOf(e) === 'hidden')).toBe(true);
  });
});

group('ids', () => {
  it('names an action by its id, else by type:target', () => {
    expect(actionId({ type: 'rollback', target: 'pricing' })).toBe('rollback:pricing');
    expect(actionId({ id: 'undo-v2', type: 'rollback', target: 'pricing' })).toBe('undo-v2');
    expect(proposalKey({ type: 'restart', target: 'db' })).toBe('restart:db');
  });

  it('agrees with the ids the engine logs for a scenario’s actions', () => {
    const { header, events } = scoredRun('retail-sev1.bad');
    const ids = new Set(header.scenario.actions.map(actionId));
    const started = events.filter((e): e is EventOf<'action.started'> => e.type === 'action.started');
    expect(started.length).toBeGreaterThan(0);
    for (const e of started) expect(ids.has(e.action)).toBe(true);
  });
});

group('formatters', () => {
  it('formats money, counts and percentages', () => {
    expect(formatMoney(12_345.6)).toBe('$12,346');
    expect(formatMoney(0)).toBe('$0');
    expect(formatMoney(-5)).toBe('−$5');
    expect(formatCount(1_234_567.4)).toBe('1,234,567');
    expect(formatPercent(0.1234)).toBe('12.3%');
    expect(formatPercent(0.97, 0)).toBe('97%');
  });

  it('formats simulated time', () => {
    expect(formatClock(5_400_000)).toBe('01:30:00');
    expect(formatClock(61_999)).toBe('00:01:01');
    expect(formatAxisTime(90_000, false)).toBe('01:30');
    expect(formatAxisTime(5_400_000, true)).toBe('1:30');
    expect(formatDuration(5_400_000)).toBe('1h30m');
  });

  it('formats metrics and clips text', () => {
    expect(metricName('errorRate')).toBe('error rate');
    expect(metricName('custom')).toBe('custom');
    expect(formatMetric('p99Ms', 2_400.4)).toBe('2,400 ms');
    expect(formatMetric('saturation', 0.5)).toBe('50.0%');
    expect(formatMetric('rps', 1_500)).toBe('1,500 rps');
    expect(clip('a  b\n c')).toBe('a b c');
    expect(clip('abcdef', 4)).toBe('abc…');
  });
});
