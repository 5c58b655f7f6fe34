/** `sevdrill explore`: the pure statistics, one seed's record, and the command end to end (child processes). */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { namedSeeds, rateSeeds } from '../../engine/cli/difficulty.ts';
import { explore } from '../../engine/cli/explore.ts';
import { describeVariation } from '../../engine/protocol/varied.ts';
import { chooseScoringMode, exploreSeed, type ExploreJob } from '../../engine/cli/explore-worker.ts';
import { barLength, distribution, histogramBins, niceStep, percentile, percentileSorted, renderHistogram } from '../../engine/cli/histogram.ts';
import { progressBar } from '../../engine/cli/progress.ts';
import { ROOT, loadPlanCommands, loadSpec } from '../helpers.ts';
import { resolveScenario } from '../../engine/core/variation.ts';

describe('percentiles and distributions', () => {
  const oneToTen = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];

  it('interpolates linearly between the closest ranks', () => {
    expect(percentile(oneToTen, 0)).toBe(1);
    expect(percentile(oneToTen, 50)).toBe(5.5);
    expect(percentile(oneToTen, 100)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5], 25)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5], 90)).toBe(4.6);
    expect(percentileSorted([0, 100], 10)).toBe(10);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('gives min, p10, p50, p90, p99, max and mean', () => {
    expect(distribution(oneToTen, 2)).toEqual({ n: 10, min: 1, p10: 1.9, p50: 5.5, p90: 9.1, p99: 9.91, max: 10, mean: 5.5 });
    expect(distribution([3, 1, 2, 10], 2)).toEqual({ n: 4, min: 1, p10: 1.3, p50: 2.5, p90: 7.9, p99: 9.79, max: 10, mean: 4 });
    expect(distribution([42])).toEqual({ n: 1, min: 42, p10: 42, p50: 42, p90: 42, p99: 42, max: 42, mean: 42 });
    expect(distribution([])).toBeNull();
  });
});

describe('histograms', () => {
  it('picks the smallest nice step that fits the bins', () => {
    expect(niceStep(10, 10)).toBe(2);
    expect(niceStep(10, 20)).toBe(1);
    expect(niceStep(2.1, 20, 0.1)).toBe(0.2);
    expect(niceStep(0.3, 20, 0.1)).toBe(0.1);
    expect(niceStep(45, 20)).toBe(2.5);
  });

  it('bins values on nice edges, keeping empty bins, max in the last bin', () => {
    expect(histogramBins([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { maxBins: 10 })).toEqual([
      { from: 0, to: 2, count: 2 },
      { from: 2, to: 4, count: 2 },
      { from: 4, to: 6, count: 2 },
      { from: 6, to: 8, count: 2 },
      { from: 8, to: 10, count: 2 },
      { from: 10, to: 12, count: 1 },
    ]);
    // Range 2.0 fits 10 bins of 0.2, but aligned to 97.2 it needs 11: the step widens to 0.25.
    expect(histogramBins([97.3, 98.1, 98.4, 99.3, 99.3], { maxBins: 10, minStep: 0.1 })).toEqual([
      { from: 97.25, to: 97.5, count: 1 },
      { from: 97.5, to: 97.75, count: 0 },
      { from: 97.75, to: 98, count: 0 },
      { from: 98, to: 98.25, count: 1 },
      { from: 98.25, to: 98.5, count: 1 },
      { from: 98.5, to: 98.75, count: 0 },
      { from: 98.75, to: 99, count: 0 },
      { from: 99, to: 99.25, count: 0 },
      { from: 99.25, to: 99.5, count: 2 },
    ]);
    expect(histogramBins([97.3, 98.1, 98.4, 99.3, 99.3], { maxBins: 20, minStep: 0.1 }).map((b) => b.count)).toEqual([1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 2]);
    expect(histogramBins([5, 5, 5])).toEqual([{ from: 5, to: 5, count: 3 }]);
    expect(histogramBins([])).toEqual([]);
  });

  it('never makes more bins than asked, and counts every value', () => {
    for (const maxBins of [1, 3, 10, 15, 20]) {
      const values = Array.from({ length: 97 }, (_, i) => 3.7 + ((i * 37) % 97) * 0.173);
      const bins = histogramBins(values, { maxBins });
      expect(bins.length).toBeLessThanOrEqual(maxBins);
      expect(bins.reduce((sum, b) => sum + b.count, 0)).toBe(97);
    }
  });

  it('draws bars of █ scaled to the fullest row, at least one block for a non-zero count', () => {
    expect(barLength(1000, 1000, 40)).toBe(40);
    expect(barLength(1, 1000, 40)).toBe(1);
    expect(barLength(0, 1000, 40)).toBe(0);
    const bins = [
      { from: 0, to: 2, count: 4 },
      { from: 2, to: 4, count: 2 },
      { from: 4, to: 6, count: 0 },
    ];
    expect(renderHistogram(bins, { width: 8 })).toEqual(['  0 – 2 │████████ 4', '  2 – 4 │████ 2', '  4 – 6 │ 0']);
    expect(renderHistogram([{ from: 11.25, to: 11.5, count: 3 }], { width: 4, extra: [{ label: 'never', count: 1 }] })).toEqual([
      '  11.25 – 11.50 │████ 3',
      '          never │█ 1',
    ]);
    expect(renderHistogram([{ from: 99.4, to: 99.4, count: 5 }], { width: 3, format: (x) => x.toFixed(1) })).toEqual(['  99.4 │███ 5']);
  });

  it('the progress bar reads as a share, counts and an estimate', () => {
    expect(progressBar(250, 1000, 10, 5000, 'explore', 'seeds')).toBe('explore [███░░░░░░░] 25% 250/1000 seeds · 5.0 s · ~15 s left');
    expect(progressBar(1000, 1000, 4, 9000, 'explore', 'seeds')).toBe('explore [████] 100% 1000/1000 seeds · 9.0 s');
  });
});

describe('one seed', () => {
  // As the CLI gives it: the scenario as written (each seed draws its variation) and the plan as written.
  const scenario = loadSpec('retail-sev1');
  const job: ExploreJob = { scenario, commands: loadPlanCommands('retail-sev1'), checkSeed: 1 };

  it('scores exactly as scoreLog does while reusing the untreated run', () => {
    expect(chooseScoringMode(job)).toBe('reuse-untreated');
    for (const seed of [1, 2, 3]) expect(exploreSeed(job, seed, 'reuse-untreated')).toEqual(exploreSeed(job, seed, 'scoreLog'));
    const storm: ExploreJob = { scenario: loadSpec('checkout-retry-storm'), commands: loadPlanCommands('checkout-retry-storm'), checkSeed: 5 };
    expect(exploreSeed(storm, 5, 'reuse-untreated')).toEqual(exploreSeed(storm, 5, 'scoreLog'));
    const untreated: ExploreJob = { scenario, commands: null, checkSeed: 1 };
    expect(exploreSeed(untreated, 2, 'reuse-untreated')).toEqual(exploreSeed(untreated, 2, 'scoreLog'));
  });

  it('records impact with and without the plan, and no failure for the reference plan', () => {
    const r = exploreSeed(job, 1);
    expect(r.seed).toBe(1);
    expect(r.failure).toBeNull();
    expect(r.plan?.ongoingAtEnd).toBe(false);
    expect(r.untreated.ongoingAtEnd).toBe(true);
    expect(r.plan?.lost).toBeLessThan(r.untreated.lost / 10);
    expect(r.plan?.minutesOutOfSlo).toBeLessThan(r.untreated.minutesOutOfSlo);
    expect(r.timeToMitigate).toBeGreaterThan(0);
    expect(r.untreatedTimeToMitigate).toBeNull();
    expect(r.score).toBeGreaterThan(90);
  });

  it('says why a plan failed: unresolved, impact ongoing, a command rejected', () => {
    const bad: ExploreJob = { scenario, commands: [{ at: 60_000, actor: 'bob', type: 'rollback', target: 'nope' }], checkSeed: 1 };
    const r = exploreSeed(bad, 1);
    expect(r.failure).toHaveLength(3);
    expect(r.failure?.[0]).toMatch(/^incident not resolved \(/);
    expect(r.failure?.[1]).toBe('impact still ongoing at the end');
    expect(r.failure?.[2]).toMatch(/^command rejected: rollback nope by bob at 00:01:00: /);
    expect(exploreSeed({ scenario, commands: null, checkSeed: 1 }, 1).failure).toBeNull();
  });
});

function sevdrill(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/sevdrill.mjs', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const withoutTiming = (text: string) => {
  const report = JSON.parse(text);
  delete report.timing;
  return report;
};

describe('difficulty', () => {
  it('rates seeds by the percentiles of untreated loss and of the time to mitigate, never mitigated the hardest', () => {
    const rated = rateSeeds([
      { seed: 1, untreatedLost: 100, timeToMitigate: 600_000 },
      { seed: 2, untreatedLost: 300, timeToMitigate: 900_000 },
      { seed: 3, untreatedLost: 200, timeToMitigate: null },
      { seed: 4, untreatedLost: 200, timeToMitigate: 600_000 },
    ]);
    expect(rated.map((d) => [d.seed, d.untreatedLossPercentile, d.timeToMitigatePercentile, d.difficulty, d.rating])).toEqual([
      [1, 0, 16.7, 8.4, 'easy'],
      [2, 100, 66.7, 83.4, 'hard'],
      [3, 50, 100, 75, 'hard'],
      [4, 50, 16.7, 33.4, 'typical'],
    ]);
    expect(namedSeeds(rated)).toEqual({ easiest: 1, median: 4, hardest: 2 });
    // Seeds that play out alike are rated alike.
    expect(rateSeeds([1, 2, 3].map((seed) => ({ seed, untreatedLost: 5 }))).map((d) => [d.difficulty, d.rating])).toEqual([
      [50, 'typical'],
      [50, 'typical'],
      [50, 'typical'],
    ]);
  });
});

describe('sevdrill explore', () => {
  const args = ['explore', 'scenarios/retail-sev1.yaml', '--seeds', '20', '--plan', 'scenarios/plans/retail-sev1.plan.yaml', '--json'];

  it('--json: one JSON object on stdout with the distributions, histograms and failures; deterministic', () => {
    const a = sevdrill(...args, '--workers', '2');
    expect(a.code).toBe(0);
    expect(a.stdout.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(a.stdout);
    expect(report).toMatchObject({ scenario: 'retail-sev1', plan: 'scenarios/plans/retail-sev1.plan.yaml', seeds: { from: 1, count: 20 }, workers: 2, runs: 40 });
    const dist = { n: 20, min: expect.any(Number), p10: expect.any(Number), p50: expect.any(Number), p90: expect.any(Number), p99: expect.any(Number), max: expect.any(Number), mean: expect.any(Number) };
    const impact = { lostRevenue: dist, failedRequests: dist, minutesOutOfSlo: dist, ongoingAtEnd: expect.any(Number) };
    expect(report.impact).toEqual({ plan: impact, untreated: impact });
    expect(report.score).toEqual(dist);
    expect(report.timeToMitigateMs.plan).toEqual({ distribution: expect.any(Object), never: expect.any(Number) });
    expect(report.timeToMitigateMs.plan.distribution.n + report.timeToMitigateMs.plan.never).toBe(20);
    expect(report.timeToMitigateMs.untreated.never + (report.timeToMitigateMs.untreated.distribution?.n ?? 0)).toBe(20);
    const binTotal = (bins: { count: number }[]) => bins.reduce((sum, b) => sum + b.count, 0);
    expect(binTotal(report.histograms.score)).toBe(20);
    expect(binTotal(report.histograms.timeToMitigateMin.bins) + report.histograms.timeToMitigateMin.never).toBe(20);
    expect(report.failures).toEqual({ count: expect.any(Number), seeds: expect.any(Array) });
    expect(report.failures.seeds.length).toBe(Math.min(20, report.failures.count));
    expect(report.timing).toEqual({ wallSec: expect.any(Number), runsPerSec: expect.any(Number) });
    // The plan cuts the median impact by far.
    expect(report.impact.plan.lostRevenue.p50).toBeLessThan(report.impact.untreated.lostRevenue.p50 / 10);
    expect(report.impact.plan.failedRequests.p50).toBeLessThan(report.impact.untreated.failedRequests.p50 / 10);
    expect(report.impact.plan.minutesOutOfSlo.p50).toBeLessThan(report.impact.untreated.minutesOutOfSlo.p50 / 10);
    expect(report.impact.plan.ongoingAtEnd).toBe(0);
    expect(report.impact.untreated.ongoingAtEnd).toBe(20);
    // Every seed, in order, with its times, score, outcome and difficulty; the named seeds among them.
    expect(report.perSeed.map((x: { seed: number }) => x.seed)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const x of report.perSeed) {
      expect(x).toEqual({
        seed: expect.any(Number),
        timeToFirstPage: expect.any(Number),
        timeToMitigate: expect.any(Number),
        score: expect.any(Number),
        untreatedLost: expect.any(Number),
        planLost: expect.any(Number),
        outcome: 'resolved',
        untreatedLossPercentile: expect.any(Number),
        timeToMitigatePercentile: expect.any(Number),
        difficulty: expect.any(Number),
        rating: expect.stringMatching(/^(easy|typical|hard)$/),
        variation: expect.any(Object),
      });
    }
    // What each seed drew, as a session with that seed draws it.
    const spec = loadSpec('retail-sev1');
    for (const x of report.perSeed) expect(x.variation).toEqual(resolveScenario(spec, x.seed).variation);
    expect(new Set(report.perSeed.map((x: { variation: unknown }) => JSON.stringify(x.variation))).size).toBe(20);
    // The first page, from the untreated run: seed 7 is the README's drill (00:09:20). The seeds move
    // the incident: their first pages lie minutes apart.
    expect(report.perSeed[6].timeToFirstPage).toBe(560_000);
    const pages = report.perSeed.map((x: { timeToFirstPage: number }) => x.timeToFirstPage);
    expect(Math.max(...pages) - Math.min(...pages)).toBeGreaterThanOrEqual(3 * 60_000);
    const { easy, typical, hard, easiest, median, hardest } = report.difficulty;
    expect(easy + typical + hard).toBe(20);
    const byDifficulty = [...report.perSeed].sort((x: { difficulty: number; seed: number }, y: { difficulty: number; seed: number }) => x.difficulty - y.difficulty || x.seed - y.seed);
    expect([easiest, median, hardest]).toEqual([byDifficulty[0].seed, byDifficulty[9].seed, byDifficulty[19].seed]);
    // Progress is on stderr, a line every 10% when stderr is not a terminal.
    expect(a.stderr).toContain('explore: 100% (20/20 seeds');
    expect(a.stderr.split('\n').filter((l) => l.startsWith('explore: '))).toHaveLength(10);

    const b = sevdrill(...args, '--workers', '2');
    expect(b.code).toBe(0);
    expect(withoutTiming(b.stdout)).toEqual(withoutTiming(a.stdout));
    // The split across workers changes nothing but the worker count.
    const c = sevdrill(...args, '--workers', '1');
    expect({ ...withoutTiming(c.stdout), workers: 2 }).toEqual(withoutTiming(a.stdout));
  });

  it('prints a readable report with histograms and no colour off a terminal', () => {
    const r = sevdrill('explore', 'scenarios/retail-sev1.yaml', '--seeds', '3', '--from-seed', '10', '--workers', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 seeds (10–12), no plan (untreated only), 1 worker');
    expect(r.stdout).toMatch(/^lost revenue +untreated +\$/m);
    expect(r.stdout).toContain('score (untreated)');
    expect(r.stdout).toMatch(/│█+ 3$/m);
    expect(r.stdout).toMatch(/3 seeds, 3 runs in [\d.]+ s wall: [\d.,]+ runs\/s/);
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stdout).toMatch(/^time to first page \(min\) +untreated +[\d.]+/m);
    // The named seeds say what they drew, so a facilitator sees why one is hard.
    const hardest = /hardest seed (\d+)/.exec(r.stdout)?.[1];
    expect(r.stdout).toContain(`          drew ${describeVariation(resolveScenario(loadSpec('retail-sev1'), Number(hardest)).variation)}\n`);
    expect(describeVariation({ 'faults.f.at': 250_000, 'actions.rollback:api.duration': 160_000, 'traffic.level': 1.05, 'faults.f.target': 'api' })).toBe(
      'f.at 00:04:10, rollback:api.duration 2m40s, traffic.level 1.05, f.target api',
    );
  });

  it.each([
    [['explore'], 2, 'give exactly one scenario file'],
    [['explore', 'scenarios/retail-sev1.yaml', '--seeds', '0'], 2, '--seeds must be a whole number from 1'],
    [['explore', 'scenarios/retail-sev1.yaml', '--seeds', 'many'], 2, '--seeds must be a whole number'],
    [['explore', 'scenarios/retail-sev1.yaml', '--workers', '0'], 2, '--workers must be a whole number from 1'],
    [['explore', 'scenarios/retail-sev1.yaml', '--from-seed=-1'], 2, '--from-seed must be a whole number'],
    [['explore', 'scenarios/retail-sev1.yaml', '--from-seed', '2147483647', '--seeds', '2'], 2, 'the last seed'],
    [['explore', 'scenarios/retail-sev1.yaml', '--bogus'], 2, "Unknown option '--bogus'"],
    [['explore', 'nope.yaml'], 1, 'nope.yaml:1:1: cannot read file'],
    [['explore', 'test/fixtures/invalid/cycle.yaml'], 1, 'dependency cycle'],
    [['explore', 'scenarios/retail-sev1.yaml', '--plan', 'scenarios/plans/auth-cert-expiry.plan.yaml'], 1, 'this plan is for scenario "auth-cert-expiry"'],
  ])('%j exits %i', (argv, code, message) => {
    const r = sevdrill(...argv);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('--help lists the options', () => {
    const r = sevdrill('explore', '--help');
    expect(r.code).toBe(0);
    for (const option of ['--seeds', '--from-seed', '--plan', '--workers', '--json']) expect(r.stdout).toContain(option);
  });
});

describe('explore, stopped', () => {
  it('rejects with the reason once aborted, and ends its workers (the server stops a scenario that changed)', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const run = explore({
      scenario: loadSpec('auth-cert-expiry'),
      commands: loadPlanCommands('auth-cert-expiry'),
      fromSeed: 1,
      count: 400,
      workers: 1,
      signal: controller.signal,
      onProgress: (done) => {
        seen.push(done);
        controller.abort(new Error('changed'));
      },
    });
    await expect(run).rejects.toThrow('changed');
    // Stopped at the first batch, not after the 400 seeds.
    expect(seen).toHaveLength(1);
    const already = new AbortController();
    already.abort(new Error('before it began'));
    await expect(explore({ scenario: loadSpec('auth-cert-expiry'), commands: null, fromSeed: 1, count: 2, workers: 1, signal: already.signal })).rejects.toThrow('before it began');
  });
});
