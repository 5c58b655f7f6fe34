/** Service graph — placeholder list until the D3 layered graph lands. */
import { h } from '../dom.ts';
import type { SeriesStore, ViewModel } from '../model.ts';
import type { View, ViewContext } from './types.ts';

export function createGraphView(root: HTMLElement, ctx: ViewContext): View {
  const list = h('ul', { class: 'graph-list' });
  root.append(list);
  return {
    update(model: ViewModel, _series: SeriesStore) {
      list.replaceChildren(
        ...Object.values(model.services).map((s) => {
          const b = h('button', { type: 'button', class: `svc ${s.state}`, 'aria-label': `${s.name}: ${s.state}`, text: `${s.name} — ${s.state}` });
          b.addEventListener('click', () => ctx.select(s.id));
          return h('li', {}, b);
        }),
      );
    },
  };
}
