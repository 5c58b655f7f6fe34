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

const fileOf = (url: string): string => url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');

/** `name dir/file.ts`; a native function (no file) is named after its JS caller: `set name ← __name`. */
const keyOf = (node: Profiler.ProfileNode, caller: Profiler.ProfileNode | undefined): string => {
  const { functionName, url } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (url) return `${name} ${fileOf(url)}`;
  if (name.startsWith('(') || !caller) return name;
  return `${name} ← ${caller.callFrame.functionName || '(anonymous)'}`;
};

/**
 * Profiles `fn` (sampling every `intervalUs` µs) and returns self and inclusive time per function.
 * With `within`, only samples under a function of that name count (the profiler's own work is left out).
 */
export async function profile(fn: () => void, options: { intervalUs?: number; within?: string } = {}): Promise<ProfileReport> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: options.intervalUs ?? 100 });
    await session.post('Profiler.start');
    fn();
    const { profile: p } = await session.post('Profiler.stop');
    return summarizeProfile(p, options.within);
  } finally {
    session.disconnect();
  }
}

function summarizeProfile(p: Profiler.Profile, within?: string): ProfileReport {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  const deltas = p.timeDeltas ?? [];
  (p.samples ?? []).forEach((id, i) => hits.set(id, (hits.get(id) ?? 0) + (deltas[i] ?? 0)));

  const keyAt = (cur: number): string => {
    const up = parent.get(cur);
    return keyOf(byId.get(cur) as Profiler.ProfileNode, up === undefined ? undefined : byId.get(up));
  };

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, us] of hits) {
    const node = byId.get(id);
    if (!node || ['(idle)', '(program)', '(root)'].includes(node.callFrame.functionName)) continue;
    if (within !== undefined) {
      let inside = false;
      for (let cur: number | undefined = id; cur !== undefined && !inside; cur = parent.get(cur)) {
        inside = byId.get(cur)?.callFrame.functionName === within;
      }
      if (!inside) continue;
    }
    total += us;
    const key = keyAt(id);
    self.set(key, (self.get(key) ?? 0) + us);
    // Count each function once per sample, however deep its recursion.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyAt(cur);
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
