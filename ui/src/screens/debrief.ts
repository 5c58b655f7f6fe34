/** The debrief: the after-action report the server renders from the log (the same as `sevdrill score`). */
import { loadCredentials } from '../credentials.ts';
import { h } from '../dom.ts';
import type { Route } from '../main.ts';

export function renderDebrief(root: HTMLElement, route: Route): void {
  const creds = loadCredentials(route.sessionId);
  const credential = route.params.get('code') ?? creds.token ?? creds.code ?? '';
  const frame = h('iframe', {
    class: 'report',
    title: 'After-action report',
    src: `/api/sessions/${encodeURIComponent(route.sessionId)}/report?format=html&code=${encodeURIComponent(credential)}`,
  });
  root.append(
    h('nav', { class: 'debrief-nav' }, h('a', { href: '#/', text: 'Lobby' }), ' · ', h('a', { href: `#/replay/${route.sessionId}`, text: 'Replay' }), ' · ', leaderboardToggle(root, route.sessionId)),
    frame,
  );
}

/** One click from the debrief: this scenario's leaderboard, ranked per seed. */
function leaderboardToggle(root: HTMLElement, sessionId: string): HTMLElement {
  const button = h('button', { type: 'button', class: 'link-button', 'aria-expanded': 'false', text: 'Leaderboard' });
  const panel = h('section', { class: 'debrief-board', 'aria-label': 'Leaderboard', hidden: true });
  button.addEventListener('click', async () => {
    const open = panel.hidden;
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (!open || panel.childElementCount > 0) return;
    const summary = (await (await fetch(`/api/sessions/${encodeURIComponent(sessionId)}`)).json()) as { scenarioId: string; seed: number };
    const board = (await (await fetch(`/api/leaderboard/${encodeURIComponent(summary.scenarioId)}`)).json()) as {
      seeds: { seed: number; entries: { rank: number; team: string; score: number; sessionId: string }[] }[];
    };
    const group = board.seeds.find((g) => g.seed === summary.seed);
    panel.append(
      h('h2', { text: `Leaderboard: ${summary.scenarioId}, seed ${summary.seed}` }),
      group
        ? h(
            'table',
            {},
            h('tr', {}, h('th', { text: '#' }), h('th', { text: 'team' }), h('th', { text: 'score' })),
            ...group.entries.map((e) => h('tr', { class: e.sessionId === sessionId ? 'this-drill' : '' }, h('td', { text: e.rank }), h('td', { text: e.team }), h('td', { text: e.score }))),
          )
        : h('p', { text: 'No scored drills with this seed yet.' }),
    );
  });
  root.append(panel);
  return button;
}

