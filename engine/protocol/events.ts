/**
 * The event log's vocabulary: every event the engine can emit, as one discriminated union on `type`.
 * This is the product's core contract: replay, scoring, reports, the live stream and the UI all read
 * it, so every event type is defined here once, and consumers narrow with `switch (e.type)`.
 *
 * Key order inside a logged event is the order the engine builds it (seq, t, type, then the payload);
 * these schemas describe shapes, they never re-serialise an event.
 */
import { z } from 'zod';
import { ACTION_TYPES, ADVICE_SOURCES, ALERT_SEVERITIES, FAULT_KINDS, METRICS } from './scenario.ts';

export const DRILL_PHASES = ['ready', 'running', 'paused', 'ended'] as const;
export const INCIDENT_STATES = ['idle', 'detected', 'acknowledged', 'declared', 'mitigated', 'resolved'] as const;
export const HEALTH_LEVELS = ['healthy', 'degraded', 'down'] as const;
export const SERVICE_STATES = [...HEALTH_LEVELS, 'recovering'] as const;

export type DrillPhase = (typeof DRILL_PHASES)[number];
export type IncidentStateName = (typeof INCIDENT_STATES)[number];
export type HealthLevel = (typeof HEALTH_LEVELS)[number];
export type ServiceStateName = (typeof SERVICE_STATES)[number];

const name = z.string();
const severity = z.number().int().nullable().describe('1 is the most severe; null before a declaration');
const params = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** Fields every logged event starts with. */
const base = { seq: z.number().int().nonnegative(), t: z.number().int().nonnegative() };
const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ ...base, type: z.literal(type), ...shape });

/** A command as received, accepted or not: the log is the record of inputs that replay folds over. */
const commandEvent = event('command', {
  actor: name,
  participant: z.string().optional(),
  command: z.string(),
  target: z.string().optional(),
  params: params.optional(),
  ok: z.boolean(),
  code: z.string().optional(),
  message: z.string().optional(),
});

const drillStateEvent = event('drill.state', {
  from: z.enum(DRILL_PHASES),
  to: z.enum(DRILL_PHASES),
  by: name.optional(),
  reason: z.enum(['facilitator', 'time-limit']).optional(),
});

const incidentStateEvent = event('incident.state', {
  from: z.enum(INCIDENT_STATES),
  to: z.enum(INCIDENT_STATES),
  severity,
  by: name.optional(),
  /** The alert whose page opened the incident. */
  alert: z.string().optional(),
  /** To mitigated: when the stretch began in which every journey has stayed within its SLO (objectives.stable). */
  since: z.number().optional(),
});

const incidentSeverityEvent = event('incident.severity', { from: severity, to: severity, by: name.optional() });
const incidentRoleEvent = event('incident.role', { role: z.enum(['ic', 'comms', 'ops']), person: name, by: name });
const statusPostedEvent = event('status.posted', { by: name, message: z.string(), severity });

const serviceStateEvent = event('service.state', {
  service: z.string(),
  from: z.enum(SERVICE_STATES),
  to: z.enum(SERVICE_STATES),
  errorRate: z.number(),
  p99Ms: z.number(),
});

const journeySloEvent = event('journey.slo', {
  journey: z.string(),
  ok: z.boolean(),
  errorRate: z.number().describe("The error rate over the SLO's window."),
  p99Ms: z.number().describe('The p99 of the tick that changed it.'),
  slow: z.number().optional().describe("The share of the window's requests slower than the SLO's p99Ms (its p99 is within the SLO while this is at most 1%)."),
  lagSeconds: z.number().optional().describe("Only for a journey with a topic: the age of that topic's oldest unconsumed message."),
});

/** One journey's share of a simulated minute: what the incident added on top of healthy rates. */
export const journeyMinute = z.object({
  requests: z.number(),
  failed: z.number(),
  degraded: z.number(),
  lost: z.number().describe('money lost, in the scenario currency'),
  badSec: z.number().describe('seconds of the minute spent outside the SLO'),
});
export type JourneyMinute = z.infer<typeof journeyMinute>;

const impactMinuteEvent = event('impact.minute', {
  minute: z.number().int(),
  journeys: z.record(z.string(), journeyMinute),
  total: z.object({ failed: z.number(), lost: z.number() }),
});

const alertFiringEvent = event('alert.firing', {
  alert: z.string(),
  name: z.string(),
  severity: z.enum(ALERT_SEVERITIES),
  service: z.string().optional(),
  journey: z.string().optional(),
  topic: z.string().optional(),
  metric: z.enum(METRICS),
  value: z.number(),
  threshold: z.number(),
});
const alertResolvedEvent = event('alert.resolved', { alert: z.string(), value: z.number() });

/** Once per simulated minute: a hash of every piece of session state, so replays can be compared cheaply. */
const checkpointEvent = event('checkpoint', { hash: z.string() });

const proposal = z.object({ type: z.enum(ACTION_TYPES), target: z.string() });
const adviceShownEvent = event('advice.shown', {
  advice: z.string(),
  source: z.enum(ADVICE_SOURCES),
  title: z.string().nullable(),
  text: z.string(),
  proposes: proposal.nullable(),
});

const breaker = { service: z.string(), dependency: z.string(), manual: z.boolean() };
const breakerOpenedEvent = event('breaker.opened', breaker);
const breakerClosedEvent = event('breaker.closed', breaker);

/** Facilitator-only: a fault names the root cause. */
const faultStartedEvent = event('fault.started', {
  fault: z.string(),
  kind: z.enum(FAULT_KINDS),
  /** The service the fault acts on: its first, when it has several. */
  target: z.string(),
  /** Every service the fault acts on, in the scenario's order; only when there are several. */
  targets: z.array(z.string()).optional(),
  /** On a fault on one call: the calling service (the fault is on from → each target). */
  from: z.string().optional(),
  scheduled: z.literal(true).optional(),
  injectedBy: name.optional(),
  triggeredBy: name.optional(),
  /** The action whose completion triggered the fault. */
  action: z.string().optional(),
  /** The proposed change whose deploy started the fault (the change window). */
  change: z.string().optional(),
});
const faultEndedEvent = event('fault.ended', {
  fault: z.string(),
  reason: z.enum(['fixed', 'expired']),
  /** The action that fixed it. */
  action: z.string().optional(),
});

/** A fault that is a change (a deploy, a config push) is visible as a change; what it broke is not. */
const changeDeployedEvent = event('change.deployed', {
  service: z.string(),
  summary: z.string(),
  author: z.string(),
  /** A change from the scenario's `changes` (proposed, or pushed at the task's deadline). */
  change: z.string().optional(),
  /** Who approved it, when a second participant reviewed it. */
  approvedBy: name.optional(),
  /** It needed review and deployed without one (break-glass, or the on-call at the deadline). */
  bypassed: z.literal(true).optional(),
});

/** A responder proposed a change; `review`: it waits for a second participant (critical tier, friction on). */
const changeProposedEvent = event('change.proposed', {
  change: z.string(),
  service: z.string(),
  summary: z.string(),
  by: name,
  byId: z.string().optional(),
  page: z.string().optional().describe('The wiki page cited as its source.'),
  note: z.string().optional(),
  review: z.boolean(),
});
const changeDecision = {
  change: z.string(),
  by: name,
  byId: z.string().optional(),
  requestedBy: name,
  requestedById: z.string().optional(),
  reason: z.string().optional(),
};
const changeApprovedEvent = event('change.approved', changeDecision);
const changeDeniedEvent = event('change.denied', changeDecision);
/** The task's deadline passed: `pushed` names the change the on-call pushed alone (nobody had proposed one), else null. */
const taskDueEvent = event('task.due', { title: z.string(), by: name, pushed: z.string().nullable() });

/** `byId` / `requestedById`: participant ids, present in live drills (friction compares ids, not names). */
const ids = { byId: z.string().optional() };
const approvalRequestedEvent = event('approval.requested', {
  request: z.string(),
  action: z.enum(ACTION_TYPES),
  target: z.string(),
  by: name,
  ...ids,
});
const approvalBypassedEvent = event('approval.bypassed', { request: z.string(), by: name, ...ids });
const decision = { request: z.string(), by: name, ...ids, requestedBy: name, requestedById: z.string().optional() };
const approvalGrantedEvent = event('approval.granted', decision);
const approvalDeniedEvent = event('approval.denied', decision);

const action = { action: z.string(), kind: z.enum(ACTION_TYPES), target: z.string(), by: name };
const actionStartedEvent = event('action.started', { ...action, duration: z.number() });
/** A rollback or restart of a service with several instances: one more batch has landed (never the last: that is action.completed). */
const actionProgressEvent = event('action.progress', { ...action, done: z.number().int().positive(), of: z.number().int().positive() });
const actionCompletedEvent = event('action.completed', action);
const actionRevertedEvent = event('action.reverted', action);

const diagnosisEvent = event('diagnosis', {
  by: name,
  target: z.string(),
  lines: z.array(z.string()),
  errorRate: z.number(),
  p99Ms: z.number(),
  saturation: z.number(),
});

/** The assistant's reply to an `ask`: the page it cited (null: none matched) and its proposal. Never the page's staleness. */
const assistantAnsweredEvent = event('assistant.answered', {
  inReplyTo: z.number().int().nonnegative().describe('The seq of the ask command it answers.'),
  by: name.describe('Who asked.'),
  question: z.string(),
  page: z.string().nullable(),
  title: z.string().optional(),
  edited: z.string().optional().describe("The cited page's last edit (a calendar date)."),
  text: z.string(),
  proposes: z.object({ type: z.enum(ACTION_TYPES), target: z.string() }).optional(),
  /** The change the cited page tells readers to make, ready to propose. */
  change: z.object({ id: z.string(), service: z.string(), summary: z.string() }).optional(),
});
/** A responder read a wiki page: checking the source of an answer. */
const pageOpenedEvent = event('page.opened', { by: name, page: z.string(), title: z.string(), edited: z.string(), body: z.string() });
/** A responder read a page's edit history, and the architecture changes to its services since its last edit. */
const pageHistoryEvent = event('page.history', {
  by: name,
  page: z.string(),
  title: z.string(),
  edited: z.string(),
  history: z.array(z.object({ edited: z.string(), summary: z.string(), by: z.string().optional() })),
  laterChanges: z.array(z.object({ date: z.string(), summary: z.string() })).describe("Architecture changes to the page's services after its last edit: why it may be out of date."),
});

export const engineEventSchema = z.discriminatedUnion('type', [
  commandEvent,
  drillStateEvent,
  incidentStateEvent,
  incidentSeverityEvent,
  incidentRoleEvent,
  statusPostedEvent,
  serviceStateEvent,
  journeySloEvent,
  impactMinuteEvent,
  alertFiringEvent,
  alertResolvedEvent,
  checkpointEvent,
  adviceShownEvent,
  breakerOpenedEvent,
  breakerClosedEvent,
  faultStartedEvent,
  faultEndedEvent,
  changeDeployedEvent,
  changeProposedEvent,
  changeApprovedEvent,
  changeDeniedEvent,
  taskDueEvent,
  approvalRequestedEvent,
  approvalBypassedEvent,
  approvalGrantedEvent,
  approvalDeniedEvent,
  actionStartedEvent,
  actionProgressEvent,
  actionCompletedEvent,
  actionRevertedEvent,
  diagnosisEvent,
  assistantAnsweredEvent,
  pageOpenedEvent,
  pageHistoryEvent,
]);

export type EngineEvent = z.infer<typeof engineEventSchema>;
export type EventType = EngineEvent['type'];
/** The event of one type. */
export type EventOf<K extends EventType> = Extract<EngineEvent, { type: K }>;
/** What the engine supplies for an event of one type: everything but the stamp (seq, t, type). */
export type PayloadOf<K extends EventType> = Omit<EventOf<K>, 'seq' | 't' | 'type'>;
/** Every event type, in the union's order. */
export const EVENT_TYPES = engineEventSchema.options.map((o) => o.shape.type.value) as readonly EventType[];
