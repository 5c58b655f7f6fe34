/**
 * The physics of one tick: a fixed number of fixed steps (step.ts), so the dynamics do not depend on
 * the scenario's tick, then the tick's telemetry from the steps' sums. The tick stays the unit of
 * alerts, impact and events; machines only hear about threshold crossings.
 *
 * A system at rest (quiet.ts) takes one step per traffic draw instead: nothing in it moves between
 * draws, so the short steps would only recompute the same numbers.
 */
import { FAST_FAIL_MS, demandPass, healthPass } from './step.ts';
import { warmCaches } from './cache.ts';
import { Z99, shareLater } from './latency.ts';
import { clearTickSums, type SimState } from './sim-state.ts';
import type { Topology } from './topology.ts';
import { NOISE_MS, drawTraffic, type TrafficShape } from './traffic.ts';
import type { Stream } from './rng.ts';
import { journeyDemand, usersAfterStep } from './users.ts';
import { isQuiet } from './quiet.ts';

/** Where a tick's traffic and noise come from: each service's stream and the scenario's shape. */
export interface NoiseSource {
  readonly streams: readonly Stream[];
  readonly shape: TrafficShape;
}

/**
 * The physics step. The model is a fluid one (rates and queues, not single requests), so it needs a
 * step short against how fast queues and retries build, not against each timeout: 2 s keeps the
 * metastability threshold where 1 s steps put it (test/core/physics.test.ts) at half the cost.
 */
const STEP_MS = 2000;
/**
 * At rest, callers recompose only when a callee's answer moves ten times more than on short steps:
 * a traffic draw then moves lightly loaded waits by less than that, and nothing climbs the graph.
 */
const QUIET_TOLERANCE = 10;
/** Default queue limit: this many seconds of work at the service's healthy throughput. */
const DEFAULT_QUEUE_SECONDS = 10;
/** A topic's lag in seconds is capped here (a week) when nothing is being published any more. */
const MAX_LAG_SECONDS = 7 * 24 * 3600;
/** Steps run before the drill starts, so queues and retries begin in their healthy steady state. */
const WARM_UP_STEPS = 30;

/** Steps per tick and their length: whole steps of at most STEP_MS (NOISE_MS when quiet) that fill the tick exactly. */
export function stepsPerTick(tickMs: number, quiet = false): { steps: number; stepMs: number } {
  const steps = Math.max(1, Math.ceil(tickMs / (quiet ? NOISE_MS : STEP_MS)));
  return { steps, stepMs: tickMs / steps };
}

/**
 * What a chart of one service shows, from the physics' answer: the latency and error noise of the
 * service itself (traffic.ts) are added here, as observations. The physics runs on their mean, so a
 * service's jitter does not ripple through every caller at each draw (recomposing the whole graph
 * every 10 s was most of the simulation's cost), while traffic, which fills queues, stays physical.
 *
 * The error noise moves the service's own base failure share b to b·n, inside the failure share e
 * it answers with: e' = 1 − (1 − e)(1 − b·n) / (1 − b), so a failing service stays within [0, 1].
 */
function observedError(e: number, base: number, factor: number): number {
  if (base <= 0 || base >= 1 || factor === 1) return e;
  const noisy = Math.min(1, base * factor);
  return Math.min(1, Math.max(0, 1 - ((1 - e) * (1 - noisy)) / (1 - base)));
}

/**
 * The tick's telemetry: rates over all its steps' requests, saturation averaged; latency percentiles
 * as at the tick's end (a gauge read when scraped), from the wait plus the log-normal time in service.
 * Mostly refused traffic answers fast, so its percentiles are the refusal's.
 */
function finishTick(topo: Topology, sim: SimState, steps: number): void {
  for (let s = 0; s < topo.n; s++) {
    const responses = sim.sumResponses[s] as number;
    const jitter = sim.noiseLat[s] as number;
    sim.offered[s] = (sim.sumArrivals[s] as number) / steps;
    const errorRate = responses > 0 ? (sim.sumFailed[s] as number) / responses : 0;
    sim.errorRate[s] = observedError(errorRate, topo.baseErr[s] as number, sim.noiseErr[s] as number);
    sim.degraded[s] = responses > 0 ? (sim.sumDegraded[s] as number) / responses : 0;
    sim.saturation[s] = (sim.sumSaturation[s] as number) / steps;
    const refused = sim.refusedShare[s] as number;
    const wait = sim.waitMs[s] as number;
    sim.p50[s] = refused >= 0.5 ? FAST_FAIL_MS : wait + (sim.medianMs[s] as number) * jitter;
    sim.p99[s] = refused >= 0.99 ? FAST_FAIL_MS : wait + (sim.tailMs[s] as number) * jitter;
  }
  for (let t = 0; t < topo.topicIds.length; t++) {
    const rate = (sim.sumPublished[t] as number) / steps;
    const lag = sim.topicLag[t] as number;
    sim.topicRate[t] = rate;
    sim.topicConsumed[t] = (sim.sumConsumed[t] as number) / steps;
    // The age of the oldest unconsumed message, as lag exporters estimate it: the lag over the
    // publish rate (exact for first-in, first-out consumption at a steady rate).
    sim.topicLagSeconds[t] = lag <= 0 ? 0 : Math.min(MAX_LAG_SECONDS, lag / Math.max(rate, 1e-9));
  }
  const routed = topo.routes?.routed;
  for (let j = 0; j < topo.journeyEntry.length; j++) {
    const s = topo.journeyEntry[j] as number;
    // The journey's users see its entry's noise (observedError above).
    sim.journeyErrorRate[j] = observedError((sim.sumJourneyFail[j] as number) / steps, topo.baseErr[s] as number, sim.noiseErr[s] as number);
    let p99 = sim.p99[s] as number;
    const isRouted = routed !== undefined && routed[j] === 1;
    if (isRouted) {
      // Its own time in service after the entry's wait.
      const own = (sim.waitMs[s] as number) + Math.exp((sim.journeyLogMu[j] as number) + Z99 * (sim.journeyLogSigma[j] as number)) * (sim.noiseLat[s] as number);
      p99 = (sim.refusedShare[s] as number) >= 0.99 ? FAST_FAIL_MS : own;
      sim.journeyDegraded[j] = (sim.sumJourneyDegraded[j] as number) / steps;
    }
    const timeout = topo.journeyTimeoutMs[j] as number;
    sim.journeyP99[j] = Math.min(timeout, p99);
    sim.journeySlow[j] = slowShare(sim, j, s, isRouted, timeout, topo.journeySloP99Ms[j] as number);
    if (topo.users !== null) {
      sim.journeyRps[j] = (sim.sumJourneyArrivals[j] as number) / steps;
      sim.journeyGoneRps[j] = (sim.sumJourneyGone[j] as number) / steps;
    }
  }
}

/**
 * One tick of physics from simulated time `now`; the fault modifiers must already be set. Traffic and
 * noise are drawn on their own fixed grid (every NOISE_MS of simulated time, whatever the tick), so a
 * drill with a 1 s tick and one with a 30 s tick see the same traffic, second by second.
 */
export function computeTick(topo: Topology, sim: SimState, tickMs: number, now: number, noise?: NoiseSource): void {
  // Decided from the state the tick starts in (the last tick's telemetry and this tick's inputs).
  const quiet = sim.restSteps && isQuiet(topo, sim);
  const { steps, stepMs } = stepsPerTick(tickMs, quiet);
  clearTickSums(sim);
  for (let i = 0; i < steps; i++) {
    const t = now + i * stepMs;
    if (noise) {
      while (sim.nextNoiseAt <= t) {
        drawTraffic(topo, sim, noise.streams, noise.shape, sim.nextNoiseAt);
        sim.nextNoiseAt += NOISE_MS;
      }
    }
    if (topo.routes !== null || topo.users !== null) journeyDemand(topo, sim);
    demandPass(topo, sim, stepMs);
    healthPass(topo, sim, stepMs, quiet ? QUIET_TOLERANCE : 1);
    if (topo.cacheEdges.length > 0) warmCaches(topo, sim, stepMs);
    if (topo.users !== null) usersAfterStep(topo, topo.users, sim, stepMs);
    sim.step++;
  }
  finishTick(topo, sim, steps);
}

/**
 * The share of a journey's requests this tick slower than `limit` ms, from the same distribution its
 * p99 is read from (the wait, then the log-normal time in service with this tick's jitter): what a
 * histogram of the tick would show above that bucket. Refused requests answer fast, and none is slower
 * than the user's timeout.
 */
function slowShare(sim: SimState, j: number, s: number, routed: boolean, timeout: number, limit: number): number {
  const refused = sim.refusedShare[s] as number;
  if (limit >= timeout || refused >= 0.99) return 0;
  const mu = routed ? (sim.journeyLogMu[j] as number) : (sim.logMu[s] as number);
  const sigma = routed ? (sim.journeyLogSigma[j] as number) : (sim.logSigma[s] as number);
  return (1 - refused) * shareLater((limit - (sim.waitMs[s] as number)) / (sim.noiseLat[s] as number), mu, sigma);
}

/**
 * Sizes each service once, from the scenario's healthy numbers: its time in service with no queues,
 * then its workers (capacity × that time, when the scenario gives capacity in rps) and its queue
 * limit. Then runs the healthy system for a while, so the drill starts in its steady state.
 */
export function calibrate(topo: Topology, sim: SimState): void {
  sim.throughput.fill(Number.POSITIVE_INFINITY);
  sim.workers.fill(Number.POSITIVE_INFINITY);
  healthPass(topo, sim, STEP_MS);
  for (let s = 0; s < topo.n; s++) {
    const inService = (sim.serviceMean[s] as number) / 1000;
    const given = topo.concurrency[s] as number;
    const workers = Number.isNaN(given) ? (topo.capacity[s] as number) * inService : given;
    sim.workers[s] = workers;
    sim.waitExponent[s] = Math.sqrt(2 * (workers + 1)) - 1;
    const capacity = Number.isNaN(topo.capacity[s] as number) ? workers / inService : (topo.capacity[s] as number);
    const limit = topo.queueLimit[s] as number;
    sim.queueLimit[s] = Number.isNaN(limit) ? capacity * DEFAULT_QUEUE_SECONDS : limit;
    sim.throughput[s] = workers / inService;
    sim.inServiceLag[s] = sim.serviceMean[s] as number;
  }
  for (let i = 0; i < WARM_UP_STEPS; i++) computeTick(topo, sim, STEP_MS, 0);
  // Users' memory of failures is slower than the warm-up: start it at its healthy value.
  if (topo.users !== null) sim.journeyFailRecent.set(sim.journeyErrorRate);
}
