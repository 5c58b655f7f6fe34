/**
 * Headless runs: a plan's timed commands folded (fold.ts) after an implicit start at 0, to the end of
 * the scenario or to `until`.
 */
import type { Scenario } from '../../protocol/scenario.ts';
import type { Session } from '../session.ts';
import type { TimedCommand } from '../../protocol/commands.ts';
import { foldCommands, type FoldOptions } from './fold.ts';

export const FACILITATOR = 'facilitator';

export interface RunOptions {
  seed?: number;
  /** In any order: they are sorted by time (stably) before the fold. */
  commands?: readonly TimedCommand[];
  /** Simulated ms to stop at; defaults to the scenario's duration (the drill then ends by itself). */
  until?: number;
  /** False times the fixed physics steps at rest too (SessionOptions.restSteps): for the bench only. */
  restSteps?: boolean;
  /** Hears each command applied, the implicit start first (index 0), with what the engine made of it. */
  onCommand?: FoldOptions['onCommand'];
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): Session {
  const start: TimedCommand = { at: 0, actor: FACILITATOR, type: 'start' };
  const commands = [...(options.commands ?? [])].sort((a, b) => a.at - b.at);
  return foldCommands(scenario, options.seed ?? scenario.seed, [start, ...commands], {
    until: options.until ?? scenario.duration,
    ...(options.restSteps === false ? { restSteps: false } : {}),
    ...(options.onCommand !== undefined ? { onCommand: options.onCommand } : {}),
  });
}
