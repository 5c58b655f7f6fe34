/**
 * Checks of a plan against the scenario it is written for: what the engine would refuse for a reason
 * that can be known before the drill runs. A target that is not a service, an action the scenario does
 * not have, a request no action can ever make, a fault that does not exist. What depends on the run
 * (a request not made yet, an action already running, a self-approval) is left to the engine.
 *
 * The command types, their parameters and their limits are checked by the plan's schema (plan.ts,
 * from engine/protocol/commands.ts); this runs only on a plan that passed it. Pure: commands and a
 * scenario in, problems out; reading files is the CLI's job.
 */
import { formatDuration } from '../protocol/format.ts';
import { actionId } from '../protocol/ids.ts';
import { isLasting, LASTING_ACTION_KINDS } from '../protocol/in-force.ts';
import { ACTION_TYPES, type ActionDef, type Scenario } from '../protocol/scenario.ts';
import { anchorText, type CommandParams, type RelativeCommand } from '../protocol/commands.ts';
import { didYouMean, quote, type PathSegment, type Severity } from './diagnostics.ts';
import type { LintIssue } from './lint.ts';

/** A plan command as written, in file order (its index is its place under `commands`). */
export interface PlanCommandToLint {
  /** Simulated ms; or, with `after`, absent. */
  at?: number | undefined;
  after?: RelativeCommand['after'] | undefined;
  type: string;
  target?: string | undefined;
  params?: CommandParams | undefined;
}

const ACTIONS = new Set<string>(ACTION_TYPES);

interface PlanCtx {
  s: Scenario;
  services: Set<string>;
  faults: Set<string>;
  actionsById: Map<string, ActionDef>;
  report: (path: PathSegment[], message: string, severity?: Severity) => void;
}

export function lintPlan(commands: readonly PlanCommandToLint[], scenario: Scenario): LintIssue[] {
  const issues: LintIssue[] = [];
  const ctx: PlanCtx = {
    s: scenario,
    services: new Set(scenario.services.map((service) => service.id)),
    faults: new Set(scenario.faults.map((fault) => fault.id)),
    actionsById: new Map(scenario.actions.map((def) => [actionId(def), def])),
    report: (path, message, severity = 'error') => issues.push({ path, message, severity }),
  };
  commands.forEach((command, i) => {
    checkTime(ctx, command, i);
    if (command.type === 'inject') checkInject(ctx, command, i);
    else if (command.type === 'diagnose') checkService(ctx, command, i);
    else if (command.type === 'approve' || command.type === 'deny') checkRequest(ctx, command, i);
    else if (command.type === 'revert') checkRevert(ctx, command, i);
    else if (ACTIONS.has(command.type) && checkService(ctx, command, i)) checkAction(ctx, command, i);
  });
  return issues;
}

/** A command due after the scenario's end is never applied (fold.ts: due at the next tick boundary). */
function checkTime(ctx: PlanCtx, command: PlanCommandToLint, i: number): void {
  const { s, report } = ctx;
  if (command.after !== undefined) return checkAnchor(ctx, command.after, i);
  if (command.at === undefined) return;
  const due = Math.ceil(command.at / s.tick) * s.tick;
  if (due > s.duration) {
    report(['commands', i, 'at'], `${command.type} at ${formatDuration(command.at)} is never sent: the scenario ends at ${formatDuration(s.duration)}`, 'warning');
  }
}

/** The event a relative command waits for must be one this scenario can produce. */
function checkAnchor({ s, faults, actionsById, report }: PlanCtx, after: RelativeCommand['after'], i: number): void {
  const path = ['commands', i, 'after'];
  const text = anchorText(after);
  if (after.event === 'fault' && !faults.has(after.id)) report(path, `unknown fault ${quote(after.id)} in ${quote(text)}${didYouMean(after.id, faults)}`);
  else if (after.event === 'alert') {
    const alerts = new Set(s.alerts.map((a) => a.id));
    if (!alerts.has(after.id)) report(path, `unknown alert ${quote(after.id)} in ${quote(text)}${didYouMean(after.id, alerts)}`);
  } else if (after.event === 'done' && !actionsById.has(after.id)) {
    report(path, `unknown action ${quote(after.id)} in ${quote(text)}${didYouMean(after.id, new Set(actionsById.keys()))}`);
  } else if (after.event === 'first-page' && !s.alerts.some((a) => a.severity === 'page')) {
    report(path, `the scenario has no alert of severity page, so "first-page" never happens and this command is never sent`);
  } else if (after.event === 'first-alert' && s.alerts.length === 0) {
    report(path, `the scenario has no alerts, so "first-alert" never happens and this command is never sent`);
  }
  if (after.offset >= s.duration) report(path, `${formatDuration(after.offset)} after the event is past the scenario's end (${formatDuration(s.duration)}): never sent`, 'warning');
}

function checkInject({ faults, report }: PlanCtx, command: PlanCommandToLint, i: number): void {
  const fault = command.params?.['fault'];
  if (typeof fault === 'string' && !faults.has(fault)) {
    report(['commands', i, 'params', 'fault'], `unknown fault ${quote(fault)}: the scenario has no such fault${didYouMean(fault, faults)}`);
  }
}

/** The target must be a service of the scenario; true when it is. (A missing target is the schema's.) */
function checkService({ services, report }: PlanCtx, command: PlanCommandToLint, i: number): boolean {
  const target = command.target;
  if (target === undefined) return false;
  if (services.has(target)) return true;
  report(['commands', i, 'target'], `unknown service ${quote(target)}: the scenario has no such service${didYouMean(target, services)}`);
  return false;
}

/**
 * An action command runs an action of its type on its target: the one `params.action` names, or
 * the first of that type on that target (engine/core/rules/actions.ts).
 */
function checkAction({ s, actionsById, report }: PlanCtx, command: PlanCommandToLint, i: number): void {
  const { type } = command;
  const target = command.target as string;
  const fitting = s.actions.filter((def) => def.type === type && def.target === target).map(actionId);
  const named = command.params?.['action'];
  if (typeof named === 'string') {
    const def = actionsById.get(named);
    if (def !== undefined && def.type === type && def.target === target) return;
    const what = def === undefined ? 'the scenario has no such action' : `it is a ${def.type} of ${quote(def.target)}`;
    const choices = fitting.length > 0 ? `; the ${type} actions on ${quote(target)} are ${fitting.map((id) => quote(id)).join(', ')}` : '';
    report(['commands', i, 'params', 'action'], `no ${type} action ${quote(named)} on ${quote(target)}: ${what}${choices}${didYouMean(named, fitting)}`);
    return;
  }
  if (fitting.length > 0) return;
  const elsewhere = [...new Set(s.actions.filter((def) => def.type === type).map((def) => def.target))];
  const hint = elsewhere.length > 0 ? `; ${type} is available on ${elsewhere.map((t) => quote(t)).join(', ')}` : `; the scenario has no ${type} action at all`;
  report(['commands', i, 'target'], `no ${type} action on ${quote(target)} in this scenario${hint}`);
}

/**
 * A request is named by the id of the action waiting for approval (engine/core/rules/approvals.ts),
 * and only an action with `approval: true` ever waits: any other name can never be approved or denied.
 */
function checkRequest({ s, actionsById, report }: PlanCtx, command: PlanCommandToLint, i: number): void {
  const request = command.params?.['request'];
  if (typeof request !== 'string') return;
  const def = actionsById.get(request);
  if (def?.approval === true) return;
  const path = ['commands', i, 'params', 'request'];
  if (def !== undefined) {
    report(path, `request ${quote(request)} never exists: that action needs no approval (it has no "approval: true"), so it starts at once`);
    return;
  }
  const approvable = s.actions.filter((a) => a.approval).map(actionId);
  const known = approvable.length > 0 ? `the actions that wait for approval are ${approvable.map((id) => quote(id)).join(', ')}` : 'no action of this scenario waits for approval';
  report(path, `unknown request ${quote(request)}: a request is named by the action waiting for approval, and ${known}${didYouMean(request, approvable)}`);
}

/** Only an action whose effect stays in force (a scale, drain, breaker, flag or retry policy) can be reverted. */
function checkRevert({ actionsById, report }: PlanCtx, command: PlanCommandToLint, i: number): void {
  const id = command.params?.['action'];
  if (typeof id !== 'string') return;
  const path = ['commands', i, 'params', 'action'];
  const def = actionsById.get(id);
  if (def === undefined) {
    report(path, `unknown action ${quote(id)}: the scenario has no such action${didYouMean(id, actionsById.keys())}`);
  } else if (!isLasting(def.type)) {
    report(path, `${quote(id)} cannot be reverted: a ${def.type} leaves nothing in force to undo (only ${LASTING_ACTION_KINDS.join(', ')} do)`);
  }
}
