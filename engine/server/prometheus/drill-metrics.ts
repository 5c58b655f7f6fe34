/**
 * Every simulated series /metrics exposes, by the names engine/integrations/names.ts fixes, each read
 * from the running drills' DrillSeries at scrape time. A scrape costs one pass over the current series:
 * nothing here grows with a drill's history.
 */
import type { Registry } from 'prom-client';
import { METRIC } from '../../integrations/names.ts';
import { INCIDENT_STATES, SERVICE_STATES } from '../../protocol/events.ts';
import { BUCKET_LABELS, INCIDENT_STATE_LABELS, NO_LABELS, QUANTILE_LABELS, SERVICE_STATE_LABELS, type DrillSeries, type Labels } from './drill-series.ts';
import { LATENCY_BOUNDS_S } from './latency-buckets.ts';
import { PulledHistogram, registerPulled, type PulledValue, type Read } from './pulled.ts';

type Drills = () => Iterable<DrillSeries>;

/** A reader that lets `add` append each drill's values. */
const perDrill =
  (drills: Drills, add: (drill: DrillSeries, out: PulledValue[]) => void): Read =>
  () => {
    const out: PulledValue[] = [];
    for (const drill of drills()) add(drill, out);
    return out;
  };

const BUCKET = `${METRIC.serviceDuration}_bucket`;
const SUM = `${METRIC.serviceDuration}_sum`;
const COUNT = `${METRIC.serviceDuration}_count`;

export function registerDrillMetrics(registry: Registry, drills: Drills): void {
  const counter = (name: string, help: string, add: (drill: DrillSeries, out: PulledValue[]) => void) => registerPulled('counter', registry, name, help, perDrill(drills, add));
  const gauge = (name: string, help: string, add: (drill: DrillSeries, out: PulledValue[]) => void) => registerPulled('gauge', registry, name, help, perDrill(drills, add));
  // The engine's p50 and p99 of one tick are quantiles over a one-tick window: a summary's quantiles
  // (Prometheus reserves the `quantile` label for summaries). They come without _sum and _count: the
  // request counters and the histogram carry those.
  const summary = (name: string, help: string, add: (drill: DrillSeries, out: PulledValue[]) => void) => registerPulled('summary', registry, name, help, perDrill(drills, add));

  // ── services ──
  counter(METRIC.serviceRequests, 'Simulated requests served by the service (drill data), counted in simulated time.', (d, out) => {
    for (const s of d.services.values()) out.push({ labels: NO_LABELS, sharedLabels: s.labels, value: s.requests });
  });
  counter(METRIC.serviceErrors, 'Simulated requests the service failed (drill data), counted in simulated time.', (d, out) => {
    for (const s of d.services.values()) out.push({ labels: NO_LABELS, sharedLabels: s.labels, value: s.errors });
  });
  gauge(METRIC.serviceRequestRate, "The last tick's simulated requests per second (drill data).", (d, out) => {
    for (const s of d.services.values()) if (s.last) out.push({ labels: NO_LABELS, sharedLabels: s.labels, value: s.last.rps });
  });
  gauge(METRIC.serviceErrorRatio, "The last tick's share of failed requests, 0 to 1 (drill data).", (d, out) => {
    for (const s of d.services.values()) if (s.last) out.push({ labels: NO_LABELS, sharedLabels: s.labels, value: s.last.errorRate });
  });
  summary(METRIC.serviceLatency, "The last tick's p50 and p99 latency in seconds, by quantile (drill data).", (d, out) => {
    for (const s of d.services.values()) {
      if (!s.last) continue;
      out.push({ labels: QUANTILE_LABELS.p50, sharedLabels: s.labels, value: s.last.p50Ms / 1000 }, { labels: QUANTILE_LABELS.p99, sharedLabels: s.labels, value: s.last.p99Ms / 1000 });
    }
  });
  new PulledHistogram(
    registry,
    METRIC.serviceDuration,
    "Simulated request durations in seconds (drill data): each tick's requests spread by a log-normal fitted to its p50 and p99.",
    LATENCY_BOUNDS_S,
    perDrill(drills, (d, out) => {
      for (const s of d.services.values()) {
        const { cumulative, count, sumSeconds } = s.latency;
        for (let i = 0; i < cumulative.length; i++) out.push({ metricName: BUCKET, labels: BUCKET_LABELS[i] as Labels, sharedLabels: s.labels, value: cumulative[i] as number });
        out.push(
          { metricName: BUCKET, labels: BUCKET_LABELS[cumulative.length] as Labels, sharedLabels: s.labels, value: count },
          { metricName: SUM, labels: NO_LABELS, sharedLabels: s.labels, value: sumSeconds },
          { metricName: COUNT, labels: NO_LABELS, sharedLabels: s.labels, value: count },
        );
      }
    }),
  );
  gauge(METRIC.serviceSaturation, "The last tick's offered load over what the workers can complete; above 1 the backlog grows (drill data).", (d, out) => {
    for (const s of d.services.values()) if (s.last) out.push({ labels: NO_LABELS, sharedLabels: s.labels, value: s.last.saturation });
  });
  gauge(METRIC.serviceBacklog, 'Requests waiting for a worker at the end of the last tick (drill data).', (d, out) => {
    for (const s of d.services.values()) if (s.last) out.push({ labels: NO_LABELS, sharedLabels: s.labels, value: s.last.backlog });
  });
  gauge(METRIC.serviceState, `1 for the service's state at the last tick, 0 for the others (${SERVICE_STATES.join(', ')}) (drill data).`, (d, out) => {
    for (const s of d.services.values()) {
      if (!s.last) continue;
      const state = s.last.state;
      SERVICE_STATES.forEach((name, i) => out.push({ labels: SERVICE_STATE_LABELS[i] as Labels, sharedLabels: s.labels, value: name === state ? 1 : 0 }));
    }
  });

  // ── journeys ──
  counter(METRIC.journeyRequests, 'Simulated customer requests of the journey (drill data), counted in simulated time.', (d, out) => {
    for (const j of d.journeys.values()) out.push({ labels: NO_LABELS, sharedLabels: j.labels, value: j.requests });
  });
  counter(METRIC.journeyErrors, 'Simulated customer requests of the journey that failed (drill data), counted in simulated time.', (d, out) => {
    for (const j of d.journeys.values()) out.push({ labels: NO_LABELS, sharedLabels: j.labels, value: j.errors });
  });
  gauge(METRIC.journeyRequestRate, "The last tick's simulated journey requests per second (drill data).", (d, out) => {
    for (const j of d.journeys.values()) if (j.last) out.push({ labels: NO_LABELS, sharedLabels: j.labels, value: j.last.rps });
  });
  gauge(METRIC.journeyErrorRatio, "The last tick's share of failed journey requests, 0 to 1 (drill data).", (d, out) => {
    for (const j of d.journeys.values()) if (j.last) out.push({ labels: NO_LABELS, sharedLabels: j.labels, value: j.last.errorRate });
  });
  summary(METRIC.journeyLatency, "The last tick's p99 journey latency in seconds (quantile 0.99) (drill data).", (d, out) => {
    for (const j of d.journeys.values()) if (j.last) out.push({ labels: QUANTILE_LABELS.p99, sharedLabels: j.labels, value: j.last.p99Ms / 1000 });
  });
  gauge(METRIC.journeySloOk, '1 while the journey meets its SLO at the last tick, 0 when not (drill data).', (d, out) => {
    for (const j of d.journeys.values()) if (j.last) out.push({ labels: NO_LABELS, sharedLabels: j.labels, value: j.last.inSlo ? 1 : 0 });
  });
  gauge(METRIC.journeySloTarget, "The journey's SLO target, 0 to 1; its error budget is 1 minus this (drill data).", (d, out) => {
    for (const j of d.journeys.values()) out.push({ labels: NO_LABELS, sharedLabels: j.labels, value: j.sloTarget });
  });

  // ── topics ──
  counter(METRIC.topicPublished, 'Simulated messages published to the topic (drill data), counted in simulated time.', (d, out) => {
    for (const t of d.topics.values()) out.push({ labels: NO_LABELS, sharedLabels: t.labels, value: t.published });
  });
  counter(METRIC.topicConsumed, 'Simulated messages consumed from the topic (drill data), counted in simulated time.', (d, out) => {
    for (const t of d.topics.values()) out.push({ labels: NO_LABELS, sharedLabels: t.labels, value: t.consumed });
  });
  gauge(METRIC.topicLag, 'Messages published and not yet consumed at the last tick (drill data).', (d, out) => {
    for (const t of d.topics.values()) if (t.last) out.push({ labels: NO_LABELS, sharedLabels: t.labels, value: t.last.lag });
  });
  gauge(METRIC.topicLagSeconds, 'Age in simulated seconds of the oldest unconsumed message at the last tick (drill data).', (d, out) => {
    for (const t of d.topics.values()) if (t.last) out.push({ labels: NO_LABELS, sharedLabels: t.labels, value: t.last.lagSeconds });
  });

  // ── the drill ──
  gauge(METRIC.alertFiring, '1 while the scenario alert fires in the drill, 0 when not (drill data).', (d, out) => {
    for (const a of d.alerts.values()) out.push({ labels: NO_LABELS, sharedLabels: a.labels, value: a.firing ? 1 : 0 });
  });
  gauge(METRIC.incidentState, `1 for the drill incident's state, 0 for the others (${INCIDENT_STATES.join(', ')}) (drill data).`, (d, out) => {
    INCIDENT_STATES.forEach((name, i) => out.push({ labels: INCIDENT_STATE_LABELS[i] as Labels, sharedLabels: d.labels, value: name === d.incidentState ? 1 : 0 }));
  });
  gauge(METRIC.incidentSeverity, "The drill incident's declared severity (1 is the worst); 0 before one is declared (drill data).", (d, out) => {
    out.push({ labels: NO_LABELS, sharedLabels: d.labels, value: d.severity });
  });
  gauge(METRIC.simTime, 'Simulated seconds since the drill started (drill data).', (d, out) => {
    out.push({ labels: NO_LABELS, sharedLabels: d.labels, value: d.drill.now / 1000 });
  });
  gauge(METRIC.speed, 'Simulated seconds per wall second; at 1, simulated time is wall time (drill data).', (d, out) => {
    out.push({ labels: NO_LABELS, sharedLabels: d.labels, value: d.drill.speed });
  });
}
