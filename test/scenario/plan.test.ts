import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../engine/scenario/diagnostics.ts';
import { loadPlanText } from '../../engine/scenario/plan.ts';

describe('loadPlanText', () => {
  it('loads a plan: times in ms, sorted by time, same-time commands in file order', () => {
    const result = loadPlanText(readFileSync('test/fixtures/valid/minimal.plan.yaml', 'utf8'), 'p.plan.yaml');
    if (!result.ok) throw new Error(result.diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
    expect(result.plan.scenario).toBe('minimal');
    expect(result.plan.commands).toEqual([
      { at: 360_000, actor: 'alice', type: 'ack', target: 'api-errors' },
      { at: 480_000, actor: 'alice', type: 'ack' },
      { at: 480_000, actor: 'bob', type: 'assign-role', params: { role: 'ic', user: 'bob' } },
      { at: 720_000, actor: 'bob', type: 'declare', params: { severity: 1 } },
      { at: 1_200_000, actor: 'alice', type: 'rollback', target: 'api' },
      { at: 2_400_000, actor: 'bob', type: 'resolve', params: { confirmed: true } },
    ]);
  });

  it('omits optional fields rather than setting them to undefined', () => {
    const result = loadPlanText('commands:\n  - { at: 1s, actor: a, type: ack }\n', 'p.plan.yaml');
    expect(result.ok && Object.keys(result.plan)).toEqual(['commands']);
    expect(result.ok && Object.keys(result.plan.commands[0] ?? {})).toEqual(['at', 'actor', 'type']);
  });

  it('accepts an empty list of commands and JSON', () => {
    expect(loadPlanText('{"commands": []}', 'p.json')).toEqual({ ok: true, plan: { commands: [] }, diagnostics: [] });
  });

  it('reports every problem of a bad plan with its position', () => {
    const text = 'commands:\n  - at: soon\n    actor: a\n  - { at: 2m, actor: b, type: ack, extra: 1 }\nscenari: x\n';
    const result = loadPlanText(text, 'p.plan.yaml');
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      'p.plan.yaml:2:5: missing required field "type" (at commands[0].type)',
      'p.plan.yaml:2:9: "soon" is not a duration (write e.g. 90s, 5m, 6h or 1h30m) (at commands[0].at)',
      'p.plan.yaml:4:36: unknown field "extra" (at commands[1].extra)',
      'p.plan.yaml:5:1: unknown field "scenari" (did you mean "scenario"?) (at scenari)',
    ]);
  });

  it("checks each command with the engine's command schema: its type, limits and parameter rules", () => {
    const text = [
      'commands:',
      '  - { at: 1m, actor: a, type: declare, params: { severity: 5 } }',
      '  - { at: 2m, actor: a, type: assign-role, params: { role: cto } }',
      '  - { at: 3m, actor: a, type: reboot }',
      `  - { at: 4m, actor: ${'x'.repeat(65)}, type: ack }`,
      '  - { at: 5m, actor: a, type: status-update, params: { message: "" } }',
      '  - { at: 6m, actor: a, type: declare, params: { severity: 2, note: extra keys are fine } }',
      '',
    ].join('\n');
    const result = loadPlanText(text, 'p.plan.yaml');
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      'p.plan.yaml:2:60: params.severity must be 1, 2, 3 or 4 (1 is the most severe) (at commands[0].params.severity)',
      'p.plan.yaml:3:60: params.role must be one of ic, comms, ops (at commands[1].params.role)',
      expect.stringMatching(/^p\.plan\.yaml:4:31: invalid value "reboot": expected one of "start", /),
      'p.plan.yaml:5:22: must be at most 64 characters long (at commands[3].actor)',
      'p.plan.yaml:6:65: params.message must be 1 to 2000 characters (at commands[4].params.message)',
    ]);
  });

  it('reports YAML errors and never throws', () => {
    expect(loadPlanText('commands: [', 'p.plan.yaml').ok).toBe(false);
    expect(loadPlanText(null as unknown as string, 'p.plan.yaml').ok).toBe(false);
  });
});
