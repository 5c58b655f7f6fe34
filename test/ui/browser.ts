/**
 * Shared set-up for the console's browser tests: build the bundle, serve it from a real server on
 * 127.0.0.1:0, and drive Debian's Chromium (/usr/bin/chromium) with playwright-core. The tests never
 * skip silently: without Chromium they fail, unless SEVDRILL_SKIP_BROWSER=1 is set on purpose.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer, type ServerOptions } from '../../engine/server/app.ts';
import type { ServerConfig } from '../../engine/server/config.ts';
import type { EngineEvent } from '../../engine/protocol/events.ts';
import { oneLinePerFact } from '../../engine/protocol/restated.ts';
import { ROOT } from '../helpers.ts';
import { TestClient, createDrill, logEvents, fetchLog, sleep, testConfig, type CodeDrill } from '../server/harness.ts';

const CHROMIUM = process.env.SEVDRILL_CHROMIUM ?? '/usr/bin/chromium';
export const SKIP_BROWSER = process.env.SEVDRILL_SKIP_BROWSER === '1';
const ARTIFACTS = join(ROOT, 'artifacts');
const VIEWPORT = { width: 1440, height: 900 };

/**
 * Runs `node ui/build.mjs` and copies ui/dist to a private directory for this test file's server, so
 * a concurrent build (another test file, another worker) can never serve it a half-written bundle.
 * Builds are serialised across processes with a lock directory.
 */
async function buildUi(): Promise<string> {
  const lock = join(tmpdir(), 'sevdrill-ui-build.lock');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      await sleep(100);
    }
  }
  try {
    execFileSync(process.execPath, [join(ROOT, 'ui', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
    const dir = mkdtempSync(join(tmpdir(), 'sevdrill-ui-'));
    cpSync(join(ROOT, 'ui', 'dist'), dir, { recursive: true });
    return dir;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface Rig {
  server: RunningServer;
  browser: Browser;
  close(): Promise<void>;
}

/** Debian's Chromium, headless; a missing browser fails loudly (CI installs it), never skips silently. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: install it with "apt-get install -y chromium" (.ci/run does), ` +
        'point SEVDRILL_CHROMIUM at another binary, or set SEVDRILL_SKIP_BROWSER=1 to skip this test on purpose',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** `overrides`: server settings for this rig (its scenario directories, say); `options`: what the server runs with (how it rates seeds, say). */
export async function startRig(overrides: Partial<ServerConfig> = {}, options: Pick<ServerOptions, 'explorer'> = {}): Promise<Rig> {
  const browser = await launchChromium();
  const uiDir = await buildUi();
  const server = await startServer(testConfig({ ...overrides, uiDir }), { log: () => {}, ...options });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
      rmSync(uiDir, { recursive: true, force: true });
    },
  };
}

/** Records the page's sockets (window.__sockets) so a test can use the console's own connection. */
const RECORD_SOCKETS = `(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      window.__sockets.push(this);
    }
  };
})();`;

export interface Person {
  label: string;
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors, each prefixed with the person's label. */
  problems: string[];
}

/** A fresh browser context (its own sessionStorage) with one page whose errors are collected. */
export async function person(browser: Browser, label: string, viewport = VIEWPORT): Promise<Person> {
  const context = await browser.newContext({ viewport });
  await context.addInitScript({ content: RECORD_SOCKETS });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${label}: console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${label}: page error: ${e.message}`));
  return { label, context, page, problems };
}

/** Prints what the pages logged so far (for a failed step). */
export function reportProblems(people: readonly Person[]): void {
  const problems = people.flatMap((p) => p.problems);
  if (problems.length > 0) console.error(`console and page errors so far:\n${problems.join('\n')}`);
}

/** Opens a join link, gives the name and waits until the console is live. */
export async function joinDrill(p: Person, url: string, sessionId: string, code: string, name: string): Promise<void> {
  await p.page.goto(`${url}/#/join/${sessionId}?code=${code}`);
  await p.page.getByLabel(/Your name/).fill(name);
  await p.page.getByRole('button', { name: 'Join' }).click();
  await waitLive(p.page);
}

export const badge = (page: Page) => page.locator('.console-head .link');

export async function waitLive(page: Page, timeout = 15_000): Promise<void> {
  await page.locator('.console-head .link', { hasText: /^live$/ }).waitFor({ timeout });
}

/** The data-seq of every event shown on the timeline, ascending. */
export async function timelineSeqs(page: Page): Promise<number[]> {
  const seqs = await page
    .getByRole('region', { name: 'Timeline' })
    .locator('li[data-seq]')
    .evaluateAll((items) => items.filter((li) => (li as { offsetParent: unknown }).offsetParent !== null).map((li) => Number(li.getAttribute('data-seq'))));
  return seqs.sort((a, b) => a - b);
}

/** Event types a responder never receives, or the timeline hides by default. */
const NOT_ON_A_RESPONDERS_TIMELINE = new Set(['fault.started', 'fault.ended', 'impact.minute', 'checkpoint']);

/**
 * The seqs the responder's timeline should show from `from` to `to`, from the server's log: the
 * events a responder may see, numbered as their audience numbers them (0, 1, 2, … with no gaps),
 * one line per fact (a command its result restates is not a line of its own).
 */
export async function expectedSeqs(server: { url: string }, sessionId: string, token: string, from: number, to: number): Promise<number[]> {
  const visible = (logEvents(await fetchLog(server, sessionId, token)) as unknown as EngineEvent[])
    .filter((e) => !(e.type === 'fault.started' || e.type === 'fault.ended' || (e.type === 'command' && e.command === 'inject')))
    .map((e, seq) => ({ ...e, seq }))
    .filter((e) => !NOT_ON_A_RESPONDERS_TIMELINE.has(e.type));
  return oneLinePerFact(visible)
    .map((e) => e.seq)
    .filter((s) => s >= from && s <= to);
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/**
 * The facilitator's console open on `drill`, each responder joined under their name, then Start and
 * an inject of `fault` from the facilitator's controls; resolves once the first responder can
 * acknowledge a page.
 */
export async function startPaged(url: string, drill: { sessionId: string; facilitatorToken: string; responderCode: string }, facilitator: Person, responders: readonly [Person, string][], fault: string): Promise<void> {
  await facilitator.page.goto(`${url}/#/drill/${drill.sessionId}?token=${drill.facilitatorToken}`);
  await waitLive(facilitator.page);
  for (const [p, name] of responders) await joinDrill(p, url, drill.sessionId, drill.responderCode, name);
  const f = facilitator.page;
  await f.getByRole('button', { name: 'Start', exact: true }).click();
  await f.locator('.status-line', { hasText: 'Start: done' }).waitFor();
  await f.getByRole('combobox', { name: 'Fault to inject' }).selectOption(fault);
  await f.getByRole('button', { name: 'Inject', exact: true }).click();
  await f.locator('.status-line', { hasText: 'Inject: done' }).waitFor();
  const [first] = responders;
  if (first) await first[0].page.getByRole('button', { name: 'Acknowledge page', disabled: false }).waitFor({ timeout: 30_000 });
}

/**
 * For a `describe`: a browser rig and a drill paused at its first page (pausedAtFirstPage), made
 * before its tests and closed after them. Read them through the getters once the tests run.
 */
export function withPausedDrill(): { readonly rig: Rig; readonly drill: CodeDrill } {
  let rig: Rig | undefined;
  let drill: CodeDrill | undefined;
  beforeAll(async () => {
    rig = await startRig();
    drill = await pausedAtFirstPage(rig.server);
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('invariant: the rig is read before beforeAll made it');
    return value;
  };
  return {
    get rig() {
      return ready(rig);
    },
    get drill() {
      return ready(drill);
    },
  };
}

/** A retail-sev1 drill run (over the socket, at 60×) until its first page fires, then paused there: a console in full cascade that holds still. */
async function pausedAtFirstPage(server: { url: string }): Promise<CodeDrill> {
  const drill = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
  const fac = await TestClient.join(server.url, { sessionId: drill.sessionId, token: drill.facilitatorToken });
  fac.send({ type: 'control', command: 'start', clientActionId: 'start' });
  await fac.waitForEvent('alert.firing', { severity: 'page' }, 30_000);
  fac.send({ type: 'control', command: 'pause', clientActionId: 'pause' });
  await fac.reply('pause');
  fac.close();
  return drill;
}
