/**
 * Customer journeys: whether each is within its SLO, the impact it accumulates (failed and degraded
 * requests beyond the healthy baseline, and the revenue they lose), the per-minute summaries written to the log, and the ground truth that
 * tells the incident it is mitigated (every journey back within its windowed SLO for objectives.stable,
 * five minutes by default) or has regressed.
 */
import { sendIncident } from '../machines/sync.ts';
import { money, ms, rate } from '../physics/round.ts';
import { emit, type JourneyRuntime, type SessionState } from '../state.ts';
import type { JourneyDef } from '../../protocol/scenario.ts';
import type { JourneyMinute } from '../../protocol/events.ts';
import { advanceWindows, recordTick, withinSlo, type WindowReading } from './slo-window.ts';

export interface JourneyMetrics {
  rps: number;
  errorRate: number;
  degraded: number;
  p50Ms: number;
  p99Ms: number;
  saturation: number;
}

/**
 * Customer requests per second this tick: the journey's traffic with its entry service's noise; with
 * `users`, as a dashboard counts them: reloads included, those who left not.
 */
export function journeyRps(state: SessionState, j: number): number {
  if (state.topo.users !== null) return state.sim.journeyRps[j] as number;
  return (state.topo.journeyRps[j] as number) * (state.sim.noiseRps[state.topo.journeyEntry[j] as number] as number);
}

/** Share of the journey's requests served degraded: its entry's, or for a routed journey its own. */
function journeyDegraded(state: SessionState, j: number): number {
  const { topo, sim } = state;
  return topo.routes?.routed[j] === 1 ? (sim.journeyDegraded[j] as number) : (sim.degraded[topo.journeyEntry[j] as number] as number);
}

/** A journey's numbers for display; the tick loop reads the arrays directly instead. */
export function journeyMetrics(state: SessionState, j: number): JourneyMetrics {
  const s = state.topo.journeyEntry[j] as number;
  const { sim } = state;
  return {
    rps: journeyRps(state, j),
    errorRate: sim.journeyErrorRate[j] as number,
    degraded: journeyDegraded(state, j),
    p50Ms: sim.p50[s] as number,
    p99Ms: sim.journeyP99[j] as number,
    saturation: sim.saturation[s] as number,
  };
}

export function updateJourneys(state: SessionState): void {
  const tickSec = state.tickMs / 1000;
  const { sim } = state;
  let allInSlo = true;
  const defs = state.scenario.journeys;
  for (let j = 0; j < defs.length; j++) {
    const def = defs[j] as JourneyDef;
    const runtime = state.journeys[j] as JourneyRuntime;
    const errorRate = sim.journeyErrorRate[j] as number;
    const p99 = sim.journeyP99[j] as number;
    // A journey with a topic also waits on its consumer: orders placed but not yet fulfilled.
    const topic = state.topo.journeyTopic[j] as number;
    const lagSeconds = topic >= 0 ? (sim.topicLagSeconds[topic] as number) : 0;
    const requests = journeyRps(state, j) * tickSec;
    // Judged over the SLO's window, as a dashboard judges it: one noisy tick does not flip it.
    recordTick(state.slo, j, requests, errorRate, sim.journeySlow[j] as number, lagSeconds, reading);
    const inSlo = withinSlo(def.slo, reading, topic >= 0);
    if (inSlo !== runtime.inSlo) {
      runtime.inSlo = inSlo;
      emit(state, 'journey.slo', {
        journey: def.id,
        ok: inSlo,
        errorRate: rate(reading.errorRate),
        p99Ms: ms(p99),
        slow: rate(reading.slow),
        ...(topic >= 0 ? { lagSeconds: ms(reading.lagSeconds) } : {}),
      });
      if (!inSlo) state.impactStarted = true;
    }
    if (!inSlo) allInSlo = false;
    // Impact is what the incident adds: failures and fallbacks beyond the journey's healthy rates.
    // While its topic lags past the SLO, every request answered now will be late downstream (an
    // order that ships late): it counts as served degraded.
    let failed = requests * Math.max(0, errorRate - (state.baselineJourneyErr[j] as number));
    const late = def.slo.lagSeconds !== undefined && lagSeconds > def.slo.lagSeconds;
    const degradedShare = late ? 1 - errorRate : Math.max(0, journeyDegraded(state, j) - (state.baselineJourneyDegraded[j] as number));
    const degraded = requests * degradedShare;
    let gone = 0;
    if (def.users !== undefined && state.topo.users !== null) {
      // A failure its user reloads is not lost (the reload is among the requests, and fails or not on
      // its own): only the share not reloaded finally fails. Users who left take the requests they
      // would have made with them: those are lost too, though they never fail.
      failed *= 1 - def.users.refresh;
      gone = Math.max(0, (sim.journeyGoneRps[j] as number) - (state.baselineJourneyGone[j] as number)) * tickSec;
    }
    const lost = (failed + gone + degraded * def.degradedLoss) * def.valuePerRequest;
    const minute = runtime.minute;
    minute.requests += requests;
    minute.failed += failed;
    minute.degraded += degraded;
    minute.lost += lost;
    if (!inSlo) minute.badMs += state.tickMs;
  }
  advanceWindows(state.slo);
  trackMitigation(state, allInSlo);
}

/** Reused by updateJourneys: one window reading at a time. */
const reading: WindowReading = { errorRate: 0, slow: 0, lagSeconds: 0 };

function trackMitigation(state: SessionState, allInSlo: boolean): void {
  if (!allInSlo) {
    state.allInSloSince = Number.NaN;
    if (state.incidentState === 'mitigated') sendIncident(state, { type: 'REGRESSED' });
    return;
  }
  // The stretch starts with the first tick that found every journey within SLO.
  if (Number.isNaN(state.allInSloSince)) state.allInSloSince = state.now;
  // "Back" within SLO: a page that comes before any journey has left its SLO (a lag or saturation
  // alert, say) has mitigated nothing yet. The tick's end is what has been observed.
  const active = state.impactStarted && ['detected', 'acknowledged', 'declared'].includes(state.incidentState);
  if (active && state.now + state.tickMs - state.allInSloSince >= state.scenario.objectives.stable) {
    sendIncident(state, { type: 'MITIGATED' }, { since: state.allInSloSince });
  }
}

/** Writes one impact summary per simulated minute, at the last tick of that minute. */
export function flushMinuteIfDue(state: SessionState): boolean {
  const next = state.now + state.tickMs;
  if (Math.floor(next / 60_000) === Math.floor(state.now / 60_000)) return false;
  const journeys: Record<string, JourneyMinute> = {};
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
