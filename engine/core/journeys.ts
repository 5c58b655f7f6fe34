/**
 * Customer journeys: whether each is within its SLO, the impact it accumulates (failed and degraded
 * requests, lost revenue), the per-minute summaries written to the log, and the ground truth that
 * tells the incident it is mitigated (every journey back within SLO for a minute) or has regressed.
 */
import { sendIncident } from './machines/sync.ts';
import { money, ms, rate } from './round.ts';
import { emit, type SessionState } from './state.ts';

export const MITIGATION_HOLD_MS = 60_000;

export interface JourneyMetrics {
  rps: number;
  errorRate: number;
  degraded: number;
  p50Ms: number;
  p99Ms: number;
  saturation: number;
}

export function journeyMetrics(state: SessionState, j: number): JourneyMetrics {
  const def = state.scenario.journeys[j];
  const s = def ? state.topo.index.get(def.entry) : undefined;
  if (!def || s === undefined) throw new Error(`invariant: no journey ${j}`);
  const { sim } = state;
  return {
    rps: def.rps * (sim.noiseRps[s] as number),
    errorRate: sim.errorRate[s] as number,
    degraded: sim.degraded[s] as number,
    p50Ms: sim.p50[s] as number,
    p99Ms: sim.p99[s] as number,
    saturation: sim.saturation[s] as number,
  };
}

export function updateJourneys(state: SessionState): void {
  const tickSec = state.tickMs / 1000;
  let allInSlo = true;
  state.scenario.journeys.forEach((def, j) => {
    const runtime = state.journeys[j];
    if (!runtime) return;
    const m = journeyMetrics(state, j);
    const inSlo = m.errorRate <= def.slo.errorRate && m.p99Ms <= def.slo.p99Ms;
    if (inSlo !== runtime.inSlo) {
      runtime.inSlo = inSlo;
      emit(state, 'journey.slo', { journey: def.id, ok: inSlo, errorRate: rate(m.errorRate), p99Ms: ms(m.p99Ms) });
      if (!inSlo) state.impactStarted = true;
    }
    if (!inSlo) allInSlo = false;
    const requests = m.rps * tickSec;
    const failed = requests * m.errorRate;
    const degraded = requests * m.degraded;
    const lost = (failed + degraded * def.degradedLoss) * def.valuePerRequest;
    const minute = runtime.minute;
    minute.requests += requests;
    minute.failed += failed;
    minute.degraded += degraded;
    minute.lost += lost;
    if (!inSlo) minute.badMs += state.tickMs;
  });
  trackMitigation(state, allInSlo);
}

function trackMitigation(state: SessionState, allInSlo: boolean): void {
  if (!allInSlo) {
    state.allInSloSince = Number.NaN;
    if (state.incidentState === 'mitigated') sendIncident(state, { type: 'REGRESSED' });
    return;
  }
  if (Number.isNaN(state.allInSloSince)) state.allInSloSince = state.now;
  const active = ['detected', 'acknowledged', 'declared'].includes(state.incidentState);
  if (active && state.now - state.allInSloSince >= MITIGATION_HOLD_MS) sendIncident(state, { type: 'MITIGATED' });
}

/** Writes one impact summary per simulated minute, at the last tick of that minute. */
export function flushMinuteIfDue(state: SessionState): boolean {
  const next = state.now + state.tickMs;
  if (Math.floor(next / 60_000) === Math.floor(state.now / 60_000)) return false;
  const journeys: Record<string, unknown> = {};
  state.scenario.journeys.forEach((def, j) => {
    const runtime = state.journeys[j];
    if (!runtime) return;
    const m = runtime.minute;
    state.totals.failed += m.failed;
    state.totals.lost += m.lost;
    journeys[def.id] = {
      requests: Math.round(m.requests),
      failed: Math.round(m.failed),
      degraded: Math.round(m.degraded),
      lost: money(m.lost),
      badSec: m.badMs / 1000,
    };
    runtime.minute = { requests: 0, failed: 0, degraded: 0, lost: 0, badMs: 0 };
  });
  emit(state, 'impact.minute', {
    minute: Math.floor(state.now / 60_000),
    journeys,
    total: { failed: Math.round(state.totals.failed), lost: money(state.totals.lost) },
  });
  return true;
}
