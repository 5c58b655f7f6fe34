/**
 * Security headers (engine/server/security.ts): every header exactly, on the app and on the report
 * route; the real after-action report has nothing the strict report CSP would block; and, in headless
 * Chromium, the policies and the pages agree: the report renders with no violation (opened directly,
 * framed, and in the sandboxed <iframe srcdoc> the console will use), and the console's same-origin
 * WebSocket gets through connect-src 'self'. Each browser check has a negative control, so a policy
 * that was never applied cannot pass.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { renderHtml } from '../../engine/score/report-html.ts';
import { buildReport } from '../../engine/score/timeline.ts';
import { appSecurity, reportSecurity } from '../../engine/server/security.ts';
import { scoredRun } from '../score/runs.ts';
import { SKIP_BROWSER, launchChromium } from '../ui/browser.ts';


const APP_CSP = "default-src 'self';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data:;connect-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";
const REPORT_CSP = "default-src 'none';style-src 'unsafe-inline';img-src data:;frame-ancestors 'self';base-uri 'none';form-action 'none'";
const COMMON = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

const run = scoredRun('retail-sev1');
const reportHtml = renderHtml(run.card, buildReport(run.header, run.events, run.card));

/** The console shell: external script and stylesheet only, plus one inline script that must be blocked. */
const SHELL = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>shell</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/app.css"></head><body>
<script>window.inlineRan = true;</script>
<iframe id="framed" src="/api/sessions/s1/report" title="framed report"></iframe>
<iframe id="srcdoc" sandbox="" title="report"></iframe>
<iframe id="control" sandbox="" title="control"></iframe>
<script type="module" src="/app.js"></script></body></html>`;

/** What the console will do: fetch the report into a sandboxed srcdoc frame, and open its socket. */
const APP_JS = `
window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.effectiveDirective + ' ' + e.blockedURI));
const opened = (url) => new Promise((resolve) => {
  const ws = new WebSocket(url);
  ws.onopen = () => { ws.close(); resolve('open'); };
  ws.onerror = () => resolve('error');
});
window.sockets = Promise.all([opened('ws://' + location.host + '/ws'), opened('ws://localhost:' + location.port + '/ws')]);
window.reportLoaded = fetch('/api/sessions/s1/report').then((r) => r.text()).then((html) => new Promise((resolve) => {
  const frame = document.getElementById('srcdoc');
  frame.onload = () => resolve(true);
  frame.srcdoc = html;
}));
// Negative control: an image from another origin inside a srcdoc frame is blocked by the inherited policy.
document.getElementById('control').srcdoc = '<p>control</p><img src="http://localhost:' + location.port + '/pixel.png">';
`;

function securedApp(): express.Express {
  const app = express();
  app.use(appSecurity());
  app.get('/', (_req, res) => {
    res.type('html').send(SHELL);
  });
  app.get('/app.js', (_req, res) => {
    res.type('text/javascript').send(APP_JS);
  });
  app.get('/app.css', (_req, res) => {
    res.type('text/css').send('body { margin: 0 }');
  });
  app.get('/api/x', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/api/sessions/:id/report', reportSecurity(), (_req, res) => {
    res.type('html').send(reportHtml);
  });
  return app;
}

let server: Server;
let base: string;
let port: number;

beforeAll(async () => {
  server = securedApp().listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws) => ws.send('hello'));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Every response header but the ones Node and Express add for transport. */
async function headers(path: string): Promise<Record<string, string>> {
  const res = await fetch(`${base}${path}`);
  await res.arrayBuffer();
  const transport = new Set(['date', 'connection', 'keep-alive', 'content-length', 'content-type', 'etag', 'transfer-encoding']);
  return Object.fromEntries([...res.headers].filter(([name]) => !transport.has(name)));
}

describe('headers', () => {
  it.each(['/', '/api/x', '/app.js'])('the app sets exactly these on %s', async (path) => {
    expect(await headers(path)).toEqual({ ...COMMON, 'content-security-policy': APP_CSP, 'x-frame-options': 'DENY' });
  });

  it('Express’s own 404 page keeps the rest but tightens the CSP to its own default-src \'none\'', async () => {
    expect(await headers('/missing')).toEqual({ ...COMMON, 'content-security-policy': "default-src 'none'", 'x-frame-options': 'DENY' });
  });

  it('the report route replaces the CSP and X-Frame-Options, keeping the rest', async () => {
    const res = await fetch(`${base}/api/sessions/s1/report`);
    await res.text();
    // One policy, not two: a second header would be intersected with the first, not replace it.
    expect(res.headers.get('content-security-policy')).toBe(REPORT_CSP);
    expect(await headers('/api/sessions/s1/report')).toEqual({ ...COMMON, 'content-security-policy': REPORT_CSP, 'x-frame-options': 'SAMEORIGIN' });
  });

  it('has no HSTS, no upgrade-insecure-requests and no X-Powered-By', async () => {
    const res = await fetch(`${base}/`);
    await res.text();
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('the real report under the strict report CSP', () => {
  const tags = reportHtml.match(/<[a-z][^>]*>/gi) ?? [];

  it('is a substantial page with charts', () => {
    expect(tags.length).toBeGreaterThan(500);
    expect(reportHtml).toContain('<svg');
    expect(reportHtml).toContain('<style>');
  });

  it('has no scripts, event handlers, javascript: URLs, or anything fetched', () => {
    expect(reportHtml).not.toMatch(/<script/i);
    expect(tags.filter((t) => /\son[a-z]+\s*=/i.test(t))).toEqual([]);
    expect(reportHtml).not.toMatch(/javascript:/i);
    // A link is a navigation, not a fetch: the only ones open the served scoring guide in a new tab.
    const guide = /^<a href="\/docs\/scoring(#[a-z-]+)?" target="_blank" rel="noopener">$/;
    expect(tags.filter((t) => guide.test(t)).length).toBeGreaterThan(0);
    expect(tags.filter((t) => !guide.test(t) && /\s(src|href|srcset|action|formaction|xlink:href|poster|data)\s*=/i.test(t))).toEqual([]);
    expect(tags.filter((t) => /^<(link|iframe|object|embed|base|form|meta\s+http-equiv)/i.test(t))).toEqual([]);
    // url() in CSS would be a fetch too (default-src 'none').
    expect(reportHtml).not.toMatch(/url\(|@import/i);
  });
});

describe.skipIf(SKIP_BROWSER)('the policies in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(path: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    await page.goto(`${base}${path}`, { waitUntil: 'load' });
    return { page, errors };
  }

  const unique = (messages: string[]) => [...new Set(messages)].sort();

  /** Styles applied and charts drawn: the report's own CSS got through. (Strings: tsconfig has no DOM lib.) */
  const rendered = (page: Page | Frame) =>
    page.evaluate(`({
      scoreSize: getComputedStyle(document.querySelector('.score-value')).fontSize,
      headerDisplay: getComputedStyle(document.querySelector('header')).display,
      points: document.querySelectorAll('circle.point').length,
    })`) as Promise<{ scoreSize: string; headerDisplay: string; points: number }>;

  it('the report opened directly renders with no violation; the policy is live (an injected image is refused)', async () => {
    const { page, errors } = await open('/api/sessions/s1/report');
    expect(errors).toEqual([]);
    expect(await rendered(page)).toEqual({ scoreSize: '56px', headerDisplay: 'grid', points: expect.any(Number) });
    expect((await rendered(page)).points).toBeGreaterThan(30);

    await page.evaluate(`document.body.append(Object.assign(document.createElement('img'), { src: '${base}/pixel.png' }))`);
    await expect.poll(() => unique(errors)).toEqual([expect.stringMatching(/127\.0\.0\.1:\d+\/pixel\.png.* violates .*"img-src data:"/)]);
    await page.close();
  });

  it('the console shell: same-origin ws: passes connect-src \'self\', the report renders in a sandboxed srcdoc frame and when framed', async () => {
    const { page, errors } = await open('/');
    expect(await page.evaluate('window.sockets')).toEqual(['open', 'error']);
    expect(await page.evaluate('window.reportLoaded')).toBe(true);
    expect(await page.evaluate('window.inlineRan === undefined')).toBe(true);

    for (const id of ['#framed', '#srcdoc']) {
      const frame = await (await page.$(id))?.contentFrame();
      if (!frame) throw new Error(`no frame ${id}`);
      const r = await rendered(frame);
      expect(r.scoreSize).toBe('56px');
      expect(r.headerDisplay).toBe('grid');
      expect(r.points).toBeGreaterThan(30);
    }

    // Only the negative controls were refused: the inline script, the socket to another origin
    // (localhost is not 127.0.0.1) and the control frame's foreign image.
    const violations = (await page.evaluate('window.violations')) as string[];
    expect(violations).toEqual([`connect-src ws://localhost:${port}/ws`]);
    // Chromium may report one violation twice and rewords these messages between versions, so the
    // match is on what was blocked and by which directive.
    await expect
      .poll(() => unique(errors))
      .toEqual([
        expect.stringMatching(/'ws:\/\/localhost:\d+\/ws' violates .*"connect-src 'self'"/),
        expect.stringMatching(/inline script violates .*'script-src 'self''/i),
        expect.stringMatching(/'http:\/\/localhost:\d+\/pixel\.png' violates .*"img-src 'self' data:"/),
      ]);
    await page.close();
  });
});
