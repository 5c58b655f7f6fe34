/**
 * The change window: proposing a change, a second participant's review (the same identity rule as
 * action approvals), a deploy that starts the change's fault, `controlledFriction: off`, and the
 * on-call's push at the task's deadline when nobody took the task up.
 */
import { describe, expect, it } from 'vitest';
import { createSession, type Session } from '../../engine/core/session.ts';
import { scoreLog } from '../../engine/score/scorecard.ts';
import { createHeader } from '../../engine/core/log/log.ts';
import type { EngineEvent, EventType } from '../../engine/protocol/events.ts';
import type { ScenarioInput } from '../../engine/protocol/scenario.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { stringify } from 'yaml';
import { tinyInput, tinyScenario } from '../helpers.ts';

/** tiny's api (critical) with a change that breaks it, a safe one, a page for each, and a task. */
const WINDOW: Partial<ScenarioInput> = {
  faults: [{ id: 'api-bad-config', kind: 'config-deploy', target: 'api', effect: { errorRate: 0.9 }, rootCause: true }],
  actions: [{ type: 'rollback', target: 'api', duration: '2m', approval: true, resolves: ['api-bad-config'] }],
  changes: [
    { id: 'api-v2', service: 'api', summary: 'api config v2: old-style flag', fault: 'api-bad-config' },
    { id: 'api-safe', service: 'api', summary: 'api config: new-style flag' },
    { id: 'recs-tweak', service: 'recs', summary: 'recs: tweak a weight' },
  ],
  wiki: [
    { id: 'old-howto', title: 'How to turn on the flag', services: ['api'], edited: '2022-01', body: 'Turn on the flag in the api config and push it.', change: 'api-v2' },
    { id: 'new-howto', title: 'Flags in the new config service', services: ['api'], edited: '2025-02', body: 'Use the config service.', change: 'api-safe' },
  ],
  architecture: [{ date: '2024-06', summary: 'api config moved to the config service', services: ['api'] }],
  task: { title: 'Turn on the flag', text: 'Before the launch.', deadline: '20m', pushes: 'api-v2', by: 'dana' },
};

function started(overrides: Partial<ScenarioInput> = {}): Session {
  const session = createSession(tinyScenario({ ...WINDOW, ...overrides }));
  session.submit({ actor: 'facilitator', type: 'start' });
  return session;
}

const propose = (change: string, actor = 'bob', extra: Record<string, string | boolean> = {}, participant?: string) => ({
  actor,
  ...(participant !== undefined ? { participant } : {}),
  type: 'propose-change',
  params: { change, ...extra },
});
const review = (change: string, verdict: string, actor = 'alice', participant?: string) => ({
  actor,
  ...(participant !== undefined ? { participant } : {}),
  type: 'review-change',
  params: { change, verdict },
});
const types = (events: readonly EngineEvent[]): EventType[] => events.filter((e) => e.type !== 'command').map((e) => e.type);

describe('proposing and reviewing a change', () => {
  it('holds a change to a critical-tier service for review, cites its page, and deploys it with its fault once a second person approves', () => {
    const session = started();
    const proposed = session.submit(propose('api-v2'));
    expect(proposed.ok).toBe(true);
    expect(proposed.events.find((e) => e.type === 'change.proposed')).toMatchObject({ change: 'api-v2', service: 'api', page: 'old-howto', review: true, by: 'bob' });
    expect(session.snapshot().changes).toEqual([expect.objectContaining({ change: 'api-v2', status: 'pending', review: true, page: 'old-howto' })]);
    const approved = session.submit(review('api-v2', 'approve'));
    expect(types(approved.events)).toEqual(['change.approved', 'change.deployed', 'fault.started']);
    expect(approved.events.find((e) => e.type === 'change.deployed')).toMatchObject({ author: 'bob', approvedBy: 'alice', change: 'api-v2' });
    expect(approved.events.find((e) => e.type === 'fault.started')).toMatchObject({ fault: 'api-bad-config', change: 'api-v2', triggeredBy: 'bob' });
    expect(session.snapshot().changes[0]?.status).toBe('deployed');
  });

  it('a denied change never deploys, and cannot be decided twice', () => {
    const session = started();
    session.submit(propose('api-v2'));
    const denied = session.submit(review('api-v2', 'deny'));
    expect(types(denied.events)).toEqual(['change.denied']);
    expect(session.submit(review('api-v2', 'approve', 'carol'))).toMatchObject({ ok: false, code: 'not-pending' });
    session.runUntil(30 * 60_000);
    expect(session.events.some((e) => e.type === 'fault.started')).toBe(false);
  });

  it('the proposer cannot review their own change: by name without ids, and by participant id under another name', () => {
    const session = started();
    session.submit(propose('api-v2', 'bob'));
    expect(session.submit(review('api-v2', 'approve', 'bob'))).toMatchObject({ ok: false, code: 'self-review', path: 'actor' });
    expect(session.submit(review('api-v2', 'deny', 'bob'))).toMatchObject({ ok: false, code: 'self-review' });

    const live = started();
    live.submit(propose('api-v2', 'bob', {}, 'p-1'));
    // One person, two tabs, two names: the same participant id.
    expect(live.submit(review('api-v2', 'approve', 'robert', 'p-1'))).toMatchObject({ ok: false, code: 'self-review' });
    // Two people who share a name are still two people.
    expect(live.submit(review('api-v2', 'approve', 'bob', 'p-2')).ok).toBe(true);
  });

  it('a change to a standard-tier service needs no review, and break glass skips review with a record', () => {
    const session = started();
    const recs = session.submit(propose('recs-tweak'));
    expect(types(recs.events)).toEqual(['change.proposed', 'change.deployed']);
    expect(recs.events.find((e) => e.type === 'change.proposed')).toMatchObject({ review: false });
    const glass = session.submit(propose('api-v2', 'bob', { breakGlass: true }));
    expect(glass.events.find((e) => e.type === 'change.deployed')).toMatchObject({ bypassed: true, change: 'api-v2' });
  });

  it('controlledFriction off deploys at once, and lets approval-marked actions start without a second person', () => {
    const session = started({ controlledFriction: 'off' });
    const proposed = session.submit(propose('api-v2'));
    expect(types(proposed.events)).toEqual(['change.proposed', 'change.deployed', 'fault.started']);
    const rollback = session.submit({ actor: 'bob', type: 'rollback', target: 'api' });
    expect(types(rollback.events)).toEqual(['action.started']);
  });

  it('answers mistakes with codes, and logs them', () => {
    const session = started();
    expect(session.submit(propose('nope'))).toMatchObject({ ok: false, code: 'unknown-change', path: 'params.change' });
    expect(session.submit(propose('api-v2', 'bob', { page: 'nope' }))).toMatchObject({ ok: false, code: 'unknown-page', path: 'params.page' });
    expect(session.submit({ actor: 'bob', type: 'propose-change' })).toMatchObject({ ok: false, code: 'missing-param', path: 'params.change' });
    expect(session.submit(review('api-v2', 'approve'))).toMatchObject({ ok: false, code: 'unknown-change' });
    session.submit(propose('api-v2'));
    expect(session.submit(propose('api-v2', 'carol'))).toMatchObject({ ok: false, code: 'change-exists' });
    expect(session.submit(review('api-v2', 'maybe'))).toMatchObject({ ok: false, code: 'bad-verdict', path: 'params.verdict' });
    const rejected = session.events.filter((e) => e.type === 'command' && !e.ok);
    expect(rejected).toHaveLength(6);
  });

  it('the assistant offers the change of the page it cites', () => {
    const session = started();
    const asked = session.submit({ actor: 'bob', type: 'ask', params: { question: 'How do I turn on the flag in the api config?' } });
    const answer = asked.events.find((e) => e.type === 'assistant.answered');
    expect(answer).toMatchObject({ page: 'old-howto', change: { id: 'api-v2', service: 'api', summary: 'api config v2: old-style flag' } });
    expect(answer?.type === 'assistant.answered' && answer.text).toContain('Suggested change to api: api config v2: old-style flag.');
  });

  it('every piece of change state is in the checkpoint hash', () => {
    const a = started();
    const b = started();
    a.submit(propose('api-v2', 'bob'));
    b.submit(propose('api-v2', 'carol'));
    expect(a.checkpoint()).not.toBe(b.checkpoint());
    const c = started();
    c.submit(propose('api-v2', 'bob'));
    expect(c.checkpoint()).toBe(a.checkpoint());
    c.submit(review('api-v2', 'deny'));
    expect(c.checkpoint()).not.toBe(a.checkpoint());
  });
});

describe("the task's deadline", () => {
  it('with nobody taking the task up, the on-call pushes its change alone at the deadline, past review', () => {
    const session = started();
    session.runUntil(25 * 60_000);
    const due = session.events.find((e) => e.type === 'task.due');
    expect(due).toMatchObject({ t: 20 * 60_000, by: 'dana', pushed: 'api-v2' });
    expect(session.events.find((e) => e.type === 'change.deployed')).toMatchObject({ author: 'dana', bypassed: true, t: 20 * 60_000 });
    expect(session.events.find((e) => e.type === 'fault.started')).toMatchObject({ fault: 'api-bad-config', triggeredBy: 'dana' });
  });

  it('once anyone has proposed a change, the on-call leaves the task to the team', () => {
    const session = started();
    session.submit(propose('api-safe'));
    session.runUntil(25 * 60_000);
    expect(session.events.find((e) => e.type === 'task.due')).toMatchObject({ pushed: null });
    expect(session.events.some((e) => e.type === 'change.deployed')).toBe(false);
  });
});

describe('scoring the change window', () => {
  const score = (session: Session) => {
    session.runUntil(session.scenario.duration);
    return scoreLog(createHeader(session.scenario, session.seed, 'test', session.variation), session.events);
  };

  it('a reviewer who checks the stale source and denies prevents the incident, with credit and the friction it cost', () => {
    const session = started();
    session.submit(propose('api-v2'));
    session.runUntil(60_000);
    session.submit({ actor: 'alice', type: 'page-history', params: { page: 'old-howto' } });
    session.runUntil(120_000);
    session.submit(review('api-v2', 'deny'));
    const card = score(session);
    expect(card.prevented).toBe(true);
    expect(card.grade.score).toBe(100);
    expect(card.grade.components.find((c) => c.name === 'mitigate')?.detail).toBe('not needed: the incident was prevented');
    expect(card.conduct.verification.checkedRejections).toEqual([{ change: 'api-v2', by: 'alice', t: 120_000, page: 'old-howto', stale: true }]);
    expect(card.conduct.verification.friction).toEqual([
      expect.objectContaining({ kind: 'change', request: 'api-v2', requestedBy: 'bob', decidedBy: 'alice', ms: 120_000, verdict: 'denied', fault: 'api-bad-config', prevented: card.impact.untreated }),
    ]);
    expect(card.impact.untreated.lost).toBeGreaterThan(0);
  });

  it('an approval without a look at the cited page is a rubber stamp, and the unchecked stale answer acted on costs points', () => {
    const session = started();
    session.submit({ actor: 'bob', type: 'ask', params: { question: 'How do I turn on the flag in the api config?' } });
    session.submit(propose('api-v2'));
    session.submit(review('api-v2', 'approve'));
    const card = score(session);
    expect(card.prevented).toBe(false);
    expect(card.conduct.verification.rubberStamps).toEqual([{ change: 'api-v2', by: 'alice', t: 0, page: 'old-howto', stale: true }]);
    expect(card.conduct.verification.acts).toEqual([expect.objectContaining({ source: 'assistant', page: 'old-howto', stale: true, act: 'change:api-v2', by: 'bob', verified: false, how: null })]);
    expect(card.conduct.harmfulActions).toEqual([{ action: 'change:api-v2', by: 'bob', t: 0, fault: 'api-bad-config' }]);
    expect(card.wentBadly).toEqual(expect.arrayContaining([expect.stringMatching(/^alice approved the change api-v2 at 00:00:00 without opening its cited source, “How to turn on the flag”, a stale page: a rubber stamp\.$/)]));
  });

  it('a reviewer who read the page before approving is no rubber stamp, and the act counts as verified', () => {
    const session = started();
    session.submit({ actor: 'bob', type: 'ask', params: { question: 'How do I turn on the flag in the api config?' } });
    session.submit(propose('api-v2'));
    session.submit({ actor: 'alice', type: 'open-page', params: { page: 'old-howto' } });
    session.submit(review('api-v2', 'approve'));
    const card = score(session);
    expect(card.conduct.verification.rubberStamps).toEqual([]);
    expect(card.conduct.verification.acts[0]).toMatchObject({ verified: true, how: 'open-page' });
  });

  it("the on-call's push at the deadline is the untreated path, not a harmful act of the team's", () => {
    const card = score(started());
    expect(card.prevented).toBe(false);
    expect(card.conduct.harmfulActions).toEqual([]);
    expect(card.impact.avoidedShare).toBe(0);
  });
});

describe('validating a change window', () => {
  const load = (overrides: Record<string, unknown>) => {
    const base = tinyInput({ ...WINDOW, ...overrides });
    return loadScenarioText(stringify(base), 'window.yaml');
  };
  it('reports what a change, a page or the task names that does not exist, and a change fault that starts by itself', () => {
    const result = load({
      changes: [{ id: 'api-v2', service: 'apii', summary: 'x', fault: 'api-bad-config' }],
      faults: [{ id: 'api-bad-config', kind: 'config-deploy', target: 'api', at: '5m', for: '10m', effect: { errorRate: 0.9 } }],
      task: { title: 't', text: 't', deadline: '2h', pushes: 'api-v3' },
    });
    expect(result.ok).toBe(false);
    const messages = result.diagnostics.map((d) => `${d.path}: ${d.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^changes\[0\]\.service: unknown service "apii".*did you mean "api"/),
        expect.stringMatching(/^changes\[0\]\.fault: fault "api-bad-config" starts by itself at 5m/),
        expect.stringMatching(/^wiki\[1\]\.change: unknown change "api-safe"/),
        expect.stringMatching(/^task\.pushes: unknown change "api-v3"/),
        expect.stringMatching(/^task\.deadline: the task's deadline \(2h\) is not before the end of the drill \(1h\)/),
      ]),
    );
  });
  it('accepts the window as written', () => {
    const result = load({});
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});
