/**
 * An in-process CPU profile (V8 sampling profiler through node:inspector), summarised by function:
 * how a benchmark can say WHERE the time goes without a separate `node --cpu-prof` run.
 * Names are `function file`; under tsx the line numbers are those of transpiled code, so they are left out.
 */
import { Session } from 'node:inspector/promises';
import type { Profiler } from 'node:inspector';

export interface FunctionCost {
  name: string;
  /** Share (0–1) of the profiled (non-idle) time. */
  self: number;
  inclusive: number;
}

export interface ProfileReport {
  totalMs: number;
  functions: FunctionCost[];
}

const keyOf = (node: Profiler.ProfileNode): string => {
  const { functionName, url } = node.callFrame;
  const file = url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
  return `${functionName || '(anonymous)'}${file ? ` ${file}` : ''}`;
};

/** Profiles `fn` (sampling every `intervalUs` µs) and returns self and inclusive time per function. */
export async function profile(fn: () => void, intervalUs = 100): Promise<ProfileReport> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    fn();
    const { profile: p } = await session.post('Profiler.stop');
    return summarizeProfile(p);
  } finally {
    session.disconnect();
  }
}

export function summarizeProfile(p: Profiler.Profile): ProfileReport {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  const deltas = p.timeDeltas ?? [];
  (p.samples ?? []).forEach((id, i) => hits.set(id, (hits.get(id) ?? 0) + (deltas[i] ?? 0)));

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, us] of hits) {
    const node = byId.get(id);
    if (!node || ['(idle)', '(program)', '(root)'].includes(node.callFrame.functionName)) continue;
    total += us;
    const key = keyOf(node);
    self.set(key, (self.get(key) ?? 0) + us);
    // Count each function once per sample, however deep its recursion.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf(byId.get(cur) as Profiler.ProfileNode);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const functions = [...inclusive].map(([name, us]) => ({
    name,
    self: total > 0 ? (self.get(name) ?? 0) / total : 0,
    inclusive: total > 0 ? us / total : 0,
  }));
  return { totalMs: total / 1000, functions };
}
