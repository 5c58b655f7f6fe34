/**
 * One fixed physics step (cascade.ts STEP_MS of simulated time), in two passes over the dependency graph.
 *
 * 1. Demand, callers first. Arrivals join the service's queue; its workers complete requests at
 *    `throughput` (workers ÷ time in service); what does not fit waits (the backlog) and what does not
 *    fit in the queue is refused at once. Every completed request calls its dependencies, whether or
 *    not its own caller is still waiting: work for callers that timed out is still done (wasted work).
 *    Retries that fall due now come out of each edge's ring; a retry budget caps them. The attempts
 *    sent now schedule their own retries into later slots, spread over the failure time plus the
 *    jittered backoff, so retries arrive later rather than in the same instant.
 * 2. Health, callees first. A callee's response to an attempt is: refused fast, or queued for its wait
 *    and then served in a log-normal time; the attempt times out when wait + service outlives the
 *    caller's timeout. Failures come in two kinds: independent ones (a retry may succeed) and keyed
 *    ones (the request is for a broken key, so every retry fails too). Retries multiply attempts and
 *    time in service; a worker is held for all of it, so a slow dependency takes its callers'
 *    throughput away: that is how a cascade spreads upwards.
 */
import { PUBLISHED as PUBLISHED_SLOTS, RING as RING_SLOTS, type SimState } from './sim-state.ts';
import { Z99, shareLater as shareLaterOf } from './latency.ts';
import type { Topology } from './topology.ts';
import { addCall, mixJourneys, startJourneys, updateShares } from './routes.ts';

// Local copies: an imported binding is read through a getter on every use in the hot loops.
const RING = RING_SLOTS;
const PUBLISHED = PUBLISHED_SLOTS;
const shareLater = shareLaterOf;

/** Latency of an attempt that is refused (connection refused, queue full, breaker open), in ms. */
export const FAST_FAIL_MS = 2;
const RING_MASK = RING - 1;
const BREAKER_CLOSE_RATIO = 0.8;
/** Utilisation above which the queueing wait formula is capped: beyond it the backlog speaks. */
const MAX_WAIT_UTILISATION = 0.95;
/** busy^k is reused, moved to first order, while k × its relative move stays below this (step.ts healthPass). */
const BUSY_CREEP = 1e-3;
/** The wait reported when no worker is left to serve the queue: longer than any timeout. */
const STUCK_WAIT_MS = 3_600_000;

/** Spreads `amount` uniformly over [lo, hi) (in steps from now) into the ring's later slots. */
function spread(ring: Float64Array, base: number, head: number, lo: number, hi: number, amount: number): void {
  // Nothing comes back within the step that sent it, so a window that ends by the second step's end
  // (short backoffs on 2 s steps: the usual case) lands whole in the next step.
  if (hi <= 2) {
    const next = base + ((head + 1) & RING_MASK);
    ring[next] = (ring[next] as number) + amount;
    return;
  }
  const width = hi - lo;
  for (let k = Math.floor(lo); k < hi; k++) {
    const from = k > lo ? k : lo;
    if (k >= RING - 1) {
      // Anything due later than the ring reaches waits in its last slot.
      const last = base + ((head + RING - 1) & RING_MASK);
      ring[last] = (ring[last] as number) + (amount * (hi - from)) / width;
      return;
    }
    // Nothing comes back within the step that sent it: the earliest is the next step.
    const slot = base + ((head + (k < 1 ? 1 : k)) & RING_MASK);
    ring[slot] = (ring[slot] as number) + (amount * ((hi < k + 1 ? hi : k + 1) - from)) / width;
  }
}

export function demandPass(topo: Topology, sim: SimState, stepMs: number): void {
  const { order, edgeStart, edgeTo, edgeCalls, edgeBackoffMs, edgeTopic, consumeStart } = topo;
  const { inflow, backlog, ring, edgeRetryShare, edgeRetryAllowed, edgeFailMs, edgeBudget, topicIn } = sim;
  const { cacheHit } = sim;
  const cached = cacheHit.length > 0;
  const dt = stepMs / 1000;
  // Multiplications in the loops below: a division per edge was a tenth of the pass.
  const perDt = 1000 / stepMs;
  const perStepMs = 1 / stepMs;
  const head = sim.step & RING_MASK;
  const routes = topo.routes;
  const throttled = sim.edgeAdaptiveK.length > 0;
  for (let k = 0; k < topo.n; k++) {
    const s = order[k] as number;
    // Customer traffic, plus what its users add (reloads) or take away (those who left): users.ts.
    const ext = ((topo.baseRps[s] as number) + (topo.extRps[s] as number)) * (sim.noiseRps[s] as number) + (sim.extraRps[s] as number);
    const total = (inflow[s] as number) + ext;
    const a = total * (sim.rpsMul[s] as number);
    inflow[s] = 0;
    if (routes !== null && (routes.byEntryStart[s + 1] as number) > (routes.byEntryStart[s] as number)) updateShares(routes, sim, s, total, edgeStart);
    sim.arrivals[s] = a;
    const shed = a * (sim.shed[s] as number);
    let served = 0;
    let refused = shed;
    if (sim.restarting[s]) {
      refused = a;
      backlog[s] = 0;
    } else {
      const q = backlog[s] as number;
      served = Math.min(sim.throughput[s] as number, q * perDt + a - shed);
      let next = q + (a - shed - served) * dt;
      const limit = sim.queueLimit[s] as number;
      if (next > limit) {
        refused += (next - limit) * perDt;
        next = limit;
      }
      backlog[s] = next;
    }
    // A consumer spends what its workers have left after the synchronous requests on its topics.
    if ((consumeStart[s + 1] as number) > (consumeStart[s] as number)) served = consume(topo, sim, s, served, dt);
    sim.served[s] = served;
    sim.refused[s] = refused;

    const end = edgeStart[s + 1] as number;
    for (let e = edgeStart[s] as number; e < end; e++) {
      const base = e * RING;
      const slot = base + head;
      // The ring holds requests (not rates), so a step of another length gets the same retries.
      const due = (ring[slot] as number) * perDt;
      ring[slot] = 0;
      if (sim.edgeDisabled[e] || sim.edgeOpen[e]) {
        // Nothing is sent, but an adaptive throttle's window still moves on and forgets.
        if (throttled && (sim.edgeAdaptiveK[e] as number) > 0) adaptiveThrottle(sim, e, s, 0, dt);
        continue;
      }
      // With routes, only the share of the traffic whose route makes this call makes it.
      const calls = routes === null ? served * (edgeCalls[e] as number) : served * (edgeCalls[e] as number) * (sim.edgeWeight[e] as number);
      const topic = edgeTopic[e] as number;
      if (topic >= 0) {
        // Published and forgotten: the message waits on the topic for its consumer (consume below).
        topicIn[topic] = (topicIn[topic] as number) + calls;
        continue;
      }
      // A cache in the caller answers its hits (cache.ts): only the misses are sent.
      const first = cached ? calls * (1 - (cacheHit[e] as number)) : calls;
      let retries = due;
      const budget = edgeBudget[e] as number;
      if (budget >= 0 && due > budget * first) retries = budget * first;
      if (due > 1e-9 && edgeRetryAllowed[e] !== retries / due) {
        edgeRetryAllowed[e] = retries / due;
        sim.dirty[s] = 1;
      }
      const sent = first + retries;
      if (throttled && (sim.edgeAdaptiveK[e] as number) > 0) adaptiveThrottle(sim, e, s, sent, dt);
      const d = edgeTo[e] as number;
      // Attempts an edge fault stops never reach the callee (but fail, and are retried).
      inflow[d] = (inflow[d] as number) + sent * (sim.edgeReach[e] as number);
      const later = sent * (edgeRetryShare[e] as number);
      if (later > 0) {
        const lo = (edgeFailMs[e] as number) * perStepMs;
        spread(ring, base, head, lo, lo + 2 * (edgeBackoffMs[e] as number) * perStepMs + 1, later * dt);
      }
    }
  }
}

/**
 * A consumer's turn at its topics (asynchronous edges): it takes what is waiting (the lag plus this
 * step's messages) with the throughput its workers have left after `served` synchronous requests,
 * shared across its topics in proportion to what each has waiting. Delivery is at least once: a
 * message whose processing fails is redelivered, so only successes shorten the lag, and a consumer
 * whose own dependency is down makes no progress. The producer never waits for any of this.
 * Returns the requests served this step, messages included.
 */
function consume(topo: Topology, sim: SimState, s: number, served: number, dt: number): number {
  const { consumeStart, consumeTopic } = topo;
  const { topicLag, topicIn, sumPublished, sumConsumed } = sim;
  const c0 = consumeStart[s] as number;
  const c1 = consumeStart[s + 1] as number;
  let waiting = 0;
  let published = 0;
  for (let c = c0; c < c1; c++) {
    const t = consumeTopic[c] as number;
    waiting += (topicLag[t] as number) / dt + (topicIn[t] as number);
    published += topicIn[t] as number;
  }
  const spare = sim.restarting[s] ? 0 : Math.max(0, (sim.throughput[s] as number) - served);
  const consumed = waiting < spare ? waiting : spare;
  const share = waiting > 0 ? consumed / waiting : 0;
  const ok = (1 - (sim.failInd[s] as number)) * (1 - (sim.failKey[s] as number));
  for (let c = c0; c < c1; c++) {
    const t = consumeTopic[c] as number;
    const incoming = topicIn[t] as number;
    const done = ((topicLag[t] as number) / dt + incoming) * share * ok;
    topicLag[t] = Math.max(0, (topicLag[t] as number) + (incoming - done) * dt);
    sumPublished[t] = (sumPublished[t] as number) + incoming;
    sumConsumed[t] = (sumConsumed[t] as number) + done;
    topicIn[t] = 0;
  }
  // The consumer's load: messages arriving, or those it works through while it catches up.
  sim.arrivals[s] = (sim.arrivals[s] as number) + Math.max(published, consumed);
  return served + consumed;
}

/**
 * Client-side adaptive throttling (SRE book, "Handling Overload"): the caller rejects each attempt
 * locally with probability max(0, (requests − K·accepts) / (requests + 1)), counted over a trailing
 * window. The fluid model keeps the two counts as rates (per second) averaged by an exponential
 * moving average with time constant window / 2, which has the same mean age as the window, and takes
 * the count as rate × window. Requests are every attempt the caller makes (first attempts, retries,
 * including the ones it then rejects); accepts are those the callee answered in time (an error the
 * callee returns is accepted; a refusal, a timeout or a rejection is not). A new share moves the
 * caller's composition (compose folds it into the attempt's fast failures), from the next step.
 */
function adaptiveThrottle(sim: SimState, e: number, s: number, sent: number, dt: number): void {
  const window = (sim.edgeAdaptiveWindowMs[e] as number) / 1000;
  const alpha = dt / (window / 2 + dt);
  const requestRate = sim.edgeRequestRate[e] as number;
  const acceptRate = sim.edgeAcceptRate[e] as number;
  const requests = requestRate + (sent - requestRate) * alpha;
  const accepts = acceptRate + (sent * (sim.edgeAcceptShare[e] as number) - acceptRate) * alpha;
  sim.edgeRequestRate[e] = requests;
  sim.edgeAcceptRate[e] = accepts;
  const reject = Math.max(0, ((requests - (sim.edgeAdaptiveK[e] as number) * accepts) * window) / (requests * window + 1));
  if (movedShare(reject, sim.edgeReject[e] as number)) {
    sim.edgeReject[e] = reject;
    sim.dirty[s] = 1;
  }
}

/**
 * gRPC retry throttling, for many clients that each keep a bucket and all see the attempt failure f.
 * A bucket moves by +ratio per success and −1 per failure: a drift of δ = ratio·(1 − f) − f and a
 * variance of σ² = f(1 − f)(1 + ratio)² per attempt, between 0 and maxTokens. A client that sends
 * more than a few attempts a second crosses its whole bucket within one step, so each bucket is taken
 * in its stationary state: a random walk with drift reflected at both ends, whose level has density
 * ∝ exp(2δx/σ²). The share of clients above half, the share of retries allowed, is then exactly
 * 1 / (1 + exp(−maxTokens·δ/σ²)): all of them while successes outweigh failures, none once failures
 * do (f above ratio / (1 + ratio)), and a ramp between whose width shrinks as maxTokens grows. That
 * ramp is what the spread of many clients' buckets looks like; it also keeps the loop (fewer retries,
 * less load, fewer failures) from flipping the retries on and off every step.
 */
function bucketAllows(f: number, maxTokens: number, ratio: number): number {
  const drift = ratio - (1 + ratio) * f;
  const variance = f * (1 - f) * (1 + ratio) * (1 + ratio);
  // ±Infinity when every attempt succeeds or fails: then 1 or 0.
  return 1 / (1 + Math.exp((-maxTokens * drift) / variance));
}

/**
 * One call on an edge, retries included: out[0] the failure of a call for a key the fault does not
 * hit, out[1] the mean attempts per call, out[2] the mean of their square (for the variance of the
 * call's time) and out[3] the mean retries per call that reach the retry budget's check. With attempt
 * failure q and each retry allowed with probability `allowed` (= budget share × bucket share),
 * P(more than k attempts) is (q·allowed)^k for a free key and allowed^k for a hit one; E[N] sums
 * those, E[N²] sums them weighted by 2k + 1. The k-th retry reaches the budget when the first k
 * attempts failed, the k − 1 retries before it were sent and the bucket let it through:
 * q^k·allowed^(k−1)·bucket for a free key, allowed^(k−1)·bucket for a hit one.
 */
function callOutcome(q: number, keyed: number, retries: number, allowed: number, bucket: number, out: Float64Array): void {
  let fail = q;
  let attemptsFree = 1;
  let squareFree = 1;
  let term = 1;
  let attemptsKeyed = 1;
  let squareKeyed = 1;
  let keyedTerm = 1;
  let wantedFree = 0;
  let wantedKeyed = 0;
  for (let k = 1; k <= retries; k++) {
    fail = q * (1 - allowed + allowed * fail);
    wantedFree += term * q;
    wantedKeyed += keyedTerm;
    term *= q * allowed;
    attemptsFree += term;
    squareFree += (2 * k + 1) * term;
    keyedTerm *= allowed;
    attemptsKeyed += keyedTerm;
    squareKeyed += (2 * k + 1) * keyedTerm;
  }
  out[0] = fail;
  out[1] = keyed * attemptsKeyed + (1 - keyed) * attemptsFree;
  out[2] = keyed * squareKeyed + (1 - keyed) * squareFree;
  out[3] = bucket * (keyed * wantedKeyed + (1 - keyed) * wantedFree);
}
const outcome = new Float64Array(4);

/**
 * (1 − p)^calls: the chance that `calls` calls (a mean, often fractional) all avoid a failure of
 * share p. As exp(calls · ln(1 − p)): a third of the cost of `**` with a fractional exponent, and
 * exact in the common cases (one call, nothing failing).
 */
function survive(p: number, calls: number): number {
  if (calls === 1) return 1 - p;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  if (p * calls < 1e-3 && calls < 16) {
    // Small shares (a healthy callee's): the series of ln(1 − p) and of exp, to below 1e-15.
    const x = -calls * p * (1 + p * (0.5 + p * (1 / 3 + p * 0.25)));
    return 1 + x * (1 + x * (0.5 + x * (1 / 6 + x / 24)));
  }
  return Math.exp(calls * Math.log1p(-p));
}

/** Shares move callers when they change by more than this; times by this share of themselves. */
const SHARE_TOLERANCE = 1e-6;
const TIME_TOLERANCE = 1e-4;
const WAIT_TOLERANCE = 1e-3;
const movedShare = (now: number, seen: number): boolean => Math.abs(now - seen) > SHARE_TOLERANCE;
const movedTime = (now: number, seen: number, loose: number): boolean => Math.abs(now - seen) > loose * TIME_TOLERANCE * (seen + 1);

/**
 * Whether a service's answer moved enough since its callers last recomposed against it, and if so,
 * records what they will see now. Callers recompose only then: below these tolerances their
 * composition would change in the sixth significant digit, and skipping it saves most of the work.
 * The published values are state (hashed), so the skip is as deterministic as the rest.
 */
function publish(sim: SimState, s: number, mean: number, variance: number, loose: number): boolean {
  const seen = sim.published;
  const base = s * PUBLISHED;
  const fi = sim.failInd[s] as number;
  const fk = sim.failKey[s] as number;
  const dg = sim.degradedOk[s] as number;
  if (
    !movedShare(fi, seen[base] as number) &&
    !movedShare(fk, seen[base + 1] as number) &&
    !movedShare(dg, seen[base + 2] as number) &&
    !movedTime(mean, seen[base + 3] as number, loose) &&
    !movedTime(Math.sqrt(variance), seen[base + 4] as number, loose)
  ) {
    return false;
  }
  seen[base] = fi;
  seen[base + 1] = fk;
  seen[base + 2] = dg;
  seen[base + 3] = mean;
  seen[base + 4] = Math.sqrt(variance);
  return true;
}

/**
 * Whether the wait moved enough for callers to recompose: by more than a thousandth of the time a
 * request spends there (wait plus time in service). A caller reads the wait only through that sum
 * (its attempt's time and its timeout tail), so a smaller move changes its answer by less than that
 * share: well below the noise, but the busy wait of a lightly loaded service moves a little with
 * every traffic draw, and recomposing every caller for it was most of the physics' work.
 */
const movedWait = (now: number, seen: number, inService: number, loose: number): boolean => Math.abs(now - seen) > loose * WAIT_TOLERANCE * (seen + inService) + 1e-5;

/** The queue's part of what callers see: the wait and the share refused. */
function publishQueue(sim: SimState, s: number, wait: number, refused: number, loose: number): boolean {
  const seen = sim.published;
  const base = s * PUBLISHED;
  if (!movedWait(wait, seen[base + 5] as number, sim.serviceMean[s] as number, loose) && !movedShare(refused, seen[base + 6] as number)) return false;
  seen[base + 5] = wait;
  seen[base + 6] = refused;
  return true;
}

/** The entry's composition to mix with its routed journeys (routes.ts mixJourneys). */
const mixture = new Float64Array(5);

/**
 * A service's time in service and failure, composed from its own work and its dependency calls as
 * the callees answer now. An entry of routed journeys also composes each of them over its own calls,
 * and is their mixture with the rest of its traffic (routes.ts). Returns whether anything a caller reads changed.
 */
function compose(topo: Topology, sim: SimState, s: number, loose: number): boolean {
  const { edgeStart, edgeTo, edgeHard, edgeCalls, edgeTimeout, edgeFallbackMs, edgeBreaker, edgeBackoffMs } = topo;
  const { serviceMean, serviceVar, logMu, logSigma, waitMs, refusedShare, failInd, failKey, degradedOk } = sim;
  const { edgeAttemptFail, edgeOpen, edgeRetryShare, edgeFailMs, edgeRetryAllowed, edgeRetries, cacheHit, cacheFill } = sim;
  const cached = cacheHit.length > 0;
  const throttled = sim.edgeReject.length > 0;
  const latScale = sim.latMul[s] as number;
  let mean = (topo.ownMean[s] as number) * latScale + (sim.latAdd[s] as number);
  let variance = (topo.ownVar[s] as number) * latScale * latScale + (sim.latVar[s] as number);
  let okFree = 1 - Math.min(1, (topo.baseErr[s] as number) + (sim.errAdd[s] as number));
  let okKeyed = 1 - (sim.errKey[s] as number);
  let notDegraded = 1;
  const routes = topo.routes;
  const routed = routes !== null && (routes.byEntryStart[s + 1] as number) > (routes.byEntryStart[s] as number);
  if (routed) startJourneys(routes, sim, s, mean, variance, okFree, okKeyed);

  const start = edgeStart[s] as number;
  const end = edgeStart[s + 1] as number;
  for (let e = start; e < end; e++) {
    // Publishing to a topic costs the caller nothing and never fails it: its consumer's state is
    // the topic's lag (consume), not this request's answer.
    if ((topo.edgeTopic[e] as number) >= 0) {
      if (routed) addCall(routes, sim, s, e - start, 0, 0, 1, 1, 1);
      continue;
    }
    const d = edgeTo[e] as number;
    const calls = edgeCalls[e] as number;
    if (sim.edgeDisabled[e]) {
      notDegraded = 0;
      mean += edgeFallbackMs[e] as number;
      if (cached) cacheFill[e] = 0;
      if (routed) addCall(routes, sim, s, e - start, edgeFallbackMs[e] as number, 0, 1, 1, 0);
      continue;
    }
    // The share of calls its cache does not answer (1 without a cache).
    const miss = cached ? 1 - (cacheHit[e] as number) : 1;
    // One attempt. An edge fault may stop it before it reaches the callee: refused at once, or
    // blackholed (the caller waits its whole timeout); keyed edge failures stop every retry of a hit key.
    const timeout = edgeTimeout[e] as number;
    let edgeFast = sim.edgeRefuse[e] as number;
    let edgeHang = Math.min(1 - edgeFast, sim.edgeHang[e] as number);
    const reject = throttled ? (sim.edgeReject[e] as number) : 0;
    if (reject > 0) {
      // Adaptive throttling rejects these in the caller, before anything else: fast, and retried.
      edgeFast = reject + (1 - reject) * edgeFast;
      edgeHang *= 1 - reject;
    }
    const pass = 1 - edgeFast - edgeHang;
    const keyedFast = sim.edgeRefuseKeyed[e] as number;
    const keyedHang = Math.min(1 - keyedFast, sim.edgeHangKeyed[e] as number);
    const keyedPass = 1 - keyedFast - keyedHang;
    sim.edgeReach[e] = pass * keyedPass;
    // Past the edge, as the callee answers it now: refused, too late, or served (and maybe failed).
    const refusedD = refusedShare[d] as number;
    const delay = sim.edgeDelay[e] as number;
    const slack = timeout - (waitMs[d] as number) - delay;
    const late = shareLater(slack, logMu[d] as number, logSigma[d] as number);
    let keyed = Math.min(1, 1 - (1 - (failKey[d] as number)) * keyedPass);
    const pFast = edgeFast + pass * refusedD;
    const pLate = edgeHang + pass * (1 - refusedD) * late;
    const pSlow = pass * (1 - refusedD) * (1 - late);
    if (throttled) sim.edgeAcceptShare[e] = keyedPass * pSlow;
    // Clamped: rounding can put the sum of shares a hair above 1, and a power of a negative base is NaN.
    const q = Math.min(1, pFast + pLate + pSlow * (failInd[d] as number));
    const attemptFail = keyed + (1 - keyed) * q;
    edgeAttemptFail[e] = attemptFail;
    // An automatic breaker closes only once failures fall 20% below its threshold, so it does not flap.
    const threshold = edgeBreaker[e] as number;
    const closeBelow = edgeOpen[e] ? threshold * BREAKER_CLOSE_RATIO : threshold;
    const open = sim.edgeManualOpen[e] === 1 || (threshold >= 0 && attemptFail > closeBelow);
    edgeOpen[e] = open ? 1 : 0;
    if (open) {
      // Fails fast in the caller: no load, no time, no retries. Cache hits are still answered.
      edgeRetryShare[e] = 0;
      if (cached) cacheFill[e] = 0;
      if (miss < 1) {
        if (edgeHard[e]) okFree *= survive(miss, calls);
        else {
          notDegraded *= survive(miss, calls);
          mean += (edgeFallbackMs[e] as number) * calls * miss;
        }
      } else if (edgeHard[e]) okFree = 0;
      else {
        notDegraded = 0;
        mean += (edgeFallbackMs[e] as number) * calls;
      }
      if (routed) addCall(routes, sim, s, e - start, edgeHard[e] ? 0 : (edgeFallbackMs[e] as number) * calls, 0, edgeHard[e] ? 0 : 1, 1, edgeHard[e] ? 1 : 0);
      continue;
    }
    const budgetAllows = edgeRetryAllowed[e] as number;
    // gRPC decides at the failure, before the backoff: fewer retries go into the ring.
    const bucket = throttled && (sim.edgeThrottleTokens[e] as number) > 0 ? bucketAllows(attemptFail, sim.edgeThrottleTokens[e] as number, sim.edgeThrottleRatio[e] as number) : 1;
    callOutcome(q, keyed, edgeRetries[e] as number, budgetAllows * bucket, bucket, outcome);
    let freeFail = outcome[0] as number;
    const attempts = outcome[1] as number;
    // The ring holds the retries the client wants to send when they fall due; the budget then sends
    // its share of them (demandPass). Those it refuses were never sent, so they are not retried again:
    // the ring must not be thinned by the budget beforehand, or the budget would count twice.
    edgeRetryShare[e] = budgetAllows === 1 ? (attempts - 1) / attempts : (outcome[3] as number) / attempts;
    // Time of one attempt: refused fast, timed out at the timeout, or waited, delayed and served.
    const servedMean = Math.min(serviceMean[d] as number, Math.max(slack, 0));
    const slow = (waitMs[d] as number) + delay + servedMean;
    const freeMean = pFast * FAST_FAIL_MS + pLate * timeout + pSlow * slow;
    const freeSecond = pFast * FAST_FAIL_MS * FAST_FAIL_MS + pLate * timeout * timeout + pSlow * (slow * slow + Math.min(serviceVar[d] as number, slack * slack));
    const attemptMean = keyedFast * FAST_FAIL_MS + keyedHang * timeout + keyedPass * freeMean;
    const second = keyedFast * FAST_FAIL_MS * FAST_FAIL_MS + keyedHang * timeout * timeout + keyedPass * freeSecond;
    const attemptVar = Math.max(0, second - attemptMean * attemptMean);
    // Mean time until a failing attempt is known to have failed: when its retry can start.
    const servedFail = (failKey[d] as number) + (1 - (failKey[d] as number)) * (failInd[d] as number);
    const failedTime = keyedFast * FAST_FAIL_MS + keyedHang * timeout + keyedPass * (pFast * FAST_FAIL_MS + pLate * timeout + pSlow * servedFail * slow);
    edgeFailMs[e] = attemptFail > 1e-12 ? failedTime / attemptFail : 0;
    const backoff = edgeBackoffMs[e] as number;
    let callMean = attempts * attemptMean + (attempts - 1) * backoff;
    // Var(time) of a random number N of attempts: E[N]·Var(attempt) + Var(N)·(attempt + backoff)².
    const attemptsVar = Math.max(0, (outcome[2] as number) - attempts * attempts);
    let callVar = attempts * attemptVar + attemptsVar * (attemptMean + backoff) * (attemptMean + backoff);
    let degradedD = degradedOk[d] as number;
    if (cached) {
      // What fills the cache (cache.ts): misses answered successfully, retries included.
      cacheFill[e] = (1 - keyed) * (1 - freeFail);
      if (miss < 1) {
        // A call is a hit (0 ms, never fails, never degraded) or, with probability `miss`, the call above.
        callVar = miss * callVar + miss * (1 - miss) * callMean * callMean;
        callMean *= miss;
        degradedD *= miss;
        // Broken keys fail only when missed; the free failure is the rest, among calls not keyed-failed.
        const keyedCall = miss * keyed;
        freeFail = keyedCall < 1 ? (miss * (1 - keyed) * freeFail) / (1 - keyedCall) : 0;
        keyed = keyedCall;
      }
    }
    mean += calls * callMean;
    variance += calls * callVar;
    // Successful answers that were themselves degraded (a fallback further down) degrade this one too.
    const passedOn = survive(degradedD, calls);
    notDegraded *= passedOn;
    // The call's factors on the request's success (free and keyed) and undegraded share, and its fallback time.
    let callOk = 1;
    let callOkKeyed = 1;
    let fallback = 1;
    let fallbackMean = 0;
    if (edgeHard[e]) {
      callOk = survive(freeFail, calls);
      callOkKeyed = survive(keyed, calls);
      okFree *= callOk;
      okKeyed *= callOkKeyed;
    } else {
      const callFail = keyed + (1 - keyed) * freeFail;
      fallback = survive(callFail, calls);
      fallbackMean = (edgeFallbackMs[e] as number) * callFail * calls;
      notDegraded *= fallback;
      mean += fallbackMean;
    }
    if (routed) addCall(routes, sim, s, e - start, calls * callMean + fallbackMean, calls * callVar, callOk, callOkKeyed, passedOn * fallback);
  }
  if (routed) {
    mixture[0] = mean;
    mixture[1] = variance;
    mixture[2] = okFree;
    mixture[3] = okKeyed;
    mixture[4] = notDegraded;
    mixJourneys(routes, sim, s, mixture);
    mean = mixture[0] as number;
    variance = mixture[1] as number;
    okFree = mixture[2] as number;
    okKeyed = mixture[3] as number;
    notDegraded = mixture[4] as number;
  }

  failInd[s] = Math.min(1, Math.max(0, 1 - okFree));
  failKey[s] = Math.min(1, Math.max(0, 1 - okKeyed));
  degradedOk[s] = Math.min(1, Math.max(0, 1 - notDegraded));
  serviceMean[s] = mean;
  serviceVar[s] = variance;
  const changed = publish(sim, s, mean, variance, loose);
  // Log-normal fit of the time in service (see latency.ts).
  const s2 = Math.log1p(variance / (mean * mean));
  const sigma = Math.sqrt(s2);
  const mu = Math.log(mean) - s2 / 2;
  logSigma[s] = sigma > 1e-6 ? sigma : 1e-6;
  logMu[s] = mu;
  // Read by every tick's telemetry (cascade.ts finishTick), computed only when the fit moves.
  sim.medianMs[s] = Math.exp(mu);
  sim.tailMs[s] = Math.exp(mu + Z99 * (logSigma[s] as number));
  return changed;
}

/**
 * The health pass, callees first. A service is composed again only when something it reads changed
 * (a callee's answer, its retry allowance, its cache, or a fault or action: inputsChanged); otherwise
 * its last composition stands, which is what recomputing would give to within the publish
 * tolerances, `loose` times wider at rest (cascade.ts).
 */
export function healthPass(topo: Topology, sim: SimState, stepMs: number, loose = 1): void {
  const { order, callerStart, callerOf } = topo;
  const { inServiceLag } = sim;
  const { waitMs, refusedShare, dirty, restarting, workers: baseWorkers, capMul, capScale, serviceMean, throughput: throughputs } = sim;
  const { arrivals: arrivalsOf, refused: refusedOf, served: servedOf, backlog, waitExponent, lastBusy, lastBusyPower, failInd, failKey, degradedOk } = sim;
  const { sumArrivals, sumResponses, sumFailed, sumDegraded, sumSaturation } = sim;
  for (let k = topo.n - 1; k >= 0; k--) {
    const s = order[k] as number;
    // Dirty from its inputs, or because a callee's answer moved earlier in this pass (below).
    const stale = dirty[s] === 1;
    dirty[s] = 0;
    let changedNow = stale && compose(topo, sim, s, loose);

    const workers = restarting[s] ? 0 : (baseWorkers[s] as number) * (capMul[s] as number) * (capScale[s] as number);
    const mean = serviceMean[s] as number;
    // Workers feel a change in time in service only as the requests they hold finish: a first-order
    // lag with the time in service as its time constant. Without it, a caller and its callee can
    // swing in lockstep every step (callee overloaded, caller times out and slows, callee recovers).
    const lagged = inServiceLag[s] as number;
    // Settled is the usual case, and then the filter would give back exactly `mean`.
    const held = lagged === mean ? mean : lagged + ((mean - lagged) * stepMs) / (stepMs + lagged);
    inServiceLag[s] = held;
    const throughput = (1000 * workers) / held;
    throughputs[s] = throughput;
    const arrivals = arrivalsOf[s] as number;
    const refused = refusedOf[s] as number;
    const served = servedOf[s] as number;
    const queued = backlog[s] as number;
    // Queueing wait: the backlog ahead, plus the random wait of a busy M/M/c (Sakasegawa's formula).
    // With no worker left, whatever waits in the queue waits for good (a caller's timeout ends it).
    let wait = throughput > 0 ? (1000 * queued) / throughput : queued > 0 ? STUCK_WAIT_MS : 0;
    const busy = throughput > 0 ? Math.min((arrivals - refused) / throughput, MAX_WAIT_UTILISATION) : 0;
    // Negligible below half load unless the service has very few workers (busy^5 or steeper).
    if ((busy > 0.5 || (busy > 0.05 && workers < 8)) && workers >= 1) {
      // busy^k is the costly part. Between traffic draws busy only creeps, and then the last power
      // moved to first order is within 5e-7 of it: the relative move times k stays under 1e-3.
      const k = waitExponent[s] as number;
      const last = lastBusy[s] as number;
      const moved = busy - last;
      let power = lastBusyPower[s] as number;
      if (moved !== 0) {
        if (Math.abs(moved) * k < BUSY_CREEP * last) {
          power *= 1 + (k * moved) / last;
        } else {
          power = Math.exp(k * Math.log(busy));
          lastBusy[s] = busy;
          lastBusyPower[s] = power;
        }
      }
      wait += (mean * power) / (workers * (1 - busy));
    }
    const refusedNow = arrivals > 0 ? Math.min(1, refused / arrivals) : restarting[s] ? 1 : 0;
    waitMs[s] = wait;
    refusedShare[s] = refusedNow;
    if (publishQueue(sim, s, wait, refusedNow, loose)) changedNow = true;
    // Callers come later in this pass (callees first), so they compose against the new answer now.
    if (changedNow) for (let c = callerStart[s] as number; c < (callerStart[s + 1] as number); c++) dirty[callerOf[c] as number] = 1;

    // Telemetry of this step, summed over the tick (latency is read at the tick's end: cascade.ts).
    const ok = (1 - (failInd[s] as number)) * (1 - (failKey[s] as number));
    sumArrivals[s] = (sumArrivals[s] as number) + arrivals;
    sumResponses[s] = (sumResponses[s] as number) + served + refused;
    sumFailed[s] = (sumFailed[s] as number) + refused + served * (1 - ok);
    sumDegraded[s] = (sumDegraded[s] as number) + served * ok * (degradedOk[s] as number);
    const utilisation = throughput > 0 ? arrivals / throughput : arrivals > 0 ? 10 : 0;
    sumSaturation[s] = (sumSaturation[s] as number) + (utilisation < 10 ? utilisation : 10);
  }
  journeysPass(topo, sim);
}

/**
 * What a journey's users see: their entry service's answer, or a failure once they stop waiting. A
 * routed journey sees the entry's queue, but its own time in service and failures (routes.ts).
 */
function journeysPass(topo: Topology, sim: SimState): void {
  const routed = topo.routes?.routed;
  for (let j = 0; j < topo.journeyEntry.length; j++) {
    const s = topo.journeyEntry[j] as number;
    const refused = sim.refusedShare[s] as number;
    const slack = (topo.journeyTimeoutMs[j] as number) - (sim.waitMs[s] as number);
    let failed: number;
    if (routed !== undefined && routed[j] === 1) {
      const late = shareLater(slack, sim.journeyLogMu[j] as number, sim.journeyLogSigma[j] as number);
      const ok = Math.min(1, Math.max(0, (sim.journeyOkFree[j] as number) * (sim.journeyOkKeyed[j] as number)));
      failed = refused + (1 - refused) * (late + (1 - late) * (1 - ok));
      const degraded = Math.min(1, Math.max(0, 1 - (sim.journeyNotDegraded[j] as number)));
      sim.sumJourneyDegraded[j] = (sim.sumJourneyDegraded[j] as number) + (1 - failed) * degraded;
    } else {
      const late = shareLater(slack, sim.logMu[s] as number, sim.logSigma[s] as number);
      const fail = 1 - (1 - (sim.failInd[s] as number)) * (1 - (sim.failKey[s] as number));
      failed = refused + (1 - refused) * (late + (1 - late) * fail);
    }
    sim.journeyFailNow[j] = failed;
    sim.sumJourneyFail[j] = (sim.sumJourneyFail[j] as number) + failed;
  }
}
