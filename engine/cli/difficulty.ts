/**
 * How hard each seed of a scenario is, relative to the other seeds explored: the percentile of its
 * untreated loss (how bad the outage is if nobody responds) and, with a plan, of the plan's time to
 * mitigate (how long the reference response takes; never mitigated counts as the longest). Its
 * difficulty is the mean of the two, rated easy (the lowest third), typical or hard (the highest
 * third). Ties share the middle of their ranks, so seeds that play out alike are rated alike.
 */

export type Rating = 'easy' | 'typical' | 'hard';

export interface SeedDifficulty {
  seed: number;
  /** 0–100: the share of the other seeds with a smaller untreated loss (ties count half). */
  untreatedLossPercentile: number;
  /** 0–100, with a plan; null without one. */
  timeToMitigatePercentile: number | null;
  /** 0–100: the mean of the percentiles. */
  difficulty: number;
  rating: Rating;
}

export interface DifficultyInput {
  seed: number;
  untreatedLost: number;
  /** The plan's time to mitigate; null: never mitigated; undefined: no plan. */
  timeToMitigate?: number | null;
}

/** Percentile ranks (0–100) of `values`, ties sharing their mid-rank. */
function percentiles(values: readonly number[]): number[] {
  const n = values.length;
  if (n <= 1) return values.map(() => 50);
  return values.map((v) => {
    let below = 0;
    let equal = 0;
    for (const w of values) {
      if (w < v) below++;
      else if (w === v) equal++;
    }
    return Math.round((1000 * (below + (equal - 1) / 2)) / (n - 1)) / 10;
  });
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

export function rateSeeds(seeds: readonly DifficultyInput[]): SeedDifficulty[] {
  const loss = percentiles(seeds.map((s) => s.untreatedLost));
  const withPlan = seeds.some((s) => s.timeToMitigate !== undefined);
  const ttm = withPlan ? percentiles(seeds.map((s) => s.timeToMitigate ?? Number.POSITIVE_INFINITY)) : null;
  return seeds.map((s, i) => {
    const a = loss[i] as number;
    const b = ttm === null ? null : (ttm[i] as number);
    const difficulty = round1(b === null ? a : (a + b) / 2);
    return {
      seed: s.seed,
      untreatedLossPercentile: a,
      timeToMitigatePercentile: b,
      difficulty,
      rating: difficulty < 100 / 3 ? 'easy' : difficulty > 200 / 3 ? 'hard' : 'typical',
    };
  });
}

/** The easiest, the median and the hardest seeds: by difficulty, then by seed. */
export function namedSeeds(rated: readonly SeedDifficulty[]): { easiest: number; median: number; hardest: number } | null {
  if (rated.length === 0) return null;
  const sorted = [...rated].sort((x, y) => x.difficulty - y.difficulty || x.seed - y.seed);
  return {
    easiest: (sorted[0] as SeedDifficulty).seed,
    median: (sorted[(sorted.length - 1) >> 1] as SeedDifficulty).seed,
    hardest: (sorted[sorted.length - 1] as SeedDifficulty).seed,
  };
}
