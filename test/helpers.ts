/** Shared test helpers: load the shipped scenarios and plans, build small scenarios, serialise runs. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHeader, serializeLog } from '../engine/core/log/log.ts';
import { createSession, type Session } from '../engine/core/session.ts';
import type { MetricsSample } from '../engine/protocol/views.ts';
import type { PlanCommand, TimedCommand } from '../engine/protocol/commands.ts';
import { loadScenarioText } from '../engine/scenario/load.ts';
import { siblingsOf } from '../engine/cli/io.ts';
import { loadPlanText } from '../engine/scenario/plan.ts';
import { scenarioSchema, type Scenario, type ScenarioInput, type ScenarioSpec } from '../engine/protocol/scenario.ts';
import { resolveScenario } from '../engine/core/variation.ts';
import { timedPlan } from '../engine/core/log/run.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A scenario from its input form, resolved at its own seed: a fixture that varies nothing only narrows its type. */
export function parseScenario(input: unknown): Scenario {
  const spec = scenarioSchema.parse(input);
  return resolveScenario(spec, spec.seed).scenario;
}

/** A shipped scenario as its file says it (with the base it extends, if any): varied fields are still ranges (a session draws them). */
export function loadSpec(id: string): ScenarioSpec {
  const file = `${ROOT}scenarios/${id}.yaml`;
  const result = loadScenarioText(readFileSync(file, 'utf8'), file, siblingsOf(file));
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result.scenario;
}

/** A shipped scenario as a session with `seed` (default: the scenario's own) runs it. */
export function loadScenario(id: string, seed?: number): Scenario {
  const spec = loadSpec(id);
  return resolveScenario(spec, seed ?? spec.seed).scenario;
}

/** A shipped reference plan as written: some commands wait for events (`after`). */
export function loadPlanCommands(id: string): PlanCommand[] {
  const file = `${ROOT}scenarios/plans/${id}.plan.yaml`;
  const result = loadPlanText(readFileSync(file, 'utf8'), file);
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result.plan.commands;
}

/** A shipped reference plan at the times it is sent on `seed` (default: the scenario's own), for tests that step a session by hand. */
export function loadPlan(id: string, seed?: number): TimedCommand[] {
  const spec = loadSpec(id);
  return timedPlan(spec, loadPlanCommands(id), { seed: seed ?? spec.seed });
}

export function logText(session: Session): string {
  return serializeLog(createHeader(session.scenario, session.seed, 'test', session.variation), session.events);
}

/**
 * A small scenario for unit tests: web → api (hard, retries) → db, web → recs (soft).
 * `overrides` replace top-level fields; services can be patched by id.
 */
export function tinyScenario(overrides: Partial<ScenarioInput> = {}): Scenario {
  return parseScenario(tinyInput(overrides));
}

/** tinyScenario as a file would say it: for tests that load it as text. */
export function tinyInput(overrides: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    id: 'tiny',
    title: 'Tiny',
    briefing: 'A small system for tests.',
    seed: 1,
    tick: '10s',
    duration: '1h',
    services: [
      {
        id: 'web',
        tier: 'critical',
        baseline: { latencyMs: 20, errorRate: 0.001 },
        capacity: 1000,
        dependencies: [
          { service: 'api', kind: 'hard', timeout: '500ms', retries: 2 },
          { service: 'recs', kind: 'soft', timeout: '100ms' },
        ],
      },
      {
        id: 'api',
        tier: 'critical',
        baseline: { latencyMs: 10, errorRate: 0.001 },
        capacity: 2000,
        dependencies: [{ service: 'db', kind: 'hard', timeout: '200ms' }],
      },
      { id: 'db', tier: 'critical', baseline: { latencyMs: 5, errorRate: 0.0001 }, capacity: 5000 },
      { id: 'recs', tier: 'standard', baseline: { latencyMs: 20, errorRate: 0.001 }, capacity: 5000 },
    ],
    journeys: [
      { id: 'shop', name: 'Shop', entry: 'web', rps: 200, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 1000 } },
    ],
    faults: [
      { id: 'api-bad-deploy', kind: 'code-deploy', target: 'api', at: '5m', effect: { errorRate: 0.9 }, rootCause: true },
    ],
    alerts: [
      { id: 'shop-errors', journey: 'shop', metric: 'errorRate', threshold: 0.05, for: '1m', severity: 'page' },
    ],
    actions: [
      { type: 'rollback', target: 'api', duration: '2m', approval: true, resolves: ['api-bad-deploy'] },
      { type: 'restart', target: 'web', duration: '1m' },
      { type: 'breaker', target: 'web', dependency: 'api', duration: '0s' },
    ],
    objectives: { ack: '5m', declare: '10m', mitigate: '30m', resolve: '45m' },
    ...overrides,
  };
}

type Dependency = NonNullable<ScenarioInput['services'][number]['dependencies']>[number];
type Action = NonNullable<ScenarioInput['actions']>[number];

export interface StormOptions {
  /** How long api's capacity dip lasts, in seconds. */
  forSec: number;
  tick?: string;
  /** Client settings on web → api (retryBudget, retryThrottle, adaptiveThrottle). */
  client?: Partial<Dependency>;
  /** api's own failure rate on a good day (default 0.001): makes retries visible while all is well. */
  apiErrorRate?: number;
  /** A second dip of the same size and length, at this time. */
  secondDipAt?: string;
  /** Actions beside the restart of api. */
  actions?: Action[];
}

/**
 * The metastable storm (test/core/physics.test.ts and physics-throttle.test.ts): web (many workers)
 * calls api (capacity 1000 rps) at 600 rps with a 5 s timeout and two retries. A capacity dip to 58%
 * (580 rps, below the 600 offered) at 10 minutes builds a backlog; once waits outlive the timeout,
 * every call is tried three times (1,800 rps), which api cannot serve even at full capacity.
 */
export function stormScenario(o: StormOptions): Scenario {
  const dip = (id: string, at: string) => ({ id, kind: 'capacity-loss' as const, target: 'api', at, for: `${o.forSec}s`, effect: { capacityFactor: 0.58 }, rootCause: id === 'dip' });
  return parseScenario({
    id: 'storm',
    title: 'Metastable storm',
    briefing: 'A capacity dip and retries.',
    seed: 3,
    tick: o.tick ?? '10s',
    duration: '2h',
    services: [
      {
        id: 'web',
        tier: 'critical',
        baseline: { latencyMs: 5 },
        concurrency: 100_000,
        dependencies: [{ service: 'api', kind: 'hard', timeout: '5s', retries: 2, ...o.client }],
      },
      { id: 'api', tier: 'critical', baseline: { latencyMs: 50, p99Ms: 150, errorRate: o.apiErrorRate ?? 0.001 }, capacity: 1000 },
    ],
    journeys: [{ id: 'shop', name: 'Shop', entry: 'web', rps: 600, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 5000 } }],
    faults: [dip('dip', '10m'), ...(o.secondDipAt !== undefined ? [dip('second-dip', o.secondDipAt)] : [])],
    actions: [{ type: 'restart', target: 'api' }, ...(o.actions ?? [])],
    objectives: { ack: '5m', declare: '10m', mitigate: '30m', resolve: '45m' },
  } satisfies ScenarioInput);
}

/** Builds timed commands tersely: cmd('5m', 'alice', 'ack'). */
export function at(minutes: number, actor: string, type: string, target?: string, params?: TimedCommand['params']): TimedCommand {
  return { at: minutes * 60_000, actor, type, ...(target ? { target } : {}), ...(params ? { params } : {}) };
}

/**
 * The shipped retail scenario grown to `size` characters by a chain of thousands of extra services,
 * each depending on the one before: a valid scenario, and as costly to parse, check and lint per byte
 * as real ones (the validation worker's tests).
 */
export function bigScenario(size: number): string {
  const [head, tail] = readFileSync(`${ROOT}scenarios/retail-sev1.yaml`, 'utf8').split('\njourneys:\n') as [string, string];
  const services: string[] = [];
  let length = head.length + tail.length;
  for (let i = 0; length < size; i++) {
    const service = [
      `  - id: shard-${i}`,
      `    name: Shard ${i}`,
      '    tier: standard',
      '    baseline: { latencyMs: 5, p99Ms: 20, errorRate: 0.0001 }',
      '    capacity: 1000',
      '    dependencies:',
      `      - { service: ${i === 0 ? 'catalog' : `shard-${i - 1}`}, kind: soft, timeout: 200ms }`,
      '',
    ].join('\n');
    services.push(service);
    length += service.length;
  }
  return `${head}\n${services.join('')}\njourneys:\n${tail}`;
}

/** Every tick's sample of a run from its start to `until`, with timed commands applied at their tick. */
export function tickSamples(scenario: Scenario, until: number, commands: readonly TimedCommand[] = []): MetricsSample[] {
  const session = createSession(scenario);
  session.submit({ actor: 'facilitator', type: 'start' });
  const out: MetricsSample[] = [];
  let i = 0;
  while (session.now < until && session.phase === 'running') {
    while (i < commands.length && (commands[i]?.at ?? Infinity) <= session.now) {
      const { at: _at, ...cmd } = commands[i++] as TimedCommand;
      session.submit(cmd);
    }
    session.runUntil(session.now + session.tickMs, (s) => out.push(s));
  }
  return out;
}
