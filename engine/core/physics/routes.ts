/**
 * Journey routes: a journey may call only some of its entry service's dependencies ("browse" calls
 * the catalog, "checkout" the catalog and payment). The entry's traffic is then a mixture of classes:
 * each of its journeys (one without a route calls every dependency), and the rest (background
 * traffic, calls from other services), which calls every dependency. Each journey's share of the
 * entry's arrivals is state (sim.journeyShare), updated every step from the traffic; an edge carries
 * the shares that call it. "Routed" below means any journey of such an entry: each is composed on its
 * own path, and sees only that.
 */
import type { Scenario } from '../../protocol/scenario.ts';
import type { SimState } from './sim-state.ts';

export interface RouteTables {
  /**
   * 1 for a journey composed on its own path: one that names a route, or any journey that shares its
   * entry with one (it calls every dependency, which is then not what the entry's mixture does).
   */
  readonly routed: Uint8Array;
  /** Whether journey j calls the k-th dependency of its entry: uses[useStart[j] + k]. */
  readonly useStart: Int32Array;
  readonly uses: Uint8Array;
  /** The journeys composed on their own path that enter at service s: byEntry[byEntryStart[s]] .. byEntry[byEntryStart[s + 1] - 1]. */
  readonly byEntryStart: Int32Array;
  readonly byEntry: Int32Array;
  /** Each routed journey's share of its entry's traffic at the scenario's rates: the shares before the first step. */
  readonly share0: Float64Array;
}

/** The route tables, or null when no journey names a route (the physics then skips all of this). */
export function compileRoutes(scenario: Scenario, entryOf: Int32Array, edgeStart: Int32Array, edgeTo: Int32Array, index: ReadonlyMap<string, number>): RouteTables | null {
  const journeys = scenario.journeys;
  if (!journeys.some((j) => j.route !== undefined)) return null;
  const n = scenario.services.length;
  const mixed = new Set(journeys.flatMap((j, i) => (j.route === undefined ? [] : [entryOf[i] as number])));
  const routed = Uint8Array.from(journeys, (_, i) => (mixed.has(entryOf[i] as number) ? 1 : 0));
  const useStart = new Int32Array(journeys.length + 1);
  const uses: number[] = [];
  const byEntryStart = new Int32Array(n + 1);
  const share0 = new Float64Array(journeys.length);
  journeys.forEach((j, i) => {
    const s = entryOf[i] as number;
    useStart[i] = uses.length;
    const wanted = new Set((j.route ?? []).map((id) => index.get(id)));
    for (let e = edgeStart[s] as number; e < (edgeStart[s + 1] as number); e++) uses.push(j.route === undefined || wanted.has(edgeTo[e]) ? 1 : 0);
    if (routed[i] === 0) return;
    byEntryStart[s + 1] = (byEntryStart[s + 1] as number) + 1;
    const service = scenario.services[s];
    const total = (service?.baseline.rps ?? 0) + journeys.reduce((sum, k, ki) => sum + (entryOf[ki] === s ? k.rps : 0), 0);
    share0[i] = j.rps / total;
  });
  useStart[journeys.length] = uses.length;
  for (let s = 0; s < n; s++) byEntryStart[s + 1] = (byEntryStart[s + 1] as number) + (byEntryStart[s] as number);
  const byEntry = new Int32Array(byEntryStart[n] as number);
  const filled = byEntryStart.slice(0, n);
  journeys.forEach((_, i) => {
    if (routed[i] === 0) return;
    const s = entryOf[i] as number;
    byEntry[filled[s] as number] = i;
    filled[s] = (filled[s] as number) + 1;
  });
  return { routed, useStart, uses: Uint8Array.from(uses), byEntryStart, byEntry, share0 };
}

/**
 * Each edge's share of its caller's traffic from the journeys' shares: everything but the routed
 * journeys that skip the edge. Called when the shares move.
 */
export function setEdgeWeights(routes: RouteTables, sim: SimState, s: number, edgeStart: Int32Array): void {
  const first = edgeStart[s] as number;
  for (let e = first; e < (edgeStart[s + 1] as number); e++) {
    let skipped = 0;
    for (let k = routes.byEntryStart[s] as number; k < (routes.byEntryStart[s + 1] as number); k++) {
      const j = routes.byEntry[k] as number;
      if (routes.uses[(routes.useStart[j] as number) + e - first] === 0) skipped += sim.journeyShare[j] as number;
    }
    sim.edgeWeight[e] = Math.min(1, Math.max(0, 1 - skipped));
  }
}

/** Shares move the entry's composition when they change by more than this. */
const SHARE_TOLERANCE = 1e-6;

/**
 * The routed journeys' shares of service s's arrivals this step (`total`, before fault multipliers,
 * which scale every class alike). Marks s for a new composition when a share moved.
 */
export function updateShares(routes: RouteTables, sim: SimState, s: number, total: number, edgeStart: Int32Array): void {
  if (total <= 0) return;
  let moved = false;
  for (let k = routes.byEntryStart[s] as number; k < (routes.byEntryStart[s + 1] as number); k++) {
    const j = routes.byEntry[k] as number;
    const share = Math.min(1, (sim.journeyArrivals[j] as number) / total);
    if (Math.abs(share - (sim.journeyShare[j] as number)) > SHARE_TOLERANCE) {
      sim.journeyShare[j] = share;
      moved = true;
    }
  }
  if (!moved) return;
  sim.dirty[s] = 1;
  setEdgeWeights(routes, sim, s, edgeStart);
}

/** A routed journey's composition starts from its entry's own work (step.ts compose). */
export function startJourneys(routes: RouteTables, sim: SimState, s: number, mean: number, variance: number, okFree: number, okKeyed: number): void {
  for (let k = routes.byEntryStart[s] as number; k < (routes.byEntryStart[s + 1] as number); k++) {
    const j = routes.byEntry[k] as number;
    sim.journeyMean[j] = mean;
    sim.journeyVar[j] = variance;
    sim.journeyOkFree[j] = okFree;
    sim.journeyOkKeyed[j] = okKeyed;
    sim.journeyNotDegraded[j] = 1;
  }
}

/** One call of the entry (its k-th dependency), as composed for a whole request, added to the journeys that make it. */
export function addCall(routes: RouteTables, sim: SimState, s: number, k: number, mean: number, variance: number, okFree: number, okKeyed: number, notDegraded: number): void {
  for (let i = routes.byEntryStart[s] as number; i < (routes.byEntryStart[s + 1] as number); i++) {
    const j = routes.byEntry[i] as number;
    if (routes.uses[(routes.useStart[j] as number) + k] === 0) continue;
    sim.journeyMean[j] = (sim.journeyMean[j] as number) + mean;
    sim.journeyVar[j] = (sim.journeyVar[j] as number) + variance;
    sim.journeyOkFree[j] = (sim.journeyOkFree[j] as number) * okFree;
    sim.journeyOkKeyed[j] = (sim.journeyOkKeyed[j] as number) * okKeyed;
    sim.journeyNotDegraded[j] = (sim.journeyNotDegraded[j] as number) * notDegraded;
  }
}

/**
 * The entry's composition as the mixture of its classes, weighted by their shares: the everything
 * class (`all`, composed over every edge) and each routed journey. Means, second moments, successes
 * and keyed successes mix exactly. Approximations: the shares are those of this step's arrivals, not
 * of the requests in service (a backlog still holds older traffic); the mixture of a fast class and a
 * slow one is bimodal, and the log-normal fitted to its mean and variance smooths that out; and the
 * degraded share mixes unweighted by each class's successes. Writes the mixture back into `all`
 * [mean, variance, okFree, okKeyed, notDegraded], and fits each routed journey's log-normal.
 */
export function mixJourneys(routes: RouteTables, sim: SimState, s: number, all: Float64Array): void {
  let others = 1;
  let mean = 0;
  let second = 0;
  let ok = 0;
  let okKeyed = 0;
  let notDegraded = 0;
  for (let k = routes.byEntryStart[s] as number; k < (routes.byEntryStart[s + 1] as number); k++) {
    const j = routes.byEntry[k] as number;
    const share = sim.journeyShare[j] as number;
    const m = sim.journeyMean[j] as number;
    const v = sim.journeyVar[j] as number;
    others -= share;
    mean += share * m;
    second += share * (v + m * m);
    ok += share * (sim.journeyOkFree[j] as number) * (sim.journeyOkKeyed[j] as number);
    okKeyed += share * (sim.journeyOkKeyed[j] as number);
    notDegraded += share * (sim.journeyNotDegraded[j] as number);
    const s2 = Math.log1p(v / (m * m));
    const sigma = Math.sqrt(s2);
    sim.journeyLogMu[j] = Math.log(m) - s2 / 2;
    sim.journeyLogSigma[j] = sigma > 1e-6 ? sigma : 1e-6;
  }
  if (others < 0) others = 0;
  const m = all[0] as number;
  mean += others * m;
  second += others * ((all[1] as number) + m * m);
  ok += others * (all[2] as number) * (all[3] as number);
  okKeyed += others * (all[3] as number);
  notDegraded += others * (all[4] as number);
  all[0] = mean;
  all[1] = Math.max(0, second - mean * mean);
  // Split so that okFree × okKeyed is the mixture's success.
  all[2] = okKeyed > 0 ? ok / okKeyed : 1;
  all[3] = okKeyed;
  all[4] = notDegraded;
}
