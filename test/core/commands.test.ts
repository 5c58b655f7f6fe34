/** Commands: preconditions, durations, approvals (controlled friction), and errors returned as data. */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import { createSession, type Session } from '../../engine/core/session.ts';
import { summarizeRun } from '../../engine/core/read/summary.ts';
import type { EngineEvent, EventOf, EventType } from '../../engine/protocol/events.ts';
import { at, loadScenario, tinyScenario } from '../helpers.ts';

function started(): Session {
  const session = createSession(tinyScenario());
  session.submit({ actor: 'facilitator', type: 'start' });
  return session;
}
const ofType = <K extends EventType>(events: readonly EngineEvent[], type: K): EventOf<K>[] => events.filter((e): e is EventOf<K> => e.type === type);

describe('command errors are data, and are logged', () => {
  it.each([
    [{ actor: '', type: 'ack' }, 'bad-actor', 'actor'],
    [{ actor: 'a', type: 'reboot-the-world' }, 'unknown-command', 'type'],
    [{ actor: 'a', type: 'rollback', target: 'nope' }, 'unknown-target', 'target'],
    [{ actor: 'a', type: 'scale', target: 'web' }, 'unknown-action', 'type'],
    [{ actor: 'a', type: 'declare', params: { severity: 9 } }, 'bad-severity', 'params.severity'],
    [{ actor: 'a', type: 'status-update', params: { message: '' } }, 'bad-message', 'params.message'],
    [{ actor: 'a', type: 'assign-role', params: { role: 'king' } }, 'bad-role', 'params.role'],
    [{ actor: 'a', type: 'approve', params: { request: 'rollback:api' } }, 'unknown-request', 'params.request'],
    [{ actor: 'a', type: 'inject', params: { fault: 'meteor' } }, 'unknown-fault', 'params.fault'],
    [{ actor: 'a', type: 'diagnose', target: 'nope' }, 'unknown-target', 'target'],
    [{ actor: 'a', type: 'ack', params: { nested: { x: 1 } } }, 'bad-params', 'params.nested'],
  ])('%j → %s', (cmd, code, path) => {
    const session = started();
    const result = session.submit(cmd as never);
    expect(result).toMatchObject({ ok: false, code, path });
    const logged = session.events.at(-1) as EngineEvent;
    expect(logged).toMatchObject({ type: 'command', ok: false, code });
  });

  it('rejects actions before the drill starts and after it ends', () => {
    const session = createSession(tinyScenario());
    expect(session.submit({ actor: 'a', type: 'ack' })).toMatchObject({ ok: false, code: 'drill-not-running' });
    session.submit({ actor: 'facilitator', type: 'start' });
    session.submit({ actor: 'facilitator', type: 'end' });
    expect(session.submit({ actor: 'a', type: 'restart', target: 'web' })).toMatchObject({ ok: false, code: 'drill-not-running' });
    expect(session.submit({ actor: 'facilitator', type: 'resume' })).toMatchObject({ ok: false, code: 'invalid-state' });
  });

  it('follows the incident lifecycle preconditions', () => {
    const session = started();
    expect(session.submit({ actor: 'a', type: 'ack' })).toMatchObject({ code: 'no-incident' });
    session.runUntil(370_000); // fault at 5m, page after the 1m `for`
    expect(session.incidentState).toBe('detected');
    expect(session.submit({ actor: 'a', type: 'resolve' })).toMatchObject({ code: 'not-mitigated' });
    expect(session.submit({ actor: 'a', type: 'ack' }).ok).toBe(true);
    expect(session.submit({ actor: 'a', type: 'ack' })).toMatchObject({ code: 'already-acknowledged' });
    expect(session.submit({ actor: 'a', type: 'declare', params: { severity: 1 } }).ok).toBe(true);
    expect(session.submit({ actor: 'a', type: 'declare', params: { severity: 1 } })).toMatchObject({ code: 'same-severity' });
  });
});

describe('actions', () => {
  it('land exactly after their duration, and mitigation follows', () => {
    const session = runScenario(tinyScenario(), {
      commands: [at(6, 'alice', 'ack'), at(6, 'alice', 'rollback', 'api'), at(6, 'bob', 'approve', undefined, { request: 'rollback:api' })],
      until: 1_200_000,
    });
    const startedAt = ofType(session.events, 'action.started')[0];
    const completed = ofType(session.events, 'action.completed')[0];
    expect(startedAt?.t).toBe(360_000);
    expect(completed?.t).toBe(360_000 + 120_000);
    expect(ofType(session.events, 'fault.ended')[0]).toMatchObject({ t: 480_000, fault: 'api-bad-deploy', reason: 'fixed' });
    // The SLO is judged over a minute: the last failing tick (470 s) leaves the window at 530 s.
    const back = ofType(session.events, 'journey.slo').find((e) => e.ok === true);
    expect(back?.t).toBe(530_000);
    // Mitigated once it has held for objectives.stable (5 minutes), stamped with the stretch's start.
    expect(ofType(session.events, 'incident.state').find((e) => e.to === 'mitigated')).toMatchObject({ t: 530_000 + 290_000, since: 530_000 });
  });

  it('cannot run twice at once', () => {
    const session = started();
    session.runUntil(60_000);
    expect(session.submit({ actor: 'a', type: 'restart', target: 'web' }).ok).toBe(true);
    expect(session.submit({ actor: 'b', type: 'restart', target: 'web' })).toMatchObject({ code: 'action-in-progress' });
  });

  it('a restart takes the service down while it runs, then it recovers', () => {
    const session = started();
    session.runUntil(60_000);
    session.submit({ actor: 'a', type: 'restart', target: 'web' });
    session.runUntil(90_000);
    expect(session.sample().services.find((s) => s.id === 'web')).toMatchObject({ state: 'recovering', errorRate: 1 });
    session.runUntil(240_000);
    expect(session.sample().services.find((s) => s.id === 'web')?.state).toBe('healthy');
  });
});

describe('revert', () => {
  it('closes a manual breaker again, and only what is in force can be reverted', () => {
    const session = started();
    expect(session.submit({ actor: 'a', type: 'revert', params: { action: 'breaker:web' } })).toMatchObject({ code: 'nothing-to-revert' });
    expect(session.submit({ actor: 'a', type: 'revert', params: { action: 'nope' } })).toMatchObject({ code: 'unknown-action' });
    session.submit({ actor: 'a', type: 'breaker', target: 'web' });
    session.runUntil(60_000);
    const api = () => session.sample().services.find((s) => s.id === 'api')?.rps;
    expect(api()).toBe(0);
    expect(ofType(session.events, 'breaker.opened')[0]).toMatchObject({ service: 'web', dependency: 'api', manual: true });
    const reverted = session.submit({ actor: 'a', type: 'revert', params: { action: 'breaker:web' } });
    expect(ofType(reverted.events, 'action.reverted')).toHaveLength(1);
    session.runUntil(80_000);
    expect(api()).toBeGreaterThan(150);
    expect(ofType(session.events, 'breaker.closed')).toHaveLength(1);
  });
});

describe('approvals (controlled friction)', () => {
  it('need a second responder', () => {
    const session = started();
    session.runUntil(360_000);
    const request = session.submit({ actor: 'alice', type: 'rollback', target: 'api' });
    expect(request.ok).toBe(true);
    expect(ofType(request.events, 'approval.requested')).toHaveLength(1);
    expect(ofType(request.events, 'action.started')).toHaveLength(0);
    expect(session.submit({ actor: 'alice', type: 'approve', params: { request: 'rollback:api' } })).toMatchObject({ code: 'self-approval' });
    expect(session.submit({ actor: 'carol', type: 'rollback', target: 'api' })).toMatchObject({ code: 'approval-pending' });
    const approved = session.submit({ actor: 'bob', type: 'approve', params: { request: 'rollback:api' } });
    expect(ofType(approved.events, 'action.started')[0]).toMatchObject({ by: 'alice', action: 'rollback:api' });
  });

  it('a denied request never runs', () => {
    const session = started();
    session.submit({ actor: 'alice', type: 'rollback', target: 'api' });
    session.submit({ actor: 'bob', type: 'deny', params: { request: 'rollback:api' } });
    session.runUntil(900_000);
    expect(ofType(session.events, 'action.started')).toHaveLength(0);
    expect(ofType(session.events, 'approval.denied')).toHaveLength(1);
  });

  it('the requester cannot deny their own request either', () => {
    const session = started();
    session.submit({ actor: 'alice', type: 'rollback', target: 'api' });
    expect(session.submit({ actor: 'alice', type: 'deny', params: { request: 'rollback:api' } })).toMatchObject({ ok: false, code: 'self-denial' });
    expect(session.snapshot().pendingApprovals.map((p) => p.request)).toEqual(['rollback:api']);
  });

  it('compares participant ids, not names, when the command carries them', () => {
    const session = started();
    session.submit({ actor: 'bob', participant: 'p-bob', type: 'rollback', target: 'api' });
    // One person under a second name is still one person...
    expect(session.submit({ actor: 'bob-alt', participant: 'p-bob', type: 'approve', params: { request: 'rollback:api' } })).toMatchObject({ code: 'self-approval' });
    expect(session.submit({ actor: 'Bob', participant: 'p-bob', type: 'deny', params: { request: 'rollback:api' } })).toMatchObject({ code: 'self-denial' });
    // ...and a different person decides, whatever the names say; the log keeps both ids and both names.
    const approved = session.submit({ actor: 'bob', participant: 'p-carol', type: 'approve', params: { request: 'rollback:api' } });
    expect(approved.ok).toBe(true);
    expect(ofType(approved.events, 'approval.granted')[0]).toMatchObject({ request: 'rollback:api', by: 'bob', byId: 'p-carol', requestedBy: 'bob', requestedById: 'p-bob' });
    expect(ofType(approved.events, 'command')[0]).toMatchObject({ actor: 'bob', participant: 'p-carol', command: 'approve', ok: true });
    expect(ofType(session.events, 'approval.requested')[0]).toMatchObject({ by: 'bob', byId: 'p-bob' });
  });

  it('refuses a malformed participant id as data', () => {
    const session = started();
    expect(session.submit({ actor: 'a', participant: '', type: 'ack' })).toMatchObject({ ok: false, code: 'bad-participant', path: 'participant' });
    expect(session.submit({ actor: 'a', participant: 'x'.repeat(65), type: 'ack' })).toMatchObject({ ok: false, code: 'bad-participant' });
  });

  it('break-glass bypasses the approval, and the log says so', () => {
    const session = started();
    const result = session.submit({ actor: 'alice', type: 'rollback', target: 'api', params: { breakGlass: true } });
    expect(result.events.map((e) => e.type)).toEqual(['command', 'approval.bypassed', 'action.started']);
  });
});

describe('stale advice', () => {
  const scenario = loadScenario('retail-sev1');
  const advice = scenario.advice.find((a) => a.facilitator.label === 'stale');

  it('following the stale wiki advice starts a thundering herd and costs more than the fix alone', () => {
    expect(advice?.proposes).toEqual({ type: 'restart', target: 'account' });
    const until = 3_600_000;
    const fix = [
      { at: 600_000, actor: 'bob', type: 'rollback', target: 'pricing' },
      { at: 630_000, actor: 'alice', type: 'approve', params: { request: 'rollback:pricing' } },
    ] as const;
    const fixedOnly = runScenario(scenario, { until, commands: [...fix] });
    const followed = runScenario(scenario, {
      until,
      commands: [{ at: advice?.at ?? 0, actor: 'dana', type: 'restart', target: 'account' }, ...fix],
    });
    expect(ofType(followed.events, 'fault.started').map((e) => e.fault)).toContain('login-herd');
    const lost = (s: typeof fixedOnly) => summarizeRun(scenario, s.seed, s.events).totals.lost;
    expect(lost(followed)).toBeGreaterThan(lost(fixedOnly));
    // The herd keeps account pages failing after pricing is fixed: mitigation comes later.
    const mitigatedAt = (s: typeof fixedOnly) => ofType(s.events, 'incident.state').find((e) => e.to === 'mitigated')?.t ?? Infinity;
    expect(mitigatedAt(followed)).toBeGreaterThan(mitigatedAt(fixedOnly));
  });
});

describe('facilitator controls', () => {
  it('an inject starts a fault at once; pausing stops simulated time', () => {
    const session = started();
    session.runUntil(60_000);
    const injected = session.submit({ actor: 'facilitator', type: 'inject', params: { fault: 'api-bad-deploy' } });
    expect(ofType(injected.events, 'fault.started')[0]).toMatchObject({ t: 60_000, fault: 'api-bad-deploy', injectedBy: 'facilitator' });
    expect(session.submit({ actor: 'facilitator', type: 'inject', params: { fault: 'api-bad-deploy' } })).toMatchObject({ code: 'fault-active' });
    session.submit({ actor: 'facilitator', type: 'pause' });
    expect(session.runUntil(660_000)).toEqual([]);
    expect(session.now).toBe(60_000);
    session.submit({ actor: 'facilitator', type: 'resume' });
    session.runUntil(80_000);
    expect(session.now).toBe(80_000);
  });
});

describe('several actions of one type on one target', () => {
  // Two client config pushes on web, one per dependency: ids tell them apart.
  const scenario = tinyScenario({
    actions: [
      { id: 'cut-api', type: 'retry-policy', target: 'web', dependency: 'api', retries: 0, duration: '0s' },
      { id: 'cut-recs', type: 'retry-policy', target: 'web', dependency: 'recs', retries: 0, duration: '0s' },
    ],
  });
  const run = (params?: Record<string, string>) => {
    const session = createSession(scenario);
    session.submit({ actor: 'facilitator', type: 'start' });
    const result = session.submit({ actor: 'bob', type: 'retry-policy', target: 'web', ...(params ? { params } : {}) });
    return { result, started: ofType(session.events, 'action.started').map((e) => e.action) };
  };

  it('runs the one params.action names', () => {
    const { result, started } = run({ action: 'cut-recs' });
    expect(result).not.toMatchObject({ ok: false });
    expect(started).toEqual(['cut-recs']);
  });

  it('runs the first without it', () => {
    const { result, started } = run();
    expect(result).not.toMatchObject({ ok: false });
    expect(started).toEqual(['cut-api']);
  });

  it('refuses a name that is not an action of that type on that target, and says where', () => {
    expect(run({ action: 'cut-db' }).result).toMatchObject({ ok: false, code: 'unknown-action', path: 'params.action' });
    expect(run({ action: 'rollback:api' }).result).toMatchObject({ ok: false, code: 'unknown-action', path: 'params.action' });
  });
});
