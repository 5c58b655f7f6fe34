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
    h('nav', { class: 'debrief-nav' }, h('a', { href: '#/', text: 'Lobby' }), ' · ', h('a', { href: `#/replay/${route.sessionId}`, text: 'Replay' })),
    frame,
  );
}
