/**
 * Checks of the change window: what a change names exists, each change is reachable from a page or
 * the task, and the task's deadline falls inside the drill. A change's fault must not also start by
 * itself (`at`), or the incident would come whatever the review decided.
 */
import { formatDuration } from '../protocol/format.ts';
import { unknown, type Ctx } from './lint-context.ts';

export function checkChanges({ s, report, services, faults }: Ctx): void {
  const changes = new Set<string>();
  s.changes.forEach((change, i) => {
    if (changes.has(change.id)) report(['changes', i, 'id'], `duplicate change id ${JSON.stringify(change.id)}`);
    changes.add(change.id);
    if (!services.has(change.service)) report(['changes', i, 'service'], unknown('service', change.service, services));
    if (change.fault === undefined) return;
    if (!faults.has(change.fault)) {
      report(['changes', i, 'fault'], unknown('fault', change.fault, faults));
      return;
    }
    const fault = s.faults.find((f) => f.id === change.fault);
    if (fault?.at !== undefined) {
      report(['changes', i, 'fault'], `fault ${JSON.stringify(change.fault)} starts by itself at ${formatDuration(fault.at)}: a fault a change deploys should have no "at", or the review changes nothing`);
    }
  });
  s.wiki.forEach((page, i) => {
    if (page.change !== undefined && !changes.has(page.change)) report(['wiki', i, 'change'], unknown('change', page.change, changes));
  });
  const task = s.task;
  if (task === undefined) return;
  if (!changes.has(task.pushes)) report(['task', 'pushes'], unknown('change', task.pushes, changes));
  if (task.deadline >= s.duration) {
    report(['task', 'deadline'], `the task's deadline (${formatDuration(task.deadline)}) is not before the end of the drill (${formatDuration(s.duration)})`);
  }
}
