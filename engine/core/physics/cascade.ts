/**
 * The per-tick arithmetic: traffic flows down the dependency graph, failures and latency flow back up.
 * Plain loops over typed arrays; no machine is touched here (machines only hear about threshold crossings).
 *
 * Model, per service s and tick:
 * - demand (callers first): offered[s] = (background + journey traffic) × rpsMul × noise
 *   + Σ over callers c: admitted[c] × calls × expected attempts (retries amplify load on a failing callee).
 * - health (callees first): capacity limits shed the overflow, the service's own error rate and
 *   latency grow with faults and queueing, then each dependency call adds its latency and, for hard
 *   dependencies, its failure probability after retries and timeouts. Soft dependencies fall back to a
 *   degraded result instead of failing. An open breaker or a disabled edge fails fast with no load.
 */
import { noise, type Stream } from './rng.ts';
import type { Topology } from './topology.ts';

export interface SimState {
  // Modifiers from faults, recomputed every tick.
  readonly errAdd: Float64Array;
  readonly latAdd: Float64Array;
  readonly latMul: Float64Array;
  readonly capMul: Float64Array;
  readonly rpsMul: Float64Array;
  // Lasting effects of responders' actions.
  readonly capScale: Float64Array;
  readonly shed: Float64Array;
  readonly restarting: Uint8Array;
  readonly edgeManualOpen: Uint8Array;
  readonly edgeDisabled: Uint8Array;
  // This tick's noise factors (1 ± amplitude).
  readonly noiseRps: Float64Array;
  readonly noiseLat: Float64Array;
  readonly noiseErr: Float64Array;
  // Outputs.
  readonly offered: Float64Array;
  readonly errorRate: Float64Array;
  readonly degraded: Float64Array;
  readonly p50: Float64Array;
  readonly p99: Float64Array;
  readonly saturation: Float64Array;
  /** Failure probability of one attempt on each edge, carried to the next tick for retry amplification. */
  readonly edgeAttemptFail: Float64Array;
  readonly edgeOpen: Uint8Array;
}

export function createSimState(topo: Topology): SimState {
  const n = topo.n;
  const m = topo.edgeCount;
  const ones = () => new Float64Array(n).fill(1);
  return {
    errAdd: new Float64Array(n),
    latAdd: new Float64Array(n),
    latMul: ones(),
    capMul: ones(),
    rpsMul: ones(),
    capScale: ones(),
    shed: new Float64Array(n),
    restarting: new Uint8Array(n),
    edgeManualOpen: new Uint8Array(m),
    edgeDisabled: new Uint8Array(m),
    noiseRps: ones(),
    noiseLat: ones(),
    noiseErr: ones(),
    offered: new Float64Array(n),
    errorRate: new Float64Array(n),
    degraded: new Float64Array(n),
    p50: new Float64Array(n),
    p99: new Float64Array(n),
    saturation: new Float64Array(n),
    edgeAttemptFail: new Float64Array(m),
    edgeOpen: new Uint8Array(m),
  };
}

export function resetModifiers(sim: SimState): void {
  sim.errAdd.fill(0);
  sim.latAdd.fill(0);
  sim.latMul.fill(1);
  sim.capMul.fill(1);
  sim.rpsMul.fill(1);
}

const BREAKER_CLOSE_RATIO = 0.8;

/** Latency multiplier from queueing: flat below 70% utilisation, then climbing steeply. */
function queueFactor(saturation: number): number {
  if (saturation <= 0.7) return 1;
  const over = Math.min(saturation, 1.2) - 0.7;
  return 1 + (16 * over * over);
}

/** Share of attempts slower than the timeout, interpolated from the callee's p50 and p99. */
function timeoutFraction(p50: number, p99: number, timeout: number): number {
  if (timeout >= 2 * p99) return 0;
  if (timeout >= p99) return (0.01 * (2 * p99 - timeout)) / p99;
  if (timeout >= p50) return 0.01 + (0.49 * (p99 - timeout)) / Math.max(p99 - p50, 1e-9);
  return 0.5 + 0.5 * (1 - timeout / Math.max(p50, 1e-9));
}

function effectiveCapacity(topo: Topology, sim: SimState, s: number): number {
  return sim.restarting[s] ? 0 : (topo.capacity[s] as number) * (sim.capMul[s] as number) * (sim.capScale[s] as number);
}

/** Traffic, callers first. Uses last tick's attempt failures to size retries. */
function demandPass(topo: Topology, sim: SimState): void {
  const { order, edgeStart, edgeTo, edgeCalls, edgeRetries } = topo;
  const offered = sim.offered;
  for (let s = 0; s < topo.n; s++) offered[s] = (topo.baseRps[s] as number) + (topo.extRps[s] as number);
  for (let k = 0; k < topo.n; k++) {
    const s = order[k] as number;
    const load = (offered[s] as number) * (sim.rpsMul[s] as number) * (sim.noiseRps[s] as number);
    offered[s] = load;
    const admitted = Math.min(load * (1 - (sim.shed[s] as number)), effectiveCapacity(topo, sim, s));
    if (admitted <= 0) continue;
    const end = edgeStart[s + 1] as number;
    for (let e = edgeStart[s] as number; e < end; e++) {
      if (sim.edgeOpen[e] || sim.edgeDisabled[e]) continue;
      const p = sim.edgeAttemptFail[e] as number;
      let attempts = 1;
      let pk = 1;
      for (let r = edgeRetries[e] as number; r > 0; r--) {
        pk *= p;
        attempts += pk;
      }
      const d = edgeTo[e] as number;
      offered[d] = (offered[d] as number) + admitted * (edgeCalls[e] as number) * attempts;
    }
  }
}

/** Failures and latency, callees first. */
function healthPass(topo: Topology, sim: SimState): void {
  const { order, edgeStart, edgeTo, edgeHard, edgeCalls, edgeTimeout, edgeRetries, edgeFallbackMs, edgeBreaker } = topo;
  const { errorRate, degraded, p50, p99, saturation, edgeAttemptFail, edgeOpen } = sim;
  for (let k = topo.n - 1; k >= 0; k--) {
    const s = order[k] as number;
    const capacity = effectiveCapacity(topo, sim, s);
    const shed = sim.shed[s] as number;
    const load = (sim.offered[s] as number) * (1 - shed);
    const sat = capacity > 0 ? load / capacity : load > 0 ? 10 : 0;
    saturation[s] = sat;
    if (capacity <= 0) {
      errorRate[s] = 1;
      degraded[s] = 0;
      p50[s] = 0;
      p99[s] = 0;
      continue;
    }
    const overloadFail = sat > 1 ? 1 - 1 / sat : 0;
    const ownFail = Math.min(1, (topo.baseErr[s] as number) * (sim.noiseErr[s] as number) + (sim.errAdd[s] as number));
    const q = queueFactor(sat);
    const latScale = (sim.latMul[s] as number) * (sim.noiseLat[s] as number);
    const latAdd = sim.latAdd[s] as number;
    let lat50 = ((topo.baseP50[s] as number) + latAdd) * latScale * q;
    let lat99 = ((topo.baseP99[s] as number) + 2 * latAdd) * latScale * q * q;
    let success = (1 - ownFail) * (1 - overloadFail) * (1 - shed);
    let notDegraded = 1;

    const end = edgeStart[s + 1] as number;
    for (let e = edgeStart[s] as number; e < end; e++) {
      const d = edgeTo[e] as number;
      const timeout = edgeTimeout[e] as number;
      const attemptFail = 1 - (1 - (errorRate[d] as number)) * (1 - timeoutFraction(p50[d] as number, p99[d] as number, timeout));
      edgeAttemptFail[e] = attemptFail;
      // An automatic breaker closes only once failures fall 20% below its threshold, so it does not flap.
      const threshold = edgeBreaker[e] as number;
      const closeBelow = edgeOpen[e] ? threshold * BREAKER_CLOSE_RATIO : threshold;
      const open = sim.edgeManualOpen[e] === 1 || (threshold >= 0 && attemptFail > closeBelow);
      edgeOpen[e] = open ? 1 : 0;
      const calls = edgeCalls[e] as number;
      if (sim.edgeDisabled[e]) {
        notDegraded = 0;
        lat50 += edgeFallbackMs[e] as number;
        lat99 += edgeFallbackMs[e] as number;
        continue;
      }
      const retries = edgeRetries[e] as number;
      const callFail = open ? 1 : attemptFail ** (retries + 1);
      const requestFail = 1 - (1 - callFail) ** calls;
      // A successful answer that was itself degraded (a fallback further down) degrades this response too.
      const calleeOk = 1 - (errorRate[d] as number);
      const calleeDegraded = open || calleeOk <= 0 ? 0 : Math.min(1, (degraded[d] as number) / calleeOk);
      notDegraded *= (1 - calleeDegraded) ** calls;
      if (!open) {
        const wasted = 1 + retries * attemptFail;
        lat50 += Math.min(p50[d] as number, timeout) * wasted * calls;
        lat99 += Math.min(p99[d] as number, timeout) * wasted * calls;
      }
      if (edgeHard[e]) {
        success *= 1 - requestFail;
      } else {
        notDegraded *= 1 - requestFail;
        lat50 += (edgeFallbackMs[e] as number) * requestFail;
        lat99 += edgeFallbackMs[e] as number;
      }
    }
    errorRate[s] = 1 - success;
    degraded[s] = success * (1 - notDegraded);
    p50[s] = lat50;
    p99[s] = Math.max(lat99, lat50);
  }
}

/** This tick's noise factors: three draws per service, from that service's own stream. */
export function drawNoise(topo: Topology, sim: SimState, streams: readonly Stream[]): void {
  for (let s = 0; s < topo.n; s++) {
    const stream = streams[s] as Stream;
    sim.noiseRps[s] = 1 + noise(stream, topo.noiseRps[s] as number);
    sim.noiseLat[s] = 1 + noise(stream, topo.noiseLat[s] as number);
    sim.noiseErr[s] = 1 + noise(stream, topo.noiseErr[s] as number);
  }
}

/** One tick of arithmetic. Modifiers and noise factors must already be set for this tick. */
export function computeTick(topo: Topology, sim: SimState): void {
  demandPass(topo, sim);
  healthPass(topo, sim);
}
