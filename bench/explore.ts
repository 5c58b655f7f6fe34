/**
 * The explore section of `npm run bench`: how long `sevdrill explore` takes over 1000 seeds of
 * retail-sev1 (6 simulated hours each, with the reference plan and untreated: 2000 simulations) with
 * the default number of worker threads. One timed run, cold workers included, as a user runs it: the
 * run is itself thousands of simulations, so a warm-up or repeats would only make the bench slower.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultWorkers, explore } from '../engine/cli/explore.ts';
import { formatDiagnostic } from '../engine/scenario/diagnostics.ts';
import { loadScenarioText } from '../engine/scenario/load.ts';
import { loadPlanText } from '../engine/scenario/plan.ts';
import { fmt, now } from './stats.ts';

const EXPLORE_GOALS = { explore1000Sec: 120 } as const;

/** The keys this section adds to the bench's JSON line. */
export interface ExploreFigures {
  explore1000Sec: number;
}

export interface ExploreBenchOptions {
  /** Repository root (where scenarios/ lives). */
  root: string;
  /** Seeds to explore (default 1000, the headline figure). */
  seeds?: number;
  print: (line?: string) => void;
}

export async function runExploreBench(options: ExploreBenchOptions): Promise<ExploreFigures> {
  const { print } = options;
  const seeds = options.seeds ?? 1000;
  const scenarioFile = join(options.root, 'scenarios/retail-sev1.yaml');
  const planFile = join(options.root, 'scenarios/plans/retail-sev1.plan.yaml');
  const loaded = loadScenarioText(readFileSync(scenarioFile, 'utf8'), scenarioFile);
  if (!loaded.ok) throw new Error(`cannot load ${scenarioFile}:\n${loaded.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
  const plan = loadPlanText(readFileSync(planFile, 'utf8'), planFile);
  if (!plan.ok) throw new Error(`cannot load ${planFile}:\n${plan.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
  const workers = defaultWorkers();
  print(`retail-sev1 over ${seeds} seeds, each with the reference plan and untreated (${2 * seeds} runs of 6h), ${workers} workers (the default):`);

  let quarter = 0;
  const t0 = now();
  const report = await explore({
    scenario: loaded.scenario,
    commands: plan.plan.commands,
    planFile: 'scenarios/plans/retail-sev1.plan.yaml',
    fromSeed: 1,
    count: seeds,
    workers,
    onProgress: (done) => {
      const q = Math.floor((4 * done) / seeds);
      if (q > quarter && q < 4) {
        quarter = q;
        print(`  … ${25 * q}% after ${fmt((now() - t0) / 1000)} s`);
      }
    },
  });
  const sec = (now() - t0) / 1000;
  const p50 = (d: { p50: number } | null | undefined) => (d ? `$${Math.round(d.p50).toLocaleString('en-US')}` : '—');
  print(
    `  explore: ${fmt(sec)} s wall, ${fmt(report.runs / sec)} runs/s, ${fmt((1000 * sec * workers) / report.runs)} ms of worker time per run  ` +
      `(goal < ${EXPLORE_GOALS.explore1000Sec} s for 1000 seeds: ${seeds === 1000 ? (sec < EXPLORE_GOALS.explore1000Sec ? 'ok' : 'MISSED') : 'n/a'})`,
  );
  print(
    `  check: median lost revenue ${p50(report.impact.plan?.lostRevenue)} with the plan vs ${p50(report.impact.untreated.lostRevenue)} untreated; ` +
      `median score ${report.score?.p50 ?? '—'}; plan failed on ${report.failures?.count ?? 0} seeds; scoring ${report.scoring}`,
  );
  return { explore1000Sec: Math.round(sec * 10) / 10 };
}
