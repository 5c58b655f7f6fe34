/**
 * The public face of the engine: a session is a fold over (scenario, seed, timed commands); the fold
 * itself, with the whole time rule for commands given ahead of time, is log/fold.ts.
 * Nothing here reads a clock, the network or the disk; time moves only through `runUntil`.
 *
 * Time rule: `now` is the time of the next tick. A command is stamped with `now` and applied before
 * that tick runs, so the next tick is the first to see its effect.
 */
import type { Scenario, ScenarioSpec } from '../protocol/scenario.ts';
import { resolveScenario } from './variation.ts';
import type { Variation } from '../protocol/varied.ts';
import { checkpointHash } from './log/checkpoint.ts';
import { applyCommand } from './rules/commands.ts';
import { journeyMetrics } from './rules/journeys.ts';
import { ms, rate } from './physics/round.ts';
import { calibrate } from './physics/cascade.ts';
import { createState, type SessionState } from './state.ts';
import { buildFacilitatorView, buildSnapshot } from './read/snapshot.ts';
import type { DrillSnapshot, FacilitatorView, MetricsSample } from '../protocol/views.ts';
import { runTick } from './tick.ts';
import type { CommandInput, CommandResult } from '../protocol/commands.ts';
import type { EngineEvent } from '../protocol/events.ts';

export interface SessionOptions {
  /** Defaults to the scenario's seed. */
  seed?: number;
  /**
   * False makes every tick take its fixed 2 s physics steps, at rest too (quiet.ts). Only for
   * measuring the steps' cost (`npm run bench`): drills always rest.
   */
  restSteps?: boolean;
}

export class Session {
  private readonly state: SessionState;
  /** What the seed drew for the spec's varied fields (variation.ts); empty for a scenario that does not vary. */
  readonly variation: Variation;

  /**
   * Variation is drawn here, once: every way of starting a drill (server, CLI, explore, replay, the
   * untreated twin) goes through this constructor. A resolved scenario (a log's) resolves to itself.
   */
  constructor(spec: ScenarioSpec, options: SessionOptions = {}) {
    const seed = options.seed ?? spec.seed;
    const { scenario, variation } = resolveScenario(spec, seed);
    this.variation = variation;
    this.state = createState(scenario, seed);
    if (options.restSteps === false) this.state.sim.restSteps = false;
    measureBaseline(this.state);
  }

  /** The scenario as this session runs it: varied fields resolved for its seed. */
  get scenario(): Scenario {
    return this.state.scenario;
  }
  get seed(): number {
    return this.state.seed;
  }
  /** Simulated ms of the next tick. */
  get now(): number {
    return this.state.now;
  }
  get tickMs(): number {
    return this.state.tickMs;
  }
  get phase(): string {
    return this.state.drillState;
  }
  get incidentState(): string {
    return this.state.incidentState;
  }
  /** Every event so far, in order. Treat as read-only. */
  get events(): readonly EngineEvent[] {
    return this.state.log;
  }

  submit(cmd: CommandInput): CommandResult {
    return applyCommand(this.state, cmd);
  }

  /** Runs whole ticks until `now >= t` or the drill stops running; returns the events produced. */
  runUntil(t: number, onTick?: (sample: MetricsSample) => void): EngineEvent[] {
    const first = this.state.log.length;
    while (this.state.now < t && this.state.drillState === 'running') {
      runTick(this.state);
      onTick?.(this.sample());
    }
    return this.state.log.slice(first);
  }

  /** The public state of the drill, for a client that joins or resyncs. */
  snapshot(): DrillSnapshot {
    return buildSnapshot(this.state, this.sample());
  }

  /** What only the facilitator may see: active faults, upcoming injects, advice labels. */
  facilitatorView(): FacilitatorView {
    return { ...buildFacilitatorView(this.state), variation: this.variation };
  }

  checkpoint(): string {
    return checkpointHash(this.state);
  }

  /** Telemetry as of the last tick (stamped with that tick's time). */
  sample(): MetricsSample {
    const { topo, sim, scenario } = this.state;
    return {
      t: Math.max(0, this.state.now - this.state.tickMs),
      services: topo.ids.map((id, s) => ({
        id,
        state: this.state.serviceState[s] as string,
        rps: Math.round(sim.offered[s] as number),
        errorRate: rate(sim.errorRate[s] as number),
        p50Ms: ms(sim.p50[s] as number),
        p99Ms: ms(sim.p99[s] as number),
        saturation: rate(sim.saturation[s] as number),
        backlog: Math.round(sim.backlog[s] as number),
      })),
      journeys: scenario.journeys.map((j, i) => {
        const m = journeyMetrics(this.state, i);
        return { id: j.id, inSlo: this.state.journeys[i]?.inSlo ?? true, rps: Math.round(m.rps), errorRate: rate(m.errorRate), p99Ms: ms(m.p99Ms) };
      }),
      topics: topo.topicIds.map((id, t) => {
        const e = topo.topicEdge[t] as number;
        return {
          id,
          from: topo.ids[topo.topicProducer[t] as number] as string,
          to: topo.ids[topo.edgeTo[e] as number] as string,
          rps: Math.round(sim.topicRate[t] as number),
          consumed: Math.round(sim.topicConsumed[t] as number),
          lag: Math.round(sim.topicLag[t] as number),
          lagSeconds: ms(sim.topicLagSeconds[t] as number),
        };
      }),
    };
  }
}

export function createSession(spec: ScenarioSpec, options: SessionOptions = {}): Session {
  return new Session(spec, options);
}

/** Sizes the services and settles the no-fault, no-noise steady state: the yardstick for "degraded". */
function measureBaseline(state: SessionState): void {
  calibrate(state.topo, state.sim);
  state.baselineP99.set(state.sim.p99);
  state.baselineErr.set(state.sim.errorRate);
  state.baselineDegraded.set(state.sim.degraded);
  const { topo, sim } = state;
  for (let j = 0; j < topo.journeyEntry.length; j++) {
    const routed = topo.routes?.routed[j] === 1;
    const entry = topo.journeyEntry[j] as number;
    state.baselineJourneyErr[j] = routed ? (sim.journeyErrorRate[j] as number) : (sim.errorRate[entry] as number);
    state.baselineJourneyDegraded[j] = routed ? (sim.journeyDegraded[j] as number) : (sim.degraded[entry] as number);
    // Leavers a healthy journey loses anyway (to its healthy failures): what users.ts takes at that failure share.
    if (topo.users !== null) state.baselineJourneyGone[j] = (topo.journeyRps[j] as number) * (topo.users.abandon[j] as number) * (sim.journeyFailRecent[j] as number);
  }
}
