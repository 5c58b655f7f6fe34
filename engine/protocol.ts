/**
 * The wire protocol between the server and its clients (documented in docs/protocol.md).
 * Types only: the UI imports this file and nothing else from the engine.
 */
import type { MetricsSample } from './core/session.ts';
import type { DrillSnapshot, FacilitatorView } from './core/snapshot.ts';
import type { EngineEvent } from './core/types.ts';
import type { PublicScenario } from './core/visibility.ts';
import type { Scenario } from './scenario/schema.ts';

export type { DrillSnapshot, EngineEvent, FacilitatorView, MetricsSample, PublicScenario, Scenario };

export const PROTOCOL_VERSION = 1;
/** Frames larger than this are refused by the server. */
export const MAX_FRAME_BYTES = 64 * 1024;
export const MIN_SPEED = 0.5;
export const MAX_SPEED = 60;

export type Role = 'facilitator' | 'responder' | 'observer';
export type CommandParams = Record<string, string | number | boolean>;

// ── client → server ──────────────────────────────────────────────────────────────────────────

/** The first message on a socket. Facilitators send `token`; responders and observers their `code`. */
export interface HelloMessage {
  type: 'hello';
  v: typeof PROTOCOL_VERSION;
  sessionId: string;
  token?: string;
  code?: string;
  name: string;
  /** The last `seq` this client saw; the server resumes right after it. */
  lastSeq?: number;
}

/** A responder's command: any engine command type (ack, declare, rollback, approve, …). */
export interface ActionMessage {
  type: 'action';
  clientActionId: string;
  action: string;
  target?: string;
  params?: CommandParams;
  /** Optional; if present it must be the session this socket joined. */
  sessionId?: string;
}

export type ControlCommand = 'start' | 'pause' | 'resume' | 'speed' | 'inject' | 'end';

/** The facilitator's controls. `speed` needs `speed` (0.5–60); `inject` needs `fault`. */
export interface ControlMessage {
  type: 'control';
  command: ControlCommand;
  clientActionId?: string;
  speed?: number;
  fault?: string;
}

export type ClientMessage = HelloMessage | ActionMessage | ControlMessage;

// ── server → client ──────────────────────────────────────────────────────────────────────────

export interface WelcomeMessage {
  type: 'welcome';
  v: typeof PROTOCOL_VERSION;
  sessionId: string;
  role: Role;
  name: string;
  /** The full scenario for the facilitator; the public projection for everyone else. */
  scenario: Scenario | PublicScenario;
  snapshot: DrillSnapshot;
  /** Facilitator only. */
  facilitator?: FacilitatorView;
  /** The newest seq in the session; backlog `events` messages follow up to it. */
  seq: number;
  speed: number;
  /** True when the server resumed from the client's lastSeq; false when it sent a fresh snapshot. */
  resumed: boolean;
}

/** One batch per simulation tick (or per accepted command). Each event carries its own seq and t. */
export interface EventsMessage {
  type: 'events';
  events: EngineEvent[];
  /** Simulated ms of the next tick. */
  now: number;
  /** Telemetry for the tick just computed (live only; backlog batches have none). */
  sample?: MetricsSample;
  /** Facilitator only: the hidden state after this batch. */
  facilitator?: FacilitatorView;
}

export interface AckMessage {
  type: 'ack';
  clientActionId: string;
  /** The seq of the logged command. */
  seq: number;
}

export interface ErrorMessage {
  type: 'error';
  clientActionId?: string;
  code: string;
  message: string;
  path?: string;
  seq?: number;
}

/** Clock changes that are not simulation events: speed changes, pauses seen from the wall clock. */
export interface ClockMessage {
  type: 'clock';
  phase: string;
  now: number;
  speed: number;
}

export type ServerMessage = WelcomeMessage | EventsMessage | AckMessage | ErrorMessage | ClockMessage;

// ── HTTP ────────────────────────────────────────────────────────────────────────────────────

export interface CreateSessionRequest {
  scenarioId: string;
  seed?: number;
  speed?: number;
  /** The team playing, for the leaderboard (1–64 characters). */
  team?: string;
}

export interface CreateCampaignRequest {
  team: string;
  name?: string;
  /** The drills of the "week", in order. */
  scenarioIds: string[];
  seed?: number;
  speed?: number;
}

export interface CreateSessionResponse {
  sessionId: string;
  facilitatorToken: string;
  responderCode: string;
  observerCode: string;
}

export interface SessionSummary {
  sessionId: string;
  team: string | null;
  scenarioId: string;
  title: string;
  seed: number;
  speed: number;
  phase: string;
  now: number;
  incidentState: string;
  severity: number | null;
  createdAt: string;
  clients: number;
}

export interface ScenarioListing {
  id: string;
  title: string;
  briefing: string;
  services: { id: string; name: string; tier: string }[];
  defaultSeed: number;
  duration: number;
}

/**
 * `GET /api/sessions/:id/replay` (the same access as the log): what the replay screen needs to show
 * the drill at any moment. The samples are re-derived by re-running the engine from the log, never stored.
 */
export interface ReplayBundle {
  sessionId: string;
  /** The role of the credential that asked. */
  role: Role;
  /** The full scenario for the facilitator; the public projection for everyone else. */
  scenario: Scenario | PublicScenario;
  seed: number;
  tickMs: number;
  /** The drill's phase now, and the simulated ms of its next tick (how far it got). */
  phase: string;
  now: number;
  /** The state at t=0, before the first command: build the starting model from it as from a welcome. */
  snapshot: DrillSnapshot;
  /** Facilitator only: the hidden state at t=0. */
  facilitator?: FacilitatorView;
  /** The log's events in order: all of them for the facilitator, the visible ones for everyone else. */
  events: EngineEvent[];
  /** Telemetry, one sample per tick run, in order. */
  samples: MetricsSample[];
}
