/**
 * The debrief leads with the lesson (the biggest time sinks, what went well and badly, before any
 * table), and its mitigation times agree everywhere: the scorecard's `mitigated` (every journey back
 * within SLO) and the later confirmation the timeline shows are each named as what they are.
 */
import { describe, expect, it } from 'vitest';
import { summarizeRun } from '../../engine/core/read/summary.ts';
import { formatClock } from '../../engine/protocol/format.ts';
import { renderHtml } from '../../engine/score/report-html.ts';
import { renderMarkdown } from '../../engine/score/report-markdown.ts';
import { buildReport } from '../../engine/score/timeline.ts';
import { scoredRun } from './runs.ts';

const report = (name: string) => {
  const run = scoredRun(name);
  return { ...run, report: buildReport(run.header, run.events, run.card) };
};
const good = report('retail-sev1');
const html = renderHtml(good.card, good.report);
const md = renderMarkdown(good.card, good.report);
const text = (fragment: string) => fragment.replace(/<[^>]+>/g, ' ').replace(/&gt;/g, '>').replace(/\s+/g, ' ').trim();
const CLOCK = /\b\d\d:\d\d:\d\d\b/g;

describe('the lesson', () => {
  it('comes first in the HTML report: the time sinks, what went well and badly, once each, before any table', () => {
    const lesson = html.indexOf('<section id="lesson"');
    expect(lesson).toBeGreaterThan(0);
    expect(lesson).toBeLessThan(html.indexOf('<table'));
    expect(html.match(/<h3>Went well<\/h3>/g)).toHaveLength(1);
    expect(html.match(/<h3>Went badly<\/h3>/g)).toHaveLength(1);
    const sinks = [...html.matchAll(/<li data-from="\d+" data-to="\d+">([^<]+)<\/li>/g)].map((m) => m[1]?.replace(/&#39;/g, "'"));
    expect(sinks).toEqual(good.report.timeSinks.map((s) => s.text));
    expect(sinks).toHaveLength(3);
    for (const well of good.card.wentWell) expect(html.indexOf(well.replace(/"/g, '&quot;'))).toBeLessThan(html.indexOf('<table'));
  });

  it('comes first in the Markdown report too', () => {
    const firstTable = md.indexOf('\n|');
    expect(md.indexOf('## The lesson')).toBeLessThan(firstTable);
    expect(md.indexOf('### What went badly')).toBeLessThan(firstTable);
    expect(md).toContain(`1. ${good.report.timeSinks[0]?.text}`);
    expect(md.match(/### What went well/g)).toHaveLength(1);
  });

  it('says so when the incident was prevented, in both reports', () => {
    const cw = report('retail-change-window');
    expect(cw.report.timeSinks).toEqual([]);
    expect(renderHtml(cw.card, cw.report)).toContain('<h3>The biggest time sinks</h3><p class="muted">None: the team prevented the incident, so no time went into one.</p>');
    expect(renderMarkdown(cw.card, cw.report)).toContain('### The biggest time sinks\n\n_None: the team prevented the incident, so no time went into one._');
  });
});

describe('mitigation times agree everywhere (retail-sev1, reference plan)', () => {
  const back = good.card.milestones.mitigated as number;
  const confirmed = good.report.mitigation?.confirmedAt as number;
  const allowed = [formatClock(back), formatClock(confirmed)];

  it('the two times: every journey back within SLO, and the confirmation a stable period later', () => {
    expect(good.report.mitigation).toEqual({ backInSlo: back, confirmedAt: confirmed, stableMs: good.header.scenario.objectives.stable });
    expect(formatClock(back)).toBe('00:17:50');
    expect(formatClock(confirmed)).toBe('00:22:40');
    // The run summary (`sevdrill run`) and the chart show the scorecard's time.
    expect(summarizeRun(good.header.scenario, good.header.seed, good.events).milestones.mitigated).toBe(back);
    expect(good.report.chart.impactWindow?.to).toBe(back);
    expect(html).toContain(`data-milestone="mitigated" data-t="${back}"`);
  });

  it('every piece of the HTML report that mentions mitigation prints only those two times, and names the later one as the confirmation', () => {
    const pieces = [...html.matchAll(/<(tr|li|p|g class="milestone")[^>]*>[\s\S]*?<\/(tr|li|p|g)>/g)].map((m) => text(m[0])).filter((t) => /mitigat/i.test(t));
    expect(pieces.length).toBeGreaterThanOrEqual(5);
    for (const piece of pieces) {
      const times: string[] = piece.match(CLOCK) ?? [];
      for (const t of times) expect(allowed, piece).toContain(t);
      if (times.includes(formatClock(confirmed))) expect(piece).toMatch(/confirm/);
    }
    expect(pieces).toEqual(
      expect.arrayContaining([
        'mitigated: every journey back within its SLO 00:17:50',
        'mitigation confirmed (the incident marked mitigated) 00:22:40',
        'Every journey back within its SLO from 00:17:50 (mitigated; confirmed at 00:22:40, after the 5-minute stable period). Why two times?',
        expect.stringMatching(/^00:22:40 system incident.state Incident mitigated: every journey back within its SLO since 00:17:50, confirmed after the 5-minute stable period\./),
      ]),
    );
  });

  it('and so does every line of the Markdown report', () => {
    const lines = md.split('\n').filter((l) => /mitigat/i.test(l) && /\d\d:\d\d:\d\d/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      const times: string[] = line.match(CLOCK) ?? [];
      for (const t of times) expect(allowed, line).toContain(t);
      if (times.includes(formatClock(confirmed))) expect(line).toMatch(/confirm/);
    }
  });
});
