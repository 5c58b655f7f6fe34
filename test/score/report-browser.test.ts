/**
 * The HTML report in a real browser: Debian's headless Chromium (/usr/bin/chromium, installed by
 * .ci/run) opens the file from disk; it must load without a console or page error, and its charts must
 * have their points, impact window and milestone markers. A screenshot goes to artifacts/report.png.
 *
 * The test never skips silently: without Chromium it fails, unless SEVDRILL_SKIP_BROWSER=1 is set on purpose.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../engine/score/report-html.ts';
import { buildReport } from '../../engine/score/timeline.ts';
import { ROOT } from '../helpers.ts';
import { SKIP_BROWSER, launchChromium } from '../ui/browser.ts';
import { scoredRun } from './runs.ts';

describe.skipIf(SKIP_BROWSER)('the HTML report in headless Chromium', () => {
  const run = scoredRun('retail-sev1');
  const report = buildReport(run.header, run.events, run.card);
  const file = join(mkdtempSync(join(tmpdir(), 'sevdrill-report-')), 'report.html');
  writeFileSync(file, renderHtml(run.card, report));

  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('request', (r) => {
      if (r.url() !== pathToFileURL(file).href) problems.push(`external request: ${r.url()}`);
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads with no console errors, page errors or requests for anything else', () => {
    expect(problems).toEqual([]);
  });

  it('shows the score', async () => {
    expect(await page.title()).toContain(`${run.card.grade.score.toFixed(1)}/100`);
    expect(await page.locator('.score-value').textContent()).toBe(run.card.grade.score.toFixed(1));
    expect(await page.locator('table.grade tbody tr').count()).toBe(run.card.grade.components.length + 1);
  });

  it('draws a chart per journey with its data points, SLO line, impact window and milestone markers', async () => {
    const charts = await page.locator('figure.chart').evaluateAll((figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg');
        const rect = f.querySelector('rect.impact-window')?.getBoundingClientRect();
        return {
          journey: f.getAttribute('data-journey'),
          points: f.querySelectorAll('circle.point').length,
          pathPoints: Number(f.querySelector('path.series')?.getAttribute('data-points')),
          pathLength: (f.querySelector('path.series') as unknown as { getTotalLength(): number } | null)?.getTotalLength() ?? 0,
          impactWidth: rect?.width ?? 0,
          slo: f.querySelectorAll('line.slo-threshold').length,
          milestones: [...f.querySelectorAll('g.milestone')].map((g) => g.getAttribute('data-milestone')),
          role: svg?.getAttribute('role'),
          labelledBy: (svg?.getAttribute('aria-labelledby') ?? '').split(' '),
        };
      }),
    );
    expect(charts.map((c) => c.journey)).toEqual(['product-price', 'checkout', 'account']);
    for (const c of charts) {
      expect(c.points).toBeGreaterThan(10);
      expect(c.pathPoints).toBe(c.points);
      expect(c.pathLength).toBeGreaterThan(100);
      expect(c.impactWidth).toBeGreaterThan(10);
      expect(c.slo).toBe(1);
      expect(c.milestones).toEqual(['detected', 'acknowledged', 'declared', 'mitigated', 'resolved']);
      expect(c.role).toBe('img');
      expect(c.labelledBy).toHaveLength(2);
      for (const id of c.labelledBy) expect((await page.locator(`[id="${id}"]`).textContent())?.length).toBeGreaterThan(10);
    }
  });

  it('lays out cleanly: no horizontal overflow, milestone labels do not overlap or leave their chart', async () => {
    expect(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    const charts = await page.locator('figure.chart svg').evaluateAll((svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const labels = [...svg.querySelectorAll('text.milestone-label')].map((t) => t.getBoundingClientRect());
        const overlaps = labels.flatMap((a, i) => labels.slice(i + 1).filter((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)).length;
        const outside = labels.filter((l) => l.left < box.left - 1 || l.right > box.right + 1 || l.top < box.top - 1).length;
        return { labels: labels.length, overlaps, outside };
      }),
    );
    for (const c of charts) expect(c).toEqual({ labels: 5, overlaps: 0, outside: 0 });
  });

  it('has the timeline, decision log and conduct tables with headers', async () => {
    expect(await page.locator('table.timeline tbody tr').count()).toBe(report.timeline.length);
    expect(await page.locator('table.decisions tbody tr').count()).toBe(report.decisions.length);
    const headless = await page.locator('table').evaluateAll((tables) => tables.filter((t) => t.querySelectorAll('thead th').length === 0).length);
    expect(headless).toBe(0);
    expect(await page.locator('h2').allTextContents()).toEqual([
      'The lesson',
      'Score',
      'Milestones and response times',
      'Customer impact',
      'Error rate per journey',
      'Timeline',
      'Decision log',
      'Conduct',
    ]);
  });

  it('saves a screenshot to artifacts/report.png', async () => {
    mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
    const out = join(ROOT, 'artifacts', 'report.png');
    await page.screenshot({ path: out, fullPage: true });
    await page.locator('#charts').screenshot({ path: join(ROOT, 'artifacts', 'report-charts.png') });
    expect(existsSync(out)).toBe(true);
  });
});
