/**
 * The after-action report model ("deep dive"): a pure function of the log (header + events) and its
 * scorecard. It lines up what the system did, what people did and what advice they were given; it
 * keeps a decision log of every command and what followed it; and it re-simulates the run (the same
 * fold as replay) to chart each journey's error rate tick by tick, which the log does not store.
 *
 * The report is for the debrief, so it shows what responders could not see during the drill: faults,
 * advice labels, facilitator notes.
 */
import type { LogHeader } from '../core/log.ts';
import { foldLog } from '../core/replay.ts';
import type { MetricsSample } from '../core/session.ts';
import { CONTROL_COMMANDS, type CommandParams, type EngineEvent } from '../core/types.ts';
import { ACTION_TYPES, type Scenario } from '../scenario/schema.ts';
import type { Milestones } from './milestones.ts';
import { formatDuration } from '../core/duration.ts';
import { clip, metricName, metricValue, percent } from './report-format.ts';
import type { Scorecard } from './scorecard.ts';

export const REPORT_VERSION = 1;

/** How long the chart runs on after the last thing that happened to the incident. */
export const CHART_TAIL_MS = 10 * 60_000;

export type EntryKind = 'system' | 'human' | 'advice';

export interface TimelineEntry {
  t: number;
  seq: number;
  kind: EntryKind;
  type: string;
  /** A readable sentence. */
  text: string;
  /** Commands: accepted or rejected. */
  ok?: boolean;
  /** Commands: the rejection code. */
  code?: string;
  /** Advice: its facilitator label (correct, stale or harmful). */
  label?: string;
}

export const MILESTONE_LABELS: Record<keyof Milestones, string> = {
  started: 'root cause started',
  impactStart: 'impact started',
  detected: 'detected',
  acknowledged: 'acknowledged',
  declared: 'declared',
  investigating: 'investigating',
  identified: 'root cause identified',
  mitigated: 'mitigated',
  resolved: 'resolved',
};

/** The milestones drawn on the charts. */
export const CHART_MILESTONES = ['detected', 'acknowledged', 'declared', 'mitigated', 'resolved'] as const;

export interface MilestoneMarker {
  name: keyof Milestones;
  label: string;
  t: number;
}

export interface FollowUp {
  t: number;
  seq: number;
  type: string;
  text: string;
}

export interface Decision {
  seq: number;
  t: number;
  actor: string;
  command: string;
  target?: string;
  params?: CommandParams;
  ok: boolean;
  code?: string;
  message?: string;
  /** What was asked, e.g. "roll back pricing". */
  what: string;
  /** The shown advice this command followed, if any. */
  advice: { id: string; label: string } | null;
  /** The command's direct effects, then (for actions and approvals) what became of the action. */
  followed: FollowUp[];
}

export interface ResponseTime {
  name: string;
  /** The milestone the time is measured from. */
  from: string;
  actual: number | null;
  objective: number;
  met: boolean;
}

export interface JourneyReport {
  journey: string;
  name: string;
  unit: string;
  firstOutOfSlo: number | null;
  failed: number;
  lost: number;
  badMinutes: number;
  budgetBurned: number;
  untreated: { failed: number; lost: number; badMinutes: number; budgetBurned: number };
  /** 1 − lost ÷ untreated lost (by failed requests when the journey has no value); 1 if untreated lost nothing. */
  avoidedShare: number;
}

export interface AdviceReport {
  id: string;
  source: string;
  title: string | null;
  label: string;
  note: string | null;
  /** "type:target" of the proposed action, if any. */
  proposes: string | null;
  shownAt: number | null;
  followed: { by: string; t: number } | null;
}

export interface ApprovalReport {
  request: string;
  requestedBy: string;
  /** Participant ids (live drills): the names are what people typed, the ids who they were. */
  requestedById: string | null;
  requestedAt: number;
  outcome: 'granted' | 'denied' | 'bypassed' | 'pending';
  by: string | null;
  byId: string | null;
  decidedAt: number | null;
  waitedMs: number | null;
}

export interface JourneySeries {
  journey: string;
  name: string;
  unit: string;
  /** The journey is out of SLO while its error rate is above this. */
  sloErrorRate: number;
  /** Error rate at each time in `ChartModel.t`. */
  errorRate: number[];
}

export interface ChartModel {
  tickMs: number;
  from: number;
  to: number;
  /** The simulated time of every tick in [from, to]. */
  t: number[];
  journeys: JourneySeries[];
  /** From impact start to mitigation (or the end of the run if impact never ended). */
  impactWindow: { from: number; to: number } | null;
  markers: MilestoneMarker[];
}

export interface ReportModel {
  version: number;
  scenarioId: string;
  title: string;
  seed: number;
  endedAt: number;
  endReason: string | null;
  rootCause: { id: string; target: string; kind: string } | null;
  responseTimes: ResponseTime[];
  markers: MilestoneMarker[];
  journeys: JourneyReport[];
  timeline: TimelineEntry[];
  decisions: Decision[];
  advice: AdviceReport[];
  approvals: ApprovalReport[];
  chart: ChartModel;
}

const CONTROL = new Set<string>(CONTROL_COMMANDS);
const ACTIONS = new Set<string>(ACTION_TYPES);
/** Tick output that is bookkeeping, not story. */
const SKIPPED = new Set(['impact.minute', 'checkpoint']);

export function buildReport(header: LogHeader, events: readonly EngineEvent[], card: Scorecard): ReportModel {
  const { scenario } = header;
  const sim = resimulateWithSamples(header, events, chartEnd(card, events));
  const words = new Describer(scenario);
  const root = card.rootCause ? scenario.faults.find((f) => f.id === card.rootCause?.id) : undefined;
  const ended = events.find((e) => e.type === 'drill.state' && e.to === 'ended');
  return {
    version: REPORT_VERSION,
    scenarioId: scenario.id,
    title: scenario.title,
    seed: header.seed,
    endedAt: card.endedAt,
    endReason: ended ? ((ended.reason as string | undefined) ?? null) : null,
    rootCause: root ? { id: root.id, target: root.target, kind: root.kind } : null,
    responseTimes: responseTimes(card),
    markers: markersOf(card.milestones),
    journeys: journeyReports(header, events, card),
    timeline: events.filter((e) => !SKIPPED.has(e.type)).map((e) => words.entry(e)),
    decisions: decisions(scenario, events, card, sim.direct, words),
    advice: adviceReports(scenario, events, card),
    approvals: approvals(events),
    chart: {
      tickMs: header.tickMs,
      from: 0,
      to: sim.to,
      t: sim.samples.map((s) => s.t),
      journeys: scenario.journeys.map((j, i) => ({
        journey: j.id,
        name: j.name,
        unit: j.unit,
        sloErrorRate: j.slo.errorRate,
        errorRate: sim.samples.map((s) => s.journeys[i]?.errorRate ?? 0),
      })),
      impactWindow: card.milestones.impactStart === null ? null : { from: card.milestones.impactStart, to: card.milestones.mitigated ?? card.endedAt },
      markers: markersOf(card.milestones).filter((m) => (CHART_MILESTONES as readonly string[]).includes(m.name)),
    },
  };
}

/**
 * The chart's end: CHART_TAIL_MS after the last milestone, command or SLO change, so a six-hour run
 * resolved in twenty minutes is not drawn as a thin spike; the whole run if impact never ended.
 */
function chartEnd(card: Scorecard, events: readonly EngineEvent[]): number {
  const m = card.milestones;
  if (m.impactStart !== null && m.mitigated === null) return card.endedAt;
  let last = 0;
  for (const t of Object.values(m)) if (t !== null) last = Math.max(last, t);
  for (const e of events) {
    if ((e.type === 'command' && !CONTROL.has(e.command as string)) || e.type === 'journey.slo') last = Math.max(last, e.t);
  }
  return last === 0 ? card.endedAt : Math.min(card.endedAt, last + CHART_TAIL_MS);
}

/**
 * Replays the log's commands (as engine/core/replay.ts does) and keeps every tick's sample up to
 * `to`, and how many events each command produced directly (its seq → count).
 */
function resimulateWithSamples(header: LogHeader, events: readonly EngineEvent[], to: number) {
  const samples: MetricsSample[] = [];
  const direct = new Map<number, number>();
  foldLog(header.scenario, header.seed, events, {
    onTick: (s) => {
      if (s.t <= to) samples.push(s);
    },
    onCommand: (e, result) => direct.set(e.seq, result.events.length),
  });
  return { samples, direct, to: samples.length > 0 ? Math.max(to, (samples[samples.length - 1] as MetricsSample).t) : to };
}

function markersOf(m: Milestones): MilestoneMarker[] {
  const order = Object.keys(MILESTONE_LABELS) as (keyof Milestones)[];
  return order
    .filter((name) => m[name] !== null)
    .map((name) => ({ name, label: MILESTONE_LABELS[name], t: m[name] as number }))
    .sort((a, b) => a.t - b.t || order.indexOf(a.name) - order.indexOf(b.name));
}

function responseTimes(card: Scorecard): ResponseTime[] {
  const d = card.durations;
  const o = card.objectives;
  const rows: [string, string, number | null, number | undefined][] = [
    ['acknowledge', 'the first page', d.timeToAcknowledge, o.ack],
    ['declare', 'impact start', d.timeToDeclare, o.declare],
    ['diagnose', 'impact start', d.timeToDiagnose, o.diagnose],
    ['mitigate', 'impact start', d.timeToMitigate, o.mitigate],
    ['resolve', 'impact start', d.timeToResolve, o.resolve],
  ];
  return rows
    .filter((r): r is [string, string, number | null, number] => r[3] !== undefined)
    .map(([name, from, actual, objective]) => ({ name, from, actual, objective, met: actual !== null && actual <= objective }));
}

function journeyReports(header: LogHeader, events: readonly EngineEvent[], card: Scorecard): JourneyReport[] {
  const { scenario } = header;
  return scenario.journeys.map((def) => {
    const j = card.impact.journeys.find((x) => x.journey === def.id);
    const u = card.impact.untreatedJourneys.find((x) => x.journey === def.id);
    const failed = j?.failed ?? 0;
    const lost = j?.lost ?? 0;
    const uFailed = u?.failed ?? 0;
    const uLost = u?.lost ?? 0;
    const avoided = uLost > 0 ? 1 - lost / uLost : uFailed > 0 ? 1 - failed / uFailed : 1;
    return {
      journey: def.id,
      name: def.name,
      unit: def.unit,
      firstOutOfSlo: j?.firstOutOfSlo ?? null,
      failed,
      lost,
      badMinutes: j?.badMinutes ?? 0,
      budgetBurned: j?.budgetBurned ?? 0,
      untreated: { failed: uFailed, lost: uLost, badMinutes: u?.badMinutes ?? 0, budgetBurned: u?.budgetBurned ?? 0 },
      avoidedShare: Math.round(avoided * 10_000) / 10_000,
    };
  });
}

/** The id of the action a command asks for, approves, denies or reverts; null for other commands. */
function actionIdOf(scenario: Scenario, e: EngineEvent): string | null {
  const command = e.command as string;
  const params = e.params as CommandParams | undefined;
  if (ACTIONS.has(command)) {
    const def = scenario.actions.find((a) => a.type === command && a.target === e.target);
    return def ? (def.id ?? `${def.type}:${def.target}`) : null;
  }
  if (command === 'approve' || command === 'deny') return typeof params?.request === 'string' ? params.request : null;
  if (command === 'revert') return typeof params?.action === 'string' ? params.action : null;
  return null;
}

/** Requests, decisions on requests and reverts each tell their own story about an action. */
const commandKind = (e: EngineEvent): string => {
  const command = e.command as string;
  return ACTIONS.has(command) ? 'request' : command === 'approve' || command === 'deny' ? 'decision' : command;
};

/** Later events that belong to an action: its approval, start, completion, revert, and the faults it fixed or set off. */
const concernsAction = (e: EngineEvent, id: string): boolean =>
  (e.type.startsWith('approval.') && e.request === id) ||
  ((e.type.startsWith('action.') || e.type.startsWith('fault.')) && e.action === id);

function decisions(scenario: Scenario, events: readonly EngineEvent[], card: Scorecard, direct: Map<number, number>, words: Describer): Decision[] {
  const followedAdvice = [...card.conduct.goodAdviceFollowed, ...card.conduct.badAdviceFollowed];
  const out: Decision[] = [];
  events.forEach((e, index) => {
    if (e.type !== 'command') return;
    const ok = e.ok === true;
    const produced = direct.get(e.seq) ?? 1;
    const followed: FollowUp[] = [];
    const take = (f: EngineEvent) => followed.push({ t: f.t, seq: f.seq, type: f.type, text: words.entry(f).text });
    for (let i = index + 1; i < index + produced && i < events.length; i++) take(events[i] as EngineEvent);
    const id = ok ? actionIdOf(scenario, e) : null;
    if (id !== null) {
      for (let i = index + produced; i < events.length; i++) {
        const f = events[i] as EngineEvent;
        // A new request of the same action (or a new decision on the same request) starts its own story.
        if (f.type === 'command' && f.ok === true && commandKind(f) === commandKind(e) && actionIdOf(scenario, f) === id) break;
        if (concernsAction(f, id)) take(f);
      }
    }
    const actionKey = `${String(e.command)}:${String(e.target)}`;
    const advice = ok ? followedAdvice.find((a) => a.action === actionKey && a.by === e.actor && a.t === e.t) : undefined;
    out.push({
      seq: e.seq,
      t: e.t,
      actor: e.actor as string,
      command: e.command as string,
      ...(e.target !== undefined ? { target: e.target as string } : {}),
      ...(e.params !== undefined ? { params: e.params as CommandParams } : {}),
      ok,
      ...(ok ? {} : { code: e.code as string, message: e.message as string }),
      what: words.commandPhrase(e),
      advice: advice ? { id: advice.advice, label: advice.label } : null,
      followed,
    });
  });
  return out;
}

function adviceReports(scenario: Scenario, events: readonly EngineEvent[], card: Scorecard): AdviceReport[] {
  const shown = new Map<string, number>();
  for (const e of events) if (e.type === 'advice.shown' && !shown.has(e.advice as string)) shown.set(e.advice as string, e.t);
  const followed = [...card.conduct.goodAdviceFollowed, ...card.conduct.badAdviceFollowed];
  return scenario.advice.map((a) => {
    const f = followed.find((x) => x.advice === a.id);
    return {
      id: a.id,
      source: a.source,
      title: a.title ?? null,
      label: a.facilitator.label,
      note: a.facilitator.note ?? null,
      proposes: a.proposes ? `${a.proposes.type}:${a.proposes.target}` : null,
      shownAt: shown.get(a.id) ?? null,
      followed: f ? { by: f.by, t: f.t } : null,
    };
  });
}

const idOf = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function approvals(events: readonly EngineEvent[]): ApprovalReport[] {
  const out: ApprovalReport[] = [];
  const open = new Map<string, ApprovalReport>();
  for (const e of events) {
    const request = e.request as string;
    if (e.type === 'approval.requested') {
      const r: ApprovalReport = { request, requestedBy: e.by as string, requestedById: idOf(e.byId), requestedAt: e.t, outcome: 'pending', by: null, byId: null, decidedAt: null, waitedMs: null };
      open.set(request, r);
      out.push(r);
    } else if (e.type === 'approval.granted' || e.type === 'approval.denied') {
      const r = open.get(request);
      if (!r) continue;
      open.delete(request);
      Object.assign(r, { outcome: e.type === 'approval.granted' ? 'granted' : 'denied', by: e.by as string, byId: idOf(e.byId), decidedAt: e.t, waitedMs: e.t - r.requestedAt });
    } else if (e.type === 'approval.bypassed') {
      const byId = idOf(e.byId);
      out.push({ request, requestedBy: e.by as string, requestedById: byId, requestedAt: e.t, outcome: 'bypassed', by: e.by as string, byId, decidedAt: e.t, waitedMs: 0 });
    }
  }
  return out;
}

const ACTION_VERBS: Record<string, (target: string) => string> = {
  rollback: (t) => `roll back ${t}`,
  restart: (t) => `restart ${t}`,
  scale: (t) => `scale ${t} up`,
  failover: (t) => `fail ${t} over`,
  flag: (t) => `flip the fallback flag on ${t}`,
  breaker: (t) => `open a breaker on ${t}`,
  'cache-flush': (t) => `flush ${t}'s cache`,
  drain: (t) => `drain ${t}`,
  'rotate-cert': (t) => `rotate ${t}'s certificate`,
};

const SOURCE_NAMES: Record<string, string> = { assistant: 'the AI assistant', runbook: 'a runbook', wiki: 'the wiki', colleague: 'a colleague' };

/** Ends a sentence; never capitalises, because sentences may start with a service id or a name. */
const sentence = (s: string) => (/[.!?…”"]$/.test(s) ? s : `${s}.`);

/** Turns events into sentences, with the scenario at hand for names and metrics. */
class Describer {
  private readonly alerts: Map<string, Scenario['alerts'][number]>;
  private readonly advice: Map<string, Scenario['advice'][number]>;

  constructor(scenario: Scenario) {
    this.alerts = new Map(scenario.alerts.map((a) => [a.id, a]));
    this.advice = new Map(scenario.advice.map((a) => [a.id, a]));
  }

  /** What a command asked for: "declare Sev 1" (infinitive) or "declared Sev 1" (past, once accepted). */
  commandPhrase(e: EngineEvent, tense: 'infinitive' | 'past' = 'infinitive'): string {
    const p = (e.params ?? {}) as CommandParams;
    const target = String(e.target ?? '?');
    const command = String(e.command);
    const pick = (infinitive: string, past: string) => (tense === 'past' ? past : infinitive);
    switch (command) {
      case 'start':
      case 'pause':
      case 'resume':
      case 'end':
        return pick(`${command} the drill`, `${command === 'end' ? 'ended' : command === 'pause' ? 'paused' : `${command}ed`} the drill`);
      case 'inject':
        return `${pick('inject', 'injected')} the fault ${String(p.fault ?? '?')}`;
      case 'ack':
        return pick('acknowledge the page', 'acknowledged the page');
      case 'declare':
        return `${pick('declare', 'declared')} Sev ${String(p.severity ?? '?')}`;
      case 'resolve':
        return pick('resolve the incident', 'resolved the incident');
      case 'assign-role': {
        const person = p.person ?? e.actor;
        const role = String(p.role ?? '?');
        return person === e.actor ? `${pick('take', 'took')} the ${role} role` : `${pick('give', 'gave')} the ${role} role to ${String(person)}`;
      }
      case 'status-update':
        return `${pick('post', 'posted')} a status update: “${clip(String(p.message ?? ''), 200)}”`;
      case 'diagnose':
        return `${pick('look', 'looked')} at ${target}'s logs and metrics`;
      case 'approve':
        return `${pick('approve', 'approved')} ${String(p.request ?? '?')}`;
      case 'deny':
        return `${pick('deny', 'denied')} ${String(p.request ?? '?')}`;
      case 'revert':
        return `${pick('revert', 'reverted')} ${String(p.action ?? '?')}`;
      default: {
        const verb = ACTION_VERBS[command];
        const phrase = tense === 'past' ? `ran ${command} on ${target}` : verb ? verb(target) : `run ${command} on ${target}`;
        return p.breakGlass === true ? `${phrase} (break glass, bypassing approval)` : phrase;
      }
    }
  }

  entry(e: EngineEvent): TimelineEntry {
    const base = { t: e.t, seq: e.seq, type: e.type };
    if (e.type === 'command') {
      const control = CONTROL.has(e.command as string);
      if (e.ok === true) return { ...base, kind: control ? 'system' : 'human', text: sentence(`${String(e.actor)} ${this.commandPhrase(e, 'past')}`), ok: true };
      return {
        ...base,
        kind: control ? 'system' : 'human',
        text: sentence(`${String(e.actor)} tried to ${this.commandPhrase(e)}: rejected with ${String(e.code)} (${String(e.message ?? '')})`),
        ok: false,
        code: String(e.code),
      };
    }
    if (e.type === 'advice.shown') {
      const def = this.advice.get(e.advice as string);
      const proposes = e.proposes as { type: string; target: string } | null;
      const label = def?.facilitator.label ?? 'unlabelled';
      const title = e.title ? `“${String(e.title)}”` : `“${clip(String(e.text ?? ''), 80)}”`;
      const text = `Advice from ${SOURCE_NAMES[e.source as string] ?? String(e.source)}: ${title}${proposes ? `, proposing ${proposes.type}:${proposes.target}` : ''} (${label})`;
      return { ...base, kind: 'advice', text: sentence(text), label };
    }
    const human = HUMAN.has(e.type) || (e.type === 'incident.state' && e.to !== 'detected' && e.to !== 'mitigated');
    return { ...base, kind: human ? 'human' : 'system', text: sentence(this.eventText(e)) };
  }

  private eventText(e: EngineEvent): string {
    const s = (k: string) => String(e[k] ?? '?');
    switch (e.type) {
      case 'drill.state':
        return e.to === 'ended' ? `The drill ended (${s('reason')})` : `The drill went from ${s('from')} to ${s('to')}${e.by ? ` (${s('by')})` : ''}`;
      case 'fault.started': {
        const cause = e.scheduled
          ? 'as scheduled'
          : e.injectedBy
            ? `injected by ${s('injectedBy')}`
            : e.triggeredBy
              ? `set off by ${s('action')} (run by ${s('triggeredBy')})`
              : '';
        return `Fault ${s('fault')} (${s('kind')}) started on ${s('target')}${cause ? `, ${cause}` : ''}`;
      }
      case 'fault.ended':
        return `Fault ${s('fault')} ended: ${e.reason === 'fixed' ? `fixed by ${s('action')}` : s('reason')}`;
      case 'change.deployed':
        return `Change on ${s('service')} by ${s('author')}: ${clip(s('summary'), 200)}`;
      case 'service.state':
        return `Service ${s('service')} went from ${s('from')} to ${s('to')} (errors ${percent(Number(e.errorRate))}, p99 ${metricValue('p99Ms', Number(e.p99Ms))})`;
      case 'journey.slo':
        return `Journey ${s('journey')} ${e.ok ? 're-entered' : 'left'} its SLO (errors ${percent(Number(e.errorRate))}, p99 ${metricValue('p99Ms', Number(e.p99Ms))})`;
      case 'alert.firing': {
        const metric = s('metric');
        const herring = this.alerts.get(e.alert as string)?.facilitator?.redHerring ? ' — a red herring' : '';
        return `Alert “${String(e.name ?? e.alert)}” fired (${s('severity')}): ${metricName(metric)} ${metricValue(metric, Number(e.value))}, threshold ${metricValue(metric, Number(e.threshold))}${herring}`;
      }
      case 'alert.resolved': {
        const metric = this.alerts.get(e.alert as string)?.metric ?? '';
        return `Alert ${s('alert')} resolved (${metric ? `${metricName(metric)} ` : ''}${metricValue(metric, Number(e.value))})`;
      }
      case 'breaker.opened':
      case 'breaker.closed':
        return `Breaker from ${s('service')} to ${s('dependency')} ${e.type === 'breaker.opened' ? 'opened' : 'closed'} (${e.manual ? 'manual' : 'automatic'})`;
      case 'incident.state': {
        if (e.to === 'detected') return `Incident detected: ${e.alert ? `the page ${s('alert')} fired` : 'a page fired'}`;
        if (e.to === 'mitigated') return 'Incident mitigated: every journey back within its SLO';
        if (e.to === 'declared') return `Incident declared, Sev ${s('severity')}${e.by ? ` (by ${s('by')})` : ''}`;
        return `Incident ${s('to')}${e.by ? ` (by ${s('by')})` : ''}`;
      }
      case 'incident.severity':
        return `Severity changed from ${e.from === null ? 'none' : `Sev ${s('from')}`} to Sev ${s('to')}${e.by ? ` (by ${s('by')})` : ''}`;
      case 'incident.role':
        return e.person === e.by ? `${s('person')} took the ${s('role')} role` : `${s('by')} gave the ${s('role')} role to ${s('person')}`;
      case 'approval.requested':
        return `${s('by')}'s ${s('request')} is waiting for a second approver`;
      case 'approval.granted':
        return `${s('by')} approved ${s('requestedBy')}'s ${s('request')}`;
      case 'approval.denied':
        return `${s('by')} denied ${s('requestedBy')}'s ${s('request')}`;
      case 'approval.bypassed':
        return `${s('by')} bypassed the approval for ${s('request')} (break glass)`;
      case 'action.started':
        return `Action ${s('action')} started (by ${s('by')}; lands in ${formatDuration(Number(e.duration))})`;
      case 'action.completed':
        return `Action ${s('action')} completed`;
      case 'action.reverted':
        return `${s('by')} reverted ${s('action')}`;
      case 'status.posted':
        return `${s('by')} posted a status update: “${clip(s('message'), 200)}”`;
      case 'diagnosis': {
        const lines = Array.isArray(e.lines) ? (e.lines as string[]) : [];
        const first = lines[0] !== undefined ? `; logs: “${clip(lines[0], 120)}”${lines.length > 1 ? ` (+${lines.length - 1} more)` : ''}` : '';
        return `${s('by')} looked at ${s('target')}: errors ${percent(Number(e.errorRate))}, p99 ${metricValue('p99Ms', Number(e.p99Ms))}, saturation ${percent(Number(e.saturation), 0)}${first}`;
      }
      default:
        return e.type;
    }
  }
}

const HUMAN = new Set([
  'incident.severity',
  'incident.role',
  'approval.requested',
  'approval.granted',
  'approval.denied',
  'approval.bypassed',
  'action.started',
  'action.completed',
  'action.reverted',
  'status.posted',
  'diagnosis',
]);
