/**
 * The /metrics exporter of one server: a prom-client Registry of its own (never the global one, so two
 * servers in one process never share series) holding every running drill's simulated series
 * (drill-metrics.ts) and the server's health (health.ts), merged with the process metrics.
 *
 * It follows each drill as a DrillListener: every tick's sample is added to the drill's DrillSeries,
 * and when the drill stops its series are dropped, so they vanish from the next scrape.
 */
import { Registry } from 'prom-client';
import type { EngineEvent } from '../../protocol/events.ts';
import type { MetricsSample } from '../../protocol/views.ts';
import type { DrillListener, LiveDrill } from '../drill.ts';
import { registerDrillMetrics } from './drill-metrics.ts';
import { DrillSeries } from './drill-series.ts';
import { ServerHealth, processMetrics, type HealthSources } from './health.ts';

export class MetricsExporter implements DrillListener {
  /** What a scrape reads: this server's metrics and the process's. */
  readonly registry: Registry;
  readonly health: ServerHealth;
  private readonly drills = new Map<string, DrillSeries>();

  constructor(sources: HealthSources) {
    const own = new Registry();
    registerDrillMetrics(own, () => this.running());
    this.health = new ServerHealth(own, sources);
    this.registry = Registry.merge([own, processMetrics()]);
  }

  /** Starts following a live drill (Registry.follow calls this for each one). */
  follow(drill: LiveDrill): void {
    if (this.drills.has(drill.id)) return;
    this.drills.set(drill.id, new DrillSeries(drill));
    this.health.follow(drill);
    drill.listeners.add(this);
  }

  batch(drill: LiveDrill, events: readonly EngineEvent[], sample?: MetricsSample): void {
    const series = this.drills.get(drill.id);
    if (!series) return;
    series.apply(events);
    // Each sample is one tick's telemetry (LiveDrill.tickUnsafe), which covered tickMs of simulated time.
    if (sample) series.record(sample, drill.tickMs / 1000);
  }

  stopped(drill: LiveDrill): void {
    this.drills.delete(drill.id);
    this.health.forget(drill);
  }

  /** The drills to expose now; a drill that stopped without telling its listeners is left out too. */
  private *running(): Iterable<DrillSeries> {
    for (const series of this.drills.values()) if (series.drill.status === 'live') yield series;
  }
}
