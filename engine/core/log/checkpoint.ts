/**
 * A hash of everything that determines the future of a session: time, metrics, RNG states, machine
 * states (as names, never snapshots), faults, actions, approvals, alerts and the agenda.
 * Two runs that agree on every checkpoint agree on everything that follows.
 * Numbers are hashed by their bits (no text conversion): this runs every simulated minute.
 */
import { Hasher } from './hash.ts';
import { checkpointWords } from '../physics/sim-state.ts';
import type { SessionState } from '../state.ts';
import type { Stream } from '../physics/rng.ts';
import { SERVICE_STATES } from '../../protocol/events.ts';

/** Every noise stream's generator state (c, s0, s1, s2), in one reused array: a thousand services have a thousand streams. */
function streamStates(streams: readonly Stream[]): Float64Array {
  if (states.length !== streams.length * 4) states = new Float64Array(streams.length * 4);
  streams.forEach((stream, i) => {
    const rng = stream.state();
    states[4 * i] = rng.c;
    states[4 * i + 1] = rng.s0;
    states[4 * i + 2] = rng.s1;
    states[4 * i + 3] = rng.s2;
  });
  return states;
}
let states = new Float64Array(0);
let stateCodes = new Uint8Array(0);

export function checkpointHash(state: SessionState): string {
  const { sim } = state;
  const h = new Hasher().num(state.now).num(state.seq).str(state.drillState).str(state.incidentState);
  const incident = state.incident.getSnapshot().context;
  h.num(incident.severity ?? -1).num(incident.acknowledged ? 1 : 0);
  // Each service's state as its place in SERVICE_STATES: one array, not a string per service.
  if (stateCodes.length !== state.serviceState.length) stateCodes = new Uint8Array(state.serviceState.length);
  state.serviceState.forEach((name, s) => (stateCodes[s] = SERVICE_STATES.indexOf(name)));
  h.bytes(stateCodes);
  // The whole physics state: queues, retry rings, AR(1) traffic, calibrated workers, every output.
  h.num(sim.step).num(sim.nextNoiseAt).num(sim.restSteps ? 1 : 0);
  for (const words of checkpointWords(sim)) h.words(words);
  h.floats(streamStates(state.noise.streams));
  for (const [i, fault] of state.activeFaults) h.num(i).num(fault.startedAt);
  h.str(state.modifierSignature);
  for (const [id, run] of state.running) h.str(id).num(run.startedAt);
  for (const [id, request] of state.pending) {
    h.str(id).str(request.actor);
    // Only when present, so runs without participant ids keep the checkpoints they always had.
    if (request.participant !== undefined) h.str(request.participant);
  }
  for (const [id, count] of state.inForce) h.str(id).num(count);
  for (const [id, change] of state.changes) {
    h.str(id).str(change.status).str(change.actor).num(change.proposedAt).str(change.page ?? '').num(change.review ? 1 : 0);
    if (change.participant !== undefined) h.str(change.participant);
  }
  for (const role in state.roles) h.str(role).str(state.roles[role as keyof typeof state.roles] ?? '');
  h.bytes(state.alertFiring).floats(state.alertPendingSince);
  // The journeys: their SLO windows, whether each is within SLO, and the minute's impact so far.
  h.floats(state.slo.ring).floats(state.slo.sums).num(state.slo.ticks);
  // Burn-rate windows, only when the scenario has such alerts (so other scenarios keep their hashes).
  if (state.burn.ring.length > 0) h.floats(state.burn.ring).floats(state.burn.totals).num(state.burn.ticks);
  h.num(state.allInSloSince).num(state.impactStarted ? 1 : 0);
  for (const runtime of state.journeys) {
    const m = runtime.minute;
    h.num(runtime.inSlo ? 1 : 0).num(m.requests).num(m.failed).num(m.degraded).num(m.lost).num(m.badMs);
  }
  h.str(state.agenda.fingerprint());
  return h.num(state.totals.failed).num(state.totals.lost).digest();
}
