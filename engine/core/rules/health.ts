/** Turns each service's numbers into a health class and tells its machine only when something changed. */
import type { HealthLevel } from '../../protocol/events.ts';
import { sendService } from '../machines/sync.ts';
import type { SessionState } from '../state.ts';
import { inputsChanged } from '../physics/sim-state.ts';

const DOWN_ERROR_RATE = 0.5;
const DEGRADED_ERROR_RATE = 0.05;
const DEGRADED_LATENCY_FACTOR = 2;
const DEGRADED_SATURATION = 0.9;
/** Leaving a worse health class needs the metric 10% inside the threshold. */
const HYSTERESIS = 0.9;
/** A recovering service must stay healthy this long before it counts as healthy again. */
const RECOVERY_HOLD_MS = 60_000;

/**
 * Health class from the numbers, with hysteresis: leaving a worse class needs the metric to clear the
 * threshold by 10%, so noise around a threshold does not make the machine flap.
 */
function classify(state: SessionState, s: number): HealthLevel {
  const { errorRate, p99, saturation } = state.sim;
  const last = state.serviceLevel[s];
  const err = errorRate[s] as number;
  if (state.sim.restarting[s] || err >= DOWN_ERROR_RATE * (last === 'down' ? HYSTERESIS : 1)) return 'down';
  const sticky = last === 'degraded' || last === 'down' ? HYSTERESIS : 1;
  if (
    err >= DEGRADED_ERROR_RATE * sticky ||
    (p99[s] as number) > DEGRADED_LATENCY_FACTOR * (state.baselineP99[s] as number) * sticky ||
    (saturation[s] as number) >= DEGRADED_SATURATION * sticky
  ) {
    return 'degraded';
  }
  return 'healthy';
}

export function updateServices(state: SessionState): void {
  for (let s = 0; s < state.topo.n; s++) {
    const level = classify(state, s);
    if (level !== state.serviceLevel[s]) {
      state.serviceLevel[s] = level;
      state.healthySince[s] = state.now;
      sendService(state, s, { type: 'HEALTH', level });
    }
    if (
      state.serviceState[s] === 'recovering' &&
      level === 'healthy' &&
      !state.sim.restarting[s] &&
      state.now - (state.healthySince[s] as number) >= RECOVERY_HOLD_MS
    ) {
      sendService(state, s, { type: 'STABLE' });
    }
  }
}

/** After a restart ends the machine needs the current class again (it ignored classes while restarting), so forget the last one sent. */
export function endRestart(state: SessionState, s: number): void {
  state.sim.restarting[s] = 0;
  inputsChanged(state.sim);
  state.serviceLevel[s] = 'unknown';
  sendService(state, s, { type: 'RESTART_END' });
}
