/** One line per fact (engine/protocol/restated.ts): a command and the result that says it again are one line. */
import { describe as group, expect, it } from 'vitest';
import { describe } from '../../engine/protocol/describe.ts';
import type { EngineEvent, EventOf } from '../../engine/protocol/events.ts';
import { isRestatedByResult, isToldByCommand, oneLinePerFact } from '../../engine/protocol/restated.ts';
import { scoredRun } from '../score/runs.ts';

const t = 60_000;
let seq = 0;
const at = <E extends Omit<EngineEvent, 'seq' | 't'>>(e: E, when = t) => ({ seq: seq++, t: when, ...e }) as unknown as EngineEvent;
const command = (actor: string, name: string, rest: Partial<EventOf<'command'>> = {}) => at({ type: 'command', actor, command: name, ok: true, ...rest });

/** Each command type with the result the engine logs for it (engine/core/rules/*.ts). */
const PAIRS: [string, EngineEvent, EngineEvent[]][] = [
  ['start', command('facilitator', 'start'), [at({ type: 'drill.state', from: 'ready', to: 'running', by: 'facilitator' })]],
  ['end', command('facilitator', 'end'), [at({ type: 'drill.state', from: 'running', to: 'ended', by: 'facilitator', reason: 'facilitator' })]],
  ['inject', command('facilitator', 'inject', { params: { fault: 'f1' } }), [at({ type: 'fault.started', fault: 'f1', kind: 'code-deploy', target: 'pricing', injectedBy: 'facilitator' })]],
  ['declare', command('alice', 'declare', { params: { severity: 1 } }), [at({ type: 'incident.state', from: 'acknowledged', to: 'declared', severity: 1, by: 'alice' })]],
  ['re-declare', command('alice', 'declare', { params: { severity: 2 } }), [at({ type: 'incident.severity', from: 1, to: 2, by: 'alice' })]],
  ['resolve', command('alice', 'resolve'), [at({ type: 'incident.state', from: 'mitigated', to: 'resolved', severity: 1, by: 'alice' })]],
  ['assign-role', command('alice', 'assign-role', { params: { role: 'ic' } }), [at({ type: 'incident.role', role: 'ic', person: 'alice', by: 'alice' })]],
  ['status-update', command('carol', 'status-update', { params: { message: 'Checkout failing.' } }), [at({ type: 'status.posted', by: 'carol', message: 'Checkout failing.', severity: 1 })]],
  ['diagnose', command('bob', 'diagnose', { target: 'pricing' }), [at({ type: 'diagnosis', by: 'bob', target: 'pricing', lines: [], errorRate: 0.4, p99Ms: 900, saturation: 0.5 })]],
  [
    'approve',
    command('alice', 'approve', { params: { request: 'rollback:pricing' } }),
    [
      at({ type: 'approval.granted', request: 'rollback:pricing', by: 'alice', requestedBy: 'bob' }),
      at({ type: 'action.started', action: 'rollback:pricing', kind: 'rollback', target: 'pricing', by: 'bob', duration: 90_000 }),
    ],
  ],
  ['deny', command('alice', 'deny', { params: { request: 'rollback:pricing' } }), [at({ type: 'approval.denied', request: 'rollback:pricing', by: 'alice', requestedBy: 'bob' })]],
  ['revert', command('bob', 'revert', { params: { action: 'breaker:checkout' } }), [at({ type: 'action.reverted', action: 'breaker:checkout', kind: 'breaker', target: 'checkout', by: 'bob' })]],
  [
    'ask',
    command('bob', 'ask', { params: { question: 'Why?' } }),
    [at({ type: 'assistant.answered', inReplyTo: 99, by: 'bob', question: 'Why?', page: null, text: 'No idea.' })],
  ],
  ['open-page', command('alice', 'open-page', { params: { page: 'faq' } }), [at({ type: 'page.opened', by: 'alice', page: 'faq', title: 'FAQ', edited: '2023-11', body: '' })]],
  ['page-history', command('alice', 'page-history', { params: { page: 'faq' } }), [at({ type: 'page.history', by: 'alice', page: 'faq', title: 'FAQ', edited: '2023-11', history: [], laterChanges: [] })]],
  ['propose-change', command('bob', 'propose-change', { params: { change: 'c1' } }), [at({ type: 'change.proposed', change: 'c1', service: 'pricing', summary: 's', by: 'bob', review: true })]],
  ['review-change', command('alice', 'review-change', { params: { change: 'c1', verdict: 'deny' } }), [at({ type: 'change.denied', change: 'c1', by: 'alice', requestedBy: 'bob' })]],
  ['an action', command('bob', 'restart', { target: 'db' }), [at({ type: 'action.started', action: 'restart:db', kind: 'restart', target: 'db', by: 'bob', duration: 30_000 })]],
  ['an action held for approval', command('bob', 'rollback', { target: 'pricing' }), [at({ type: 'approval.requested', request: 'rollback:pricing', action: 'rollback', target: 'pricing', by: 'bob' })]],
];

group('isRestatedByResult', () => {
  it.each(PAIRS)('drops an accepted %s command: its result says it', (_name, c, results) => {
    expect(isRestatedByResult(c, results)).toBe(true);
    expect(oneLinePerFact([c, ...results])).toEqual(results);
  });

  it('keeps a rejected command: it is the one line for its fact', () => {
    const c = command('bob', 'approve', { params: { request: 'rollback:pricing' }, ok: false, code: 'self-approval', message: 'a second person must approve this request; you asked for it' });
    expect(isRestatedByResult(c, [])).toBe(false);
    expect(oneLinePerFact([c]).map((e) => describe(e))).toEqual([
      'bob tried to approve “Roll back pricing”: rejected with self-approval (a second person must approve this request; you asked for it).',
    ]);
  });

  it('keeps a command whose result is not among the events (filtered out) or is someone else\'s', () => {
    const ask = command('bob', 'ask', { params: { question: 'Why?' } });
    expect(isRestatedByResult(ask, [])).toBe(false);
    const role = command('alice', 'assign-role', { params: { role: 'ic' } });
    expect(isRestatedByResult(role, [at({ type: 'incident.role', role: 'ic', person: 'bob', by: 'bob' })])).toBe(false);
  });

  it('looks only at the command\'s own run: not past the next command, nor at a later time', () => {
    const c = command('alice', 'status-update', { params: { message: 'hi' } });
    const next = command('alice', 'status-update', { params: { message: 'again' } });
    const posted = at({ type: 'status.posted', by: 'alice', message: 'again', severity: null });
    expect(isRestatedByResult(c, [next, posted])).toBe(false);
    expect(isRestatedByResult(c, [at({ type: 'status.posted', by: 'alice', message: 'hi', severity: null }, t + 1000)])).toBe(false);
  });

  it('keeps "alice acknowledged the page" and drops the bare "Incident acknowledged" after it', () => {
    const ack = command('alice', 'ack');
    const moved = at({ type: 'incident.state', from: 'detected', to: 'acknowledged', severity: null });
    expect(isRestatedByResult(ack, [moved])).toBe(false);
    expect(isToldByCommand(moved, [ack])).toBe(true);
    expect(oneLinePerFact([ack, moved]).map((e) => describe(e))).toEqual(['alice acknowledged the page.']);
    // Without the command before it (it was filtered out), the result is the line.
    expect(oneLinePerFact([moved])).toEqual([moved]);
  });
});

group('oneLinePerFact on real runs', () => {
  it.each(['retail-sev1', 'retail-sev1.bad', 'retail-change-window', 'retail-change-window.rubber-stamp', 'checkout-retry-storm', 'order-pipeline', 'auth-cert-expiry'])(
    '%s: every fact once; no accepted command but an acknowledgement is left beside its result',
    (name) => {
      const { events } = scoredRun(name);
      const lines = oneLinePerFact(events);
      const commands = events.filter((e): e is EventOf<'command'> => e.type === 'command');
      expect(commands.length).toBeGreaterThan(0);
      const kept = lines.filter((e): e is EventOf<'command'> => e.type === 'command');
      // Accepted commands that stay: acknowledgements (their result names nobody); rejected ones all stay.
      expect(kept.filter((c) => c.ok).map((c) => c.command).filter((c) => c !== 'ack')).toEqual([]);
      expect(kept.filter((c) => !c.ok)).toEqual(commands.filter((c) => !c.ok));
      // Nothing but commands and bare acknowledgements is dropped.
      const dropped = events.filter((e) => !lines.includes(e));
      for (const e of dropped) expect(e.type === 'command' || (e.type === 'incident.state' && e.to === 'acknowledged')).toBe(true);
      // And the sentences: no line says the same as the line before it at the same time.
      const sentences = lines.map((e) => `${e.t} ${describe(e)}`);
      expect(new Set(sentences).size).toBe(sentences.length);
    },
  );
});
