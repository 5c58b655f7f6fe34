/**
 * One name for a service or a journey everywhere in the console: the scenario's display name
 * ("Pricing database", "See product prices"), its id only when it has none. Buttons, banners, the
 * pager and the status line all go through here, as the timeline's sentences go through describe.
 */
import { actionTitle, actionWords } from '../../engine/protocol/describe.ts';
import { actionId } from '../../engine/protocol/ids.ts';
import type { ViewModel } from './model.ts';

type Names = Pick<ViewModel, 'services' | 'journeys'>;

/** A service's name, else a journey's (an alert or a proposal may target either), else the id. */
export function nameOf(m: Names, id: string): string {
  return m.services[id]?.name ?? m.journeys[id]?.name ?? id;
}

/** An action as a button says it: "Roll back Pricing", "Open a breaker on Checkout (calls to recommendations)". */
export function actionLabel(m: Names, a: { type: string; target: string; dependency?: string | undefined }): string {
  return actionTitle(actionWords(a.type, nameOf(m, a.target), a.dependency === undefined ? undefined : nameOf(m, a.dependency)));
}

/** The action a request (its id, "rollback:pricing") asks for, by its label; the id if the scenario has no such action. */
export function requestLabel(m: Names & Pick<ViewModel, 'scenario'>, request: string): string {
  const def = m.scenario.actions.find((a) => actionId(a) === request);
  return def ? actionLabel(m, def) : request;
}
