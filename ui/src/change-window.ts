/**
 * The assistant and the change window in the console's view-model: the answers everyone sees, the
 * wiki pages this console's person checked, and every change (proposed, reviewed, deployed, or a
 * plain deploy nobody proposed). A pure fold like model.ts's `applyEvent`, which calls it for these
 * events; the snapshot seeds the changes, and the backlog fills in what it does not carry (notes,
 * reasons, who approved).
 */
import type { EngineEvent, EventOf } from '../../engine/protocol/events.ts';
import type { DrillSnapshot } from '../../engine/protocol/views.ts';

/** One answer of the assistant, keyed by the seq of the question it answers. */
export interface AnswerView {
  ask: number;
  t: number;
  /** Who asked. */
  by: string;
  question: string;
  /** The cited wiki page, or null when nothing in the wiki matched. */
  page: string | null;
  title: string | null;
  edited: string | null;
  text: string;
  proposes: { type: string; target: string } | null;
  /** The change the cited page tells readers to make, ready to propose. */
  change: { id: string; service: string; summary: string } | null;
}

export type ChangeStatus = 'pending' | 'approved' | 'denied' | 'deployed';

export interface ChangeView {
  /** The change id, or `deploy@<seq>` for a deploy nobody proposed (a fault that is a config push, say). */
  key: string;
  /** The scenario's change id; null for a plain deploy. */
  change: string | null;
  service: string;
  summary: string;
  status: ChangeStatus;
  /** Who proposed it (or who deployed it, for a plain deploy or the on-call's push). */
  by: string;
  /** The proposer's participant id, in live drills: the server refuses their own review. */
  byId: string | null;
  /** When it was proposed (or deployed, for a plain deploy). */
  t: number;
  page: string | null;
  note: string | null;
  /** Whether it waits (or waited) for a second participant. */
  review: boolean;
  /** Who approved or denied it, and why. */
  reviewedBy: string | null;
  reason: string | null;
  deployedAt: number | null;
  /** It needed review and deployed without one (break glass, or the on-call at the deadline). */
  bypassed: boolean;
}

/** A wiki page this console's person opened, or whose history they read. */
export interface PageRead {
  page: string;
  title: string;
  edited: string;
  body: string | null;
  history: { edited: string; summary: string; by?: string | undefined }[] | null;
  laterChanges: { date: string; summary: string }[] | null;
}

export interface ChangeWindowState {
  /** In the order asked. */
  answers: AnswerView[];
  /** In the order proposed (or deployed). */
  changes: ChangeView[];
  /** Pages this console's person read, by page id: only they see the body and the history. */
  reads: Record<string, PageRead>;
  /** Titles and edit dates of the pages answers and reads named (the public scenario has no wiki). */
  pages: Record<string, { title: string; edited: string }>;
  /** The task's deadline passed; `pushed`: the change the on-call pushed alone, if any. */
  taskDue: { by: string; pushed: string | null } | null;
}

const STATUS: Record<DrillSnapshot['changes'][number]['status'], ChangeStatus> = { pending: 'pending', denied: 'denied', deployed: 'deployed' };

export function changeWindowFromSnapshot(s: DrillSnapshot): ChangeWindowState {
  return {
    answers: [],
    changes: s.changes.map((c) => ({
      key: c.change,
      change: c.change,
      service: c.service,
      summary: c.summary,
      status: STATUS[c.status],
      by: c.by,
      byId: c.byId ?? null,
      t: c.proposedAt,
      page: c.page ?? null,
      note: null,
      review: c.review,
      reviewedBy: null,
      reason: null,
      deployedAt: null,
      bypassed: false,
    })),
    reads: {},
    pages: {},
    taskDue: null,
  };
}

/** Replaces (or appends) the change with this key, keeping the list's order. */
function upsert(changes: readonly ChangeView[], key: string, make: (old: ChangeView | undefined) => ChangeView): ChangeView[] {
  const i = changes.findIndex((c) => c.key === key);
  if (i < 0) return [...changes, make(undefined)];
  const next = [...changes];
  next[i] = make(changes[i]);
  return next;
}

function proposed(e: EventOf<'change.proposed'>, old: ChangeView | undefined): ChangeView {
  return {
    key: e.change,
    change: e.change,
    service: e.service,
    summary: e.summary,
    status: 'pending',
    by: e.by,
    byId: e.byId ?? null,
    t: e.t,
    page: e.page ?? old?.page ?? null,
    note: e.note ?? null,
    review: e.review,
    reviewedBy: null,
    reason: null,
    deployedAt: null,
    bypassed: false,
  };
}

function deployed(e: EventOf<'change.deployed'>, old: ChangeView | undefined): ChangeView {
  const base: ChangeView = old ?? {
    key: e.change ?? `deploy@${e.seq}`,
    change: e.change ?? null,
    service: e.service,
    summary: e.summary,
    status: 'deployed',
    by: e.author,
    byId: null,
    t: e.t,
    page: null,
    note: null,
    review: false,
    reviewedBy: null,
    reason: null,
    deployedAt: null,
    bypassed: false,
  };
  return { ...base, status: 'deployed', deployedAt: e.t, reviewedBy: e.approvedBy ?? base.reviewedBy, bypassed: e.bypassed === true };
}

/**
 * What one event changes in the change window, or null when it is not about it. `me`: this console's
 * person (events name people, and only the reader of a page sees its body and history here).
 */
export function applyChangeWindow(s: ChangeWindowState, e: EngineEvent, me: string): Partial<ChangeWindowState> | null {
  switch (e.type) {
    case 'assistant.answered': {
      if (s.answers.some((a) => a.ask === e.inReplyTo)) return null;
      const answer: AnswerView = {
        ask: e.inReplyTo,
        t: e.t,
        by: e.by,
        question: e.question,
        page: e.page,
        title: e.title ?? null,
        edited: e.edited ?? null,
        text: e.text,
        proposes: e.proposes ?? null,
        change: e.change ?? null,
      };
      const pages = e.page !== null && e.title !== undefined ? { ...s.pages, [e.page]: { title: e.title, edited: e.edited ?? '?' } } : s.pages;
      return { answers: [...s.answers, answer], pages };
    }
    case 'page.opened':
    case 'page.history': {
      const pages = { ...s.pages, [e.page]: { title: e.title, edited: e.edited } };
      if (e.by !== me) return { pages };
      const old = s.reads[e.page] ?? { page: e.page, title: e.title, edited: e.edited, body: null, history: null, laterChanges: null };
      const read: PageRead =
        e.type === 'page.opened'
          ? { ...old, title: e.title, edited: e.edited, body: e.body }
          : { ...old, title: e.title, edited: e.edited, history: e.history, laterChanges: e.laterChanges };
      return { pages, reads: { ...s.reads, [e.page]: read } };
    }
    case 'change.proposed':
      return { changes: upsert(s.changes, e.change, (old) => proposed(e, old)) };
    case 'change.approved':
    case 'change.denied': {
      const status: ChangeStatus = e.type === 'change.approved' ? 'approved' : 'denied';
      if (!s.changes.some((c) => c.key === e.change)) return null;
      return { changes: upsert(s.changes, e.change, (old) => ({ ...(old as ChangeView), status, reviewedBy: e.by, reason: e.reason ?? null })) };
    }
    case 'change.deployed':
      return { changes: upsert(s.changes, e.change ?? `deploy@${e.seq}`, (old) => deployed(e, old)) };
    case 'task.due':
      return { taskDue: { by: e.by, pushed: e.pushed } };
    default:
      return null;
  }
}

/** Whether this console's person proposed the change: by participant id in live drills, else by name. */
export const isMine = (c: ChangeView, me: { participantId: string | null; name: string }): boolean =>
  c.byId !== null && me.participantId !== null ? c.byId === me.participantId : c.by === me.name;

/** A change's status in words: waiting for review, approved, denied, approved and deployed, deployed without review, deployed. */
export function statusLabel(c: ChangeView): string {
  if (c.status === 'pending') return 'waiting for review';
  if (c.status !== 'deployed') return c.status;
  if (c.reviewedBy !== null) return 'approved and deployed';
  // A proposed change (or the on-call's push) that went out with nobody reviewing it; a plain deploy says no more than that it deployed.
  return c.change !== null ? 'deployed without review' : 'deployed';
}
