/**
 * The two times of a mitigation, so the debrief never seems to contradict itself. The scorecard's
 * `mitigated` is when every journey came back within its SLO for good (the start of the stable
 * stretch: the customers' view); the incident machine can only say so once that stretch has lasted
 * `objectives.stable`, so its `incident.state` → mitigated event, which the timeline shows, comes
 * later. Every place that prints one of them names which one it is, in these words.
 */
import type { EngineEvent } from '../protocol/events.ts';
import { formatClock } from '../protocol/format.ts';
import type { Milestones } from './milestones.ts';

export interface MitigationTimes {
  /** The scorecard's `mitigated`: every journey back within its SLO from here on. */
  backInSlo: number;
  /** The incident marked mitigated (the log's `incident.state` whose `since` is backInSlo); null if that came only after the drill ended. */
  confirmedAt: number | null;
  /** `objectives.stable`. */
  stableMs: number;
}

export function mitigationTimes(m: Milestones, events: readonly EngineEvent[], stableMs: number): MitigationTimes | null {
  return m.mitigated === null ? null : { backInSlo: m.mitigated, confirmedAt: confirmedAt(m, events), stableMs };
}

/** When the log's incident was marked mitigated for the milestone's stretch; null if it never was within the log. */
export function confirmedAt(m: Milestones, events: readonly EngineEvent[]): number | null {
  if (m.mitigated === null) return null;
  return events.find((e) => e.type === 'incident.state' && e.to === 'mitigated' && (e.since ?? e.t) === m.mitigated)?.t ?? null;
}

/** "5-minute", "90-second". */
const stablePeriod = (ms: number): string => (ms % 60_000 === 0 ? `${ms / 60_000}-minute` : `${ms / 1000}-second`);

/** The debrief's sentence: "Every journey back within its SLO from 00:17:50 (mitigated; confirmed at 00:22:40, after the 5-minute stable period)." */
export function mitigationSentence(t: MitigationTimes): string {
  const confirmed =
    t.confirmedAt === null
      ? `confirmed only after the drill ended, by the run carried on to the scenario's end, after the ${stablePeriod(t.stableMs)} stable period`
      : `confirmed at ${formatClock(t.confirmedAt)}, after the ${stablePeriod(t.stableMs)} stable period`;
  return `Every journey back within its SLO from ${formatClock(t.backInSlo)} (mitigated; ${confirmed}).`;
}

/** The timeline's line for the incident.state → mitigated event: it says which earlier time it confirms. */
export const mitigatedEntryText = (since: number, stableMs: number): string =>
  `Incident mitigated: every journey back within its SLO since ${formatClock(since)}, confirmed after the ${stablePeriod(stableMs)} stable period.`;

/** The milestones table's label for `mitigated`, and the row for its confirmation. */
const MITIGATED_LABEL = 'mitigated: every journey back within its SLO';
const CONFIRMED_LABEL = 'mitigation confirmed (the incident marked mitigated)';

/** The milestones table: the markers, `mitigated` named as the customers' time, and its confirmation in time order. */
export function milestoneRows(markers: readonly { name: string; label: string; t: number }[], mitigation: MitigationTimes | null): { label: string; t: number }[] {
  const rows = markers.map((m) => ({ label: m.name === 'mitigated' ? MITIGATED_LABEL : m.label, t: m.t }));
  if (mitigation?.confirmedAt != null) rows.push({ label: CONFIRMED_LABEL, t: mitigation.confirmedAt });
  // Array.prototype.sort is stable: the confirmation goes after any milestone at the same time.
  return rows.sort((a, b) => a.t - b.t);
}
