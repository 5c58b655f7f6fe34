/**
 * The assistant and the wiki, as commands: `ask` ranks the wiki against the question and what the
 * responder can see (the firing alerts, the changes deployed in the last hour) and answers from the
 * best page; `open-page` and `page-history` are how a careful responder checks that source. All three
 * are logged, so the debrief can tell verified advice from advice taken on trust. The answer never
 * carries the page's staleness: finding it out is the exercise.
 */
import { answer } from '../assistant/retrieve.ts';
import { stalenessOf } from '../assistant/staleness.ts';
import { emit, type SessionState } from '../state.ts';
import { COMMAND_PARAMS, checkParams, type CommandError, type CommandInput } from '../../protocol/commands.ts';
import type { WikiPage } from '../../protocol/scenario.ts';

/** Changes older than this are not "recent" to the assistant. */
const RECENT_MS = 60 * 60_000;

export function ask(state: SessionState, cmd: CommandInput, inReplyTo: number): CommandError | null {
  const checked = checkParams(COMMAND_PARAMS.ask, cmd.params);
  if (!checked.ok) return checked;
  const { question, service } = checked.params;
  if (service !== undefined && !state.topo.index.has(service)) {
    return { ok: false, code: 'unknown-target', message: `no service "${service}"`, path: 'params.service' };
  }
  const reply = answer(state.scenario.wiki, { question, ...(service !== undefined ? { service } : {}), context: contextOf(state) });
  const page = reply.page === null ? undefined : state.scenario.wiki.find((p) => p.id === reply.page);
  const change = page?.change === undefined ? undefined : state.scenario.changes.find((c) => c.id === page.change);
  emit(state, 'assistant.answered', {
    inReplyTo,
    by: cmd.actor,
    question,
    page: reply.page,
    ...(page ? { title: page.title, edited: page.edited } : {}),
    // A page that describes a change comes with the change ready to propose: the shortcut the story warns about.
    text: change ? `${reply.text} Suggested change to ${change.service}: ${change.summary}.` : reply.text,
    ...(reply.proposes ? { proposes: reply.proposes } : {}),
    ...(change ? { change: { id: change.id, service: change.service, summary: change.summary } } : {}),
  });
  return null;
}

export function openPage(state: SessionState, cmd: CommandInput): CommandError | null {
  const page = pageOf(state, cmd);
  if ('ok' in page) return page;
  emit(state, 'page.opened', { by: cmd.actor, page: page.id, title: page.title, edited: page.edited, body: page.body });
  return null;
}

export function pageHistory(state: SessionState, cmd: CommandInput): CommandError | null {
  const page = pageOf(state, cmd);
  if ('ok' in page) return page;
  const { since } = stalenessOf(page, state.scenario.architecture);
  emit(state, 'page.history', {
    by: cmd.actor,
    page: page.id,
    title: page.title,
    edited: page.edited,
    history: page.history.map((h) => ({ edited: h.edited, summary: h.summary, ...(h.by !== undefined ? { by: h.by } : {}) })),
    laterChanges: since.map((c) => ({ date: c.date, summary: c.summary })),
  });
  return null;
}

function pageOf(state: SessionState, cmd: CommandInput): WikiPage | CommandError {
  const checked = checkParams(COMMAND_PARAMS['open-page'], cmd.params);
  if (!checked.ok) return checked;
  const page = state.scenario.wiki.find((p) => p.id === checked.params.page);
  return page ?? { ok: false, code: 'unknown-page', message: `no wiki page "${checked.params.page}"`, path: 'params.page' };
}

/** What the responder sees that a chat assistant would take in: the alerts firing now and the recent changes. */
function contextOf(state: SessionState): string[] {
  const firing = state.scenario.alerts.filter((_, i) => state.alertFiring[i] === 1).map((a) => a.name ?? a.id);
  const recent = state.log.flatMap((e) => (e.type === 'change.deployed' && e.t >= state.now - RECENT_MS ? [e.summary] : []));
  return [...firing, ...recent];
}
