/** The console's panes — one place that builds them for both the live console and the replay. */
import { h } from '../dom.ts';
import { createChartsView } from '../views/charts.ts';
import { createGraphView } from '../views/graph.ts';
import { isMine } from '../change-window.ts';
import { requestedByMe, type ViewModel } from '../model.ts';
import { createAssistantView } from '../views/assistant.ts';
import { createChangesView } from '../views/changes.ts';
import { createActionsView, createAdviceView, createDetailsView, createIncidentView, createPagerView } from '../views/panels.ts';
import { createTabGroup, type TabDef, type TabGroup } from '../views/tabs.ts';
import { createTimelineView } from '../views/timeline.ts';
import type { View, ViewContext } from '../views/types.ts';

export type Pane = 'graph' | 'charts' | 'pager' | 'incident' | 'advice' | 'assistant' | 'actions' | 'changes' | 'details' | 'timeline';

const PANES: Record<Pane, { className: string; label: string; create: (root: HTMLElement, ctx: ViewContext) => View }> = {
  graph: { className: 'graph', label: 'Service graph', create: createGraphView },
  charts: { className: 'charts', label: 'Telemetry', create: createChartsView },
  pager: { className: 'pager', label: 'Pager', create: createPagerView },
  incident: { className: 'incident', label: 'Incident', create: createIncidentView },
  advice: { className: 'advice-panel', label: 'Advice', create: createAdviceView },
  assistant: { className: 'assistant-panel', label: 'Ask the assistant', create: createAssistantView },
  actions: { className: 'actions-panel', label: 'Actions', create: createActionsView },
  changes: { className: 'changes-panel', label: 'Changes', create: createChangesView },
  details: { className: 'details', label: 'Service details', create: createDetailsView },
  timeline: { className: 'timeline-panel', label: 'Timeline', create: (root) => createTimelineView(root) },
};

export function buildPanes<P extends Pane>(which: readonly P[], ctx: ViewContext): { regions: Record<P, HTMLElement>; views: View[] } {
  const regions = {} as Record<P, HTMLElement>;
  const views: View[] = [];
  for (const pane of which) {
    const def = PANES[pane];
    const region = h('section', { class: `panel ${def.className}`, 'aria-label': def.label });
    regions[pane] = region;
    views.push(def.create(region, ctx));
  }
  return { regions, views };
}

/** How long (wall ms) the status line keeps an outcome. */
const STATUS_LINE_MS = 10_000;

/** The shared ViewContext: selection triggers a redraw; notices go to the status line. */
export function viewContext(link: ViewContext['link'], status: HTMLElement, onSelect: (id: string) => void, selected: () => string | null): ViewContext {
  let clearing: ReturnType<typeof setTimeout> | undefined;
  return {
    link,
    select: onSelect,
    selected,
    notify(text, kind = 'ok') {
      status.textContent = text;
      status.className = `status-line ${kind}`;
      // The line says what just happened, not what happened a while ago ("Start: done" all drill long).
      clearTimeout(clearing);
      clearing = setTimeout(() => {
        if (status.textContent === text) status.textContent = '';
      }, STATUS_LINE_MS);
    },
  };
}

/** What each tabbed pane's tab counts: what is new there, or what waits for you. */
const TABS: Partial<Record<Pane, Pick<TabDef, 'badges'>>> = {
  advice: { badges: [{ kind: 'new', text: 'new', count: (m) => m.advice.length }] },
  assistant: { badges: [{ kind: 'new', text: 'new', count: (m) => m.answers.length }] },
  actions: { badges: [{ kind: 'waiting', text: 'to approve', count: (m) => (m.role === 'responder' ? Object.values(m.approvals).filter((p) => !requestedByMe(p, m)).length : 0) }] },
  changes: {
    badges: [
      { kind: 'waiting', text: 'to review', count: (m) => (m.role === 'responder' ? m.changes.filter((c) => c.status === 'pending' && !isMine(c, m)).length : 0) },
      // A deploy nobody proposed here (a config push) is news: runbooks start from the change log.
      { kind: 'new', text: 'new', count: (m) => m.changes.length },
    ],
  },
};

/**
 * Panes that share one cell of the grid as tabs (`className` places the cell), so the assistant and
 * the changes fit the one-screen console beside the advice and the actions.
 */
export function tabbed<P extends Pane>(regions: Record<P, HTMLElement>, className: string, label: string, panes: readonly P[], initial: P, onShow?: (pane: P) => void): TabGroup {
  const tabs = panes.map((pane) => ({ id: pane, region: regions[pane], label: PANES[pane].label, ...TABS[pane] }));
  return createTabGroup(className, label, tabs, initial, onShow as ((id: string) => void) | undefined);
}

/** A drill with a change window opens on the assistant and the changes; any other on the advice and the actions. */
export const hasChangeWindow = (m: Pick<ViewModel, 'scenario'>): boolean => (m.scenario.task ?? null) !== null || m.scenario.changes.length > 0;
