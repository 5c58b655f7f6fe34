/**
 * The WebSocket messages as zod schemas: the server validates every client frame with them
 * (engine/server/messages.ts), the TypeScript types in messages.ts are derived from them, and
 * docs/ws-messages.schema.json is generated from them (openapi.ts).
 *
 * Kept apart from messages.ts so the UI, which imports that file's types and constants, never pulls
 * zod into its bundle.
 */
import { z } from 'zod';
import { COMMAND_PARAMS, commandSchema } from './commands.ts';
import { engineEventSchema } from './events.ts';
import { INTEGRATIONS, MAX_SPEED, MIN_SPEED, PROTOCOL_VERSION } from './messages.ts';
import { scenarioSchema } from './scenario.ts';
import { drillSnapshotSchema, facilitatorViewSchema, metricsHistorySchema, metricsSampleSchema, publicScenarioSchema } from './views.ts';

// ── shared pieces ────────────────────────────────────────────────────────────────────────────

export const roleSchema = z.enum(['facilitator', 'responder', 'observer']);
/** How responders get in: the shared responder code, or only a named invite link each. */
export const joinModeSchema = z.enum(['code', 'invite']).describe('code: the shared responder code; invite: a named invite link per responder.');
/** The one definition of the speed range: creating a drill and the facilitator's `speed` control both use it. */
export const speedSchema = z.number().min(MIN_SPEED).max(MAX_SPEED).describe(`Simulated time per wall time, ${MIN_SPEED}–${MAX_SPEED}.`);
const seqSchema = z.number().int();
const idSchema = z.string().min(1).max(128);
const credential = z.string().max(256);

/** The full scenario (facilitator) or its public projection (everyone else), as the server sends it. */
export const sentScenarioSchema = z.union([scenarioSchema, publicScenarioSchema]);

// ── client → server ──────────────────────────────────────────────────────────────────────────

export const helloMessageSchema = z
  .object({
    type: z.literal('hello'),
    v: z.literal(PROTOCOL_VERSION),
    sessionId: idSchema,
    token: credential.optional().describe("The facilitator's token."),
    participantToken: credential.optional().describe("A returning participant's token, from an earlier welcome."),
    invite: credential.optional().describe('A named invite.'),
    code: credential.optional().describe('The responder or observer code; needs `name`.'),
    // The name's own rules (normalisation, 64 characters, uniqueness) are the roster's; this only bounds the work.
    name: z.string().max(1024).optional().describe('Needed with `code`; ignored otherwise (a participant keeps the name they joined with).'),
    device: z.string().min(1).max(64).optional().describe('A random id the browser keeps across drills: lets the facilitator see when two people share one browser.'),
    lastSeq: z.number().int().min(-1).optional().describe("The last `seq` this client saw, in its audience's numbering; the server resumes right after it."),
  })
  .describe(
    "The first message on a socket, with exactly one credential: the facilitator's `token`; a returning participant's `participantToken`; a named `invite`; or the responder or observer `code` together with the `name` to join under.",
  );

/** The command's own fields, with the command schema's limits (engine/protocol/commands.ts). */
const command = commandSchema.shape;

export const actionMessageSchema = z
  .object({
    type: z.literal('action'),
    clientActionId: idSchema,
    action: command.type,
    target: command.target,
    params: command.params,
    sessionId: idSchema.optional().describe('Optional; if present it must be the session this socket joined.'),
  })
  .describe("A responder's command: any engine command type (ack, declare, rollback, approve, …).");

const CONTROL_MESSAGE_COMMANDS = ['start', 'pause', 'resume', 'speed', 'inject', 'end'] as const;

export const controlMessageSchema = z
  .object({
    type: z.literal('control'),
    command: z.enum(CONTROL_MESSAGE_COMMANDS),
    clientActionId: idSchema.optional(),
    speed: speedSchema.optional().describe(`With command "speed": ${MIN_SPEED}–${MAX_SPEED}.`),
    fault: COMMAND_PARAMS.inject.shape.fault.optional().describe('With command "inject": the fault to start now.'),
  })
  .describe("The facilitator's controls. `speed` needs `speed`; `inject` needs `fault`.");

export const clientMessageSchema = z.discriminatedUnion('type', [helloMessageSchema, actionMessageSchema, controlMessageSchema]);

// ── server → client ──────────────────────────────────────────────────────────────────────────

export const participantIdentitySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    token: z.string().optional().describe('Absent for the facilitator, whose token is the facilitator token.'),
  })
  .describe('Who you are in this drill. Keep `token` (per drill): a later hello with it is the same person again.');

export const rosterEntrySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    sockets: z.number().int().describe('Sockets open now.'),
    browsers: z.number().int().describe('How many different browsers the sockets come from.'),
    joinedAt: z.string(),
    invited: z.boolean().describe('Joined through a named invite.'),
    removed: z.boolean(),
  })
  .describe("One person in the facilitator's roster.");

const inboundEndpointSchema = z.object({
  path: z.string().describe('Where the tool posts, as a path on this server: `/api/sessions/<id>/inbound/<tool>`.'),
  secret: z.string().describe('Sent as `Authorization: Bearer <secret>`. Derived from the facilitator token; the server keeps only its hash.'),
});

export const inboundEndpointsSchema = z
  .object({ pagerduty: inboundEndpointSchema.optional() })
  .describe("Facilitator only, when the drill sends to PagerDuty: where the team's PagerDuty webhook acknowledges the drill's pages (docs/integrations.md).");

export const welcomeMessageSchema = z.object({
  type: z.literal('welcome'),
  v: z.literal(PROTOCOL_VERSION),
  sessionId: z.string(),
  role: roleSchema,
  name: z.string(),
  participant: participantIdentitySchema,
  joinMode: joinModeSchema,
  share: z
    .object({ responderCode: z.string().nullable(), observerCode: z.string() })
    .optional()
    .describe('Facilitator only: the join codes (derived from the facilitator token; the server keeps only hashes).'),
  roster: z.array(rosterEntrySchema).optional().describe('Facilitator only: everyone in the drill.'),
  inbound: inboundEndpointsSchema.optional(),
  scenario: sentScenarioSchema,
  snapshot: drillSnapshotSchema,
  facilitator: facilitatorViewSchema.optional().describe('Facilitator only.'),
  seq: seqSchema.describe(
    "The newest seq of this client's audience. Each audience numbers the events it can see 0, 1, 2, … with no gaps; backlog `events` messages follow up to it.",
  ),
  speed: z.number(),
  resumed: z.boolean().describe("True when the server resumed from the client's lastSeq; false when it sent a fresh snapshot."),
});

export const eventsMessageSchema = z
  .object({
    type: z.literal('events'),
    events: z.array(engineEventSchema),
    now: z.number().describe('Simulated ms of the next tick.'),
    sample: metricsSampleSchema.optional().describe('Telemetry for the tick just computed (live only; backlog batches have none).'),
    facilitator: facilitatorViewSchema.optional().describe('Facilitator only: the hidden state after this batch.'),
  })
  .describe('One batch per simulation tick (or per accepted command). Each event carries its own seq and t.');

export const ackMessageSchema = z.object({
  type: z.literal('ack'),
  clientActionId: z.string(),
  seq: seqSchema.describe('The seq of the logged command.'),
});

export const errorMessageSchema = z.object({
  type: z.literal('error'),
  clientActionId: z.string().optional(),
  code: z.string(),
  message: z.string(),
  path: z.string().optional(),
  seq: seqSchema.optional().describe('For commands the engine refused: the seq of the logged command.'),
});

export const clockMessageSchema = z
  .object({ type: z.literal('clock'), phase: z.string(), now: z.number(), speed: z.number() })
  .describe('Clock changes that are not simulation events: speed changes, pauses seen from the wall clock.');

export const rosterMessageSchema = z
  .object({ type: z.literal('roster'), participants: z.array(rosterEntrySchema) })
  .describe('Facilitator only: the roster changed (someone joined, left, opened another tab, or was removed).');

const integrationStatusSchema = z.object({
  name: z.enum(INTEGRATIONS),
  on: z.boolean().describe('This drill sends to it (chosen when the drill was created, and configured on this server).'),
  configured: z.boolean().describe('The server has somewhere to send it; false for one the drill chose that the server no longer has.'),
  sent: z.number().int().describe('Messages delivered (answered 2xx).'),
  pending: z.number().int().describe('Messages waiting, or being sent or retried now.'),
  gaveUp: z.number().int().describe('Messages dropped after every try failed, or refused by the receiver (a 4xx other than 429).'),
  dropped: z.number().int().describe('Messages dropped unsent because the queue was full (the oldest go first).'),
  lastError: z.string().nullable().describe('The last failure, with the destination reduced to its origin: never a URL path, key or secret.'),
  lastSuccessAt: z.string().nullable().describe('Wall-clock ISO time of the last delivery.'),
});

export const integrationsMessageSchema = z
  .object({ type: z.literal('integrations'), integrations: z.array(integrationStatusSchema) })
  .describe(
    "Facilitator only: how the drill's messages to the team's own tools are going (docs/integrations.md). Sent after the welcome and whenever a count changes (coalesced). Only drills that chose an integration send it.",
  );

const historyMessageSchema = z
  .object({ type: z.literal('history'), history: metricsHistorySchema })
  .describe(
    "After the welcome's backlog: the charts' telemetry up to now (sent once the backlog is through, so the live samples that follow continue it without a gap). A client replaces its chart history with it.",
  );

export const serverMessageSchema = z.discriminatedUnion('type', [
  welcomeMessageSchema,
  eventsMessageSchema,
  ackMessageSchema,
  errorMessageSchema,
  clockMessageSchema,
  rosterMessageSchema,
  historyMessageSchema,
  integrationsMessageSchema,
]);
