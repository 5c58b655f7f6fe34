/** Checks of actions: the fields each kind needs and reads, and retry throttles that could never act. */
import type { Ctx } from './lint-context.ts';

/** Fields that only one kind of action reads; on any other kind they are silently ignored, so say so. */
const ACTION_FIELDS = {
  dependency: ['breaker', 'flag', 'retry-policy'],
  capacityFactor: ['scale'],
  shed: ['drain'],
  retries: ['retry-policy'],
  retryBudget: ['retry-policy'],
  retryThrottle: ['retry-policy'],
  adaptiveThrottle: ['retry-policy'],
} as const;

/** The client settings a retry-policy action can push: it needs at least one. */
const RETRY_POLICY_FIELDS = ['retries', 'retryBudget', 'retryThrottle', 'adaptiveThrottle'] as const;

export function checkActions({ s, report, services }: Ctx): void {
  s.actions.forEach((action, i) => {
    const what = `a ${action.type} action`;
    const target = s.services.find((service) => service.id === action.target);
    if (action.type === 'retry-policy' && RETRY_POLICY_FIELDS.every((field) => action[field] === undefined)) {
      report(['actions', i], `${what} needs "retries", "retryBudget", "retryThrottle" or "adaptiveThrottle": the client setting it pushes`);
    }
    if ((action.type === 'breaker' || action.type === 'flag' || action.type === 'retry-policy') && action.dependency === undefined) {
      report(['actions', i], `${what} needs "dependency": the dependency of ${JSON.stringify(action.target)} it cuts off`);
    } else if (action.dependency !== undefined && target !== undefined && services.has(action.dependency)) {
      if (!target.dependencies.some((dep) => dep.service === action.dependency)) {
        report(
          ['actions', i, 'dependency'],
          `${JSON.stringify(action.dependency)} is not a dependency of ${JSON.stringify(action.target)}`,
        );
      }
    }
    if (action.type === 'scale' && action.capacityFactor === undefined) {
      report(['actions', i], `${what} needs "capacityFactor": how much it multiplies the capacity of ${JSON.stringify(action.target)}`);
    }
    if (action.type === 'drain' && action.shed === undefined) {
      report(['actions', i], `${what} needs "shed": the share of traffic to reject early`);
    }
    for (const [field, types] of Object.entries(ACTION_FIELDS)) {
      if (action[field as keyof typeof ACTION_FIELDS] !== undefined && !(types as readonly string[]).includes(action.type)) {
        report(['actions', i, field], `"${field}" only applies to ${types.join(' and ')} actions; it is ignored here`, 'warning');
      }
    }
  });
}

/**
 * Retry throttling only ever stops retries: on a call that makes none (and that no retry-policy
 * action gives any), it does nothing, which is likely not what the author meant.
 */
export function checkRetryThrottles({ s, report }: Ctx): void {
  const retriedBy = (caller: string, callee: string) =>
    s.actions.some((a) => a.type === 'retry-policy' && a.target === caller && a.dependency === callee && (a.retries ?? 0) > 0);
  s.services.forEach((service, i) =>
    service.dependencies.forEach((dep, j) => {
      if (dep.retryThrottle !== undefined && dep.retries === 0 && !retriedBy(service.id, dep.service)) {
        const call = `${JSON.stringify(service.id)} → ${JSON.stringify(dep.service)}`;
        report(['services', i, 'dependencies', j, 'retryThrottle'], `${call} makes no retries, so "retryThrottle" (which only stops retries) does nothing`, 'warning');
      }
    }),
  );
  s.actions.forEach((action, i) => {
    if (action.type !== 'retry-policy' || action.retryThrottle === undefined) return;
    const dep = s.services.find((x) => x.id === action.target)?.dependencies.find((d) => d.service === action.dependency);
    if (dep !== undefined && (action.retries ?? dep.retries) === 0) {
      report(['actions', i, 'retryThrottle'], `${JSON.stringify(action.target)} → ${JSON.stringify(action.dependency)} makes no retries, so "retryThrottle" (which only stops retries) does nothing`, 'warning');
    }
  });
}
