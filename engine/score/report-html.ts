/**
 * The after-action report as ONE self-contained HTML file: inline CSS, inline SVG charts, no scripts,
 * no external styles, fonts or images. The charts are computed with D3 (scales, ticks, line paths)
 * on the server, without a DOM, and written out as SVG markup; every piece of text is escaped.
 */
import { describeVariation } from '../protocol/varied.ts';
import { format, line, max, scaleLinear } from 'd3';
import type { Scorecard } from './scorecard.ts';
import { clip, formatCount, formatMoney, formatPercent } from '../protocol/format.ts';
import { clock, downsampleIndices, minutes } from './report-format.ts';
import { verificationTables } from './report-verification.ts';
import { milestoneRows, mitigationSentence } from './mitigation.ts';
import { noTimeSinks } from './time-sinks.ts';
import type { ChartModel, JourneySeries, ReportModel, TimelineEntry } from './timeline.ts';

/** No chart draws more points than this per series. */
export const MAX_CHART_POINTS = 400;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for HTML element content and attribute values alike. */
export const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

const slug = (s: string) => s.replace(/[^a-z0-9-]/gi, '-');
const num = (x: number) => (Math.round(x * 10) / 10).toString();
/** A name as typed, with the participant id that proves who it was (live drills only). */
const person = (name: string, id: string | null) => (id === null ? esc(name) : `${esc(name)} <span class="muted">(${esc(id)})</span>`);
const badge = (cls: string, text: string) => `<span class="badge ${esc(cls)}">${esc(text)}</span>`;
const list = (items: string[], empty: string) => (items.length === 0 ? `<p class="muted">${esc(empty)}</p>` : `<ul>${items.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>`);
const yes = (ok: boolean, good = 'yes', bad = 'no') => (ok ? `<span class="ok">✓ ${esc(good)}</span>` : `<span class="bad">✗ ${esc(bad)}</span>`);

function table(caption: string, head: string[], rows: string[][], cls = ''): string {
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${cls ? ` class="${esc(cls)}"` : ''}><caption>${esc(caption)}</caption><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Simulated time on an axis: 0, 5m, 1h, 1h30m. */
function axisTime(minutesValue: number): string {
  const total = Math.round(minutesValue);
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) return `${m}m`;
  return m === 0 ? `${h}h` : `${h}h${m}m`;
}

const W = 880;
const H = 280;
const M = { top: 52, right: 24, bottom: 36, left: 64 };
const LABEL_ROWS = 3;
const ROW_H = 14;

/** One journey's error rate over simulated time, with its SLO line, the impact window and the milestones. */
function journeyChart(chart: ChartModel, series: JourneySeries): string {
  const id = `chart-${slug(series.journey)}`;
  const keep = downsampleIndices(series.errorRate, MAX_CHART_POINTS);
  const points = keep.map((i) => [chart.t[i] ?? 0, series.errorRate[i] ?? 0] as const);
  const peak = max(series.errorRate) ?? 0;
  const x = scaleLinear()
    .domain([chart.from / 60_000, Math.max(chart.to, chart.from + chart.tickMs) / 60_000])
    .range([M.left, W - M.right]);
  const y = scaleLinear()
    .domain([0, Math.max(peak, series.sloErrorRate * 2, 0.01) * 1.05])
    .nice()
    .range([H - M.bottom, M.top]);
  const [top] = y.domain().slice(-1) as [number];
  const yFormat = format(top < 0.05 ? '.1%' : '.0%');
  const px = (t: number) => x(t / 60_000);
  const path = line<readonly [number, number]>()
    .x((d) => px(d[0]))
    .y((d) => y(d[1]))
    .digits(1)(points);

  const grid = y
    .ticks(5)
    .map((v) => `<g class="tick"><line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${num(y(v))}" y2="${num(y(v))}"/><text class="axis-label" x="${M.left - 6}" y="${num(y(v) + 4)}" text-anchor="end">${esc(yFormat(v))}</text></g>`)
    .join('');
  const xTicks = x
    .ticks(8)
    .map((v) => `<g class="tick"><line class="axis-tick" x1="${num(x(v))}" x2="${num(x(v))}" y1="${H - M.bottom}" y2="${H - M.bottom + 4}"/><text class="axis-label" x="${num(x(v))}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(axisTime(v))}</text></g>`)
    .join('');

  let impact = '';
  const w = chart.impactWindow;
  if (w && w.to >= chart.from && w.from <= chart.to) {
    const x0 = px(Math.max(w.from, chart.from));
    const x1 = px(Math.min(w.to, chart.to));
    impact = `<rect class="impact-window" x="${num(x0)}" y="${M.top}" width="${num(Math.max(1, x1 - x0))}" height="${H - M.top - M.bottom}" data-from="${w.from}" data-to="${w.to}"><title>${esc(`Customer impact: ${clock(w.from)} → ${clock(w.to)}`)}</title></rect>`;
  }

  const sloY = y(series.sloErrorRate);
  const slo = `<g class="slo"><line class="slo-threshold" x1="${M.left}" x2="${W - M.right}" y1="${num(sloY)}" y2="${num(sloY)}" data-threshold="${series.sloErrorRate}"/><text class="slo-label" x="${W - M.right - 4}" y="${num(sloY - 4)}" text-anchor="end">${esc(`SLO ${formatPercent(series.sloErrorRate)}`)}</text></g>`;

  // Milestone labels go into rows above the plot, each in the first row where it does not overlap.
  const rowEnds = new Array<number>(LABEL_ROWS).fill(-Infinity);
  const markers = chart.markers
    .filter((m) => m.t >= chart.from && m.t <= chart.to)
    .map((m) => {
      const mx = px(m.t);
      const label = `${m.label} ${clock(m.t)}`;
      const width = label.length * 6.1 + 8;
      const anchorEnd = mx + width > W - M.right + 10;
      const left = anchorEnd ? mx - width : mx;
      let row = rowEnds.findIndex((end) => end < left - 2);
      if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
      rowEnds[row] = left + width;
      const ty = 12 + row * ROW_H;
      return `<g class="milestone" data-milestone="${esc(m.name)}" data-t="${m.t}"><line class="milestone-line" x1="${num(mx)}" x2="${num(mx)}" y1="${ty + 3}" y2="${H - M.bottom}"/><text class="milestone-label" x="${num(anchorEnd ? mx - 3 : mx + 3)}" y="${ty}" text-anchor="${anchorEnd ? 'end' : 'start'}">${esc(label)}</text></g>`;
    })
    .join('');

  const circles = points
    .map(([t, v]) => `<circle class="point" cx="${num(px(t))}" cy="${num(y(v))}" r="1.7" data-t="${t}" data-value="${v}"/>`)
    .join('');
  const peakAt = series.errorRate.indexOf(peak);
  const title = `${series.name}: error rate over simulated time`;
  const desc =
    `Error rate of the ${series.name} journey (${series.journey}) from ${clock(chart.from)} to ${clock(chart.to)}, one point per tick` +
    `${points.length < series.errorRate.length ? ` (${points.length} of ${series.errorRate.length} shown)` : ''}; ` +
    `peak ${formatPercent(peak)}${peakAt >= 0 ? ` at ${clock(chart.t[peakAt])}` : ''}; SLO threshold ${formatPercent(series.sloErrorRate)}` +
    `${w ? `; customer impact from ${clock(w.from)} to ${clock(w.to)}` : ''}.`;
  return [
    `<figure class="chart" data-journey="${esc(series.journey)}">`,
    `<svg class="chart-svg" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-title ${id}-desc" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="${id}-title">${esc(title)}</title><desc id="${id}-desc">${esc(desc)}</desc>`,
    `<g class="grid-lines">${grid}</g>`,
    impact,
    `<g class="x-axis"><line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}"/>${xTicks}<text class="axis-title" x="${W - M.right}" y="${H - 4}" text-anchor="end">simulated time</text></g>`,
    `<text class="axis-title" transform="translate(14 ${num((M.top + H - M.bottom) / 2)}) rotate(-90)" text-anchor="middle">error rate</text>`,
    slo,
    `<g class="milestones">${markers}</g>`,
    `<path class="series" d="${esc(path ?? '')}" data-points="${points.length}"/>`,
    `<g class="points">${circles}</g>`,
    '</svg>',
    `<figcaption><strong>${esc(series.name)}</strong> (${esc(series.journey)}) — peak error rate ${esc(formatPercent(peak))}. ` +
      '<span class="key key-series"></span> error rate <span class="key key-slo"></span> SLO threshold ' +
      '<span class="key key-impact"></span> impact window <span class="key key-milestone"></span> milestones</figcaption>',
    '</figure>',
  ].join('\n');
}

const KIND_LABELS: Record<string, string> = { system: 'system', human: 'human', advice: 'advice' };

function timelineRow(e: TimelineEntry): string[] {
  const result = e.ok === undefined ? (e.label ? badge(`label-${e.label}`, e.label) : '') : e.ok ? '<span class="ok">✓ accepted</span>' : `<span class="bad">✗ ${esc(e.code ?? 'rejected')}</span>`;
  return [`<time>${esc(clock(e.t))}</time>`, badge(`kind-${e.kind}`, KIND_LABELS[e.kind] ?? e.kind), `<code>${esc(e.type)}</code>`, esc(e.text), result];
}

/**
 * The scoring guide the server serves (engine/server/docs.ts). Root-relative, so it works from the
 * report's own URL and from the console's frame (whose srcdoc has the console's URL as its base); a new
 * tab, because the guide may not be framed. A report opened as a file names the repository path too.
 */
const docLink = (anchor: string, text: string) => `<a href="/docs/scoring${anchor}" target="_blank" rel="noopener">${esc(text)}</a>`;

/** The top of the report: what to take away, before any table. */
function lesson(card: Scorecard, report: ReportModel): string {
  const sinks = report.timeSinks.map((s) => `<li data-from="${s.from}" data-to="${s.to}">${esc(s.text)}</li>`);
  return [
    '<section id="lesson" aria-labelledby="h-lesson"><h2 id="h-lesson">The lesson</h2>',
    report.mitigation ? `<p class="mitigation">${esc(mitigationSentence(report.mitigation))} ${docLink('#milestones-and-durations', 'Why two times?')}</p>` : '',
    '<div class="cols lesson">',
    `<div class="sinks"><h3>The biggest time sinks</h3>${sinks.length === 0 ? `<p class="muted">${esc(noTimeSinks(card))}</p>` : `<ol>${sinks.join('')}</ol>`}</div>`,
    `<div class="well"><h3>Went well</h3>${list(card.wentWell, 'Nothing stood out.')}</div>`,
    `<div class="badly"><h3>Went badly</h3>${list(card.wentBadly, 'Nothing went badly.')}</div>`,
    '</div>',
    '</section>',
  ].join('\n');
}

export function renderHtml(card: Scorecard, report: ReportModel): string {
  const c = card.conduct;
  const m = card.milestones;
  const scoreClass = card.grade.score >= 80 ? 'good' : card.grade.score >= 50 ? 'fair' : 'poor';

  const gradeRows = card.grade.components.map((g) => [esc(g.name), esc(g.weight), esc(g.value.toFixed(2)), esc(g.points.toFixed(2)), esc(g.detail)]);
  gradeRows.push(['<strong>total</strong>', esc(card.grade.components.reduce((s, g) => s + g.weight, 0)), '', `<strong>${esc(card.grade.score.toFixed(1))}</strong>`, '']);

  const milestoneTable = milestoneRows(report.markers, report.mitigation).map((k) => [esc(k.label), `<time>${esc(clock(k.t))}</time>`]);
  const missing = (Object.keys(m) as (keyof typeof m)[]).filter((k) => m[k] === null);
  const responseRows = report.responseTimes.map((r) => [esc(r.name), esc(r.from), esc(minutes(r.actual)), esc(minutes(r.objective)), card.prevented ? '<span class="ok">not needed: prevented</span>' : yes(r.met, 'met', r.actual === null ? 'never' : 'late')]);

  const impactRows = report.journeys.map((j) => [
    `${esc(j.name)} <code>${esc(j.journey)}</code>`,
    `${esc(formatCount(j.failed))} ${esc(j.unit)}`,
    esc(formatMoney(j.lost)),
    esc(j.badMinutes.toFixed(1)),
    esc(formatPercent(j.budgetBurned, 0)),
    esc(formatMoney(j.untreated.lost)),
    esc(formatPercent(j.avoidedShare)),
  ]);
  impactRows.push([
    '<strong>total</strong>',
    `<strong>${esc(formatCount(card.impact.failed))}</strong> requests`,
    `<strong>${esc(formatMoney(card.impact.lost))}</strong>`,
    '',
    '',
    esc(formatMoney(card.impact.untreated.lost)),
    `<strong>${esc(formatPercent(card.impact.avoidedShare))}</strong>`,
  ]);

  const decisionRows = report.decisions.map((d) => [
    `<time>${esc(clock(d.t))}</time>`,
    esc(d.actor),
    `${esc(d.what)}<br><code>${esc([d.command, d.target].filter(Boolean).join(' '))}</code>`,
    d.ok ? '<span class="ok">✓ accepted</span>' : `<span class="bad">✗ ${esc(d.code ?? 'rejected')}</span><br><small>${esc(d.message ?? '')}</small>`,
    d.advice ? `${badge(`label-${d.advice.label}`, d.advice.label)} <code>${esc(d.advice.id)}</code>` : '',
    d.followed.length === 0 ? '<span class="muted">nothing</span>' : `<ul class="followed">${d.followed.map((f) => `<li><time>${esc(clock(f.t))}</time> ${esc(f.text)}</li>`).join('')}</ul>`,
  ]);

  const adviceRows = report.advice.map((a) => [
    `${esc(a.title ?? a.id)}<br><code>${esc(a.id)}</code>`,
    esc(a.source),
    badge(`label-${a.label}`, a.label),
    a.proposes ? `<code>${esc(a.proposes)}</code>` : '',
    `<time>${esc(clock(a.shownAt))}</time>`,
    a.followed ? `${a.label === 'correct' ? '<span class="ok">' : '<span class="bad">'}${esc(a.followed.by)} at ${esc(clock(a.followed.t))}</span>` : '<span class="muted">not followed</span>',
    esc(a.note ?? ''),
  ]);
  const approvalRows = report.approvals.map((a) => [
    `<code>${esc(a.request)}</code>`,
    person(a.requestedBy, a.requestedById),
    `<time>${esc(clock(a.requestedAt))}</time>`,
    a.outcome === 'granted' ? '<span class="ok">granted</span>' : `<span class="bad">${esc(a.outcome)}</span>`,
    a.by === null ? '—' : person(a.by, a.byId),
    esc(a.waitedMs === null ? '—' : minutes(a.waitedMs)),
  ]);
  const roleRows = c.roles.map((r) => [esc(r.role), r.person ? esc(r.person) : '<span class="bad">unfilled</span>', `<time>${esc(clock(r.at))}</time>`, esc(r.afterDetectionMs === null ? '—' : minutes(r.afterDetectionMs))]);
  const gapRows = c.statusUpdates.gaps.map((g) => [`<time>${esc(clock(g.from))}</time>`, `<time>${esc(clock(g.to))}</time>`, esc(minutes(g.ms))]);
  const harmful = c.harmfulActions.map((h) => `<li><code>${esc(h.action)}</code> by ${esc(h.by)} at <time>${esc(clock(h.t))}</time> set off <code>${esc(h.fault)}</code></li>`);

  const counts: Record<string, number> = { system: 0, human: 0, advice: 0 };
  for (const e of report.timeline) counts[e.kind] = (counts[e.kind] ?? 0) + 1;

  const body = [
    '<header>',
    `<p class="eyebrow">sevdrill after-action report</p>`,
    `<h1>${esc(report.title)}</h1>`,
    '<dl class="meta">',
    `<div><dt>scenario</dt><dd><code>${esc(report.scenarioId)}</code></dd></div>`,
    `<div><dt>seed</dt><dd>${esc(report.seed)}</dd></div>`,
    `<div><dt>ran to</dt><dd>${esc(clock(report.endedAt))}${report.endReason ? ` (${esc(report.endReason)})` : ''}</dd></div>`,
    `<div><dt>root cause</dt><dd>${report.rootCause ? `<code>${esc(report.rootCause.id)}</code> (${esc(report.rootCause.kind)} on ${esc((report.rootCause.targets ?? [report.rootCause.target]).join(', '))})` : '—'}</dd></div>`,
    '</dl>',
    `<div class="score ${scoreClass}" role="group" aria-label="score"><span class="score-value" data-score="${esc(card.grade.score)}">${esc(card.grade.score.toFixed(1))}</span><span class="score-max">/ 100</span></div>`,
    '</header>',
    '<main>',
    lesson(card, report),
    '<section id="score" aria-labelledby="h-score"><h2 id="h-score">Score</h2>',
    `<p>Each component is worth 0 to 1; the score is 100 × Σ weight × value ÷ Σ weight. ${docLink('', 'How the score is computed')} has the formulas (<code>docs/scoring.md</code> in the sevdrill repository).</p>`,
    table('Score components', ['component', 'weight', 'value (0–1)', 'points', 'detail'], gradeRows, 'grade'),
    '</section>',
    '<section id="milestones" aria-labelledby="h-milestones"><h2 id="h-milestones">Milestones and response times</h2>',
    '<div class="cols">',
    table('Milestones (simulated time)', ['milestone', 'at'], milestoneTable),
    table('Response times against the objectives', ['response', 'measured from', 'took', 'objective', 'result'], responseRows),
    '</div>',
    missing.length > 0 ? `<p class="muted">Never reached: ${esc(missing.map((k) => k).join(', '))}.</p>` : '',
    Object.keys(report.variation).length > 0 ? `<p class="muted" id="variation">What seed ${esc(report.seed)} drew: ${esc(describeVariation(report.variation))}.</p>` : '',
    '</section>',
    '<section id="impact" aria-labelledby="h-impact"><h2 id="h-impact">Customer impact</h2>',
    `<p>Compared with the untreated run: the same scenario and seed with only the facilitator's inputs, nobody responding. The team avoided <strong>${esc(formatPercent(card.impact.avoidedShare))}</strong> of its lost revenue.</p>`,
    table('Customer impact per journey', ['journey', 'failed', 'revenue lost', 'minutes out of SLO', 'error budget burned (30 days)', 'untreated: lost', 'avoided'], impactRows, 'numeric'),
    '</section>',
    '<section id="charts" aria-labelledby="h-charts"><h2 id="h-charts">Error rate per journey</h2>',
    `<p>From ${esc(clock(report.chart.from))} to ${esc(clock(report.chart.to))} of simulated time${report.chart.to < report.endedAt ? ` (the run went on to ${esc(clock(report.endedAt))})` : ''}, one point per ${esc(report.chart.tickMs / 1000)} s tick, re-simulated from the log.</p>`,
    ...report.chart.journeys.map((s) => journeyChart(report.chart, s)),
    '</section>',
    '<section id="timeline" aria-labelledby="h-timeline"><h2 id="h-timeline">Timeline</h2>',
    `<p>${esc(counts.system ?? 0)} system events, ${esc(counts.human ?? 0)} human actions, ${esc(counts.advice ?? 0)} pieces of advice. Faults and advice labels were hidden from responders during the drill.</p>`,
    table('Timeline', ['time', 'kind', 'event', 'what happened', 'result'], report.timeline.map(timelineRow), 'timeline'),
    '</section>',
    '<section id="decisions" aria-labelledby="h-decisions"><h2 id="h-decisions">Decision log</h2>',
    table('Every command, accepted or rejected, and what followed', ['time', 'who', 'what', 'result', 'advice followed', 'what followed'], decisionRows, 'decisions'),
    '</section>',
    '<section id="conduct" aria-labelledby="h-conduct"><h2 id="h-conduct">Conduct</h2>',
    '<h3>Advice</h3>',
    table('Advice shown, with its label (hidden from responders)', ['advice', 'source', 'label', 'proposes', 'shown', 'followed', 'facilitator note'], adviceRows),
    report.assistant.length === 0
      ? ''
      : `<h3>The assistant</h3>${table(
          'Questions to the assistant, each answer beside the page it cited (its staleness was hidden from responders)',
          ['asked', 'by', 'question', 'cited', 'proposes', 'source checked', 'why the page was stale'],
          report.assistant.map((a) => [
            `<time>${esc(clock(a.t))}</time>`,
            esc(a.by),
            esc(a.question),
            a.page === null ? '<span class="muted">nothing</span>' : `${esc(a.title ?? a.page)}<br><span class="muted">edited ${esc(a.edited ?? '?')}</span>`,
            a.proposes ? `<code>${esc(a.proposes)}</code>` : '',
            a.page === null ? '' : a.sourceChecked ? '<span class="ok">yes</span>' : '<span class="bad">no</span>',
            a.staleBecause === null ? (a.page === null ? '' : 'current') : esc(a.staleBecause),
          ]),
        )}`,
    ...verificationTables(card).map((t) => `<h3>${esc(t.title)}</h3>${table(t.caption, t.head, t.rows.map((r) => r.map(esc)))}`),
    '<h3>Harmful actions</h3>',
    harmful.length === 0 ? '<p class="muted">No action set off a fault.</p>' : `<ul>${harmful.join('')}</ul>`,
    '<h3>Approvals</h3>',
    approvalRows.length === 0 ? '<p class="muted">No approval was requested.</p>' : table('Approvals (controlled friction)', ['request', 'requested by', 'at', 'outcome', 'decided by', 'waited'], approvalRows),
    `<p>${esc(c.approvalsBypassed.length)} bypassed, ${esc(c.approvalsDenied.length)} denied.</p>`,
    '<h3>Status updates</h3>',
    `<p>${esc(c.statusUpdates.count)} posted; due at least every ${esc(minutes(c.statusUpdates.cadenceMs))} from detection to resolution.</p>`,
    gapRows.length === 0 ? '<p class="ok">No gaps.</p>' : table('Gaps between status updates', ['from', 'to', 'length'], gapRows),
    '<h3>Roles</h3>',
    table('Incident roles', ['role', 'person', 'taken at', 'after detection'], roleRows),
    '<h3>Severity</h3>',
    `<p>Declared ${esc(c.severity.declared === null ? 'never' : `Sev ${c.severity.declared}`)}${c.severity.at !== null ? ` at ${esc(clock(c.severity.at))}` : ''}; highest ${esc(c.severity.highest === null ? '—' : `Sev ${c.severity.highest}`)}; expected Sev ${esc(c.severity.expected)}: ${yes(c.severity.correct, 'right', 'wrong')}.</p>`,
    `<p>${esc(c.rejectedCommands)} command(s) rejected by the engine.</p>`,
    '</section>',
    '</main>',
    `<footer><p>Generated by <code>sevdrill score</code> from the event log alone (scorecard v${esc(card.version)}, report v${esc(report.version)}). The same log always gives the same report.</p></footer>`,
  ].join('\n');

  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(`After-action report — ${clip(report.title, 120)} — ${card.grade.score.toFixed(1)}/100`)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const CSS = `
:root { --ink: #1d232b; --muted: #5d6875; --line: #d9dee4; --bg: #ffffff; --panel: #f5f7f9;
  --series: #2457a6; --slo: #c2410c; --impact: rgba(220, 38, 38, 0.10); --impact-edge: rgba(220, 38, 38, 0.35);
  --milestone: #6b7280; --ok: #15803d; --bad: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
header, main, footer { max-width: 1120px; margin: 0 auto; padding: 0 24px; }
header { display: grid; grid-template-columns: 1fr auto; gap: 4px 32px; padding-top: 28px; padding-bottom: 12px; border-bottom: 1px solid var(--line); }
header .eyebrow { grid-column: 1; margin: 0; color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .06em; }
header h1 { grid-column: 1; margin: 0; font-size: 26px; line-height: 1.25; }
header .meta { grid-column: 1; display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 8px 0 0; }
header .meta div { display: flex; gap: 6px; }
header .meta dt { color: var(--muted); }
header .meta dd { margin: 0; }
.score { grid-column: 2; grid-row: 1 / span 3; align-self: center; text-align: right; white-space: nowrap; }
.score-value { font-size: 56px; font-weight: 700; line-height: 1; }
.score-max { font-size: 20px; color: var(--muted); margin-left: 4px; }
.score.good .score-value { color: var(--ok); } .score.fair .score-value { color: #b45309; } .score.poor .score-value { color: var(--bad); }
h2 { font-size: 20px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 16px; margin: 20px 0 6px; }
section > p { max-width: 80ch; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; color: var(--muted); }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--panel); font-weight: 600; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
table.numeric td:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.timeline td:nth-child(4) { width: 62%; }
table.decisions ul.followed { margin: 0; padding-left: 16px; }
time { font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--panel); padding: 0 3px; border-radius: 3px; overflow-wrap: break-word; }
td code { white-space: nowrap; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 0 24px; align-items: start; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600; line-height: 18px; white-space: nowrap; }
.kind-system { background: #e5e7eb; color: #374151; } .kind-human { background: #dbeafe; color: #1e40af; } .kind-advice { background: #ede9fe; color: #5b21b6; }
.label-correct { background: #dcfce7; color: #166534; } .label-stale { background: #fef3c7; color: #92400e; } .label-harmful { background: #fee2e2; color: #991b1b; }
.ok { color: var(--ok); font-weight: 600; white-space: nowrap; } .bad { color: var(--bad); font-weight: 600; white-space: nowrap; } .muted { color: var(--muted); }
.well h3 { color: var(--ok); } .badly h3 { color: var(--bad); } .sinks h3 { color: #b45309; }
/* Three columns down to a 900-px-wide frame (the console's, with the leaderboard open), then fewer. */
.cols.lesson { grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); }
.lesson ol, .lesson ul { margin: 0; padding-left: 20px; } .lesson li { margin: 0 0 6px; }
a { color: var(--series); }
figure.chart { margin: 12px 0 24px; padding: 8px 12px 10px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
figure.chart figcaption { font-size: 13px; color: var(--muted); }
.chart-svg { display: block; width: 100%; height: auto; font: 11px system-ui, sans-serif; }
.chart-svg .grid { stroke: #eef1f4; } .chart-svg .axis { stroke: #9aa4af; } .chart-svg .axis-tick { stroke: #9aa4af; }
.chart-svg .axis-label { fill: var(--muted); } .chart-svg .axis-title { fill: var(--muted); font-style: italic; }
.chart-svg .impact-window { fill: var(--impact); stroke: var(--impact-edge); stroke-dasharray: 2 2; }
.chart-svg .slo-threshold { stroke: var(--slo); stroke-width: 1.5; stroke-dasharray: 6 4; } .chart-svg .slo-label { fill: var(--slo); font-weight: 600; }
.chart-svg .milestone-line { stroke: var(--milestone); stroke-dasharray: 3 3; } .chart-svg .milestone-label { fill: #374151; font-weight: 600; }
.chart-svg .series { fill: none; stroke: var(--series); stroke-width: 1.6; stroke-linejoin: round; }
.chart-svg .point { fill: var(--series); }
.key { display: inline-block; width: 18px; height: 10px; margin: 0 4px 0 10px; vertical-align: middle; }
.key-series { border-top: 2px solid var(--series); height: 0; } .key-slo { border-top: 2px dashed var(--slo); height: 0; }
.key-impact { background: var(--impact); border: 1px dashed var(--impact-edge); } .key-milestone { border-left: 1px dashed var(--milestone); width: 1px; height: 12px; }
footer { margin-top: 32px; padding-top: 8px; padding-bottom: 32px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
@media print { figure.chart { break-inside: avoid; } }
`.trim();
