/**
 * A score a team can trust (engine/score/impact.ts, scorecard.ts): impact and mitigation are measured
 * to the scenario's full duration whenever the facilitator ended the drill, and a journey whose
 * requests failed more often than with nobody responding earns no credit.
 */
import { describe, expect, it } from 'vitest';
import { createHeader } from '../../engine/core/log/log.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import type { EngineEvent } from '../../engine/protocol/events.ts';
import { measureImpact } from '../../engine/score/impact.ts';
import { scoreLog } from '../../engine/score/scorecard.ts';
import { loadPlan, loadScenario, tinyScenario } from '../helpers.ts';

describe('the score does not depend on when the drill ended', () => {
  const scenario = loadScenario('retail-sev1');
  const plan = loadPlan('retail-sev1');
  const scoreUntil = (until?: number) => {
    const session = runScenario(scenario, { commands: plan, ...(until === undefined ? {} : { until }) });
    return scoreLog(createHeader(scenario, session.seed, 'test'), session.events);
  };
  const full = scoreUntil();
  const at30m = scoreUntil(30 * 60_000);
  const at2h = scoreUntil(2 * 3_600_000);

  it('gives the reference plan the same score ended at 30 minutes, 2 hours or the full 6 hours', () => {
    expect(full.endedAt).toBe(scenario.duration);
    expect(at30m.endedAt).toBeLessThanOrEqual(30 * 60_000);
    for (const card of [at30m, at2h]) {
      expect(card.horizon).toBe(scenario.duration);
      expect(Math.abs(card.grade.score - full.grade.score)).toBeLessThanOrEqual(0.5);
      expect(card.impact.untreated).toEqual(full.impact.untreated);
      expect(card.milestones.mitigated).toBe(full.milestones.mitigated);
    }
    expect(full.grade.score).toBe(99.6);
  });

  it('counts the loss an outage would still have caused after an early End', () => {
    // Ended at 12 minutes, before anyone fixed anything: the untreated outage runs on to 6 hours in
    // both runs, so almost nothing was avoided, and mitigation never came.
    const session = runScenario(scenario, { commands: plan, until: 12 * 60_000 });
    const early = scoreLog(createHeader(scenario, session.seed, 'test'), session.events);
    expect(early.milestones.mitigated).toBeNull();
    expect(early.impact.avoidedShare).toBeLessThan(0.05);
    expect(early.impact.lost).toBeGreaterThan(full.impact.lost * 10);
  });
});

describe('identified', () => {
  it('counts only once the root-cause fault is active', () => {
    // The root cause (api's bad deploy) starts at 20:00; a diagnose of api at 8:00 is a lucky guess.
    const scenario = tinyScenario({
      faults: [{ id: 'api-bad-deploy', kind: 'code-deploy', target: 'api', at: '20m', effect: { errorRate: 0.9 }, rootCause: true }],
    });
    const card = (minutes: number[]) => {
      const commands = minutes.map((m) => ({ at: m * 60_000, actor: 'ana', type: 'diagnose', target: 'api' }));
      const session = runScenario(scenario, { commands, until: 30 * 60_000 });
      return scoreLog(createHeader(scenario, session.seed, 'test'), session.events).milestones;
    };
    expect(card([8])).toMatchObject({ started: 1_200_000, identified: null });
    expect(card([8, 21])).toMatchObject({ started: 1_200_000, identified: 1_260_000 });
  });
});

describe('credit per journey', () => {
  const scenario = tinyScenario({
    services: [
      { id: 'web', tier: 'critical', baseline: { latencyMs: 20 }, capacity: 1000, dependencies: [] },
      { id: 'api', tier: 'critical', baseline: { latencyMs: 10 }, capacity: 1000, dependencies: [] },
    ],
    journeys: [
      { id: 'shop', name: 'Shop', entry: 'web', rps: 10, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 1000 } },
      { id: 'pay', name: 'Pay', entry: 'api', rps: 10, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 1000 } },
    ],
    actions: [{ type: 'rollback', target: 'api', resolves: ['api-bad-deploy'] }],
  });
  const header = createHeader(scenario, 1, 'test');
  /** One impact summary, as the engine writes them each minute. */
  const minute = (shop: [number, number], pay: [number, number]): EngineEvent => ({
    seq: 0,
    t: 60_000,
    type: 'impact.minute',
    minute: 0,
    journeys: {
      shop: { requests: 600, failed: shop[0], degraded: 0, lost: shop[1], badSec: 0 },
      pay: { requests: 600, failed: pay[0], degraded: 0, lost: pay[1], badSec: 0 },
    },
    total: { failed: shop[0] + pay[0], lost: shop[1] + pay[1] },
  });

  it('gives none to a journey whose requests failed more often than untreated, whatever its money says', () => {
    const untreated = [minute([100, 1000], [10, 100])];
    // pay failed five times as many requests, though they were cheaper ones: it counts as its untreated loss.
    const impact = measureImpact(header, { treated: [minute([10, 100], [50, 50])], untreated });
    expect(impact.noCredit).toEqual(['pay']);
    expect(impact.avoidedShare).toBeCloseTo(1 - (100 + 100) / 1100, 4);
    // Failing fewer of its requests, the same plan gets pay's money back.
    const fair = measureImpact(header, { treated: [minute([10, 100], [5, 50])], untreated });
    expect(fair.noCredit).toEqual([]);
    expect(fair.avoidedShare).toBeCloseTo(1 - 150 / 1100, 4);
  });
});
