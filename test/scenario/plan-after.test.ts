/**
 * Plans timed relative to events (`after: first-page + 2m`): parsed and checked like any plan field,
 * and sent by a headless run when the event has happened, so a plan holds on every seed.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine/core/log/run.ts';
import { loggedCommands } from '../../engine/core/log/replay.ts';
import { foldCommands } from '../../engine/core/log/fold.ts';
import { formatDiagnostic } from '../../engine/scenario/diagnostics.ts';
import { loadPlanText } from '../../engine/scenario/plan.ts';
import type { EngineEvent } from '../../engine/protocol/events.ts';
import { loadSpec, tinyScenario } from '../helpers.ts';

const problems = (text: string, scenario = loadSpec('retail-sev1')) =>
  loadPlanText(text, 'p.plan.yaml', { scenario }).diagnostics.map((d) => formatDiagnostic(d));

const commandsOf = (events: readonly EngineEvent[]) => events.filter((e) => e.type === 'command' && e.actor !== 'facilitator');
const firstPage = (events: readonly EngineEvent[]) => events.find((e) => e.type === 'alert.firing' && e.severity === 'page')?.t;

describe('after: the plan format', () => {
  it('parses an event and a delay, or an event alone', () => {
    const result = loadPlanText(
      'commands:\n  - { after: first-page + 2m30s, actor: a, type: ack }\n  - { after: "done:rollback:pricing", actor: a, type: resolve }\n  - { at: 1m, actor: a, type: declare, params: { severity: 1 } }\n',
      'p.plan.yaml',
    );
    if (!result.ok) throw new Error(result.diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
    // Timed commands first, by time; relative ones after, in file order.
    expect(result.plan.commands).toEqual([
      { at: 60_000, actor: 'a', type: 'declare', params: { severity: 1 } },
      { after: { event: 'first-page', offset: 150_000 }, actor: 'a', type: 'ack' },
      { after: { event: 'done', id: 'rollback:pricing', offset: 0 }, actor: 'a', type: 'resolve' },
    ]);
  });

  it('needs exactly one of at and after, and a known kind of event', () => {
    expect(problems('commands:\n  - { actor: a, type: ack }\n  - { at: 1m, after: first-page, actor: a, type: ack }\n  - { after: "lunch + 2m", actor: a, type: ack }\n')).toEqual([
      'p.plan.yaml:2:5: give the command a time: "at" (e.g. 10m) or "after" (e.g. "first-page + 2m") (at commands[0])',
      'p.plan.yaml:3:22: give either "at" or "after", not both (at commands[1].after)',
      'p.plan.yaml:4:14: "lunch + 2m" is not an event and a delay: write e.g. "first-page + 2m", "mitigated + 5m" or "fault:<id> + 30s" (events: first-page, first-alert, mitigated, fault:<id>, alert:<id>, done:<action id>) (at commands[2].after)',
    ]);
  });

  it('checks the event against the scenario: its faults, alerts and actions', () => {
    expect(
      problems(
        'commands:\n  - { after: "fault:pricing-rules-v3 + 1m", actor: a, type: ack }\n  - { after: "alert:checkout-error", actor: a, type: ack }\n  - { after: "done:rollback:pricing-db", actor: a, type: ack }\n  - { after: "fault:pricing-rules-v2 + 2m", actor: a, type: ack }\n',
      ),
    ).toEqual([
      'p.plan.yaml:2:14: unknown fault "pricing-rules-v3" in "fault:pricing-rules-v3" (did you mean "pricing-rules-v2"?) (at commands[0].after)',
      'p.plan.yaml:3:14: unknown alert "checkout-error" in "alert:checkout-error" (did you mean "checkout-errors"?) (at commands[1].after)',
      'p.plan.yaml:4:14: unknown action "rollback:pricing-db" in "done:rollback:pricing-db" (did you mean "rollback:pricing"?) (at commands[2].after)',
    ]);
  });
});

describe('after: a headless run', () => {
  const spec = loadSpec('retail-sev1');

  it('sends each command at the first tick at or after its event plus the delay, on every seed', () => {
    for (const seed of [1, 2, 3]) {
      const run = runScenario(spec, {
        seed,
        commands: [
          { after: { event: 'first-page', offset: 45_000 }, actor: 'alice', type: 'ack' },
          { after: { event: 'fault', id: 'pricing-rules-v2', offset: 0 }, actor: 'bob', type: 'diagnose', target: 'pricing' },
        ],
      });
      const page = firstPage(run.events);
      const started = run.events.find((e) => e.type === 'fault.started' && e.fault === 'pricing-rules-v2')?.t;
      if (page === undefined || started === undefined) throw new Error('no page');
      const [diagnose, ack] = commandsOf(run.events);
      expect(diagnose).toMatchObject({ command: 'diagnose', t: started + 10_000, ok: true });
      expect(ack).toMatchObject({ command: 'ack', t: Math.ceil((page + 45_000) / 10_000) * 10_000, ok: true });
    }
  });

  it('never sends a command whose event never happens', () => {
    const run = runScenario(spec, { until: 3_600_000, commands: [{ after: { event: 'fault', id: 'login-herd', offset: 0 }, actor: 'a', type: 'ack' }] });
    expect(commandsOf(run.events)).toEqual([]);
  });

  it('waits for an action to complete: done:<action>', () => {
    const run = runScenario(spec, {
      until: 3_600_000,
      commands: [
        { after: { event: 'first-page', offset: 0 }, actor: 'bob', type: 'restart', target: 'checkout' },
        { after: { event: 'done', id: 'restart:checkout', offset: 30_000 }, actor: 'bob', type: 'diagnose', target: 'checkout' },
      ],
    });
    const done = run.events.find((e) => e.type === 'action.completed' && e.action === 'restart:checkout')?.t;
    if (done === undefined) throw new Error('the restart never completed');
    expect(commandsOf(run.events).find((e) => e.type === 'command' && e.command === 'diagnose')?.t).toBe(done + 30_000);
  });

  it('leaves a log that replays through the plain fold, with every time fixed', () => {
    const run = runScenario(spec, { seed: 4, until: 3_600_000, commands: [{ after: { event: 'first-page', offset: 60_000 }, actor: 'alice', type: 'ack' }] });
    const folded = foldCommands(spec, 4, loggedCommands(run.events), { until: 3_600_000 });
    expect(folded.events).toEqual(run.events);
  });

  it('an event with no occurrence in a scenario without pages: first-page is reported by the check', () => {
    const quiet = tinyScenario({ alerts: [] });
    expect(problems('commands:\n  - { after: first-page + 1m, actor: a, type: ack }\n', quiet)).toEqual([
      'p.plan.yaml:2:14: the scenario has no alert of severity page, so "first-page" never happens and this command is never sent (at commands[0].after)',
    ]);
  });
});
