/**
 * Compiles a scenario's service graph into flat typed arrays, so the per-tick arithmetic is a few
 * tight loops with no map lookups. Edges are stored grouped by caller (CSR layout).
 */
import type { Scenario } from '../../protocol/scenario.ts';
import { momentsFromPercentiles } from './latency.ts';
import { defaultTopic } from '../../protocol/ids.ts';
import { compileRoutes, type RouteTables } from './routes.ts';
import { compileUsers, type UserTables } from './users.ts';

export interface Topology {
  readonly n: number;
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** Service indexes with every caller before its callees. */
  readonly order: Int32Array;
  readonly critical: Uint8Array;
  readonly baseRps: Float64Array;
  readonly extRps: Float64Array;
  readonly baseP50: Float64Array;
  readonly baseP99: Float64Array;
  readonly baseErr: Float64Array;
  /** Mean and variance (ms, ms²) of the service's own work, from its p50 and p99. */
  readonly ownMean: Float64Array;
  readonly ownVar: Float64Array;
  /** Capacity in rps at healthy latency, or NaN when the scenario gives workers instead. */
  readonly capacity: Float64Array;
  /** Workers given by the scenario, or NaN: then they are sized from capacity (see calibrate). */
  readonly concurrency: Float64Array;
  /** Requests that may wait, or NaN for the default (10 s of work at capacity). */
  readonly queueLimit: Float64Array;
  readonly noiseRps: Float64Array;
  readonly noiseLat: Float64Array;
  readonly noiseErr: Float64Array;
  /** Edges of service s are edgeStart[s] .. edgeStart[s + 1] - 1. */
  readonly edgeStart: Int32Array;
  readonly edgeTo: Int32Array;
  /** Callers of service s, one per edge into it: callerOf[callerStart[s] .. callerStart[s + 1] - 1]. */
  readonly callerStart: Int32Array;
  readonly callerOf: Int32Array;
  readonly edgeHard: Uint8Array;
  readonly edgeCalls: Float64Array;
  readonly edgeTimeout: Float64Array;
  readonly edgeRetries: Int32Array;
  readonly edgeFallbackMs: Float64Array;
  /** Automatic breaker threshold, or -1 when the edge has none. */
  readonly edgeBreaker: Float64Array;
  readonly edgeBackoffMs: Float64Array;
  /** Retry budget (share of first attempts), or -1 when the edge has none. */
  readonly edgeBudget: Float64Array;
  /** The topic of an asynchronous edge (an index into topicIds), or -1 for a synchronous call. */
  readonly edgeTopic: Int32Array;
  /** Topics: one per asynchronous edge, in scenario order, with the edge each one is. */
  readonly topicIds: readonly string[];
  readonly topicIndex: ReadonlyMap<string, number>;
  readonly topicEdge: Int32Array;
  /** The service that publishes to each topic. */
  readonly topicProducer: Int32Array;
  /** Topics consumed by service s are consumeTopic[consumeStart[s] .. consumeStart[s + 1] - 1]. */
  readonly consumeStart: Int32Array;
  readonly consumeTopic: Int32Array;
  /**
   * Edges with a cache in front of their callee (cache.ts), and per such edge its caller, warm hit
   * ratio and warm-up time constant. Empty when the scenario has no cache: then nothing costs anything.
   */
  readonly cacheEdges: Int32Array;
  readonly cacheCaller: Int32Array;
  readonly cacheHitRatio: Float64Array;
  readonly cacheWarmupMs: Float64Array;
  /** Retry throttling (gRPC token bucket): maxTokens and tokenRatio, 0 when the edge has none. */
  readonly edgeThrottleTokens: Float64Array;
  readonly edgeThrottleRatio: Float64Array;
  /** Adaptive throttling: K (0 when the edge has none) and the window in ms. */
  readonly edgeAdaptiveK: Float64Array;
  readonly edgeAdaptiveWindowMs: Float64Array;
  /** Whether any dependency or action names a throttle: only then does the state carry throttle arrays. */
  readonly throttled: boolean;
  /** Journey j enters at service journeyEntry[j], with journeyTimeoutMs[j] of user patience. */
  readonly journeyEntry: Int32Array;
  readonly journeyTimeoutMs: Float64Array;
  /** The p99 latency each journey's SLO allows: the physics reports the share of requests slower than it. */
  readonly journeySloP99Ms: Float64Array;
  /** The topic whose lag counts against journey j's SLO, or -1. */
  readonly journeyTopic: Int32Array;
  /** Each journey's customer requests per second at the drill's start. */
  readonly journeyRps: Float64Array;
  /** Journeys' routes (routes.ts) and users' reactions to failures (users.ts); null when no journey has any. */
  readonly routes: RouteTables | null;
  readonly users: UserTables | null;
  readonly edgeCount: number;
}

/** The index of a service the scenario names; the loader has checked every reference, so a miss is a bug. */
export function serviceIndex(topo: Topology, id: string): number {
  const s = topo.index.get(id);
  if (s === undefined) throw new Error(`invariant: no service "${id}" in a validated scenario`);
  return s;
}

/** The index of the edge from → to, or -1. */
export function findEdge(topo: Topology, from: number, to: number): number {
  for (let e = topo.edgeStart[from] as number; e < (topo.edgeStart[from + 1] as number); e++) {
    if (topo.edgeTo[e] === to) return e;
  }
  return -1;
}

export function compileTopology(scenario: Scenario): Topology {
  const services = scenario.services;
  const n = services.length;
  const ids = services.map((s) => s.id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const at = (id: string): number => {
    const i = index.get(id);
    if (i === undefined) throw new Error(`invariant: unknown service "${id}" in a validated scenario`);
    return i;
  };

  const edgeCount = services.reduce((sum, s) => sum + s.dependencies.length, 0);
  const cacheCount = services.reduce((sum, s) => sum + s.dependencies.filter((d) => d.cache !== undefined).length, 0);
  const topo = {
    n,
    ids,
    index,
    order: new Int32Array(n),
    critical: new Uint8Array(n),
    baseRps: new Float64Array(n),
    extRps: new Float64Array(n),
    baseP50: new Float64Array(n),
    baseP99: new Float64Array(n),
    baseErr: new Float64Array(n),
    ownMean: new Float64Array(n),
    ownVar: new Float64Array(n),
    capacity: new Float64Array(n),
    concurrency: new Float64Array(n),
    queueLimit: new Float64Array(n),
    noiseRps: new Float64Array(n),
    noiseLat: new Float64Array(n),
    noiseErr: new Float64Array(n),
    edgeStart: new Int32Array(n + 1),
    edgeTo: new Int32Array(edgeCount),
    callerStart: new Int32Array(n + 1),
    callerOf: new Int32Array(edgeCount),
    edgeHard: new Uint8Array(edgeCount),
    edgeCalls: new Float64Array(edgeCount),
    edgeTimeout: new Float64Array(edgeCount),
    edgeRetries: new Int32Array(edgeCount),
    edgeFallbackMs: new Float64Array(edgeCount),
    edgeBreaker: new Float64Array(edgeCount),
    edgeBackoffMs: new Float64Array(edgeCount),
    edgeBudget: new Float64Array(edgeCount),
    edgeTopic: new Int32Array(edgeCount).fill(-1),
    topicIds: [] as string[],
    topicIndex: new Map<string, number>(),
    topicEdge: new Int32Array(0),
    topicProducer: new Int32Array(0),
    consumeStart: new Int32Array(n + 1),
    consumeTopic: new Int32Array(0),
    cacheEdges: new Int32Array(cacheCount),
    cacheCaller: new Int32Array(cacheCount),
    cacheHitRatio: new Float64Array(cacheCount),
    cacheWarmupMs: new Float64Array(cacheCount),
    edgeThrottleTokens: new Float64Array(edgeCount),
    edgeThrottleRatio: new Float64Array(edgeCount),
    edgeAdaptiveK: new Float64Array(edgeCount),
    edgeAdaptiveWindowMs: new Float64Array(edgeCount),
    throttled: scenario.actions.some((a) => a.retryThrottle !== undefined || a.adaptiveThrottle !== undefined),
    journeyEntry: Int32Array.from(scenario.journeys, (j) => at(j.entry)),
    journeyTimeoutMs: Float64Array.from(scenario.journeys, (j) => j.timeout),
    journeySloP99Ms: Float64Array.from(scenario.journeys, (j) => j.slo.p99Ms),
    journeyTopic: new Int32Array(0),
    // traffic.level scales every source of traffic alike: a quiet or a busy day.
    journeyRps: Float64Array.from(scenario.journeys, (j) => j.rps * scenario.traffic.level),
    routes: null as RouteTables | null,
    users: compileUsers(scenario),
    edgeCount,
  };

  let e = 0;
  let c = 0;
  services.forEach((s, i) => {
    topo.critical[i] = s.tier === 'critical' ? 1 : 0;
    topo.baseRps[i] = s.baseline.rps * scenario.traffic.level;
    topo.baseP50[i] = s.baseline.latencyMs;
    topo.baseP99[i] = s.baseline.p99Ms ?? s.baseline.latencyMs * 3;
    topo.baseErr[i] = s.baseline.errorRate;
    const own = momentsFromPercentiles(topo.baseP50[i] as number, topo.baseP99[i] as number);
    topo.ownMean[i] = own.mean;
    topo.ownVar[i] = own.variance;
    topo.capacity[i] = s.capacity ?? Number.NaN;
    topo.concurrency[i] = s.concurrency ?? Number.NaN;
    topo.queueLimit[i] = s.queueLimit ?? Number.NaN;
    topo.noiseRps[i] = s.noise.rps;
    topo.noiseLat[i] = s.noise.latency;
    topo.noiseErr[i] = s.noise.errorRate;
    topo.edgeStart[i] = e;
    for (const d of s.dependencies) {
      topo.edgeTo[e] = at(d.service);
      topo.edgeHard[e] = d.kind === 'hard' ? 1 : 0;
      topo.edgeCalls[e] = d.calls;
      topo.edgeTimeout[e] = d.timeout;
      topo.edgeRetries[e] = d.retries;
      topo.edgeFallbackMs[e] = d.fallbackLatencyMs;
      topo.edgeBreaker[e] = d.breaker ?? -1;
      topo.edgeBackoffMs[e] = d.backoff;
      topo.edgeBudget[e] = d.retryBudget ?? -1;
      if (d.kind === 'async') {
        topo.edgeTopic[e] = topo.topicIds.length;
        topo.topicIndex.set(d.topic ?? defaultTopic(s.id, d.service), topo.topicIds.length);
        topo.topicIds.push(d.topic ?? defaultTopic(s.id, d.service));
      }
      if (d.cache) {
        topo.cacheEdges[c] = e;
        topo.cacheCaller[c] = i;
        topo.cacheHitRatio[c] = d.cache.hitRatio;
        topo.cacheWarmupMs[c] = d.cache.warmup;
        c++;
      }
      topo.edgeThrottleTokens[e] = d.retryThrottle?.maxTokens ?? 0;
      topo.edgeThrottleRatio[e] = d.retryThrottle?.tokenRatio ?? 0;
      topo.edgeAdaptiveK[e] = d.adaptiveThrottle?.k ?? 0;
      topo.edgeAdaptiveWindowMs[e] = d.adaptiveThrottle?.window ?? 0;
      if (d.retryThrottle !== undefined || d.adaptiveThrottle !== undefined) topo.throttled = true;
      e++;
    }
  });
  topo.edgeStart[n] = e;
  compileCallers(topo);
  compileTopics(topo);
  topo.journeyTopic = Int32Array.from(scenario.journeys, (j) => (j.topic === undefined ? -1 : (topo.topicIndex.get(j.topic) ?? -1)));
  scenario.journeys.forEach((j, k) => (topo.extRps[at(j.entry)] = (topo.extRps[at(j.entry)] as number) + (topo.journeyRps[k] as number)));

  topo.routes = compileRoutes(scenario, topo.journeyEntry, topo.edgeStart, topo.edgeTo, index);
  topo.order.set(topologicalOrder(topo));
  return topo;
}

/** The edges turned round (CSR): who calls each service, so a service can tell its callers it changed. */
function compileCallers(topo: { -readonly [K in keyof Topology]: Topology[K] }): void {
  const count = new Int32Array(topo.n + 1);
  for (let e = 0; e < topo.edgeCount; e++) {
    const d = (topo.edgeTo[e] as number) + 1;
    count[d] = (count[d] as number) + 1;
  }
  for (let s = 0; s < topo.n; s++) count[s + 1] = (count[s + 1] as number) + (count[s] as number);
  topo.callerStart = count.slice();
  topo.callerOf = new Int32Array(topo.edgeCount);
  for (let s = 0; s < topo.n; s++) {
    for (let e = topo.edgeStart[s] as number; e < (topo.edgeStart[s + 1] as number); e++) {
      const d = topo.edgeTo[e] as number;
      topo.callerOf[count[d] as number] = s;
      count[d] = (count[d] as number) + 1;
    }
  }
}

/** Each topic's edge, and the topics each service consumes (CSR, like the edges). */
function compileTopics(topo: { -readonly [K in keyof Topology]: Topology[K] }): void {
  const edges: number[] = [];
  for (let e = 0; e < topo.edgeCount; e++) if ((topo.edgeTopic[e] as number) >= 0) edges.push(e);
  topo.topicEdge = Int32Array.from(edges);
  topo.topicProducer = Int32Array.from(edges, (e) => {
    let s = 0;
    while ((topo.edgeStart[s + 1] as number) <= e) s++;
    return s;
  });
  const byConsumer: number[][] = Array.from({ length: topo.n }, () => []);
  edges.forEach((e, t) => byConsumer[topo.edgeTo[e] as number]?.push(t));
  topo.consumeTopic = Int32Array.from(byConsumer.flat());
  let at = 0;
  byConsumer.forEach((list, s) => {
    topo.consumeStart[s] = at;
    at += list.length;
  });
  topo.consumeStart[topo.n] = at;
}

/** Kahn's algorithm; ties are broken by scenario order so the result is stable. */
function topologicalOrder(topo: Omit<Topology, 'order'>): number[] {
  const inDegree = new Int32Array(topo.n);
  for (let e = 0; e < topo.edgeCount; e++) {
    const d = topo.edgeTo[e] as number;
    inDegree[d] = (inDegree[d] as number) + 1;
  }
  const ready: number[] = [];
  for (let s = 0; s < topo.n; s++) if (inDegree[s] === 0) ready.push(s);
  const order: number[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const s = ready.shift();
    if (s === undefined) break;
    order.push(s);
    for (let e = topo.edgeStart[s] as number; e < (topo.edgeStart[s + 1] as number); e++) {
      const d = topo.edgeTo[e] as number;
      inDegree[d] = (inDegree[d] as number) - 1;
      if (inDegree[d] === 0) ready.push(d);
    }
  }
  if (order.length !== topo.n) throw new Error('invariant: dependency cycle in a validated scenario');
  return order;
}
