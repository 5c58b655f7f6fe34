/**
 * One line per fact. The log records each command as received (a `command` event) and then what it
 * did (its result events). Told in sentences, an accepted command and its result say one fact twice:
 * "alice declared Sev 1." and "Incident declared, Sev 1 (by alice).". A timeline shows the result,
 * which says as much or more, and drops the command. A rejected command has no result and stays, as
 * one line ("bob tried to approve …: rejected with self-approval").
 *
 * One fact runs the other way: acknowledging moves the incident without saying who did it, so the
 * command ("alice acknowledged the page.") stays and the bare "Incident acknowledged." goes.
 *
 * Which results restate which command is decided here, once, for the UI timeline and the report.
 * A command's results are logged right after it, at the same simulated time and before any other
 * command, so only that run of events is searched. What a timeline filters out (a kind the reader
 * unticked) should be left out of the events passed in: a command whose result is filtered out is
 * the only line left for its fact, and stays.
 */
import type { COMMAND_TYPES } from './commands.ts';
import type { EngineEvent, EventOf } from './events.ts';

type Command = EventOf<'command'>;
type CommandType = (typeof COMMAND_TYPES)[number];
/** Whether `e` is a result that says what the accepted command `c` did, naming who. */
type Restates = (c: Command, e: EngineEvent) => boolean;

const param = (c: Command, key: string) => c.params?.[key];

/** The drill's own controls: "The drill went from ready to running (facilitator)." */
const drill: Restates = (c, e) => e.type === 'drill.state' && e.by === c.actor;

/** A remediation action: it starts at once ("Action rollback:pricing started (by bob; …)") or waits for approval. */
const action: Restates = (c, e) =>
  (e.type === 'action.started' || e.type === 'approval.requested') &&
  e.by === c.actor &&
  e.target === c.target &&
  (e.type === 'action.started' ? e.kind : e.action) === c.command;

/**
 * Every command type, so a new one fails to compile here until it is decided. `null`: no result
 * names who did it, so the command is the line that tells the fact.
 */
const RESULTS: Record<CommandType, Restates | null> = {
  start: drill,
  pause: drill,
  resume: drill,
  end: drill,
  inject: (c, e) => e.type === 'fault.started' && e.injectedBy === c.actor && e.fault === param(c, 'fault'),
  // "Incident acknowledged." names nobody: the command stays, the bare result goes (isToldByCommand).
  ack: null,
  declare: (c, e) => ((e.type === 'incident.state' && e.to === 'declared') || e.type === 'incident.severity') && e.by === c.actor,
  resolve: (c, e) => e.type === 'incident.state' && e.to === 'resolved' && e.by === c.actor,
  'assign-role': (c, e) => e.type === 'incident.role' && e.by === c.actor && e.role === param(c, 'role'),
  'status-update': (c, e) => e.type === 'status.posted' && e.by === c.actor,
  diagnose: (c, e) => e.type === 'diagnosis' && e.by === c.actor && e.target === c.target,
  approve: (c, e) => e.type === 'approval.granted' && e.by === c.actor && e.request === param(c, 'request'),
  deny: (c, e) => e.type === 'approval.denied' && e.by === c.actor && e.request === param(c, 'request'),
  revert: (c, e) => e.type === 'action.reverted' && e.by === c.actor && e.action === param(c, 'action'),
  // The answer's own seq reference is the engine's (audiences renumber): match who asked, and what.
  ask: (c, e) => e.type === 'assistant.answered' && e.by === c.actor && e.question === param(c, 'question'),
  'open-page': (c, e) => e.type === 'page.opened' && e.by === c.actor && e.page === param(c, 'page'),
  'page-history': (c, e) => e.type === 'page.history' && e.by === c.actor && e.page === param(c, 'page'),
  'propose-change': (c, e) => e.type === 'change.proposed' && e.by === c.actor && e.change === param(c, 'change'),
  'review-change': (c, e) => (e.type === 'change.approved' || e.type === 'change.denied') && e.by === c.actor && e.change === param(c, 'change'),
  rollback: action,
  restart: action,
  scale: action,
  failover: action,
  flag: action,
  breaker: action,
  'cache-flush': action,
  drain: action,
  'rotate-cert': action,
  'retry-policy': action,
};

/**
 * Whether an accepted command is said again by one of its result events, so a timeline drops the
 * command. `following`: the events logged after it, in order (only its own run is looked at).
 */
export function isRestatedByResult(command: EngineEvent, following: readonly EngineEvent[]): boolean {
  if (command.type !== 'command' || !command.ok) return false;
  const restates = (RESULTS as Record<string, Restates | null>)[command.command];
  if (!restates) return false;
  for (const e of following) {
    if (e.type === 'command' || e.t !== command.t) return false;
    if (restates(command, e)) return true;
  }
  return false;
}

/**
 * Whether a result only repeats, with less, the command just before it: "Incident acknowledged."
 * after "alice acknowledged the page.". `preceding`: the events logged before it, in order.
 */
export function isToldByCommand(e: EngineEvent, preceding: readonly EngineEvent[]): boolean {
  if (e.type !== 'incident.state' || e.to !== 'acknowledged' || e.by !== undefined) return false;
  for (let i = preceding.length - 1; i >= 0; i--) {
    const p = preceding[i] as EngineEvent;
    if (p.t !== e.t) return false;
    if (p.type === 'command') return p.ok && p.command === 'ack';
  }
  return false;
}

/** The events a timeline shows, one line per fact, in their order. */
export function oneLinePerFact(events: readonly EngineEvent[]): EngineEvent[] {
  const out: EngineEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as EngineEvent;
    if (e.type === 'command') {
      // The command's run: what follows it at the same time, up to the next command.
      let end = i + 1;
      while (end < events.length && (events[end] as EngineEvent).t === e.t && (events[end] as EngineEvent).type !== 'command') end++;
      if (isRestatedByResult(e, events.slice(i + 1, end))) continue;
    } else if (e.type === 'incident.state' && isToldByCommand(e, events.slice(Math.max(0, i - 8), i))) continue;
    out.push(e);
  }
  return out;
}
