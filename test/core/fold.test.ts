/**
 * The one fold over timed commands (engine/core/log/fold.ts) and its time rule, and the callers built
 * on it: a headless run, a replay, a drill's recovery and the replay screen's samples agree with it.
 */
import { describe, expect, it } from 'vitest';
import { foldCommands } from '../../engine/core/log/fold.ts';
import { commandEvents, logEnd, loggedCommands } from '../../engine/core/log/replay.ts';
import { FACILITATOR, runScenario } from '../../engine/core/log/run.ts';
import { createSession } from '../../engine/core/session.ts';
import type { CommandResult, PlanCommand, TimedCommand } from '../../engine/protocol/commands.ts';
import type { EngineEvent } from '../../engine/protocol/events.ts';
import type { MetricsSample } from '../../engine/protocol/views.ts';
import { loadPlan, loadScenario, tinyScenario } from '../helpers.ts';

const scenario = tinyScenario();
const TICK = scenario.tick;
const start: TimedCommand = { at: 0, actor: FACILITATOR, type: 'start' };
const ack = (at: number, actor = 'alice'): TimedCommand => ({ at, actor, type: 'ack' });
const commandTimes = (events: readonly EngineEvent[]) => commandEvents(events).map((e) => [e.command, e.t]);

describe('the time rule', () => {
  it('applies a command at the first tick boundary at or after its time, before that tick runs', () => {
    const session = foldCommands(scenario, 1, [start, ack(TICK + 1), ack(3 * TICK, 'bob')], { until: 5 * TICK });
    expect(commandTimes(session.events)).toEqual([
      ['start', 0],
      ['ack', 2 * TICK],
      ['ack', 3 * TICK],
    ]);
    // Stamped with `now`, the time of the tick it precedes: the same as a live drill submitting it then.
    const live = createSession(scenario, { seed: 1 });
    live.submit({ actor: FACILITATOR, type: 'start' });
    live.runUntil(2 * TICK);
    live.submit({ actor: 'alice', type: 'ack' });
    live.runUntil(3 * TICK);
    live.submit({ actor: 'bob', type: 'ack' });
    live.runUntil(5 * TICK);
    expect(session.events).toEqual(live.events);
  });

  it('stops at `until`: no tick at or after it, no command due after it, one due exactly at it applied', () => {
    const session = foldCommands(scenario, 1, [start, ack(4 * TICK), ack(4 * TICK + 1, 'bob')], { until: 4 * TICK });
    expect(session.now).toBe(4 * TICK);
    expect(commandTimes(session.events)).toEqual([
      ['start', 0],
      ['ack', 4 * TICK],
    ]);
    expect(session.events.every((e) => e.t <= 4 * TICK)).toBe(true);
  });

  it('moves no time while the drill is not running: a command due later is applied at the current now', () => {
    const inputs: TimedCommand[] = [
      ack(0, 'early'),
      start,
      { at: 2 * TICK, actor: FACILITATOR, type: 'pause' },
      ack(5 * TICK),
      { at: 7 * TICK, actor: FACILITATOR, type: 'resume' },
    ];
    const session = foldCommands(scenario, 1, inputs, { until: 9 * TICK });
    expect(commandTimes(session.events)).toEqual([
      ['ack', 0],
      ['start', 0],
      ['pause', 2 * TICK],
      ['ack', 2 * TICK],
      ['resume', 2 * TICK],
    ]);
    // The paused stretch cost no simulated time: after the resume the fold runs on to `until`.
    expect(session.now).toBe(9 * TICK);
    // Before the start nothing ticks either: a fold with no start never leaves 0.
    expect(foldCommands(scenario, 1, [ack(5 * TICK)], { until: 10 * TICK }).now).toBe(0);
  });

  it('never moves time back: an input due before now is applied at now', () => {
    const session = foldCommands(scenario, 1, [start, ack(3 * TICK), ack(TICK, 'late')], { until: 4 * TICK });
    expect(commandTimes(session.events)).toEqual([
      ['start', 0],
      ['ack', 3 * TICK],
      ['ack', 3 * TICK],
    ]);
  });

  it('stops with the drill: once it has ended, later inputs are applied (and refused) at its end', () => {
    const short = tinyScenario({ duration: '2m' });
    const session = foldCommands(short, 1, [start, ack(5 * 60_000)], { until: 10 * 60_000 });
    expect(session.phase).toBe('ended');
    expect(session.now).toBe(2 * 60_000);
    const late = commandEvents(session.events).at(-1);
    expect(late).toMatchObject({ command: 'ack', t: 2 * 60_000, ok: false });
  });

  it('reports every tick and every command, with the input and its place in the list', () => {
    const ticks: MetricsSample[] = [];
    const heard: [PlanCommand, CommandResult, number, number][] = [];
    const inputs = [start, ack(TICK), ack(2 * TICK, 'bob')];
    const session = foldCommands(scenario, 1, inputs, { until: 3 * TICK, onTick: (s) => ticks.push(s), onCommand: (...args) => heard.push(args) });
    expect(ticks.map((s) => s.t)).toEqual([0, TICK, 2 * TICK]);
    expect(heard.map(([input, result, i]) => [input, result.ok, result.seq, i])).toEqual(
      commandEvents(session.events).map((e, i) => [inputs[i], e.ok, e.seq, i]),
    );
  });
});

describe('the callers share the fold', () => {
  const retail = loadScenario('retail-sev1');
  const plan = loadPlan('retail-sev1');
  const run = runScenario(retail, { commands: plan, until: 3_600_000 });

  it('a headless run is the fold of its plan after an implicit start', () => {
    const folded = foldCommands(retail, retail.seed, [start, ...plan], { until: 3_600_000 });
    expect(folded.events).toEqual(run.events);
    // A plan in any order is sorted by time first (stably).
    expect(runScenario(retail, { commands: [...plan].sort((a, b) => b.at - a.at), until: 3_600_000 }).events).toEqual(run.events);
  });

  it('a log folds back into itself, cut anywhere, from its commands and the time it was read at', () => {
    for (const cut of [1, 50, 200, run.events.length]) {
      const logged = run.events.slice(0, cut);
      // A session read mid-run: `now` is past the last line (ticks that emit nothing leave none).
      const now = cut === run.events.length ? run.now : (logged.at(-1)?.t ?? 0) + retail.tick;
      const again = foldCommands(retail, retail.seed, loggedCommands(logged), { until: now });
      expect(again.events.slice(0, cut)).toEqual(logged);
      // And by the log alone, up to its end (through its last tick).
      const byEnd = foldCommands(retail, retail.seed, loggedCommands(logged), { until: logEnd(logged) });
      expect(byEnd.events.slice(0, cut)).toEqual(logged);
    }
  });

  it("a drill's recovery: its stored inputs, on to the later of the saved time and the last input", () => {
    const inputs = loggedCommands(run.events);
    const last = inputs.at(-1)?.at ?? 0;
    // Progress is saved once a second and inputs at once, so the saved time can be before the last input.
    for (const saved of [0, last - 60_000, last, run.now]) {
      // The loop server/drill.ts had before the fold, as the oracle.
      const before = createSession(retail);
      for (const { at, ...command } of inputs) {
        before.runUntil(at);
        before.submit(command);
      }
      before.runUntil(saved);
      const recovered = foldCommands(retail, retail.seed, inputs, { until: Math.max(saved, last) });
      expect(recovered.events).toEqual(before.events);
      expect(recovered.now).toBe(before.now);
    }
  });
});
