/**
 * What users do after a failure (a journey's optional `users`): some reload the page, some leave.
 *
 * - Refresh: a share r of the users whose request failed reloads it at the next step (2 s later, 1 s
 *   with a 1 s tick: about the time it takes to see an error page and press reload, and the shortest
 *   delay the step allows; a longer one would change how fast reloads build up, not where they settle).
 *   A reload can fail again and be reloaded again, so a steady failure share f adds
 *   fresh · f·r / (1 − f·r) requests a second: a user-facing outage feeds itself.
 * - Abandon: a share a of the users who met a failure leave, and the requests they would have made are
 *   never sent: the journey's fresh traffic is its rate × (1 − a × recent failure share). "Recent" is
 *   an exponential average with a two-minute time constant, about a browsing session: while the
 *   failure lasts, leavers accumulate over about that long; after it, new sessions replace them over
 *   about as long.
 *
 * The reloads due and the recent failure share are state (hashed); the rest is recomputed each step.
 */
import type { Scenario } from '../../protocol/scenario.ts';
import type { SimState } from './sim-state.ts';
import type { Topology } from './topology.ts';

export interface UserTables {
  readonly refresh: Float64Array;
  readonly abandon: Float64Array;
}

/** Time constant of the recent failure share that abandoning users react to. */
const ABANDON_MEMORY_MS = 120_000;

/** The users tables, or null when no journey describes its users (the physics then skips all of this). */
export function compileUsers(scenario: Scenario): UserTables | null {
  const journeys = scenario.journeys;
  if (!journeys.some((j) => j.users !== undefined && (j.users.refresh > 0 || j.users.abandon > 0))) return null;
  return {
    refresh: Float64Array.from(journeys, (j) => j.users?.refresh ?? 0),
    abandon: Float64Array.from(journeys, (j) => j.users?.abandon ?? 0),
  };
}

/**
 * At a step's start: each journey's arrivals (its rate × the entry's traffic factor, less those who
 * left, plus the reloads due), and what the users add to their entry's arrivals.
 */
export function journeyDemand(topo: Topology, sim: SimState): void {
  const { journeyEntry, journeyRps, users } = topo;
  if (users !== null) for (let j = 0; j < journeyEntry.length; j++) sim.extraRps[journeyEntry[j] as number] = 0;
  for (let j = 0; j < journeyEntry.length; j++) {
    const s = journeyEntry[j] as number;
    const fresh = (journeyRps[j] as number) * (sim.noiseRps[s] as number);
    if (users === null) {
      sim.journeyArrivals[j] = fresh;
      continue;
    }
    const gone = fresh * (users.abandon[j] as number) * (sim.journeyFailRecent[j] as number);
    const reloads = sim.journeyReload[j] as number;
    sim.journeyArrivals[j] = fresh - gone + reloads;
    sim.extraRps[s] = (sim.extraRps[s] as number) + reloads - gone;
    sim.sumJourneyGone[j] = (sim.sumJourneyGone[j] as number) + gone;
  }
}

/** At a step's end, from the share of this step's requests that failed: next step's reloads, and the recent failure share. */
export function usersAfterStep(topo: Topology, users: UserTables, sim: SimState, stepMs: number): void {
  const follow = 1 - Math.exp(-stepMs / ABANDON_MEMORY_MS);
  for (let j = 0; j < topo.journeyEntry.length; j++) {
    const failed = sim.journeyFailNow[j] as number;
    const arrivals = sim.journeyArrivals[j] as number;
    sim.journeyReload[j] = (users.refresh[j] as number) * failed * arrivals;
    const recent = sim.journeyFailRecent[j] as number;
    sim.journeyFailRecent[j] = recent + (failed - recent) * follow;
    sim.sumJourneyArrivals[j] = (sim.sumJourneyArrivals[j] as number) + arrivals;
  }
}
