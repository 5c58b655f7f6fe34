/**
 * Caches in front of dependencies (`cache` on a dependency). The caller answers a share h of its
 * calls from its cache: a hit takes about 0 ms, never fails and costs the callee nothing; a miss is
 * a normal call (timeouts, retries, failures). So the callee carries calls × (1 − h) (step.ts).
 *
 * The hit ratio h is state. It starts warm (h = H, the dependency's `hitRatio`); a flush empties it
 * (h = 0); it fills back towards H with the time constant τ (`warmup`), but only from misses that
 * were answered in time, since an error or a timeout puts nothing in the cache:
 *
 *   dh/dt = (H − h) · fill / τ,   fill = share of miss calls that succeed (retries included)
 *
 * integrated exactly over a step of constant fill: h ← h + (H − h) · (1 − e^(−fill·Δ/τ)). A flush
 * in front of a dependency with no headroom for the full miss load therefore feeds itself: the
 * misses overload it, its answers come too late to fill the cache, and the cache stays cold (a
 * stampede), until load is shed, retries are cut or the dependency is given capacity.
 */
import type { SimState } from './sim-state.ts';
import type { Topology } from './topology.ts';

/** A cache this close to its warm ratio is warm: the last millionth is not worth recomposing for. */
const SETTLED = 1e-6;

/** One step of warming, after the step's composition set each cache's fill; callers whose cache moved are recomposed. */
export function warmCaches(topo: Topology, sim: SimState, stepMs: number): void {
  const { cacheEdges, cacheCaller, cacheHitRatio, cacheWarmupMs } = topo;
  const { cacheHit, cacheFill, dirty } = sim;
  for (let c = 0; c < cacheEdges.length; c++) {
    const e = cacheEdges[c] as number;
    const warm = cacheHitRatio[c] as number;
    const h = cacheHit[e] as number;
    if (h === warm) continue;
    const gap = warm - h;
    const next = gap > SETTLED ? h + gap * (1 - Math.exp(-((cacheFill[e] as number) * stepMs) / (cacheWarmupMs[c] as number))) : warm;
    if (next === h) continue;
    cacheHit[e] = next;
    dirty[cacheCaller[c] as number] = 1;
  }
}

/** Empties the caches in front of `target` (only `from`'s, when from ≥ 0). Returns how many it emptied. */
export function flushCaches(topo: Topology, sim: SimState, target: number, from = -1): number {
  let flushed = 0;
  for (let c = 0; c < topo.cacheEdges.length; c++) {
    const e = topo.cacheEdges[c] as number;
    const caller = topo.cacheCaller[c] as number;
    if (topo.edgeTo[e] !== target || (from >= 0 && caller !== from)) continue;
    sim.cacheHit[e] = 0;
    sim.dirty[caller] = 1;
    flushed++;
  }
  return flushed;
}
