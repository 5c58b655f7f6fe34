/**
 * A deterministic generator of synthetic scenarios, for benchmarks and scaling tests.
 *
 * Shape (N services, seeded by seedrandom so the same (N, seed) always gives the same scenario):
 * - layers: a few entry services (one journey each), then layers growing linearly in size down to a
 *   layer of leaves (databases, caches); every dependency points to a deeper layer, so the graph is a DAG;
 * - a widely shared platform service among the leaves (sessions, routing config): every entry and ~30%
 *   of the other services call it once per request, hard. It is the root cause's target;
 * - ~2 dependency edges per service: every non-entry service has at least one caller in the layer above,
 *   then random extra edges (mostly to the next layer); hard and soft, with calls, retries, timeouts and
 *   a few circuit breakers;
 * - latencies, timeouts, capacities, queues and SLOs are sized from a no-fault estimate of the graph, so
 *   the system is healthy until a fault lands (timeouts ≥ 2.5× the callee's p99, capacity 2.5–4× its
 *   load, queues of half the shortest caller timeout's worth of work);
 * - faults: a config deploy on the shared service (the root cause, fixed only by a rollback: a quarter
 *   of the keys hang past every timeout, so its queue fills, every call to it times out and is retried,
 *   and its callers, then theirs, run out of workers: on 1,000 services over a third of them end up
 *   above 5% errors), a red herring latency spike on a leaf, a capacity loss that heals by itself, and
 *   a thundering herd that a restart of the root-cause service triggers;
 * - alerts per journey (errors page, latency tickets), plus one on the root-cause service;
 * - actions: the rollback, a restart, a scale-up, a breaker, and a drain (load shed) per entry;
 * - 6 hours, 10 s ticks.
 *
 * `generatePlan` is a reference response (roll back, then shed at the edge while the queues drain);
 * `cascadeShare` measures how far the root cause spreads untreated.
 * `generateScenario` returns the input form (durations as text), exactly what a YAML file would hold;
 * `buildScenario` validates it with the same loader as a scenario file and returns the parsed scenario.
 */
import seedrandom from 'seedrandom';
import { formatDuration } from '../engine/protocol/format.ts';
import type { TimedCommand } from '../engine/protocol/commands.ts';
import { actionId } from '../engine/protocol/ids.ts';
import type { Diagnostic } from '../engine/scenario/diagnostics.ts';
import { loadScenarioText } from '../engine/scenario/load.ts';
import { resolveScenario } from '../engine/core/variation.ts';
import { runScenario } from '../engine/core/log/run.ts';
import type { Scenario, ScenarioInput } from '../engine/protocol/scenario.ts';

type ServiceInput = ScenarioInput['services'][number];
type DependencyInput = NonNullable<ServiceInput['dependencies']>[number];

export interface GenerateOptions {
  /** Number of services (at least 4). */
  services: number;
  seed?: number;
  /** Target number of dependency edges per service, on average. */
  edgesPerService?: number;
}

export const DEFAULT_GENERATOR_SEED = 42;
export const ROOT_FAULT_ID = 'config-push';
const FAULT_AT_MS = 5 * 60_000;
/** Share of the services (entries aside, which all do) that call the shared root-cause service. */
const SHARED_CALLER_SHARE = 0.3;
/** Each service's queue holds this share of its shortest caller timeout's worth of work. */
const QUEUE_SHARE_OF_TIMEOUT = 0.5;
/** The root cause hits this share of keys, and a hit request hangs this many callers' timeouts before it fails. */
const ROOT_FAULT_SCOPE = 0.25;
const ROOT_FAULT_HANG = 4;
/** The edge drains' share of customer traffic shed. */
const DRAIN_SHED = 0.9;
/** The cascade figure: share of services above this error rate, this long after the root cause lands. */
export const CASCADE_ERROR_RATE = 0.05;
export const CASCADE_WITHIN_MS = 30 * 60_000;

interface Rng {
  (): number;
}

const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const uniform = (rng: Rng, lo: number, hi: number): number => lo + rng() * (hi - lo);
const pick = <T>(rng: Rng, items: readonly T[]): T => {
  if (items.length === 0) throw new Error('invariant: pick from an empty list');
  return items[Math.floor(rng() * items.length)] as T;
};
const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Number of layers, entry layer included: 3 for 10 services, 5 for 100, 7 for 1000. */
function layerCount(n: number): number {
  return Math.min(7, Math.max(3, Math.round(Math.log2(n) / 1.5) + 1));
}

/** Entry services (one journey each): 2 for 10 services, 3 for 100, 5 for 1000. */
function entryCount(n: number): number {
  return Math.min(5, Math.max(2, Math.round(Math.log10(n) * 1.7)));
}

/** Layer sizes: the entries, then the rest split over the deeper layers with weights 1, 2, 3, … */
function layerSizes(n: number): number[] {
  const layers = layerCount(n);
  const entries = entryCount(n);
  const rest = n - entries;
  const deep = layers - 1;
  const weightSum = (deep * (deep + 1)) / 2;
  const sizes = Array.from({ length: deep }, (_, k) => Math.max(1, Math.floor((rest * (k + 1)) / weightSum)));
  // Largest layers absorb the rounding, so the total is exactly n.
  let diff = rest - sizes.reduce((a, b) => a + b, 0);
  for (let k = deep - 1; diff !== 0; k = k === 0 ? deep - 1 : k - 1) {
    const step = diff > 0 ? 1 : -1;
    if ((sizes[k] as number) + step >= 1) {
      sizes[k] = (sizes[k] as number) + step;
      diff -= step;
    }
  }
  return [entries, ...sizes];
}

interface Node {
  id: string;
  layer: number;
  deps: { to: number; hard: boolean; calls: number; retries: number; breaker: boolean }[];
}

/** The input form of a synthetic scenario with `options.services` services. Pure and deterministic. */
export function generateScenario(options: GenerateOptions): ScenarioInput {
  const n = options.services;
  if (!Number.isInteger(n) || n < 4) throw new Error(`generateScenario: services must be an integer ≥ 4, not ${n}`);
  const seed = options.seed ?? DEFAULT_GENERATOR_SEED;
  const rng: Rng = seedrandom.alea(`sevdrill-generate:${seed}:${n}`);
  const edgesPerService = options.edgesPerService ?? 2;

  // Services, layer by layer; ids are zero-padded so they sort like their order.
  const sizes = layerSizes(n);
  const width = String(n).length;
  const nodes: Node[] = [];
  const layerOf: number[][] = sizes.map(() => []);
  sizes.forEach((size, layer) => {
    for (let i = 0; i < size; i++) {
      const id = layer === 0 ? `entry-${i + 1}` : `svc-${layer}-${String(i + 1).padStart(width, '0')}`;
      (layerOf[layer] as number[]).push(nodes.length);
      nodes.push({ id, layer, deps: [] });
    }
  });
  const last = sizes.length - 1;
  const addEdge = (from: number, to: number): boolean => {
    const node = nodes[from] as Node;
    if (node.deps.some((d) => d.to === to)) return false;
    node.deps.push({
      to,
      hard: rng() < 0.6,
      calls: pick(rng, [0.2, 0.5, 1, 1, 1, 2]),
      retries: pick(rng, [0, 1, 1, 2]),
      breaker: rng() < 0.1,
    });
    return true;
  };

  // 1. Coverage: every service below the entries has a caller in the layer just above.
  for (let layer = 1; layer <= last; layer++) {
    for (const s of layerOf[layer] as number[]) addEdge(pick(rng, layerOf[layer - 1] as number[]), s);
  }
  // 2. The root cause: a widely shared platform service (sessions, routing config) among the leaves.
  //    Every entry calls it, and so does a share of the other services, once per request and hard: a
  //    request cannot go on without it. Its failure reaches the customer journeys directly, and the
  //    services that call it run out of workers while their calls to it time out and retry.
  const rootIndex = pick(rng, layerOf[last] as number[]);
  const root = nodes[rootIndex] as Node;
  for (const [s, node] of nodes.entries()) {
    if (node.layer < last && (node.layer === 0 || rng() < SHARED_CALLER_SHARE)) addEdge(s, rootIndex);
  }
  // 3. Extra edges, mostly to the next layer, until the graph has ~edgesPerService × n edges.
  const callers = nodes.map((_, i) => i).filter((i) => (nodes[i] as Node).layer < last);
  const target = Math.round(edgesPerService * n);
  let edges = nodes.reduce((sum, node) => sum + node.deps.length, 0);
  for (let attempt = 0; edges < target && attempt < target * 20; attempt++) {
    const from = pick(rng, callers);
    const layer = (nodes[from] as Node).layer;
    const toLayer = rng() < 0.7 ? layer + 1 : int(rng, layer + 1, last);
    if (addEdge(from, pick(rng, layerOf[toLayer] as number[]))) edges++;
  }
  // A wide caller does not call every dependency on every request: scale calls by 2 / fan-out, so a
  // request touches a bounded number of services and latency stays in the range of real systems. The
  // shared service is the exception: every request calls it once, and cannot go on without it.
  for (const node of nodes) {
    const scale = Math.min(1, 2 / Math.max(1, node.deps.filter((d) => d.to !== rootIndex).length));
    for (const d of node.deps) {
      if (d.to === rootIndex) {
        d.hard = true;
        d.calls = 1;
      } else {
        d.calls = Math.max(0.05, Math.round(d.calls * scale * 100) / 100);
      }
    }
  }

  // 4. Own latencies, then a no-fault estimate of each service's p50/p99 (callees first) to size timeouts.
  const own = nodes.map((node) => {
    const p50 = node.layer === last ? int(rng, 2, 15) : node.layer === 0 ? int(rng, 10, 40) : int(rng, 5, 30);
    const errorRate = node.layer === 0 ? 0.001 : pick(rng, [0.00005, 0.0001, 0.0002, 0.0005]);
    return { p50, p99: Math.round(p50 * uniform(rng, 2.5, 4)), errorRate };
  });
  const est50 = new Float64Array(n);
  const est99 = new Float64Array(n);
  const estErr = new Float64Array(n);
  for (let s = n - 1; s >= 0; s--) {
    const node = nodes[s] as Node;
    const self = own[s] as (typeof own)[number];
    let l50 = self.p50;
    let l99 = self.p99;
    let success = 1 - self.errorRate;
    for (const d of node.deps) {
      l50 += d.calls * (est50[d.to] as number);
      l99 += d.calls * (est99[d.to] as number) + (d.hard ? 0 : 5);
      if (d.hard) success *= (1 - (estErr[d.to] as number) ** (d.retries + 1)) ** d.calls;
    }
    est50[s] = l50;
    est99[s] = l99;
    estErr[s] = 1 - success;
  }

  // 5. Traffic: journeys enter at layer 0, some services have background traffic; load flows down.
  const journeyRps = (layerOf[0] as number[]).map(() => int(rng, 2, 40) * 50);
  const backgroundRps = nodes.map((node) => (node.layer > 0 && rng() < 0.2 ? int(rng, 1, 20) * 10 : 0));
  const demand = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    demand[s] = (demand[s] as number) + (backgroundRps[s] as number) + (s < (sizes[0] as number) ? (journeyRps[s] as number) : 0);
    for (const d of (nodes[s] as Node).deps) demand[d.to] = (demand[d.to] as number) + (demand[s] as number) * d.calls * 1.01;
  }

  const timeoutOf = (s: number): number => Math.max(50, Math.ceil(2.5 * (est99[s] as number)));
  const shortestCallerTimeout = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  for (const node of nodes) for (const d of node.deps) shortestCallerTimeout[d.to] = Math.min(shortestCallerTimeout[d.to] as number, timeoutOf(d.to));
  const services: ServiceInput[] = nodes.map((node, s) => {
    const dependencies: DependencyInput[] = node.deps.map((d) => ({
      service: (nodes[d.to] as Node).id,
      kind: d.hard ? 'hard' : 'soft',
      calls: d.calls,
      timeout: `${timeoutOf(d.to)}ms`,
      retries: d.retries,
      ...(d.breaker && !d.hard ? { breaker: 0.5 } : {}),
    }));
    const critical = node.layer === 0 || s === rootIndex || rng() < 0.3;
    const capacity = Math.ceil((demand[s] as number) * uniform(rng, 2.5, 4)) + 10;
    const patience = shortestCallerTimeout[s] as number;
    const service: ServiceInput = {
      id: node.id,
      tier: critical ? 'critical' : 'standard',
      baseline: {
        ...(backgroundRps[s] ? { rps: backgroundRps[s] } : {}),
        latencyMs: (own[s] as (typeof own)[number]).p50,
        p99Ms: (own[s] as (typeof own)[number]).p99,
        errorRate: (own[s] as (typeof own)[number]).errorRate,
      },
      capacity,
      // A queue longer than its callers' patience only holds work nobody waits for: bound it to half the
      // shortest caller timeout's worth of work. Entries keep the default, as their users wait longer.
      ...(patience < Number.POSITIVE_INFINITY ? { queueLimit: Math.ceil((capacity * QUEUE_SHARE_OF_TIMEOUT * patience) / 1000) } : {}),
    };
    if (dependencies.length > 0) service.dependencies = dependencies;
    return service;
  });

  const entries = layerOf[0] as number[];
  const journeys: ScenarioInput['journeys'] = entries.map((s, j) => ({
    id: `journey-${j + 1}`,
    name: `Journey ${j + 1} through ${(nodes[s] as Node).id}`,
    entry: (nodes[s] as Node).id,
    rps: journeyRps[j] as number,
    valuePerRequest: round1(uniform(rng, 0.1, 50)),
    degradedLoss: 0.1,
    // Room for noise (±20% on error rates, ±5% on latency) and retries above the no-fault estimate.
    slo: { errorRate: Math.max(0.01, Math.ceil(300 * (estErr[s] as number)) / 100), p99Ms: Math.ceil(2 * (est99[s] as number)) + 50 },
  }));

  // Faults. The red herring and the capacity loss sit on services other than the root cause.
  const leaves = (layerOf[last] as number[]).filter((s) => s !== rootIndex);
  const herring = nodes[pick(rng, leaves)] as Node;
  const midLayer = Math.min(2, last);
  const lossCandidates = (layerOf[midLayer] as number[]).filter((s) => s !== rootIndex && (nodes[s] as Node).id !== herring.id);
  const capacityLoss = nodes[pick(rng, lossCandidates.length > 0 ? lossCandidates : leaves)] as Node;
  const rootTimeout = timeoutOf(rootIndex);
  const herdTarget = root.deps.length > 0 ? (nodes[(root.deps[0] as { to: number }).to] as Node) : root;

  const faults: ScenarioInput['faults'] = [
    {
      id: 'leaf-latency',
      kind: 'noise',
      target: herring.id,
      at: '2m',
      for: '40m',
      effect: { latencyFactor: 1.5 },
      facilitator: { note: 'Red herring: a slow leaf, well within its callers’ timeouts and its own capacity.' },
    },
    {
      id: ROOT_FAULT_ID,
      kind: 'config-deploy',
      target: root.id,
      at: formatDuration(FAULT_AT_MS),
      rampUp: '30s',
      // The new rules break a share of the keys, and their failure path is slow: a hit request hangs
      // well past its callers' timeouts before it fails. Retries of a hit key fail again.
      scope: ROOT_FAULT_SCOPE,
      effect: { errorRate: 1, latencyMs: ROOT_FAULT_HANG * rootTimeout },
      change: { summary: `${root.id} config v2: new routing rules`, author: 'deploy-bot' },
      rootCause: true,
      facilitator: {
        note:
          'The root cause. Only a rollback ends it. Its queue fills with hung requests, every call to it times out and is retried, and ' +
          'its callers run out of workers. After the rollback the storm drains slowly on a large system; shedding traffic at the edge for a moment speeds that up.',
      },
    },
    {
      id: 'capacity-dip',
      kind: 'capacity-loss',
      target: capacityLoss.id,
      at: '1h',
      for: '20m',
      effect: { capacityFactor: 0.5 },
    },
    {
      id: 'restart-herd',
      kind: 'thundering-herd',
      target: herdTarget.id,
      trigger: { action: 'restart', target: root.id },
      for: '10m',
      effect: { rpsFactor: 3 },
      facilitator: { note: 'Restarting the root-cause service makes every client reconnect at once.' },
    },
  ];

  const alerts: NonNullable<ScenarioInput['alerts']> = journeys.flatMap((j) => [
    { id: `${j.id}-errors`, name: `${j.name}: errors over twice the SLO`, journey: j.id, metric: 'errorRate' as const, threshold: Math.max(0.05, 2 * j.slo.errorRate), for: '2m', severity: 'page' as const },
    { id: `${j.id}-latency`, name: `${j.name}: p99 over SLO`, journey: j.id, metric: 'p99Ms' as const, threshold: j.slo.p99Ms, for: '3m', severity: 'ticket' as const },
  ]);
  alerts.push({ id: 'root-errors', service: root.id, metric: 'errorRate', threshold: 0.2, for: '1m', severity: 'page' });

  const softOfEntry = (nodes[entries[0] as number] as Node).deps.find((d) => !d.hard);
  const actions: NonNullable<ScenarioInput['actions']> = [
    { type: 'rollback', target: root.id, duration: '4m', approval: true, resolves: [ROOT_FAULT_ID], description: `Roll back the ${root.id} config.` },
    { type: 'restart', target: root.id, duration: '2m', description: `Restart ${root.id}.` },
    { type: 'scale', target: root.id, duration: '5m', capacityFactor: 2, description: `Double ${root.id}'s capacity.` },
    // A retry storm can outlive its cause: shedding most customer traffic at the edge for a moment lets
    // every queue drain, and the system comes back once the shed is reverted.
    ...entries.map((s) => ({
      type: 'drain' as const,
      target: (nodes[s] as Node).id,
      duration: '30s',
      shed: DRAIN_SHED,
      description: `Shed ${100 * DRAIN_SHED}% of ${(nodes[s] as Node).id}'s traffic at the edge.`,
    })),
  ];
  if (softOfEntry) {
    actions.push({
      type: 'breaker',
      target: (nodes[entries[0] as number] as Node).id,
      dependency: (nodes[softOfEntry.to] as Node).id,
      duration: '30s',
    });
  }

  return {
    id: `generated-${n}`,
    title: `Generated: ${n} services, seed ${seed}`,
    briefing: `A synthetic system of ${n} services in ${sizes.length} layers, for benchmarks.`,
    facilitator: { rootCause: ROOT_FAULT_ID, expectedSeverity: 1 },
    seed,
    tick: '10s',
    duration: '6h',
    services,
    journeys,
    faults,
    alerts,
    logs: [
      { service: root.id, whenFault: ROOT_FAULT_ID, lines: [`ERROR RouteTable: rule v2 matches no route for ${100 * ROOT_FAULT_SCOPE}% of keys; lookups wait for a route until they time out`, `INFO  config v2 active (deploy-bot)`] },
      { service: root.id, lines: ['INFO  config v1 active', 'INFO  health: ok'] },
    ],
    advice: [
      {
        id: 'runbook-rollback',
        at: '11m',
        source: 'runbook',
        text: `Roll back the most recent ${root.id} config change.`,
        proposes: { type: 'rollback', target: root.id },
        facilitator: { label: 'correct' },
      },
    ],
    actions,
    objectives: { ack: '5m', declare: '10m', diagnose: '15m', mitigate: '30m', resolve: '45m' },
  };
}

class InvalidScenarioError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`generated scenario is invalid:\n${diagnostics.map((d) => `  ${d.path}: ${d.message}`).join('\n')}`);
  }
}

/** Generates and validates (schema and lint, via the scenario loader); throws if anything is reported. */
export function buildScenario(options: GenerateOptions): { scenario: Scenario; diagnostics: Diagnostic[] } {
  const input = generateScenario(options);
  const result = loadScenarioText(JSON.stringify(input), `generated-${options.services}.json`);
  if (!result.ok) throw new InvalidScenarioError(result.diagnostics);
  // Generated scenarios vary nothing: resolving only narrows the type.
  return { scenario: resolveScenario(result.scenario, result.scenario.seed).scenario, diagnostics: result.diagnostics };
}

/**
 * A reference response for a generated scenario: page, ack, declare, diagnose, roll back with approval;
 * then, as the retry storm can outlive the rollback, shed traffic at the edge while the queues drain,
 * restore it, and resolve once every journey is back within its SLO.
 */
export function generatePlan(scenario: Scenario): TimedCommand[] {
  const rootFault = scenario.faults.find((f) => f.id === scenario.facilitator.rootCause);
  const rollback = scenario.actions.find((a) => a.type === 'rollback' && rootFault && a.resolves.includes(rootFault.id));
  if (!rootFault || !rollback) throw new Error('generatePlan: the scenario has no rollback for its root cause');
  const drains = scenario.actions.filter((a) => a.type === 'drain');
  const t0 = rootFault.at ?? 0;
  const at = (minutes: number): number => t0 + minutes * 60_000;
  const commands: TimedCommand[] = [
    { at: at(3), actor: 'alice', type: 'ack' },
    { at: at(3.5), actor: 'alice', type: 'assign-role', params: { role: 'ic' } },
    { at: at(4), actor: 'alice', type: 'declare', params: { severity: 1 } },
    { at: at(4), actor: 'bob', type: 'assign-role', params: { role: 'ops' } },
    { at: at(5), actor: 'carol', type: 'status-update', params: { message: 'Sev 1: journeys failing. Investigating.' } },
    { at: at(5), actor: 'bob', type: 'diagnose', target: rollback.target },
    { at: at(6), actor: 'bob', type: rollback.type, target: rollback.target },
  ];
  if (rollback.approval) {
    commands.push({ at: at(6.5), actor: 'alice', type: 'approve', params: { request: actionId(rollback) } });
  }
  // The rollback lands at about at(10.5); the queues it leaves behind drain behind the shed.
  for (const drain of drains) commands.push({ at: at(11), actor: 'bob', type: 'drain', target: drain.target });
  for (const drain of drains) commands.push({ at: at(13), actor: 'bob', type: 'revert', params: { action: actionId(drain) } });
  commands.push(
    { at: at(15), actor: 'carol', type: 'status-update', params: { message: 'Config rolled back, queues drained; journeys recovering.' } },
    { at: at(20), actor: 'alice', type: 'resolve' },
    { at: at(21), actor: 'carol', type: 'status-update', params: { message: 'Resolved.' } },
  );
  return commands;
}

/**
 * How far the root cause spreads, untreated: the share of services whose error rate is above
 * CASCADE_ERROR_RATE `afterMs` after it lands (the bench's cascadeShare1000 figure).
 */
export function cascadeShare(scenario: Scenario, afterMs = CASCADE_WITHIN_MS): number {
  const rootFault = scenario.faults.find((f) => f.id === scenario.facilitator.rootCause);
  if (rootFault?.at === undefined) throw new Error('cascadeShare: the scenario has no scheduled root cause');
  const sample = runScenario(scenario, { until: rootFault.at + afterMs }).sample();
  return sample.services.filter((s) => s.errorRate > CASCADE_ERROR_RATE).length / sample.services.length;
}
