/**
 * The /metrics part of the server bench: 50 running drills of the flagship scenario, scraped over
 * HTTP again and again, one scrape at a time as Prometheus does. A scrape runs on the event loop, so
 * its time is also how long it holds every drill's next tick.
 */
import type { RunningServer } from '../engine/server/app.ts';
import type { LiveDrill } from '../engine/server/drill.ts';
import { fmt, now, percentile } from './stats.ts';

const METRICS_DRILLS = 50;
const WARM_UP = 5;
const SCRAPES = 40;

export interface ScrapeFigures {
  p50Ms: number;
  p95Ms: number;
  /** CPU time (user + system) of this process per scrape: the server's work, and the client's reading of the body. */
  cpuMs: number;
  kib: number;
  /** Sample lines in one scrape, all drills and the server's health included. */
  series: number;
  /** Sample lines of one drill (those with its sevdrill_session). */
  seriesPerDrill: number;
  /** How late the drills' ticks ran while being scraped: p99 and max, ms. */
  tickLagP99Ms: number;
  tickLagMaxMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts METRICS_DRILLS drills of `scenarioId` at `speed` on the server, lets each tick a few times,
 * then times whole scrapes (request sent → body read).
 */
export async function metricsScrape(server: RunningServer, scenarioId: string, speed: number, tickPeriodMs: number, print: (line?: string) => void): Promise<ScrapeFigures> {
  const drills: LiveDrill[] = [];
  for (let i = 0; i < METRICS_DRILLS; i++) {
    const result = server.registry.create({ scenarioId, speed }, new Date());
    if (!result.ok) throw new Error(`cannot create a drill: ${result.message}`);
    const drill = server.registry.get(result.created.sessionId);
    if (!drill) throw new Error('the created drill is not in the registry');
    drill.submit({ actor: 'bench', type: 'start' });
    drills.push(drill);
  }
  // A few ticks each, so every per-tick gauge exists: a scrape of the drills' full series.
  await sleep(3 * tickPeriodMs);
  const lags: number[] = [];
  for (const drill of drills) {
    const previous = drill.onTick;
    drill.onTick = (timing) => {
      previous?.(timing);
      lags.push(timing.lagMs);
    };
  }
  const url = `${server.url}/metrics`;
  const times: number[] = [];
  let text = '';
  let cpu = process.cpuUsage();
  for (let i = 0; i < WARM_UP + SCRAPES; i++) {
    if (i === WARM_UP) cpu = process.cpuUsage();
    const t0 = now();
    const res = await fetch(url);
    text = await res.text();
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${text.slice(0, 200)}`);
    if (i >= WARM_UP) times.push(now() - t0);
    // Spread over the drills' ticks, as scrapes every few seconds would be.
    await sleep(50);
  }
  // The drills' own ticks during the sleeps are in it too: an upper bound on a scrape's CPU.
  const used = process.cpuUsage(cpu);
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const first = drills[0] as LiveDrill;
  const figures: ScrapeFigures = {
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    cpuMs: (used.user + used.system) / 1000 / SCRAPES,
    kib: Buffer.byteLength(text) / 1024,
    series: lines.length,
    seriesPerDrill: lines.filter((l) => l.includes(`sevdrill_session="${first.id}"`)).length,
    tickLagP99Ms: percentile(lags, 99),
    tickLagMaxMs: Math.max(...lags),
  };
  print(
    `  /metrics with ${METRICS_DRILLS} running ${scenarioId} drills (${SCRAPES} scrapes over HTTP after ${WARM_UP} to warm up): p50 ${fmt(figures.p50Ms)} ms, p95 ${fmt(figures.p95Ms)} ms, CPU ${fmt(figures.cpuMs)} ms a scrape (the drills' ticks meanwhile included);` +
      ` ${fmt(figures.kib)} KiB, ${figures.series} series (${figures.seriesPerDrill} per drill); the drills' ticks meanwhile: lag p99 ${fmt(figures.tickLagP99Ms)} ms, max ${fmt(figures.tickLagMaxMs)} ms (n=${lags.length})`,
  );
  return figures;
}
