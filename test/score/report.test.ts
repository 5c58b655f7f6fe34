/** The after-action report: its model (timeline, decisions, charts), its three renderings and `sevdrill score`. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHeader } from '../../engine/core/log/log.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import type { EngineEvent, EventOf } from '../../engine/protocol/events.ts';
import { downsampleIndices } from '../../engine/score/report-format.ts';
import { MAX_CHART_POINTS, esc, renderHtml } from '../../engine/score/report-html.ts';
import { renderJson } from '../../engine/score/report-json.ts';
import { mdEscape, renderMarkdown, sparkline } from '../../engine/score/report-markdown.ts';
import { scoreLog } from '../../engine/score/scorecard.ts';
import { CHART_MILESTONES, buildReport } from '../../engine/score/timeline.ts';
import { ROOT, at, tinyScenario } from '../helpers.ts';
import { scoredRun } from './runs.ts';

const report = (name: string) => {
  const run = scoredRun(name);
  return { ...run, report: buildReport(run.header, run.events, run.card) };
};
const bad = report('retail-sev1.bad');
const good = report('retail-sev1');

describe('the timeline', () => {
  it('holds every event but the per-minute bookkeeping, in log order, each with a kind and a sentence', () => {
    const { timeline } = bad.report;
    expect(timeline.length).toBe(bad.events.filter((e) => e.type !== 'impact.minute' && e.type !== 'checkpoint').length);
    expect(timeline.map((e) => e.seq)).toEqual([...timeline.map((e) => e.seq)].sort((a, b) => a - b));
    for (const e of timeline) {
      expect(['system', 'human', 'advice']).toContain(e.kind);
      expect(e.text).toMatch(/^\S.*[.”]$/);
    }
  });

  it('shows advice with its facilitator label', () => {
    const advice = bad.report.timeline.filter((e) => e.kind === 'advice');
    expect(advice.map((e) => [e.t, e.label])).toEqual([
      // When the scenario's seed draws each advice (11m ± 2m, 12m ± 2m, 15m ± 2m), on the next tick.
      [670_000, 'stale'],
      [700_000, 'correct'],
      [930_000, 'harmful'],
    ]);
    expect(advice[0]?.text).toBe('Advice from the AI assistant: “Account errors: known issue?”, proposing to restart Account pages (stale).');
  });

  it('shows commands as human actions, accepted or rejected with their code', () => {
    const commands = bad.report.timeline.filter((e) => e.type === 'command' && e.kind === 'human');
    expect(commands.map((e) => e.ok)).toEqual([true, true, true, true, true, false, true, true]);
    expect(commands[0]?.text).toBe('alice acknowledged the page.');
    const rejected = commands.find((e) => e.ok === false);
    expect(rejected).toMatchObject({ t: 2_430_000, code: 'self-approval' });
    expect(rejected?.text).toBe('bob tried to approve “Roll back Pricing”: rejected with self-approval (a second person must approve this request; you asked for it).');
    // The facilitator's start is a system entry.
    expect(bad.report.timeline[0]).toMatchObject({ kind: 'system', type: 'command', ok: true, text: 'facilitator started the drill.' });
  });

  it('shows the hidden faults, including the ones the responders set off', () => {
    const faults = bad.report.timeline.filter((e) => e.type === 'fault.started').map((e) => e.text);
    expect(faults).toContain('Fault pricing-rules-v2 (config-deploy) started on Pricing, as scheduled.');
    expect(faults).toContain('Fault login-herd (thundering-herd) started on Auth, set off by “Restart Account pages” (run by alice).');
    expect(bad.report.timeline.find((e) => e.type === 'incident.state' && e.t === 560_000)).toMatchObject({ kind: 'system', text: 'Incident detected: the page “Checkout errors > 5%” fired.' });
    expect(bad.report.timeline.find((e) => e.type === 'status.posted')).toBeUndefined();
    expect(good.report.timeline.filter((e) => e.type === 'status.posted' && e.kind === 'human')).toHaveLength(3);
  });

  it('marks the milestones from the scorecard', () => {
    expect(bad.report.markers.map((m) => [m.name, m.t])).toEqual([
      ['started', 250_000],
      ['impactStart', 310_000],
      ['detected', 560_000],
      ['acknowledged', 960_000],
      ['declared', 1_800_000],
      ['mitigated', 2_770_000],
      ['resolved', 3_900_000],
    ]);
    expect(bad.report.chart.markers.map((m) => m.name)).toEqual([...CHART_MILESTONES]);
  });
});

describe('the decision log', () => {
  const decisions = bad.report.decisions;

  it('has every command: who, what, when, accepted or the rejection code', () => {
    expect(decisions.map((d) => d.seq)).toEqual(bad.events.filter((e) => e.type === 'command').map((e) => e.seq));
    expect(decisions.map((d) => `${d.actor} ${d.what} ${d.ok ? 'ok' : d.code}`)).toEqual([
      'facilitator start the drill ok',
      'alice acknowledge the page ok',
      'alice restart Account pages ok',
      "alice flush Pricing's cache ok",
      'alice declare Sev 2 ok',
      'bob roll back Pricing ok',
      'bob approve “Roll back Pricing” self-approval',
      'alice approve “Roll back Pricing” ok',
      'alice resolve the incident ok',
    ]);
  });

  it('links the advice a command followed and what followed it', () => {
    const restart = decisions.find((d) => d.command === 'restart');
    expect(restart?.advice).toEqual({ id: 'assistant-restart-account', label: 'stale' });
    expect(restart?.followed.map((f) => f.type)).toEqual(['action.started', 'service.state', 'action.completed', 'fault.started']);
    expect(restart?.followed.at(-1)?.text).toMatch(/login-herd/);
    const rollback = decisions.find((d) => d.command === 'rollback');
    expect(rollback?.advice).toEqual({ id: 'runbook-pricing-rollback', label: 'correct' });
    expect(rollback?.followed.map((f) => [f.t, f.type])).toEqual([
      [2_400_000, 'approval.requested'],
      [2_460_000, 'approval.granted'],
      [2_460_000, 'action.started'],
      // The rollback takes what the scenario's seed draws for it (2m30s to 6m30s): 2m40s.
      [2_620_000, 'action.completed'],
      [2_620_000, 'fault.ended'],
    ]);
    expect(decisions.find((d) => d.ok === false)?.followed).toEqual([]);
    expect(decisions.find((d) => d.command === 'ack')?.followed.map((f) => f.text)).toEqual(['Incident acknowledged.']);
  });

  it('lists advice, approvals and journeys with the untreated comparison', () => {
    expect(bad.report.advice.map((a) => [a.id, a.label, a.followed?.by ?? null])).toEqual([
      ['assistant-restart-account', 'stale', 'alice'],
      ['runbook-pricing-rollback', 'correct', 'bob'],
      ['colleague-flush-cache', 'harmful', 'alice'],
    ]);
    expect(bad.report.approvals).toEqual([
      { request: 'rollback:pricing', requestedBy: 'bob', requestedById: null, requestedAt: 2_400_000, outcome: 'granted', by: 'alice', byId: null, decidedAt: 2_460_000, waitedMs: 60_000 },
    ]);
    const lost = bad.report.journeys.reduce((s, j) => s + j.lost, 0);
    const untreated = bad.report.journeys.reduce((s, j) => s + j.untreated.lost, 0);
    expect(lost).toBeCloseTo(bad.card.impact.lost, 1);
    expect(untreated).toBeCloseTo(bad.card.impact.untreated.lost, 1);
    for (const j of bad.report.journeys) expect(j.avoidedShare).toBeCloseTo(1 - j.lost / j.untreated.lost, 4);
  });
});

describe('the chart series', () => {
  it('has the error rate of every journey at every tick, re-simulated to match the log', () => {
    const { chart } = bad.report;
    expect(chart.t[0]).toBe(0);
    chart.t.forEach((t, i) => expect(t).toBe(i * chart.tickMs));
    for (const s of chart.journeys) expect(s.errorRate).toHaveLength(chart.t.length);
    // Every SLO change in the log carries the error rate over the SLO's window (a minute: six ticks),
    // a request-weighted mean of the ticks' rates: the samples agree, within rounding.
    const slo = bad.events.filter((e): e is EventOf<'journey.slo'> => e.type === 'journey.slo' && e.t <= chart.to);
    expect(slo.length).toBeGreaterThan(0);
    for (const e of slo) {
      const series = chart.journeys.find((s) => s.journey === e.journey);
      const at = chart.t.indexOf(e.t);
      const window = series?.errorRate.slice(Math.max(0, at - 5), at + 1) ?? [];
      expect(window).toHaveLength(6);
      expect(e.errorRate).toBeGreaterThanOrEqual(Math.min(...window) - 1e-4);
      expect(e.errorRate).toBeLessThanOrEqual(Math.max(...window) + 1e-4);
    }
  });

  it('covers the incident plus ten minutes, with the impact window from impact start to mitigation', () => {
    expect(bad.report.chart.to).toBe(3_900_000 + 600_000);
    expect(bad.report.chart.impactWindow).toEqual({ from: 310_000, to: 2_770_000 });
    expect(good.report.chart.impactWindow).toEqual({ from: 310_000, to: good.card.milestones.mitigated });
  });

  it('runs to the end when impact never ended', () => {
    const untreated = report('retail-sev1.untreated');
    expect(untreated.card.milestones.mitigated).toBeNull();
    expect(untreated.report.chart.to).toBe(untreated.card.endedAt);
    expect(untreated.report.chart.impactWindow).toEqual({ from: 310_000, to: untreated.card.endedAt });
    // The last tick runs at 05:59:50; the drill ends at 06:00:00.
    expect(untreated.report.chart.t).toHaveLength(untreated.card.endedAt / 10_000);
  });

  it('downsamples keeping each bucket’s extremes', () => {
    const values = Array.from({ length: 2000 }, (_, i) => (i === 1234 ? 5 : i === 777 ? -5 : Math.sin(i / 50)));
    const keep = downsampleIndices(values, 400);
    expect(keep.length).toBeLessThanOrEqual(400);
    expect(keep).toContain(1234);
    expect(keep).toContain(777);
    expect(keep).toEqual([...keep].sort((a, b) => a - b));
    expect(downsampleIndices([1, 2, 3], 400)).toEqual([0, 1, 2]);
  });
});

describe('the HTML report', () => {
  const html = renderHtml(bad.card, bad.report);

  it('is one self-contained file: no scripts, no external styles, fonts or images', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\bsrc=/i);
    // The only links: the scoring guide the same server serves, opened in a new tab (it may not be framed).
    expect([...html.matchAll(/<a [^>]*>/g)].map((a) => a[0])).toEqual([
      '<a href="/docs/scoring#milestones-and-durations" target="_blank" rel="noopener">',
      '<a href="/docs/scoring" target="_blank" rel="noopener">',
    ]);
    expect(html.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\//);
    expect(html.length).toBeLessThan(400_000);
  });

  it('has a chart per journey with points, the SLO line, the impact window and milestone markers', () => {
    const charts = html.split('<figure class="chart"').slice(1);
    expect(charts).toHaveLength(3);
    for (const chart of charts) {
      const points = chart.match(/<circle class="point"/g)?.length ?? 0;
      expect(points).toBeGreaterThan(10);
      expect(points).toBeLessThanOrEqual(MAX_CHART_POINTS);
      expect(chart).toContain(`data-points="${points}"`);
      expect(chart).toMatch(/<svg [^>]*role="img" aria-labelledby="[^"]+"/);
      expect(chart).toMatch(/<title id="[^"]+">[^<]+<\/title><desc id="[^"]+">[^<]+<\/desc>/);
      expect(chart).toMatch(/<line class="slo-threshold"/);
      expect(chart).toMatch(/<rect class="impact-window"/);
      for (const m of CHART_MILESTONES) expect(chart).toContain(`data-milestone="${m}"`);
    }
  });

  it('has the sections of a debrief, with table headers', () => {
    for (const h of ['The lesson', 'Score', 'Milestones and response times', 'Customer impact', 'Error rate per journey', 'Timeline', 'Decision log', 'Conduct']) {
      expect(html).toMatch(new RegExp(`<h2 id="[^"]+">${h}</h2>`));
    }
    expect(html).toContain('<span class="score-value" data-score="57.9">57.9</span>');
    expect(html).toContain('<th scope="col">component</th>');
    expect(html).toContain('<span class="badge kind-advice">advice</span>');
    expect(html).toContain('<span class="badge label-harmful">harmful</span>');
    expect(html).toContain('Roles never filled: ic, comms, ops.');
  });
});

describe('escaping', () => {
  const nasty = '<script>alert(1)</script> | *x* & "q"';
  const scenario = tinyScenario({ title: `Tiny <img src=x onerror=alert(1)> ${nasty}` });
  const session = runScenario(scenario, {
    commands: [at(6.5, '<b>ana</b>', 'ack'), at(7, 'cy', 'status-update', undefined, { message: nasty }), at(7, 'cy', 'declare', undefined, { severity: 9 })],
    until: 1_200_000,
  });
  const header = createHeader(scenario, session.seed, 'test');
  const card = scoreLog(header, session.events);
  const model = buildReport(header, session.events, card);

  it('HTML escapes every piece of text', () => {
    const html = renderHtml(card, model);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>ana</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;ana&lt;/b&gt;');
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('Markdown keeps tables intact and raw HTML out', () => {
    const md = renderMarkdown(card, model);
    expect(md).not.toContain('<script');
    expect(md).not.toContain('<b>ana');
    const row = md.split('\n').find((l) => l.includes('posted a status update'));
    expect(row).toBeDefined();
    expect(row?.split(/(?<!\\)\|/).length).toBe(7); // five cells between six pipes
    expect(md.split('\n').find((l) => l.includes('bad-severity'))).toContain('✗ bad-severity');
    expect(mdEscape('a|b\nc<d>')).toBe('a\\|b c&lt;d&gt;');
  });
});

describe('the Markdown and JSON reports', () => {
  it('Markdown has the same sections, with a sparkline per journey', () => {
    const md = renderMarkdown(bad.card, bad.report);
    for (const h of ['## The lesson', '### The biggest time sinks', '### What went well', '### What went badly', '## Score', '## Milestones and response times', '## Customer impact', '## Error rate per journey', '## Timeline', '## Decision log', '## Conduct']) {
      expect(md).toContain(`\n${h}\n`);
    }
    expect(md).toContain('**Score: 57.9 / 100**');
    expect(md).toMatch(/- \*\*Check out\*\* \(`checkout`\): `[▁▂▃▄▅▆▇█]{60}` peak/);
    expect(sparkline([0, 0.5, 1], 3)).toBe('▁▅█');
  });

  it('says what the seed drew, in every format, so reports of two seeds can be compared', () => {
    const drew = bad.report.variation;
    expect(drew).toEqual(scoredRun('retail-sev1.bad').header.variation);
    // Drawn to the second; the fault starts at the next tick (00:04:10).
    expect(drew['faults.pricing-rules-v2.at']).toBe(246_000);
    expect(renderMarkdown(bad.card, bad.report)).toContain('What seed 7 drew: traffic.level ');
    expect(renderMarkdown(bad.card, bad.report)).toContain('pricing-rules-v2.at 00:04:06');
    expect(renderHtml(bad.card, bad.report)).toMatch(/<p class="muted" id="variation">What seed 7 drew: [^<]*pricing-rules-v2\.at 00:04:06/);
    expect(JSON.parse(renderJson(bad.card, bad.report)).report.variation).toEqual(drew);
  });

  it('JSON is the scorecard plus the report model, on one line', () => {
    const json = renderJson(bad.card, bad.report);
    expect(json.endsWith('}\n')).toBe(true);
    expect(json.trimEnd()).not.toContain('\n');
    const parsed = JSON.parse(json);
    expect(Object.keys(parsed)).toEqual(['format', 'scorecard', 'report']);
    expect(parsed.report.decisions).toHaveLength(9);
  });
});

describe('sevdrill score', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sevdrill-score-cli-'));
  const log = join(dir, 'run.jsonl');
  writeFileSync(log, good.log);
  const notALog = join(dir, 'not-a-log.jsonl');
  writeFileSync(notALog, '{"format":"something-else"}\n');
  const sevdrill = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['bin/sevdrill.mjs', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('prints Markdown by default, and writes HTML with --out', () => {
    const md = sevdrill('score', log);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toBe(renderMarkdown(good.card, good.report));
    const out = join(dir, 'report.html');
    const html = sevdrill('score', log, '--format', 'html', '--out', out);
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).toBe(`${out}: html report, score ${good.card.grade.score.toFixed(1)}/100\n`);
    expect(existsSync(out) && readFileSync(out, 'utf8')).toBe(renderHtml(good.card, good.report));
  });

  it('refuses a log that does not replay identically, showing the first difference', () => {
    const lines = good.log.split('\n');
    const i = lines.findIndex((l) => l.includes('"type":"status.posted"'));
    const event = JSON.parse(lines[i] as string) as EngineEvent;
    lines[i] = JSON.stringify({ ...event, message: 'All good, nothing to see.' });
    const tampered = join(dir, 'tampered.jsonl');
    writeFileSync(tampered, lines.join('\n'));
    const r = sevdrill('score', tampered, '--format', 'json');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`tampered.jsonl:${i + 1}: event differs; the log does not replay identically, so it cannot be scored`);
    expect(r.stderr).toMatch(/log: +\{.*All good/);
  });

  it('refuses a file that is not a sevdrill log', () => {
    const r = sevdrill('score', notALog);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${notALog}:1: not a sevdrill log (no header)\n`);
  });

  it('refuses a log whose commands were removed', () => {
    const lines = good.log.split('\n').filter((l) => !l.includes('"command":"status-update"'));
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, lines.join('\n'));
    expect(sevdrill('score', cut).code).toBe(1);
  });

  it.each([
    [['score'], 2, 'give exactly one log file'],
    [['score', 'a.jsonl', 'b.jsonl'], 2, 'give exactly one log file'],
    [['score', 'x.jsonl', '--format', 'pdf'], 2, '--format must be one of md, html, json'],
    [['score', 'x.jsonl', '--bogus'], 2, "Unknown option '--bogus'"],
    [['score', 'nope.jsonl'], 1, 'nope.jsonl:1:1: cannot read file'],
    [['score', 'package.json'], 1, 'package.json:1: the header is not JSON'],
    [['score', 'test/fixtures/valid/minimal.plan.yaml'], 1, 'minimal.plan.yaml:1: the header is not JSON'],
  ])('%j exits %i', (args, code, message) => {
    const r = sevdrill(...args);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('has --help with the exit codes, and is listed in the top-level help', () => {
    const help = sevdrill('score', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: sevdrill score <log\.jsonl> \[--format md\|html\|json\] \[--out FILE\]/);
    expect(help.stdout).toMatch(/exit codes: 0 ok, 1 .*, 2 usage error/);
    expect(sevdrill('--help').stdout).toMatch(/^ {2}score <log\.jsonl> /m);
  });

  it('also scores a log written by sevdrill run', () => {
    const runLog = join(dir, 'run-cli.jsonl');
    const run = sevdrill('run', 'scenarios/auth-cert-expiry.yaml', '--actions', 'scenarios/plans/auth-cert-expiry.plan.yaml', '--out', runLog);
    expect(run.code, run.stderr).toBe(0);
    const r = sevdrill('score', runLog, '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).scorecard.grade.score).toBe(scoredRun('auth-cert-expiry').card.grade.score);
  });
});

