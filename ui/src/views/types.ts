/** What every console view gets, and what it must provide. */
import type { DrillLink } from '../connection.ts';
import type { SeriesStore, ViewModel } from '../model.ts';

export interface ViewContext {
  /** Null in replay: nothing can be sent. */
  link: DrillLink | null;
  select(serviceId: string): void;
  selected(): string | null;
  /** Shows a short message (errors, confirmations) in the console's status line. */
  notify(text: string, kind?: 'ok' | 'error'): void;
}

export interface View {
  update(model: ViewModel, series: SeriesStore): void;
}
