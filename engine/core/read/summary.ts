/**
 * A run's headline facts, derived from its events alone: when the cascade reached each journey, the
 * first page, the incident milestones, when impact ended, and what customers lost.
 */
import type { Scenario } from '../../protocol/scenario.ts';
import type { EngineEvent, EventOf } from '../../protocol/events.ts';

/** Error budgets are counted over a 30-day window, the usual SLO period. */
const BUDGET_WINDOW_SEC = 30 * 24 * 3600;

export interface JourneyImpact {
  journey: string;
  unit: string;
  /** When the journey first left its SLO, or null if it never did. */
  firstOutOfSlo: number | null;
  failed: number;
  degraded: number;
  lost: number;
  badMinutes: number;
  /** Share of the journey's 30-day error budget this run burned: failed / (30 days of traffic × (1 − SLO target)). */
  budgetBurned: number;
  /** Whether the journey was out of SLO during the last simulated minute of the run. */
  impactedAtEnd: boolean;
}

export interface RunSummary {
  scenarioId: string;
  seed: number;
  endedAt: number;
  endReason: string | null;
  firstPage: { t: number; alert: string } | null;
  impactStart: number | null;
  /** When every journey was last back within SLO for good, or null if impact never ended. */
  impactEnd: number | null;
  milestones: Partial<Record<'detected' | 'acknowledged' | 'declared' | 'mitigated' | 'resolved', number>>;
  incidentState: string;
  severity: number | null;
  journeys: JourneyImpact[];
  totals: { failed: number; lost: number };
  commands: { accepted: number; rejected: number };
}

/** `endedAt` is the simulated time the run stopped at; by default, the time of its last event. */
export function summarizeRun(scenario: Scenario, seed: number, events: readonly EngineEvent[], endedAt?: number): RunSummary {
  const journeys = new Map<string, JourneyImpact>(
    scenario.journeys.map((j) => [
      j.id,
      { journey: j.id, unit: j.unit, firstOutOfSlo: null, failed: 0, degraded: 0, lost: 0, badMinutes: 0, budgetBurned: 0, impactedAtEnd: false },
    ]),
  );
  const outOfSlo = new Set<string>();
  const summary: RunSummary = {
    scenarioId: scenario.id,
    seed,
    endedAt: 0,
    endReason: null,
    firstPage: null,
    impactStart: null,
    impactEnd: null,
    milestones: {},
    incidentState: 'idle',
    severity: null,
    journeys: [],
    totals: { failed: 0, lost: 0 },
    commands: { accepted: 0, rejected: 0 },
  };
  for (const e of events) {
    summary.endedAt = e.t;
    switch (e.type) {
      case 'journey.slo': {
        const j = journeys.get(e.journey);
        if (!j) break;
        if (e.ok) outOfSlo.delete(j.journey);
        else {
          outOfSlo.add(j.journey);
          j.firstOutOfSlo ??= e.t;
          summary.impactStart ??= e.t;
        }
        summary.impactEnd = outOfSlo.size === 0 ? e.t : null;
        break;
      }
      case 'alert.firing':
        if (e.severity === 'page' && !summary.firstPage) summary.firstPage = { t: e.t, alert: e.alert };
        break;
      case 'incident.state':
        // Mitigated is confirmed only after the stable period; its milestone is the stretch's start.
        if (e.to !== 'idle') summary.milestones[e.to] ??= e.since ?? e.t;
        summary.incidentState = e.to;
        summary.severity = e.severity ?? summary.severity;
        break;
      case 'incident.severity':
        summary.severity = e.to;
        break;
      case 'impact.minute':
        addMinute(journeys, e);
        break;
      case 'command':
        if (e.ok) summary.commands.accepted++;
        else summary.commands.rejected++;
        break;
      case 'drill.state':
        if (e.to === 'ended') summary.endReason = e.reason ?? null;
        break;
    }
  }
  if (endedAt !== undefined) summary.endedAt = endedAt;
  summary.journeys = [...journeys.values()];
  for (const def of scenario.journeys) {
    const j = journeys.get(def.id);
    if (!j) continue;
    const monthlyBudget = def.rps * scenario.traffic.level * BUDGET_WINDOW_SEC * (1 - def.slo.target);
    j.budgetBurned = Math.round((j.failed / monthlyBudget) * 10_000) / 10_000;
  }
  for (const j of summary.journeys) {
    summary.totals.failed += j.failed;
    summary.totals.lost += j.lost;
  }
  summary.totals.lost = Math.round(summary.totals.lost * 100) / 100;
  return summary;
}

function addMinute(journeys: Map<string, JourneyImpact>, e: EventOf<'impact.minute'>): void {
  for (const [id, m] of Object.entries(e.journeys)) {
    const j = journeys.get(id);
    if (!j) continue;
    j.failed += m.failed;
    j.degraded += m.degraded;
    j.lost = Math.round((j.lost + m.lost) * 100) / 100;
    j.badMinutes += m.badSec / 60;
    j.impactedAtEnd = m.badSec > 0;
  }
}
