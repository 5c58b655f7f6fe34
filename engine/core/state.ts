/**
 * Everything a session knows, in one place, so every step is a function of (state, input).
 * Machines are xstate actors with explicit ids; their generated internals are never logged or hashed:
 * we mirror the state names we need into plain fields.
 */
import { createActor, type Actor } from 'xstate';
import type { ActionDef, Scenario } from '../protocol/scenario.ts';
import { actionId } from '../protocol/ids.ts';
import { Agenda } from './rules/agenda.ts';
import { createSloWindows, type SloWindows } from './rules/slo-window.ts';
import { createBurnWindows, type BurnWindows } from './rules/burn-rate.ts';
import { drillMachine } from './machines/drill.ts';
import { incidentMachine } from './machines/incident.ts';
import { serviceMachine } from './machines/service.ts';
import { createStream } from './physics/rng.ts';
import { createSimState, type SimState } from './physics/sim-state.ts';
import { timeOfDayMs } from './physics/traffic.ts';
import type { NoiseSource } from './physics/cascade.ts';
import { compileTopology, type Topology } from './physics/topology.ts';
import type { Role } from '../protocol/commands.ts';
import type { DrillPhase, EngineEvent, EventOf, EventType, HealthLevel, IncidentStateName, PayloadOf, ServiceStateName } from '../protocol/events.ts';

export interface ActiveFault {
  startedAt: number;
}

export interface RunningAction {
  def: ActionDef;
  actor: string;
  startedAt: number;
  approvedBy: string | null;
}

export interface PendingApproval {
  def: ActionDef;
  actor: string;
  /** The requester's participant id, when the command carried one (see CommandInput.participant). */
  participant?: string;
  requestedAt: number;
}

/** A proposed change (rules/changes.ts): waiting for review, denied, or deployed. */
export interface ChangeRuntime {
  status: 'pending' | 'denied' | 'deployed';
  actor: string;
  /** The proposer's participant id, when the command carried one. */
  participant?: string;
  proposedAt: number;
  /** The wiki page it cites. */
  page?: string;
  /** Whether it waits (or waited) for a second participant. */
  review: boolean;
}

export interface JourneyRuntime {
  inSlo: boolean;
  /** Impact accumulated in the current simulated minute. */
  minute: { requests: number; failed: number; degraded: number; lost: number; badMs: number };
}

export interface SessionState {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly tickMs: number;
  readonly topo: Topology;
  readonly sim: SimState;
  /** Each service's noise stream and the traffic shape: what the physics draws traffic from. */
  readonly noise: NoiseSource;
  /** Baseline p99 of each service with no faults and no noise: the yardstick for "degraded". */
  readonly baselineP99: Float64Array;
  /** Healthy error and degraded rates: impact counts only what an incident adds on top of them. */
  readonly baselineErr: Float64Array;
  readonly baselineDegraded: Float64Array;
  /** The same per journey (a routed journey has its own), and the requests leavers no longer send when healthy (users.ts). */
  readonly baselineJourneyErr: Float64Array;
  readonly baselineJourneyDegraded: Float64Array;
  readonly baselineJourneyGone: Float64Array;
  readonly actionsById: ReadonlyMap<string, ActionDef>;
  readonly faultIndex: ReadonlyMap<string, number>;
  readonly journeyIndex: ReadonlyMap<string, number>;

  now: number;
  seq: number;
  readonly log: EngineEvent[];

  readonly drill: Actor<typeof drillMachine>;
  drillState: DrillPhase;
  readonly incident: Actor<typeof incidentMachine>;
  incidentState: IncidentStateName;
  readonly services: Actor<typeof serviceMachine>[];
  readonly serviceState: ServiceStateName[];
  /** The health class last sent to each machine; 'unknown' forces the next one to be sent. */
  readonly serviceLevel: (HealthLevel | 'unknown')[];
  readonly healthySince: Float64Array;

  readonly agenda: Agenda;
  readonly activeFaults: Map<number, ActiveFault>;
  /** What the last tick's fault modifiers were computed from (rules/faults.ts applyFaults): a change marks the physics' inputs changed. */
  modifierSignature: string;
  readonly running: Map<string, RunningAction>;
  readonly pending: Map<string, PendingApproval>;
  /** Proposed changes by change id, in the order proposed. */
  readonly changes: Map<string, ChangeRuntime>;
  /** Which breakers were open after the last tick, to report openings and closings. */
  readonly breakerWasOpen: Uint8Array;
  /** Completed actions whose lasting effect (scale, drain, breaker, flag) is in force, and how many times. */
  readonly inForce: Map<string, number>;
  readonly roles: Partial<Record<Role, string>>;

  readonly journeys: JourneyRuntime[];
  /** Each journey's trailing SLO window (rules/slo-window.ts). */
  readonly slo: SloWindows;
  /** The windows of the burn-rate alerts (rules/burn-rate.ts). */
  readonly burn: BurnWindows;
  /** Time since when every journey has been within its SLO (NaN while any is out). */
  allInSloSince: number;
  impactStarted: boolean;
  readonly alertPendingSince: Float64Array;
  readonly alertFiring: Uint8Array;
  readonly totals: { failed: number; lost: number };
}

export function createState(scenario: Scenario, seed: number): SessionState {
  const topo = compileTopology(scenario);
  const services = topo.ids.map((id) =>
    createActor(serviceMachine, { id: `service:${id}`, input: { service: id } }).start(),
  );
  const state: SessionState = {
    scenario,
    seed,
    tickMs: scenario.tick,
    topo,
    sim: createSimState(topo),
    noise: {
      streams: topo.ids.map((id) => createStream(seed, `noise:${id}`)),
      shape: {
        startMs: timeOfDayMs(scenario.traffic.startAt),
        peakMs: timeOfDayMs(scenario.traffic.peakAt),
        amplitude: scenario.traffic.dailyAmplitude,
        correlationMs: scenario.traffic.correlation,
      },
    },
    baselineP99: new Float64Array(topo.n),
    baselineErr: new Float64Array(topo.n),
    baselineDegraded: new Float64Array(topo.n),
    baselineJourneyErr: new Float64Array(scenario.journeys.length),
    baselineJourneyDegraded: new Float64Array(scenario.journeys.length),
    baselineJourneyGone: new Float64Array(scenario.journeys.length),
    actionsById: new Map(scenario.actions.map((a) => [actionId(a), a])),
    faultIndex: new Map(scenario.faults.map((f, i) => [f.id, i])),
    journeyIndex: new Map(scenario.journeys.map((j, i) => [j.id, i])),
    now: 0,
    seq: 0,
    log: [],
    drill: createActor(drillMachine, { id: 'drill' }).start(),
    drillState: 'ready',
    incident: createActor(incidentMachine, { id: 'incident' }).start(),
    incidentState: 'idle',
    services,
    serviceState: topo.ids.map(() => 'healthy'),
    serviceLevel: topo.ids.map(() => 'healthy'),
    healthySince: new Float64Array(topo.n),
    agenda: new Agenda(),
    activeFaults: new Map(),
    modifierSignature: '',
    running: new Map(),
    pending: new Map(),
    changes: new Map(),
    inForce: new Map(),
    breakerWasOpen: new Uint8Array(topo.edgeCount),
    roles: {},
    journeys: scenario.journeys.map(() => ({
      inSlo: true,
      minute: { requests: 0, failed: 0, degraded: 0, lost: 0, badMs: 0 },
    })),
    slo: createSloWindows(scenario),
    burn: createBurnWindows(scenario),
    allInSloSince: 0,
    impactStarted: false,
    alertPendingSince: new Float64Array(scenario.alerts.length).fill(Number.NaN),
    alertFiring: new Uint8Array(scenario.alerts.length),
    totals: { failed: 0, lost: 0 },
  };
  scenario.faults.forEach((f, i) => {
    if (f.at !== undefined) state.agenda.schedule(f.at, { kind: 'fault-start', fault: i });
  });
  scenario.advice.forEach((a, i) => state.agenda.schedule(a.at, { kind: 'advice', advice: i }));
  if (scenario.task) state.agenda.schedule(scenario.task.deadline, { kind: 'task-deadline' });
  return state;
}

/**
 * Appends an event stamped with the current simulated time. Key order is fixed: seq, t, type, then
 * the payload in the order the caller built it (the log's bytes depend on it).
 */
export function emit<K extends EventType>(state: SessionState, type: K, payload: PayloadOf<K>): EventOf<K> {
  if ('seq' in payload || 't' in payload || 'type' in payload) throw new Error(`invariant: ${type} payload reuses a reserved key`);
  // The spread cannot be checked against the union member by the compiler; the signature is the check.
  const event = { seq: state.seq++, t: state.now, type, ...payload } as unknown as EventOf<K>;
  state.log.push(event);
  return event;
}
