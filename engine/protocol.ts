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
/** How responders get in: the shared responder code, or only a named invite link each. */
export type JoinMode = 'code' | 'invite';
export type CommandParams = Record<string, string | number | boolean>;

// ── client → server ──────────────────────────────────────────────────────────────────────────

/**
 * The first message on a socket, with exactly one credential: the facilitator's `token`; a returning
 * participant's `participantToken` (from an earlier welcome); a named `invite`; or the responder or
 * observer `code` together with the `name` to join under.
 */
export interface HelloMessage {
  type: 'hello';
  v: typeof PROTOCOL_VERSION;
  sessionId: string;
  token?: string;
  participantToken?: string;
  invite?: string;
  code?: string;
  /** Needed with `code`; ignored otherwise (a participant keeps the name they joined with). */
  name?: string;
  /** A random id the browser keeps across drills: lets the facilitator see when two people share one browser. */
  device?: string;
  /** The last `seq` this client saw, in its audience's numbering; the server resumes right after it. */
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

/** Who you are in this drill. Keep `token` (per drill): a later hello with it is the same person again. */
export interface ParticipantIdentity {
  id: string;
  name: string;
  /** Absent for the facilitator, whose token is the facilitator token. */
  token?: string;
}

/** One person in the facilitator's roster. */
export interface RosterEntry {
  id: string;
  name: string;
  role: Role;
  /** Sockets open now, and how many different browsers they come from. */
  sockets: number;
  browsers: number;
  joinedAt: string;
  /** Joined through a named invite. */
  invited: boolean;
  removed: boolean;
}

export interface WelcomeMessage {
  type: 'welcome';
  v: typeof PROTOCOL_VERSION;
  sessionId: string;
  role: Role;
  name: string;
  participant: ParticipantIdentity;
  joinMode: JoinMode;
  /** Facilitator only: the join codes (derived from the facilitator token; the server keeps only hashes). */
  share?: { responderCode: string | null; observerCode: string };
  /** Facilitator only: everyone in the drill. */
  roster?: RosterEntry[];
  /** The full scenario for the facilitator; the public projection for everyone else. */
  scenario: Scenario | PublicScenario;
  snapshot: DrillSnapshot;
  /** Facilitator only. */
  facilitator?: FacilitatorView;
  /**
   * The newest seq of this client's audience. Each audience (the facilitator; everyone else) numbers
   * the events it can see 0, 1, 2, … with no gaps, so a sequence number reveals nothing hidden.
   * Backlog `events` messages follow up to it.
   */
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

/** Facilitator only: the roster changed (someone joined, left, opened another tab, or was removed). */
export interface RosterMessage {
  type: 'roster';
  participants: RosterEntry[];
}

export type ServerMessage = WelcomeMessage | EventsMessage | AckMessage | ErrorMessage | ClockMessage | RosterMessage;

// ── HTTP ────────────────────────────────────────────────────────────────────────────────────

export interface CreateSessionRequest {
  scenarioId: string;
  seed?: number;
  speed?: number;
  /** The team playing, for the leaderboard (1–64 characters). */
  team?: string;
  /** Default `code`. With `invite`, the responder code is refused: each responder needs a named invite link. */
  join?: JoinMode;
  /** The facilitator's display name (reserved: nobody else may join under it). Default "Facilitator". */
  facilitatorName?: string;
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
  /** Null in invite mode, where responders join only through named invites. */
  responderCode: string | null;
  observerCode: string;
  join: JoinMode;
  facilitatorName: string;
  /** The facilitator's way back in: an app path whose token sits in the URL fragment, which browsers never send. */
  facilitatorPath: string;
}

/** `POST /api/sessions/:id/invites` and each entry of `GET …/invites`. */
export interface InviteResponse {
  inviteId: string;
  name: string;
  /** The participant the link brings in, once someone has used it (or from the start, for a returning person). */
  participantId: string | null;
  invite: string;
  /** The link as an app path; the invite sits in the URL fragment. */
  path: string;
}

export type DrillStatus = 'live' | 'ended' | 'failed' | 'expired';

/** What anyone may see of a drill (the lobby's list, `GET /api/sessions/:id`). */
export interface SessionListing {
  sessionId: string;
  scenarioId: string;
  title: string;
  team: string | null;
  seed: number;
  status: DrillStatus;
  /** ready, running, paused or ended. */
  phase: string;
  createdAt: string;
  endedAt: string | null;
  score: number | null;
}

/** The facilitator's view of their drill (`GET /api/sessions/:id` with the facilitator token). */
export interface SessionSummary extends SessionListing {
  speed: number;
  now: number;
  incidentState: string;
  severity: number | null;
  clients: number;
  joinMode: JoinMode;
}

/** `GET /api/sessions?limit=&before=`: newest first; pass `next` as `before` for the next page. */
export interface SessionPage {
  sessions: SessionListing[];
  next: string | null;
}

/** `GET /api/config`: what the lobby needs to know about this server. */
export interface ServerInfo {
  /** Creating drills and campaigns needs the admin token (SEVDRILL_ADMIN_TOKEN) as a Bearer token. */
  createNeedsAdminToken: boolean;
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
