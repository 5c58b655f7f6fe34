/**
 * The wire protocol between the server and its clients (documented in docs/protocol.md): its
 * constants, and the TypeScript type of every WebSocket message and HTTP body.
 *
 * The types are derived (`z.infer`) from the zod schemas in messages-schema.ts (WebSocket) and
 * http.ts (HTTP), which the server validates with and docs/openapi.json and
 * docs/ws-messages.schema.json are generated from. This file imports them as types only, so the UI,
 * which imports this file, never bundles zod.
 */
import type { Resolved } from './varied.ts';
import type { z } from 'zod';
import type * as http from './http.ts';
import type * as ws from './messages-schema.ts';

export const PROTOCOL_VERSION = 1;

/**
 * How many ticks of telemetry the console's charts keep, and so how much history a client is sent
 * when it joins or reloads (the `history` message): at a 10 s tick, the last 200 minutes.
 */
export const CHART_HISTORY_SAMPLES = 1200;
/** Frames larger than this are refused by the server. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** The speed range, for creating a drill and for the facilitator's `speed` control. */
export const MIN_SPEED = 0.5;
export const MAX_SPEED = 60;
/**
 * Creating a drill by difficulty: how hard a seed of a scenario is, relative to the other seeds the
 * server explored, as `sevdrill explore` rates each seed (the percentiles of its untreated loss and of
 * the reference plan's time to mitigate; engine/cli/difficulty.ts).
 */
export const DIFFICULTIES = ['easy', 'typical', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];
/**
 * The team's own tools a drill can send to (docs/integrations.md). The server configures where each
 * one points; a drill sends to those it asks for when it is created, and to none by default.
 */
export const INTEGRATIONS = ['alertmanager', 'pagerduty', 'slack', 'webhook'] as const;
export type IntegrationName = (typeof INTEGRATIONS)[number];

export type Role = z.infer<typeof ws.roleSchema>;
/** How responders get in: the shared responder code, or only a named invite link each. */
export type JoinMode = z.infer<typeof ws.joinModeSchema>;

// ── client → server ──────────────────────────────────────────────────────────────────────────
// What a client may send (z.input): `action` is any string here; the server checks it is a command type.

export type HelloMessage = z.input<typeof ws.helloMessageSchema>;
export type ActionMessage = z.input<typeof ws.actionMessageSchema>;
export type ControlMessage = z.input<typeof ws.controlMessageSchema>;
export type ClientMessage = z.input<typeof ws.clientMessageSchema>;

// ── server → client ──────────────────────────────────────────────────────────────────────────

export type RosterEntry = z.infer<typeof ws.rosterEntrySchema>;
/** The scenario it carries is the one the drill runs: resolved for its seed (a facilitator's has no ranges either). */
export type WelcomeMessage = Resolved<z.infer<typeof ws.welcomeMessageSchema>>;
export type EventsMessage = z.infer<typeof ws.eventsMessageSchema>;
export type ErrorMessage = z.infer<typeof ws.errorMessageSchema>;
export type ClockMessage = z.infer<typeof ws.clockMessageSchema>;
export type RosterMessage = z.infer<typeof ws.rosterMessageSchema>;
export type IntegrationsMessage = z.infer<typeof ws.integrationsMessageSchema>;
export type IntegrationStatus = IntegrationsMessage['integrations'][number];
export type InboundEndpoints = z.infer<typeof ws.inboundEndpointsSchema>;
export type ServerMessage = Resolved<z.infer<typeof ws.serverMessageSchema>>;

// ── HTTP ────────────────────────────────────────────────────────────────────────────────────

export type CreateSessionResponse = z.infer<typeof http.createSessionResponseSchema>;
export type CreateCampaignResponse = z.infer<typeof http.createCampaignResponseSchema>;
export type InviteResponse = z.infer<typeof http.inviteResponseSchema>;
export type InboundResponse = z.infer<typeof http.inboundResponseSchema>;
export type SessionListing = z.infer<typeof http.sessionListingSchema>;
export type SessionSummary = z.infer<typeof http.sessionSummarySchema>;
export type SessionPage = z.infer<typeof http.sessionPageSchema>;
export type ServerInfo = z.infer<typeof http.serverInfoSchema>;
export type ScenarioListing = z.infer<typeof http.scenarioListingSchema>;
export type ScenarioList = z.infer<typeof http.scenarioListSchema>;
export type ScenarioDifficulty = z.infer<typeof http.scenarioDifficultySchema>;
export type BrokenScenarioFile = z.infer<typeof http.brokenScenarioFileSchema>;
export type ScenarioDetail = z.infer<typeof http.scenarioDetailSchema>;
export type ValidationResult = z.infer<typeof http.validationResultSchema>;
export type ReplayBundle = Resolved<z.infer<typeof http.replayBundleSchema>>;
export type Leaderboard = z.infer<typeof http.leaderboardSchema>;
export type TeamHistory = z.infer<typeof http.teamHistorySchema>;
export type Campaign = z.infer<typeof http.campaignSchema>;
export type CampaignDrill = Campaign['drills'][number];
export type CampaignLeaderboard = z.infer<typeof http.campaignLeaderboardSchema>;
