/**
 * A wiki page as the responder who checked it sees it, under the answer or beside the change that
 * cites it: its text (open-page) and its history (page-history), with the architecture changes made
 * since its last edit, which is how a careful reader finds that it is out of date.
 */
import type { PageRead } from '../change-window.ts';
import { h } from '../dom.ts';
import type { ViewContext } from './types.ts';

/** The page's text: paragraphs kept, the file's line wrapping dropped. */
const paragraphs = (body: string): HTMLElement[] =>
  body
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p !== '')
    .map((p) => h('p', { text: p }));

function render(read: PageRead): HTMLElement[] {
  const out: HTMLElement[] = [];
  // The history first: it is short, and its "changed since" is what tells a careful reader the page is out of date.
  if (read.history !== null) {
    const edits = [...read.history.map((e) => `${e.edited} ${e.summary}${e.by ? ` (${e.by})` : ''}`), `${read.edited} last edit`];
    const later = read.laterChanges ?? [];
    out.push(
      h(
        'section',
        { class: 'page-history', 'aria-label': `History of ${read.title}` },
        h('p', { class: 'page-title', text: `History of ${read.title}` }),
        h('ul', { class: 'edits' }, ...edits.map((text) => h('li', { text }))),
        ...(later.length > 0
          ? later.map((c) => h('p', { class: 'later-change', text: `Changed since: ${c.date} ${c.summary}` }))
          : [h('p', { class: 'no-later-change', text: 'No architecture change to its services since its last edit.' })]),
      ),
    );
  }
  if (read.body !== null) {
    out.push(
      h('article', { class: 'page-body', 'aria-label': `Wiki page: ${read.title}` }, h('p', { class: 'page-title', text: `${read.title} · last edited ${read.edited}` }), ...paragraphs(read.body)),
    );
  }
  return out;
}

/** The "Open source" and "History" buttons for a page, and what they showed. */
export interface PageChecks {
  buttons: HTMLElement;
  shown: HTMLElement;
  update(read: PageRead | undefined, enabled: boolean): void;
}

/** `onCheck`: told when this block asked for the page, so its owner can show the result here. */
export function pageChecks(ctx: ViewContext, page: string, what: string, onCheck: () => void = () => {}): PageChecks {
  const send = (command: 'open-page' | 'page-history', label: string) => {
    onCheck();
    void ctx.link?.act(command, undefined, { page }).then((r) => {
      if (!r.ok) ctx.notify(`${label}: ${r.message ?? r.code}`, 'error');
    });
  };
  const open = h('button', { type: 'button', text: 'Open source', 'aria-label': `Open source of ${what}` });
  open.addEventListener('click', () => send('open-page', 'Open source'));
  const history = h('button', { type: 'button', text: 'History', 'aria-label': `History of the source of ${what}` });
  history.addEventListener('click', () => send('page-history', 'History'));
  const shown = h('div', { class: 'page-read' });
  let drawn: PageRead | undefined;
  return {
    buttons: h('span', { class: 'page-buttons' }, open, ' ', history),
    shown,
    update(read, enabled) {
      open.disabled = !enabled;
      history.disabled = !enabled;
      if (read === drawn) return;
      drawn = read;
      shown.replaceChildren(...(read ? render(read) : []));
      shown.hidden = !read;
    },
  };
}
