/**
 * `sevdrill export prometheus-rules`: a scenario's alerts as a Prometheus rule file, so a team can
 * rehearse with its own Prometheus and Alertmanager reading the drill's /metrics. One group per
 * scenario, one alerting rule per scenario alert, named as the Alertmanager push names it (names.ts).
 *
 * What the file says is public to everyone the alerts reach: facilitator notes and red-herring flags
 * are never read here, so they cannot leak into it. Pure: no I/O.
 */
import { Document } from 'yaml';
import { promDuration } from './promql.ts';
import { alertCondition, type RulesScenario } from './alert-exprs.ts';
import { DRILL_LABEL, alertName } from './names.ts';

interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string; drill: string };
}

interface RuleFile {
  groups: { name: string; rules: AlertingRule[] }[];
}

export function prometheusRules(scenario: RulesScenario): RuleFile {
  const rules = scenario.alerts.map((alert): AlertingRule => {
    const condition = alertCondition(scenario, alert);
    return {
      alert: alertName(alert.id),
      expr: condition.expr,
      // Prometheus's default `for` is 0s too; leaving it out keeps the file as short as the scenario.
      ...(alert.for > 0 ? { for: promDuration(alert.for) } : {}),
      labels: { severity: alert.severity, ...DRILL_LABEL, sevdrill_alert: alert.id, ...condition.labels },
      annotations: {
        summary: alert.name ?? alert.id,
        description: condition.description,
        drill: `[DRILL] sevdrill game-day alert (scenario ${scenario.id}, session {{ $labels.sevdrill_session }}): simulated data, not production. Do not page the real on-call or touch real systems.`,
      },
    };
  });
  return { groups: [{ name: `sevdrill-${scenario.id}`, rules }] };
}

/** The rule file as YAML, with a header saying where it came from and how to keep it off the real rotation. */
export function prometheusRulesYaml(scenario: RulesScenario): string {
  const doc = new Document(prometheusRules(scenario));
  doc.commentBefore = [
    ` Prometheus alerting rules for the sevdrill scenario "${scenario.id}" (sevdrill export prometheus-rules).`,
    ' They watch the drill series a sevdrill server exposes on /metrics (every one labelled drill="true").',
    ' Route drill="true" alerts to a drill receiver, away from the real rotation: see docs/integrations.md.',
  ].join('\n');
  // lineWidth 0: never fold a long expression over several lines.
  return doc.toString({ lineWidth: 0 });
}
