/**
 * What the drill asks of this person right now, under the console's header: before the start, a
 * "waiting for the facilitator" notice (the facilitator: "start when everyone is here"); while
 * paused, that time has stopped; once ended, the way to the debrief. And the briefing, open before
 * the start and folded away once the drill runs (a click opens it again).
 */
import { h } from '../dom.ts';
import type { ViewModel } from '../model.ts';
import type { View } from './types.ts';

export function createGuidance(sessionId: string): View & { element: HTMLElement } {
  const notice = h('p', { class: 'phase-notice' });
  const debrief = h('a', { class: 'debrief-link', href: `#/debrief/${sessionId}`, text: 'Open the debrief' });
  const text = h('p', { class: 'briefing-text' });
  const briefing = h('details', { class: 'briefing' }, h('summary', { text: 'Briefing' }), text);
  const element = h('div', { class: 'guidance' }, notice, briefing);
  let phase = '';
  return {
    element,
    update(m: ViewModel) {
      if (text.textContent !== m.scenario.briefing) text.textContent = m.scenario.briefing;
      if (m.phase === phase) return;
      // Open for reading before the start; folded away when the drill starts, once.
      if (m.phase === 'ready') briefing.open = true;
      if (m.phase === 'running' && (phase === 'ready' || phase === '')) briefing.open = false;
      phase = m.phase;
      element.dataset.phase = m.phase;
      notice.replaceChildren(...noticeFor(m, debrief));
      notice.hidden = notice.childNodes.length === 0;
    },
  };
}

function noticeFor(m: ViewModel, debrief: HTMLElement): (Node | string)[] {
  const facilitator = m.role === 'facilitator';
  switch (m.phase) {
    case 'ready':
      return [facilitator ? 'Ready. Read the briefing with the team, then Start when everyone has joined.' : 'Waiting for the facilitator to start the drill. Read the briefing meanwhile.'];
    case 'paused':
      return [h('strong', { text: 'Paused' }), facilitator ? ': simulated time has stopped. Resume when the team is ready.' : ' by the facilitator: simulated time has stopped.'];
    case 'ended':
      return [h('strong', { text: 'The drill has ended.' }), ' ', debrief];
    default:
      return [];
  }
}
