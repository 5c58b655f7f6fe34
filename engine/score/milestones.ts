/**
 * Incident milestones in simulated time, from the ground truth in the log: when the engine injected
 * the root cause, when customers were first hurt, when the page fired — not times someone typed in.
 */
import type { EngineEvent } from '../protocol/events.ts';
import type { Scenario } from '../protocol/scenario.ts';
import { faultTargetFields } from '../protocol/ids.ts';

export interface Milestones {
  /** The root-cause fault started (scheduled, injected or triggered). */
  started: number | null;
  /** The first journey left its SLO. */
  impactStart: number | null;
  /** The first page fired: the incident was detected. */
  detected: number | null;
  acknowledged: number | null;
  declared: number | null;
  /** The first diagnose of any service after impact began. */
  investigating: number | null;
  /** The first diagnose of the root-cause service once the root-cause fault has started. */
  identified: number | null;
  /**
   * Every journey back within its SLO for good: the start of the last stretch in which all of them
   * stayed within it, once that stretch has lasted objectives.stable (five minutes by default).
   */
  mitigated: number | null;
  resolved: number | null;
}

/** The root-cause fault: `target` is its first service, `targets` all of them when it has several. */
export function rootCauseFault(scenario: Scenario): { id: string; target: string; targets?: string[] } | undefined {
  const byId = scenario.faults.find((f) => f.id === scenario.facilitator.rootCause);
  const fault = byId ?? scenario.faults.find((f) => f.rootCause) ?? scenario.faults.find((f) => f.kind !== 'noise');
  return fault ? { id: fault.id, ...faultTargetFields(fault) } : undefined;
}

export function findMilestones(scenario: Scenario, events: readonly EngineEvent[]): Milestones {
  const root = rootCauseFault(scenario);
  // Looking at any service the root-cause fault hurts identifies it.
  // A fault on one call shows from both ends: the caller's timeouts or the callee's missing load.
  const rootFault = scenario.faults.find((f) => f.id === root?.id);
  const rootTargets = new Set(root ? [...(root.targets ?? [root.target]), ...(rootFault?.from !== undefined ? [rootFault.from] : [])] : []);
  const m: Milestones = {
    started: null,
    impactStart: null,
    detected: null,
    acknowledged: null,
    declared: null,
    investigating: null,
    identified: null,
    mitigated: null,
    resolved: null,
  };
  const outOfSlo = new Set<string>();
  // The stretch in which every journey has been back within SLO since impact began, if one is running.
  let allBackSince: number | null = null;
  for (const e of events) {
    switch (e.type) {
      case 'fault.started':
        if (e.fault === root?.id) m.started ??= e.t;
        break;
      case 'journey.slo':
        if (e.ok) outOfSlo.delete(e.journey);
        else outOfSlo.add(e.journey);
        if (!e.ok) m.impactStart ??= e.t;
        allBackSince = m.impactStart !== null && outOfSlo.size === 0 ? e.t : null;
        break;
      case 'incident.state':
        if (e.to === 'detected') m.detected ??= e.t;
        // Declaring implies acknowledging, so whichever came first is the acknowledgement.
        if (e.to === 'acknowledged' || e.to === 'declared') m.acknowledged ??= e.t;
        if (e.to === 'declared') m.declared ??= e.t;
        if (e.to === 'resolved') m.resolved ??= e.t;
        break;
      case 'diagnosis':
        if (m.impactStart !== null) m.investigating ??= e.t;
        // Looking at the right service before its fault began identified nothing yet.
        if (rootTargets.has(e.target) && m.started !== null) m.identified ??= e.t;
        break;
    }
  }
  // Mitigated once the last stretch has lasted the stable period by the end of the log: a stretch
  // cut short by the drill's end has not shown that it holds.
  const end = events.at(-1)?.t ?? 0;
  m.mitigated = allBackSince !== null && end - allBackSince >= scenario.objectives.stable ? allBackSince : null;
  return m;
}

export interface Durations {
  timeToAcknowledge: number | null;
  timeToDeclare: number | null;
  timeToDiagnose: number | null;
  timeToMitigate: number | null;
  timeToResolve: number | null;
}

const since = (from: number | null, to: number | null): number | null => (from === null || to === null ? null : Math.max(0, to - from));

/** The response times scoring grades: acknowledge from the page, everything else from impact start. */
export function durations(m: Milestones): Durations {
  return {
    timeToAcknowledge: since(m.detected, m.acknowledged),
    timeToDeclare: since(m.impactStart, m.declared),
    timeToDiagnose: since(m.impactStart, m.identified),
    timeToMitigate: since(m.impactStart, m.mitigated),
    timeToResolve: since(m.impactStart, m.resolved),
  };
}
