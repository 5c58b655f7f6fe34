/**
 * Golden scorecards: for each shipped scenario's reference plan, for a deliberately bad plan for
 * retail-sev1 (test/fixtures/plans/retail-sev1.bad.plan.yaml), and for retail-change-window's rubber
 * stamp and untreated runs, the grade (score and every component)
 * and the key durations are pinned in test/fixtures/golden/<name>.scorecard.json. A change to the
 * scoring must update them on purpose: UPDATE_GOLDEN=1 npx vitest run test/score/golden.test.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoreLog, type Scorecard } from '../../engine/score/scorecard.ts';
import { buildReport } from '../../engine/score/timeline.ts';
import { ROOT } from '../helpers.ts';
import { scoredRun } from './runs.ts';

const ids = readdirSync(`${ROOT}scenarios`).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
const names = [...ids, 'retail-sev1.bad', 'retail-change-window.rubber-stamp', 'retail-change-window.untreated'];

/** What a golden file pins: the grade, the durations and milestones, the impact and a summary of conduct. */
function pinned(card: Scorecard) {
  const c = card.conduct;
  return {
    score: card.grade.score,
    components: card.grade.components.map((g) => ({ name: g.name, weight: g.weight, value: g.value, points: g.points })),
    durations: card.durations,
    milestones: card.milestones,
    impact: { failed: card.impact.failed, lost: card.impact.lost, untreated: card.impact.untreated, avoidedShare: card.impact.avoidedShare },
    conduct: {
      badAdviceFollowed: c.badAdviceFollowed.map((a) => `${a.label}:${a.advice}`),
      goodAdviceFollowed: c.goodAdviceFollowed.map((a) => a.advice),
      harmfulActions: c.harmfulActions.map((h) => `${h.action}→${h.fault}`),
      approvalsBypassed: c.approvalsBypassed.length,
      statusUpdates: c.statusUpdates.count,
      statusGaps: c.statusUpdates.gaps.length,
      rolesUnfilled: c.roles.filter((r) => r.person === null).map((r) => r.role),
      severity: c.severity,
      verification: {
        acts: c.verification.acts.map((a) => `${a.act}:${a.stale ? 'stale' : 'current'}:${a.verified ? (a.how ?? '') : 'unchecked'}`),
        rubberStamps: c.verification.rubberStamps.map((r) => `${r.change} by ${r.by}`),
        checkedRejections: c.verification.checkedRejections.map((r) => `${r.change} by ${r.by}`),
        friction: c.verification.friction.map((f) => `${f.kind} ${f.request}: ${f.verdict} in ${f.ms} ms${f.prevented ? `, prevented ${f.prevented.lost}` : ''}`),
      },
    },
    prevented: card.prevented,
  };
}

describe('golden scorecards', () => {
  it.each(names)('%s', (name) => {
    const file = `${ROOT}test/fixtures/golden/${name}.scorecard.json`;
    const actual = pinned(scoredRun(name).card);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
      if (process.env.CI) throw new Error(`missing golden file ${file}: run UPDATE_GOLDEN=1 locally`);
      writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
    }
    expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  it.each(ids)('the reference plan for %s is graded well and conducted cleanly', (id) => {
    const { card } = scoredRun(id);
    expect(card.grade.score).toBeGreaterThanOrEqual(90);
    expect(card.conduct.badAdviceFollowed).toEqual([]);
    expect(card.conduct.harmfulActions).toEqual([]);
    expect(card.conduct.approvalsBypassed).toEqual([]);
    expect(card.conduct.statusUpdates.gaps).toEqual([]);
    expect(card.conduct.verification.rubberStamps).toEqual([]);
    // A change window's reference plan stops the incident: nothing pages, so there are no roles or severity to judge.
    if (!card.conduct.paged) {
      expect(card.prevented).toBe(true);
      return;
    }
    expect(card.conduct.roles.every((r) => r.person !== null)).toBe(true);
    expect(card.conduct.severity.correct).toBe(true);
  });
});

describe('the bad plan for retail-sev1', () => {
  const good = scoredRun('retail-sev1').card;
  const bad = scoredRun('retail-sev1.bad').card;

  it('scores lower than the reference plan, on every component but impact-free ones it cannot lose', () => {
    expect(bad.grade.score).toBeLessThan(good.grade.score);
    expect(bad.grade.score).toBeLessThan(70);
    const value = (card: Scorecard, name: string) => card.grade.components.find((c) => c.name === name)?.value;
    for (const name of ['acknowledge', 'declare', 'diagnose', 'mitigate', 'resolve', 'impact', 'conduct']) {
      expect(value(bad, name), name).toBeLessThan(value(good, name) as number);
    }
  });

  it('acknowledged late: the page fired at 00:09:20, the ack came at 00:16:00, past the 5-minute objective', () => {
    expect(bad.milestones.detected).toBe(560_000);
    expect(bad.milestones.acknowledged).toBe(960_000);
    expect(bad.durations.timeToAcknowledge).toBeGreaterThan(bad.objectives.ack as number);
    expect(bad.wentBadly).toContain('Acknowledged the page in 6.7 min, past the 5.0 min objective.');
  });

  it('followed the stale and the harmful advice, and set off both traps', () => {
    expect(bad.conduct.badAdviceFollowed.map((a) => [a.label, a.advice, a.action])).toEqual([
      ['stale', 'assistant-restart-account', 'restart:account'],
      ['harmful', 'colleague-flush-cache', 'cache-flush:pricing'],
    ]);
    expect(bad.conduct.harmfulActions.map((h) => h.fault)).toEqual(['login-herd', 'price-cache-stampede']);
    expect(bad.wentBadly).toEqual(
      expect.arrayContaining([
        // Advice by its title and actions in their buttons' words, as the console shows them.
        expect.stringMatching(/^Followed stale advice “Account errors: known issue\?” \(restart Account pages\)/),
        expect.stringMatching(/^Followed harmful advice “Try a cache flush\?” \(flush Pricing's cache\)/),
        expect.stringMatching(/^Restart Account pages by alice .* set off login-herd\.$/),
        expect.stringMatching(/^Flush Pricing's cache by alice .* set off price-cache-stampede\.$/),
      ]),
    );
  });

  it('posted no status update, filled no role and declared the wrong severity', () => {
    expect(bad.conduct.statusUpdates.count).toBe(0);
    expect(bad.conduct.statusUpdates.gaps).toEqual([{ from: 560_000, to: 3_900_000, ms: 3_340_000 }]);
    expect(bad.conduct.roles.map((r) => r.person)).toEqual([null, null, null]);
    expect(bad.conduct.severity).toMatchObject({ declared: 2, highest: 2, expected: 1, correct: false });
    expect(bad.wentBadly).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^1 gap\(s\) longer than 20\.0 min between status updates/),
        'Roles never filled: ic, comms, ops.',
        'Declared Sev 2; this incident was a Sev 1.',
      ]),
    );
    expect(bad.grade.components.find((c) => c.name === 'conduct')?.detail).toBe(
      '2 bad advice followed, 2 harmful actions, 0 approvals bypassed, 1 status-update gaps, 3 roles unfilled, severity Sev 2 (expected Sev 1), 1 stale answers acted on unchecked',
    );
  });

  it('rolled back late, through a second approver after a rejected self-approval', () => {
    expect(bad.conduct.approvalsBypassed).toEqual([]);
    expect(bad.conduct.rejectedCommands).toBe(1);
    expect(bad.durations.timeToMitigate).toBeGreaterThan(bad.objectives.mitigate as number);
    expect(bad.wentBadly).toContain('Never diagnosed the root-cause service (objective 15.0 min).');
  });
});

describe('scoring is a pure function of the log', () => {
  it('the same input twice in-process gives deep-equal scorecards and reports', () => {
    const { header, events, card } = scoredRun('retail-sev1.bad');
    const again = scoreLog(header, events);
    expect(again).toEqual(card);
    expect(buildReport(header, events, again)).toEqual(buildReport(header, events, card));
  });

  it('two child processes scoring the same log print the same bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sevdrill-score-'));
    const log = join(dir, 'bad.jsonl');
    writeFileSync(log, scoredRun('retail-sev1.bad').log);
    const score = () => spawnSync(process.execPath, ['bin/sevdrill.mjs', 'score', log, '--format', 'json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const [a, b] = [score(), score()];
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(1000);
    expect(b.stdout).toBe(a.stdout);
    const parsed = JSON.parse(a.stdout);
    expect(parsed.format).toBe('sevdrill-report');
    expect(parsed.scorecard).toEqual(JSON.parse(JSON.stringify(scoredRun('retail-sev1.bad').card)));
  });
});
