import { parseScenario } from '../helpers.ts';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { lintScenario } from '../../engine/scenario/lint.ts';
import { type Scenario, type ScenarioInput } from '../../engine/protocol/scenario.ts';

const minimal = parse(readFileSync('test/fixtures/valid/minimal.yaml', 'utf8')) as ScenarioInput;
const scenario = (change: (s: ScenarioInput) => void): Scenario => {
  const input = structuredClone(minimal);
  change(input);
  return parseScenario(input);
};
const service = (id: string, deps: string[]) => ({
  id,
  tier: 'standard' as const,
  baseline: { latencyMs: 1 },
  capacity: 10,
  dependencies: deps.map((d) => ({ service: d, kind: 'hard' as const })),
});

describe('lintScenario', () => {
  it('finds nothing wrong with the minimal scenario', () => {
    expect(lintScenario(scenario(() => {}))).toEqual([]);
  });

  it('reports each dependency cycle once, at its first edge', () => {
    const s = scenario((x) => {
      x.services = [service('a', ['b']), service('b', ['c', 'a']), service('c', ['a'])];
      x.journeys[0]!.entry = 'a';
      x.faults[0]!.target = 'a';
      x.alerts = [];
      x.logs = [];
      x.actions = [{ type: 'rollback', target: 'a', resolves: ['bad-deploy'] }];
    });
    expect(lintScenario(s)).toEqual([
      { path: ['services', 0, 'dependencies', 0, 'service'], message: 'dependency cycle: a → b → c → a', severity: 'error' },
      { path: ['services', 0, 'dependencies', 0, 'service'], message: 'dependency cycle: a → b → a', severity: 'error' },
    ]);
  });

  it('handles a very long dependency chain without overflowing the stack', () => {
    const s = scenario((x) => {
      const n = 20_000;
      x.services = Array.from({ length: n }, (_, i) => service(`s${i}`, i + 1 < n ? [`s${i + 1}`] : ['s0']));
      x.journeys[0]!.entry = 's0';
      x.faults[0]!.target = 's0';
      x.alerts = [];
      x.logs = [];
      x.actions = [{ type: 'rollback', target: 's0', resolves: ['bad-deploy'] }];
    });
    const issues = lintScenario(s);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/^dependency cycle: s0 → s1 → .* → s19999 → s0$/);
  });

  it('names actions without an id by type and target', () => {
    const s = scenario((x) => {
      x.actions = [...(x.actions ?? []), { type: 'restart', target: 'api', duration: '30s' }];
    });
    expect(lintScenario(s)).toEqual([
      {
        path: ['actions', 2],
        message: 'duplicate action "restart:api": actions[1] has the same type and target; give one an "id"',
        severity: 'error',
      },
    ]);
  });

  it('requires a resolving action for a fault that does not heal, except noise', () => {
    const s = scenario((x) => {
      x.actions = [];
      x.faults.push({ id: 'hum', kind: 'noise', target: 'db', at: '1m', effect: {} });
    });
    expect(lintScenario(s).map((i) => i.message)).toEqual([
      'fault "bad-deploy" can never end: no action resolves it and it has no "for"',
    ]);
  });

  it('warns about a service nothing uses, unless the drill mentions it', () => {
    const orphan = scenario((x) => void x.services.push(service('orphan', [])));
    expect(lintScenario(orphan)).toEqual([
      {
        path: ['services', 3, 'id'],
        message: 'service "orphan" is unused: no journey reaches it and nothing depends on it',
        severity: 'warning',
      },
    ]);
    const herring = scenario((x) => {
      x.services.push(service('orphan', []));
      x.alerts?.push({ id: 'orphan-slow', service: 'orphan', metric: 'p99Ms', threshold: 100, severity: 'ticket' });
    });
    expect(lintScenario(herring)).toEqual([]);
  });

  it('checks tick bounds', () => {
    expect(lintScenario(scenario((x) => void (x.tick = '500ms'))).map((i) => i.message)).toEqual([
      'tick 0.5s is too short: use at least 1s',
    ]);
    expect(lintScenario(scenario((x) => {
      x.tick = '5m';
      x.duration = '4m';
      x.faults[0]!.at = '1m';
      x.objectives = { ack: '1m', declare: '1m', mitigate: '1m', resolve: '1m' };
      x.alerts = [];
    })).filter((i) => i.path[0] === 'tick').map((i) => i.message)).toEqual(['tick 5m is longer than the whole scenario (4m)']);
  });

  it('checks SLO windows against the tick and the duration, and the stable period against the duration', () => {
    const lint = (window: string, stable = '5m') =>
      lintScenario(scenario((x) => {
        x.tick = '10s';
        x.duration = '2h';
        x.journeys[0]!.slo.window = window;
        x.objectives = { ...x.objectives, stable };
      })).map((i) => [i.path.join('.'), i.severity, i.message]);
    expect(lint('1m')).toEqual([]);
    expect(lint('15s')).toEqual([
      ['journeys.0.slo.window', 'warning', `journey "${minimal.journeys[0]!.id}"'s SLO window 15s is not a whole number of 10s ticks: it is judged over 2 (20s)`],
    ]);
    expect(lint('3h')).toEqual([['journeys.0.slo.window', 'error', `journey "${minimal.journeys[0]!.id}" judges its SLO over 3h, but the scenario lasts only 2h`]]);
    expect(lint('1m', '3h')).toEqual([['objectives.stable', 'error', 'objective "stable" (3h) is longer than the scenario (2h)']]);
  });
});
