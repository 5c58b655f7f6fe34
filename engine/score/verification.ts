/**
 * Verification and friction, as conduct: the lesson of the incident story is that an engineer acted
 * on an AI agent's answer drawn from an outdated wiki, and that a second person's review on critical
 * changes is what stops it. So the debrief asks, of each answer and advice acted on: was it checked
 * first (its cited page opened or its history read, or the service it targets diagnosed), and was it
 * stale? Of each change approved: did the reviewer open its cited source (else it is a rubber stamp)?
 * Of each denial: was the source checked first (that earns credit)? And of every review: how long it
 * took. All of it is derived from the log, at the seq of each event, so "before" is exact.
 */
import { stalenessOf, stalenessReason } from '../core/assistant/staleness.ts';
import { proposalKey } from '../protocol/ids.ts';
import type { EngineEvent, EventOf } from '../protocol/events.ts';
import type { Scenario } from '../protocol/scenario.ts';

export interface VerifiedAct {
  /** `assistant` (an answer to a question) or the source of scheduled advice (runbook, colleague, …). */
  source: string;
  /** The seq of the answer, or the advice id. */
  ref: number | string;
  /** The wiki page cited, if any, with its last edit and whether (and why) it was stale. */
  page: string | null;
  edited: string | null;
  stale: boolean;
  staleReason: string | null;
  /** What was done on it: `restart:account`, or `change:<id>` when a change it proposed deployed. */
  act: string;
  by: string;
  t: number;
  /** Checked before the act, and how (the first check): `page-history`, `open-page` or `diagnose`. */
  verified: boolean;
  how: string | null;
}

export interface ReviewCheck {
  change: string;
  by: string;
  byId?: string;
  t: number;
  /** The page the change cited. */
  page: string;
  stale: boolean;
}

export interface FrictionItem {
  /** `change`: a proposed change's review; `action`: an approval-marked action's. */
  kind: 'change' | 'action';
  request: string;
  requestedBy: string;
  requestedAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  /** How long the review took (to the end of the run while it was still waiting). */
  ms: number;
  verdict: 'approved' | 'denied' | 'bypassed' | 'pending';
  /** A change's fault: what deploying it would have started. */
  fault: string | null;
  /**
   * A denied change whose fault never started: what the untreated run (where it deployed) lost, so
   * what the review prevented. Filled in by the scorecard, which has that run.
   */
  prevented: { failed: number; lost: number } | null;
}

export interface Verification {
  acts: VerifiedAct[];
  /** Changes approved by someone who had not opened the cited source. */
  rubberStamps: ReviewCheck[];
  /** Changes denied after their cited source was checked. */
  checkedRejections: ReviewCheck[];
  friction: FrictionItem[];
}

/** A check of a source: who looked at which page, or diagnosed which service, at which seq. */
interface Check {
  seq: number;
  how: 'page-history' | 'open-page' | 'diagnose';
  page: string | null;
  service: string | null;
  by: string;
  byId: string | undefined;
}

export function assessVerification(scenario: Scenario, events: readonly EngineEvent[], endedAt: number): Verification {
  const checks: Check[] = [];
  const participants = new Map<number, string>();
  for (const e of events) {
    if (e.type === 'command' && e.participant !== undefined) participants.set(e.seq, e.participant);
    if (e.type === 'page.opened' || e.type === 'page.history') {
      checks.push({ seq: e.seq, how: e.type === 'page.opened' ? 'open-page' : 'page-history', page: e.page, service: null, by: e.by, byId: participants.get(e.seq - 1) });
    }
    if (e.type === 'diagnosis') checks.push({ seq: e.seq, how: 'diagnose', page: null, service: e.target, by: e.by, byId: participants.get(e.seq - 1) });
  }
  const firstCheck = (before: number, page: string | null, service: string | null): Check | undefined =>
    checks.find((c) => c.seq < before && ((page !== null && c.page === page) || (service !== null && c.service === service)));
  return {
    acts: actsOn(scenario, events, firstCheck),
    ...reviews(scenario, events, checks),
    friction: friction(scenario, events, endedAt),
  };
}

type FirstCheck = (before: number, page: string | null, service: string | null) => Check | undefined;

/** Each answer and advice whose proposal somebody carried out, first time only. */
function actsOn(scenario: Scenario, events: readonly EngineEvent[], firstCheck: FirstCheck): VerifiedAct[] {
  const acts: VerifiedAct[] = [];
  const proposed = new Map<string, EventOf<'change.proposed'>>();
  const open: { source: string; ref: number | string; page: string | null; action: string | null; change: string | null; service: string | null }[] = [];
  for (const e of events) {
    if (e.type === 'assistant.answered' && e.page !== null && (e.proposes !== undefined || e.change !== undefined)) {
      open.push({ source: 'assistant', ref: e.inReplyTo, page: e.page, action: e.proposes ? proposalKey(e.proposes) : null, change: e.change?.id ?? null, service: e.proposes?.target ?? e.change?.service ?? null });
    }
    if (e.type === 'advice.shown' && e.proposes) {
      open.push({ source: e.source, ref: e.advice, page: null, action: proposalKey(e.proposes), change: null, service: e.proposes.target });
    }
    if (e.type === 'change.proposed') proposed.set(e.change, e);
    const done = doneBy(e, proposed);
    if (done === null) continue;
    for (let i = 0; i < open.length; i++) {
      const item = open[i];
      if (!item || (done.act !== `change:${item.change ?? ''}` && done.act !== item.action)) continue;
      open.splice(i--, 1);
      const check = firstCheck(done.seq, item.page, item.service);
      acts.push({ source: item.source, ref: item.ref, ...pageFacts(scenario, item.page, item.ref), act: done.act, by: done.by, t: e.t, verified: check !== undefined, how: check?.how ?? null });
    }
  }
  return acts;
}

/** What an event carried out: an accepted action command, or a change that deployed (credited to its proposer). */
function doneBy(e: EngineEvent, proposed: Map<string, EventOf<'change.proposed'>>): { act: string; by: string; seq: number } | null {
  if (e.type === 'command' && e.ok && e.target !== undefined) return { act: proposalKey({ type: e.command, target: e.target }), by: e.actor, seq: e.seq };
  if (e.type === 'change.deployed' && e.change !== undefined) {
    // Deployed after a review: checked means checked before the proposal was approved.
    return { act: `change:${e.change}`, by: proposed.get(e.change)?.by ?? e.author, seq: e.seq };
  }
  return null;
}

function pageFacts(scenario: Scenario, pageId: string | null, ref: number | string): Pick<VerifiedAct, 'page' | 'edited' | 'stale' | 'staleReason'> {
  const page = pageId === null ? undefined : scenario.wiki.find((p) => p.id === pageId);
  if (page) {
    return { page: page.id, edited: page.edited, stale: stalenessOf(page, scenario.architecture).stale, staleReason: stalenessReason(page, scenario.architecture) };
  }
  // Scheduled advice: its facilitator label says whether it was wrong.
  const label = scenario.advice.find((a) => a.id === ref)?.facilitator.label;
  return { page: null, edited: null, stale: label !== undefined && label !== 'correct', staleReason: label !== undefined && label !== 'correct' ? `labelled ${label} by the scenario` : null };
}

/** Approvals without a look at the cited source (rubber stamps), and denials after one (credit). */
function reviews(scenario: Scenario, events: readonly EngineEvent[], checks: readonly Check[]): Pick<Verification, 'rubberStamps' | 'checkedRejections'> {
  const cited = new Map<string, string>();
  const rubberStamps: ReviewCheck[] = [];
  const checkedRejections: ReviewCheck[] = [];
  for (const e of events) {
    if (e.type === 'change.proposed' && e.page !== undefined) cited.set(e.change, e.page);
    if (e.type !== 'change.approved' && e.type !== 'change.denied') continue;
    const page = cited.get(e.change);
    if (page === undefined) continue;
    const wiki = scenario.wiki.find((p) => p.id === page);
    const item = { change: e.change, by: e.by, ...(e.byId !== undefined ? { byId: e.byId } : {}), t: e.t, page, stale: wiki !== undefined && stalenessOf(wiki, scenario.architecture).stale };
    if (e.type === 'change.approved') {
      // The reviewer's own look: the same participant id in live drills, else the same name.
      const looked = checks.some((c) => c.seq < e.seq && c.page === page && (e.byId !== undefined && c.byId !== undefined ? c.byId === e.byId : c.by === e.by));
      if (!looked) rubberStamps.push(item);
    } else if (checks.some((c) => c.seq < e.seq && c.page === page)) {
      checkedRejections.push(item);
    }
  }
  return { rubberStamps, checkedRejections };
}

/** Every review, of changes and of approval-marked actions: who asked, who decided, how long it took. */
function friction(scenario: Scenario, events: readonly EngineEvent[], endedAt: number): FrictionItem[] {
  const items = new Map<string, FrictionItem>();
  const decide = (key: string, by: string, t: number, verdict: FrictionItem['verdict']) => {
    const item = items.get(key);
    if (!item || item.verdict !== 'pending') return;
    Object.assign(item, { decidedBy: by, decidedAt: t, ms: t - item.requestedAt, verdict });
  };
  for (const e of events) {
    switch (e.type) {
      case 'change.proposed':
        if (e.review) {
          const fault = scenario.changes.find((c) => c.id === e.change)?.fault ?? null;
          items.set(`change:${e.change}`, { kind: 'change', request: e.change, requestedBy: e.by, requestedAt: e.t, decidedBy: null, decidedAt: null, ms: 0, verdict: 'pending', fault, prevented: null });
        }
        break;
      case 'approval.requested':
        items.set(`action:${e.request}`, { kind: 'action', request: e.request, requestedBy: e.by, requestedAt: e.t, decidedBy: null, decidedAt: null, ms: 0, verdict: 'pending', fault: null, prevented: null });
        break;
      case 'change.approved':
      case 'change.denied':
        decide(`change:${e.change}`, e.by, e.t, e.type === 'change.approved' ? 'approved' : 'denied');
        break;
      case 'change.deployed':
        if (e.bypassed && e.change !== undefined) decide(`change:${e.change}`, e.author, e.t, 'bypassed');
        break;
      case 'approval.granted':
      case 'approval.denied':
        decide(`action:${e.request}`, e.by, e.t, e.type === 'approval.granted' ? 'approved' : 'denied');
        break;
    }
  }
  const all = [...items.values()];
  for (const item of all) if (item.verdict === 'pending') item.ms = Math.max(0, endedAt - item.requestedAt);
  return all;
}
