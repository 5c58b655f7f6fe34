/**
 * Golden runs: for each shipped scenario, with its plan and untreated at the default seed, and with
 * its plan at three more seeds (each seed draws its own variation), the log's hash, what the seed drew
 * and the headline numbers are pinned. A change to the simulation's numbers must update these on purpose
 * (UPDATE_GOLDEN=1 npx vitest run test/core/golden.test.ts) and bump ENGINE_VERSION.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashString } from '../../engine/protocol/hash.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import { summarizeRun } from '../../engine/core/read/summary.ts';
import { ENGINE_VERSION } from '../../engine/core/log/version.ts';
import { ROOT, loadPlanCommands, loadSpec, logText } from '../helpers.ts';

const ids = readdirSync(`${ROOT}scenarios`).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
/** Each scenario's other shipped plans: `<id>.<variant>.plan.yaml` (the rubber stamp of retail-change-window). */
const variantsOf = (id: string): string[] =>
  readdirSync(`${ROOT}scenarios/plans`).flatMap((f) => (f.startsWith(`${id}.`) && f.endsWith('.plan.yaml') && f !== `${id}.plan.yaml` ? [f.slice(id.length + 1, -'.plan.yaml'.length)] : []));

/** Seeds pinned besides each scenario's own. */
const EXTRA_SEEDS = [1, 2, 3];

function golden(id: string, plan: boolean | string, seed?: number) {
  const spec = loadSpec(id);
  const commands = typeof plan === 'string' ? loadPlanCommands(`${id}.${plan}`) : plan ? loadPlanCommands(id) : [];
  const session = runScenario(spec, { seed: seed ?? spec.seed, commands });
  const s = summarizeRun(session.scenario, session.seed, session.events, session.now);
  return {
    logHash: hashString(logText(session)),
    variation: session.variation,
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
    const cases: [string, boolean | string, number | undefined][] = [
      ['with its plan', true, undefined],
      ['untreated', false, undefined],
      ...EXTRA_SEEDS.map((seed): [string, boolean, number] => [`with its plan, seed ${seed}`, true, seed]),
      ...variantsOf(id).map((variant): [string, string, undefined] => [`with its ${variant} plan`, variant, undefined]),
    ];
    it.each(cases)('%s', (_label, plan, seed) => {
      const kind = typeof plan === 'string' ? `${plan}.plan` : plan ? 'plan' : 'untreated';
      const file = `${ROOT}test/fixtures/golden/${id}.${seed === undefined ? '' : `seed-${seed}.`}${kind}.json`;
      const actual = golden(id, plan, seed);
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
        if (process.env.CI) throw new Error(`missing golden file ${file}: run UPDATE_GOLDEN=1 locally`);
        writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
      }
      expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    });
  });
});
