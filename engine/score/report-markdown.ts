/** The after-action report as Markdown: the same content as the HTML report, with text sparklines for charts. */
import { verificationTables } from './report-verification.ts';
import { describeVariation } from '../protocol/varied.ts';
import { formatCount, formatMoney, formatPercent } from '../protocol/format.ts';
import { clock, minutes } from './report-format.ts';
import { milestoneRows, mitigationSentence } from './mitigation.ts';
import { noTimeSinks } from './time-sinks.ts';
import type { Scorecard } from './scorecard.ts';
import type { JourneySeries, ReportModel } from './timeline.ts';

/** The scoring guide: served by the sevdrill server, and in the repository for a report read elsewhere. */
const SCORING_GUIDE = '[/docs/scoring](/docs/scoring) on the sevdrill server (docs/scoring.md in its repository)';

/** Characters of a sparkline. */
const SPARKLINE_WIDTH = 60;
const BARS = '▁▂▃▄▅▆▇█';

/** Makes text safe inside a Markdown table cell or list item: no pipes, no raw HTML, one line. */
export const mdEscape = (value: unknown): string =>
  String(value)
    .replace(/\r?\n|\r/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([*_`[\]])/g, '\\$1');

/** A name as typed, with the participant id that proves who it was (live drills only). */
const person = (name: string, id: string | null): string => (id === null ? mdEscape(name) : `${mdEscape(name)} (\`${id}\`)`);

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The highest error rate in each of SPARKLINE_WIDTH buckets, on a scale from 0 to the series' peak. */
export function sparkline(values: readonly number[], width = SPARKLINE_WIDTH): string {
  if (values.length === 0) return '';
  const buckets = Math.min(width, values.length);
  const peaks: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * values.length) / buckets);
    const to = Math.max(from + 1, Math.floor(((b + 1) * values.length) / buckets));
    peaks.push(Math.max(...values.slice(from, to)));
  }
  const top = Math.max(...peaks);
  return peaks.map((v) => BARS[top > 0 ? Math.min(BARS.length - 1, Math.floor((v / top) * (BARS.length - 1) + 0.5)) : 0]).join('');
}

function chartText(report: ReportModel, s: JourneySeries): string {
  const peak = Math.max(0, ...s.errorRate);
  return `- **${mdEscape(s.name)}** (\`${s.journey}\`): \`${sparkline(s.errorRate)}\` peak ${formatPercent(peak)}, SLO ${formatPercent(s.sloErrorRate)}`;
}

export function renderMarkdown(card: Scorecard, report: ReportModel): string {
  const c = card.conduct;
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  const list = (items: string[], empty: string) => (items.length === 0 ? [`_${empty}_`] : items.map((s) => `- ${mdEscape(s)}`));

  push(`# After-action report: ${mdEscape(report.title)}`, '');
  push(
    `**Score: ${card.grade.score.toFixed(1)} / 100** · scenario \`${report.scenarioId}\` · seed ${report.seed} · ran to ${clock(report.endedAt)}${report.endReason ? ` (${mdEscape(report.endReason)})` : ''}` +
      (report.rootCause ? ` · root cause \`${report.rootCause.id}\` (${mdEscape(report.rootCause.kind)} on ${mdEscape((report.rootCause.targets ?? [report.rootCause.target]).join(', '))})` : ''),
    '',
  );

  // The lesson first, before any table: where the time went, and what went well and badly.
  push('## The lesson', '');
  if (report.mitigation) push(`${mdEscape(mitigationSentence(report.mitigation))} Why two times: ${SCORING_GUIDE}.`, '');
  push('### The biggest time sinks', '');
  push(...(report.timeSinks.length === 0 ? [`_${mdEscape(noTimeSinks(card))}_`] : report.timeSinks.map((t, i) => `${i + 1}. ${mdEscape(t.text)}`)), '');
  push('### What went well', '', ...list(card.wentWell, 'Nothing stood out.'), '');
  push('### What went badly', '', ...list(card.wentBadly, 'Nothing went badly.'), '');

  push('## Score', '');
  push(`Each component is worth 0 to 1; the score is 100 × Σ weight × value ÷ Σ weight. The formulas: ${SCORING_GUIDE}.`, '');
  push(
    table(
      ['component', 'weight', 'value (0–1)', 'points', 'detail'],
      [
        ...card.grade.components.map((g) => [g.name, String(g.weight), g.value.toFixed(2), g.points.toFixed(2), mdEscape(g.detail)]),
        ['**total**', String(card.grade.components.reduce((s, g) => s + g.weight, 0)), '', `**${card.grade.score.toFixed(1)}**`, ''],
      ],
    ),
    '',
  );

  push('## Milestones and response times', '');
  push(table(['milestone', 'at'], milestoneRows(report.markers, report.mitigation).map((m) => [m.label, clock(m.t)])), '');
  push(
    table(
      ['response', 'measured from', 'took', 'objective', 'result'],
      report.responseTimes.map((r) => [r.name, r.from, minutes(r.actual), minutes(r.objective), card.prevented ? 'not needed: prevented' : r.met ? '✓ met' : r.actual === null ? '✗ never' : '✗ late']),
    ),
    '',
  );
  // Another seed is another drill: say what this one drew, so two teams' reports can be compared.
  if (Object.keys(report.variation).length > 0) push(`What seed ${report.seed} drew: ${mdEscape(describeVariation(report.variation))}.`, '');

  push('## Customer impact', '');
  push(`Compared with the untreated run (same scenario and seed, nobody responding), the team avoided **${formatPercent(card.impact.avoidedShare)}** of the lost revenue.`, '');
  push(
    table(
      ['journey', 'failed', 'revenue lost', 'minutes out of SLO', 'error budget burned', 'untreated: lost', 'avoided'],
      [
        ...report.journeys.map((j) => [
          `${mdEscape(j.name)} (\`${j.journey}\`)`,
          `${formatCount(j.failed)} ${mdEscape(j.unit)}`,
          formatMoney(j.lost),
          j.badMinutes.toFixed(1),
          formatPercent(j.budgetBurned, 0),
          formatMoney(j.untreated.lost),
          formatPercent(j.avoidedShare),
        ]),
        ['**total**', `${formatCount(card.impact.failed)} requests`, `**${formatMoney(card.impact.lost)}**`, '', '', formatMoney(card.impact.untreated.lost), `**${formatPercent(card.impact.avoidedShare)}**`],
      ],
    ),
    '',
  );

  push('## Error rate per journey', '');
  push(`From ${clock(report.chart.from)} to ${clock(report.chart.to)}; impact ${report.chart.impactWindow ? `${clock(report.chart.impactWindow.from)} → ${clock(report.chart.impactWindow.to)}` : 'none'}.`, '');
  push(...report.chart.journeys.map((s) => chartText(report, s)), '');

  push('## Timeline', '');
  push(
    table(
      ['time', 'kind', 'event', 'what happened', 'result'],
      report.timeline.map((e) => [clock(e.t), e.kind, `\`${e.type}\``, mdEscape(e.text), e.ok === undefined ? (e.label ?? '') : e.ok ? '✓' : `✗ ${mdEscape(e.code ?? '')}`]),
    ),
    '',
  );

  push('## Decision log', '');
  push(
    table(
      ['time', 'who', 'what', 'result', 'advice followed', 'what followed'],
      report.decisions.map((d) => [
        clock(d.t),
        mdEscape(d.actor),
        mdEscape(d.what),
        d.ok ? '✓ accepted' : `✗ ${mdEscape(d.code ?? '')}: ${mdEscape(d.message ?? '')}`,
        d.advice ? `${d.advice.label} (\`${d.advice.id}\`)` : '',
        d.followed.length === 0 ? '—' : d.followed.map((f) => `${clock(f.t)} ${mdEscape(f.text)}`).join('<br>'),
      ]),
    ),
    '',
  );

  push('## Conduct', '', '### Advice', '');
  push(
    table(
      ['advice', 'source', 'label', 'proposes', 'shown', 'followed', 'facilitator note'],
      report.advice.map((a) => [
        `${mdEscape(a.title ?? a.id)} (\`${a.id}\`)`,
        a.source,
        `**${a.label}**`,
        a.proposes ? `\`${a.proposes}\`` : '',
        clock(a.shownAt),
        a.followed ? `${mdEscape(a.followed.by)} at ${clock(a.followed.t)}` : 'not followed',
        mdEscape(a.note ?? ''),
      ]),
    ),
    '',
  );
  if (report.assistant.length > 0) {
    push('### The assistant', '');
    push(
      table(
        ['asked', 'by', 'question', 'cited', 'proposes', 'source checked', 'why the page was stale'],
        report.assistant.map((a) => [
          clock(a.t),
          mdEscape(a.by),
          mdEscape(a.question),
          a.page === null ? 'nothing' : `${mdEscape(a.title ?? a.page)} (edited ${a.edited ?? '?'})`,
          a.proposes ? `\`${a.proposes}\`` : '',
          a.page === null ? '' : a.sourceChecked ? 'yes' : '**no**',
          a.staleBecause === null ? (a.page === null ? '' : 'current') : mdEscape(a.staleBecause),
        ]),
      ),
      '',
    );
  }
  for (const t of verificationTables(card)) {
    push(`### ${t.title}`, '', `${t.caption}:`, '', table(t.head, t.rows.map((r) => r.map(mdEscape))), '');
  }
  push('### Harmful actions', '');
  push(...(c.harmfulActions.length === 0 ? ['_No action set off a fault._'] : c.harmfulActions.map((h) => `- \`${h.action}\` by ${mdEscape(h.by)} at ${clock(h.t)} set off \`${h.fault}\``)), '');
  push('### Approvals', '');
  push(
    report.approvals.length === 0
      ? '_No approval was requested._'
      : table(
          ['request', 'requested by', 'at', 'outcome', 'decided by', 'waited'],
          report.approvals.map((a) => [`\`${a.request}\``, person(a.requestedBy, a.requestedById), clock(a.requestedAt), a.outcome, a.by === null ? '—' : person(a.by, a.byId), a.waitedMs === null ? '—' : minutes(a.waitedMs)]),
        ),
    '',
    `${c.approvalsBypassed.length} bypassed, ${c.approvalsDenied.length} denied.`,
    '',
  );
  push('### Status updates', '');
  push(`${c.statusUpdates.count} posted; due at least every ${minutes(c.statusUpdates.cadenceMs)} from detection to resolution.`, '');
  if (c.statusUpdates.gaps.length > 0) push(table(['from', 'to', 'length'], c.statusUpdates.gaps.map((g) => [clock(g.from), clock(g.to), minutes(g.ms)])), '');
  else push('_No gaps._', '');
  push('### Roles', '');
  push(table(['role', 'person', 'taken at', 'after detection'], c.roles.map((r) => [r.role, r.person ? mdEscape(r.person) : '**unfilled**', clock(r.at), r.afterDetectionMs === null ? '—' : minutes(r.afterDetectionMs)])), '');
  push('### Severity', '');
  push(
    `Declared ${c.severity.declared === null ? 'never' : `Sev ${c.severity.declared}`}${c.severity.at !== null ? ` at ${clock(c.severity.at)}` : ''}; highest ${c.severity.highest === null ? '—' : `Sev ${c.severity.highest}`}; expected Sev ${c.severity.expected}: ${c.severity.correct ? '✓ right' : '✗ wrong'}. ${c.rejectedCommands} command(s) rejected by the engine.`,
    '',
  );
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
