/**
 * What responders and observers may see. Faults are the facilitator's secret (they name the root
 * cause and the upcoming injects), so fault events and the inject commands that name them are hidden.
 * Advice labels, log rules and facilitator notes live only in the scenario, never in events.
 */
import type { Scenario } from '../../protocol/scenario.ts';
import type { PublicScenario } from '../../protocol/views.ts';
import type { EngineEvent } from '../../protocol/events.ts';
import { kindOf } from '../../protocol/kinds.ts';

/** The rule lives in protocol/kinds.ts, shared with the report and the UI timeline. */
export const isFacilitatorOnly = (event: EngineEvent): boolean => kindOf(event) === 'hidden';

/** Removes every `facilitator` key, at any depth. */
function stripFacilitator<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripFacilitator) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'facilitator') out[k] = stripFacilitator(v);
  return out as T;
}

/**
 * The scenario as responders may see it: the system, the journeys, the alerts and the actions they
 * can take — but not the faults, the advice before it appears, the log rules (they name faults),
 * which faults an action resolves, or anything under `facilitator`.
 */
export function publicScenario(s: Scenario): PublicScenario {
  return stripFacilitator({
    id: s.id,
    title: s.title,
    briefing: s.briefing,
    tick: s.tick,
    duration: s.duration,
    services: s.services,
    journeys: s.journeys,
    alerts: s.alerts,
    actions: s.actions.map(({ resolves: _resolves, ...action }) => action),
    objectives: s.objectives,
    scoring: s.scoring,
    controlledFriction: s.controlledFriction,
    changes: s.changes.map(({ fault: _fault, ...change }) => change),
    task: s.task ? { title: s.task.title, text: s.task.text, deadline: s.task.deadline, by: s.task.by } : null,
  });
}
