/** Replay is a fold over the log's commands; it must reproduce every byte, and notice any change. */
import { describe, expect, it } from 'vitest';
import { parseLog } from '../../engine/core/log/log.ts';
import { replayLog } from '../../engine/core/log/replay.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import { at, loadPlan, loadScenario, logText, tinyScenario } from '../helpers.ts';

const scenario = loadScenario('retail-sev1');
const text = logText(runScenario(scenario, { commands: loadPlan('retail-sev1') }));

describe('replay', () => {
  it('reproduces a full run byte for byte', () => {
    const result = replayLog(text);
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.events).toBeGreaterThan(500);
  });

  it('reproduces a run with rejected commands, pauses and injects', () => {
    const session = runScenario(tinyScenario(), {
      until: 1_800_000,
      commands: [
        at(1, 'facilitator', 'pause'),
        at(1, 'facilitator', 'resume'),
        at(2, 'facilitator', 'inject', undefined, { fault: 'api-bad-deploy' }),
        at(3, 'alice', 'resolve'),
        at(4, 'alice', 'rollback', 'api'),
        at(4, 'alice', 'approve', undefined, { request: 'rollback:api' }),
        at(5, 'bob', 'approve', undefined, { request: 'rollback:api' }),
      ],
    });
    expect(replayLog(logText(session))).toMatchObject({ ok: true });
  });

  it('replays a log cut off mid-run (a live drill fetched while running)', () => {
    const lines = text.split('\n');
    for (const cut of [5, 40, 77, 200]) {
      expect(replayLog(`${lines.slice(0, cut).join('\n')}\n`)).toMatchObject({ ok: true });
    }
  });

  it('reports the first differing event of a tampered log', () => {
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.includes('"type":"alert.firing"'));
    lines[i] = (lines[i] as string).replace(/"value":[0-9.]+/, '"value":0.5');
    const result = replayLog(lines.join('\n'));
    expect(result).toMatchObject({ ok: false, line: i + 1, message: 'event differs' });
  });

  it('detects a changed command: the replay follows the log, so later events differ', () => {
    const tampered = text.replace('"command":"declare","params":{"severity":1}', '"command":"declare","params":{"severity":2}');
    expect(tampered).not.toBe(text);
    expect(replayLog(tampered).ok).toBe(false);
  });

  it('refuses a header whose scenario does not match its hash, and junk', () => {
    const [header, ...rest] = text.split('\n');
    const edited = (header as string).replace('"duration":21600000', '"duration":21600001');
    expect(replayLog([edited, ...rest].join('\n'))).toMatchObject({ ok: false, line: 1 });
    expect(replayLog('')).toMatchObject({ ok: false, line: 1 });
    expect(replayLog('{"hello":1}\n')).toMatchObject({ ok: false, line: 1 });
    expect(parseLog(`${header}\nnot json\n`)).toMatchObject({ ok: false, line: 2 });
  });
});
