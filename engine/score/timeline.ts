/**
 * The after-action report model ("deep dive"): a pure function of the log (header + events) and its
 * scorecard. It lines up what the system did, what people did and what advice they were given; it
 * keeps a decision log of every command and what followed it; and it re-simulates the run (the same
 * fold as replay) to chart each journey's error rate tick by tick, which the log does not store.
 *
 * The report is for the debrief, so it shows what responders could not see during the drill: faults,
 * advice labels, facilitator notes.
 */
import { stalenessReason } from '../core/assistant/staleness.ts';
import type { Variation } from '../protocol/varied.ts';
import type { LogHeader } from '../core/log/log.ts';
import { foldCommands } from '../core/log/fold.ts';
import { commandEvents, commandOf, logEnd } from '../core/log/replay.ts';
import type { MetricsSample } from '../protocol/views.ts';
import { CONTROL_COMMANDS, type CommandParams } from '../protocol/commands.ts';
import { commandPhrase, describe, namesOf, type DescribeNames } from '../protocol/describe.ts';
import type { EngineEvent, EventOf } from '../protocol/events.ts';
import { actionId, faultTargetFields, proposalKey } from '../protocol/ids.ts';
import { kindOf } from '../protocol/kinds.ts';
import { ACTION_TYPES, type Scenario } from '../protocol/scenario.ts';
import type { Milestones } from './milestones.ts';
import { mitigatedEntryText, mitigationTimes, type MitigationTimes } from './mitigation.ts';
import type { Scorecard } from './scorecard.ts';
import { timeSinks, type TimeSink } from './time-sinks.ts';

/**
 * 2: the seed's variation. 3: the assistant's answers. 4: an answer's proposed change. 5: the lesson
 * first: the biggest time sinks (`timeSinks`), and when the mitigation was confirmed (`mitigation`,
 * and the timeline's line for it), so the report's two mitigation times never look contradictory.
 */
export const REPORT_VERSION = 5;

/** How long the chart runs on after the last thing that happened to the incident. */
const CHART_TAIL_MS = 10 * 60_000;

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

const MILESTONE_LABELS: Record<keyof Milestones, string> = {
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

/** One answer of the assistant, beside the page it cited and what made that page stale (the debrief's view). */
export interface AssistantAnswerReport {
  t: number;
  by: string;
  question: string;
  page: string | null;
  title: string | null;
  edited: string | null;
  /** "type:target" of the proposed action, or "change:<id>" of the proposed change, if any. */
  proposes: string | null;
  /** Why the cited page is stale (its later architecture changes), or null when it is current or none was cited. */
  staleBecause: string | null;
  /** Whether anyone opened the cited page or its history after the answer (and before the drill ended). */
  sourceChecked: boolean;
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
  /** `targets` only when the root-cause fault has several. */
  rootCause: { id: string; target: string; targets?: string[]; kind: string } | null;
  responseTimes: ResponseTime[];
  markers: MilestoneMarker[];
  journeys: JourneyReport[];
  timeline: TimelineEntry[];
  decisions: Decision[];
  advice: AdviceReport[];
  /** Every answer of the assistant, in order. */
  assistant: AssistantAnswerReport[];
  approvals: ApprovalReport[];
  chart: ChartModel;
  /** What the seed drew for the scenario's varied fields (the log header's); empty when nothing varied. */
  variation: Variation;
  /** The longest stretches in which the incident did not move on, longest first (none if it was prevented). */
  timeSinks: TimeSink[];
  /** Every journey back within SLO, and when the incident was marked so; null if never mitigated. */
  mitigation: MitigationTimes | null;
}

function assistantReports(scenario: LogHeader['scenario'], events: readonly EngineEvent[]): AssistantAnswerReport[] {
  return events.flatMap((e) => {
    if (e.type !== 'assistant.answered') return [];
    const page = e.page === null ? undefined : scenario.wiki.find((p) => p.id === e.page);
    const checked = events.some((o) => (o.type === 'page.opened' || o.type === 'page.history') && o.page === e.page && o.seq > e.seq);
    return [
      {
        t: e.t,
        by: e.by,
        question: e.question,
        page: e.page,
        title: e.title ?? null,
        edited: e.edited ?? null,
        proposes: e.change ? `change:${e.change.id}` : e.proposes ? `${e.proposes.type}:${e.proposes.target}` : null,
        staleBecause: page ? stalenessReason(page, scenario.architecture) : null,
        sourceChecked: e.page !== null && checked,
      },
    ];
  });
}

const CONTROL = new Set<string>(CONTROL_COMMANDS);
const ACTIONS = new Set<string>(ACTION_TYPES);
/** Tick output that is bookkeeping, not story. */
const SKIPPED = new Set(['impact.minute', 'checkpoint']);

export function buildReport(header: LogHeader, events: readonly EngineEvent[], card: Scorecard): ReportModel {
  const { scenario } = header;
  const sim = resimulateWithSamples(header, events, chartEnd(card, events));
  const names = namesOf(scenario);
  const root = card.rootCause ? scenario.faults.find((f) => f.id === card.rootCause?.id) : undefined;
  const ended = events.find((e): e is EventOf<'drill.state'> => e.type === 'drill.state' && e.to === 'ended');
  return {
    version: REPORT_VERSION,
    scenarioId: scenario.id,
    title: scenario.title,
    seed: header.seed,
    variation: header.variation ?? {},
    endedAt: card.endedAt,
    endReason: ended?.reason ?? null,
    rootCause: root ? { id: root.id, ...faultTargetFields(root), kind: root.kind } : null,
    responseTimes: responseTimes(card),
    markers: markersOf(card.milestones),
    journeys: journeyReports(header, events, card),
    timeline: events.filter((e) => !SKIPPED.has(e.type)).map((e) => entry(e, names, scenario.objectives.stable)),
    decisions: decisions(scenario, events, card, sim.direct, names),
    advice: adviceReports(scenario, events, card),
    assistant: assistantReports(scenario, events),
    approvals: approvals(events),
    timeSinks: timeSinks(card, events, undefined, names),
    mitigation: mitigationTimes(card.milestones, events, scenario.objectives.stable),
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
    if ((e.type === 'command' && !CONTROL.has(e.command)) || e.type === 'journey.slo') last = Math.max(last, e.t);
  }
  return last === 0 ? card.endedAt : Math.min(card.endedAt, last + CHART_TAIL_MS);
}

/**
 * Folds the log's commands again (engine/core/log/fold.ts, as replay does) and keeps every tick's
 * sample up to `to`, and how many events each command produced directly (its seq → count).
 */
function resimulateWithSamples(header: LogHeader, events: readonly EngineEvent[], to: number) {
  const samples: MetricsSample[] = [];
  const direct = new Map<number, number>();
  const commands = commandEvents(events);
  foldCommands(header.scenario, header.seed, commands.map((e) => ({ at: e.t, ...commandOf(e) })), {
    until: logEnd(events),
    onTick: (s) => {
      if (s.t <= to) samples.push(s);
    },
    onCommand: (_input, result, i) => {
      const seq = commands[i]?.seq;
      if (seq !== undefined) direct.set(seq, result.events.length);
    },
  });
  return { samples, direct, to: samples.length > 0 ? Math.max(to, (samples[samples.length - 1] as MetricsSample).t) : to };
}

function markersOf(m: Milestones): MilestoneMarker[] {
  const order = Object.keys(MILESTONE_LABELS) as (keyof Milestones)[];
  const markers: MilestoneMarker[] = [];
  for (const name of order) {
    const t = m[name];
    if (t !== null) markers.push({ name, label: MILESTONE_LABELS[name], t });
  }
  return markers.sort((a, b) => a.t - b.t || order.indexOf(a.name) - order.indexOf(b.name));
}

/**
 * One line of the timeline. Its sentence is the shared one (engine/protocol/describe.ts; the mitigation's
 * names the earlier time it confirms, mitigation.ts), and so is
 * its kind (engine/protocol/kinds.ts); the debrief shows the facilitator's hidden events too, in the
 * system lane.
 */
function entry(e: EngineEvent, names: DescribeNames, stableMs: number): TimelineEntry {
  const kind = kindOf(e);
  // The incident is marked mitigated a stable period after the time the milestones show: say which.
  const text = e.type === 'incident.state' && e.to === 'mitigated' && e.since !== undefined ? mitigatedEntryText(e.since, stableMs) : describe(e, names);
  const base = { t: e.t, seq: e.seq, type: e.type, kind: kind === 'hidden' ? 'system' : kind, text } as const;
  if (e.type === 'command') return e.ok ? { ...base, ok: true } : { ...base, ok: false, code: e.code ?? '?' };
  if (e.type === 'advice.shown') return { ...base, label: names.adviceLabels?.get(e.advice) ?? 'unlabelled' };
  return base;
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
function actionIdOf(scenario: Scenario, e: EventOf<'command'>): string | null {
  const { command, params } = e;
  if (ACTIONS.has(command)) {
    const def = scenario.actions.find((a) => a.type === command && a.target === e.target);
    return def ? actionId(def) : null;
  }
  if (command === 'approve' || command === 'deny') return typeof params?.request === 'string' ? params.request : null;
  if (command === 'revert') return typeof params?.action === 'string' ? params.action : null;
  return null;
}

/** Requests, decisions on requests and reverts each tell their own story about an action. */
const commandKind = ({ command }: EventOf<'command'>): string =>
  ACTIONS.has(command) ? 'request' : command === 'approve' || command === 'deny' ? 'decision' : command;

/** Later events that belong to an action: its approval, start, progress, completion, revert, and the faults it fixed or set off. */
function concernsAction(e: EngineEvent, id: string): boolean {
  switch (e.type) {
    case 'approval.requested':
    case 'approval.granted':
    case 'approval.denied':
    case 'approval.bypassed':
      return e.request === id;
    case 'action.started':
    case 'action.progress':
    case 'action.completed':
    case 'action.reverted':
    case 'fault.started':
    case 'fault.ended':
      return e.action === id;
    default:
      return false;
  }
}

function decisions(scenario: Scenario, events: readonly EngineEvent[], card: Scorecard, direct: Map<number, number>, names: DescribeNames): Decision[] {
  const followedAdvice = [...card.conduct.goodAdviceFollowed, ...card.conduct.badAdviceFollowed];
  const out: Decision[] = [];
  events.forEach((e, index) => {
    if (e.type !== 'command') return;
    const { ok } = e;
    const produced = direct.get(e.seq) ?? 1;
    const followed: FollowUp[] = [];
    const take = (f: EngineEvent) => followed.push({ t: f.t, seq: f.seq, type: f.type, text: describe(f, names) });
    for (const f of events.slice(index + 1, index + produced)) take(f);
    const id = ok ? actionIdOf(scenario, e) : null;
    if (id !== null) {
      for (const f of events.slice(index + produced)) {
        // A new request of the same action (or a new decision on the same request) starts its own story.
        if (f.type === 'command' && f.ok && commandKind(f) === commandKind(e) && actionIdOf(scenario, f) === id) break;
        if (concernsAction(f, id)) take(f);
      }
    }
    const { target } = e;
    const advice =
      ok && target !== undefined
        ? followedAdvice.find((a) => a.action === proposalKey({ type: e.command, target }) && a.by === e.actor && a.t === e.t)
        : undefined;
    out.push({
      seq: e.seq,
      t: e.t,
      actor: e.actor,
      command: e.command,
      ...(target !== undefined ? { target } : {}),
      ...(e.params !== undefined ? { params: e.params } : {}),
      ok,
      ...(ok ? {} : { code: e.code, message: e.message }),
      what: commandPhrase(e, 'infinitive', names),
      advice: advice ? { id: advice.advice, label: advice.label } : null,
      followed,
    });
  });
  return out;
}

function adviceReports(scenario: Scenario, events: readonly EngineEvent[], card: Scorecard): AdviceReport[] {
  const shown = new Map<string, number>();
  for (const e of events) if (e.type === 'advice.shown' && !shown.has(e.advice)) shown.set(e.advice, e.t);
  const followed = [...card.conduct.goodAdviceFollowed, ...card.conduct.badAdviceFollowed];
  return scenario.advice.map((a) => {
    const f = followed.find((x) => x.advice === a.id);
    return {
      id: a.id,
      source: a.source,
      title: a.title ?? null,
      label: a.facilitator.label,
      note: a.facilitator.note ?? null,
      proposes: a.proposes ? proposalKey(a.proposes) : null,
      shownAt: shown.get(a.id) ?? null,
      followed: f ? { by: f.by, t: f.t } : null,
    };
  });
}

function approvals(events: readonly EngineEvent[]): ApprovalReport[] {
  const out: ApprovalReport[] = [];
  const open = new Map<string, ApprovalReport>();
  for (const e of events) {
    switch (e.type) {
      case 'approval.requested': {
        const r: ApprovalReport = { request: e.request, requestedBy: e.by, requestedById: e.byId ?? null, requestedAt: e.t, outcome: 'pending', by: null, byId: null, decidedAt: null, waitedMs: null };
        open.set(e.request, r);
        out.push(r);
        break;
      }
      case 'approval.granted':
      case 'approval.denied': {
        const r = open.get(e.request);
        if (!r) break;
        open.delete(e.request);
        Object.assign(r, { outcome: e.type === 'approval.granted' ? 'granted' : 'denied', by: e.by, byId: e.byId ?? null, decidedAt: e.t, waitedMs: e.t - r.requestedAt });
        break;
      }
      case 'approval.bypassed': {
        const byId = e.byId ?? null;
        out.push({ request: e.request, requestedBy: e.by, requestedById: byId, requestedAt: e.t, outcome: 'bypassed', by: e.by, byId, decidedAt: e.t, waitedMs: 0 });
        break;
      }
    }
  }
  return out;
}
