/**
 * The console's view-model and the pure fold that builds it: `applyEvent(model, event)` returns a
 * new model and never touches its input, so the console, the replay scrubber and the tests all fold
 * the same events the same way. Telemetry samples go through `applySample` into bounded series.
 */
import { CHART_HISTORY_SAMPLES, type Role, type WelcomeMessage } from '../../engine/protocol/messages.ts';
import type { EngineEvent } from '../../engine/protocol/events.ts';
import { applyInForce, type InForceCounts } from '../../engine/protocol/in-force.ts';
import { applyChangeWindow, changeWindowFromSnapshot, type ChangeWindowState } from './change-window.ts';
import type { Scenario } from '../../engine/protocol/scenario.ts';
import type { DrillSnapshot, FacilitatorView, MetricsHistory, MetricsSample, PublicScenario } from '../../engine/protocol/views.ts';

export type ScenarioView = Scenario | PublicScenario;

export interface Metrics {
  rps: number;
  errorRate: number;
  p50Ms: number;
  p99Ms: number;
  saturation: number;
}

export interface ServiceView {
  id: string;
  name: string;
  tier: string;
  state: string;
  metrics: Metrics;
}

export interface AlertView {
  id: string;
  name: string;
  severity: string;
  target: string;
  firing: boolean;
  since: number;
  value: number;
  threshold: number;
}

export interface AdviceView {
  id: string;
  t: number;
  source: string;
  title: string | null;
  text: string;
  proposes: { type: string; target: string } | null;
}

export interface ApprovalView {
  request: string;
  action: string;
  target: string;
  by: string;
  /** The requester's participant id (live drills): the server refuses their own approve or deny. */
  byId: string | null;
  t: number;
}

/**
 * Whether this console's person asked for `p`: participant ids when both are known (one person in
 * two tabs, or under two names, is one person, as the server counts), else names.
 */
export const requestedByMe = (p: Pick<ApprovalView, 'by' | 'byId'>, me: Pick<ViewModel, 'participantId' | 'name'>): boolean =>
  p.byId !== null && me.participantId !== null ? p.byId === me.participantId : p.by === me.name;

export interface RunningActionView {
  action: string;
  kind: string;
  target: string;
  by: string;
  startedAt: number;
  duration: number;
  /** A rolling rollback or restart: instances done so far, of how many (from action.progress). */
  progress?: { done: number; of: number };
}

export interface Series {
  t: number[];
  errorRate: number[];
  p99Ms: number[];
  rps: number[];
  saturation: number[];
  /** A topic's lag in seconds (`topic:<id>` series only; 0 elsewhere). */
  lagSeconds: number[];
}

/** The assistant's answers, the pages read and the changes are in ChangeWindowState (change-window.ts). */
export interface ViewModel extends ChangeWindowState {
  sessionId: string;
  role: Role;
  name: string;
  /** Who this console is in the drill (server-issued); null in a replay. */
  participantId: string | null;
  scenario: ScenarioView;
  speed: number;
  phase: string;
  now: number;
  lastSeq: number;
  services: Record<string, ServiceView>;
  journeys: Record<string, { id: string; name: string; inSlo: boolean; metrics: Metrics }>;
  alerts: Record<string, AlertView>;
  incident: { state: string; severity: number | null; acknowledged: boolean; roles: Record<string, string> };
  lastStatusAt: number | null;
  /** When the incident was detected (the first page), from the events; null before, or when the backlog did not reach back that far. */
  detectedAt: number | null;
  advice: AdviceView[];
  approvals: Record<string, ApprovalView>;
  running: Record<string, RunningActionView>;
  /**
   * Completed actions whose effect is still in force: action id → how many times (scales stack).
   * Insertion order is the order they came into force.
   */
  inForce: InForceCounts;
  diagnoses: Record<string, { t: number; lines: string[]; by: string }>;
  totals: { failed: number; lost: number };
  timeline: EngineEvent[];
  facilitator: FacilitatorView | null;
}

/** How many samples each chart keeps: a sliding window of simulated time, as much as the server's history holds. */
export const SERIES_WINDOW = CHART_HISTORY_SAMPLES;

const emptyMetrics = (): Metrics => ({ rps: 0, errorRate: 0, p50Ms: 0, p99Ms: 0, saturation: 0 });

export function modelFromWelcome(w: WelcomeMessage): ViewModel {
  const s = w.snapshot;
  const scenario = w.scenario;
  const services: ViewModel['services'] = {};
  for (const def of scenario.services) {
    const m = s.metrics.services.find((x) => x.id === def.id);
    services[def.id] = { id: def.id, name: def.name ?? def.id, tier: def.tier, state: m?.state ?? 'healthy', metrics: m ? pick(m) : emptyMetrics() };
  }
  const journeys: ViewModel['journeys'] = {};
  for (const def of scenario.journeys) {
    const m = s.metrics.journeys.find((x) => x.id === def.id);
    journeys[def.id] = { id: def.id, name: def.name, inSlo: m?.inSlo ?? true, metrics: { ...emptyMetrics(), ...(m ? { rps: m.rps, errorRate: m.errorRate, p99Ms: m.p99Ms } : {}) } };
  }
  return {
    sessionId: w.sessionId,
    role: w.role,
    name: w.name,
    participantId: w.participant.id,
    scenario,
    speed: w.speed,
    phase: s.phase,
    now: s.now,
    lastSeq: -1,
    services,
    journeys,
    alerts: alertsFromSnapshot(scenario, s),
    incident: { ...s.incident, roles: { ...s.incident.roles } },
    lastStatusAt: null,
    detectedAt: null,
    advice: [],
    approvals: Object.fromEntries(s.pendingApprovals.map((p) => [p.request, { request: p.request, action: p.action, target: p.target, by: p.by, byId: p.byId ?? null, t: p.requestedAt }])),
    running: Object.fromEntries(s.runningActions.map((r) => [r.action, { ...r }])),
    // The snapshot names what is in force but not how many times: each counts once from here.
    inForce: s.inForce,
    diagnoses: {},
    totals: { ...s.totals },
    timeline: [],
    facilitator: w.facilitator ?? null,
    ...changeWindowFromSnapshot(s),
  };
}

function alertsFromSnapshot(scenario: ScenarioView, s: DrillSnapshot): ViewModel['alerts'] {
  const alerts: ViewModel['alerts'] = {};
  for (const a of s.firingAlerts) {
    const def = scenario.alerts.find((x) => x.id === a.alert);
    alerts[a.alert] = { id: a.alert, name: a.name, severity: a.severity, target: def?.service ?? def?.journey ?? def?.topic ?? '', firing: true, since: s.now, value: Number.NaN, threshold: def?.threshold ?? Number.NaN };
  }
  return alerts;
}

const pick = (m: Metrics): Metrics => ({ rps: m.rps, errorRate: m.errorRate, p50Ms: m.p50Ms, p99Ms: m.p99Ms, saturation: m.saturation });

/** Folds one event into the model. Pure: returns a new model; `model` is left as it was. */
export function applyEvent(model: ViewModel, e: EngineEvent): ViewModel {
  if (e.seq <= model.lastSeq) return model;
  const next: ViewModel = { ...model, lastSeq: e.seq, now: Math.max(model.now, e.t), timeline: [...model.timeline, e] };
  switch (e.type) {
    case 'drill.state':
      return { ...next, phase: e.to };
    case 'incident.state':
      return {
        ...next,
        ...(e.to === 'detected' ? { detectedAt: e.t } : {}),
        incident: {
          ...model.incident,
          state: e.to,
          severity: e.severity ?? model.incident.severity,
          acknowledged: model.incident.acknowledged || e.to === 'acknowledged' || e.to === 'declared',
        },
      };
    case 'incident.severity':
      return { ...next, incident: { ...model.incident, severity: e.to } };
    case 'incident.role':
      return { ...next, incident: { ...model.incident, roles: { ...model.incident.roles, [e.role]: e.person } } };
    case 'status.posted':
      return { ...next, lastStatusAt: e.t };
    case 'service.state': {
      const s = model.services[e.service];
      if (!s) return next;
      return { ...next, services: { ...model.services, [s.id]: { ...s, state: e.to } } };
    }
    case 'journey.slo': {
      const j = model.journeys[e.journey];
      if (!j) return next;
      return { ...next, journeys: { ...model.journeys, [j.id]: { ...j, inSlo: e.ok } } };
    }
    case 'alert.firing':
      return {
        ...next,
        alerts: {
          ...model.alerts,
          [e.alert]: { id: e.alert, name: e.name, severity: e.severity, target: e.service ?? e.journey ?? e.topic ?? '', firing: true, since: e.t, value: e.value, threshold: e.threshold },
        },
      };
    case 'alert.resolved': {
      const a = model.alerts[e.alert];
      if (!a) return next;
      return { ...next, alerts: { ...model.alerts, [a.id]: { ...a, firing: false, value: e.value } } };
    }
    case 'advice.shown':
      return { ...next, advice: [...model.advice, { id: e.advice, t: e.t, source: e.source, title: e.title, text: e.text, proposes: e.proposes }] };
    case 'approval.requested':
      return {
        ...next,
        approvals: { ...model.approvals, [e.request]: { request: e.request, action: e.action, target: e.target, by: e.by, byId: e.byId ?? null, t: e.t } },
      };
    case 'approval.granted':
    case 'approval.denied':
      return { ...next, approvals: without(model.approvals, e.request) };
    case 'action.started':
      return {
        ...next,
        running: { ...model.running, [e.action]: { action: e.action, kind: e.kind, target: e.target, by: e.by, startedAt: e.t, duration: e.duration } },
      };
    case 'action.progress': {
      const r = model.running[e.action];
      if (!r) return next;
      return { ...next, running: { ...model.running, [e.action]: { ...r, progress: { done: e.done, of: e.of } } } };
    }
    case 'action.completed':
      return { ...next, running: without(model.running, e.action), inForce: applyInForce(model.inForce, e) };
    case 'action.reverted':
      return { ...next, inForce: applyInForce(model.inForce, e) };
    case 'diagnosis':
      return { ...next, diagnoses: { ...model.diagnoses, [e.target]: { t: e.t, lines: e.lines, by: e.by } } };
    case 'impact.minute':
      return { ...next, totals: { failed: e.total.failed, lost: e.total.lost } };
    default: {
      // The assistant and the change window (change-window.ts); every other event (and any type
      // newer than this console) only joins the timeline.
      const part = applyChangeWindow(model, e, model.name);
      return part ? { ...next, ...part } : next;
    }
  }
}

export function applyEvents(model: ViewModel, events: readonly EngineEvent[]): ViewModel {
  return events.reduce(applyEvent, model);
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}

/** Latest numbers for every service and journey. Pure, like applyEvent. */
export function applySample(model: ViewModel, sample: MetricsSample): ViewModel {
  const services = { ...model.services };
  for (const m of sample.services) {
    const s = services[m.id];
    if (s) services[m.id] = { ...s, state: m.state, metrics: pick(m) };
  }
  const journeys = { ...model.journeys };
  for (const m of sample.journeys) {
    const j = journeys[m.id];
    if (j) journeys[m.id] = { ...j, inSlo: m.inSlo, metrics: { ...j.metrics, rps: m.rps, errorRate: m.errorRate, p99Ms: m.p99Ms } };
  }
  return { ...model, services, journeys };
}

/**
 * Chart history: one bounded series per service and journey. Kept outside the model because it is
 * the one hot path (every tick, every series) and copying 1,200-point arrays per tick would waste
 * frames; it is appended in place and trimmed to the sliding window.
 */
const SERIES_KEYS = ['t', 'errorRate', 'p99Ms', 'rps', 'saturation', 'lagSeconds'] as const;

export class SeriesStore {
  readonly series = new Map<string, Series>();

  constructor(readonly window = SERIES_WINDOW) {}

  /**
   * Replaces everything with the server's history (a `history` message, after a join or a reload):
   * the same points the live samples gave a client that was there all along.
   */
  load(history: MetricsHistory): void {
    this.series.clear();
    history.t.forEach((t, i) => {
      const at = (column: readonly number[]) => column[i] ?? 0;
      for (const s of history.services) this.push(`service:${s.id}`, t, { rps: at(s.rps), errorRate: at(s.errorRate), p99Ms: at(s.p99Ms), saturation: at(s.saturation) }, 0);
      for (const j of history.journeys) this.push(`journey:${j.id}`, t, { rps: at(j.rps), errorRate: at(j.errorRate), p99Ms: at(j.p99Ms), saturation: 0 }, 0);
      for (const x of history.topics) this.push(`topic:${x.id}`, t, { errorRate: 0, p99Ms: 0, rps: at(x.rps), saturation: 0 }, at(x.lagSeconds));
    });
  }

  add(sample: MetricsSample): void {
    for (const m of sample.services) this.push(`service:${m.id}`, sample.t, m, 0);
    for (const m of sample.journeys) this.push(`journey:${m.id}`, sample.t, { ...m, saturation: 0 }, 0);
    for (const m of sample.topics) this.push(`topic:${m.id}`, sample.t, { errorRate: 0, p99Ms: 0, rps: m.rps, saturation: 0 }, m.lagSeconds);
  }

  private push(key: string, t: number, m: { errorRate: number; p99Ms: number; rps: number; saturation: number }, lagSeconds: number): void {
    let s = this.series.get(key);
    if (!s) {
      s = { t: [], errorRate: [], p99Ms: [], rps: [], saturation: [], lagSeconds: [] };
      this.series.set(key, s);
    }
    const last = s.t.at(-1);
    if (last !== undefined && t <= last) return;
    s.t.push(t);
    s.errorRate.push(m.errorRate);
    s.p99Ms.push(m.p99Ms);
    s.rps.push(m.rps);
    s.saturation.push(m.saturation);
    s.lagSeconds.push(lagSeconds);
    if (s.t.length > this.window) for (const k of SERIES_KEYS) s[k].splice(0, s[k].length - this.window);
  }
}
