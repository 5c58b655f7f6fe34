/**
 * Alert rules with Prometheus-style `for`: the condition must hold at every evaluation for `for`
 * before the alert fires; it resolves at the first evaluation where the condition is false. A
 * `burnRate` rule watches a journey's error budget over two windows (burn-rate.ts).
 * The first page of the drill detects the incident.
 */
import type { AlertDef } from '../../protocol/scenario.ts';
import { journeyRps } from './journeys.ts';
import { burnRateOf, recordBurn } from './burn-rate.ts';
import { sendIncident } from '../machines/sync.ts';
import { round } from '../physics/round.ts';
import { emit, type SessionState } from '../state.ts';

/**
 * What each rule watches, resolved once per session: the index of its topic, journey or service (the
 * entry service for a journey's other metrics). Looking names up in maps at every tick was most of
 * the alerts' cost.
 */
const targetsOf = new WeakMap<SessionState, Int32Array>();

function targets(state: SessionState): Int32Array {
  let found = targetsOf.get(state);
  if (found !== undefined) return found;
  found = Int32Array.from(state.scenario.alerts, (rule) => {
    const index =
      rule.topic !== undefined
        ? state.topo.topicIndex.get(rule.topic)
        : rule.journey !== undefined
          ? state.journeyIndex.get(rule.journey)
          : state.topo.index.get(rule.service ?? '');
    if (index === undefined) throw new Error(`invariant: alert ${rule.id} has no target`);
    return index;
  });
  targetsOf.set(state, found);
  return found;
}

/** The watched value this tick. A journey's numbers are its entry service's, except its own traffic. */
function metricValue(state: SessionState, rule: AlertDef, r: number, target: number): number {
  const { sim } = state;
  if (rule.topic !== undefined) return rule.metric === 'lagSeconds' ? (sim.topicLagSeconds[target] as number) : (sim.topicLag[target] as number);
  let s = target;
  if (rule.journey !== undefined) {
    if (rule.metric === 'burnRate') return burnRateOf(state.burn, state.burn.slotOf[r] as number);
    if (rule.metric === 'rps') return journeyRps(state, target);
    // Users' view: what they saw, including the requests they gave up on.
    if (rule.metric === 'errorRate') return sim.journeyErrorRate[target] as number;
    if (rule.metric === 'p99Ms') return sim.journeyP99[target] as number;
    s = state.topo.journeyEntry[target] as number;
  }
  switch (rule.metric) {
    case 'errorRate':
      return sim.errorRate[s] as number;
    case 'p50Ms':
      return sim.p50[s] as number;
    case 'p99Ms':
      return sim.p99[s] as number;
    case 'rps':
      return sim.offered[s] as number;
    case 'saturation':
      return sim.saturation[s] as number;
    case 'lag':
    case 'lagSeconds':
    case 'burnRate':
      // The validator keeps lag metrics on topics and burn rates on journeys.
      throw new Error(`invariant: alert ${rule.id} watches ${rule.metric} on a service or journey`);
  }
}

export function evaluateAlerts(state: SessionState): void {
  const rules = state.scenario.alerts;
  const watched = targets(state);
  if (state.burn.first.length > 0) recordBurn(state.burn, state.slo);
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r] as AlertDef;
    const value = metricValue(state, rule, r, watched[r] as number);
    const breached = rule.op === '>' ? value > rule.threshold : value < rule.threshold;
    if (!breached) {
      state.alertPendingSince[r] = Number.NaN;
      if (state.alertFiring[r]) {
        state.alertFiring[r] = 0;
        emit(state, 'alert.resolved', { alert: rule.id, value: round(value, 4) });
      }
      continue;
    }
    if (Number.isNaN(state.alertPendingSince[r])) state.alertPendingSince[r] = state.now;
    if (state.alertFiring[r] || state.now - (state.alertPendingSince[r] as number) < rule.for) continue;
    state.alertFiring[r] = 1;
    emit(state, 'alert.firing', {
      alert: rule.id,
      name: rule.name ?? rule.id,
      severity: rule.severity,
      ...(rule.service !== undefined ? { service: rule.service } : rule.topic !== undefined ? { topic: rule.topic } : { journey: rule.journey }),
      metric: rule.metric,
      value: round(value, 4),
      threshold: rule.threshold,
    });
    if (rule.severity === 'page' && state.incidentState === 'idle') {
      sendIncident(state, { type: 'PAGE' }, { alert: rule.id });
    }
  }
}
