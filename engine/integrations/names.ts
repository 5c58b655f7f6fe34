/**
 * The one definition of what sevdrill shows to a team's own tools: the Prometheus metric names the
 * /metrics exporter writes, the labels every drill series carries, and the alert name that both the
 * exported rule file (`sevdrill export prometheus-rules`) and the Alertmanager push use, so an alert
 * routed by either path looks the same to Alertmanager. Pure: no I/O.
 *
 * Units follow Prometheus conventions (seconds, ratios 0–1, `_total` counters), not the engine's
 * milliseconds.
 */

/** Every series and every alert sent outside carries it: drill data must be easy to drop or route away. */
export const DRILL_LABEL = { drill: 'true' } as const;

/** The labels that name the drill a simulated series belongs to. */
export const DRILL_SERIES_LABELS = ['drill', 'sevdrill_session', 'scenario'] as const;

export const METRIC = {
  // Per service (label `service`).
  serviceRequests: 'sevdrill_service_requests_total',
  serviceErrors: 'sevdrill_service_errors_total',
  serviceRequestRate: 'sevdrill_service_requests_per_second',
  serviceErrorRatio: 'sevdrill_service_error_ratio',
  /**
   * `quantile` "0.5" or "0.99": the tick's p50 and p99. Typed as a summary (quantiles over a one-tick
   * window, without _sum or _count), since Prometheus reserves `quantile` for summaries; read it as a gauge.
   */
  serviceLatency: 'sevdrill_service_latency_seconds',
  /** Histogram (`_bucket`, `_sum`, `_count`) of request durations, for histogram_quantile on dashboards. */
  serviceDuration: 'sevdrill_service_request_duration_seconds',
  serviceSaturation: 'sevdrill_service_saturation_ratio',
  serviceBacklog: 'sevdrill_service_backlog_requests',
  /** 1 for the service's current state (label `state`: healthy, degraded, down, recovering), 0 for the others. */
  serviceState: 'sevdrill_service_state',
  // Per journey (label `journey`).
  journeyRequests: 'sevdrill_journey_requests_total',
  journeyErrors: 'sevdrill_journey_errors_total',
  journeyRequestRate: 'sevdrill_journey_requests_per_second',
  journeyErrorRatio: 'sevdrill_journey_error_ratio',
  /** `quantile` "0.99": the tick's p99; a summary like serviceLatency. */
  journeyLatency: 'sevdrill_journey_latency_seconds',
  /** 1 while the journey meets its SLO this tick, 0 when not. */
  journeySloOk: 'sevdrill_journey_slo_ok',
  /** The journey's SLO target (0.999 and so on): its error budget is 1 − target. */
  journeySloTarget: 'sevdrill_journey_slo_target_ratio',
  // Per topic, an asynchronous edge (labels `topic`, `service` = the consumer, `producer`).
  topicPublished: 'sevdrill_topic_published_total',
  topicConsumed: 'sevdrill_topic_consumed_total',
  topicLag: 'sevdrill_topic_lag_messages',
  topicLagSeconds: 'sevdrill_topic_lag_seconds',
  // Per drill.
  /** 1 while the alert fires (labels `alertname`, `sevdrill_alert`, `severity`, and its `service`, `journey` or `topic`). */
  alertFiring: 'sevdrill_alert_firing',
  /** 1 for the incident's current state (label `state`), 0 for the others. */
  incidentState: 'sevdrill_incident_state',
  /** The declared severity (1 is the worst); 0 before one is declared. */
  incidentSeverity: 'sevdrill_incident_severity',
  /** Simulated seconds since the drill started. */
  simTime: 'sevdrill_drill_simulated_seconds',
  /** Simulated seconds per wall second: at 1, simulated time is wall time and dashboards line up. */
  speed: 'sevdrill_drill_speed_ratio',
} as const;

/**
 * The server's own health on the same endpoint (no drill labels: they describe the process, not a
 * drill), besides prom-client's default process_* and nodejs_* metrics.
 */
export const HEALTH_METRIC = {
  /** Histogram (label `sevdrill_session`): how late each tick of a running drill ran, in wall seconds. */
  tickLag: 'sevdrill_tick_lag_seconds',
  /** Gauge: open WebSocket connections. */
  sockets: 'sevdrill_websocket_connections',
  messagesReceived: 'sevdrill_websocket_messages_received_total',
  messagesSent: 'sevdrill_websocket_messages_sent_total',
  /** Histogram: wall seconds to commit one drill input to the store (SQLite). */
  storeCommit: 'sevdrill_store_commit_seconds',
  /** Gauge (label `phase`: ready, running, paused): drills that have not stopped. */
  liveDrills: 'sevdrill_live_drills',
} as const;

/**
 * Prometheus alert names must be metric-name-like (no hyphens): "checkout-errors" becomes
 * "SevdrillCheckoutErrors". The scenario's id stays in the `sevdrill_alert` label and its display
 * name in the `summary` annotation.
 */
export function alertName(alertId: string): string {
  const words = alertId.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  return `Sevdrill${words.map((w) => (w[0] ?? '').toUpperCase() + w.slice(1)).join('')}`;
}
