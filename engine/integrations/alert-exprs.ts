/**
 * One scenario alert as a PromQL condition over the series the /metrics exporter writes (names.ts),
 * meaning what the engine's own evaluation means (engine/core/rules/alerts.ts, burn-rate.ts): the
 * same value of the same thing, compared with the same threshold in Prometheus units.
 *
 * Every selector keeps `drill="true"` and the scenario, and no aggregation drops `sevdrill_session`,
 * so each running drill of the scenario fires an alert of its own, labelled with its session.
 */
import { formatDuration, formatMetric, metricName } from '../protocol/format.ts';
import type { AlertDef } from '../protocol/scenario.ts';
import { DRILL_LABEL, METRIC } from './names.ts';
import { promDuration, promNumber, selector } from './promql.ts';

/** What of a scenario the rules read: its id, alerts, and its journeys' entries and SLO targets. */
export interface RulesScenario {
  readonly id: string;
  readonly alerts: readonly AlertDef[];
  readonly journeys: readonly { readonly id: string; readonly entry: string; readonly slo: { readonly target: number } }[];
}

export interface AlertCondition {
  expr: string;
  /** Labels the series do not carry but the alert should: a journey alert read off its entry service names the journey. */
  labels: Record<string, string>;
  /** What the alert watches and when it fires, in the units a responder reads. */
  description: string;
}

/** The series a threshold alert compares, and how a scenario's threshold becomes its unit. */
interface Watched {
  series: string;
  /** The scenario's threshold divided by this is in the series' unit (ms → s). */
  per: number;
  subject: string;
  labels: Record<string, string>;
}

/** `$value` rendered in the unit of the metric, for the description (promtool checks the template). */
const NOW: Record<AlertDef['metric'], string> = {
  errorRate: '{{ $value | humanizePercentage }}',
  saturation: '{{ $value | humanizePercentage }}',
  p50Ms: '{{ $value | humanizeDuration }}',
  p99Ms: '{{ $value | humanizeDuration }}',
  rps: '{{ $value | humanize }} requests/s',
  lag: '{{ $value | humanize }} messages',
  lagSeconds: '{{ $value | humanizeDuration }}',
  burnRate: '{{ $value | printf "%.1f" }}× over the long window',
};

export function alertCondition(scenario: RulesScenario, alert: AlertDef): AlertCondition {
  if (alert.metric === 'burnRate') return burnRateCondition(scenario, alert);
  const watched = watchedSeries(scenario, alert);
  const op = alert.op === '<' ? '<' : '>';
  const side = `${op === '>' ? 'above' : 'below'} ${formatMetric(alert.metric, alert.threshold)}`;
  const when = alert.for > 0 ? `when it stays ${side} for ${formatDuration(alert.for)}` : `as soon as it is ${side}`;
  return {
    expr: `${watched.series} ${op} ${promNumber(alert.threshold / watched.per)}`,
    labels: watched.labels,
    description: `Watches the ${metricName(alert.metric)} of ${watched.subject}: fires ${when}. Now ${NOW[alert.metric]}.`,
  };
}

function watchedSeries(scenario: RulesScenario, alert: AlertDef): Watched {
  const drill = { ...DRILL_LABEL, scenario: scenario.id };
  const latency = (metric: string, labels: Record<string, string>, quantile: string) => selector(metric, { ...drill, ...labels, quantile });
  if (alert.topic !== undefined) {
    const labels = { topic: alert.topic };
    const metric = alert.metric === 'lag' ? METRIC.topicLag : METRIC.topicLagSeconds;
    return { series: selector(metric, { ...drill, ...labels }), per: 1, subject: `topic ${alert.topic} (its consumer)`, labels: {} };
  }
  if (alert.journey !== undefined) {
    const journey = { journey: alert.journey };
    const subject = `journey ${alert.journey}`;
    if (alert.metric === 'errorRate') return { series: selector(METRIC.journeyErrorRatio, { ...drill, ...journey }), per: 1, subject, labels: {} };
    if (alert.metric === 'p99Ms') return { series: latency(METRIC.journeyLatency, journey, '0.99'), per: 1000, subject, labels: {} };
    if (alert.metric === 'rps') return { series: selector(METRIC.journeyRequestRate, { ...drill, ...journey }), per: 1, subject, labels: {} };
    // The engine reads a journey's other metrics off its entry service; so does the rule, and it names the journey.
    const entry = scenario.journeys.find((j) => j.id === alert.journey)?.entry;
    if (entry === undefined) throw new Error(`invariant: alert ${alert.id} watches unknown journey ${alert.journey}`);
    return { ...serviceSeries(drill, entry, alert), subject: `service ${entry}, the entry of journey ${alert.journey}`, labels: journey };
  }
  if (alert.service === undefined) throw new Error(`invariant: alert ${alert.id} watches no service, journey or topic`);
  return { ...serviceSeries(drill, alert.service, alert), subject: `service ${alert.service}`, labels: {} };
}

function serviceSeries(drill: Record<string, string>, service: string, alert: AlertDef): { series: string; per: number } {
  const labels = { ...drill, service };
  switch (alert.metric) {
    case 'errorRate':
      return { series: selector(METRIC.serviceErrorRatio, labels), per: 1 };
    case 'p50Ms':
      return { series: selector(METRIC.serviceLatency, { ...labels, quantile: '0.5' }), per: 1000 };
    case 'p99Ms':
      return { series: selector(METRIC.serviceLatency, { ...labels, quantile: '0.99' }), per: 1000 };
    case 'rps':
      return { series: selector(METRIC.serviceRequestRate, labels), per: 1 };
    case 'saturation':
      return { series: selector(METRIC.serviceSaturation, labels), per: 1 };
    case 'lag':
    case 'lagSeconds':
    case 'burnRate':
      // The validator keeps lag metrics on topics and burn rates on journeys.
      throw new Error(`invariant: alert ${alert.id} watches ${alert.metric} on a service`);
  }
}

/** 0.999 → "99.9%": an SLO written as its author wrote it, not rounded to one decimal. */
const percent = (ratio: number): string => `${promNumber(ratio * 100)}%`;

/**
 * The SRE workbook's multi-window burn rate, as burn-rate.ts computes it: over each window, the
 * journey's failed requests ÷ its requests ÷ the error budget (1 − slo.target), and both windows above
 * the threshold. rate() ÷ rate() is that ratio (the per-second scaling cancels); a window with no
 * requests is 0 ÷ 0, which never compares true, as the engine's 0 never exceeds a threshold.
 */
function burnRateCondition(scenario: RulesScenario, alert: AlertDef): AlertCondition {
  const journey = scenario.journeys.find((j) => j.id === alert.journey);
  if (journey === undefined || alert.windows === undefined) throw new Error(`invariant: burn-rate alert ${alert.id} has a journey and windows`);
  const labels = { ...DRILL_LABEL, scenario: scenario.id, journey: journey.id };
  const budget = promNumber(1 - journey.slo.target);
  const threshold = promNumber(alert.threshold);
  const over = (ms: number) => {
    const range = `[${promDuration(ms)}]`;
    return `(rate(${selector(METRIC.journeyErrors, labels)}${range}) / rate(${selector(METRIC.journeyRequests, labels)}${range})) / ${budget} > ${threshold}`;
  };
  const { long, short } = alert.windows;
  return {
    expr: `${over(long)}\nand\n${over(short)}`,
    labels: {},
    description:
      `Watches the error-budget burn rate of journey ${journey.id} (its error ratio ÷ the budget, 1 − SLO target ${percent(journey.slo.target)} = ${percent(1 - journey.slo.target)}): ` +
      `fires while it is above ${formatMetric('burnRate', alert.threshold)} over both ${formatDuration(long)} and ${formatDuration(short)}${alert.for > 0 ? ` for ${formatDuration(alert.for)}` : ''}. Now ${NOW.burnRate}.`,
  };
}
