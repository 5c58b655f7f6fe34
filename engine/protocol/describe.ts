/**
 * One plain-English sentence per event, shared by the after-action report and the UI timeline.
 *
 * Sentences never start with a capital they did not get from the event (they may start with a
 * service id or a person's name) and always end with a full stop. What the sentence may add from the
 * scenario (an alert's metric, whether it is a red herring, an advice label) comes from `names`: the
 * report passes the whole scenario, the UI its public view, which has no facilitator fields, so those
 * sentences simply leave them out.
 */
import type { EngineEvent, EventOf } from './events.ts';
import { clip, formatCount, formatDuration, formatMetric, formatMoney, formatPercent, metricName } from './format.ts';
import { actionId, proposalKey } from './ids.ts';

/** What describe may look up in the scenario. Build it once with `namesOf`. */
export interface DescribeNames {
  /** Alerts by id: the name the pager shows, the metric each watches and (facilitator view only) whether it is a red herring. */
  readonly alerts?: ReadonlyMap<string, { readonly name?: string | undefined; readonly metric: string; readonly redHerring: boolean }>;
  /** Advice labels by advice id (correct, stale, harmful): facilitator view only. */
  readonly adviceLabels?: ReadonlyMap<string, string>;
  /** Display names by id, so a service or a journey has one name everywhere (the graph's, the charts'). */
  readonly services?: ReadonlyMap<string, string>;
  readonly journeys?: ReadonlyMap<string, string>;
  /**
   * What each action does, as an infinitive with display names ("roll back Pricing"), by its id and
   * by its "type:target" key (the first such action), which commands and advice name it by.
   */
  readonly actions?: ReadonlyMap<string, string>;
}

/** The parts of a scenario (full or public) that sentences draw on. */
export interface NamesSource {
  readonly alerts?: readonly { readonly id: string; readonly name?: string | undefined; readonly metric: string; readonly facilitator?: { readonly redHerring?: boolean } | undefined }[];
  readonly advice?: readonly { readonly id: string; readonly facilitator?: { readonly label: string } | undefined }[];
  readonly services?: readonly { readonly id: string; readonly name?: string | undefined }[];
  readonly journeys?: readonly { readonly id: string; readonly name: string }[];
  readonly actions?: readonly ActionNamed[];
}

/** The parts of an action definition its name is made of. */
interface ActionNamed {
  readonly id?: string | undefined;
  readonly type: string;
  readonly target: string;
  readonly dependency?: string | undefined;
}

export function namesOf(s: NamesSource): DescribeNames {
  const adviceLabels = new Map<string, string>();
  for (const a of s.advice ?? []) if (a.facilitator) adviceLabels.set(a.id, a.facilitator.label);
  const services = new Map((s.services ?? []).map((x) => [x.id, x.name ?? x.id]));
  const actions = new Map<string, string>();
  for (const a of s.actions ?? []) {
    const phrase = actionWords(a.type, services.get(a.target) ?? a.target, a.dependency === undefined ? undefined : (services.get(a.dependency) ?? a.dependency));
    actions.set(actionId(a), phrase);
    // A command or a proposal without an action id means the first action of its type on its target.
    if (!actions.has(proposalKey(a))) actions.set(proposalKey(a), phrase);
  }
  return {
    alerts: new Map((s.alerts ?? []).map((a) => [a.id, { name: a.name, metric: a.metric, redHerring: a.facilitator?.redHerring === true }])),
    ...(s.advice ? { adviceLabels } : {}),
    services,
    journeys: new Map((s.journeys ?? []).map((j) => [j.id, j.name])),
    actions,
  };
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
  'retry-policy': (t) => `push a new retry policy to ${t}'s client`,
};

/** What an action does to its target, as an infinitive ("roll back Pricing"): sentences and the console's buttons say it the same way. */
export function actionPhrase(type: string, target: string): string {
  const verb = Object.hasOwn(ACTION_VERBS, type) ? ACTION_VERBS[type] : undefined;
  return verb ? verb(target) : `run ${type} on ${target}`;
}

/** The phrase and, for an action on one dependency, which calls: "open a breaker on Checkout (calls to Recommendations)". */
export function actionWords(type: string, target: string, dependency?: string): string {
  return `${actionPhrase(type, target)}${dependency !== undefined ? ` (calls to ${dependency})` : ''}`;
}

/** An action as its button says it, capitalised: "Roll back Pricing". */
export const actionTitle = (words: string): string => `${words.charAt(0).toUpperCase()}${words.slice(1)}`;

const SOURCE_NAMES: Record<string, string> = { assistant: 'the AI assistant', runbook: 'a runbook', wiki: 'the wiki', colleague: 'a colleague' };

/**
 * Ends a sentence; never capitalises, because sentences may start with a service id or a name. A
 * closing quote ends it only after its own stop (“… Investigating.”); a quoted name (“Roll back
 * Pricing”) still takes one.
 */
const sentence = (s: string) => (/[.!?…][”"]?$/.test(s) ? s : `${s}.`);

/** "a", "a and b", "a, b and c". */
const listed = (items: readonly string[]): string =>
  items.length < 2 ? (items[0] ?? '?') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] as string}`;

const orUnknown = (v: string | number | boolean | null | undefined): string => (v === undefined || v === null ? '?' : String(v));

/** What a command asked for: "declare Sev 1" (infinitive) or "declared Sev 1" (past, once accepted). */
export function commandPhrase(e: EventOf<'command'>, tense: 'infinitive' | 'past' = 'infinitive', names: DescribeNames = {}): string {
  const p = e.params ?? {};
  const target = e.target ?? '?';
  const { command } = e;
  const pick = (infinitive: string, past: string) => (tense === 'past' ? past : infinitive);
  switch (command) {
    case 'start':
    case 'pause':
    case 'resume':
    case 'end':
      return pick(`${command} the drill`, `${command === 'end' ? 'ended' : command === 'pause' ? 'paused' : `${command}ed`} the drill`);
    case 'inject':
      return `${pick('inject', 'injected')} the fault ${orUnknown(p.fault)}`;
    case 'ack':
      return pick('acknowledge the page', 'acknowledged the page');
    case 'declare':
      return `${pick('declare', 'declared')} Sev ${orUnknown(p.severity)}`;
    case 'resolve':
      return pick('resolve the incident', 'resolved the incident');
    case 'assign-role': {
      const person = p.person ?? e.actor;
      const role = orUnknown(p.role);
      return person === e.actor ? `${pick('take', 'took')} the ${role} role` : `${pick('give', 'gave')} the ${role} role to ${String(person)}`;
    }
    case 'status-update':
      return `${pick('post', 'posted')} a status update: “${clip(String(p.message ?? ''), 200)}”`;
    case 'diagnose':
      return `${pick('look', 'looked')} at ${service(names, target)}'s logs and metrics`;
    case 'approve':
      return `${pick('approve', 'approved')} ${quotedAction(names, orUnknown(p.request))}`;
    case 'deny':
      return `${pick('deny', 'denied')} ${quotedAction(names, orUnknown(p.request))}`;
    case 'revert':
      return `${pick('revert', 'reverted')} ${quotedAction(names, orUnknown(p.action))}`;
    case 'ask':
      return `${pick('ask', 'asked')} the assistant: “${clip(String(p.question ?? ''), 200)}”`;
    case 'open-page':
      return `${pick('open', 'opened')} the wiki page ${orUnknown(p.page)}`;
    case 'page-history':
      return `${pick('check', 'checked')} the history of the wiki page ${orUnknown(p.page)}`;
    case 'propose-change':
      return `${pick('propose', 'proposed')} the change ${orUnknown(p.change)}${p.breakGlass === true ? ' (break glass, bypassing review)' : ''}`;
    case 'review-change':
      return `${p.verdict === 'deny' ? pick('deny', 'denied') : pick('approve', 'approved')} the change ${orUnknown(p.change)}`;
    default: {
      // An action command names its action in params.action, else it means the first of its type on its target.
      const words = actionNamed(names, typeof p.action === 'string' ? p.action : proposalKey({ type: command, target }), { type: command, target });
      const phrase = tense === 'past' ? `ran “${actionTitle(words)}”` : words;
      return p.breakGlass === true ? `${phrase} (break glass, bypassing approval)` : phrase;
    }
  }
}

/** One sentence for an event, ending with a full stop. */
export function describe(e: EngineEvent, names: DescribeNames = {}): string {
  return sentence(text(e, names));
}

function text(e: EngineEvent, names: DescribeNames): string {
  switch (e.type) {
    case 'command':
      return e.ok
        ? `${e.actor} ${commandPhrase(e, 'past', names)}`
        : `${e.actor} tried to ${commandPhrase(e, 'infinitive', names)}: rejected with ${orUnknown(e.code)} (${e.message ?? ''})`;
    case 'advice.shown': {
      const title = e.title ? `“${e.title}”` : `“${clip(e.text, 80)}”`;
      const proposing = e.proposes ? `, proposing to ${actionNamed(names, proposalKey(e.proposes), e.proposes)}` : '';
      const label = names.adviceLabels ? ` (${names.adviceLabels.get(e.advice) ?? 'unlabelled'})` : '';
      return `Advice from ${SOURCE_NAMES[e.source] ?? e.source}: ${title}${proposing}${label}`;
    }
    case 'drill.state':
      return e.to === 'ended' ? `The drill ended (${orUnknown(e.reason)})` : `The drill went from ${e.from} to ${e.to}${e.by ? ` (${e.by})` : ''}`;
    case 'fault.started': {
      const cause = e.scheduled
        ? 'as scheduled'
        : e.injectedBy
          ? `injected by ${e.injectedBy}`
          : e.triggeredBy
            ? `set off by ${quotedAction(names, orUnknown(e.action))} (run by ${e.triggeredBy})`
            : '';
      const to = listed((e.targets ?? [e.target]).map((id) => service(names, id)));
      const where = e.from !== undefined ? `the calls from ${service(names, e.from)} to ${to}` : to;
      return `Fault ${e.fault} (${e.kind}) started on ${where}${cause ? `, ${cause}` : ''}`;
    }
    case 'fault.ended':
      return `Fault ${e.fault} ended: ${e.reason === 'fixed' ? `fixed by ${quotedAction(names, orUnknown(e.action))}` : e.reason}`;
    case 'change.deployed': {
      const how = e.approvedBy !== undefined ? ` (approved by ${e.approvedBy})` : e.bypassed ? ' (deployed without review)' : '';
      return `Change on ${service(names, e.service)} by ${e.author}${how}: ${clip(e.summary, 200)}`;
    }
    case 'change.proposed': {
      const source = e.page !== undefined ? `, citing the wiki page ${e.page}` : '';
      return `${e.by} proposed a change to ${service(names, e.service)}${source}: ${clip(e.summary, 200)}${e.review ? ' (waiting for a second reviewer)' : ''}`;
    }
    case 'change.approved':
      return `${e.by} approved ${e.requestedBy}'s change ${e.change}`;
    case 'change.denied':
      return `${e.by} denied ${e.requestedBy}'s change ${e.change}${e.reason !== undefined ? `: “${clip(e.reason, 200)}”` : ''}`;
    case 'task.due':
      return e.pushed === null
        ? `The deadline for “${e.title}” passed`
        : `The deadline for “${e.title}” passed: ${e.by} pushed the change ${e.pushed} alone`;
    case 'service.state':
      return `Service ${service(names, e.service)} went from ${e.from} to ${e.to} (errors ${formatPercent(e.errorRate)}, p99 ${formatMetric('p99Ms', e.p99Ms)})`;
    case 'journey.slo':
      return `Journey ${journey(names, e.journey)} ${e.ok ? 're-entered' : 'left'} its SLO (errors ${formatPercent(e.errorRate)}, p99 ${formatMetric('p99Ms', e.p99Ms)})`;
    case 'impact.minute':
      return `Minute ${e.minute} closed: ${formatCount(e.total.failed)} failed request${e.total.failed === 1 ? '' : 's'} and ${formatMoney(e.total.lost)} lost so far`;
    case 'checkpoint':
      return `Checkpoint ${e.hash}`;
    case 'alert.firing': {
      const herring = names.alerts?.get(e.alert)?.redHerring ? ' — a red herring' : '';
      return `Alert “${e.name}” fired (${e.severity}): ${metricName(e.metric)} ${formatMetric(e.metric, e.value)}, threshold ${formatMetric(e.metric, e.threshold)}${herring}`;
    }
    case 'alert.resolved': {
      const metric = names.alerts?.get(e.alert)?.metric ?? '';
      return `Alert ${alertName(names, e.alert)} resolved (${metric ? `${metricName(metric)} ` : ''}${formatMetric(metric, e.value)})`;
    }
    case 'breaker.opened':
    case 'breaker.closed':
      return `Breaker from ${service(names, e.service)} to ${service(names, e.dependency)} ${e.type === 'breaker.opened' ? 'opened' : 'closed'} (${e.manual ? 'manual' : 'automatic'})`;
    case 'incident.state':
      if (e.to === 'detected') return `Incident detected: ${e.alert ? `the page ${alertName(names, e.alert)} fired` : 'a page fired'}`;
      if (e.to === 'mitigated') return 'Incident mitigated: every journey back within its SLO';
      if (e.to === 'declared') return `Incident declared, Sev ${orUnknown(e.severity)}${e.by ? ` (by ${e.by})` : ''}`;
      return `Incident ${e.to}${e.by ? ` (by ${e.by})` : ''}`;
    case 'incident.severity':
      return `Severity changed from ${e.from === null ? 'none' : `Sev ${e.from}`} to Sev ${orUnknown(e.to)}${e.by ? ` (by ${e.by})` : ''}`;
    case 'incident.role':
      return e.person === e.by ? `${e.person} took the ${e.role} role` : `${e.by} gave the ${e.role} role to ${e.person}`;
    case 'approval.requested':
      return `${e.by}'s ${request(names, e.request, { type: e.action, target: e.target })} is waiting for a second approver`;
    case 'approval.granted':
      return `${e.by} approved ${e.requestedBy}'s ${request(names, e.request)}`;
    case 'approval.denied':
      return `${e.by} denied ${e.requestedBy}'s ${request(names, e.request)}`;
    case 'approval.bypassed':
      return `${e.by} bypassed the approval of the ${request(names, e.request)} (break glass)`;
    case 'action.started':
      return `Action ${quotedAction(names, e.action, e)} started (by ${e.by}; lands in ${formatDuration(e.duration)})`;
    case 'action.progress':
      return `Action ${quotedAction(names, e.action, e)}: ${e.done}/${e.of} instances done`;
    case 'action.completed':
      return `Action ${quotedAction(names, e.action, e)} completed`;
    case 'action.reverted':
      return `${e.by} reverted ${quotedAction(names, e.action, e)}`;
    case 'status.posted':
      return `${e.by} posted a status update: “${clip(e.message, 200)}”`;
    case 'diagnosis': {
      const [line] = e.lines;
      const first = line !== undefined ? `; logs: “${clip(line, 120)}”${e.lines.length > 1 ? ` (+${e.lines.length - 1} more)` : ''}` : '';
      return `${e.by} looked at ${service(names, e.target)}: errors ${formatPercent(e.errorRate)}, p99 ${formatMetric('p99Ms', e.p99Ms)}, saturation ${formatPercent(e.saturation, 0)}${first}`;
    }
    case 'assistant.answered': {
      if (e.page === null) return `The assistant found nothing in the wiki for ${e.by}'s question`;
      const proposing = e.change ? `, proposing the change ${e.change.id}` : e.proposes ? `, proposing to ${actionNamed(names, proposalKey(e.proposes), e.proposes)}` : '';
      return `The assistant answered ${e.by}, citing the wiki page “${e.title ?? e.page}” (last edited ${e.edited ?? '?'})${proposing} (unverified)`;
    }
    case 'page.opened':
      return `${e.by} opened the wiki page “${e.title}” (last edited ${e.edited})`;
    case 'page.history': {
      const later = e.laterChanges.length === 0 ? 'no architecture change since' : `changed since: ${e.laterChanges.map((c) => `${c.date} ${clip(c.summary, 80)}`).join('; ')}`;
      return `${e.by} checked the history of “${e.title}” (last edited ${e.edited}; ${later})`;
    }
    default:
      // A new event type fails to compile here until it has a sentence; at run time (a log from a
      // newer engine) its type is the best there is.
      return unknownType(e);
  }
}

const unknownType = (e: never): string => (e as { type: string }).type;

/** A service or a journey by the name the rest of the console gives it; its id when none is known. */
export const service = (names: DescribeNames, id: string): string => names.services?.get(id) ?? id;
const journey = (names: DescribeNames, id: string): string => {
  const name = names.journeys?.get(id);
  return name === undefined ? id : `“${name}”`;
};
/** An alert by the name the pager shows, quoted; its id when the names do not know it. */
const alertName = (names: DescribeNames, id: string): string => {
  const name = names.alerts?.get(id)?.name;
  return name === undefined ? id : `“${name}”`;
};

/**
 * An action's words ("roll back Pricing") by its id or "type:target" key. Without the scenario, what
 * the event says (its type and target), else what a "type:target" key says; an id that is neither
 * (an explicit id the names do not know) stays as it is.
 */
function actionWordsOf(names: DescribeNames, id: string, known?: { readonly type: string; readonly target: string }): string | null {
  const named = names.actions?.get(id);
  if (named !== undefined) return named;
  if (known) return actionPhrase(known.type, service(names, known.target));
  const [type, target, ...rest] = id.split(':');
  return type !== undefined && target !== undefined && rest.length === 0 && Object.hasOwn(ACTION_VERBS, type) ? actionPhrase(type, service(names, target)) : null;
}
export const actionNamed = (names: DescribeNames, id: string, known?: { readonly type: string; readonly target: string }): string => actionWordsOf(names, id, known) ?? id;

/** A request for approval: "request to roll back Pricing" ("request undo-v2" when nothing names it). */
const request = (names: DescribeNames, id: string, known?: { readonly type: string; readonly target: string }): string => {
  const words = actionWordsOf(names, id, known);
  return words === null ? `request ${id}` : `request to ${words}`;
};

/** An action as its button says it, in quotes: “Roll back Pricing” (an id nothing names stays bare). */
export const quotedAction = (names: DescribeNames, id: string, known?: { readonly kind: string; readonly target: string }): string => {
  const words = actionWordsOf(names, id, known ? { type: known.kind, target: known.target } : undefined);
  return words === null ? id : `“${actionTitle(words)}”`;
};
