/**
 * Golden runs: for each shipped scenario and its plan at the default seed, the log's hash and its
 * headline numbers are pinned. A change to the simulation's numbers must update these on purpose
 * (UPDATE_GOLDEN=1 npx vitest run test/core/golden.test.ts) and bump ENGINE_VERSION.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashString } from '../../engine/protocol/hash.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import { summarizeRun } from '../../engine/core/read/summary.ts';
import { ENGINE_VERSION } from '../../engine/core/log/version.ts';
import { ROOT, loadPlan, loadScenario, logText } from '../helpers.ts';

const ids = readdirSync(`${ROOT}scenarios`).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));

function golden(id: string, plan: boolean) {
  const scenario = loadScenario(id);
  const session = runScenario(scenario, { commands: plan ? loadPlan(id) : [] });
  const s = summarizeRun(scenario, session.seed, session.events, session.now);
  return {
    logHash: hashString(logText(session)),
    events: session.events.length,
    firstPage: s.firstPage,
    impactStart: s.impactStart,
    impactEnd: s.impactEnd,
    milestones: s.milestones,
    totals: s.totals,
    journeys: s.journeys.map((j) => ({ journey: j.journey, failed: j.failed, lost: j.lost, badMinutes: j.badMinutes })),
  };
}

describe('golden runs', () => {
  it('the engine version matches package.json', () => {
    expect(ENGINE_VERSION).toBe(JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version);
  });

  describe.each(ids)('%s', (id) => {
    it.each([
      ['with its plan', true],
      ['untreated', false],
    ])('%s', (_label, plan) => {
      const file = `${ROOT}test/fixtures/golden/${id}.${plan ? 'plan' : 'untreated'}.json`;
      const actual = golden(id, plan);
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
        if (process.env.CI) throw new Error(`missing golden file ${file}: run UPDATE_GOLDEN=1 locally`);
        writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
      }
      expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    });
  });
});
