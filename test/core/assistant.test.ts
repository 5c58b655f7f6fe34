/**
 * The assistant's ground truth: wiki pages whose staleness is derived from dated architecture
 * changes, and a deterministic retrieval that ranks them against a question and what the responder
 * can see, put in front of responders by the `ask`, `open-page` and `page-history` commands.
 */
import { describe, expect, it } from 'vitest';
import { answer, rankPages, tokenize } from '../../engine/core/assistant/retrieve.ts';
import { stalenessOf, stalenessReason } from '../../engine/core/assistant/staleness.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { formatDiagnostic } from '../../engine/scenario/diagnostics.ts';
import { readFileSync } from 'node:fs';
import { ROOT, loadScenario, loadSpec, tinyScenario } from '../helpers.ts';
import type { EngineEvent } from '../../engine/protocol/events.ts';
import { createSession } from '../../engine/core/session.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import { createHeader, serializeLog } from '../../engine/core/log/log.ts';
import { replayLog } from '../../engine/core/log/replay.ts';
import { kindOf } from '../../engine/protocol/kinds.ts';
import { scoreLog } from '../../engine/score/scorecard.ts';
import { buildReport } from '../../engine/score/timeline.ts';
import { renderMarkdown } from '../../engine/score/report-markdown.ts';
import { renderHtml } from '../../engine/score/report-html.ts';

const retail = loadScenario('retail-sev1');
const page = (id: string) => {
  const found = retail.wiki.find((p) => p.id === id);
  if (!found) throw new Error(`no page ${id}`);
  return found;
};

describe('staleness, derived from dates', () => {
  it('a page edited before a change to one of its services is stale, and says which change', () => {
    const faq = stalenessOf(page('pricing-rules-faq'), retail.architecture);
    expect(faq.stale).toBe(true);
    expect(faq.since.map((c) => c.date)).toEqual(['2025-06']);
    expect(stalenessReason(page('account-stuck-session-cache'), retail.architecture)).toBe(
      '"Account service: stuck session cache" was last edited 2023-02, before this change to its services: 2024-03: Account pages no longer keep a session cache: sessions live in session-store.',
    );
    expect(stalenessOf(page('runbook-pricing-errors'), retail.architecture)).toEqual({ stale: false, since: [] });
    expect(stalenessReason(page('runbook-pricing-errors'), retail.architecture)).toBeNull();
  });

  it('compares months and days, and ignores changes to other services', () => {
    const change = (date: string, services = ['pricing']) => ({ date, summary: 'x', services });
    const at = (edited: string) => ({ edited, services: ['pricing'] });
    expect(stalenessOf(at('2025-06'), [change('2025-06')]).stale).toBe(false);
    expect(stalenessOf(at('2025-06'), [change('2025-06-02')]).stale).toBe(true);
    expect(stalenessOf(at('2025-06-15'), [change('2025-06')]).stale).toBe(false);
    expect(stalenessOf(at('2020-01'), [change('2025-06', ['auth'])]).stale).toBe(false);
    expect(stalenessOf(at('2020-01'), [change('2025-06'), change('2021-03')]).since.map((c) => c.date)).toEqual(['2021-03', '2025-06']);
  });
});

describe('retrieval', () => {
  it('tokenizes into lowercase word stems, stop words and single letters left out', () => {
    expect(tokenize('How do I enable the JPY rounding rule, quickly?')).toEqual(['enable', 'jpy', 'round', 'rule', 'quickly']);
  });

  it('gives fixed questions fixed rankings', () => {
    const ids = (question: string, extra: { service?: string; context?: string[] } = {}) => rankPages(retail.wiki, { question, ...extra }).map((r) => r.page);
    expect(ids('How do I enable regional rounding for JPY and EUR?')).toEqual(['pricing-rules-faq', 'account-stuck-session-cache', 'runbook-pricing-errors']);
    expect(ids('Why are account pages failing?')).toEqual(['account-stuck-session-cache', 'pricing-rules-faq', 'runbook-pricing-errors']);
    expect(ids('what should we do?', { context: ['Checkout errors > 5%', 'Pricing p99 > 600 ms'] })[0]).toBe('runbook-pricing-errors');
    // The same question, asked twice, ranks the same (and the scores are rounded, so float noise cannot reorder them).
    expect(rankPages(retail.wiki, { question: 'pricing errors' })).toEqual(rankPages(retail.wiki, { question: 'pricing errors' }));
  });

  it('breaks ties by page id, and ranks pages that share no word last', () => {
    const twin = { title: 'Same', body: 'same words here', services: ['pricing'] };
    const ranked = rankPages([{ id: 'b-page', ...twin }, { id: 'a-page', ...twin }, { id: 'c-page', title: 'Other', body: 'nothing alike', services: ['auth'] }], { question: 'same words' });
    expect(ranked.map((r) => r.page)).toEqual(['a-page', 'b-page', 'c-page']);
    expect(ranked[2]?.score).toBe(0);
  });

  it('answers from the best page with a citation and its proposal, never its staleness', () => {
    const reply = answer(retail.wiki, { question: 'Account pages are failing, is this a known issue?', service: 'account' });
    expect(reply).toEqual({
      page: 'account-stuck-session-cache',
      text:
        'According to the wiki page "Account service: stuck session cache" (last edited 2023-02): Account page errors (account pages failing for signed-in shoppers) are a known issue: the session cache is stuck, and its stale entries make the account service fail the request. Restart the account service to clear its session cache. Suggested action: restart account.',
      proposes: { type: 'restart', target: 'account' },
    });
    // Nothing of the architecture change that made the page wrong.
    expect(reply.text).not.toMatch(/2024-03|session-store|no longer/);
    expect(answer(retail.wiki, { question: 'zebra giraffe' })).toEqual({ page: null, text: 'I could not find anything about that in the wiki.' });
  });
});

describe('the validator', () => {
  const text = (wiki: string, architecture = '') => `id: w
title: W
briefing: b
duration: 1h
services:
  - { id: api, tier: critical, baseline: { latencyMs: 10 }, capacity: 100 }
journeys:
  - { id: j, name: J, entry: api, rps: 10, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 100 } }
faults:
  - { id: f, kind: noise, target: api, at: 1m, for: 1m, effect: { latencyMs: 1 } }
objectives: { ack: 5m, declare: 10m, mitigate: 30m, resolve: 45m }
wiki:
${wiki}
architecture:
${architecture || '  []'}
`;
  const problems = (t: string) => loadScenarioText(t, 'w.yaml').diagnostics.map((d) => formatDiagnostic(d));

  it('reports unknown services, a bad date, a history after the last edit, a duplicate page and a missing action', () => {
    expect(
      problems(
        text(
          [
            '  - { id: p, title: P, body: b, services: [apx], edited: 2024-13 }',
            '  - { id: q, title: Q, body: b, services: [api], edited: 2024-01, history: [{ edited: 2024-05, summary: s }], proposes: { type: restart, target: api } }',
            '  - { id: q, title: Q2, body: b, services: [api], edited: 2024-01 }',
          ].join('\n'),
          '  - { date: 2025-01, summary: s, services: [db] }',
        ),
      ),
    ).toEqual(['w.yaml:13:58: invalid value "2024-13": write a date as YYYY-MM or YYYY-MM-DD (at wiki[0].edited)']);
    expect(
      problems(
        text(
          [
            '  - { id: p, title: P, body: b, services: [apx], edited: 2024-12 }',
            '  - { id: q, title: Q, body: b, services: [api], edited: 2024-01, history: [{ edited: 2024-05, summary: s }], proposes: { type: restart, target: api } }',
            '  - { id: q, title: Q2, body: b, services: [api], edited: 2024-01 }',
          ].join('\n'),
          '  - { date: 2025-01, summary: s, services: [db] }',
        ),
      ),
    ).toEqual([
      'w.yaml:13:44: unknown service "apx" (did you mean "api"?) (at wiki[0].services[0])',
      'w.yaml:14:87: an earlier edit of wiki page "q" is dated 2024-05, after its last edit (2024-01) (at wiki[1].history[0].edited)',
      'w.yaml:14:121: warning: wiki page "q" proposes a restart of "api", which is not in "actions" (at wiki[1].proposes)',
      'w.yaml:15:11: duplicate wiki page id "q": already used by wiki[1] (at wiki[2].id)',
      'w.yaml:17:45: unknown service "db" (at architecture[0].services[0])',
    ]);
  });
});

describe('the commands: ask, open-page, page-history', () => {
  const session = () => {
    const s = createSession(loadSpec('retail-sev1'));
    s.submit({ actor: 'facilitator', type: 'start' });
    // Past the first page: account, checkout and product pages are failing.
    s.runUntil(12 * 60_000);
    return s;
  };

  it('answers a question in the log, citing a page and replying to the question by its seq', () => {
    const s = session();
    const asked = s.submit({ actor: 'bob', type: 'ask', params: { question: 'Account pages are failing. Is this a known issue?', service: 'account' } });
    expect(asked).toMatchObject({ ok: true });
    const reply = asked.events.find((e) => e.type === 'assistant.answered');
    expect(reply).toMatchObject({ inReplyTo: asked.seq, by: 'bob', page: 'account-stuck-session-cache', edited: '2023-02', proposes: { type: 'restart', target: 'account' } });
    // The answer is advice a responder sees; its staleness is nowhere in it.
    expect(reply && kindOf(reply)).toBe('advice');
    expect(JSON.stringify(reply)).not.toMatch(/2024-03|session-store|no longer/);
  });

  it('lets a responder check the source: the page, and the changes since its last edit', () => {
    const s = session();
    const opened = s.submit({ actor: 'bob', type: 'open-page', params: { page: 'account-stuck-session-cache' } });
    expect(opened.events.find((e) => e.type === 'page.opened')).toMatchObject({ by: 'bob', title: 'Account service: stuck session cache', edited: '2023-02' });
    const history = s.submit({ actor: 'bob', type: 'page-history', params: { page: 'account-stuck-session-cache' } });
    expect(history.events.find((e) => e.type === 'page.history')).toMatchObject({
      history: [{ edited: '2021-06', summary: 'Page created after the 2021 account outage', by: 'mlopez' }],
      laterChanges: [{ date: '2024-03', summary: 'Account pages no longer keep a session cache: sessions live in session-store.' }],
    });
    const current = s.submit({ actor: 'bob', type: 'page-history', params: { page: 'runbook-pricing-errors' } });
    expect(current.events.find((e) => e.type === 'page.history')).toMatchObject({ laterChanges: [] });
  });

  it('answers a vague question from what the responder sees: the recent change and the firing alerts', () => {
    const s = session();
    const asked = s.submit({ actor: 'bob', type: 'ask', params: { question: 'What should we do?' } });
    // The config push's change note cites the FAQ, and the FAQ is about pricing, which is paging.
    expect(asked.events.find((e) => e.type === 'assistant.answered')).toMatchObject({ page: 'pricing-rules-faq' });
    expect(rankPages(retail.wiki, { question: 'What should we do?' }).every((r) => r.score === 0)).toBe(true);
  });

  it('returns mistakes as data, and logs them', () => {
    const s = session();
    expect(s.submit({ actor: 'bob', type: 'open-page', params: { page: 'nope' } })).toMatchObject({ ok: false, code: 'unknown-page' });
    expect(s.submit({ actor: 'bob', type: 'page-history' })).toMatchObject({ ok: false, code: 'missing-param' });
    expect(s.submit({ actor: 'bob', type: 'ask', params: { question: '   ' } })).toMatchObject({ ok: false, code: 'bad-question' });
    expect(s.submit({ actor: 'bob', type: 'ask', params: { question: 'x'.repeat(501) } })).toMatchObject({ ok: false, code: 'bad-question' });
    expect(s.submit({ actor: 'bob', type: 'ask', params: { question: 'why?', service: 'nope' } })).toMatchObject({ ok: false, code: 'unknown-target' });
    expect(s.events.filter((e) => e.type === 'command' && !e.ok)).toHaveLength(5);
  });

  it('replays: the same questions give the same answers', () => {
    const run = runScenario(loadSpec('retail-sev1'), {
      seed: 3,
      until: 30 * 60_000,
      commands: [
        { after: { event: 'first-page', offset: 60_000 }, actor: 'bob', type: 'ask', params: { question: 'Account errors: known issue?', service: 'account' } },
        { after: { event: 'first-page', offset: 90_000 }, actor: 'bob', type: 'page-history', params: { page: 'account-stuck-session-cache' } },
      ],
    });
    const text = serializeLog(createHeader(run.scenario, run.seed, 'test', run.variation), run.events);
    expect(replayLog(text)).toEqual({ ok: true, events: run.events.length });
    expect(run.events.filter((e) => e.type === 'assistant.answered' || e.type === 'page.history')).toHaveLength(2);
  });
});

describe('conditional advice', () => {
  const withAdvice = (when: object, at = '2m') =>
    tinyScenario({
      advice: [{ id: 'hint', at, when, source: 'assistant', text: 'Restart web.', proposes: { type: 'restart', target: 'web' }, facilitator: { label: 'stale' } }],
    });
  const shown = (events: readonly EngineEvent[]) => events.filter((e) => e.type === 'advice.shown').map((e) => e.t);

  it('waits for its alert: from its time, it appears at the first tick the alert fires', () => {
    const run = runScenario(withAdvice({ alert: 'shop-errors' }), { until: 1_800_000 });
    const fired = run.events.find((e) => e.type === 'alert.firing' && e.alert === 'shop-errors')?.t;
    if (fired === undefined) throw new Error('the alert never fired');
    expect(fired).toBeGreaterThan(120_000);
    expect(shown(run.events)).toEqual([fired + run.tickMs]);
  });

  it('is not shown once the incident is mitigated: its moment has passed', () => {
    const fix = [
      { at: 390_000, actor: 'alice', type: 'ack' },
      { at: 390_000, actor: 'alice', type: 'rollback', target: 'api' },
      { at: 400_000, actor: 'bob', type: 'approve', params: { request: 'rollback:api' } },
    ];
    const late = runScenario(withAdvice({ beforeMitigation: true }, '40m'), { until: 3_000_000, commands: fix });
    expect(late.events.some((e) => e.type === 'incident.state' && e.to === 'mitigated')).toBe(true);
    expect(shown(late.events)).toEqual([]);
    // Without the condition, the same advice is shown at its time, fixed or not.
    expect(shown(runScenario(withAdvice({}, '40m'), { until: 3_000_000, commands: fix }).events)).toEqual([2_400_000]);
  });

  it('the validator names an unknown alert', () => {
    const text = readFileSync(`${ROOT}scenarios/retail-sev1.yaml`, 'utf8').replace('when: { alert: account-errors,', 'when: { alert: account-error,');
    expect(loadScenarioText(text, 'r.yaml').diagnostics.map((d) => d.message)).toEqual(['unknown alert "account-error" (did you mean "account-errors"?)']);
  });
});

describe('what the facilitator and the debrief see', () => {
  it('the facilitator view says which pages are stale, and why; the responders never do', () => {
    const s = createSession(loadSpec('retail-sev1'));
    expect(s.facilitatorView().wiki.map((p) => [p.page, p.stale])).toEqual([
      ['account-stuck-session-cache', true],
      ['pricing-rules-faq', true],
      ['runbook-pricing-errors', false],
    ]);
    expect(s.facilitatorView().wiki[1]?.reason).toMatch(/^"Pricing rules FAQ" was last edited 2023-11, before this change to its services: 2025-06: Pricing moved/);
    expect(JSON.stringify(s.snapshot())).not.toMatch(/stale|2025-06/);
  });

  it('the debrief shows each answer beside the page it cited, whether anyone checked it, and why it was stale', () => {
    const spec = loadSpec('retail-sev1');
    const run = runScenario(spec, {
      until: 40 * 60_000,
      commands: [
        { after: { event: 'first-page', offset: 30_000 }, actor: 'bob', type: 'ask', params: { question: 'Account pages failing: known issue?', service: 'account' } },
        { after: { event: 'first-page', offset: 60_000 }, actor: 'bob', type: 'page-history', params: { page: 'account-stuck-session-cache' } },
        { after: { event: 'first-page', offset: 90_000 }, actor: 'carol', type: 'ask', params: { question: 'How do we fix pricing errors?' } },
      ],
    });
    const header = createHeader(run.scenario, run.seed, 'test', run.variation);
    const card = scoreLog(header, run.events);
    const report = buildReport(header, run.events, card);
    expect(report.assistant.map((a) => [a.by, a.page, a.sourceChecked, a.staleBecause !== null])).toEqual([
      ['bob', 'account-stuck-session-cache', true, true],
      ['carol', 'runbook-pricing-errors', false, false],
    ]);
    const md = renderMarkdown(card, report);
    expect(md).toContain('### The assistant');
    expect(md).toMatch(/\| bob \| Account pages failing: known issue\? \| Account service: stuck session cache \(edited 2023-02\) \| `restart:account` \| yes \| "Account service: stuck session cache" was last edited 2023-02, before this change/);
    expect(renderHtml(card, report)).toContain('<h3>The assistant</h3>');
  });
});
