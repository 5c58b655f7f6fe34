/**
 * The debrief: the after-action report the server renders from the log (the same as `sevdrill score`).
 * It is fetched with this browser's credential as a Bearer token (never in a URL, where proxies log
 * it) and shown in a sandboxed frame that may run nothing.
 */
import { debriefCredential, loadCredentials, saveCredentials } from '../credentials.ts';
import { h } from '../dom.ts';
import type { Route } from '../main.ts';

export function renderDebrief(root: HTMLElement, route: Route): void {
  const { sessionId } = route;
  const linkCode = route.params.get('code');
  if (linkCode) {
    saveCredentials(sessionId, { code: linkCode });
    history.replaceState(null, '', `#/debrief/${sessionId}`);
  }
  const frame = h('iframe', { class: 'report', title: 'After-action report', sandbox: '' });
  const message = h('p', { class: 'debrief-message', role: 'status', text: 'Loading the report…' });
  root.append(
    h('nav', { class: 'debrief-nav' }, h('a', { href: '#/', text: 'Lobby' }), ' · ', h('a', { href: `#/replay/${sessionId}`, text: 'Replay' }), ' · ', leaderboardToggle(root, sessionId)),
    message,
    frame,
  );
  const credential = debriefCredential(loadCredentials(sessionId));
  void fetch(`/api/sessions/${encodeURIComponent(sessionId)}/report?format=html`, { headers: credential ? { authorization: `Bearer ${credential}` } : {} })
    .then(async (res) => {
      if (res.ok) {
        frame.srcdoc = await res.text();
        message.remove();
        return;
      }
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      frame.remove();
      message.className = 'debrief-message error';
      message.textContent =
        res.status === 401
          ? 'This browser has no credential for this drill: open the debrief from the drill itself, or from the link you joined with.'
          : `The report cannot be shown: ${body.message ?? res.statusText}.`;
    })
    .catch((error: unknown) => {
      message.textContent = `The report could not be loaded: ${error instanceof Error ? error.message : String(error)}.`;
    });
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

