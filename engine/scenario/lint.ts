/**
 * Semantic checks the schema cannot express: references between parts of a scenario, dependency cycles,
 * faults nobody can end, times after the end. Pure: a scenario in, a list of problems out.
 * Each check answers "would the drill misbehave or be unwinnable?", because that is what an author cannot see
 * by reading the file one field at a time.
 */
import { formatDuration } from '../protocol/format.ts';
import { actionId, faultTargets } from '../protocol/ids.ts';
import { didYouMean, type PathSegment, type Severity } from './diagnostics.ts';
import { windowTicks, type Scenario } from '../protocol/scenario.ts';
import { checkTopics } from './lint-topics.ts';
import { checkBurnRates } from './lint-burn.ts';
import { targetsOf, unknown, type Ctx } from './lint-context.ts';
import { checkFaults } from './lint-faults.ts';
import { checkActions, checkRetryThrottles } from './lint-actions.ts';
import { checkWiki } from './lint-wiki.ts';
import { checkChanges } from './lint-changes.ts';

export interface LintIssue {
  path: PathSegment[];
  message: string;
  severity: Severity;
}

const MIN_TICK = 1_000;
const MAX_TICK = 5 * 60_000;

export function lintScenario(s: Scenario): LintIssue[] {
  const issues: LintIssue[] = [];
  const report = (path: PathSegment[], message: string, severity: Severity = 'error') =>
    issues.push({ path, message, severity });
  const ctx = { s, report, services: idsOf(s.services), faults: idsOf(s.faults), journeys: idsOf(s.journeys) };
  checkDuplicates(ctx);
  checkServiceRefs(ctx);
  checkJourneys(ctx);
  checkCapacity(ctx);
  checkCaches(ctx);
  checkFaultRefs(ctx);
  checkAlerts(ctx);
  checkBurnRates(ctx);
  checkTopics(s, report);
  checkFaults(ctx);
  checkActions(ctx);
  checkRetryThrottles(ctx);
  checkAdvice(ctx);
  checkWiki(ctx);
  checkChanges(ctx);
  checkCycles(ctx);
  checkResolvable(ctx);
  checkTimes(ctx);
  checkUnusedServices(ctx);
  return issues;
}

function idsOf(items: readonly { id: string }[]): Set<string> {
  return new Set(items.map((item) => item.id));
}

function checkDuplicates({ s, report }: Ctx): void {
  const lists: [string, string, { id: string; path: PathSegment[] }[]][] = [
    ['services', 'service', s.services.map((x, i) => ({ id: x.id, path: ['services', i, 'id'] }))],
    ['journeys', 'journey', s.journeys.map((x, i) => ({ id: x.id, path: ['journeys', i, 'id'] }))],
    ['faults', 'fault', s.faults.map((x, i) => ({ id: x.id, path: ['faults', i, 'id'] }))],
    ['alerts', 'alert', s.alerts.map((x, i) => ({ id: x.id, path: ['alerts', i, 'id'] }))],
    ['advice', 'advice', s.advice.map((x, i) => ({ id: x.id, path: ['advice', i, 'id'] }))],
    ['wiki', 'wiki page', s.wiki.map((x, i) => ({ id: x.id, path: ['wiki', i, 'id'] }))],
    [
      'actions',
      'action',
      // An action without an id is named by type and target, so two of those are duplicates too.
      s.actions.map((x, i) => ({ id: actionId(x), path: x.id === undefined ? ['actions', i] : ['actions', i, 'id'] })),
    ],
  ];
  for (const [list, noun, entries] of lists) {
    const first = new Map<string, number>();
    entries.forEach((entry, i) => {
      const earlier = first.get(entry.id);
      if (earlier === undefined) first.set(entry.id, i);
      else if (entry.path.length === 2) {
        report(entry.path, `duplicate action ${JSON.stringify(entry.id)}: ${list}[${earlier}] has the same type and target; give one an "id"`);
      } else report(entry.path, `duplicate ${noun} id ${JSON.stringify(entry.id)}: already used by ${list}[${earlier}]`);
    });
  }
}

/** A service needs a size: capacity in rps, or workers. */
function checkCapacity({ s, report }: Ctx): void {
  s.services.forEach((service, i) => {
    if (service.capacity === undefined && service.concurrency === undefined) {
      report(['services', i], `service ${JSON.stringify(service.id)} needs "capacity" (requests per second) or "concurrency" (workers)`);
    }
  });
}

/** A cache that warms back in no time would make a flush invisible (and divide by zero). */
function checkCaches({ s, report }: Ctx): void {
  s.services.forEach((service, i) =>
    service.dependencies.forEach((dep, j) => {
      if (dep.cache !== undefined && dep.cache.warmup <= 0) {
        report(['services', i, 'dependencies', j, 'cache', 'warmup'], `the cache of ${JSON.stringify(service.id)} in front of ${JSON.stringify(dep.service)} needs a "warmup" longer than 0s`);
      }
    }),
  );
}

function checkServiceRefs({ s, report, services }: Ctx): void {
  const check = (id: string | undefined, path: PathSegment[]) => {
    if (id !== undefined && !services.has(id)) report(path, unknown('service', id, services));
  };
  s.services.forEach((service, i) =>
    service.dependencies.forEach((dep, j) => {
      const path = ['services', i, 'dependencies', j, 'service'];
      check(dep.service, path);
      if (dep.service === service.id) report(path, `service ${JSON.stringify(service.id)} depends on itself`);
    }),
  );
  s.journeys.forEach((journey, i) => check(journey.entry, ['journeys', i, 'entry']));
  s.faults.forEach((fault, i) => {
    for (const [target, path] of targetsOf(fault, i)) check(target, path);
    check(fault.from, ['faults', i, 'from']);
    check(fault.change?.service, ['faults', i, 'change', 'service']);
    check(fault.trigger?.target, ['faults', i, 'trigger', 'target']);
  });
  s.alerts.forEach((alert, i) => check(alert.service, ['alerts', i, 'service']));
  s.logs.forEach((rule, i) => check(rule.service, ['logs', i, 'service']));
  s.advice.forEach((advice, i) => check(advice.proposes?.target, ['advice', i, 'proposes', 'target']));
  s.actions.forEach((action, i) => {
    check(action.target, ['actions', i, 'target']);
    check(action.dependency, ['actions', i, 'dependency']);
  });
}

/** A route names dependencies of the journey's entry, each once; users reload or leave, not both. */
function checkJourneys({ s, report }: Ctx): void {
  s.journeys.forEach((journey, i) => {
    const name = JSON.stringify(journey.id);
    const users = journey.users;
    if (users !== undefined && users.refresh + users.abandon > 1) {
      report(['journeys', i, 'users'], `journey ${name}: "refresh" and "abandon" are shares of the same users and add up to more than 1`);
    }
    const entry = s.services.find((service) => service.id === journey.entry);
    if (journey.route === undefined || entry === undefined) return;
    const deps = new Set(entry.dependencies.map((d) => d.service));
    const seen = new Set<string>();
    journey.route.forEach((id, j) => {
      const path = ['journeys', i, 'route', j];
      if (!deps.has(id)) {
        report(path, `journey ${name}: ${JSON.stringify(id)} is not a dependency of its entry ${JSON.stringify(journey.entry)}${didYouMean(id, deps)}`);
      } else if (seen.has(id)) report(path, `journey ${name}: ${JSON.stringify(id)} is already in its route`);
      seen.add(id);
    });
  });
}

function checkFaultRefs({ s, report, faults }: Ctx): void {
  const check = (id: string | undefined, path: PathSegment[]) => {
    if (id !== undefined && !faults.has(id)) report(path, unknown('fault', id, faults));
  };
  s.faults.forEach((fault, i) => check(fault.trigger?.whileFault, ['faults', i, 'trigger', 'whileFault']));
  s.logs.forEach((rule, i) => check(rule.whenFault, ['logs', i, 'whenFault']));
  s.actions.forEach((action, i) => action.resolves.forEach((id, j) => check(id, ['actions', i, 'resolves', j])));
  check(s.facilitator.rootCause, ['facilitator', 'rootCause']);
}

function checkAlerts({ s, report, journeys }: Ctx): void {
  s.alerts.forEach((alert, i) => {
    const name = JSON.stringify(alert.id);
    if (alert.service === undefined && alert.journey === undefined && alert.topic === undefined) {
      report(['alerts', i], `alert ${name} watches nothing: give it a "service", a "journey" or a "topic"`);
    } else if (alert.service !== undefined && alert.journey !== undefined) {
      report(['alerts', i, 'journey'], `alert ${name} has both "service" and "journey": choose one`);
    }
    if (alert.journey !== undefined && !journeys.has(alert.journey)) {
      report(['alerts', i, 'journey'], unknown('journey', alert.journey, journeys));
    }
  });
}

function checkAdvice({ s, report }: Ctx): void {
  const alerts = new Set(s.alerts.map((a) => a.id));
  s.advice.forEach((advice, i) => {
    const waitsFor = advice.when?.alert;
    if (waitsFor !== undefined && !alerts.has(waitsFor)) report(['advice', i, 'when', 'alert'], unknown('alert', waitsFor, alerts));
    const proposal = advice.proposes;
    if (proposal === undefined) return;
    if (!s.actions.some((a) => a.type === proposal.type && a.target === proposal.target)) {
      report(
        ['advice', i, 'proposes'],
        `advice ${JSON.stringify(advice.id)} proposes a ${proposal.type} of ${JSON.stringify(proposal.target)}, which is not in "actions"`,
        'warning',
      );
    }
  });
}

/**
 * Each back edge of a depth-first search closes exactly one cycle, so every cycle found is reported once
 * and the work stays linear in the number of dependencies. Self-dependencies are reported elsewhere.
 */
function checkCycles({ s, report }: Ctx): void {
  const index = new Map<string, number>();
  s.services.forEach((service, i) => {
    if (!index.has(service.id)) index.set(service.id, i);
  });
  const state = new Map<number, 'open' | 'done'>();
  const stack: number[] = [];
  // Iterative so that a long dependency chain cannot overflow the call stack.
  for (let start = 0; start < s.services.length; start++) {
    if (state.has(start)) continue;
    const frames: { node: number; next: number }[] = [{ node: start, next: 0 }];
    state.set(start, 'open');
    stack.push(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as (typeof frames)[number];
      const deps = s.services[frame.node]?.dependencies ?? [];
      if (frame.next >= deps.length) {
        state.set(frame.node, 'done');
        stack.pop();
        frames.pop();
        continue;
      }
      const depIndex = index.get((deps[frame.next] as { service: string }).service);
      frame.next++;
      if (depIndex === undefined || depIndex === frame.node) continue;
      const seen = state.get(depIndex);
      if (seen === undefined) {
        state.set(depIndex, 'open');
        stack.push(depIndex);
        frames.push({ node: depIndex, next: 0 });
      } else if (seen === 'open') {
        const cycle = stack.slice(stack.indexOf(depIndex));
        const names = [...cycle, depIndex].map((i) => s.services[i]?.id);
        const first = cycle[0] as number;
        const second = cycle[1] ?? depIndex;
        const edge = s.services[first]?.dependencies.findIndex((d) => index.get(d.service) === second) ?? 0;
        report(['services', first, 'dependencies', edge, 'service'], `dependency cycle: ${names.join(' → ')}`);
      }
    }
  }
}

function checkResolvable({ s, report }: Ctx): void {
  const resolved = new Set(s.actions.flatMap((a) => a.resolves));
  s.faults.forEach((fault, i) => {
    if (fault.for === undefined && fault.kind !== 'noise' && !resolved.has(fault.id)) {
      report(['faults', i, 'id'], `fault ${JSON.stringify(fault.id)} can never end: no action resolves it and it has no "for"`);
    }
  });
  const root = s.facilitator.rootCause;
  const rootFault = s.faults.find((f) => f.id === root);
  // A root cause that never ends is already reported above; this catches one that merely heals by itself.
  if (root !== undefined && rootFault !== undefined && !resolved.has(root) && (rootFault.for !== undefined || rootFault.kind === 'noise')) {
    report(['facilitator', 'rootCause'], `root cause ${JSON.stringify(root)} cannot be fixed: no action lists it in "resolves"`);
  }
}

function checkTimes({ s, report }: Ctx): void {
  const end = s.duration;
  const endText = formatDuration(end);
  if (s.tick < MIN_TICK) report(['tick'], `tick ${formatDuration(s.tick)} is too short: use at least ${formatDuration(MIN_TICK)}`);
  if (s.tick > MAX_TICK) report(['tick'], `tick ${formatDuration(s.tick)} is too long: use at most ${formatDuration(MAX_TICK)}`);
  if (s.tick > end) report(['tick'], `tick ${formatDuration(s.tick)} is longer than the whole scenario (${endText})`);
  s.faults.forEach((fault, i) => {
    if (fault.at !== undefined && fault.at >= end) {
      report(['faults', i, 'at'], `fault ${JSON.stringify(fault.id)} starts at ${formatDuration(fault.at)}, but the scenario ends at ${endText}`);
    }
  });
  s.advice.forEach((advice, i) => {
    if (advice.at >= end) {
      report(['advice', i, 'at'], `advice ${JSON.stringify(advice.id)} arrives at ${formatDuration(advice.at)}, but the scenario ends at ${endText}`);
    }
  });
  s.alerts.forEach((alert, i) => {
    if (alert.for >= end) {
      report(['alerts', i, 'for'], `alert ${JSON.stringify(alert.id)} waits ${formatDuration(alert.for)} before firing, but the scenario lasts only ${endText}`);
    }
  });
  s.journeys.forEach((journey, i) => {
    const window = journey.slo.window;
    const ticks = windowTicks(window, s.tick);
    if (window > end) {
      report(['journeys', i, 'slo', 'window'], `journey ${JSON.stringify(journey.id)} judges its SLO over ${formatDuration(window)}, but the scenario lasts only ${endText}`);
    } else if (window > s.tick && ticks * s.tick !== window) {
      // (A window shorter than the tick is simply one tick: the default minute on a long tick.)
      report(
        ['journeys', i, 'slo', 'window'],
        `journey ${JSON.stringify(journey.id)}'s SLO window ${formatDuration(window)} is not a whole number of ${formatDuration(s.tick)} ticks: it is judged over ${ticks} (${formatDuration(ticks * s.tick)})`,
        'warning',
      );
    }
  });
  for (const [name, target] of Object.entries(s.objectives)) {
    if (target !== undefined && target > end) {
      report(['objectives', name], `objective "${name}" (${formatDuration(target)}) is longer than the scenario (${endText})`);
    }
  }
}

/**
 * A service that no journey reaches and nothing depends on has no effect on customers: likely a leftover.
 * Unless a fault, alert or log rule mentions it: then it is part of the story (a red herring, say).
 */
function checkUnusedServices({ s, report, services }: Ctx): void {
  // With a journey entering through an unknown service, reachability is unknowable; that error comes first.
  if (s.journeys.some((j) => !services.has(j.entry))) return;
  const byId = new Map(s.services.map((service) => [service.id, service]));
  const reached = new Set<string>();
  const queue = s.journeys.map((j) => j.entry);
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const dep of byId.get(id)?.dependencies ?? []) queue.push(dep.service);
  }
  const dependedOn = new Set(s.services.flatMap((service) => service.dependencies.filter((d) => d.service !== service.id).map((d) => d.service)));
  const mentioned = new Set([...s.faults.flatMap((f) => faultTargets(f)), ...s.alerts.map((a) => a.service), ...s.logs.map((l) => l.service)]);
  s.services.forEach((service, i) => {
    if (!reached.has(service.id) && !dependedOn.has(service.id) && !mentioned.has(service.id)) {
      report(['services', i, 'id'], `service ${JSON.stringify(service.id)} is unused: no journey reaches it and nothing depends on it`, 'warning');
    }
  });
}
