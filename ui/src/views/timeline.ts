/** The timeline: every event, action and inject in order, newest first, with filters. */
import { select } from 'd3';
import type { EngineEvent } from '../../../engine/protocol.ts';
import { clock, h } from '../dom.ts';
import type { ViewModel } from '../model.ts';
import type { View } from './types.ts';

const KINDS: Record<string, 'system' | 'human' | 'advice'> = {
  'advice.shown': 'advice',
  command: 'human',
  'status.posted': 'human',
  'incident.role': 'human',
  'approval.requested': 'human',
  'approval.granted': 'human',
  'approval.denied': 'human',
  'approval.bypassed': 'human',
  'action.started': 'human',
  'action.completed': 'human',
  'action.reverted': 'human',
  diagnosis: 'human',
};
const HIDDEN_BY_DEFAULT = new Set(['impact.minute', 'checkpoint']);
const SHOWN = 200;

export const kindOf = (e: EngineEvent) => KINDS[e.type] ?? 'system';

export function describe(e: EngineEvent): string {
  const f = e as Record<string, unknown>;
  switch (e.type) {
    case 'command':
      return `${f.actor}: ${f.command}${f.target ? ` ${f.target}` : ''}${f.params ? ` ${JSON.stringify(f.params)}` : ''}${f.ok ? '' : ` — rejected (${f.code})`}`;
    case 'service.state':
      return `${f.service}: ${f.from} → ${f.to}`;
    case 'journey.slo':
      return `journey ${f.journey} ${f.ok ? 'back within' : 'out of'} SLO`;
    case 'alert.firing':
      return `ALERT ${f.severity}: ${f.name}`;
    case 'alert.resolved':
      return `resolved: ${f.alert}`;
    case 'incident.state':
      return `incident ${f.from} → ${f.to}${f.severity ? ` (Sev ${f.severity})` : ''}`;
    case 'advice.shown':
      return `${f.source}: ${f.title ?? f.text}`;
    case 'change.deployed':
      return `change on ${f.service}: ${f.summary} (${f.author})`;
    case 'status.posted':
      return `status by ${f.by}: ${f.message}`;
    case 'fault.started':
      return `fault ${f.fault} started on ${f.target}`;
    case 'fault.ended':
      return `fault ${f.fault} ended (${f.reason})`;
    default: {
      const rest = Object.entries(f).filter(([k]) => !['seq', 't', 'type'].includes(k));
      return `${e.type} ${rest.map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ')}`.slice(0, 200);
    }
  }
}

export function createTimelineView(root: HTMLElement): View {
  const filters = { system: true, human: true, advice: true };
  const boxes = (Object.keys(filters) as (keyof typeof filters)[]).map((k) => {
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
  return {
    update(m: ViewModel) {
      if (m.lastSeq === last) return;
      last = m.lastSeq;
      const shown: EngineEvent[] = [];
      for (let i = m.timeline.length - 1; i >= 0 && shown.length < SHOWN; i--) {
        const e = m.timeline[i] as EngineEvent;
        if (!HIDDEN_BY_DEFAULT.has(e.type) && filters[kindOf(e)]) shown.push(e);
      }
      select(list)
        .selectAll<HTMLLIElement, EngineEvent>('li')
        .data(shown, (e) => String(e.seq))
        .join('li')
        .attr('class', (e) => `ev ${kindOf(e)} ${e.type.replace('.', '-')}`)
        .attr('data-seq', (e) => e.seq)
        .text((e) => `${clock(e.t)}  ${describe(e)}`);
    },
  };
}
