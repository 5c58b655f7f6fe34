/** The console's panes — one place that builds them for both the live console and the replay. */
import { h } from '../dom.ts';
import { createChartsView } from '../views/charts.ts';
import { createGraphView } from '../views/graph.ts';
import { createActionsView, createAdviceView, createDetailsView, createIncidentView, createPagerView } from '../views/panels.ts';
import { createTimelineView } from '../views/timeline.ts';
import type { View, ViewContext } from '../views/types.ts';

export type Pane = 'graph' | 'charts' | 'pager' | 'incident' | 'advice' | 'actions' | 'details' | 'timeline';

const PANES: Record<Pane, { className: string; label: string; create: (root: HTMLElement, ctx: ViewContext) => View }> = {
  graph: { className: 'graph', label: 'Service graph', create: createGraphView },
  charts: { className: 'charts', label: 'Telemetry', create: createChartsView },
  pager: { className: 'pager', label: 'Pager', create: createPagerView },
  incident: { className: 'incident', label: 'Incident', create: createIncidentView },
  advice: { className: 'advice-panel', label: 'Advice', create: createAdviceView },
  actions: { className: 'actions-panel', label: 'Actions', create: createActionsView },
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

/** The shared ViewContext: selection triggers a redraw; notices go to the status line. */
export function viewContext(link: ViewContext['link'], status: HTMLElement, onSelect: (id: string) => void, selected: () => string | null): ViewContext {
  return {
    link,
    select: onSelect,
    selected,
    notify(text, kind = 'ok') {
      status.textContent = text;
      status.className = `status-line ${kind}`;
    },
  };
}
