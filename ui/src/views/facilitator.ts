/**
 * The facilitator's "Wiki & changes" panel, beside "People & links" in the console's header: what
 * responders cannot see. Each wiki page's derived staleness and why; every question asked, with the
 * page the answer cited and whether that page is stale; and each change with the fault its deploy
 * starts, and the one the on-call pushes alone at the task's deadline.
 */
import { formatClock } from '../../../engine/protocol/format.ts';
import { statusLabel } from '../change-window.ts';
import { h } from '../dom.ts';
import type { ViewModel } from '../model.ts';

export interface FacilitatorNotes {
  element: HTMLElement;
  update(m: ViewModel): void;
}

export function createFacilitatorNotes(): FacilitatorNotes {
  const body = h('div', { class: 'share-body facilitator-body' });
  const element = h('details', { class: 'share facilitator-notes' }, h('summary', { text: 'Wiki & changes' }), body);
  let drawn: unknown[] = [];

  function draw(m: ViewModel): void {
    const f = m.facilitator;
    if (!f) return;
    const wiki = new Map(f.wiki.map((p) => [p.page, p]));
    const pages = h(
      'table',
      { class: 'wiki-staleness', 'aria-label': 'Wiki pages and their staleness' },
      h('tr', {}, h('th', { text: 'page' }), h('th', { text: 'edited' }), h('th', { text: 'staleness (derived)' })),
      ...f.wiki.map((p) =>
        h('tr', { class: p.stale ? 'stale' : 'current' }, h('td', { text: p.title }), h('td', { text: p.edited }), h('td', { text: p.stale ? `stale: ${p.reason ?? ''}` : 'current' })),
      ),
    );
    const questions = h(
      'ol',
      { class: 'questions', 'aria-label': 'Questions asked' },
      ...[...m.answers].reverse().map((a) => {
        const page = a.page !== null ? wiki.get(a.page) : undefined;
        const staleness = page ? (page.stale ? 'stale' : 'current') : 'staleness unknown';
        const cited = a.page === null ? ['nothing found in the wiki'] : [`cites “${a.title ?? a.page}” (`, h('span', { class: page?.stale ? 'stale' : '', text: staleness }), ')'];
        return h('li', {}, `${formatClock(a.t)} ${a.by}: “${a.question}” → `, ...cited, a.change ? ` · proposes ${a.change.id}` : '');
      }),
    );
    const ids = 'faults' in m.scenario ? m.scenario.changes.map((c) => c.id) : Object.keys(f.changeFaults);
    const deadline = m.scenario.task ? ` at the deadline (${formatClock(m.scenario.task.deadline)})` : ' at the deadline';
    const changes = h(
      'ul',
      { class: 'change-faults', 'aria-label': 'What each change starts' },
      ...ids.map((id) => {
        const fault = f.changeFaults[id] ?? null;
        const live = m.changes.find((c) => c.change === id);
        return h(
          'li',
          {},
          h('strong', { text: id }),
          ': ',
          h('span', { class: fault !== null ? 'harmful' : '', text: fault !== null ? `its deploy starts the fault ${fault}` : 'safe (starts no fault)' }),
          f.taskPushes === id ? ` · the on-call pushes it alone${deadline} if nobody proposes a change` : '',
          ` · ${live ? `${statusLabel(live)} (proposed by ${live.by})` : 'not proposed'}`,
        );
      }),
    );
    body.replaceChildren(
      h('h2', { text: 'Wiki pages' }),
      f.wiki.length > 0 ? pages : h('p', { class: 'muted', text: 'This scenario has no wiki.' }),
      h('h2', { text: 'Questions asked' }),
      m.answers.length > 0 ? questions : h('p', { class: 'muted', text: 'Nobody has asked the assistant yet.' }),
      h('h2', { text: 'Changes' }),
      ids.length > 0 ? changes : h('p', { class: 'muted', text: 'This scenario has no changes to propose.' }),
    );
  }

  let last: ViewModel | null = null;
  // Drawn when opened, and then as questions and changes come (the wiki and what changes start are fixed).
  element.addEventListener('toggle', () => {
    drawn = [];
    if (last) update(last);
  });
  function update(m: ViewModel): void {
    last = m;
    const key = [m.facilitator !== null, m.answers, m.changes, element.open];
    if (key.every((k, i) => k === drawn[i])) return;
    drawn = key;
    if (element.open) draw(m);
  }
  return { element, update };
}
