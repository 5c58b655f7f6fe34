/**
 * The server's own health on /metrics: how late drills' ticks run, open sockets and the messages they
 * carry, how long a drill input takes to commit, how many drills are live, and prom-client's default
 * process metrics (CPU, memory, event-loop delay, GC).
 */
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { HEALTH_METRIC } from '../../integrations/names.ts';
import { DRILL_PHASES } from '../../protocol/events.ts';
import type { LiveDrill } from '../drill.ts';
import { NO_LABELS } from './drill-series.ts';
import { registerPulled } from './pulled.ts';

/**
 * The default metrics observe the process (a GC observer, an event-loop delay timer), and one process
 * may run many servers (the tests start dozens): they are registered once, in a registry of their own
 * that every server's endpoint merges with its own.
 */
let processRegistry: Registry | null = null;

export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Lags are wall time: from on time to a tick period late (10 s at speed 1). */
const LAG_BOUNDS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** A commit goes to the WAL, without an fsync (store.ts): well under a millisecond unless the disk is busy. */
const COMMIT_BOUNDS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export interface HealthSources {
  /** Open WebSocket connections now. */
  sockets: () => number;
  /** The drills in memory, stopped ones included. */
  drills: () => Iterable<LiveDrill>;
}

export class ServerHealth {
  private readonly tickLag: Histogram<'sevdrill_session'>;
  /** Plain numbers, read at scrape time: they are counted on every socket frame, the hottest path there is. */
  private received = 0;
  private sent = 0;
  private readonly commits: Histogram;

  constructor(registry: Registry, sources: HealthSources) {
    const registers = [registry];
    this.tickLag = new Histogram({ name: HEALTH_METRIC.tickLag, help: 'How late each tick of a running drill ran, in wall seconds.', labelNames: ['sevdrill_session'], buckets: LAG_BOUNDS_S, registers });
    registerPulled('counter', registry, HEALTH_METRIC.messagesReceived, 'WebSocket messages received from clients.', () => [{ labels: NO_LABELS, sharedLabels: NO_LABELS, value: this.received }]);
    registerPulled('counter', registry, HEALTH_METRIC.messagesSent, 'WebSocket messages sent to clients.', () => [{ labels: NO_LABELS, sharedLabels: NO_LABELS, value: this.sent }]);
    this.commits = new Histogram({ name: HEALTH_METRIC.storeCommit, help: 'Wall seconds to commit one drill input to the store.', buckets: COMMIT_BOUNDS_S, registers });
    new Gauge({
      name: HEALTH_METRIC.sockets,
      help: 'Open WebSocket connections.',
      registers,
      collect() {
        this.set(sources.sockets());
      },
    });
    new Gauge({
      name: HEALTH_METRIC.liveDrills,
      help: 'Drills that have not stopped, by phase.',
      labelNames: ['phase'],
      registers,
      collect() {
        const counts = new Map<string, number>(DRILL_PHASES.filter((p) => p !== 'ended').map((p) => [p, 0]));
        for (const drill of sources.drills()) if (drill.status === 'live' && counts.has(drill.phase)) counts.set(drill.phase, (counts.get(drill.phase) ?? 0) + 1);
        for (const [phase, n] of counts) this.set({ phase }, n);
      },
    });
  }

  /** Times the drill's ticks from now on, beside whatever else already listens to them. */
  follow(drill: LiveDrill): void {
    const labels = { sevdrill_session: drill.id };
    const previous = drill.onTick;
    drill.onTick = (timing) => {
      previous?.(timing);
      this.tickLag.observe(labels, Math.max(0, timing.lagMs) / 1000);
    };
  }

  /** A stopped drill's lag series goes, like its simulated series. */
  forget(drill: LiveDrill): void {
    this.tickLag.remove({ sevdrill_session: drill.id });
  }

  readonly traffic = {
    received: (): void => {
      this.received++;
    },
    sent: (): void => {
      this.sent++;
    },
  };

  storeCommit(seconds: number): void {
    this.commits.observe(seconds);
  }
}
