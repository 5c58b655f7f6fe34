/** Plans checked against their scenario (engine/scenario/plan-lint.ts), and through loadPlanText with positions. */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../engine/scenario/diagnostics.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { lintPlan, type PlanCommandToLint } from '../../engine/scenario/plan-lint.ts';
import { loadPlanText } from '../../engine/scenario/plan.ts';
import { ROOT, loadScenario } from '../helpers.ts';

const retail = loadScenario('retail-sev1');
const lint = (...commands: Omit<PlanCommandToLint, 'at'>[]) => lintPlan(commands.map((c) => ({ at: 60_000, ...c })), retail);
const messages = (...commands: Omit<PlanCommandToLint, 'at'>[]) => lint(...commands).map((i) => i.message);

describe('lintPlan', () => {
  it("finds nothing wrong with commands the scenario can take", () => {
    expect(
      lint(
        { type: 'ack' },
        { type: 'declare', params: { severity: 1 } },
        { type: 'diagnose', target: 'pricing' },
        { type: 'rollback', target: 'pricing' },
        { type: 'restart', target: 'account' },
        { type: 'retry-policy', target: 'product-page', params: { action: 'retry-policy:product-page' } },
        { type: 'approve', params: { request: 'rollback:pricing' } },
        { type: 'deny', params: { request: 'failover:pricing' } },
        { type: 'revert', params: { action: 'flag:product-page' } },
        { type: 'inject', params: { fault: 'pricing-rules-v2' } },
        // Commands that take no target ignore one, as the engine does.
        { type: 'ack', target: 'whatever' },
      ),
    ).toEqual([]);
  });

  it('reports a target that is not a service, with its path', () => {
    expect(lint({ type: 'ack' }, { type: 'diagnose', target: 'pricng' })).toEqual([
      { path: ['commands', 1, 'target'], message: 'unknown service "pricng": the scenario has no such service (did you mean "pricing"?)', severity: 'error' },
    ]);
    expect(messages({ type: 'restart', target: 'nowhere' })).toEqual(['unknown service "nowhere": the scenario has no such service']);
  });

  it('reports an action command on a target that has no such action', () => {
    expect(lint({ type: 'rollback', target: 'checkout' })).toEqual([
      { path: ['commands', 0, 'target'], message: 'no rollback action on "checkout" in this scenario; rollback is available on "pricing"', severity: 'error' },
    ]);
    expect(messages({ type: 'drain', target: 'pricing' })).toEqual(['no drain action on "pricing" in this scenario; the scenario has no drain action at all']);
  });

  it('reports params.action that is not an action of that type on that target', () => {
    expect(lint({ type: 'rollback', target: 'pricing', params: { action: 'restart:pricing' } })).toEqual([
      {
        path: ['commands', 0, 'params', 'action'],
        message: 'no rollback action "restart:pricing" on "pricing": it is a restart of "pricing"; the rollback actions on "pricing" are "rollback:pricing"',
        severity: 'error',
      },
    ]);
    expect(messages({ type: 'restart', target: 'pricing', params: { action: 'restart:account' } })).toEqual([
      'no restart action "restart:account" on "pricing": it is a restart of "account"; the restart actions on "pricing" are "restart:pricing"',
    ]);
    expect(messages({ type: 'scale', target: 'pricing', params: { action: 'scale:pricnig' } })).toEqual([
      'no scale action "scale:pricnig" on "pricing": the scenario has no such action; the scale actions on "pricing" are "scale:pricing" (did you mean "scale:pricing"?)',
    ]);
  });

  it('reports approvals of requests that can never exist: unknown ids, and actions that need no approval', () => {
    expect(lint({ type: 'approve', params: { request: 'rollback:pricnig' } })).toEqual([
      {
        path: ['commands', 0, 'params', 'request'],
        message:
          'unknown request "rollback:pricnig": a request is named by the action waiting for approval, and the actions that wait for approval are "rollback:pricing", "failover:pricing" (did you mean "rollback:pricing"?)',
        severity: 'error',
      },
    ]);
    expect(messages({ type: 'deny', params: { request: 'restart:pricing' } })).toEqual([
      'request "restart:pricing" never exists: that action needs no approval (it has no "approval: true"), so it starts at once',
    ]);
  });

  it('reports a revert of an unknown action, or of one that leaves nothing in force', () => {
    expect(messages({ type: 'revert', params: { action: 'breaker:checkuot' } }, { type: 'revert', params: { action: 'rollback:pricing' } })).toEqual([
      'unknown action "breaker:checkuot": the scenario has no such action (did you mean "breaker:checkout"?)',
      '"rollback:pricing" cannot be reverted: a rollback leaves nothing in force to undo (only scale, drain, breaker, flag, retry-policy do)',
    ]);
  });

  it('reports an inject of an unknown fault', () => {
    expect(lint({ type: 'inject', params: { fault: 'no-such-fault' } })).toEqual([
      { path: ['commands', 0, 'params', 'fault'], message: 'unknown fault "no-such-fault": the scenario has no such fault', severity: 'error' },
    ]);
  });

  it('warns about a command due after the scenario ends (due at the next tick boundary)', () => {
    const end = retail.duration;
    expect(lintPlan([{ at: end, type: 'ack' }], retail)).toEqual([]);
    expect(lintPlan([{ at: end + 1, type: 'ack' }], retail)).toEqual([
      { path: ['commands', 0, 'at'], message: 'ack at 6h0.001s is never sent: the scenario ends at 6h', severity: 'warning' },
    ]);
  });
});

describe('loadPlanText with a scenario', () => {
  const minimalFile = 'test/fixtures/valid/minimal.yaml';
  const minimal = loadScenarioText(readFileSync(minimalFile, 'utf8'), minimalFile);
  if (!minimal.ok) throw new Error('minimal.yaml is invalid');

  it('reports each problem at its line and column, in file order even when the plan is not in time order', () => {
    const text = [
      'commands:',
      '  - { at: 9m, actor: a, type: rollback, target: web }',
      '  - { at: 1m, actor: a, type: diagnose, target: apii }',
      '  - { at: 3h, actor: a, type: approve, params: { request: "rollback:api" } }',
      '',
    ].join('\n');
    const result = loadPlanText(text, 'p.plan.yaml', { scenario: minimal.scenario });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      'p.plan.yaml:2:49: no rollback action on "web" in this scenario; rollback is available on "api" (at commands[0].target)',
      'p.plan.yaml:3:49: unknown service "apii": the scenario has no such service (did you mean "api"?) (at commands[1].target)',
      'p.plan.yaml:4:11: warning: approve at 3h is never sent: the scenario ends at 2h (at commands[2].at)',
      'p.plan.yaml:4:59: request "rollback:api" never exists: that action needs no approval (it has no "approval: true"), so it starts at once (at commands[2].params.request)',
    ]);
  });

  it('loads a plan whose only problems are warnings', () => {
    const result = loadPlanText('commands:\n  - { at: 5h, actor: a, type: ack }\n', 'p.plan.yaml', { scenario: minimal.scenario });
    expect(result.ok).toBe(true);
    expect(result.diagnostics.map((d) => d.severity)).toEqual(['warning']);
  });

  it('reports why the named scenario cannot be used at the scenario field', () => {
    const result = loadPlanText('scenario: nope\ncommands: []\n', 'p.plan.yaml', { scenarioProblem: 'unknown scenario "nope"' });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => formatDiagnostic(d))).toEqual(['p.plan.yaml:1:11: unknown scenario "nope" (at scenario)']);
  });

  it('does not check a plan that fails its schema against the scenario', () => {
    const result = loadPlanText('commands:\n  - { at: soon, actor: a, type: diagnose, target: nowhere }\n', 'p.plan.yaml', { scenario: minimal.scenario });
    expect(result.diagnostics.map((d) => d.message)).toEqual(['"soon" is not a duration (write e.g. 90s, 5m, 6h or 1h30m)']);
  });
});

describe('plan schema: commands that act on a service need a target', () => {
  it('reports diagnose and action commands without one, with or without a scenario', () => {
    const text = 'commands:\n  - { at: 1m, actor: a, type: diagnose }\n  - { at: 2m, actor: a, type: rollback, params: { breakGlass: true } }\n  - { at: 3m, actor: a, type: ack }\n';
    const result = loadPlanText(text, 'p.plan.yaml');
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      'p.plan.yaml:2:5: diagnose needs a target: the service it acts on (at commands[0])',
      'p.plan.yaml:3:5: rollback needs a target: the service it acts on (at commands[1])',
    ]);
  });
});

describe('shipped plans', () => {
  const ids = readdirSync(`${ROOT}scenarios/plans`).filter((f) => f.endsWith('.plan.yaml')).map((f) => f.replace(/\.plan\.yaml$/, ''));

  it('there are plans to check', () => {
    expect(ids.length).toBeGreaterThanOrEqual(4);
  });

  it.each(ids)('%s.plan.yaml is clean against its scenario', (name) => {
    // `<id>.<variant>.plan.yaml` is another plan for scenario <id> (a rubber stamp, say).
    const id = name.split('.')[0] as string;
    const file = `scenarios/plans/${name}.plan.yaml`;
    const result = loadPlanText(readFileSync(`${ROOT}${file}`, 'utf8'), file, { scenario: loadScenario(id) });
    expect(result.diagnostics.map((d) => formatDiagnostic(d))).toEqual([]);
    expect(result.ok && result.plan.scenario).toBe(id);
  });

  it("the docs' example plan is clean against the example scenario", () => {
    const doc = readFileSync(`${ROOT}docs/scenarios.md`, 'utf8');
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const scenario = loadScenarioText(blocks.find((b) => b.includes('id: inventory-deploy')) ?? '', 'example.yaml');
    if (!scenario.ok) throw new Error('the example scenario is invalid');
    const plan = loadPlanText(blocks.find((b) => b.includes('scenario: inventory-deploy')) ?? '', 'example.plan.yaml', { scenario: scenario.scenario });
    expect(plan.diagnostics).toEqual([]);
    expect(plan.ok).toBe(true);
  });
});
