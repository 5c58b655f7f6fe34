/** The human-readable run summary printed by `sevdrill run`. */
import type { RunSummary } from '../core/read/summary.ts';
import { formatCount, formatMoney } from '../protocol/format.ts';
import type { Scenario } from '../protocol/scenario.ts';
import { clock as at } from '../score/report-format.ts';
import { paint } from './io.ts';

export function formatSummary(scenario: Scenario, s: RunSummary, color: boolean): string {
  const bold = (t: string) => paint(color, 1, t);
  const red = (t: string) => paint(color, 31, t);
  const green = (t: string) => paint(color, 32, t);
  const lines = [
    bold(`${scenario.title}`) + `  (scenario ${s.scenarioId}, seed ${s.seed})`,
    `ran to ${at(s.endedAt)}${s.endReason ? ` (${s.endReason})` : ''}`,
    '',
    bold('cascade'),
    ...s.journeys.map((j) => `  ${j.journey.padEnd(18)} out of SLO at ${at(j.firstOutOfSlo)}`),
    `  first page         ${s.firstPage ? `${at(s.firstPage.t)} (${s.firstPage.alert})` : '—'}`,
    '',
    bold('incident'),
    ...(['detected', 'acknowledged', 'declared', 'mitigated', 'resolved'] as const).map(
      (m) => `  ${m.padEnd(18)} ${at(s.milestones[m])}`,
    ),
    `  final state        ${s.incidentState}${s.severity ? ` (Sev ${s.severity})` : ''}`,
    `  impact             ${at(s.impactStart)} → ${s.impactEnd === null ? red('still ongoing') : green(at(s.impactEnd))}`,
    '',
    bold('customer impact'),
    ...s.journeys.map(
      (j) =>
        `  ${j.journey.padEnd(18)} ${formatCount(j.failed).padStart(12)} failed ${j.unit}, ${formatMoney(j.lost).padStart(14)} lost, ${j.badMinutes.toFixed(1)} min out of SLO, ${(j.budgetBurned * 100).toFixed(0)}% of the 30-day error budget`,
    ),
    `  ${'total'.padEnd(18)} ${formatCount(s.totals.failed).padStart(12)} failed requests, ${formatMoney(s.totals.lost).padStart(14)} lost`,
    '',
    `commands: ${s.commands.accepted} accepted, ${s.commands.rejected} rejected`,
    '',
  ];
  return lines.join('\n');
}
