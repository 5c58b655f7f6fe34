/**
 * Which completed actions stay in force, and how many times: the one rule the engine (which applies
 * and undoes the effects) and the console (which offers "Revert") both follow.
 *
 * A scale, a drain, a breaker, a flag or a retry policy leaves an effect in force when it completes; the others
 * (rollback, restart, failover, ...) are over once they land. Scales stack: each completion doubles
 * capacity again and each revert undoes one. Drains, breakers and flags are switches: completing one
 * that is already in force changes nothing (retry policies too). A revert undoes one completion.
 *
 * Zod-free and type-only imports, so the UI bundle can use it without pulling in zod.
 */
import type { EventOf } from './events.ts';
import type { ActionType } from './scenario.ts';

/** The action kinds whose effect stays in force after they complete, until reverted. */
export const LASTING_ACTION_KINDS = ['scale', 'drain', 'breaker', 'flag', 'retry-policy'] as const satisfies readonly ActionType[];
export type LastingActionKind = (typeof LASTING_ACTION_KINDS)[number];

const LASTING: ReadonlySet<string> = new Set(LASTING_ACTION_KINDS);

export const isLasting = (kind: string): kind is LastingActionKind => LASTING.has(kind);

/** Scales stack; the other lasting kinds are switches. */
const stacks = (kind: string): boolean => kind === 'scale';

/**
 * An action's in-force count after it completes: one more for a lasting kind, unless it is a switch
 * that is already on. When the count comes back unchanged, the completion left nothing in force.
 */
export function countAfterCompletion(kind: string, count: number): number {
  if (!isLasting(kind)) return count;
  if (!stacks(kind) && count > 0) return count;
  return count + 1;
}

/** An action's in-force count after one revert (never below zero). */
export const countAfterRevert = (count: number): number => Math.max(0, count - 1);

/** Action id → how many times its effect is in force; ids at zero are left out. */
export type InForceCounts = Readonly<Record<string, number>>;

export type InForceEvent = EventOf<'action.completed'> | EventOf<'action.reverted'>;

/** Folds one completion or revert into the counts. Pure: returns `counts` itself when nothing changes. */
export function applyInForce(counts: InForceCounts, e: InForceEvent): InForceCounts {
  const count = counts[e.action] ?? 0;
  const next = e.type === 'action.completed' ? countAfterCompletion(e.kind, count) : countAfterRevert(count);
  if (next === count) return counts;
  if (next > 0) return { ...counts, [e.action]: next };
  const { [e.action]: _gone, ...rest } = counts;
  return rest;
}
