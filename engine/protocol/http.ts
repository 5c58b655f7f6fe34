/**
 * The HTTP API's bodies as zod schemas: the server parses request bodies with them
 * (engine/server/http.ts, registry.ts), the TypeScript types in messages.ts are derived from them,
 * and docs/openapi.json is generated from them (openapi.ts).
 *
 * Request schemas describe what the server accepts; each field that can be wrong has its own error
 * code (`REQUEST_ERRORS`), so a bad body is answered the way it always was.
 */
import { z } from 'zod';
import { TIERS } from './scenario.ts';
import { DIFFICULTIES, INTEGRATIONS, MAX_SPEED, MIN_SPEED } from './messages.ts';
import { joinModeSchema, roleSchema, rosterEntrySchema, sentScenarioSchema, speedSchema } from './messages-schema.ts';
import { drillSnapshotSchema, facilitatorViewSchema, metricsSampleSchema, publicScenarioSchema } from './views.ts';
import { engineEventSchema } from './events.ts';

const MAX_TEAM_LENGTH = 64;
const MAX_CAMPAIGN_DRILLS = 20;
export const MAX_CAMPAIGN_NAME_LENGTH = 120;
/** The largest page of `GET /api/sessions`. */
const MAX_PAGE = 100;
const MAX_SEED = 2 ** 31 - 1;

const seedSchema = z.number().int().min(0).max(MAX_SEED).describe('The random seed: a whole number from 0 to 2147483647.');
/** A team name: 1–64 characters, not only spaces (the server trims it). */
const teamSchema = z
  .string()
  .max(MAX_TEAM_LENGTH)
  .refine((name) => name.trim().length > 0, 'must not be blank')
  .describe(`The team playing, for the leaderboard: 1 to ${MAX_TEAM_LENGTH} characters.`);

const difficultySchema = z.enum(DIFFICULTIES);

/** Names are checked by the server (unknown: `bad-integration`; not set up here: `integration-not-configured`), so the message can name the one at fault. */
const integrationsSchema = z
  .array(z.string().max(64))
  .max(2 * INTEGRATIONS.length)
  .nullish()
  .describe(
    `Default none. The team's own tools this drill sends its alerts, pages and updates to, marked as a drill: any of ${INTEGRATIONS.join(', ')} that the server has configured (\`integrations\` in \`GET /api/config\`). See docs/integrations.md.`,
  );

// ── requests ─────────────────────────────────────────────────────────────────────────────────

/**
 * `POST /api/sessions`. Fields left out (or null) take their defaults: the scenario's seed, speed 1,
 * no team, join mode `code`, and the facilitator name "Facilitator".
 */
export const createSessionRequestSchema = z.object({
  scenarioId: z.string().describe('The id of a scenario from `GET /api/scenarios`.'),
  seed: seedSchema.nullish().describe("Default: the scenario's seed (or one of `difficulty`). Not with `difficulty`."),
  difficulty: difficultySchema
    .nullish()
    .describe(
      "Instead of `seed`: the server picks a seed of this rating from its explore of the scenario (the scenario's `difficulty` in `GET /api/scenarios`), taking turns among them; the response names it. Refused while that explore is not ready.",
    ),
  speed: speedSchema.nullish().describe('Default 1.'),
  controlledFriction: z
    .enum(['on', 'off'])
    .nullish()
    .describe('Default: the scenario\'s own. off runs the drill "before the policy": changes and approval-marked actions go ahead without a second participant.'),
  team: teamSchema.nullish(),
  join: joinModeSchema.nullish().describe('Default `code`. With `invite`, the responder code is refused: each responder needs a named invite link.'),
  // A name that breaks the roster's rules (engine/server/names.ts) falls back to the default, as it always has.
  facilitatorName: z
    .string()
    .optional()
    .catch(undefined)
    .describe('The facilitator\'s display name (reserved: nobody else may join under it). Default "Facilitator"; a name that is not valid falls back to it.'),
  integrations: integrationsSchema,
});

/** One drill of a campaign's `drills`: each field as in `POST /api/sessions`, checked by the same rules. */
const campaignDrillRequestSchema = z.object({
  scenarioId: z.string().describe('The id of a scenario from `GET /api/scenarios`.'),
  seed: seedSchema.nullish().describe("Default: the campaign's `seed`, else the scenario's. Not with `difficulty`."),
  difficulty: difficultySchema.nullish().describe('Instead of `seed`: the server picks a seed of this rating, as for `POST /api/sessions`.'),
});

/** `POST /api/campaigns`: one team's "week" of drills, created together. `scenarioIds` or `drills`, not both. */
export const createCampaignRequestSchema = z.object({
  team: teamSchema,
  name: z
    .string()
    .optional()
    .catch(undefined)
    .describe(`Default "<team>'s week"; cut to ${MAX_CAMPAIGN_NAME_LENGTH} characters.`),
  scenarioIds: z.array(z.string()).min(1).max(MAX_CAMPAIGN_DRILLS).optional().describe('The drills of the "week", in order, each with the campaign\'s `seed`. Give this or `drills`.'),
  drills: z
    .array(campaignDrillRequestSchema)
    .min(1)
    .max(MAX_CAMPAIGN_DRILLS)
    .optional()
    .describe('Instead of `scenarioIds`: the drills in order, each with its own seed or difficulty.'),
  seed: seedSchema.nullish().describe("Default: each scenario's seed. With `drills`, the seed of each drill that names neither a seed nor a difficulty."),
  speed: speedSchema.nullish().describe('Default 1.'),
  integrations: integrationsSchema.describe('Default none. As in `POST /api/sessions`, for every drill of the campaign.'),
});

/** `POST /api/sessions/:id/invites`. The name's rules (normalisation, uniqueness) are the roster's. */
export const inviteRequestSchema = z.object({ name: z.string().describe('The one name the invite lets its holder join under.') });

/**
 * `POST /api/sessions/:id/inbound/pagerduty`: a PagerDuty V3 webhook, as much of it as sevdrill reads.
 * Everything else PagerDuty sends is allowed and ignored, and so are events of other types.
 */
export const pagerdutyWebhookSchema = z
  .object({
    event: z
      .object({
        id: z.string().max(256).optional().describe('The event id: the same on every delivery of one event.'),
        event_type: z.string().max(128).describe('Only `incident.acknowledged` acknowledges; others are answered 202 and ignored.'),
        agent: z
          .object({
            summary: z.string().max(1024).optional().describe("The user's name in PagerDuty."),
            name: z.string().max(1024).optional(),
            email: z.string().max(1024).optional(),
          })
          .nullish()
          .describe('Who acted: a `user_reference`.'),
        data: z
          .object({ incident_key: z.string().max(1024).nullish().describe('The `dedup_key` sevdrill sent: `sevdrill-<session>-<alert id>`.') })
          .nullish()
          .describe('The incident.'),
      })
      .describe('One event per webhook.'),
  })
  .describe('A PagerDuty V3 webhook (webhook subscriptions), sent with the drill\'s inbound secret as a custom `Authorization: Bearer` header.');

/** `GET /api/sessions?limit=&before=`. */
export const sessionPageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional().describe(`1 to ${MAX_PAGE}; default 20.`),
  before: z.string().max(40).optional().describe('The `next` value of an earlier page.'),
});

/** `GET /api/leaderboard/:scenarioId?seed=`. */
export const leaderboardQuerySchema = z.object({
  seed: z
    .string()
    .regex(/^\d{1,10}$/)
    .refine((text) => Number(text) <= MAX_SEED, 'too large')
    .optional()
    .describe('Only the runs of this seed: a whole number from 0 to 2147483647.'),
});

/** `GET /api/sessions/:id/report?format=`. */
export const reportQuerySchema = z.object({ format: z.enum(['html', 'md', 'json']).optional().describe('Default html.') });

/** `POST /api/scenarios/validate?file=`. */
export const validateQuerySchema = z.object({ file: z.string().optional().describe('The file name to use in diagnostics (at most 200 characters used).') });

/** Credentials in the query string, for links that cannot carry a header. */
export const codeQuerySchema = z.object({ code: z.string().optional().describe('A participant token or join code, instead of the Authorization header.') });

/** The error code and message of each request field, in the order the server checks them. */
export const REQUEST_ERRORS = {
  seed: { code: 'bad-seed', message: 'seed must be a whole number from 0 to 2147483647' },
  difficulty: { code: 'bad-difficulty', message: 'difficulty must be "easy", "typical" or "hard"' },
  seedAndDifficulty: { code: 'seed-and-difficulty', message: 'give a seed or a difficulty, not both: a difficulty picks the seed' },
  speed: { code: 'bad-speed', message: `speed must be from ${MIN_SPEED} to ${MAX_SPEED}` },
  controlledFriction: { code: 'bad-friction', message: 'controlledFriction must be "on" or "off"' },
  team: { code: 'bad-team', message: `team must be a name of 1 to ${MAX_TEAM_LENGTH} characters` },
  campaignTeam: { code: 'bad-team', message: `a campaign needs a team name of 1 to ${MAX_TEAM_LENGTH} characters` },
  join: { code: 'bad-join', message: 'join must be "code" or "invite"' },
  integrations: { code: 'bad-integration', message: `integrations must be a list of names from ${INTEGRATIONS.join(', ')}` },
  scenarioIds: { code: 'bad-scenarios', message: `scenarioIds must list 1 to ${MAX_CAMPAIGN_DRILLS} scenarios` },
  drills: { code: 'bad-scenarios', message: `drills must list 1 to ${MAX_CAMPAIGN_DRILLS} drills, each an object {scenarioId, seed?, difficulty?}` },
  scenariosAndDrills: { code: 'scenarios-and-drills', message: 'give scenarioIds or drills, not both' },
  name: { code: 'bad-name', message: 'a name must be a string' },
  limit: { code: 'bad-limit', message: `limit must be a whole number from 1 to ${MAX_PAGE}` },
  before: { code: 'bad-cursor', message: 'before must be the "next" value of an earlier page' },
  webhook: { code: 'bad-webhook', message: 'the body must be a PagerDuty V3 webhook: {"event": {"event_type": …, "agent": …, "data": {"incident_key": …}}}' },
} as const;

/** The fields of a request that failed its schema (issues at a field's own level or below). */
export function failedFields(error: z.ZodError): Set<string> {
  return new Set(error.issues.map((issue) => String(issue.path[0] ?? '')));
}

// ── responses ────────────────────────────────────────────────────────────────────────────────

export const errorResponseSchema = z
  .object({
    ok: z.literal(false),
    code: z.string().describe('What went wrong, for programs: e.g. `unknown-scenario`.'),
    message: z.string().describe('What went wrong, for people.'),
    requestId: z.string().optional().describe('The same id as the `X-Request-Id` header and the server log line.'),
  })
  .describe('Every error, with a 4xx or 5xx status.');

export const healthSchema = z.object({ ok: z.literal(true) });

/** `GET /api/config`: what the lobby needs to know about this server. */
export const serverInfoSchema = z.object({
  createNeedsAdminToken: z.boolean().describe('Creating drills and campaigns needs the admin token (SEVDRILL_ADMIN_TOKEN) as a Bearer token.'),
  integrations: z
    .array(z.enum(INTEGRATIONS))
    .describe("The team tools this server can send drills to (names only, never where): a drill's `integrations` may list these. Servers older than this field leave it out: read a missing one as none.")
    .optional(),
});

/**
 * Where the server's explore of a scenario's seeds stands (engine/server/difficulty-cache.ts): a drill
 * can be created by difficulty once it is `ready`.
 */
export const scenarioDifficultySchema = z.object({
  status: z
    .enum(['pending', 'computing', 'ready', 'unavailable'])
    .describe('`pending`: waiting for its turn; `computing`: being explored now; `ready`: drills can be created by difficulty; `unavailable`: they cannot (see `reason`).'),
  seeds: z.number().int().describe('How many seeds the explore covers (1 to N, SEVDRILL_DIFFICULTY_SEEDS).'),
  done: z.number().int().describe('How many of them have been explored so far.'),
  counts: z
    .object({ easy: z.number().int(), typical: z.number().int(), hard: z.number().int() })
    .nullable()
    .describe('Once ready: how many seeds have each rating. A rating with none cannot be asked for.'),
  reason: z.string().nullable().describe('Why it is unavailable: no reference plan, a plan with errors, the explore failed, or the server explores nothing (SEVDRILL_DIFFICULTY_SEEDS=0).'),
});

export const scenarioListingSchema = z.object({
  id: z.string(),
  title: z.string(),
  briefing: z.string(),
  services: z.array(z.object({ id: z.string(), name: z.string(), tier: z.enum(TIERS) })),
  defaultSeed: z.number().int(),
  duration: z.number().describe('Simulated ms the scenario runs when nobody fixes anything.'),
  difficulty: scenarioDifficultySchema
    .optional()
    .describe('Creating a drill by difficulty: where the explore of its seeds stands. Servers older than this field leave it out: read a missing one as unavailable.'),
});
/** `GET /api/scenarios/:id`: the listing plus the public projection. */
export const scenarioDetailSchema = scenarioListingSchema.extend({ scenario: publicScenarioSchema });

const diagnosticSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  col: z.number().int(),
  message: z.string(),
  path: z.string().describe("e.g. `services[2].dependencies[0].service`; '' for the document root."),
  severity: z.enum(['error', 'warning']),
});

/** A file in a scenario directory that holds no scenario the server offers. */
export const brokenScenarioFileSchema = z.object({
  file: z.string().describe("The file's path on the server, relative to its working directory when inside it."),
  messages: z.array(z.string()).describe('Each diagnostic as `sevdrill validate` prints it: `file:line:col: message (at path)`.'),
  diagnostics: z.array(diagnosticSchema),
});

export const scenarioListSchema = z.object({
  scenarios: z.array(scenarioListingSchema),
  broken: z
    .array(brokenScenarioFileSchema)
    .describe(
      'Scenario files that could not be loaded (invalid, unreadable, or an id another file already holds), with their diagnostics; empty when every file loaded. Servers older than this field leave it out: read a missing one as empty.',
    ),
});
export const validationResultSchema = z
  .object({ ok: z.boolean(), diagnostics: z.array(diagnosticSchema) })
  .describe('The same diagnostics as `sevdrill validate`.');

export const createSessionResponseSchema = z.object({
  sessionId: z.string(),
  facilitatorToken: z.string(),
  responderCode: z.string().nullable().describe('Null in invite mode, where responders join only through named invites.'),
  observerCode: z.string(),
  join: joinModeSchema,
  facilitatorName: z.string(),
  facilitatorPath: z.string().describe("The facilitator's way back in: an app path whose token sits in the URL fragment, which browsers never send."),
  seed: z.number().int().describe('The seed the drill runs: the one asked for, the scenario\'s, or the one picked for the difficulty. The same seed gives another team the same drill.'),
  difficulty: difficultySchema.nullable().describe('The difficulty asked for, if the seed was picked by difficulty; else null.'),
});

export const createCampaignResponseSchema = z.object({
  campaignId: z.string(),
  drills: z.array(createSessionResponseSchema.extend({ scenarioId: z.string() })),
});

/** `POST /api/sessions/:id/invites` and each entry of `GET …/invites`. */
export const inviteResponseSchema = z.object({
  inviteId: z.string(),
  name: z.string(),
  participantId: z.string().nullable().describe('The participant the link brings in, once someone has used it (or from the start, for a returning person).'),
  invite: z.string(),
  path: z.string().describe('The link as an app path; the invite sits in the URL fragment.'),
});
export const inviteListSchema = z.object({ invites: z.array(inviteResponseSchema) });

/** `POST /api/sessions/:id/inbound/pagerduty`: what became of the delivery (every 2xx tells PagerDuty to stop retrying). */
export const inboundResponseSchema = z.object({
  ok: z.literal(true),
  outcome: z
    .enum(['acknowledged', 'already-acknowledged', 'ignored', 'unknown-person'])
    .describe(
      '`acknowledged`: the drill logged an `ack` from `participant`; `already-acknowledged`: it already was (a retry, or someone was quicker); `ignored`: not an acknowledgement of this drill\'s page (see `reason`); `unknown-person`: no responder of the drill is that user, so nothing was acknowledged (logged, and the facilitator is told; not a 4xx, which would count towards PagerDuty disabling the subscription).',
    ),
  participant: z.object({ id: z.string(), name: z.string() }).optional().describe('Who acknowledged, with `acknowledged`.'),
  reason: z.string().optional().describe('Why it was ignored, or whom no responder matched.'),
});
export const participantListSchema = z.object({ participants: z.array(rosterEntrySchema) });
export const removedParticipantSchema = z.object({ ok: z.literal(true), participants: z.array(rosterEntrySchema) });

const drillStatusSchema = z.enum(['live', 'ended', 'failed', 'expired']);

/** What anyone may see of a drill (the lobby's list, `GET /api/sessions/:id`). */
export const sessionListingSchema = z.object({
  sessionId: z.string(),
  scenarioId: z.string(),
  title: z.string(),
  team: z.string().nullable(),
  seed: z.number().int(),
  status: drillStatusSchema,
  phase: z.string().describe('ready, running, paused or ended.'),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  score: z.number().nullable(),
});

/** The facilitator's view of their drill (`GET /api/sessions/:id` with the facilitator token). */
export const sessionSummarySchema = sessionListingSchema.extend({
  speed: z.number(),
  now: z.number(),
  incidentState: z.string(),
  severity: z.number().nullable(),
  clients: z.number().int(),
  joinMode: joinModeSchema,
});

/** `GET /api/sessions?limit=&before=`: newest first; pass `next` as `before` for the next page. */
export const sessionPageSchema = z.object({ sessions: z.array(sessionListingSchema), next: z.string().nullable() });

/**
 * `GET /api/sessions/:id/replay` (the same access as the log): what the replay screen needs to show
 * the drill at any moment. The samples are re-derived by re-running the engine from the log, never stored.
 */
export const replayBundleSchema = z.object({
  sessionId: z.string(),
  role: roleSchema.describe('The role of the credential that asked.'),
  scenario: sentScenarioSchema,
  seed: z.number().int(),
  tickMs: z.number(),
  phase: z.string().describe("The drill's phase now."),
  now: z.number().describe('The simulated ms of its next tick (how far it got).'),
  snapshot: drillSnapshotSchema.describe('The state at t=0, before the first command: build the starting model from it as from a welcome.'),
  facilitator: facilitatorViewSchema.optional().describe('Facilitator only: the hidden state at t=0.'),
  events: z.array(engineEventSchema).describe("The log's events in order: all of them for the facilitator, the visible ones for everyone else."),
  samples: z.array(metricsSampleSchema).describe('Telemetry, one sample per tick run, in order.'),
});

export const scoreRowSchema = z.object({
  sessionId: z.string(),
  scenarioId: z.string(),
  seed: z.number().int(),
  team: z.string(),
  score: z.number(),
  timeToMitigateMs: z.number().nullable(),
  lost: z.number(),
  availability: z.number(),
  requests: z.number(),
  failed: z.number(),
  scoredAt: z.string(),
});
export const leaderboardSchema = z
  .object({
    scenarioId: z.string(),
    seeds: z.array(z.object({ seed: z.number().int(), entries: z.array(scoreRowSchema.extend({ rank: z.number().int() })) })),
  })
  .describe('Ranked per seed: only runs of the same scenario and seed are comparable.');
export const teamHistorySchema = z.object({ team: z.string(), history: z.array(scoreRowSchema).describe('In time order.') });
const availabilitySchema = z.object({ requests: z.number(), failed: z.number(), availability: z.number().describe('1 − failed ÷ requests; 1 with no traffic.') });
const msOrNull = z.number().nullable();
/** A scored drill's response times, from its scorecard (docs/scoring.md): the page to the acknowledgement, impact start to the rest. */
const drillDurationsSchema = z.object({
  timeToAcknowledge: msOrNull,
  timeToDeclare: msOrNull,
  timeToDiagnose: msOrNull,
  timeToMitigate: msOrNull,
  timeToResolve: msOrNull,
});
export const campaignSchema = z.object({
  id: z.string(),
  team: z.string(),
  name: z.string(),
  createdAt: z.string(),
  sessionIds: z.array(z.string()),
  scored: z.array(scoreRowSchema),
  availability: availabilitySchema.describe('Over the scored drills so far.'),
  drills: z
    .array(
      sessionListingSchema.extend({
        difficulty: difficultySchema.nullable().describe('The difficulty the drill was asked for, when the server picked its seed by one; else null (a drill created by seed).'),
        durations: drillDurationsSchema.nullable().describe('Simulated ms; null until the drill is scored.'),
      }),
    )
    .describe('In the order of the week.'),
});
export const campaignLeaderboardSchema = z
  .object({
    campaigns: z.array(
      z.object({
        rank: z.number().int(),
        campaignId: z.string(),
        team: z.string(),
        name: z.string(),
        createdAt: z.string(),
        scenarioIds: z.array(z.string()).describe('Its drills, in order.'),
        totalScore: z.number().describe('The sum of its drills\' scores.'),
        availability: availabilitySchema,
      }),
    ),
  })
  .describe('Weeks whose every drill is scored, ranked by availability (highest first), then total score (highest first), then the earlier created.');

/** The scorecard is the scoring code's (docs/scoring.md); the contract only says it is an object. */
export const scorecardSchema = z.record(z.string(), z.unknown()).describe('The scorecard: see docs/scoring.md.');
