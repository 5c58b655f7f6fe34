/**
 * prom-client metrics whose values are read from the drills' own state when Prometheus scrapes,
 * instead of being pushed into prom-client's per-label maps as they change.
 *
 * Why not prom-client's usual `collect()` hook: a histogram's buckets can only be fed one observation
 * at a time (`observe`), while a simulated tick brings thousands of requests at once, already spread
 * over the buckets (latency-buckets.ts); and resetting and refilling every counter at each scrape
 * would hash every label set again. So each class below overrides `get()`, the method prom-client's
 * Registry calls to read a metric (it formats what `get()` returns: the exposition text is still
 * prom-client's), and returns the values as they are now.
 */
import { Counter, Gauge, Histogram, Summary, type Registry } from 'prom-client';
import type { Labels } from './drill-series.ts';

export interface PulledValue {
  value: number;
  /** The labels of this line alone: a bucket's `le`, a quantile, a state; often none. */
  labels: Labels;
  /**
   * The labels of its series (the drill's, and its service, journey or topic), one object per series
   * kept from scrape to scrape. prom-client's registry formats such `sharedLabels` once and caches the
   * text by the object (its own histograms use them for the labels every bucket shares): with 50
   * drills' 20,000 lines a scrape, formatting them afresh each time was most of its cost.
   */
  sharedLabels: Labels;
  /** For a histogram: `<name>_bucket`, `_sum` or `_count`. */
  metricName?: string;
}

/** Gives the metric's values at this moment. */
export type Read = () => PulledValue[];

type Reading = Awaited<ReturnType<Counter['get']>>;

function reading(name: string, help: string, type: keyof typeof PULLED_KINDS | 'histogram', values: PulledValue[]): Reading {
  // prom-client's own metrics return exactly these fields (its typings also list `collect`, which the registry never reads here).
  return { name, help, type, values, aggregator: 'sum' } as unknown as Reading;
}

/** The prom-client classes a pulled metric may be; a summary here has quantiles without `_sum` and `_count`, which are optional in the text format. */
const PULLED_KINDS = { counter: Counter, gauge: Gauge, summary: Summary } as const;

/**
 * Registers a counter, gauge or summary whose values `read` gives at each scrape: prom-client's own
 * class (so the registry formats it as usual), with `get()` answered from the drills' state.
 */
export function registerPulled(kind: keyof typeof PULLED_KINDS, registry: Registry, metric: string, about: string, read: Read): void {
  const Base = PULLED_KINDS[kind] as unknown as new (config: { name: string; help: string; registers: Registry[] }) => { get(): Promise<Reading> };
  const pulled = new Base({ name: metric, help: about, registers: [registry] });
  pulled.get = async () => reading(metric, about, kind, read());
}

export class PulledHistogram extends Histogram {
  constructor(
    registry: Registry,
    private readonly metric: string,
    private readonly about: string,
    /** The upper bounds its values use (prom-client checks them; the values' `le` labels must match). */
    bounds: readonly number[],
    private readonly read: Read,
  ) {
    super({ name: metric, help: about, registers: [registry], buckets: [...bounds] });
  }

  override async get(): Promise<Reading> {
    return reading(this.metric, this.about, 'histogram', this.read());
  }

  /** prom-client's Registry reads histograms through this method when a metric has it, so it must say the same as get(). */
  async getForPromString(): Promise<Reading> {
    return this.get();
  }
}
