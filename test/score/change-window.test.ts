/**
 * The second flagship, retail-change-window, run three ways: the reference plan (the reviewer checks
 * the cited page's history and denies the change: no incident), the rubber stamp (approved unchecked:
 * the outage follows, and the report says why), and untreated (the on-call pushes the change at the
 * deadline: the six-hour outage). Then the same reference plan "before the policy", with friction off.
 */
import { describe, expect, it } from 'vitest';
import { createHeader } from '../../engine/core/log/log.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import { scoreLog } from '../../engine/score/scorecard.ts';
import { buildReport } from '../../engine/score/timeline.ts';
import { renderMarkdown } from '../../engine/score/report-markdown.ts';
import { renderHtml } from '../../engine/score/report-html.ts';
import { loadPlanCommands, loadSpec } from '../helpers.ts';
import { scoredRun } from './runs.ts';

const HOUR = 3_600_000;

describe('retail-change-window', () => {
  it('reference: the change is denied after its page history was checked; nothing pages and the score is at least 90', () => {
    const { card, events } = scoredRun('retail-change-window');
    expect(card.grade.score).toBeGreaterThanOrEqual(90);
    expect(card.prevented).toBe(true);
    expect(card.milestones.detected).toBeNull();
    expect(card.impact.avoidedShare).toBeGreaterThan(0.999);
    const history = events.find((e) => e.type === 'page.history' && e.page === 'pricing-rules-faq');
    const denied = events.find((e) => e.type === 'change.denied' && e.change === 'regional-rounding-v2');
    expect(history && denied && history.seq < denied.seq).toBe(true);
    expect(history?.type === 'page.history' && history.laterChanges.map((c) => c.date)).toEqual(['2025-06']);
    expect(card.conduct.verification.checkedRejections).toEqual([expect.objectContaining({ change: 'regional-rounding-v2', by: 'alice', stale: true })]);
    // The safe change went out, reviewed by the other person after they read its page.
    expect(events.find((e) => e.type === 'change.deployed')).toMatchObject({ change: 'regional-rounding-engine', approvedBy: 'bob' });
    const review = card.conduct.verification.friction.find((f) => f.request === 'regional-rounding-v2');
    expect(review).toMatchObject({ verdict: 'denied', ms: 120_000, prevented: card.impact.untreated });
    expect(card.wentWell).toEqual(expect.arrayContaining([expect.stringMatching(/^Prevented the incident: in the untreated run it cost \$[\d,]+/)]));
  });

  it('rubber stamp: approved without opening the source, the outage follows, the score is at most 60, and the report names the unverified approval and the stale citation', () => {
    const run = scoredRun('retail-change-window.rubber-stamp');
    const { card } = run;
    expect(card.grade.score).toBeLessThanOrEqual(60);
    expect(card.prevented).toBe(false);
    expect(card.milestones.detected).not.toBeNull();
    expect(card.conduct.verification.rubberStamps).toEqual([expect.objectContaining({ change: 'regional-rounding-v2', by: 'alice', page: 'pricing-rules-faq', stale: true })]);
    expect(card.conduct.harmfulActions.map((h) => h.action)).toContain('change:regional-rounding-v2');
    const report = renderMarkdown(card, buildReport(run.header, run.events, card));
    expect(report).toContain('alice approved the change regional-rounding-v2 at 00:02:30 without opening its cited source, “Pricing rules FAQ”, a stale page: a rubber stamp.');
    expect(report).toMatch(/bob acted on the assistant's answer citing “Pricing rules FAQ” \(last edited 2023-11\) without checking it \(the change regional-rounding-v2 at 00:02:30\)\. The page was stale: "Pricing rules FAQ" was last edited 2023-11, before this change to its services: 2025-06: Pricing moved to the regional rules engine/);
    expect(report).toContain('| change regional-rounding-v2 | bob | 00:02:00 | approved | alice | 0.5 min | no: a rubber stamp | — |');
    const html = renderHtml(card, buildReport(run.header, run.events, card));
    expect(html).toContain('no: a rubber stamp');
  });

  it('untreated: the on-call pushes the change at the deadline and the outage lasts the six hours to the horizon', () => {
    const { card, events } = scoredRun('retail-change-window.untreated');
    expect(events.find((e) => e.type === 'task.due')).toMatchObject({ t: 20 * 60_000, by: 'dana', pushed: 'regional-rounding-v2' });
    expect(card.milestones.started).toBe(20 * 60_000);
    expect(card.milestones.mitigated).toBeNull();
    expect(card.horizon - (card.milestones.impactStart ?? 0)).toBeGreaterThan(5.9 * HOUR);
    expect(card.conduct.harmfulActions).toEqual([]);
    expect(card.impact.avoidedShare).toBe(0);
  });

  it('before the policy (friction off), the same reference plan deploys the proposal at once, and the incident follows', () => {
    const spec = { ...loadSpec('retail-change-window'), controlledFriction: 'off' as const };
    const session = runScenario(spec, { commands: loadPlanCommands('retail-change-window') });
    const card = scoreLog(createHeader(session.scenario, session.seed, 'test', session.variation), session.events);
    expect(session.events.find((e) => e.type === 'change.proposed')).toMatchObject({ change: 'regional-rounding-v2', review: false });
    expect(session.events.filter((e) => e.type === 'command' && !e.ok).map((e) => e.type === 'command' && e.code)).toContain('not-pending');
    expect(card.prevented).toBe(false);
    expect(card.milestones.detected).not.toBeNull();
    expect(card.grade.score).toBeLessThan(scoredRun('retail-change-window').card.grade.score - 30);
  });
});
