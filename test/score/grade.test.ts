/** Unit tests of the scoring formulas, with exact values. */
import { describe, expect, it } from 'vitest';
import { createHeader } from '../../engine/core/log/log.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import { availabilityOf, combineAvailability } from '../../engine/score/availability.ts';
import { CONDUCT_PENALTIES, conductValue, timeValue } from '../../engine/score/grade.ts';
import { scoreLog } from '../../engine/score/scorecard.ts';
import { at, tinyScenario } from '../helpers.ts';

describe('timeValue', () => {
  it.each([
    [null, 300_000, 0],
    [0, 300_000, 1],
    [300_000, 300_000, 1],
    [450_000, 300_000, 0.75],
    [600_000, 300_000, 0.5],
    [900_000, 300_000, 0],
    [2_000_000, 300_000, 0],
  ])('%s against %s → %s', (actual, objective, expected) => {
    expect(timeValue(actual, objective)).toBeCloseTo(expected, 10);
  });
});

describe('scorecard of the tiny scenario', () => {
  const scenario = tinyScenario();
  const score = (commands: NonNullable<Parameters<typeof runScenario>[1]>['commands']) => {
    const session = runScenario(scenario, { commands: commands ?? [], until: 1_800_000 });
    return scoreLog(createHeader(scenario, session.seed, 'test'), session.events);
  };
  const good = score([
    at(6.5, 'ana', 'ack'),
    at(6.5, 'ana', 'assign-role', undefined, { role: 'ic' }),
    at(6.5, 'ben', 'assign-role', undefined, { role: 'ops' }),
    at(6.5, 'cy', 'assign-role', undefined, { role: 'comms' }),
    at(7, 'ana', 'declare', undefined, { severity: 1 }),
    at(7, 'cy', 'status-update', undefined, { message: 'investigating' }),
    at(7, 'ben', 'diagnose', 'api'),
    at(8, 'ben', 'rollback', 'api'),
    at(8, 'ana', 'approve', undefined, { request: 'rollback:api' }),
    // Mitigated only once every journey has held its SLO for objectives.stable (5 minutes) after 10:50.
    at(16, 'ana', 'resolve'),
    at(16, 'cy', 'status-update', undefined, { message: 'resolved' }),
  ]);

  it('measures milestones from the ground truth', () => {
    expect(good.milestones).toMatchObject({ started: 300_000, impactStart: 300_000, detected: 360_000, acknowledged: 390_000, declared: 420_000, identified: 420_000, mitigated: 650_000, resolved: 960_000 });
    expect(good.durations).toEqual({ timeToAcknowledge: 30_000, timeToDeclare: 120_000, timeToDiagnose: 120_000, timeToMitigate: 350_000, timeToResolve: 660_000 });
  });

  it('gives full marks for conduct and times, and counts the impact avoided', () => {
    expect(good.conduct.badAdviceFollowed).toEqual([]);
    expect(good.conduct.statusUpdates.gaps).toEqual([]);
    expect(good.grade.components.filter((c) => c.name !== 'impact').every((c) => c.value === 1)).toBe(true);
    const impact = good.grade.components.find((c) => c.name === 'impact');
    expect(impact?.value).toBeCloseTo(1 - good.impact.lost / good.impact.untreated.lost, 4);
    expect(good.impact.untreated.lost).toBeGreaterThan(good.impact.lost * 4);
  });

  it('an absent response scores only what it cannot lose', () => {
    const none = score([]);
    expect(none.durations.timeToAcknowledge).toBeNull();
    expect(none.impact.avoidedShare).toBe(0);
    // Never declared (wrong severity), no roles, and one long silence since the page.
    expect(none.conduct.statusUpdates.gaps).toEqual([{ from: 360_000, to: 1_790_000, ms: 1_430_000 }]);
    const expected = 1 - CONDUCT_PENALTIES.wrongSeverity - 3 * CONDUCT_PENALTIES.roleUnfilled - CONDUCT_PENALTIES.statusGap;
    expect(none.grade.components.find((c) => c.name === 'conduct')?.value).toBeCloseTo(expected, 10);
    expect(none.grade.score).toBeLessThan(good.grade.score);
    expect(none.wentBadly).toContain('Never declared a severity.');
  });

  it('penalises bypassed approvals and status gaps', () => {
    const rushed = score([at(6.5, 'ana', 'ack'), at(7, 'ana', 'rollback', 'api', { breakGlass: true })]);
    expect(rushed.conduct.approvalsBypassed).toHaveLength(1);
    expect(rushed.conduct.statusUpdates.gaps.length).toBeGreaterThan(0);
    expect(conductValue(rushed.conduct)).toBeLessThan(conductValue(good.conduct));
  });
});

describe('availability', () => {
  it('is the share of requests that did not fail, over runs', () => {
    const a = { requests: 1000, failed: 10, availability: 0.99 };
    const b = { requests: 3000, failed: 0, availability: 1 };
    expect(combineAvailability([a, b])).toEqual({ requests: 4000, failed: 10, availability: 0.9975 });
    const session = runScenario(tinyScenario(), { until: 900_000 });
    const measured = availabilityOf(session.events);
    expect(measured.requests).toBeGreaterThan(170_000);
    expect(measured.availability).toBeLessThan(0.6);
  });
});
