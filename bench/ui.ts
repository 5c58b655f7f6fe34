/**
 * The ui section of `npm run bench`: how long the drill console takes to draw a frame in headless
 * Chromium under the heaviest live scene it is built for.
 *
 * Setup: the server in this process (startServer on 127.0.0.1:0, a temp SQLite database) with a
 * scenarios directory holding only a generated 100-service scenario (bench/generate.ts, validated by
 * buildScenario; its tick shortened from 10 s to 1 s so the console's 1,200-point series fill in
 * 20 s of wall time at speed 60 instead of 200 s — the UI then also gets 60 telemetry frames a
 * second instead of 6, which is the harder case). The UI bundle is built with `node ui/build.mjs`;
 * one responder opens the console at 1440×900 in Chromium (playwright-core); the drill starts at
 * speed 60 and the root-cause fault is injected. The responder selects the root-cause service, pins
 * it, then selects one of its callers: 3 journeys × 2 + 2 services × 4 = 14 charts. Once the console
 * has received 1,200 samples (every series full: 1,200 points in view per chart) frames are timed
 * for MEASURE_MS:
 *
 * - frame work (frameP95Ms): from the start of each animation frame (a requestAnimationFrame
 *   callback registered before the console's own) to a MessageChannel task posted from it, which
 *   runs only after that frame's callbacks, style, layout and paint: the main-thread cost of a frame,
 *   console render and browser rendering together. Goal p95 < 16.7 ms (one 60 Hz frame).
 * - the console's render() alone (the performance.measure 'sevdrill:render' around the views'
 *   update), and the frame interval (rAF to rAF) with the share of late frames (> 1.5 intervals).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { loadScenarioText } from '../engine/scenario/load.ts';
import { startServer, type RunningServer } from '../engine/server/app.ts';
import { configFromEnv } from '../engine/server/config.ts';
import { DEFAULT_GENERATOR_SEED, ROOT_FAULT_ID, buildScenario, generateScenario } from './generate.ts';
import { fmt, now, percentile } from './stats.ts';

const UI_GOALS = { frameP95Ms: 16.7 } as const;

/** The keys this section adds to the bench's JSON line. */
export interface UiFigures {
  /** p95 of the main-thread work per animation frame (ms); null when Chromium is missing. */
  frameP95Ms: number | null;
}

export interface UiBenchOptions {
  /** Repository root (where ui/ lives). */
  root: string;
  print: (line?: string) => void;
}

const CHROMIUM = process.env.SEVDRILL_CHROMIUM ?? '/usr/bin/chromium';
const SERVICES = 100;
const SPEED = 60;
/** Seconds of simulated time per tick (the generator's default is 10). */
const TICK_S = 1;
const POINTS = 1200;
const MEASURE_MS = 12_000;
const VIEWPORT = { width: 1440, height: 900 };
const FILL_TIMEOUT_MS = 90_000;

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (x: number): string => `${fmt(x)} ms`;
const dist = (xs: readonly number[]): string => `p50 ${ms(percentile(xs, 50))}, p95 ${ms(percentile(xs, 95))}, p99 ${ms(percentile(xs, 99))}, max ${ms(Math.max(...xs))} (n=${xs.length})`;

/** Counts the telemetry samples the console receives (each one point on every chart). */
const COUNT_SAMPLES = `(() => {
  window.__samples = 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (e) => {
        if (typeof e.data === 'string' && e.data.startsWith('{"type":"events"') && e.data.includes('"sample":')) window.__samples++;
      });
    }
  };
})();`;

interface PageTimings {
  intervals: number[];
  work: number[];
  renders: number[];
  longFrames: number;
}

/** Runs in the page (as source: bench/ has no DOM types): times every animation frame for `duration` ms. */
const TIME_FRAMES = `(duration) => new Promise((resolve) => {
  const intervals = [];
  const work = [];
  const renders = [];
  let longFrames = 0;
  const measures = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'sevdrill:render') renders.push(e.duration);
  });
  measures.observe({ type: 'measure' });
  let loaf = null;
  try {
    loaf = new PerformanceObserver((list) => { longFrames += list.getEntries().length; });
    loaf.observe({ type: 'long-animation-frame' });
  } catch {
    loaf = null;
  }
  const channel = new MessageChannel();
  let frameStart = 0;
  channel.port1.onmessage = () => work.push(performance.now() - frameStart);
  const end = performance.now() + duration;
  let last = 0;
  const frame = (t) => {
    if (last > 0) intervals.push(t - last);
    last = t;
    frameStart = performance.now();
    channel.port2.postMessage(0);
    if (frameStart < end) requestAnimationFrame(frame);
    else setTimeout(() => {
      measures.disconnect();
      if (loaf) loaf.disconnect();
      channel.port1.close();
      resolve({ intervals, work, renders, longFrames });
    }, 50);
  };
  requestAnimationFrame(frame);
})`;

const SAMPLES = 'window.__samples';
const PAGE_STATE = `({ samples: window.__samples, scroll: document.documentElement.scrollHeight - innerHeight, charts: document.querySelectorAll('.cv .chart').length })`;

export async function runUiBench(options: UiBenchOptions): Promise<UiFigures> {
  const { root, print } = options;
  if (!existsSync(CHROMIUM)) {
    print(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set SEVDRILL_CHROMIUM)`);
    return { frameP95Ms: null };
  }
  const dir = mkdtempSync(join(tmpdir(), 'sevdrill-bench-ui-'));
  let server: RunningServer | null = null;
  let browser: Browser | null = null;
  try {
    const t0 = now();
    execFileSync(process.execPath, [join(root, 'ui', 'build.mjs')], { cwd: root, stdio: 'pipe' });
    const buildMs = now() - t0;

    // The generated scenario, validated, then written in its input form with a 1 s tick.
    buildScenario({ services: SERVICES });
    const input = { ...generateScenario({ services: SERVICES }), tick: `${TICK_S}s` };
    const text = JSON.stringify(input);
    const loaded = loadScenarioText(text, `generated-${SERVICES}.json`);
    if (!loaded.ok) throw new Error(`the ${TICK_S} s-tick scenario does not load: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
    const scenario = loaded.scenario;
    writeFileSync(join(dir, `generated-${SERVICES}.json`), text);
    const edges = scenario.services.reduce((n, s) => n + (s.dependencies?.length ?? 0), 0);
    const rootTarget = scenario.faults.find((f) => f.id === ROOT_FAULT_ID)?.target;
    const caller = scenario.services.find((s) => s.dependencies?.some((d) => d.service === rootTarget))?.id;
    if (!rootTarget || !caller) throw new Error('the generated scenario has no root-cause service with a caller');

    server = await startServer({ ...configFromEnv({}), port: 0, host: '127.0.0.1', dataFile: join(dir, 'ui.db'), scenarioDirs: [dir] }, { log: () => {} });
    const created = server.registry.create({ scenarioId: scenario.id, speed: SPEED }, new Date());
    if (!created.ok) throw new Error(`cannot create a drill: ${created.message}`);
    const drill = server.registry.get(created.created.sessionId);
    if (!drill) throw new Error('the created drill is not in the registry');

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const version = browser.version();
    const context = await browser.newContext({ viewport: VIEWPORT });
    await context.addInitScript({ content: COUNT_SAMPLES });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${server.url}/#/join/${drill.id}?code=${created.created.responderCode}`);
    await page.getByLabel(/Your name/).fill('bench');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.locator('.console-head .link', { hasText: /^live$/ }).waitFor();

    drill.submit({ actor: 'bench', type: 'start' });
    drill.submit({ actor: 'bench', type: 'inject', params: { fault: ROOT_FAULT_ID } });
    await page.locator(`.gv .node[data-id="${rootTarget}"]`).click();
    await page.locator(`.cv .chart[data-key="service:${rootTarget}:errorRate"] .pin-toggle`).click();
    await page.locator(`.gv .node[data-id="${caller}"]`).click();
    await page.locator(`.cv .chart[data-key="service:${caller}:errorRate"]`).waitFor();
    // The pointer then rests on the status line, as a reading responder's might: not on a node.
    await page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height - 4);
    const charts = await page.locator('.cv .chart').count();

    print(
      `console: ${SERVICES} services, ${edges} edges (generated, seed ${DEFAULT_GENERATOR_SEED}, tick ${TICK_S}s instead of 10s), ${scenario.journeys.length} journeys; ` +
        `drill at speed ${SPEED} (${fmt(SPEED / TICK_S)} telemetry frames/s), root-cause fault injected`,
    );
    print(
      `  Chromium ${version} headless (playwright-core, --no-sandbox), ${VIEWPORT.width}×${VIEWPORT.height}, one responder; ` +
        `${charts} charts (3 journeys × 2, ${rootTarget} pinned + ${caller} selected × 4); UI bundle built in ${ms(buildMs)}`,
    );

    const fillStart = now();
    while ((await page.evaluate<number>(SAMPLES)) < POINTS) {
      if (now() - fillStart > FILL_TIMEOUT_MS) throw new Error(`the console did not receive ${POINTS} samples within ${FILL_TIMEOUT_MS / 1000} s`);
      await sleep(250);
    }
    print(
      `  ${POINTS} samples received in ${fmt((now() - fillStart) / 1000)} s of wall time (every series full: ${POINTS} points in view on each chart); ` +
        `timing ${MEASURE_MS / 1000} s of frames (load average ${load()})…`,
    );

    const samplesBefore = await page.evaluate<number>(SAMPLES);
    const timings = await page.evaluate<PageTimings>(`(${TIME_FRAMES})(${MEASURE_MS})`);
    const after = await page.evaluate<{ samples: number; scroll: number; charts: number }>(PAGE_STATE);

    const frameP95 = percentile(timings.work, 95);
    const interval = percentile(timings.intervals, 50);
    const late = timings.intervals.filter((x) => x > 1.5 * interval).length;
    print(`  frame work (rAF start → after style, layout and paint): ${dist(timings.work)}  (goal p95 < ${UI_GOALS.frameP95Ms} ms: ${frameP95 < UI_GOALS.frameP95Ms ? 'ok' : 'MISSED'})`);
    print(`  console render() (performance.measure 'sevdrill:render'): ${dist(timings.renders)}`);
    print(
      `  frame interval: ${dist(timings.intervals)}; ${late} late (> 1.5 × the median, ${fmt((100 * late) / Math.max(1, timings.intervals.length))}%); ` +
        `long animation frames (> 50 ms): ${timings.longFrames}`,
    );
    print(`  load average after: ${load()} (${cpus().length} CPUs shared by Chromium, this server and anything else running: contention inflates every figure)`);
    print(`  ${after.samples - samplesBefore} samples arrived while timing (${fmt(((after.samples - samplesBefore) * 1000) / MEASURE_MS)}/s); ${after.charts} charts; page scroll ${after.scroll} px`);
    if (problems.length > 0) print(`  WARNING: the page reported ${problems.length} error(s): ${problems.slice(0, 3).join(' | ')}`);
    await context.close();
    return { frameP95Ms: Number(frameP95.toFixed(2)) };
  } finally {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
