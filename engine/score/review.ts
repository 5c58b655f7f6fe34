/** "What went well, what went badly": plain sentences derived from the milestones and conduct. */
import { actionNamed, namesOf, type DescribeNames } from '../protocol/describe.ts';
import { formatClock, formatCount, formatMoney } from '../protocol/format.ts';
import type { Scenario } from '../protocol/scenario.ts';
import type { Conduct } from './conduct.ts';
import type { Impact } from './impact.ts';
import type { Durations } from './milestones.ts';

const min = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

/**
 * What a reader calls the thing: an action in the words of its button ("roll back Pricing"), a change
 * by its id ("change regional-rounding-v2"), an advice item by its title. The report's tables keep the
 * ids; these sentences are what a team reads first.
 */
function actOf(names: DescribeNames, id: string): string {
  return id.startsWith('change:') ? `the change ${id.slice('change:'.length)}` : actionNamed(names, id);
}

export function reviewResponse(scenario: Scenario, d: Durations, impact: Impact, c: Conduct, prevented = false): { wentWell: string[]; wentBadly: string[] } {
  const well: string[] = [];
  const badly: string[] = [];
  const o = scenario.objectives;
  const names = namesOf(scenario);
  const adviceTitle = (id: string) => scenario.advice.find((a) => a.id === id)?.title ?? id;
  if (prevented) {
    well.push(`Prevented the incident: in the untreated run it cost ${formatMoney(impact.untreated.lost)} and ${formatCount(impact.untreated.failed)} failed requests.`);
  }
  reviewVerification(scenario, c, names, well, badly);
  const checks: [string, number | null, number | undefined][] = [
    ['acknowledged the page', d.timeToAcknowledge, o.ack],
    ['declared the incident', d.timeToDeclare, o.declare],
    ['diagnosed the root-cause service', d.timeToDiagnose, o.diagnose],
    ['mitigated customer impact', d.timeToMitigate, o.mitigate],
    ['resolved the incident', d.timeToResolve, o.resolve],
  ];
  for (const [what, actual, objective] of checks) {
    if (objective === undefined || prevented) continue;
    if (actual === null) badly.push(`Never ${what} (objective ${min(objective)}).`);
    else if (actual <= objective) well.push(`${capital(what)} in ${min(actual)}, within the ${min(objective)} objective.`);
    else badly.push(`${capital(what)} in ${min(actual)}, past the ${min(objective)} objective.`);
  }
  if (impact.avoidedShare >= 0.9) well.push(`Avoided ${(impact.avoidedShare * 100).toFixed(0)}% of the revenue an untreated outage would have lost.`);
  else badly.push(`Avoided only ${(Math.max(0, impact.avoidedShare) * 100).toFixed(0)}% of the untreated loss (${formatMoney(impact.lost)} lost).`);
  for (const journey of impact.noCredit) {
    const name = scenario.journeys.find((j) => j.id === journey)?.name ?? journey;
    badly.push(`${name} failed more requests than with nobody responding: no credit for it.`);
  }
  for (const f of c.badAdviceFollowed) badly.push(`Followed ${f.label} advice “${adviceTitle(f.advice)}” (${actOf(names, f.action)}) at ${formatClock(f.t)} without checking it against the telemetry.`);
  for (const f of c.goodAdviceFollowed) well.push(`Acted on the correct advice “${adviceTitle(f.advice)}” (${actOf(names, f.action)}).`);
  for (const h of c.harmfulActions) badly.push(`${capital(actOf(names, h.action))} by ${h.by} at ${formatClock(h.t)} set off ${h.fault}.`);
  for (const b of c.approvalsBypassed) badly.push(`${b.by} bypassed the approval to ${actOf(names, b.request)} at ${formatClock(b.t)}.`);
  if (c.approvalsBypassed.length === 0 && scenario.actions.some((a) => a.approval)) well.push('Kept controlled friction: no approval was bypassed.');
  if (c.statusUpdates.gaps.length > 0) {
    badly.push(`${c.statusUpdates.gaps.length} gap(s) longer than ${min(c.statusUpdates.cadenceMs)} between status updates (longest ${min(Math.max(...c.statusUpdates.gaps.map((g) => g.ms)))}).`);
  } else if (c.statusUpdates.count > 0) {
    well.push(`Status updates went out at least every ${min(c.statusUpdates.cadenceMs)}.`);
  }
  // Roles and severity belong to an incident that paged.
  if (!c.paged) return { wentWell: well, wentBadly: badly };
  const unfilled = c.roles.filter((r) => r.person === null).map((r) => r.role);
  if (unfilled.length > 0) badly.push(`Roles never filled: ${unfilled.join(', ')}.`);
  else well.push('Incident commander, comms and ops roles were all filled.');
  if (c.severity.correct) well.push(`Declared the right severity (Sev ${c.severity.expected}).`);
  else badly.push(c.severity.highest === null ? 'Never declared a severity.' : `Declared Sev ${c.severity.highest}; this incident was a Sev ${c.severity.expected}.`);
  return { wentWell: well, wentBadly: badly };
}

/** The assistant's answers acted on, the reviews of changes, and how long each review took. */
function reviewVerification(scenario: Scenario, c: Conduct, names: DescribeNames, well: string[], badly: string[]): void {
  const v = c.verification;
  const page = (id: string) => `“${scenario.wiki.find((p) => p.id === id)?.title ?? id}”`;
  const advice = (id: string) => `“${scenario.advice.find((a) => a.id === id)?.title ?? id}”`;
  for (const a of v.acts) {
    if (a.source !== 'assistant' || !a.stale) continue;
    // Scheduled advice cites no page: name the advice itself.
    const cited = a.page !== null ? `the assistant's answer citing ${page(a.page)} (last edited ${a.edited ?? 'at an unknown date'})` : `the assistant's advice ${advice(String(a.ref))}`;
    if (a.verified) well.push(`${a.by} checked ${cited} (${a.how ?? 'checked'}) before they went on to ${actOf(names, a.act)} at ${formatClock(a.t)}.`);
    else {
      const why = a.page !== null ? `The page was stale: ${a.staleReason ?? 'a later change made it so'}` : `The scenario labels that advice ${scenario.advice.find((x) => x.id === a.ref)?.facilitator.label ?? 'stale'}.`;
      badly.push(`${a.by} acted on ${cited} without checking it (${actOf(names, a.act)} at ${formatClock(a.t)}). ${why}`);
    }
  }
  for (const r of v.rubberStamps) {
    badly.push(`${r.by} approved the change ${r.change} at ${formatClock(r.t)} without opening its cited source, ${page(r.page)}${r.stale ? ', a stale page' : ''}: a rubber stamp.`);
  }
  for (const r of v.checkedRejections) {
    well.push(`${r.by} checked ${page(r.page)} and denied the change ${r.change} at ${formatClock(r.t)}${r.stale ? ': the page was stale' : ''}.`);
  }
  for (const f of v.friction) {
    if (f.verdict === 'pending') badly.push(`${f.kind === 'change' ? `The change ${f.request}` : `The request to ${actOf(names, f.request)}`} was still waiting for review at the end (${min(f.ms)}).`);
    else if (f.prevented) well.push(`Review of the change ${f.request} took ${min(f.ms)} and prevented ${formatMoney(f.prevented.lost)} of loss.`);
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
