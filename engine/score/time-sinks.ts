/**
 * The biggest time sinks of a response: the longest stretches in which the incident did not move on,
 * for the top of the debrief. A stretch runs between two consecutive steps (the page, a decision,
 * every journey back within SLO, the resolution), or is a wait for a second person's review. Pure:
 * a function of the scorecard and the log.
 */
import { CONTROL_COMMANDS } from '../protocol/commands.ts';
import { actionNamed, commandPhrase, quotedAction, service, type DescribeNames } from '../protocol/describe.ts';
import type { EngineEvent, EventOf } from '../protocol/events.ts';
import { confirmedAt } from './mitigation.ts';
import type { Scorecard } from './scorecard.ts';

export interface TimeSink {
  from: number;
  to: number;
  ms: number;
  /** `gap`: between two consecutive steps; `review`: waiting for a second approver or reviewer. */
  kind: 'gap' | 'review';
  /** E.g. "12.0 minutes from the page to the first diagnose (checkout)". */
  text: string;
}

/** How many the debrief shows. */
const TIME_SINKS = 3;

/**
 * Commands that are not steps: the facilitator's controls, and keeping people informed or reading
 * (roles, status updates, questions, wiki pages). That is work, but a stretch spent on it is still a
 * stretch in which the incident went on, so it does not cut one.
 */
const NOT_STEPS = new Set<string>([...CONTROL_COMMANDS, 'assign-role', 'status-update', 'ask', 'open-page', 'page-history']);

interface Step {
  t: number;
  label: string;
}

const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} minutes`;
const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '?');

/** The stretches, longest first, at most `count`, none overlapping another; none for a prevented incident or one that never began. */
export function timeSinks(card: Scorecard, events: readonly EngineEvent[], count = TIME_SINKS, names: DescribeNames = {}): TimeSink[] {
  const m = card.milestones;
  const start = m.detected ?? m.impactStart;
  if (card.prevented || start === null) return [];
  // After the resolution the team has stood down: what follows is no longer the incident's time.
  const end = Math.max(start, m.resolved ?? card.endedAt);
  const steps: Step[] = [{ t: start, label: m.detected !== null ? 'the page' : "customers' first errors" }];
  let diagnosed = false;
  events.forEach((e, i) => {
    if (e.type !== 'command' || !e.ok || NOT_STEPS.has(e.command)) return;
    const first = e.command === 'diagnose' && !diagnosed;
    if (e.command === 'diagnose') diagnosed = true;
    if (e.t > start && e.t <= end) steps.push({ t: e.t, label: stepLabel(e, events, i, card, first, names) });
  });
  const backInSlo = m.mitigated !== null && m.mitigated > start && m.mitigated <= end ? m.mitigated : null;
  if (backInSlo !== null) steps.push({ t: backInSlo, label: 'every journey back within its SLO' });
  // Nobody could know sooner that the fix held: waiting out the stable period is the rule, not a sink.
  const confirmed = confirmedAt(m, events);
  if (confirmed !== null && confirmed > start && confirmed <= end) steps.push({ t: confirmed, label: 'the incident marked mitigated' });
  if (m.resolved === null && end > start) steps.push({ t: end, label: 'the end of the drill' });
  // Several steps at one moment (one tick): a stretch ends at the first of them and starts after the
  // last, so it reads "from approving the rollback", not "from the acknowledgement" sent with it.
  steps.sort((a, b) => a.t - b.t);
  const moments: { t: number; first: string; last: string }[] = [];
  for (const s of steps) {
    const m = moments[moments.length - 1];
    if (m?.t === s.t) m.last = s.label;
    else moments.push({ t: s.t, first: s.label, last: s.label });
  }

  const candidates: TimeSink[] = [];
  for (let i = 1; i < moments.length; i++) {
    const a = moments[i - 1] as (typeof moments)[number];
    const b = moments[i] as (typeof moments)[number];
    if (b.t === confirmed && backInSlo !== null && a.t >= backInSlo) continue;
    candidates.push({ from: a.t, to: b.t, ms: b.t - a.t, kind: 'gap', text: `${minutes(b.t - a.t)} from ${a.last} to ${b.first}` });
  }
  for (const f of card.conduct.verification.friction) {
    if (f.verdict === 'bypassed') continue;
    const from = Math.max(start, f.requestedAt);
    const to = Math.min(end, f.decidedAt ?? f.requestedAt + f.ms);
    if (to <= from) continue;
    const on = f.kind === 'action' ? `a second approver to ${actionNamed(names, f.request)}` : `a second reviewer on the change ${f.request}`;
    candidates.push({ from, to, ms: to - from, kind: 'review', text: `${minutes(to - from)} waiting for ${on}${f.verdict === 'pending' ? ' (still waiting when the drill ended)' : ''}` });
  }
  // Longest first; a wait beats the equal gap it spans, since it says why the time went.
  candidates.sort((a, b) => b.ms - a.ms || (a.kind === b.kind ? 0 : a.kind === 'review' ? -1 : 1) || a.from - b.from);
  const chosen: TimeSink[] = [];
  for (const c of candidates) {
    if (chosen.length >= count || c.ms <= 0) break;
    if (!chosen.some((x) => c.from < x.to && x.from < c.to)) chosen.push(c);
  }
  return chosen;
}

/** A command as a step of the story: "declaring Sev 1", "the first diagnose (Checkout)", "the request to roll back Pricing". */
function stepLabel(e: EventOf<'command'>, events: readonly EngineEvent[], index: number, card: Scorecard, firstDiagnose: boolean, names: DescribeNames): string {
  const p = e.params ?? {};
  const target = e.target ?? '?';
  switch (e.command) {
    case 'ack':
      return 'the acknowledgement';
    case 'declare':
      return `declaring Sev ${str(p.severity)}`;
    case 'resolve':
      return 'resolving the incident';
    case 'diagnose': {
      const root = e.t === card.milestones.identified && isRootTarget(card, target);
      const name = service(names, target);
      return firstDiagnose ? `the first diagnose (${name}${root ? ', the root cause' : ''})` : `diagnosing ${name}${root ? ' (the root cause)' : ''}`;
    }
    case 'approve':
      return `approving ${quotedAction(names, str(p.request))}`;
    case 'deny':
      return `denying ${quotedAction(names, str(p.request))}`;
    case 'revert':
      return `reverting ${quotedAction(names, str(p.action))}`;
    case 'propose-change':
      return `proposing the change ${str(p.change)}`;
    case 'review-change':
      return `${p.verdict === 'deny' ? 'denying' : 'approving'} the change ${str(p.change)}`;
    default:
      return `${asksApproval(events, index) ? 'the request' : 'the decision'} to ${commandPhrase(e, 'infinitive', names)}`;
  }
}

/** One of the root-cause fault's services (a fault on one call's caller also identifies it, but is not named the root cause). */
const isRootTarget = (card: Scorecard, target: string): boolean => card.rootCause !== null && (card.rootCause.targets ?? [card.rootCause.target]).includes(target);

/** Whether the command's own events (those before the next command) include a request for approval. */
function asksApproval(events: readonly EngineEvent[], index: number): boolean {
  for (const e of events.slice(index + 1)) {
    if (e.type === 'command') return false;
    if (e.type === 'approval.requested') return true;
  }
  return false;
}

/** What the debrief says when there are none to list. */
export function noTimeSinks(card: Scorecard): string {
  if (card.prevented) return 'None: the team prevented the incident, so no time went into one.';
  if (card.milestones.detected === null && card.milestones.impactStart === null) return 'None: nothing paged and no journey left its SLO.';
  return 'None: every step followed the one before at once.';
}
