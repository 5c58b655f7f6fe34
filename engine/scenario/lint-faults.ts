/**
 * Checks of faults: how each starts (at a time, on a trigger, or, with neither, only when the
 * facilitator injects it), the calls and caches it acts on, and targets listed twice.
 */
import { formatDuration } from '../protocol/format.ts';
import { faultTargets } from '../protocol/ids.ts';
import type { Scenario } from '../protocol/scenario.ts';
import type { PathSegment } from './diagnostics.ts';
import { targetsOf, type Ctx, type FaultDef } from './lint-context.ts';

export function checkFaults({ s, report, services }: Ctx): void {
  s.faults.forEach((fault, i) => {
    const name = JSON.stringify(fault.id);
    // With neither `at` nor `trigger`, only the facilitator starts the fault (the `inject` command).
    if (fault.at !== undefined && fault.trigger !== undefined) {
      report(['faults', i, 'trigger'], `fault ${name} has both "at" and "trigger": choose at or trigger`);
    }
    const trigger = fault.trigger;
    if (trigger !== undefined && services.has(trigger.target)) {
      const exists = s.actions.some((a) => a.type === trigger.action && a.target === trigger.target);
      if (!exists) {
        report(
          ['faults', i, 'trigger'],
          `fault ${name} is triggered by a ${trigger.action} of ${JSON.stringify(trigger.target)}, but no such action is in "actions"`,
        );
      }
    }
    checkTargetDuplicates(fault, i, report);
    checkEdgeFault(fault, i, s, report, services);
    checkFlush(fault, i, s, report, services);
    if (fault.for !== undefined && fault.rampUp > fault.for) {
      report(
        ['faults', i, 'rampUp'],
        `fault ${name} ramps up over ${formatDuration(fault.rampUp)} but lasts only ${formatDuration(fault.for)}: it never reaches full strength`,
        'warning',
      );
    }
  });
}

/** A service listed twice would get the effect twice: almost surely a slip. */
function checkTargetDuplicates(fault: FaultDef, i: number, report: Ctx['report']): void {
  const first = new Map<string, PathSegment[]>();
  for (const [target, path] of targetsOf(fault, i)) {
    const earlier = first.get(target);
    if (earlier === undefined) first.set(target, path);
    else report(path, `fault ${JSON.stringify(fault.id)} lists ${JSON.stringify(target)} twice: already at target[${String(earlier[3])}]`);
  }
}

/** Effects an edge fault does not read: it acts on one call, not on a service's capacity or traffic. */
const SERVICE_ONLY_EFFECTS = ['capacityFactor', 'rpsFactor', 'latencyFactor'] as const;

/** A fault on one call needs that call to exist; `failure` only means something on a call. */
function checkEdgeFault(fault: FaultDef, i: number, s: Scenario, report: Ctx['report'], services: Set<string>): void {
  const name = JSON.stringify(fault.id);
  if (fault.from === undefined) {
    if (fault.failure !== undefined) report(['faults', i, 'failure'], `fault ${name}: "failure" applies to a fault on one call; add "from" (the calling service)`);
    return;
  }
  const caller = s.services.find((service) => service.id === fault.from);
  // With several targets, each is one call from `from`; point at the target that is not called.
  const several = typeof fault.target !== 'string';
  for (const [target, path] of targetsOf(fault, i)) {
    if (caller && services.has(target) && !caller.dependencies.some((d) => d.service === target)) {
      report(several ? path : ['faults', i, 'from'], `fault ${name} is on the call from ${JSON.stringify(fault.from)} to ${JSON.stringify(target)}, but ${JSON.stringify(fault.from)} does not call ${JSON.stringify(target)}`);
    }
  }
  for (const field of SERVICE_ONLY_EFFECTS) {
    if (fault.effect[field] !== undefined) {
      report(['faults', i, 'effect', field], `fault ${name} is on one call: "${field}" acts on a service and is ignored here`, 'warning');
    }
  }
}

/** A flush needs a cache to empty: one in front of each target (with `from`, the one on that call). */
function checkFlush(fault: Scenario['faults'][number], i: number, s: Scenario, report: Ctx['report'], services: Set<string>): void {
  if (fault.effect.flushCaches !== true) return;
  const name = JSON.stringify(fault.id);
  const path = ['faults', i, 'effect', 'flushCaches'];
  for (const id of faultTargets(fault)) {
    if (!services.has(id)) continue;
    const target = JSON.stringify(id);
    if (fault.from !== undefined) {
      const dep = s.services.find((service) => service.id === fault.from)?.dependencies.find((d) => d.service === id);
      // A call that does not exist is reported by checkEdgeFault.
      if (dep !== undefined && dep.cache === undefined) {
        report(path, `fault ${name} flushes the cache ${JSON.stringify(fault.from)} keeps in front of ${target}, but that dependency has no "cache"`);
      }
    } else if (!s.services.some((service) => service.dependencies.some((d) => d.service === id && d.cache !== undefined))) {
      report(path, `fault ${name} flushes the caches in front of ${target}, but no caller of ${target} has a "cache" on it`);
    }
  }
}
