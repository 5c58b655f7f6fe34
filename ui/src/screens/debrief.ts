/**
 * The debrief: the after-action report the server renders from the log (the same as `sevdrill score`).
 * It is fetched with this browser's credential as a Bearer token (never in a URL, where proxies log
 * it) and shown in a sandboxed frame that may run nothing. The frame may open new tabs, and those
 * leave its sandbox: the report links to the scoring guide (/docs/scoring), which may not be framed.
 *
 * The page is a column: the nav, then the report taking all the height that is left, so the report
 * scrolls inside its frame and the page itself never does. The leaderboard opens beside the report.
 */
import { debriefCredential, loadCredentials, saveCredentials } from '../credentials.ts';
import { h } from '../dom.ts';
import { codePrompt } from '../views/code-prompt.ts';
import type { Route } from '../main.ts';

export function renderDebrief(root: HTMLElement, route: Route): void {
  const { sessionId } = route;
  const linkCode = route.params.get('code');
  if (linkCode) {
    saveCredentials(sessionId, { code: linkCode });
    history.replaceState(null, '', `#/debrief/${sessionId}`);
  }
  const frame = h('iframe', { class: 'report', title: 'After-action report', sandbox: 'allow-popups allow-popups-to-escape-sandbox' });
  const message = h('p', { class: 'debrief-message', role: 'status', text: 'Loading the report…' });
  const board = leaderboard(sessionId);
  root.append(
    h(
      'div',
      { class: 'debrief' },
      h('nav', { class: 'debrief-nav' }, h('a', { href: '#/', text: 'Lobby' }), ' · ', h('a', { href: `#/replay/${sessionId}`, text: 'Replay' }), ' · ', board.button),
      message,
      h('div', { class: 'debrief-body' }, frame, board.panel),
    ),
  );
  // Without a credential that opens it (a 401), ask for one, as the replay does: a participant's join
  // code, or the facilitator token. Never raw JSON.
  const { form: ask, input: codeInput } = codePrompt(sessionId, 'debrief-code', 'Open the debrief', (code) => void load(code));
  message.after(ask);

  async function load(credential: string | undefined): Promise<void> {
    message.className = 'debrief-message';
    message.textContent = 'Loading the report…';
    try {
      const res = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/report?format=html`, { headers: credential ? { authorization: `Bearer ${credential}` } : {} });
      if (res.ok) {
        frame.hidden = false;
        frame.srcdoc = await res.text();
        message.remove();
        ask.remove();
        return;
      }
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      frame.hidden = true;
      message.className = 'debrief-message error';
      message.textContent =
        res.status === 401
          ? 'This browser holds no credential for this drill. Enter the join code you were given (or the facilitator token) to open its debrief.'
          : `The report cannot be shown: ${body.message ?? res.statusText}.`;
      ask.hidden = res.status !== 401;
      if (!ask.hidden) codeInput.focus();
    } catch (error) {
      message.textContent = `The report could not be loaded: ${error instanceof Error ? error.message : String(error)}.`;
    }
  }
  void load(debriefCredential(loadCredentials(sessionId)));
}

/** One click from the debrief: this scenario's leaderboard, ranked per seed, in a panel beside the report. */
function leaderboard(sessionId: string): { button: HTMLElement; panel: HTMLElement } {
  const button = h('button', { type: 'button', class: 'link-button', 'aria-expanded': 'false', 'aria-controls': 'debrief-board', text: 'Leaderboard' });
  const panel = h('aside', { class: 'debrief-board', id: 'debrief-board', 'aria-label': 'Leaderboard', hidden: true });
  button.addEventListener('click', () => {
    const open = panel.hidden;
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    // Loaded once; after a failure, the next open tries again.
    if (open && !panel.querySelector('table, .board-empty')) void fill(panel, sessionId);
  });
  return { button, panel };
}

async function fill(panel: HTMLElement, sessionId: string): Promise<void> {
  panel.replaceChildren(h('p', { class: 'muted', text: 'Loading…' }));
  try {
    const summary = (await (await fetch(`/api/sessions/${encodeURIComponent(sessionId)}`)).json()) as { scenarioId: string; seed: number };
    const board = (await (await fetch(`/api/leaderboard/${encodeURIComponent(summary.scenarioId)}`)).json()) as {
      seeds: { seed: number; entries: { rank: number; team: string; score: number; sessionId: string }[] }[];
    };
    const group = board.seeds.find((g) => g.seed === summary.seed);
    panel.replaceChildren(
      h('h2', { text: `Leaderboard: ${summary.scenarioId}, seed ${summary.seed}` }),
      group
        ? h(
            'table',
            {},
            h('tr', {}, h('th', { text: '#' }), h('th', { text: 'team' }), h('th', { text: 'score' })),
            ...group.entries.map((e) => h('tr', { class: e.sessionId === sessionId ? 'this-drill' : '' }, h('td', { text: e.rank }), h('td', { text: e.team }), h('td', { text: e.score }))),
          )
        : h('p', { class: 'board-empty', text: 'No scored drills with this seed yet.' }),
    );
  } catch (error) {
    panel.replaceChildren(h('p', { class: 'debrief-message error', text: `The leaderboard could not be loaded: ${error instanceof Error ? error.message : String(error)}.` }));
  }
}
