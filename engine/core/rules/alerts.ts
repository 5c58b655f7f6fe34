/**
 * Alert rules with Prometheus-style `for`: the condition must hold at every evaluation for `for`
 * before the alert fires; it resolves at the first evaluation where the condition is false.
 * The first page of the drill detects the incident.
 */
import type { AlertDef } from '../../protocol/scenario.ts';
import { journeyRps } from './journeys.ts';
import { sendIncident } from '../machines/sync.ts';
import { round } from '../physics/round.ts';
import { emit, type SessionState } from '../state.ts';

/** The watched value this tick. A journey's numbers are its entry service's, except its own traffic. */
function metricValue(state: SessionState, rule: AlertDef): number {
  if (rule.topic !== undefined) {
    const t = state.topo.topicIndex.get(rule.topic);
    if (t === undefined) throw new Error(`invariant: alert ${rule.id} watches an unknown topic`);
    return rule.metric === 'lagSeconds' ? (state.sim.topicLagSeconds[t] as number) : (state.sim.topicLag[t] as number);
  }
  let s: number | undefined;
  if (rule.journey !== undefined) {
    const j = state.journeyIndex.get(rule.journey);
    if (j === undefined) throw new Error(`invariant: alert ${rule.id} watches an unknown journey`);
    if (rule.metric === 'rps') return journeyRps(state, j);
    // Users' view: what they saw, including the requests they gave up on.
    if (rule.metric === 'errorRate') return state.sim.journeyErrorRate[j] as number;
    if (rule.metric === 'p99Ms') return state.sim.journeyP99[j] as number;
    s = state.topo.journeyEntry[j];
  } else {
    s = state.topo.index.get(rule.service ?? '');
  }
  if (s === undefined) throw new Error(`invariant: alert ${rule.id} has no target`);
  const { sim } = state;
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
      // The validator keeps lag metrics on topics; a service has no lag.
      throw new Error(`invariant: alert ${rule.id} watches ${rule.metric} on a service or journey`);
  }
}

export function evaluateAlerts(state: SessionState): void {
  const rules = state.scenario.alerts;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r] as AlertDef;
    const value = metricValue(state, rule);
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
