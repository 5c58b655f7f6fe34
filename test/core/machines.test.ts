/** Table tests of each machine through xstate's pure `transition()`: no actors, no clock. */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyStateMachine } from 'xstate';
import { drillMachine } from '../../engine/core/machines/drill.ts';
import { incidentMachine } from '../../engine/core/machines/incident.ts';
import { serviceMachine, type ServiceEvent } from '../../engine/core/machines/service.ts';
import { DRILL_PHASES, INCIDENT_STATES, SERVICE_STATES } from '../../engine/protocol/events.ts';

/** Folds events through a machine and returns every state value visited. */
function walk(machine: AnyStateMachine, events: object[], input?: unknown): unknown[] {
  let [snapshot] = initialTransition(machine, input);
  const values = [snapshot.value];
  for (const event of events) {
    [snapshot] = transition(machine, snapshot, event as never);
    values.push(snapshot.value);
  }
  return values;
}

const health = (level: 'healthy' | 'degraded' | 'down'): ServiceEvent => ({ type: 'HEALTH', level });

describe('service machine', () => {
  const input = { service: 'pricing' };
  it.each([
    ['degrades and recovers through recovering', [health('degraded'), health('healthy'), { type: 'STABLE' }], ['healthy', 'degraded', 'recovering', 'healthy']],
    ['goes down and back', [health('down'), health('healthy'), { type: 'STABLE' }], ['healthy', 'down', 'recovering', 'healthy']],
    ['falls from recovering back down', [health('down'), health('healthy'), health('down')], ['healthy', 'down', 'recovering', 'down']],
    ['ignores STABLE unless recovering', [{ type: 'STABLE' }, health('degraded'), { type: 'STABLE' }], ['healthy', 'healthy', 'degraded', 'degraded']],
    [
      'ignores failures while restarting, then reports them',
      [{ type: 'RESTART_BEGIN' }, health('down'), { type: 'STABLE' }, { type: 'RESTART_END' }, health('down')],
      ['healthy', 'recovering', 'recovering', 'recovering', 'recovering', 'down'],
    ],
    ['restarts from down', [health('down'), { type: 'RESTART_BEGIN' }, { type: 'RESTART_END' }, { type: 'STABLE' }], ['healthy', 'down', 'recovering', 'recovering', 'healthy']],
  ] as const)('%s', (_name, events, expected) => {
    expect(walk(serviceMachine, [...events], input)).toEqual(expected);
  });
});

describe('incident machine', () => {
  it.each([
    ['the full lifecycle', [{ type: 'PAGE' }, { type: 'ACK' }, { type: 'DECLARE', severity: 1 }, { type: 'MITIGATED' }, { type: 'RESOLVE' }], ['idle', 'detected', 'acknowledged', 'declared', 'mitigated', 'resolved']],
    ['declare implies acknowledge', [{ type: 'PAGE' }, { type: 'DECLARE', severity: 2 }], ['idle', 'detected', 'declared']],
    ['rejects a bad severity', [{ type: 'PAGE' }, { type: 'DECLARE', severity: 7 }], ['idle', 'detected', 'detected']],
    ['cannot resolve before mitigation', [{ type: 'PAGE' }, { type: 'ACK' }, { type: 'RESOLVE' }], ['idle', 'detected', 'acknowledged', 'acknowledged']],
    ['cannot acknowledge before a page', [{ type: 'ACK' }, { type: 'DECLARE', severity: 1 }], ['idle', 'idle', 'idle']],
    ['regresses to declared', [{ type: 'PAGE' }, { type: 'DECLARE', severity: 1 }, { type: 'MITIGATED' }, { type: 'REGRESSED' }], ['idle', 'detected', 'declared', 'mitigated', 'declared']],
    ['regresses to detected when nobody acknowledged', [{ type: 'PAGE' }, { type: 'MITIGATED' }, { type: 'REGRESSED' }], ['idle', 'detected', 'mitigated', 'detected']],
    ['regresses to acknowledged', [{ type: 'PAGE' }, { type: 'ACK' }, { type: 'MITIGATED' }, { type: 'REGRESSED' }], ['idle', 'detected', 'acknowledged', 'mitigated', 'acknowledged']],
    ['is final once resolved', [{ type: 'PAGE' }, { type: 'MITIGATED' }, { type: 'RESOLVE' }, { type: 'PAGE' }, { type: 'REGRESSED' }], ['idle', 'detected', 'mitigated', 'resolved', 'resolved', 'resolved']],
  ] as const)('%s', (_name, events, expected) => {
    expect(walk(incidentMachine, [...events])).toEqual(expected);
  });

  it('keeps the severity in context, and changes it on a later declare', () => {
    let [s] = initialTransition(incidentMachine);
    for (const e of [{ type: 'PAGE' }, { type: 'DECLARE', severity: 2 }, { type: 'DECLARE', severity: 1 }] as const) {
      [s] = transition(incidentMachine, s, e);
    }
    expect(s.context).toEqual({ severity: 1, acknowledged: true });
  });
});

describe('drill machine', () => {
  it.each([
    ['runs, pauses, resumes and ends', ['START', 'PAUSE', 'RESUME', 'END'], ['ready', 'running', 'paused', 'running', 'ended']],
    ['cannot pause before it starts', ['PAUSE', 'RESUME'], ['ready', 'ready', 'ready']],
    ['can end while paused', ['START', 'PAUSE', 'END', 'RESUME'], ['ready', 'running', 'paused', 'ended', 'ended']],
  ] as const)('%s', (_name, types, expected) => {
    expect(walk(drillMachine, types.map((type) => ({ type })))).toEqual(expected);
  });
});

describe('state names in the contract', () => {
  // The log mirrors these machines' state names; the event union in engine/protocol/events.ts must name the same ones.
  it.each([
    ['drill', drillMachine, DRILL_PHASES],
    ['incident', incidentMachine, INCIDENT_STATES],
    ['service', serviceMachine, SERVICE_STATES],
  ] as const)('the %s machine has exactly the states the event union names', (_name, machine, names) => {
    expect(Object.keys(machine.config.states ?? {}).sort()).toEqual([...names].sort());
  });
});
