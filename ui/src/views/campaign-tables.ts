/**
 * The campaign page's two tables: the drills in order (scenario, seed and the difficulty it was picked
 * for, state, score, and the ways in:
 * its console, when this browser holds its facilitator token, its debrief and its replay), and the
 * response times side by side, one column per drill, each against the drill before it, so the team
 * sees whether it got faster.
 */
import { formatDuration } from '../../../engine/protocol/format.ts';
import type { CampaignDrill } from '../../../engine/protocol/messages.ts';
import { loadCredentials } from '../credentials.ts';
import { h } from '../dom.ts';

type Durations = NonNullable<CampaignDrill['durations']>;

/** The milestones the scorecard times (docs/scoring.md), in the order an incident reaches them. */
const MILESTONES: readonly { key: keyof Durations; label: string }[] = [
  { key: 'timeToAcknowledge', label: 'Time to acknowledge' },
  { key: 'timeToDeclare', label: 'Time to declare' },
  { key: 'timeToDiagnose', label: 'Time to diagnose' },
  { key: 'timeToMitigate', label: 'Time to mitigate' },
  { key: 'timeToResolve', label: 'Time to resolve' },
];

const stopped = (d: CampaignDrill): boolean => d.status !== 'live' || d.phase === 'ended';

/** What a facilitator needs to know of a drill's state: ready, running, paused, ended (and whether its score is in), failed or expired. */
function stateOf(d: CampaignDrill): string {
  if (d.status === 'failed' || d.status === 'expired') return d.status;
  if (!stopped(d)) return d.phase;
  return d.score === null ? 'ended · scoring…' : 'ended';
}

/** Whole seconds: simulated times are whole ticks, and "12m" reads faster than "00:12:00". */
const time = (ms: number): string => formatDuration(Math.round(ms / 1000) * 1000);

/** "4217", or "4217 · hard" when the drill was asked for by difficulty: how hard the week was meant to be, not only which drill. */
const seedCell = (d: CampaignDrill): HTMLElement =>
  h('td', { class: 'num seed' }, String(d.seed), d.difficulty ? h('span', { class: `difficulty ${d.difficulty}`, text: ` · ${d.difficulty}` }) : null);

export function drillsTable(drills: readonly CampaignDrill[], id: string): HTMLElement {
  const head = h('tr', {}, ...['#', 'Scenario', 'Seed', 'State', 'Score', 'Links'].map((t) => h('th', { scope: 'col', text: t })));
  const rows = drills.map((d, i) => {
    const n = i + 1;
    const links: (Node | string)[] = [];
    if (!stopped(d) && loadCredentials(d.sessionId).facilitatorToken) {
      links.push(h('a', { href: `#/drill/${d.sessionId}`, class: 'run', 'aria-label': `Open the console of drill ${n}`, text: d.phase === 'ready' ? 'Run' : 'Console' }));
    } else if (!stopped(d)) links.push(h('span', { class: 'muted', text: 'run it from the browser that created the campaign' }));
    if (stopped(d) && d.status !== 'failed') {
      links.push(h('a', { href: `#/debrief/${d.sessionId}`, 'aria-label': `Debrief of drill ${n}`, text: 'Debrief' }), ' · ', h('a', { href: `#/replay/${d.sessionId}`, 'aria-label': `Replay of drill ${n}`, text: 'Replay' }));
    }
    return h(
      'tr',
      { 'data-session': d.sessionId },
      h('td', { text: n }),
      h('td', { text: d.title }),
      seedCell(d),
      h('td', { class: `state ${stateOf(d).split(' ')[0]}`, text: stateOf(d) }),
      h('td', { class: 'num score', text: d.score ?? '—' }),
      h('td', { class: 'links' }, ...links),
    );
  });
  return h('table', { class: 'drills', id }, h('caption', { text: 'The drills, in order' }), h('thead', {}, head), h('tbody', {}, ...rows));
}

export function responseTimesTable(drills: readonly CampaignDrill[]): HTMLElement {
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col', text: 'Milestone' }),
    ...drills.map((d, i) => h('th', { scope: 'col' }, `Drill ${i + 1}`, h('span', { class: 'sub', text: d.title }))),
  );
  const rows = MILESTONES.map(({ key, label }) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row', text: label }),
      ...drills.map((d, i) => {
        if (!d.durations) return h('td', { class: 'muted', text: !stopped(d) ? (d.phase === 'ready' ? 'not played yet' : 'under way') : d.status === 'ended' ? 'scoring…' : d.status });
        const ms = d.durations[key];
        if (ms === null) return h('td', { class: 'muted', text: 'not reached' });
        const before = drills[i - 1]?.durations?.[key];
        return h('td', { class: 'num' }, time(ms), before === null || before === undefined ? null : delta(ms - before, i));
      }),
    ),
  );
  return h(
    'div',
    { class: 'table-scroll' },
    h('table', { class: 'response-times', 'aria-describedby': 'response-times-note' }, h('caption', { text: 'Response times' }), h('thead', {}, head), h('tbody', {}, ...rows)),
    h('p', { class: 'note muted', id: 'response-times-note', text: 'Simulated time: acknowledge from the page, the others from when customers were first hurt. ▼ faster, ▲ slower than the drill before.' }),
  );
}

/** The change from the drill before: faster is better. The arrow is for the eye; the words are read out. */
function delta(diff: number, i: number): HTMLElement {
  const words = diff === 0 ? `as fast as drill ${i}` : `${time(Math.abs(diff))} ${diff < 0 ? 'faster' : 'slower'} than drill ${i}`;
  const mark = diff === 0 ? '±0' : `${diff < 0 ? '▼' : '▲'} ${time(Math.abs(diff))}`;
  return h('span', { class: `delta ${diff === 0 ? 'same' : diff < 0 ? 'faster' : 'slower'}`, title: words }, h('span', { 'aria-hidden': 'true', text: mark }), h('span', { class: 'sr-only', text: ` (${words})` }));
}
