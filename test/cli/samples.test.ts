/** `sevdrill samples`: a run's telemetry re-derived from its log equals what was streamed live. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHeader, serializeLog } from '../../engine/core/log/log.ts';
import { FACILITATOR } from '../../engine/core/log/run.ts';
import { createSession } from '../../engine/core/session.ts';
import type { MetricsSample } from '../../engine/protocol/views.ts';
import { ROOT, loadPlan, loadScenario } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'sevdrill-samples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sevdrill(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/sevdrill.mjs', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A live-style run of the first 40 minutes with the reference plan, keeping every streamed sample. */
function liveRun(id = 'retail-sev1') {
  const scenario = loadScenario(id);
  const session = createSession(scenario);
  const live: MetricsSample[] = [];
  const keep = (s: MetricsSample) => live.push(s);
  session.submit({ actor: FACILITATOR, type: 'start' });
  for (const { at, ...command } of loadPlan(id).filter((c) => c.at < 40 * 60_000)) {
    session.runUntil(Math.ceil(at / session.tickMs) * session.tickMs, keep);
    session.submit(command);
  }
  session.runUntil(40 * 60_000, keep);
  const file = join(dir, `${id}.jsonl`);
  writeFileSync(file, serializeLog(createHeader(scenario, session.seed, '20'), session.events));
  return { file, live, scenario };
}

describe('sevdrill samples', () => {
  const { file, live, scenario } = liveRun();

  it('gives, as JSON Lines, exactly the samples the live session streamed', () => {
    const r = sevdrill('samples', file, '--format', 'jsonl');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const derived = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as MetricsSample);
    expect(derived).toEqual(live);
  });

  it('writes CSV with a header and one row per tick per service and journey, thinned with --every', () => {
    const out = join(dir, 'samples.csv');
    const r = sevdrill('samples', file, '--every', '5m', '--out', out);
    expect(r.code).toBe(0);
    const csv = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('t,kind,id,rps,errorRate,p50Ms,p99Ms,saturation,backlog,state,inSlo,lag,lagSeconds');
    const perTick = scenario.services.length + scenario.journeys.length;
    expect(csv.length - 1).toBe(8 * perTick);
    const times = [...new Set(csv.slice(1).map((row) => Number(row.split(',')[0])))];
    expect(times).toEqual([0, 5, 10, 15, 20, 25, 30, 35].map((m) => m * 60_000));
    const at20 = live.find((s) => s.t === 20 * 60_000);
    const pricing = at20?.services.find((s) => s.id === 'pricing');
    const journey = at20?.journeys[0];
    expect(csv).toContain(`1200000,service,pricing,${pricing?.rps},${pricing?.errorRate},${pricing?.p50Ms},${pricing?.p99Ms},${pricing?.saturation},${pricing?.backlog},${pricing?.state},,,`);
    expect(csv).toContain(`1200000,journey,${journey?.id},${journey?.rps},${journey?.errorRate},,${journey?.p99Ms},,,,${journey?.inSlo},,`);
  });

  it('gives each topic (asynchronous edge) a row with its publish rate and lag', () => {
    const pipeline = liveRun('order-pipeline');
    const r = sevdrill('samples', pipeline.file, '--every', '1m');
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n');
    const at18 = pipeline.live.find((s) => s.t === 18 * 60_000);
    const orders = at18?.topics.find((q) => q.id === 'orders');
    // Eleven minutes into the blackhole: ~60 orders a second published, almost none consumed.
    expect(orders?.lag).toBeGreaterThan(30_000);
    expect(rows).toContain(`1080000,topic,orders,${orders?.rps},,,,,,,,${orders?.lag},${orders?.lagSeconds}`);
    expect(rows.filter((row) => row.split(',')[1] === 'topic')).toHaveLength(2 * 40);
  });

  it('refuses a bad option with exit 2, and a broken log with exit 1 and the line', () => {
    expect(sevdrill('samples', file, '--format', 'xml')).toMatchObject({ code: 2, stderr: expect.stringContaining('--format must be csv or jsonl') });
    expect(sevdrill('samples', file, '--every', 'soon')).toMatchObject({ code: 2, stderr: expect.stringContaining('--every must be a duration') });
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, `${spawnSync('head', ['-n', '3', file], { encoding: 'utf8' }).stdout}{"seq":2,"t":0,"type":"nope"}\n`);
    expect(sevdrill('samples', broken)).toMatchObject({ code: 1, stderr: `${broken}:4: unknown event type "nope"\n` });
  });
});
