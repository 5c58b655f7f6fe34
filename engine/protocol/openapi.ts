/**
 * The published descriptions of the wire, generated from the zod schemas (the single source) so they
 * cannot drift: the OpenAPI 3.1 document of the HTTP API (served at `GET /api/openapi.json`,
 * committed as docs/openapi.json) and the JSON Schema of the WebSocket messages (committed as
 * docs/ws-messages.schema.json). Pure: engine/server/write-api-schemas.ts writes the files, and a
 * test fails when the committed ones are stale or the server serves anything else.
 *
 * `ROUTES` is the API's route table; a test checks it lists exactly the routes the server has.
 */
import { z } from 'zod';
import { engineEventSchema } from './events.ts';
import * as http from './http.ts';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from './messages.ts';
import * as ws from './messages-schema.ts';
import { duration, scenarioSchema } from './scenario.ts';
import { drillSnapshotSchema, facilitatorViewSchema, metricsSampleSchema, publicScenarioSchema } from './views.ts';

export type JsonObject = Record<string, unknown>;

/**
 * Who may call a route. `admin`: the admin token as a Bearer token, when the server has one.
 * `facilitator`: the drill's facilitator token as a Bearer token. `debrief`: the facilitator token
 * while the drill runs; once it has ended, any participant's token or join code (Bearer, or `?code=`).
 * `optional-facilitator`: anyone, and the facilitator token shows more. `metrics`: the metrics token as
 * a Bearer token, when the server has one. `inbound`: the drill's inbound secret as a Bearer token
 * (what the team's own tools acknowledge with).
 */
type Auth = 'none' | 'admin' | 'facilitator' | 'debrief' | 'optional-facilitator' | 'metrics' | 'inbound';

interface Reply {
  description: string;
  /** A JSON body. */
  schema?: z.ZodType;
  /** Other media types, each a text body. */
  text?: string[];
  /** The error codes answered with this status (each an `ErrorResponse`). */
  errors?: string[];
}

export interface Route {
  method: 'get' | 'post' | 'delete';
  /** As the server writes it: `/api/sessions/:id`. */
  path: string;
  summary: string;
  description?: string;
  auth: Auth;
  query?: z.ZodObject;
  /** A JSON body, or (`text`) a text body of any media type. */
  body?: { schema: z.ZodType; maxBytes: number } | { text: string; maxBytes: number };
  responses: Record<number, Reply>;
}

const KIB = 1024;
const sessionErrors = { 404: { description: 'No such session.', errors: ['unknown-session'] } };
const facilitatorErrors = {
  401: { description: 'Not the facilitator token.', errors: ['unauthorized'] },
  404: { description: 'No such session.', errors: ['unknown-session'] },
  410: { description: 'The drill has ended and left memory.', errors: ['drill-archived'] },
};
const debriefErrors = {
  401: { description: 'No credential that opens this drill.', errors: ['unauthorized'] },
  403: { description: 'A participant asked while the drill still runs.', errors: ['drill-running'] },
  ...sessionErrors,
};
const creationErrors = {
  401: { description: 'The server has an admin token and the request did not carry it.', errors: ['admin-token-required'] },
  413: { description: 'The body is over 64 KiB.', errors: ['payload-too-large'] },
  429: { description: 'This address has used its creation budget; see `Retry-After`.', errors: ['too-many-creations'] },
  503: { description: 'The server runs as many open drills as it may.', errors: ['too-many-open-drills'] },
};

export const ROUTES: Route[] = [
  {
    method: 'get',
    path: '/docs/:name',
    summary: 'A guide as an HTML page: scoring, scenarios, protocol or integrations (the report links to /docs/scoring)',
    auth: 'none',
    responses: {
      200: { description: 'The guide, rendered from docs/<name>.md.', text: ['text/html'] },
      404: { description: 'No such guide: an HTML page that lists the guides.', text: ['text/html'] },
    },
  },
  { method: 'get', path: '/healthz', summary: 'Liveness probe (any Host)', auth: 'none', responses: { 200: { description: 'The server is up.', schema: http.healthSchema } } },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics: every running drill\'s simulated series and the server\'s health (docs/integrations.md)',
    description: 'The Prometheus text format 0.0.4. With a metrics token set, any Host is accepted; without one, the Host must be allowed, as for the rest of the API.',
    auth: 'metrics',
    responses: {
      200: { description: 'The metrics.', text: ['text/plain'] },
      401: { description: 'The server has a metrics token and the request did not carry it.', errors: ['metrics-token-required'] },
    },
  },
  {
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This document',
    auth: 'none',
    responses: { 200: { description: 'The OpenAPI document of this API.', schema: z.record(z.string(), z.unknown()) } },
  },
  { method: 'get', path: '/api/config', summary: 'What the lobby needs to know about this server', auth: 'none', responses: { 200: { description: 'OK', schema: http.serverInfoSchema } } },
  { method: 'get', path: '/api/scenarios', summary: 'The scenario catalogue', auth: 'none', responses: { 200: { description: 'OK', schema: http.scenarioListSchema } } },
  {
    method: 'get',
    path: '/api/scenarios/:id',
    summary: 'One scenario: its listing plus the public projection',
    auth: 'none',
    responses: { 200: { description: 'OK', schema: http.scenarioDetailSchema }, 404: { description: 'No such scenario.', errors: ['unknown-scenario'] } },
  },
  {
    method: 'post',
    path: '/api/scenarios/validate',
    summary: 'Validate a scenario file',
    description: 'Checks YAML or JSON text on a worker thread, with the same diagnostics as `sevdrill validate`.',
    auth: 'none',
    query: http.validateQuerySchema,
    body: { text: 'The scenario file, YAML or JSON, with any content type.', maxBytes: 512 * KIB },
    responses: {
      200: { description: 'Valid (warnings may remain).', schema: http.validationResultSchema },
      422: {
        description: 'Invalid: the diagnostics (a `ValidationResult`); or the file took too long or too much memory to check.',
        schema: http.validationResultSchema,
        errors: ['validation-timeout', 'validation-too-large'],
      },
      503: { description: 'Too many validations are waiting; see `Retry-After`.', errors: ['validator-busy'] },
    },
  },
  {
    method: 'post',
    path: '/api/sessions',
    summary: 'Create a drill',
    auth: 'admin',
    body: { schema: http.createSessionRequestSchema, maxBytes: 64 * KIB },
    responses: {
      201: { description: "The facilitator's credentials, and the seed the drill runs.", schema: http.createSessionResponseSchema },
      400: {
        description: 'A field is wrong, a seed and a difficulty are both given, or the body is not JSON.',
        errors: ['unknown-scenario', 'bad-seed', 'bad-difficulty', 'bad-speed', 'bad-team', 'bad-join', 'seed-and-difficulty', 'bad-json'],
      },
      409: {
        description: 'By difficulty: the scenario cannot be (no reference plan, or none rated), or no seed has that rating.',
        errors: ['difficulty-unavailable', 'difficulty-empty'],
      },
      ...creationErrors,
      503: {
        description: "The server runs as many open drills as it may; or, by difficulty, the scenario's seeds are still being rated (see `Retry-After`).",
        errors: ['too-many-open-drills', 'difficulty-not-ready'],
      },
    },
  },
  {
    method: 'get',
    path: '/api/sessions',
    summary: 'The drills, newest first (public fields only)',
    auth: 'none',
    query: http.sessionPageQuerySchema,
    responses: { 200: { description: 'One page; pass `next` as `before` for the next.', schema: http.sessionPageSchema }, 400: { description: 'A bad query.', errors: ['bad-limit', 'bad-cursor'] } },
  },
  {
    method: 'get',
    path: '/api/sessions/:id',
    summary: "A drill's listing; with the facilitator token, its summary",
    auth: 'optional-facilitator',
    responses: { 200: { description: 'The summary for the facilitator, else the listing.', schema: z.union([http.sessionSummarySchema, http.sessionListingSchema]) }, ...sessionErrors },
  },
  {
    method: 'get',
    path: '/api/sessions/:id/log',
    summary: 'The event log (JSON Lines)',
    description: 'The log `sevdrill replay` re-simulates to the same bytes.',
    auth: 'debrief',
    query: http.codeQuerySchema,
    responses: { 200: { description: 'One JSON object a line: the header, then the events.', text: ['application/x-ndjson'] }, ...debriefErrors },
  },
  {
    method: 'get',
    path: '/api/sessions/:id/replay',
    summary: 'What the replay screen needs (gzipped when accepted)',
    auth: 'debrief',
    query: http.codeQuerySchema,
    responses: { 200: { description: 'OK', schema: http.replayBundleSchema }, ...debriefErrors, 503: { description: 'The replay could not be computed just now.', errors: ['report-unavailable'] } },
  },
  {
    method: 'get',
    path: '/api/sessions/:id/score',
    summary: 'The scorecard',
    auth: 'debrief',
    query: http.codeQuerySchema,
    responses: { 200: { description: 'OK', schema: http.scorecardSchema }, ...debriefErrors, 503: { description: 'The score could not be computed just now.', errors: ['report-unavailable'] } },
  },
  {
    method: 'get',
    path: '/api/sessions/:id/report',
    summary: 'The after-action report',
    description: 'HTML (default; self-contained, with its own strict CSP), Markdown or JSON.',
    auth: 'debrief',
    query: http.reportQuerySchema.extend(http.codeQuerySchema.shape),
    responses: {
      200: { description: 'The report in the format asked for.', text: ['text/html', 'text/markdown', 'application/json'] },
      400: { description: 'An unknown format.', errors: ['bad-format'] },
      ...debriefErrors,
      503: { description: 'The report could not be computed just now.', errors: ['report-unavailable'] },
    },
  },
  {
    method: 'get',
    path: '/api/sessions/:id/scenario',
    summary: 'The full scenario, hidden sections included',
    auth: 'facilitator',
    responses: { 200: { description: 'OK', schema: scenarioSchema }, 401: { description: 'Not the facilitator token.', errors: ['unauthorized'] }, ...sessionErrors },
  },
  {
    method: 'post',
    path: '/api/sessions/:id/invites',
    summary: 'Make a named invite link (the same name twice gives the same invite)',
    auth: 'facilitator',
    body: { schema: http.inviteRequestSchema, maxBytes: 4 * KIB },
    responses: {
      201: { description: 'The invite.', schema: http.inviteResponseSchema },
      400: { description: 'Not a valid name, or the body is not JSON.', errors: ['bad-name', 'bad-json'] },
      409: { description: 'Someone else has that name, or it is reserved.', errors: ['name-taken'] },
      ...facilitatorErrors,
    },
  },
  {
    method: 'get',
    path: '/api/sessions/:id/invites',
    summary: 'Every invite link of the drill',
    auth: 'facilitator',
    responses: { 200: { description: 'OK', schema: http.inviteListSchema }, ...facilitatorErrors },
  },
  {
    method: 'get',
    path: '/api/sessions/:id/participants',
    summary: 'The roster',
    auth: 'facilitator',
    responses: { 200: { description: 'OK', schema: http.participantListSchema }, ...facilitatorErrors },
  },
  {
    method: 'delete',
    path: '/api/sessions/:id/participants/:participantId',
    summary: 'Remove a participant: their sockets close and their token and invites stop working',
    auth: 'facilitator',
    responses: {
      200: { description: 'The roster after the removal.', schema: http.removedParticipantSchema },
      ...facilitatorErrors,
      403: { description: 'The facilitator cannot be removed.', errors: ['forbidden'] },
      404: { description: 'No such session or participant.', errors: ['unknown-session', 'unknown-participant'] },
    },
  },
  {
    method: 'post',
    path: '/api/sessions/:id/inbound/:integration',
    summary: "Acknowledge the drill's page from the team's own tool (`:integration` is `pagerduty`)",
    description:
      "A PagerDuty V3 webhook (a webhook subscription with the drill's inbound secret as a custom `Authorization: Bearer` header). An `incident.acknowledged` of one of this drill's pages (its `incident_key` is the `dedup_key` sevdrill sent) becomes an `ack` command from the responder the PagerDuty user is: the one whose name is the user's name, else the part of their email address before the @ (compared as the roster compares names). The secret is checked before the body is read. Every delivery that is not an acknowledgement of this drill's page is answered 202 and ignored, so PagerDuty neither retries it nor disables the subscription; a repeated delivery is answered 200. Alertmanager has no inbound URL: silencing a drill alert acknowledges it (docs/integrations.md).",
    auth: 'inbound',
    body: { schema: http.pagerdutyWebhookSchema, maxBytes: 64 * KIB },
    responses: {
      200: { description: 'Acknowledged now, or already.', schema: http.inboundResponseSchema },
      202: {
        description: "Not acted on: not an acknowledgement of this drill's page (`ignored`), or no responder of the drill is that PagerDuty user (`unknown-person`: logged, and the facilitator is told). `reason` says which.",
        schema: http.inboundResponseSchema,
      },
      400: { description: 'Not a PagerDuty V3 webhook, or not JSON.', errors: ['bad-webhook', 'bad-json'] },
      401: { description: "Not the drill's inbound secret.", errors: ['unauthorized'] },
      404: { description: 'No such session, or nothing acknowledges at that `:integration`.', errors: ['unknown-session', 'unknown-inbound'] },
      409: {
        description: 'The drill does not send to PagerDuty, is not running (paused, ended), has not paged, or its incident can no longer be acknowledged.',
        errors: ['integration-off', 'drill-closed', 'drill-not-running', 'no-incident', 'invalid-state'],
      },
      410: { description: 'The drill has ended and left memory.', errors: ['drill-archived'] },
      413: { description: 'The body is over 64 KiB.', errors: ['payload-too-large'] },
      429: { description: "The drill's action budget is spent for now; PagerDuty tries again.", errors: ['rate-limited'] },
    },
  },
  {
    method: 'get',
    path: '/api/leaderboard/:scenarioId',
    summary: "A scenario's leaderboard, ranked per seed",
    auth: 'none',
    query: http.leaderboardQuerySchema,
    responses: {
      200: { description: 'OK', schema: http.leaderboardSchema },
      400: { description: 'A bad seed.', errors: ['bad-seed'] },
      404: { description: 'No such scenario.', errors: ['unknown-scenario'] },
    },
  },
  {
    method: 'get',
    path: '/api/leaderboard/campaigns',
    summary: 'Campaigns ranked by availability, then total score',
    description: 'Only weeks whose every drill is scored. Served before `/api/leaderboard/:scenarioId`: a scenario with the id `campaigns` has no leaderboard of its own.',
    auth: 'none',
    responses: { 200: { description: 'OK', schema: http.campaignLeaderboardSchema } },
  },
  { method: 'get', path: '/api/teams/:team', summary: "A team's scores, in time order", auth: 'none', responses: { 200: { description: 'OK', schema: http.teamHistorySchema } } },
  {
    method: 'post',
    path: '/api/campaigns',
    summary: 'Create a campaign: one team\'s "week" of drills',
    description: 'Each drill counts against the creation limits.',
    auth: 'admin',
    body: { schema: http.createCampaignRequestSchema, maxBytes: 64 * KIB },
    responses: {
      201: { description: 'Every drill, with its credentials and the seed it runs.', schema: http.createCampaignResponseSchema },
      400: {
        description: 'A field is wrong (a drill of `drills` is named in the message), both or neither of `scenarioIds` and `drills`, or the body is not JSON.',
        errors: ['bad-team', 'bad-scenarios', 'scenarios-and-drills', 'unknown-scenario', 'bad-seed', 'bad-difficulty', 'seed-and-difficulty', 'bad-speed', 'bad-json'],
      },
      409: { description: 'A drill by difficulty: as for `POST /api/sessions`.', errors: ['difficulty-unavailable', 'difficulty-empty'] },
      ...creationErrors,
      503: {
        description: "The server cannot open that many more drills; or a drill's scenario's seeds are still being rated (see `Retry-After`).",
        errors: ['too-many-open-drills', 'difficulty-not-ready'],
      },
    },
  },
  {
    method: 'get',
    path: '/api/campaigns/:id',
    summary: 'A campaign and its drills',
    auth: 'none',
    responses: { 200: { description: 'OK', schema: http.campaignSchema }, 404: { description: 'No such campaign.', errors: ['unknown-campaign'] } },
  },
];

/** Schemas named in the documents (`#/components/schemas/<name>`, `#/$defs/<name>`), by io mode. */
const REQUESTS: Record<string, z.ZodType> = {
  CreateSessionRequest: http.createSessionRequestSchema,
  CreateCampaignRequest: http.createCampaignRequestSchema,
  InviteRequest: http.inviteRequestSchema,
  PagerDutyWebhook: http.pagerdutyWebhookSchema,
};

const SHARED_OUTPUTS: Record<string, z.ZodType> = {
  EngineEvent: engineEventSchema,
  Scenario: scenarioSchema,
  PublicScenario: publicScenarioSchema,
  DrillSnapshot: drillSnapshotSchema,
  FacilitatorView: facilitatorViewSchema,
  MetricsSample: metricsSampleSchema,
  RosterEntry: ws.rosterEntrySchema,
};

const RESPONSES: Record<string, z.ZodType> = {
  ...SHARED_OUTPUTS,
  ErrorResponse: http.errorResponseSchema,
  ServerInfo: http.serverInfoSchema,
  ScenarioList: http.scenarioListSchema,
  ScenarioListing: http.scenarioListingSchema,
  ScenarioDifficulty: http.scenarioDifficultySchema,
  ScenarioDetail: http.scenarioDetailSchema,
  ValidationResult: http.validationResultSchema,
  CreateSessionResponse: http.createSessionResponseSchema,
  CreateCampaignResponse: http.createCampaignResponseSchema,
  SessionListing: http.sessionListingSchema,
  SessionSummary: http.sessionSummarySchema,
  SessionPage: http.sessionPageSchema,
  ReplayBundle: http.replayBundleSchema,
  InviteResponse: http.inviteResponseSchema,
  InviteList: http.inviteListSchema,
  InboundResponse: http.inboundResponseSchema,
  ParticipantList: http.participantListSchema,
  RemovedParticipant: http.removedParticipantSchema,
  Leaderboard: http.leaderboardSchema,
  ScoreRow: http.scoreRowSchema,
  TeamHistory: http.teamHistorySchema,
  Campaign: http.campaignSchema,
  CampaignLeaderboard: http.campaignLeaderboardSchema,
  Scorecard: http.scorecardSchema,
};

const CLIENT_MESSAGES: Record<string, z.ZodType> = {
  ClientMessage: ws.clientMessageSchema,
  HelloMessage: ws.helloMessageSchema,
  ActionMessage: ws.actionMessageSchema,
  ControlMessage: ws.controlMessageSchema,
};

const SERVER_MESSAGES: Record<string, z.ZodType> = {
  ServerMessage: ws.serverMessageSchema,
  WelcomeMessage: ws.welcomeMessageSchema,
  EventsMessage: ws.eventsMessageSchema,
  AckMessage: ws.ackMessageSchema,
  ErrorMessage: ws.errorMessageSchema,
  ClockMessage: ws.clockMessageSchema,
  RosterMessage: ws.rosterMessageSchema,
  IntegrationsMessage: ws.integrationsMessageSchema,
  ParticipantIdentity: ws.participantIdentitySchema,
  ...SHARED_OUTPUTS,
};

/** Durations are written as text in scenario files and sent as integer milliseconds. */
const durationToMs = duration._zod.def.out;

/**
 * JSON Schemas for named zod schemas, referring to each other by `ref(name)`. `input`: what a client
 * may send (unknown keys allowed, defaults optional); `output`: what the server sends.
 */
function generate(named: Record<string, z.ZodType>, io: 'input' | 'output', ref: (name: string) => string): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io,
    uri: ref,
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema === durationToMs) Object.assign(ctx.jsonSchema, { type: 'integer', minimum: 0, description: 'Simulated milliseconds.' });
    },
  });
  const out: Record<string, JsonObject> = {};
  // Each comes with its own $schema and $id; inside one document, the document's own say.
  for (const [id, { $schema: _dialect, $id: _id, ...schema }] of Object.entries(schemas)) out[id] = schema;
  return out;
}

/** One schema, inline, with the named ones as references. */
function inline(schema: z.ZodType, io: 'input' | 'output', named: Record<string, z.ZodType>, ref: (name: string) => string): JsonObject {
  const generated = generate({ ...named, __inline: schema }, io, ref);
  return generated.__inline ?? {};
}

const componentRef = (name: string) => `#/components/schemas/${name}`;
const nameOf = (schema: z.ZodType, named: Record<string, z.ZodType>): string | undefined => Object.entries(named).find(([, s]) => s === schema)?.[0];

function schemaRef(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const named = io === 'input' ? REQUESTS : RESPONSES;
  const name = nameOf(schema, named);
  return name !== undefined ? { $ref: componentRef(name) } : inline(schema, io, named, componentRef);
}

const SECURITY: Record<Auth, JsonObject[] | undefined> = {
  none: undefined,
  admin: [{ adminToken: [] }, {}],
  facilitator: [{ facilitatorToken: [] }],
  debrief: [{ facilitatorToken: [] }, { participantToken: [] }, { joinCode: [] }],
  'optional-facilitator': [{}, { facilitatorToken: [] }],
  metrics: [{ metricsToken: [] }, {}],
  inbound: [{ inboundSecret: [] }],
};

function operation(route: Route): JsonObject {
  const parameters: JsonObject[] = [];
  for (const match of route.path.matchAll(/:([A-Za-z]+)/g)) parameters.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
  for (const [name, field] of Object.entries(route.query?.shape ?? {})) {
    const { description, ...schema } = inline(field as z.ZodType, 'input', {}, componentRef);
    parameters.push({ name, in: 'query', required: !(field as z.ZodType).safeParse(undefined).success, ...(description !== undefined ? { description } : {}), schema });
  }
  const responses: JsonObject = {};
  for (const [status, reply] of Object.entries(route.responses)) {
    const content: JsonObject = {};
    const json: JsonObject[] = [];
    if (reply.schema) json.push(schemaRef(reply.schema, 'output'));
    if (reply.errors) json.push({ $ref: componentRef('ErrorResponse') });
    if (json.length > 0) content['application/json'] = { schema: json.length === 1 ? json[0] : { oneOf: json } };
    for (const type of reply.text ?? []) content[type] = { schema: { type: 'string' } };
    const codes = reply.errors ? ` Error codes: ${reply.errors.map((c) => `\`${c}\``).join(', ')}.` : '';
    responses[status] = { description: `${reply.description}${codes}`, ...(Object.keys(content).length > 0 ? { content } : {}) };
  }
  responses.default = {
    description: 'Any other error, e.g. `403 origin-not-allowed` or `host-not-allowed` (the Origin or Host is not on the allow-list), `404 not-found`, `500 internal`.',
    content: { 'application/json': { schema: { $ref: componentRef('ErrorResponse') } } },
  };
  const body = route.body;
  const requestBody =
    body === undefined
      ? undefined
      : 'schema' in body
        ? { required: true, description: `JSON, at most ${body.maxBytes / KIB} KiB.`, content: { 'application/json': { schema: schemaRef(body.schema, 'input') } } }
        : { required: true, description: `${body.text} At most ${body.maxBytes / KIB} KiB.`, content: { '*/*': { schema: { type: 'string' } } } };
  const security = SECURITY[route.auth];
  return {
    operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: route.summary,
    ...(route.description !== undefined ? { description: route.description } : {}),
    ...(security ? { security } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the HTTP API. */
export function buildOpenApi(): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of ROUTES) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'sevdrill',
      version: `${PROTOCOL_VERSION}`,
      description:
        'The HTTP API of a sevdrill server (docs/protocol.md). Errors are `ErrorResponse` bodies with a 4xx or 5xx status; every response carries `X-Request-Id`. ' +
        `Live drills run over the WebSocket at \`/ws\`: JSON text frames of at most ${MAX_FRAME_BYTES / KIB} KiB, described by docs/ws-messages.schema.json.`,
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: { ...generate(REQUESTS, 'input', componentRef), ...generate(RESPONSES, 'output', componentRef) },
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'The admin token (SEVDRILL_ADMIN_TOKEN), when the server has one.' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'The metrics token (SEVDRILL_METRICS_TOKEN), when the server has one.' },
        facilitatorToken: { type: 'http', scheme: 'bearer', description: "The drill's facilitator token, from `POST /api/sessions`." },
        participantToken: { type: 'http', scheme: 'bearer', description: "A participant's token or a join code; opens a drill's debrief once it has ended." },
        inboundSecret: {
          type: 'http',
          scheme: 'bearer',
          description: "A drill's inbound secret, shown to its facilitator (the welcome's `inbound`): it only acknowledges that drill's page, as a responder of that drill.",
        },
        joinCode: { type: 'apiKey', in: 'query', name: 'code', description: 'A participant token or join code in the query string; opens a debrief once the drill has ended.' },
      },
    },
  };
}

const defRef = (name: string) => `#/$defs/${name}`;

/** The JSON Schema of every WebSocket message: a client's (`ClientMessage`) or the server's (`ServerMessage`). */
export function buildWsJsonSchema(): JsonObject {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'ws-messages.schema.json',
    title: 'sevdrill WebSocket messages',
    description: `The JSON text frames on \`/ws\` (docs/protocol.md), protocol version ${PROTOCOL_VERSION}, each at most ${MAX_FRAME_BYTES / KIB} KiB: ClientMessage from the client, ServerMessage from the server.`,
    oneOf: [{ $ref: defRef('ClientMessage') }, { $ref: defRef('ServerMessage') }],
    $defs: { ...generate(CLIENT_MESSAGES, 'input', defRef), ...generate(SERVER_MESSAGES, 'output', defRef) },
  };
}

/** Pretty-printed with a trailing newline, the exact text of the committed files. */
export function serializeDocument(document: JsonObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** File name (under `docs/`) → document. */
export function buildApiDocuments(): Record<string, JsonObject> {
  return { 'openapi.json': buildOpenApi(), 'ws-messages.schema.json': buildWsJsonSchema() };
}
