/**
 * When the next stakeholder update is due: every `scoring.statusCadence` from the page (or the last
 * update), until the incident is resolved; the same rule the score uses for status-update gaps.
 */
import { formatClock } from '../../engine/protocol/format.ts';

export interface StatusDue {
  text: string;
  overdue: boolean;
}

export function statusDue(m: { now: number; lastStatusAt: number | null; detectedAt: number | null; incident: { state: string }; scenario: { scoring: { statusCadence: number } } }): StatusDue {
  const last = m.lastStatusAt === null ? 'No status update yet' : `Last update ${formatClock(Math.max(0, m.now - m.lastStatusAt))} ago`;
  const open = m.incident.state !== 'idle' && m.incident.state !== 'resolved';
  const from = Math.max(m.lastStatusAt ?? -Infinity, m.detectedAt ?? -Infinity);
  if (!open || !Number.isFinite(from)) return { text: last, overdue: false };
  const left = from + m.scenario.scoring.statusCadence - m.now;
  return left >= 0
    ? { text: `${last}; next due in ${formatClock(left)}`, overdue: false }
    : { text: `${last}; overdue by ${formatClock(-left)}`, overdue: true };
}
