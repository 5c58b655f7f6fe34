/**
 * Id rules that every side shares. Pure and dependency-free, so the UI bundle can import them.
 */

/** An action's id: its explicit `id`, else "type:target" (the scenario loader rejects duplicates). */
export const actionId = (def: { readonly id?: string | undefined; readonly type: string; readonly target: string }): string =>
  def.id ?? `${def.type}:${def.target}`;

/**
 * The "type:target" key of what advice proposes (or of an action command), as the scorecard and the
 * report name it. Not an action id: an action with an explicit `id` still has this key.
 */
export const proposalKey = (p: { readonly type: string; readonly target: string }): string => `${p.type}:${p.target}`;

/** The name of an asynchronous edge's topic when the scenario gives none: "<caller>-<consumer>". */
export const defaultTopic = (caller: string, consumer: string): string => `${caller}-${consumer}`;
/**
 * The services a fault acts on: its one `target`, or each of its list. Every consumer reads targets
 * through this, so a single target and a list of one behave the same.
 */
export const faultTargets = (def: { readonly target: string | readonly string[] }): readonly string[] =>
  typeof def.target === 'string' ? [def.target] : def.target;

/**
 * How events, views and reports name a fault's targets: `target` (the first) always, `targets` (all)
 * only when there are several, so what a one-target fault produces is unchanged.
 */
export const faultTargetFields = (def: { readonly target: string | readonly string[] }): { target: string; targets?: string[] } => {
  const all = faultTargets(def);
  const target = all[0] ?? '';
  return all.length > 1 ? { target, targets: [...all] } : { target };
};
