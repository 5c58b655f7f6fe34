/** The status-update countdown beside "Post status update": due every cadence from the page or the last update, red once overdue. */
import { describe, expect, it } from 'vitest';
import { statusDue } from '../../ui/src/status-due.ts';

const MIN = 60_000;
const at = (now: number, state: string, lastStatusAt: number | null, detectedAt: number | null) => ({
  now,
  lastStatusAt,
  detectedAt,
  incident: { state },
  scenario: { scoring: { statusCadence: 20 * MIN } },
});

describe('statusDue', () => {
  it('counts down from the page while nobody has posted, then says by how much it is overdue', () => {
    expect(statusDue(at(5 * MIN, 'detected', null, 2 * MIN))).toEqual({ text: 'No status update yet; next due in 00:17:00', overdue: false });
    expect(statusDue(at(25 * MIN, 'declared', null, 2 * MIN))).toEqual({ text: 'No status update yet; overdue by 00:03:00', overdue: true });
  });

  it('counts from the last update once there is one', () => {
    expect(statusDue(at(30 * MIN, 'declared', 25 * MIN, 2 * MIN))).toEqual({ text: 'Last update 00:05:00 ago; next due in 00:15:00', overdue: false });
  });

  it('asks for nothing before the page or after the resolution', () => {
    expect(statusDue(at(5 * MIN, 'idle', null, null))).toEqual({ text: 'No status update yet', overdue: false });
    expect(statusDue(at(90 * MIN, 'resolved', 40 * MIN, 2 * MIN))).toEqual({ text: 'Last update 00:50:00 ago', overdue: false });
  });
});
