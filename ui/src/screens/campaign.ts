/**
 * A campaign's page (#/campaign/<id>): the team's week so far. Each drill in order with its state and
 * the ways in, the availability over the drills scored so far, the score from drill to drill, and the
 * response times side by side. The page asks again every few seconds while a drill still runs or
 * waits for its score, so a facilitator coming back from a drill sees it scored without reloading.
 */
import { formatCount, formatPercent } from '../../../engine/protocol/format.ts';
import type { Campaign } from '../../../engine/protocol/messages.ts';
import { h } from '../dom.ts';
import type { Route } from '../main.ts';
import { drillsTable, responseTimesTable } from '../views/campaign-tables.ts';
import { scoreTrend } from '../views/score-trend.ts';

const POLL_MS = 3_000;

export function renderCampaign(root: HTMLElement, route: Route): () => void {
  const id = route.sessionId;
  const nav = h('nav', { class: 'campaign-nav' }, h('a', { href: '#/', text: 'Lobby' }));
  const body = h('div', {}, h('p', { class: 'campaign-message', role: 'status', text: 'Loading the campaign…' }));
  root.append(h('main', { class: 'campaign' }, nav, body));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let shown = '';
  let left = false;

  const load = async (): Promise<void> => {
    let res: Response;
    try {
      res = await fetch(`/api/campaigns/${encodeURIComponent(id)}`);
    } catch {
      // The server restarting, say: the page keeps what it shows and asks again.
      if (!left) timer = setTimeout(() => void load(), POLL_MS);
      return;
    }
    if (left) return;
    if (res.status === 404) return void body.replaceChildren(notFound(id));
    if (!res.ok) {
      const problem = (await res.json().catch(() => ({}))) as { message?: string };
      body.replaceChildren(h('p', { class: 'campaign-message error', role: 'status', text: `The campaign cannot be shown: ${problem.message ?? res.statusText}.` }));
      return;
    }
    const text = await res.text();
    if (left) return;
    const campaign = JSON.parse(text) as Campaign;
    // Redrawn only when something changed: a redraw would drop the focus and the reader's place.
    if (text !== shown) {
      shown = text;
      document.title = `${campaign.name} · sevdrill`;
      body.replaceChildren(...page(campaign));
    }
    if (campaign.drills.some((d) => d.durations === null && d.status !== 'failed' && d.status !== 'expired')) timer = setTimeout(() => void load(), POLL_MS);
  };
  void load();
  return () => {
    left = true;
    clearTimeout(timer);
    document.title = 'sevdrill';
  };
}

function notFound(id: string): HTMLElement {
  return h(
    'section',
    { class: 'campaign-missing', 'aria-labelledby': 'campaign-missing-heading' },
    h('h1', { id: 'campaign-missing-heading', text: 'No such campaign' }),
    h('p', { text: `This server has no campaign "${id}". Check the link, or create the campaign again in the lobby.` }),
    h('p', {}, h('a', { href: '#/', text: 'Back to the lobby' })),
  );
}

/** How the week's availability reads against common SLOs: three nines is healthy, two is degraded, less is down. */
const health = (availability: number): string => (availability >= 0.999 ? 'healthy' : availability >= 0.99 ? 'degraded' : 'down');

function page(c: Campaign): HTMLElement[] {
  const scored = c.drills.filter((d) => d.durations !== null).length;
  const ended = c.drills.filter((d) => d.status !== 'live' || d.phase === 'ended').length;
  const total = c.drills.length;
  const availability =
    scored === 0
      ? h('p', { class: 'big muted', text: '—' })
      : h('p', { class: `big ${health(c.availability.availability)}`, text: formatPercent(c.availability.availability, 2) });
  const facts = [
    h(
      'div',
      { class: 'fact availability', role: 'group', 'aria-labelledby': 'availability-label' },
      h('h2', { id: 'availability-label', text: 'Availability so far' }),
      availability,
      h('p', { class: 'muted', text: scored === 0 ? 'once a drill is scored' : `${formatCount(c.availability.failed)} of ${formatCount(c.availability.requests)} requests failed` }),
    ),
    h('div', { class: 'fact' }, h('h2', { text: 'Drills played' }), h('p', { class: 'big', text: `${ended} of ${total}` }), h('p', { class: 'muted', text: `${scored} scored` })),
  ];
  const tableId = `campaign-drills-${c.id}`;
  return [
    h('header', { class: 'campaign-head' }, h('h1', { text: c.name }), h('p', { class: 'lede', text: `Team ${c.team} · ${total} ${total === 1 ? 'drill' : 'drills'} · created ${new Date(c.createdAt).toLocaleString()}` })),
    h('div', { class: 'facts' }, ...facts),
    h('section', { class: 'campaign-section', 'aria-label': 'Drills' }, drillsTable(c.drills, tableId)),
    h(
      'div',
      { class: 'campaign-grid' },
      h('section', { class: 'campaign-section', 'aria-label': 'Score trend' }, scoreTrend(c.drills, tableId)),
      h('section', { class: 'campaign-section', 'aria-label': 'Response times' }, responseTimesTable(c.drills)),
    ),
  ];
}
