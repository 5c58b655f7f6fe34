/**
 * A tab group: several panes share one cell of the console grid, so new panes fit without pushing
 * anything below the fold. Each pane keeps its own region (and name); only the chosen one is shown.
 * A tab can carry a badge (what waits for you there, or what is new since you last looked), so a
 * proposed change or a new answer is noticed from another tab. Arrow keys move between tabs.
 */
import { h } from '../dom.ts';
import type { ViewModel } from '../model.ts';
import type { View } from './types.ts';

export interface TabDef {
  id: string;
  label: string;
  region: HTMLElement;
  /**
   * Counts for the badge; the first above zero shows. `waiting`: shown while above zero (things
   * waiting for you); `new`: what arrived since the tab was last shown.
   */
  badges?: readonly Badge[];
}

interface Badge {
  kind: 'waiting' | 'new';
  count(m: ViewModel): number;
  text: string;
}

export interface TabGroup extends View {
  element: HTMLElement;
  show(id: string): void;
}

/** `onShow`: told which tab is shown (the console lets the changes take more room). */
export function createTabGroup(className: string, label: string, tabs: readonly TabDef[], initial: string, onShow: (id: string) => void = () => {}): TabGroup {
  const list = h('div', { class: 'tabs', role: 'tablist', 'aria-label': label });
  const buttons = tabs.map((t) => {
    const id = t.region.id || `pane-${t.id}`;
    t.region.id = id;
    t.region.classList.add('tab-pane');
    const b = h('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': id, text: t.label });
    b.addEventListener('click', () => show(t.id));
    b.addEventListener('keydown', (e) => {
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (step === 0) return;
      e.preventDefault();
      const next = tabs[(tabs.indexOf(t) + step + tabs.length) % tabs.length];
      if (next) {
        show(next.id);
        document.getElementById(`tab-${next.id}`)?.focus();
      }
    });
    list.append(b);
    return b;
  });
  const element = h('div', { class: `tab-group ${className}` }, list, ...tabs.map((t) => t.region));
  /** Counts already seen, for `new` badges. */
  const seen = new Map<Badge, number>();
  let current = '';
  let last: ViewModel | null = null;

  function show(id: string): void {
    current = tabs.some((t) => t.id === id) ? id : (tabs[0]?.id ?? '');
    tabs.forEach((t, i) => {
      const on = t.id === current;
      t.region.hidden = !on;
      buttons[i]?.setAttribute('aria-selected', String(on));
    });
    onShow(current);
    if (last) update(last);
  }

  function update(m: ViewModel): void {
    last = m;
    tabs.forEach((t, i) => {
      const b = buttons[i];
      if (!b || !t.badges) return;
      let text = t.label;
      for (const badge of t.badges) {
        const count = badge.count(m);
        // What is there when a tab is shown (or first drawn) has been seen.
        if (t.id === current || !seen.has(badge)) seen.set(badge, count);
        const shown = badge.kind === 'new' ? count - (seen.get(badge) ?? count) : count;
        if (shown > 0 && t.id !== current && text === t.label) text = `${t.label} · ${shown} ${badge.text}`;
      }
      if (b.textContent !== text) b.textContent = text;
      b.classList.toggle('has-badge', text !== t.label);
    });
  }

  show(initial);
  return { element, show, update };
}
