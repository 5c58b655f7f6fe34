/**
 * The biggest time sinks at the top of the debrief (engine/score/time-sinks.ts): the longest stretches
 * between consecutive steps, or waits for a second person, none overlapping another, longest first.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../engine/protocol/events.ts';
import type { Milestones } from '../../engine/score/milestones.ts';
import type { Scorecard } from '../../engine/score/scorecard.ts';
import { noTimeSinks, timeSinks } from '../../engine/score/time-sinks.ts';
import type { FrictionItem } from '../../engine/score/verification.ts';
import { scoredRun } from './runs.ts';

const MIN = 60_000;
const NONE: Milestones = { started: null, impactStart: null, detected: null, acknowledged: null, declared: null, investigating: null, identified: null, mitigated: null, resolved: null };

/** A scorecard with only what timeSinks reads, on top of a real one. */
function cardWith(milestones: Partial<Milestones>, friction: FrictionItem[] = [], endedAt = 60 * MIN): Scorecard {
  const base = scoredRun('retail-sev1').card;
  return { ...base, endedAt, prevented: false, milestones: { ...NONE, ...milestones }, conduct: { ...base.conduct, verification: { ...base.conduct.verification, friction } } };
}

let seq = 0;
const command = (t: number, actor: string, name: string, extra: { target?: string; params?: Record<string, unknown>; ok?: boolean } = {}): EngineEvent =>
  ({ seq: seq++, t: t * MIN, type: 'command', actor, command: name, ok: extra.ok ?? true, ...(extra.target ? { target: extra.target } : {}), ...(extra.params ? { params: extra.params } : {}) }) as EngineEvent;
const requested = (t: number, request: string): EngineEvent => ({ seq: seq++, t: t * MIN, type: 'approval.requested', request, by: 'bob' }) as EngineEvent;
const review = (from: number, to: number | null, request: string): FrictionItem => ({
  kind: 'action',
  request,
  requestedBy: 'bob',
  requestedAt: from * MIN,
  decidedBy: to === null ? null : 'alice',
  decidedAt: to === null ? null : to * MIN,
  ms: ((to ?? 60) - from) * MIN,
  verdict: to === null ? 'pending' : 'approved',
  fault: null,
  prevented: null,
});

describe('time sinks', () => {
  it('the reference response to retail-sev1: its three longest stretches, longest first', () => {
    const { card, events } = scoredRun('retail-sev1');
    expect(timeSinks(card, events).map((s) => s.text)).toEqual([
      '5.8 minutes from the incident marked mitigated to resolving the incident',
      // The approval and the retry policy went in at one tick: the stretch starts after the last of them.
      "4.0 minutes from the decision to push a new retry policy to product-page's client to every journey back within its SLO",
      '1.0 minutes from the acknowledgement to declaring Sev 1',
    ]);
  });

  it('a prevented incident has none, and the debrief says why', () => {
    const { card, events } = scoredRun('retail-change-window');
    expect(card.prevented).toBe(true);
    expect(timeSinks(card, events)).toEqual([]);
    expect(noTimeSinks(card)).toBe('None: the team prevented the incident, so no time went into one.');
  });

  it('names each step, and ignores status updates, roles, reading and rejected commands', () => {
    const card = cardWith({ detected: 0, impactStart: 0, investigating: 12 * MIN, identified: 12 * MIN, mitigated: 30 * MIN, resolved: 40 * MIN });
    const events = [
      command(1, 'carol', 'status-update', { params: { message: 'looking' } }),
      command(2, 'alice', 'assign-role', { params: { role: 'ic' } }),
      command(3, 'bob', 'open-page', { params: { page: 'faq' } }),
      command(4, 'bob', 'restart', { target: 'pricing', ok: false }),
      command(12, 'bob', 'diagnose', { target: 'pricing' }),
      command(18, 'bob', 'rollback', { target: 'pricing' }),
      requested(18, 'rollback:pricing'),
      command(19, 'alice', 'approve', { params: { request: 'rollback:pricing' } }),
      command(40, 'alice', 'resolve'),
    ];
    expect(timeSinks(card, events, 5).map((s) => s.text)).toEqual([
      '12.0 minutes from the page to the first diagnose (pricing, the root cause)',
      '11.0 minutes from approving “Roll back pricing” to every journey back within its SLO',
      '10.0 minutes from every journey back within its SLO to resolving the incident',
      '6.0 minutes from the first diagnose (pricing, the root cause) to the request to roll back pricing',
      '1.0 minutes from the request to roll back pricing to approving “Roll back pricing”',
    ]);
  });

  it('a wait for a second approver beats the stretches inside it, and nothing overlaps', () => {
    const card = cardWith({ detected: 0, impactStart: 0, investigating: 2 * MIN, resolved: 30 * MIN }, [review(6, 14.5, 'rollback:pricing')]);
    const events = [
      command(2, 'bob', 'diagnose', { target: 'checkout' }),
      command(6, 'bob', 'rollback', { target: 'pricing' }),
      requested(6, 'rollback:pricing'),
      command(10, 'bob', 'scale', { target: 'checkout' }),
      command(14.5, 'alice', 'approve', { params: { request: 'rollback:pricing' } }),
      command(30, 'alice', 'resolve'),
    ];
    const sinks = timeSinks(card, events);
    expect(sinks.map((s) => s.text)).toEqual([
      '15.5 minutes from approving “Roll back pricing” to resolving the incident',
      '8.5 minutes waiting for a second approver to roll back pricing',
      '4.0 minutes from the first diagnose (checkout) to the request to roll back pricing',
    ]);
    expect(sinks.map((s) => s.kind)).toEqual(['gap', 'review', 'gap']);
    for (const [i, a] of sinks.entries()) for (const b of sinks.slice(i + 1)) expect(a.from >= b.to || b.from >= a.to).toBe(true);
  });

  it('an unresolved incident runs to the end of the drill; a review still waiting says so', () => {
    const card = cardWith({ detected: 5 * MIN, impactStart: 4 * MIN }, [review(8, null, 'failover:db')], 20 * MIN);
    const events = [command(6, 'alice', 'ack'), command(8, 'bob', 'failover', { target: 'db' }), requested(8, 'failover:db')];
    expect(timeSinks(card, events).map((s) => s.text)).toEqual([
      '12.0 minutes waiting for a second approver to fail db over (still waiting when the drill ended)',
      '2.0 minutes from the acknowledgement to the request to fail db over',
      '1.0 minutes from the page to the acknowledgement',
    ]);
  });

  it('the stable period between every journey back and the incident marked mitigated is no sink', () => {
    const card = cardWith({ detected: 0, impactStart: 0, mitigated: 10 * MIN, resolved: 20 * MIN });
    const events = [
      command(1, 'bob', 'rollback', { target: 'pricing' }),
      { seq: seq++, t: 15 * MIN, type: 'incident.state', from: 'declared', to: 'mitigated', severity: 1, since: 10 * MIN } as EngineEvent,
      command(20, 'alice', 'resolve'),
    ];
    expect(timeSinks(card, events).map((s) => s.text)).toEqual([
      '9.0 minutes from the decision to roll back pricing to every journey back within its SLO',
      '5.0 minutes from the incident marked mitigated to resolving the incident',
      '1.0 minutes from the page to the decision to roll back pricing',
    ]);
  });

  it('nothing paged and nobody was hurt: none', () => {
    const card = cardWith({});
    expect(timeSinks(card, [command(3, 'bob', 'diagnose', { target: 'pricing' })])).toEqual([]);
    expect(noTimeSinks(card)).toBe('None: nothing paged and no journey left its SLO.');
  });
});
