/**
 * Determinism is a contract: same scenario, seed and timed commands → byte-identical log, in any
 * process and whatever else runs alongside. These tests can fail: each compares real logs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashString } from '../../engine/protocol/hash.ts';
import { createHeader, serializeLog } from '../../engine/core/log/log.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import { createSession } from '../../engine/core/session.ts';
import { ROOT, loadPlan, loadScenario, logText } from '../helpers.ts';

const scenario = loadScenario('retail-sev1');
const plan = loadPlan('retail-sev1');

describe('determinism', () => {
  it('gives byte-identical logs for the same inputs', () => {
    const a = logText(runScenario(scenario, { seed: 7, commands: plan }));
    const b = logText(runScenario(scenario, { seed: 7, commands: plan }));
    expect(a.length).toBeGreaterThan(10_000);
    expect(a).toBe(b);
  });

  it('gives byte-identical logs across two child processes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sevdrill-det-'));
    const run = (out: string) =>
      execFileSync(
        process.execPath,
        ['bin/sevdrill.mjs', 'run', 'scenarios/retail-sev1.yaml', '--seed', '7', '--actions', 'scenarios/plans/retail-sev1.plan.yaml', '--out', out],
        { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
      );
    run(join(dir, 'a.jsonl'));
    run(join(dir, 'b.jsonl'));
    const a = readFileSync(join(dir, 'a.jsonl'));
    const b = readFileSync(join(dir, 'b.jsonl'));
    expect(a.length).toBeGreaterThan(10_000);
    expect(a.equals(b)).toBe(true);
    // The child's events equal this process's events (the header differs only by the Node major it names).
    const inProcess = runScenario(scenario, { seed: 7, commands: plan });
    const childEvents = a.toString('utf8').split('\n').slice(1).join('\n');
    expect(childEvents).toBe(logText(inProcess).split('\n').slice(1).join('\n'));
  }, 30_000);

  it('gives each of ten interleaved sessions the log it gives alone', () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const alone = seeds.map((seed) => logText(runScenario(scenario, { seed, commands: plan, until: 3_600_000 })));
    const sessions = seeds.map((seed) => createSession(scenario, { seed }));
    for (const s of sessions) s.submit({ actor: 'facilitator', type: 'start' });
    const queue = [...plan].sort((x, y) => x.at - y.at);
    // Step all ten together, one tick at a time, submitting each plan command to every session.
    for (let t = 0; t < 3_600_000; t += scenario.tick) {
      for (const s of sessions) {
        for (const { at, ...command } of queue) if (Math.ceil(at / s.tickMs) * s.tickMs === t) s.submit(command);
        s.runUntil(t + scenario.tick);
      }
    }
    sessions.forEach((s, i) => expect(logText(s)).toBe(alone[i]));
  });

  it('gives identical hashes for 100 seeds run twice, and different logs for different seeds', () => {
    const hashes = new Set<string>();
    for (let seed = 0; seed < 100; seed++) {
      const first = hashString(logText(runScenario(scenario, { seed, commands: plan, until: 1_800_000 })));
      const second = hashString(logText(runScenario(scenario, { seed, commands: plan, until: 1_800_000 })));
      expect(second).toBe(first);
      hashes.add(first);
    }
    expect(hashes.size).toBe(100);
  }, 60_000);

  it('keeps the 6-hour retail-sev1 log under 10 MiB, with and without the plan', () => {
    for (const commands of [plan, []]) {
      const session = runScenario(scenario, { commands });
      const bytes = Buffer.byteLength(serializeLog(createHeader(scenario, session.seed, '20'), session.events));
      expect(bytes).toBeLessThan(10 * 1024 * 1024);
    }
  });
});
