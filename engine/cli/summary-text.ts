/** The human-readable run summary printed by `sevdrill run`. */
import type { CommandParams } from '../protocol/commands.ts';
import type { RunSummary } from '../core/read/summary.ts';
import { formatCount, formatMoney } from '../protocol/format.ts';
import type { Scenario } from '../protocol/scenario.ts';
import { clock as at } from '../score/report-format.ts';
import { paint } from './io.ts';

/** A command the engine refused, with its reason: what `run` lists under the command counts. */
export interface Rejection {
  /** Simulated ms the command was applied at (the tick boundary the log stamps it with). */
  t: number;
  /** Simulated ms the plan gave for it, when that differs from `t` (between two ticks, or while paused). */
  at?: number;
  /** For a command the plan sends after an event: that event and the delay, as the plan writes it. */
  after?: string;
  actor: string;
  type: string;
  target?: string;
  params?: CommandParams;
  /** The engine's rejection code (e.g. `self-approval`) and message. */
  code: string;
  message: string;
}

/** A plan command the run never sent, and why. */
export interface Unsent {
  actor: string;
  type: string;
  target?: string;
  /** The plan's time, or its event and delay. */
  at?: number;
  after?: string;
  why: string;
}

export function formatSummary(scenario: Scenario, s: RunSummary, color: boolean, rejections: readonly Rejection[] = [], unsent: readonly Unsent[] = []): string {
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
    s.impactStart === null
      ? `  impact             ${green('none: no journey left its SLO')}`
      : `  impact             ${at(s.impactStart)} → ${s.impactEnd === null ? red('still ongoing') : green(at(s.impactEnd))}`,
    '',
    bold('customer impact'),
    ...s.journeys.map(
      (j) =>
        `  ${j.journey.padEnd(18)} ${formatCount(j.failed).padStart(12)} failed ${j.unit}, ${formatMoney(j.lost).padStart(14)} lost, ${j.badMinutes.toFixed(1)} min out of SLO, ${(j.budgetBurned * 100).toFixed(0)}% of the 30-day error budget`,
    ),
    `  ${'total'.padEnd(18)} ${formatCount(s.totals.failed).padStart(12)} failed requests, ${formatMoney(s.totals.lost).padStart(14)} lost`,
    '',
    `commands: ${s.commands.accepted} accepted, ${s.commands.rejected} rejected`,
    ...formatRejections(rejections, red),
    ...(unsent.length === 0 ? [] : [`not sent: ${unsent.length} plan command${unsent.length === 1 ? '' : 's'}`, ...unsent.map((u) => `  ${u.actor}  ${u.type}${u.target !== undefined ? ` ${u.target}` : ''}: ${u.why}`)]),
    '',
  ];
  return lines.join('\n');
}

/**
 * One line per rejected command: time, actor, command and what it was on (its target, or the request,
 * action or fault its parameters name), then the engine's code and message.
 */
function formatRejections(rejections: readonly Rejection[], red: (t: string) => string): string[] {
  const what = (r: Rejection) => {
    const on = r.target ?? [r.params?.['request'], r.params?.['action'], r.params?.['fault']].find((p) => typeof p === 'string');
    return on === undefined ? r.type : `${r.type} ${String(on)}`;
  };
  const actorWidth = Math.max(0, ...rejections.map((r) => r.actor.length));
  const whatWidth = Math.max(0, ...rejections.map((r) => what(r).length));
  return rejections.map((r) => `  ${at(r.t)}  ${r.actor.padEnd(actorWidth)}  ${what(r).padEnd(whatWidth)}  ${red(r.code)}: ${r.message}`);
}
