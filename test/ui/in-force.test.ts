/** The in-force rule both the engine and the console follow (engine/protocol/in-force.ts). */
import { describe, expect, it } from 'vitest';
import type { EventOf } from '../../engine/protocol/events.ts';
import { LASTING_ACTION_KINDS, applyInForce, countAfterCompletion, countAfterRevert, isLasting } from '../../engine/protocol/in-force.ts';
import { ACTION_TYPES } from '../../engine/protocol/scenario.ts';

const completed = (action: string, kind: EventOf<'action.completed'>['kind']): EventOf<'action.completed'> => ({ seq: 0, t: 0, type: 'action.completed', action, kind, target: 'x', by: 'bob' });
const reverted = (action: string, kind: EventOf<'action.reverted'>['kind']): EventOf<'action.reverted'> => ({ seq: 0, t: 0, type: 'action.reverted', action, kind, target: 'x', by: 'bob' });

describe('in force', () => {
  it('scale, drain, breaker, flag and retry-policy stay in force; the other kinds do not', () => {
    expect([...LASTING_ACTION_KINDS]).toEqual(['scale', 'drain', 'breaker', 'flag', 'retry-policy']);
    expect(ACTION_TYPES.filter(isLasting)).toEqual(['scale', 'flag', 'breaker', 'drain', 'retry-policy']);
    for (const kind of ACTION_TYPES.filter((k) => !isLasting(k))) expect(countAfterCompletion(kind, 0)).toBe(0);
  });

  it('scales stack; switches do not; a revert undoes one', () => {
    expect(countAfterCompletion('scale', 0)).toBe(1);
    expect(countAfterCompletion('scale', 1)).toBe(2);
    for (const kind of ['drain', 'breaker', 'flag', 'retry-policy']) {
      expect(countAfterCompletion(kind, 0)).toBe(1);
      expect(countAfterCompletion(kind, 1)).toBe(1);
    }
    expect(countAfterRevert(2)).toBe(1);
    expect(countAfterRevert(1)).toBe(0);
    expect(countAfterRevert(0)).toBe(0);
  });

  it('folds completions and reverts into counts, leaving ids at zero out and its input as it was', () => {
    const start = Object.freeze({});
    let counts = applyInForce(start, completed('scale:auth', 'scale'));
    counts = applyInForce(counts, completed('scale:auth', 'scale'));
    counts = applyInForce(counts, completed('breaker:checkout', 'breaker'));
    const before = counts;
    expect(applyInForce(counts, completed('breaker:checkout', 'breaker'))).toBe(before);
    expect(applyInForce(counts, completed('rollback:pricing', 'rollback'))).toBe(before);
    expect(counts).toEqual({ 'scale:auth': 2, 'breaker:checkout': 1 });
    counts = applyInForce(counts, reverted('scale:auth', 'scale'));
    counts = applyInForce(counts, reverted('breaker:checkout', 'breaker'));
    expect(counts).toEqual({ 'scale:auth': 1 });
    expect(before).toEqual({ 'scale:auth': 2, 'breaker:checkout': 1 });
    expect(applyInForce(counts, reverted('scale:auth', 'scale'))).toEqual({});
    expect(start).toEqual({});
  });
});
