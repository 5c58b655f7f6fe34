/**
 * What the browser tab says when something needs this person: the title's marks (paged, an approval
 * waiting) and the favicon. One owner for document.title, so marks from different views never stack
 * twice or strip each other; the marks come first, in a fixed order, then the page's own title.
 */
const ORDER = ['paged', 'approval'] as const;
type Mark = (typeof ORDER)[number];

const MARKS: Record<Mark, string> = { paged: '🔴 Paged — ', approval: '⚠ Approval needed — ' };
const on = new Set<Mark>();
let base = 'sevdrill';

const RED_DOT = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#e5534b"/></svg>')}`;

function render(): void {
  document.title = `${ORDER.filter((m) => on.has(m)).map((m) => MARKS[m]).join('')}${base}`;
  const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (icon) icon.href = on.has('paged') ? RED_DOT : 'data:,';
}

/** The page's own title, under any marks. */
export function setPageTitle(title: string): void {
  base = title;
  render();
}

export function markTitle(mark: Mark, active: boolean): void {
  if (on.has(mark) === active) return;
  if (active) on.add(mark);
  else on.delete(mark);
  render();
}

/** Leaving the console: no marks, the plain title. */
export function clearTitle(): void {
  on.clear();
  setPageTitle('sevdrill');
}
