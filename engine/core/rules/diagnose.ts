/**
 * Diagnostics reveal a service's log lines: the lines for faults active right now (which may sit
 * elsewhere: checkout logs pricing's 500s), or its quiet-day lines when none apply, plus its metrics.
 */
import { isFaultActive } from './faults.ts';
import { ms, rate } from '../physics/round.ts';
import { emit, type SessionState } from '../state.ts';
import type { CommandError, CommandInput } from '../../protocol/commands.ts';

export function diagnose(state: SessionState, cmd: CommandInput): CommandError | null {
  const target = cmd.target ?? '';
  const s = state.topo.index.get(target);
  if (s === undefined) return { ok: false, code: 'unknown-target', message: `no service "${target}"`, path: 'target' };
  const rules = state.scenario.logs.filter((r) => r.service === target);
  const faulty = rules.filter((r) => r.whenFault !== undefined && isFaultActive(state, r.whenFault));
  const chosen = faulty.length > 0 ? faulty : rules.filter((r) => r.whenFault === undefined);
  const lines = chosen.flatMap((r) => r.lines);
  const { sim } = state;
  emit(state, 'diagnosis', {
    by: cmd.actor,
    target,
    lines,
    errorRate: rate(sim.errorRate[s] as number),
    p99Ms: ms(sim.p99[s] as number),
    saturation: rate(sim.saturation[s] as number),
  });
  return null;
}
