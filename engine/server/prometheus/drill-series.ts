/**
 * What /metrics knows about one running drill, kept up to date tick by tick so that a scrape only
 * reads it: per service, journey and topic the running totals (counters), the last tick's telemetry
 * (gauges) and the latency histogram; which alerts fire; the incident's state and severity.
 *
 * Counters advance by each tick's rate × the tick's simulated seconds: they count simulated requests.
 * At speed 1 a simulated second is a wall second, so `rate()` in Prometheus equals the simulated rps;
 * at speed s it shows s × that (docs/integrations.md).
 *
 * Before the first tick (a drill still `ready`) the counters and the histograms exist at 0, so the
 * first tick's requests count in `increase()`; the per-tick gauges appear with the first tick.
 */
import { DRILL_LABEL, alertName } from '../../integrations/names.ts';
import { INCIDENT_STATES, SERVICE_STATES, type EngineEvent } from '../../protocol/events.ts';
import { defaultTopic } from '../../protocol/ids.ts';
import type { MetricsSample } from '../../protocol/views.ts';
import type { LiveDrill } from '../drill.ts';
import { LATENCY_BOUNDS_S, LatencyHistogram } from './latency-buckets.ts';

export type Labels = Readonly<Record<string, string>>;
type ServiceSample = MetricsSample['services'][number];
type JourneySample = MetricsSample['journeys'][number];
type TopicSample = MetricsSample['topics'][number];

/**
 * The labels that tell a series' lines apart within one series group (a bucket, a quantile, a state),
 * shared by every drill. A series' own labels (the drill's, and its service, journey or topic) are
 * built once per drill; a scrape only pairs the two with the current values (drill-metrics.ts).
 */
export const BUCKET_LABELS: readonly Labels[] = [...LATENCY_BOUNDS_S.map(String), '+Inf'].map((le) => ({ le }));
export const QUANTILE_LABELS = { p50: { quantile: '0.5' }, p99: { quantile: '0.99' } } as const;
export const SERVICE_STATE_LABELS: readonly Labels[] = SERVICE_STATES.map((state) => ({ state }));
export const INCIDENT_STATE_LABELS: readonly Labels[] = INCIDENT_STATES.map((state) => ({ state }));
export const NO_LABELS: Labels = {};

export class ServiceSeries {
  requests = 0;
  errors = 0;
  readonly latency = new LatencyHistogram();
  last: ServiceSample | null = null;

  constructor(readonly labels: Labels) {}

  record(sample: ServiceSample, seconds: number): void {
    const requests = sample.rps * seconds;
    this.requests += requests;
    this.errors += requests * sample.errorRate;
    this.latency.add(requests, sample.p50Ms, sample.p99Ms);
    this.last = sample;
  }
}

export class JourneySeries {
  requests = 0;
  errors = 0;
  last: JourneySample | null = null;

  constructor(
    readonly labels: Labels,
    readonly sloTarget: number,
  ) {}

  record(sample: JourneySample, seconds: number): void {
    const requests = sample.rps * seconds;
    this.requests += requests;
    this.errors += requests * sample.errorRate;
    this.last = sample;
  }
}

export class TopicSeries {
  published = 0;
  consumed = 0;
  last: TopicSample | null = null;

  constructor(readonly labels: Labels) {}

  record(sample: TopicSample, seconds: number): void {
    this.published += sample.rps * seconds;
    this.consumed += sample.consumed * seconds;
    this.last = sample;
  }
}

export class AlertSeries {
  firing = false;
  constructor(readonly labels: Labels) {}
}

export class DrillSeries {
  /** drill, sevdrill_session, scenario: on every series of this drill. */
  readonly labels: Labels;
  readonly services = new Map<string, ServiceSeries>();
  readonly journeys = new Map<string, JourneySeries>();
  readonly topics = new Map<string, TopicSeries>();
  readonly alerts = new Map<string, AlertSeries>();
  incidentState: string;
  /** 0 until a severity is declared (1 is the worst). */
  severity: number;

  constructor(readonly drill: LiveDrill) {
    const scenario = drill.scenario;
    this.labels = { ...DRILL_LABEL, sevdrill_session: drill.id, scenario: scenario.id };
    for (const service of scenario.services) {
      this.services.set(service.id, new ServiceSeries({ ...this.labels, service: service.id }));
      for (const dep of service.dependencies) {
        if (dep.kind !== 'async') continue;
        const topic = dep.topic ?? defaultTopic(service.id, dep.service);
        this.topics.set(topic, new TopicSeries({ ...this.labels, service: dep.service, topic, producer: service.id }));
      }
    }
    for (const journey of scenario.journeys) this.journeys.set(journey.id, new JourneySeries({ ...this.labels, journey: journey.id }, journey.slo.target));
    for (const alert of scenario.alerts) {
      const about: Labels = alert.service !== undefined ? { service: alert.service } : alert.journey !== undefined ? { journey: alert.journey } : alert.topic !== undefined ? { topic: alert.topic } : {};
      this.alerts.set(alert.id, new AlertSeries({ ...this.labels, alertname: alertName(alert.id), sevdrill_alert: alert.id, severity: alert.severity, ...about }));
    }
    // A drill may be followed after it began (a restart recovers it mid-incident): start from its state now.
    const snapshot = drill.session.snapshot();
    this.incidentState = snapshot.incident.state;
    this.severity = snapshot.incident.severity ?? 0;
    for (const { alert } of snapshot.firingAlerts) this.setFiring(alert, true);
  }

  /** One tick's telemetry, which covered `seconds` simulated seconds. */
  record(sample: MetricsSample, seconds: number): void {
    for (const s of sample.services) this.services.get(s.id)?.record(s, seconds);
    for (const j of sample.journeys) this.journeys.get(j.id)?.record(j, seconds);
    for (const t of sample.topics) {
      let topic = this.topics.get(t.id);
      if (!topic) {
        // The scenario names every asynchronous edge, so this is only a guard against a topic named otherwise.
        topic = new TopicSeries({ ...this.labels, service: t.to, topic: t.id, producer: t.from });
        this.topics.set(t.id, topic);
      }
      topic.record(t, seconds);
    }
  }

  /** Follows the events that change what the gauges show between ticks: alerts and the incident. */
  apply(events: readonly EngineEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'alert.firing':
          this.setFiring(e.alert, true);
          break;
        case 'alert.resolved':
          this.setFiring(e.alert, false);
          break;
        case 'incident.state':
          this.incidentState = e.to;
          this.severity = e.severity ?? 0;
          break;
        case 'incident.severity':
          this.severity = e.to ?? 0;
          break;
      }
    }
  }

  private setFiring(alert: string, firing: boolean): void {
    const series = this.alerts.get(alert);
    if (series) series.firing = firing;
  }
}
