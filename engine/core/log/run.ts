/**
 * Headless runs: a plan's commands after an implicit start at 0, folded (fold.ts) to the end of the
 * scenario or to `until`. A command is sent at a time (`at`) or a while after an event (`after`,
 * anchors.ts), which a seed may move; the fold's time rule decides when each is due. A relative command
 * whose event never happens is never sent. The log records every command at the time it was applied,
 * so the log alone replays through the same fold with every time fixed.
 */
import type { ScenarioSpec } from '../../protocol/scenario.ts';
import type { Session } from '../session.ts';
import { isTimed, type CommandResult, type PlanCommand, type TimedCommand } from '../../protocol/commands.ts';
import { foldCommands } from './fold.ts';
import { loggedCommands } from './replay.ts';

export const FACILITATOR = 'facilitator';

export interface RunOptions {
  seed?: number;
  /** In any order: timed ones are taken by time (stably), then in the order given. */
  commands?: readonly PlanCommand[];
  /** Simulated ms to stop at; defaults to the scenario's duration (the drill then ends by itself). */
  until?: number;
  /** False times the fixed physics steps at rest too (SessionOptions.restSteps): for the bench only. */
  restSteps?: boolean;
  /**
   * Hears each command applied, the implicit start first (index 0; the plan's are 1…n in the order
   * given), with what the engine made of it and the simulated ms it was applied at.
   */
  onCommand?: (input: PlanCommand, result: CommandResult, index: number, t: number) => void;
}

export function runScenario(spec: ScenarioSpec, options: RunOptions = {}): Session {
  const start: TimedCommand = { at: 0, actor: FACILITATOR, type: 'start' };
  // Timed commands by time (stably), then the relative ones in the order given; indices as given.
  const plan = [start, ...(options.commands ?? [])]
    .map((command, index) => ({ command, index }))
    .sort((a, b) => (isTimed(a.command) ? a.command.at : Infinity) - (isTimed(b.command) ? b.command.at : Infinity) || a.index - b.index);
  const onCommand = options.onCommand;
  return foldCommands(
    spec,
    options.seed ?? spec.seed,
    plan.map((p) => p.command),
    {
      until: options.until ?? spec.duration,
      ...(options.restSteps === false ? { restSteps: false } : {}),
      ...(onCommand !== undefined ? { onCommand: (input, result, i, t) => onCommand(input, result, plan[i]?.index ?? i, t) } : {}),
    },
  );
}

/**
 * A plan's commands at the times one seed's run sent them (the implicit start left out): the same run
 * when given back to runScenario with that seed, with every time fixed. For tools that need times
 * ahead (the bench's step-by-step fold).
 */
export function timedPlan(spec: ScenarioSpec, commands: readonly PlanCommand[], options: Omit<RunOptions, 'commands' | 'onCommand'> = {}): TimedCommand[] {
  return loggedCommands(runScenario(spec, { ...options, commands }).events).slice(1);
}
