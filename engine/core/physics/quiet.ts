/**
 * Whether the system is at rest, so a tick can take one step per traffic draw (cascade.ts) instead of
 * its 2 s steps.
 *
 * At rest means: no service queues more than a millisecond of work, refuses anything, runs above
 * QUIET_SATURATION of its workers or is restarting; no topic lags; every cache is warm; no adaptive
 * throttle rejects; and nothing changed the physics' inputs since the last step (a fault, its ramp,
 * an action, a cache moving: they mark services dirty). Such a system's short steps only repeat the
 * same numbers between two traffic draws: the queues stay empty, a retry comes back as it left, and
 * the time in service has already settled. A long step then gives the same telemetry to a few parts
 * in a million, and stepping a quiet 6-hour drill costs a fifth as much.
 *
 * The test runs on the state the tick starts in, so a drill leaves rest at the first tick whose
 * inputs change (the 2 s steps then build the queues and the retry storm, exactly as before) and
 * comes back to it only once the last queue has drained. A service that runs hot all the time keeps
 * its system on short steps: near saturation, a traffic draw can tip it.
 */
import type { SimState } from './sim-state.ts';
import type { Topology } from './topology.ts';

/** Utilisation (the last tick's average) at or above which a service is not at rest. */
const QUIET_SATURATION = 0.8;
/** Work waiting in a queue, in ms, below which it is a rounding residue and not a queue. */
const QUEUED_MS = 1;

export function isQuiet(topo: Topology, sim: SimState): boolean {
  const { dirty, restarting, refusedShare, saturation, backlog, throughput } = sim;
  for (let s = 0; s < topo.n; s++) {
    if (dirty[s] === 1 || restarting[s] === 1) return false;
    if ((refusedShare[s] as number) > 0 || (saturation[s] as number) >= QUIET_SATURATION) return false;
    if ((backlog[s] as number) * 1000 > QUEUED_MS * (throughput[s] as number)) return false;
  }
  for (let t = 0; t < sim.topicLag.length; t++) {
    if ((sim.topicLag[t] as number) * 1000 > QUEUED_MS * Math.max(sim.topicRate[t] as number, 1)) return false;
  }
  for (let c = 0; c < topo.cacheEdges.length; c++) {
    if (sim.cacheHit[topo.cacheEdges[c] as number] !== topo.cacheHitRatio[c]) return false;
  }
  for (let e = 0; e < sim.edgeReject.length; e++) if ((sim.edgeReject[e] as number) > 0) return false;
  return true;
}
