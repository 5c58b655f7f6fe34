/**
 * The assistant and the change window in the console's view-model (ui/src/change-window.ts, folded by
 * model.ts's applyEvent): answers, pages read by this console's person only, and every change with
 * its status, from hand-made events with exact expected results.
 */
import { describe, expect, it } from 'vitest';
import { createSession } from '../../engine/core/session.ts';
import { publicScenario } from '../../engine/core/read/visibility.ts';
import type { EngineEvent, EventOf, EventType, PayloadOf } from '../../engine/protocol/events.ts';
import type { WelcomeMessage } from '../../engine/protocol/messages.ts';
import { isMine, statusLabel, type ChangeView } from '../../ui/src/change-window.ts';
import { applyEvents, modelFromWelcome, type ViewModel } from '../../ui/src/model.ts';
import { loadScenario } from '../helpers.ts';

const scenario = loadScenario('retail-sev1');

function fresh(snapshot = createSession(scenario).snapshot()): ViewModel {
  const welcome: WelcomeMessage = {
    type: 'welcome',
    v: 1,
    sessionId: 's-test',
    role: 'responder',
    name: 'alice',
    participant: { id: 'p2', name: 'alice' },
    joinMode: 'code',
    scenario: publicScenario(scenario),
    snapshot,
    seq: -1,
    speed: 10,
    resumed: false,
  };
  return modelFromWelcome(welcome);
}

/** The first change of a model (each test has one). */
const first = (m: ViewModel): ChangeView => m.changes[0] as ChangeView;

let seq = 0;
const ev = <K extends EventType>(type: K, t: number, fields: PayloadOf<K>): EventOf<K> => ({ seq: seq++, t, type, ...fields }) as EventOf<K>;

const answer = ev('assistant.answered', 10_000, {
  inReplyTo: 3,
  by: 'bob',
  question: 'How do I apply the regional rounding rule?',
  page: 'pricing-rules-faq',
  title: 'Pricing rules FAQ',
  edited: '2023-11',
  text: 'Turn on the rule and push the config.',
  change: { id: 'regional-rounding-v2', service: 'pricing', summary: 'pricing-rules config v2' },
});
const proposed = ev('change.proposed', 20_000, { change: 'regional-rounding-v2', service: 'pricing', summary: 'pricing-rules config v2', by: 'bob', byId: 'p3', page: 'pricing-rules-faq', note: 'as the assistant says', review: true });
const history = (by: string) =>
  ev('page.history', 30_000, {
    by,
    page: 'pricing-rules-faq',
    title: 'Pricing rules FAQ',
    edited: '2023-11',
    history: [{ edited: '2021-04', summary: 'Page created', by: 'dchen' }],
    laterChanges: [{ date: '2025-06', summary: 'Pricing moved to the regional rules engine' }],
  });

describe('the change window in the view-model', () => {
  it('keeps every answer once, in the order asked, with the page it cites', () => {
    const m = applyEvents(fresh(), [answer, { ...answer }]);
    expect(m.answers).toEqual([
      {
        ask: 3,
        t: 10_000,
        by: 'bob',
        question: 'How do I apply the regional rounding rule?',
        page: 'pricing-rules-faq',
        title: 'Pricing rules FAQ',
        edited: '2023-11',
        text: 'Turn on the rule and push the config.',
        proposes: null,
        change: { id: 'regional-rounding-v2', service: 'pricing', summary: 'pricing-rules config v2' },
      },
    ]);
    expect(m.pages).toEqual({ 'pricing-rules-faq': { title: 'Pricing rules FAQ', edited: '2023-11' } });
  });

  it('shows a page only to the person who read it', () => {
    const byBob = applyEvents(fresh(), [history('bob')]);
    expect(byBob.reads).toEqual({});
    // Events fold in seq order: the history first, then the page.
    const checked = history('alice');
    const opened = ev('page.opened', 31_000, { by: 'alice', page: 'pricing-rules-faq', title: 'Pricing rules FAQ', edited: '2023-11', body: 'Regional rounding is a rule.' });
    const byAlice = applyEvents(fresh(), [checked, opened]);
    expect(byAlice.reads['pricing-rules-faq']).toEqual({
      page: 'pricing-rules-faq',
      title: 'Pricing rules FAQ',
      edited: '2023-11',
      body: 'Regional rounding is a rule.',
      history: [{ edited: '2021-04', summary: 'Page created', by: 'dchen' }],
      laterChanges: [{ date: '2025-06', summary: 'Pricing moved to the regional rules engine' }],
    });
  });

  it('follows a change from waiting for review to denied, with the reviewer and the reason', () => {
    const denied = ev('change.denied', 40_000, { change: 'regional-rounding-v2', by: 'alice', byId: 'p2', requestedBy: 'bob', requestedById: 'p3', reason: 'the page predates the move' });
    const waiting = applyEvents(fresh(), [proposed]);
    expect(waiting.changes).toMatchObject([{ key: 'regional-rounding-v2', status: 'pending', by: 'bob', byId: 'p3', page: 'pricing-rules-faq', note: 'as the assistant says', review: true, t: 20_000 }]);
    expect(statusLabel(first(waiting))).toBe('waiting for review');
    // alice (p2) did not propose it; bob's console (p3) would be told it is his.
    expect(isMine(first(waiting), waiting)).toBe(false);
    expect(isMine(first(waiting), { participantId: 'p3', name: 'bob' })).toBe(true);
    const m = applyEvents(waiting, [denied]);
    expect(m.changes).toMatchObject([{ status: 'denied', reviewedBy: 'alice', reason: 'the page predates the move', deployedAt: null }]);
    expect(statusLabel(first(m))).toBe('denied');
  });

  it('tells an approved deploy from one without review and from a plain deploy', () => {
    const approved: EngineEvent[] = [
      proposed,
      ev('change.approved', 41_000, { change: 'regional-rounding-v2', by: 'alice', requestedBy: 'bob' }),
      ev('change.deployed', 41_000, { service: 'pricing', summary: 'pricing-rules config v2', author: 'bob', change: 'regional-rounding-v2', approvedBy: 'alice' }),
    ];
    const a = applyEvents(fresh(), approved);
    expect(a.changes).toMatchObject([{ status: 'deployed', reviewedBy: 'alice', deployedAt: 41_000, bypassed: false }]);
    expect(statusLabel(first(a))).toBe('approved and deployed');

    // The on-call's push at the deadline: nobody proposed it, nobody reviewed it.
    const pushed = applyEvents(fresh(), [
      ev('task.due', 1_200_000, { title: 'Apply the rule', by: 'dana', pushed: 'regional-rounding-v2' }),
      ev('change.deployed', 1_200_000, { service: 'pricing', summary: 'pricing-rules config v2', author: 'dana', change: 'regional-rounding-v2', bypassed: true }),
    ]);
    expect(pushed.taskDue).toEqual({ by: 'dana', pushed: 'regional-rounding-v2' });
    expect(pushed.changes).toMatchObject([{ key: 'regional-rounding-v2', by: 'dana', status: 'deployed', bypassed: true, review: false }]);
    expect(statusLabel(first(pushed))).toBe('deployed without review');

    // A fault that is a config push: a plain deploy, keyed by its seq.
    const plain = ev('change.deployed', 300_000, { service: 'pricing', summary: 'pricing-rules v2', author: 'deploy-bot' });
    const p = applyEvents(fresh(), [plain, { ...plain }]);
    expect(p.changes).toMatchObject([{ key: `deploy@${plain.seq}`, change: null, by: 'deploy-bot', status: 'deployed', t: 300_000 }]);
    expect(statusLabel(first(p))).toBe('deployed');
  });

  it('starts from the snapshot, and the backlog fills in what the snapshot does not carry', () => {
    const snapshot = {
      ...createSession(scenario).snapshot(),
      changes: [{ change: 'regional-rounding-v2', service: 'pricing', summary: 'pricing-rules config v2', status: 'denied' as const, by: 'bob', byId: 'p3', proposedAt: 20_000, page: 'pricing-rules-faq', review: true }],
    };
    const start = fresh(snapshot);
    expect(start.changes).toMatchObject([{ key: 'regional-rounding-v2', status: 'denied', reviewedBy: null, note: null }]);
    const m = applyEvents(start, [proposed, ev('change.denied', 40_000, { change: 'regional-rounding-v2', by: 'alice', requestedBy: 'bob', reason: 'stale' })]);
    expect(m.changes).toHaveLength(1);
    expect(m.changes).toMatchObject([{ status: 'denied', reviewedBy: 'alice', reason: 'stale', note: 'as the assistant says' }]);
  });
});
