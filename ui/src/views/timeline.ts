/** The timeline: every event, action and inject in order, newest first, with filters. */
import { select } from 'd3';
import type { EngineEvent } from '../../../engine/protocol/events.ts';
import { describe, namesOf, type DescribeNames } from '../../../engine/protocol/describe.ts';
import { formatClock } from '../../../engine/protocol/format.ts';
import { kindOf } from '../../../engine/protocol/kinds.ts';
import { h } from '../dom.ts';
import type { ScenarioView, ViewModel } from '../model.ts';
import type { View } from './types.ts';

const SHOWN = 200;

/** Bookkeeping the timeline leaves out: it is received, but it is not story. */
export const QUIET_EVENTS: ReadonlySet<string> = new Set(['impact.minute', 'checkpoint']);

type Filter = 'system' | 'human' | 'advice';

/**
 * Which filter shows an event: its shared kind. Facilitator-only events (faults, injects) reach only
 * the facilitator's console, which shows them with the system's.
 */
const filterOf = (e: EngineEvent): Filter => {
  const kind = kindOf(e);
  return kind === 'hidden' ? 'system' : kind;
};

export function createTimelineView(root: HTMLElement): View {
  const filters: Record<Filter, boolean> = { system: true, human: true, advice: true };
  const boxes = (['system', 'human', 'advice'] as const).map((k) => {
    const input = h('input', { type: 'checkbox', id: `filter-${k}`, checked: true });
    input.addEventListener('change', () => {
      filters[k] = input.checked;
      last = -2;
    });
    return h('label', { for: `filter-${k}` }, input, ` ${k}`);
  });
  const list = h('ol', { class: 'timeline', 'aria-label': 'Timeline' });
  root.append(h('div', { class: 'timeline-head' }, h('h2', { text: 'Timeline' }), ...boxes), list);
  let last = -2;
  let names: { scenario: ScenarioView; names: DescribeNames } | null = null;
  return {
    update(m: ViewModel) {
      if (m.lastSeq === last) return;
      last = m.lastSeq;
      if (names?.scenario !== m.scenario) names = { scenario: m.scenario, names: namesOf(m.scenario) };
      const shown: EngineEvent[] = [];
      for (let i = m.timeline.length - 1; i >= 0 && shown.length < SHOWN; i--) {
        const e = m.timeline[i];
        if (e && !QUIET_EVENTS.has(e.type) && filters[filterOf(e)]) shown.push(e);
      }
      const words = names.names;
      select(list)
        .selectAll<HTMLLIElement, EngineEvent>('li')
        .data(shown, (e) => String(e.seq))
        .join('li')
        .attr('class', (e) => `ev ${filterOf(e)} ${e.type.replace('.', '-')}`)
        .attr('data-seq', (e) => e.seq)
        .text((e) => `${formatClock(e.t)}  ${describe(e, words)}`);
    },
  };
}
