/**
 * The charts' telemetry of one live drill, kept in a bounded ring so that a client joining or
 * reloading late is sent the same points the others have drawn (a `history` message). Each column is
 * a fixed-size Float64Array written in place, one slot per tick: at CHART_HISTORY_SAMPLES ticks and
 * the retail store's 16 series that is well under a megabyte per drill, whatever the drill's length.
 */
import { CHART_HISTORY_SAMPLES } from '../protocol/messages.ts';
import type { MetricsHistory, MetricsSample } from '../protocol/views.ts';

type Column = Float64Array;
interface Series<K extends string> {
  id: string;
  columns: Record<K, Column>;
}

const SERVICE_KEYS = ['rps', 'errorRate', 'p99Ms', 'saturation'] as const;
const JOURNEY_KEYS = ['rps', 'errorRate', 'p99Ms'] as const;
const TOPIC_KEYS = ['rps', 'lagSeconds'] as const;

export class ChartHistory {
  private readonly t: Column;
  private services: Series<(typeof SERVICE_KEYS)[number]>[] = [];
  private journeys: Series<(typeof JOURNEY_KEYS)[number]>[] = [];
  private topics: Series<(typeof TOPIC_KEYS)[number]>[] = [];
  /** Ticks recorded so far (the ring holds the last `capacity` of them). */
  private count = 0;

  constructor(readonly capacity = CHART_HISTORY_SAMPLES) {
    this.t = new Float64Array(capacity);
  }

  get length(): number {
    return Math.min(this.count, this.capacity);
  }

  push(sample: MetricsSample): void {
    // The series are a scenario's, fixed from the first sample on.
    if (this.count === 0) {
      this.services = sample.services.map((s) => this.series(s.id, SERVICE_KEYS));
      this.journeys = sample.journeys.map((j) => this.series(j.id, JOURNEY_KEYS));
      this.topics = sample.topics.map((x) => this.series(x.id, TOPIC_KEYS));
    }
    const slot = this.count % this.capacity;
    this.t[slot] = sample.t;
    sample.services.forEach((m, i) => write(this.services[i], SERVICE_KEYS, m, slot));
    sample.journeys.forEach((m, i) => write(this.journeys[i], JOURNEY_KEYS, m, slot));
    sample.topics.forEach((m, i) => write(this.topics[i], TOPIC_KEYS, m, slot));
    this.count++;
  }

  /** Oldest tick first, as the wire carries it. */
  toMessage(): MetricsHistory {
    const n = this.length;
    const first = this.count > this.capacity ? this.count % this.capacity : 0;
    const unroll = (column: Column): number[] => Array.from({ length: n }, (_, i) => column[(first + i) % this.capacity] as number);
    const columns = <K extends string>(series: Series<K>[], keys: readonly K[]) =>
      series.map((s) => ({ id: s.id, ...(Object.fromEntries(keys.map((k) => [k, unroll(s.columns[k])])) as Record<K, number[]>) }));
    return {
      t: unroll(this.t),
      services: columns(this.services, SERVICE_KEYS),
      journeys: columns(this.journeys, JOURNEY_KEYS),
      topics: columns(this.topics, TOPIC_KEYS),
    };
  }

  private series<K extends string>(id: string, keys: readonly K[]): Series<K> {
    return { id, columns: Object.fromEntries(keys.map((k) => [k, new Float64Array(this.capacity)])) as Record<K, Column> };
  }
}

function write<K extends string>(series: Series<K> | undefined, keys: readonly K[], m: Record<K, number>, slot: number): void {
  if (!series) throw new Error('invariant: a sample with more series than the first one');
  for (const k of keys) series.columns[k][slot] = m[k];
}
