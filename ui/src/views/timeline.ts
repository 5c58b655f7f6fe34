/**
 * The timeline: what happened, newest first, one plain sentence per fact (the shared `describe`; a
 * command and the result that says it again are one line: engine/protocol/restated.ts), with kind
 * filters and a text filter. A line is clipped to one row; clicking it (or Enter on it) shows it
 * whole: a status update's full text, a diagnosis's log lines, an answer's question and text.
 * The lines are one keyboard stop: arrow keys, Home and End move between them, Enter or Space shows
 * one whole. They stay list items, not buttons: 200 buttons named after what happened ("alice tried
 * to approve …") would crowd a screen reader's list of what can be pressed.
 */
import { select } from 'd3';
import type { EngineEvent } from '../../../engine/protocol/events.ts';
import { describe, namesOf, type DescribeNames } from '../../../engine/protocol/describe.ts';
import { formatClock } from '../../../engine/protocol/format.ts';
import { kindOf } from '../../../engine/protocol/kinds.ts';
import { oneLinePerFact } from '../../../engine/protocol/restated.ts';
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

/** The whole of a line: its sentence, and what the sentence clips or leaves out. */
function fullText(e: EngineEvent, sentence: string): string {
  switch (e.type) {
    case 'status.posted':
      return `${e.by} posted a status update${e.severity !== null ? ` (Sev ${e.severity})` : ''}:\n${e.message}`;
    case 'command':
      return e.command === 'status-update' && typeof e.params?.message === 'string' ? `${sentence}\nThe update: ${e.params.message}` : sentence;
    case 'diagnosis':
      return e.lines.length > 0 ? `${sentence}\n${e.lines.join('\n')}` : sentence;
    case 'assistant.answered':
      return `${sentence}\n${e.by} asked: “${e.question}”\nThe answer: ${e.text}`;
    case 'advice.shown':
      return `${sentence}\n${e.text}`;
    case 'change.proposed':
      return `${sentence}\n${e.summary}${e.note !== undefined ? `\nNote: “${e.note}”` : ''}`;
    case 'change.deployed':
      return `${sentence}\n${e.summary}`;
    default:
      return sentence;
  }
}

export function createTimelineView(root: HTMLElement): View {
  const filters: Record<Filter, boolean> = { system: true, human: true, advice: true };
  const boxes = (['system', 'human', 'advice'] as const).map((k) => {
    const input = h('input', { type: 'checkbox', id: `filter-${k}`, checked: true });
    input.addEventListener('change', () => {
      filters[k] = input.checked;
      draw();
    });
    return h('label', { for: `filter-${k}` }, input, ` ${k}`);
  });
  const search = h('input', { type: 'search', id: 'timeline-filter', class: 'timeline-filter', 'aria-label': 'Show only lines containing', placeholder: 'filter…', maxlength: 100 });
  search.addEventListener('input', () => draw());
  const list = h('ol', { class: 'timeline', 'aria-label': 'Timeline' });
  root.append(h('div', { class: 'timeline-head' }, h('h2', { text: 'Timeline' }), ...boxes, search), list);

  let model: ViewModel | null = null;
  let last = -2;
  let names: { scenario: ScenarioView; names: DescribeNames } | null = null;
  /** Each event's sentence, made once: the text filter reads every one. */
  const sentences = new WeakMap<EngineEvent, string>();
  /** Lines shown whole, by seq. */
  const expanded = new Set<number>();
  /** The line the keyboard is on: the one line in the tab order. */
  let active: number | null = null;

  const sentenceOf = (e: EngineEvent): string => {
    let s = sentences.get(e);
    if (s === undefined) {
      s = describe(e, names?.names ?? {});
      sentences.set(e, s);
    }
    return s;
  };

  function toggle(line: HTMLLIElement): void {
    const seq = Number(line.dataset.seq);
    if (!Number.isInteger(seq)) return;
    if (expanded.has(seq)) expanded.delete(seq);
    else expanded.add(seq);
    active = seq;
    draw();
  }
  list.addEventListener('click', (event) => {
    const line = (event.target as Element).closest<HTMLLIElement>('li.ev');
    if (line) toggle(line);
  });
  list.addEventListener('keydown', (event) => {
    const lines = [...list.querySelectorAll<HTMLLIElement>('li.ev')];
    const at = lines.indexOf(event.target as HTMLLIElement);
    if (at < 0 || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      toggle(lines[at] as HTMLLIElement);
      return;
    }
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: lines.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = lines[Math.max(0, Math.min(lines.length - 1, to))];
    if (!next) return;
    active = Number(next.dataset.seq);
    for (const l of lines) l.tabIndex = l === next ? 0 : -1;
    next.focus();
    next.scrollIntoView({ block: 'nearest' });
  });

  function draw(): void {
    const m = model;
    if (!m) return;
    if (names?.scenario !== m.scenario) names = { scenario: m.scenario, names: namesOf(m.scenario) };
    const needle = search.value.trim().toLowerCase();
    // Newest first, a little past SHOWN: a command at the edge is dropped only beside its result.
    const picked: EngineEvent[] = [];
    for (let i = m.timeline.length - 1; i >= 0 && picked.length < SHOWN + 20; i--) {
      const e = m.timeline[i];
      if (!e || QUIET_EVENTS.has(e.type) || !filters[filterOf(e)]) continue;
      if (needle && !sentenceOf(e).toLowerCase().includes(needle)) continue;
      picked.push(e);
    }
    const shown = oneLinePerFact(picked.reverse()).slice(-SHOWN).reverse();
    if (active === null || !shown.some((e) => e.seq === active)) active = shown[0]?.seq ?? null;
    select(list)
      .selectAll<HTMLLIElement, EngineEvent>('li')
      .data(shown, (e) => String(e.seq))
      .join('li')
      // `ev-` keeps an event's type from meeting a panel's class (the Incident panel's `incident-state`).
      .attr('class', (e) => `ev ${filterOf(e)} ev-${e.type.replace('.', '-')}${expanded.has(e.seq) ? ' expanded' : ''}`)
      .attr('data-seq', (e) => e.seq)
      .each(function (e) {
        const text = `${formatClock(e.t)}  ${expanded.has(e.seq) ? fullText(e, sentenceOf(e)) : sentenceOf(e)}`;
        if (this.textContent !== text) this.textContent = text;
        this.tabIndex = e.seq === active ? 0 : -1;
      });
  }

  return {
    update(m: ViewModel) {
      if (m.lastSeq === last && m.scenario === model?.scenario) return;
      last = m.lastSeq;
      model = m;
      draw();
    },
  };
}
