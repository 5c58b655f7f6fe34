/**
 * Every number the physics carries from one step to the next, in typed arrays: per service, per
 * edge (the retry ring: RING slots per edge) and per journey. All of it is hashed into checkpoints
 * (see simArrays), so two runs that agree on a checkpoint agree on the whole future.
 */
import type { Topology } from './topology.ts';
import { setEdgeWeights } from './routes.ts';

/** Slots of each edge's retry ring: retries can be due up to RING - 1 steps ahead. */
export const RING = 16;
/** Per service, what its callers last composed against (step.ts publish): 7 numbers. */
export const PUBLISHED = 7;

export interface SimState {
  /** Steps taken so far: the ring's clock. Sets the slot that is due now. */
  step: number;
  /** Simulated time of the next traffic and noise draw (traffic.ts). */
  nextNoiseAt: number;
  /** How many times inputsChanged was called: a count for tools (the bench replays it), not state. */
  inputChanges: number;
  /**
   * Whether a tick at rest may take one long step (quiet.ts). Always true in a drill; the bench
   * turns it off to time the fixed 2 s steps themselves.
   */
  restSteps: boolean;
  // Modifiers from faults, recomputed every tick.
  readonly errAdd: Float64Array;
  /** Failures keyed to a share of keys: a retry of a hit key fails again. */
  readonly errKey: Float64Array;
  readonly latAdd: Float64Array;
  readonly latVar: Float64Array;
  readonly latMul: Float64Array;
  readonly capMul: Float64Array;
  readonly rpsMul: Float64Array;
  /** Arrivals users add at each entry this step: reloads less those who left (users.ts). */
  readonly extraRps: Float64Array;
  /** Edge faults: shares of attempts refused or blackholed before they reach the callee (independent and keyed), and added delay in ms. */
  readonly edgeRefuse: Float64Array;
  readonly edgeHang: Float64Array;
  readonly edgeRefuseKeyed: Float64Array;
  readonly edgeHangKeyed: Float64Array;
  readonly edgeDelay: Float64Array;
  /** Share of attempts on each edge that reach the callee (the rest stopped by an edge fault), from the last composition. */
  readonly edgeReach: Float64Array;
  // Lasting effects of responders' actions.
  readonly capScale: Float64Array;
  readonly shed: Float64Array;
  readonly restarting: Uint8Array;
  readonly edgeManualOpen: Uint8Array;
  readonly edgeDisabled: Uint8Array;
  readonly edgeRetries: Int32Array;
  readonly edgeBudget: Float64Array;
  /**
   * Retry throttling and adaptive throttling in force (a retry-policy action can change them): as in
   * the topology, 0 = none. These and the throttle state below are empty arrays unless the scenario
   * names a throttle somewhere (topo.throttled), so other scenarios keep their checkpoints.
   */
  readonly edgeThrottleTokens: Float64Array;
  readonly edgeThrottleRatio: Float64Array;
  readonly edgeAdaptiveK: Float64Array;
  readonly edgeAdaptiveWindowMs: Float64Array;
  // Traffic and noise (traffic.ts): the AR(1) states and this tick's factors.
  readonly trafficAr: Float64Array;
  readonly latencyAr: Float64Array;
  /** Customer traffic factor at each service this tick: daily shape × autocorrelated noise. */
  readonly noiseRps: Float64Array;
  readonly noiseLat: Float64Array;
  readonly noiseErr: Float64Array;
  // Calibrated once (calibrate.ts): workers and queue limit.
  readonly workers: Float64Array;
  readonly queueLimit: Float64Array;
  /** √(2(workers + 1)) − 1: the exponent of Sakasegawa's queueing-wait formula. */
  readonly waitExponent: Float64Array;
  /** The busy and busy^waitExponent last computed exactly per service: later steps move it to first order (step.ts), so it is state. */
  readonly lastBusy: Float64Array;
  readonly lastBusyPower: Float64Array;
  /** What callers last composed against, per service (step.ts publish). */
  readonly published: Float64Array;
  // Per-step state of each service (step.ts).
  readonly backlog: Float64Array;
  readonly inflow: Float64Array;
  readonly arrivals: Float64Array;
  readonly served: Float64Array;
  readonly refused: Float64Array;
  /** Requests per second the workers can complete at the current time in service. */
  readonly throughput: Float64Array;
  /** Mean and variance of the time a request holds a worker, in ms (own work plus dependency calls). */
  readonly serviceMean: Float64Array;
  readonly serviceVar: Float64Array;
  /** The time in service the workers feel: serviceMean through a first-order lag (step.ts). */
  readonly inServiceLag: Float64Array;
  /** Log-normal parameters of that time, for callers' timeout arithmetic. */
  readonly logMu: Float64Array;
  readonly logSigma: Float64Array;
  /** That log-normal's median and 99th percentile, e^mu and e^(mu + z99·sigma): a cache of the above for the telemetry, not state. */
  readonly medianMs: Float64Array;
  readonly tailMs: Float64Array;
  /** Queueing wait before a worker picks the request up, in ms. */
  readonly waitMs: Float64Array;
  /** Share of arrivals refused at once (queue full, shed, restarting). */
  readonly refusedShare: Float64Array;
  /** Failure of a served request: independent of retries, and keyed (fails again on retry). */
  readonly failInd: Float64Array;
  readonly failKey: Float64Array;
  /** Share of successful responses that were served degraded (a fallback somewhere below). */
  readonly degradedOk: Float64Array;
  /** Services to compose again at the next step: their inputs changed (a fault or action: inputsChanged; a retry allowance, a cache, a route's share; a callee's answer, earlier in the same pass). */
  readonly dirty: Uint8Array;
  // Per-step state of each edge.
  /** Retries due at each of the next RING steps, as requests (not rates): steps may differ in length. */
  readonly ring: Float64Array;
  /** Retries per sent attempt that go into the ring: those the client will want to send when they fall due (the budget then sends its share), from the last composition. */
  readonly edgeRetryShare: Float64Array;
  /** Share of due retries the budget let through at the last step. */
  readonly edgeRetryAllowed: Float64Array;
  /** Mean time from sending an attempt to its failure, in ms: when its retry becomes due. */
  readonly edgeFailMs: Float64Array;
  /** Failure probability of one attempt (breakers watch it). */
  readonly edgeAttemptFail: Float64Array;
  readonly edgeOpen: Uint8Array;
  // Per topic (asynchronous edge).
  /** Messages published and not yet consumed successfully: the consumer lag. */
  readonly topicLag: Float64Array;
  /** Messages per second published this step (scratch: the producer writes it, the consumer reads it). */
  readonly topicIn: Float64Array;
  /**
   * Caches in front of dependencies (cache.ts), per edge; empty when the scenario has none. The
   * current hit ratio, and the share of the last composed miss calls that succeeded (what fills it).
   */
  readonly cacheHit: Float64Array;
  readonly cacheFill: Float64Array;
  /** Routes (routes.ts; empty without them): share of the caller's traffic that makes each call. */
  readonly edgeWeight: Float64Array;
  // Per-step state of each journey. Routes: its share of its entry's arrivals, and its own composition.
  readonly journeyShare: Float64Array;
  readonly journeyMean: Float64Array;
  readonly journeyVar: Float64Array;
  readonly journeyOkFree: Float64Array;
  readonly journeyOkKeyed: Float64Array;
  readonly journeyNotDegraded: Float64Array;
  readonly journeyLogMu: Float64Array;
  readonly journeyLogSigma: Float64Array;
  /** Users (users.ts; empty without them): reloads due at the next step (rps), and the recent failure share. */
  readonly journeyReload: Float64Array;
  readonly journeyFailRecent: Float64Array;
  /** This step's arrivals of each journey, and the share of them that failed. */
  readonly journeyArrivals: Float64Array;
  readonly journeyFailNow: Float64Array;
  /** Adaptive throttling (step.ts): attempts the caller made and attempts the callee accepted, per second, averaged over the window. */
  readonly edgeRequestRate: Float64Array;
  readonly edgeAcceptRate: Float64Array;
  /** Share of attempts the caller rejects locally now, and share of attempts accepted at the last composition. */
  readonly edgeReject: Float64Array;
  readonly edgeAcceptShare: Float64Array;
  // Per-tick sums over the tick's steps.
  readonly sumArrivals: Float64Array;
  readonly sumResponses: Float64Array;
  readonly sumFailed: Float64Array;
  readonly sumDegraded: Float64Array;
  readonly sumSaturation: Float64Array;
  readonly sumJourneyFail: Float64Array;
  readonly sumPublished: Float64Array;
  readonly sumConsumed: Float64Array;
  readonly sumJourneyDegraded: Float64Array;
  readonly sumJourneyArrivals: Float64Array;
  readonly sumJourneyGone: Float64Array;
  // Outputs of the last tick.
  readonly offered: Float64Array;
  readonly errorRate: Float64Array;
  readonly degraded: Float64Array;
  readonly p50: Float64Array;
  readonly p99: Float64Array;
  readonly saturation: Float64Array;
  readonly journeyErrorRate: Float64Array;
  readonly journeyP99: Float64Array;
  /** Share of each journey's requests this tick slower than its SLO's p99Ms (windowed SLOs sum it: rules/slo-window.ts). */
  readonly journeySlow: Float64Array;
  /** Per topic: messages published and consumed per second, and the age of the oldest unconsumed message. */
  readonly topicRate: Float64Array;
  readonly topicConsumed: Float64Array;
  readonly topicLagSeconds: Float64Array;
  /** Routed journeys: their share served degraded. Users: their requests a second (reloads included), and those that leavers no longer send. */
  readonly journeyDegraded: Float64Array;
  readonly journeyRps: Float64Array;
  readonly journeyGoneRps: Float64Array;
}

export function createSimState(topo: Topology): SimState {
  const n = topo.n;
  const m = topo.edgeCount;
  const jn = topo.journeyEntry.length;
  const tn = topo.topicIds.length;
  const cached = topo.cacheEdges.length > 0 ? m : 0;
  const cacheHit = new Float64Array(cached);
  topo.cacheEdges.forEach((e, c) => (cacheHit[e] = topo.cacheHitRatio[c] as number));
  // A feature the scenario does not use keeps empty arrays: they cost nothing and leave the checkpoint hash as it was.
  const jr = topo.routes ? jn : 0;
  const ju = topo.users ? jn : 0;
  const f = (len: number, fill = 0) => new Float64Array(len).fill(fill);
  const throttle = (values: Float64Array) => (topo.throttled ? Float64Array.from(values) : f(0));
  const sim: SimState = {
    step: 0,
    nextNoiseAt: 0,
    inputChanges: 0,
    restSteps: true,
    errAdd: f(n),
    errKey: f(n),
    latAdd: f(n),
    latVar: f(n),
    latMul: f(n, 1),
    capMul: f(n, 1),
    rpsMul: f(n, 1),
    extraRps: f(n),
    edgeRefuse: f(m),
    edgeHang: f(m),
    edgeRefuseKeyed: f(m),
    edgeHangKeyed: f(m),
    edgeDelay: f(m),
    edgeReach: f(m, 1),
    capScale: f(n, 1),
    shed: f(n),
    restarting: new Uint8Array(n),
    edgeManualOpen: new Uint8Array(m),
    edgeDisabled: new Uint8Array(m),
    edgeRetries: Int32Array.from(topo.edgeRetries),
    edgeBudget: Float64Array.from(topo.edgeBudget),
    edgeThrottleTokens: throttle(topo.edgeThrottleTokens),
    edgeThrottleRatio: throttle(topo.edgeThrottleRatio),
    edgeAdaptiveK: throttle(topo.edgeAdaptiveK),
    edgeAdaptiveWindowMs: throttle(topo.edgeAdaptiveWindowMs),
    trafficAr: f(n),
    latencyAr: f(n),
    noiseRps: f(n, 1),
    noiseLat: f(n, 1),
    noiseErr: f(n, 1),
    workers: f(n),
    queueLimit: f(n),
    waitExponent: f(n),
    lastBusy: f(n, -1),
    lastBusyPower: f(n),
    published: f(n * PUBLISHED, -1),
    backlog: f(n),
    inflow: f(n),
    arrivals: f(n),
    served: f(n),
    refused: f(n),
    throughput: f(n, Number.POSITIVE_INFINITY),
    serviceMean: f(n),
    serviceVar: f(n),
    inServiceLag: f(n),
    logMu: f(n),
    medianMs: f(n),
    tailMs: f(n),
    logSigma: f(n),
    waitMs: f(n),
    refusedShare: f(n),
    failInd: f(n),
    failKey: f(n),
    degradedOk: f(n),
    dirty: new Uint8Array(n).fill(1),
    ring: f(m * RING),
    edgeRetryShare: f(m),
    edgeRetryAllowed: f(m, 1),
    edgeFailMs: f(m),
    edgeAttemptFail: f(m),
    edgeOpen: new Uint8Array(m),
    topicLag: f(tn),
    topicIn: f(tn),
    cacheHit,
    cacheFill: f(cached),
    edgeWeight: f(topo.routes ? m : 0, 1),
    journeyShare: topo.routes ? Float64Array.from(topo.routes.share0) : f(0),
    journeyMean: f(jr),
    journeyVar: f(jr),
    journeyOkFree: f(jr),
    journeyOkKeyed: f(jr),
    journeyNotDegraded: f(jr),
    journeyLogMu: f(jr),
    journeyLogSigma: f(jr),
    journeyReload: f(ju),
    journeyFailRecent: f(ju),
    journeyArrivals: f(jn),
    journeyFailNow: f(jn),
    edgeRequestRate: f(topo.throttled ? m : 0),
    edgeAcceptRate: f(topo.throttled ? m : 0),
    edgeReject: f(topo.throttled ? m : 0),
    edgeAcceptShare: f(topo.throttled ? m : 0, 1),
    sumArrivals: f(n),
    sumResponses: f(n),
    sumFailed: f(n),
    sumDegraded: f(n),
    sumSaturation: f(n),
    sumJourneyFail: f(jn),
    sumPublished: f(tn),
    sumConsumed: f(tn),
    sumJourneyDegraded: f(jr),
    sumJourneyArrivals: f(ju),
    sumJourneyGone: f(ju),
    offered: f(n),
    errorRate: f(n),
    degraded: f(n),
    p50: f(n),
    p99: f(n),
    saturation: f(n),
    journeyErrorRate: f(jn),
    journeyP99: f(jn),
    journeySlow: f(jn),
    topicRate: f(tn),
    topicConsumed: f(tn),
    topicLagSeconds: f(tn),
    journeyDegraded: f(jr),
    journeyRps: f(ju),
    journeyGoneRps: f(ju),
  };
  const routes = topo.routes;
  if (routes) for (let s = 0; s < n; s++) if ((routes.byEntryStart[s + 1] as number) > (routes.byEntryStart[s] as number)) setEdgeWeights(routes, sim, s, topo.edgeStart);
  return packed(sim);
}

/** Views of a sim's packed arrays (packed below): the hashed numbers in blocks, and the tick sums in another. */
interface Blocks {
  /** The hashed state as 32-bit words: the float block, the integer block, the byte block (padded to whole words). */
  readonly words: readonly Uint32Array[];
  readonly sums: Float64Array;
}
const blocksOf = new WeakMap<SimState, Blocks>();

/**
 * Moves the sim's arrays into contiguous blocks, each array becoming a view of its part: the state's
 * floats, its integers and its bytes (in simArrays' order), and the tick sums. A checkpoint then
 * hashes the whole state as three runs of words, and a tick clears its sums with one fill, instead of
 * a call per array: with a hundred small arrays, those calls were a quarter of a small scenario's
 * simulation time, and the per-array hashing a tenth of a checkpoint.
 */
function packed(sim: SimState): SimState {
  type Kind = Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;
  const pack = <K extends Kind>(kind: K, keys: readonly (keyof SimState)[]): InstanceType<K> => {
    const mine = keys.filter((k) => sim[k] instanceof kind);
    const length = mine.reduce((sum, k) => sum + (sim[k] as InstanceType<K>).length, 0);
    // Whole words, so the block can be read as 32-bit words (the padding stays zero).
    const block = new kind(kind === Uint8Array ? Math.ceil(length / 4) * 4 : length) as InstanceType<K>;
    let at = 0;
    const views: Partial<Record<keyof SimState, InstanceType<K>>> = {};
    for (const k of mine) {
      const values = sim[k] as InstanceType<K>;
      block.set(values as never, at);
      views[k] = block.subarray(at, at + values.length) as InstanceType<K>;
      at += values.length;
    }
    Object.assign(sim, views);
    return block;
  };
  const keys = stateKeysOf(sim);
  const words = [pack(Float64Array, keys), pack(Int32Array, keys), pack(Uint8Array, keys)].map(
    (block) => new Uint32Array(block.buffer, block.byteOffset, block.byteLength / 4),
  );
  const sums = pack(Float64Array, TICK_SUMS);
  blocksOf.set(sim, { words, sums });
  return sim;
}

/** The words a checkpoint hashes: every state array's bits, floats, then integers, then bytes, each in simArrays' order. */
export function checkpointWords(sim: SimState): readonly Uint32Array[] {
  return blocksOfSim(sim).words;
}

function blocksOfSim(sim: SimState): Blocks {
  const blocks = blocksOf.get(sim);
  if (blocks === undefined) throw new Error('invariant: a sim made without createSimState');
  return blocks;
}

/** The per-tick sums: cleared at each tick's start, read at its end. */
const TICK_SUMS = [
  'sumArrivals',
  'sumResponses',
  'sumFailed',
  'sumDegraded',
  'sumSaturation',
  'sumJourneyFail',
  'sumPublished',
  'sumConsumed',
  'sumJourneyDegraded',
  'sumJourneyArrivals',
  'sumJourneyGone',
] as const;
/** Scratch arrays: cleared or overwritten before every use, so they carry nothing into the future. */
const SCRATCH: ReadonlySet<string> = new Set(['medianMs', 'tailMs', 'inflow', 'topicIn', 'extraRps', 'journeyArrivals', 'journeyFailNow', ...TICK_SUMS]);

export function clearTickSums(sim: SimState): void {
  blocksOfSim(sim).sums.fill(0);
}
let stateKeys: (keyof SimState)[] | undefined;

/**
 * Every typed array of the state but the scratch ones, in a fixed order, for the checkpoint hash. The
 * arrays of a feature a scenario does not use (topics, caches, routes, users, throttles) are empty,
 * and the checkpoint skips empty arrays, so such a scenario hashes as it did before the feature.
 */
export function simArrays(sim: SimState): (Float64Array | Int32Array | Uint8Array)[] {
  // A sim's arrays never change identity, and a checkpoint every simulated minute asks for them.
  let arrays = arraysOf.get(sim);
  if (arrays === undefined) {
    arrays = stateKeysOf(sim).map((k) => sim[k] as Float64Array | Int32Array | Uint8Array);
    arraysOf.set(sim, arrays);
  }
  return arrays;
}

function stateKeysOf(sim: SimState): (keyof SimState)[] {
  stateKeys ??= (Object.keys(sim) as (keyof SimState)[]).filter((k) => !SCRATCH.has(k) && typeof sim[k] === 'object').sort();
  return stateKeys;
}
const arraysOf = new WeakMap<SimState, (Float64Array | Int32Array | Uint8Array)[]>();

/**
 * Faults and actions call this when they change what the physics reads (modifiers, lasting effects):
 * every service is composed again at the next step, and the tick cannot run at rest (quiet.ts).
 */
export function inputsChanged(sim: SimState): void {
  sim.dirty.fill(1);
  sim.inputChanges++;
}

export function resetModifiers(sim: SimState): void {
  sim.errAdd.fill(0);
  sim.errKey.fill(0);
  sim.latAdd.fill(0);
  sim.latVar.fill(0);
  sim.latMul.fill(1);
  sim.capMul.fill(1);
  sim.rpsMul.fill(1);
  sim.edgeRefuse.fill(0);
  sim.edgeHang.fill(0);
  sim.edgeRefuseKeyed.fill(0);
  sim.edgeHangKeyed.fill(0);
  sim.edgeDelay.fill(0);
}
