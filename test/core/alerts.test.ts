/** Alert `for` semantics: the condition must hold at every evaluation for `for` before firing. */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import type { EngineEvent } from '../../engine/protocol/events.ts';
import { tinyScenario } from '../helpers.ts';

const alertEvents = (events: readonly EngineEvent[]) =>
  events.flatMap((e) => (e.type === 'alert.firing' || e.type === 'alert.resolved' ? [[e.type, e.t, e.alert]] : []));

describe('alert for-semantics', () => {
  it('fires exactly `for` after the condition starts holding, and resolves when it stops', () => {
    const scenario = tinyScenario({
      faults: [{ id: 'blip', kind: 'code-deploy', target: 'api', at: '5m', for: '3m', effect: { errorRate: 0.9 } }],
      actions: [],
    });
    const session = runScenario(scenario, { until: 1_200_000 });
    expect(alertEvents(session.events)).toEqual([
      ['alert.firing', 360_000, 'shop-errors'],
      ['alert.resolved', 480_000, 'shop-errors'],
    ]);
  });

  it('does not fire when the condition holds for less than `for`', () => {
    const scenario = tinyScenario({
      faults: [{ id: 'blip', kind: 'code-deploy', target: 'api', at: '5m', for: '50s', effect: { errorRate: 0.9 } }],
      actions: [],
    });
    const session = runScenario(scenario, { until: 1_200_000 });
    expect(alertEvents(session.events)).toEqual([]);
    expect(session.incidentState).toBe('idle');
  });

  it('restarts the `for` clock when the condition flaps', () => {
    const scenario = tinyScenario({
      faults: [
        { id: 'a', kind: 'code-deploy', target: 'api', at: '5m', for: '50s', effect: { errorRate: 0.9 } },
        { id: 'b', kind: 'code-deploy', target: 'api', at: '6m', for: '50s', effect: { errorRate: 0.9 } },
        { id: 'c', kind: 'code-deploy', target: 'api', at: '7m', for: '2m', effect: { errorRate: 0.9 } },
      ],
      actions: [],
    });
    const session = runScenario(scenario, { until: 1_200_000 });
    expect(alertEvents(session.events)).toEqual([
      ['alert.firing', 480_000, 'shop-errors'],
      ['alert.resolved', 540_000, 'shop-errors'],
    ]);
  });

  it('pages once, and the first page detects the incident', () => {
    const session = runScenario(tinyScenario(), { until: 900_000 });
    expect(session.events.filter((e) => e.type === 'incident.state')).toEqual([
      expect.objectContaining({ t: 360_000, from: 'idle', to: 'detected', alert: 'shop-errors' }),
    ]);
  });
});
