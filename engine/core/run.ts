/**
 * Headless runs: start a session, feed it a plan's timed commands, and run to the end (or `until`).
 * A command timed between ticks is submitted at the next tick boundary, as a live one would be.
 */
import type { Scenario } from '../scenario/schema.ts';
import { createSession, type Session } from './session.ts';
import type { TimedCommand } from './types.ts';

export const FACILITATOR = 'facilitator';

export interface RunOptions {
  seed?: number;
  commands?: readonly TimedCommand[];
  /** Simulated ms to stop at; defaults to the scenario's duration (the drill then ends by itself). */
  until?: number;
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): Session {
  const session = createSession(scenario, options.seed === undefined ? {} : { seed: options.seed });
  const until = options.until ?? scenario.duration;
  session.submit({ actor: FACILITATOR, type: 'start' });
  const commands = [...(options.commands ?? [])].sort((a, b) => a.at - b.at);
  for (const { at, ...command } of commands) {
    const boundary = Math.ceil(at / session.tickMs) * session.tickMs;
    if (boundary > until) break;
    session.runUntil(boundary);
    session.submit(command);
  }
  session.runUntil(until);
  return session;
}
