/** Replay: scrub through a past drill's log (first slice: the timeline up to the chosen moment). */
import { h } from '../dom.ts';
import type { Route } from '../main.ts';

export function renderReplay(root: HTMLElement, route: Route): () => void {
  root.append(h('p', { text: `Replay of ${route.sessionId} is not built yet.` }), h('a', { href: '#/', text: 'Lobby' }));
  return () => {};
}
