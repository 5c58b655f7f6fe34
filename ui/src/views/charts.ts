/** Telemetry charts — placeholder numbers until the D3 charts land. */
import { h, percent } from '../dom.ts';
import type { SeriesStore, ViewModel } from '../model.ts';
import type { View, ViewContext } from './types.ts';

export function createChartsView(root: HTMLElement, ctx: ViewContext): View {
  const box = h('div', { class: 'charts-text' });
  root.append(box);
  return {
    update(model: ViewModel, _series: SeriesStore) {
      const id = ctx.selected();
      box.replaceChildren(
        ...Object.values(model.journeys).map((j) => h('p', { text: `${j.name}: ${percent(j.metrics.errorRate)} errors, p99 ${Math.round(j.metrics.p99Ms)} ms` })),
        ...(id && model.services[id] ? [h('p', { text: `${id}: ${percent(model.services[id].metrics.errorRate)} errors` })] : []),
      );
    },
  };
}
