/**
 * The single source of truth for the scenario format. From this one file come:
 * the runtime validator (zod), the TypeScript types (`Scenario`, `ScenarioInput`) and the
 * published JSON Schema (`scenarios/scenario.schema.json`, written by `npm run schema`).
 *
 * Objects are strict so that a misspelt key is an error, not a silently ignored field.
 * Anything under a key named `facilitator` is hidden from responders and observers.
 */
import { z } from 'zod';
import { DURATION, parseDuration } from './format.ts';
import { variedChoice, variedDuration, variedNumber } from './vary.ts';
import type { Resolved } from './varied.ts';

export const ID_PATTERN = /^[a-z][a-z0-9-]*$/;

const id = z
  .string()
  .regex(ID_PATTERN, 'use lowercase letters, digits and dashes, starting with a letter')
  .describe('An identifier: lowercase letters, digits and dashes.');

/** A duration such as `90s`, `5m`, `6h` or `1h30m`; parsed to integer milliseconds. */
export const duration = z
  .string()
  .describe('A duration such as "250ms", "90s", "5m", "6h" or "1h30m".')
  .meta({ pattern: DURATION.source })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (write e.g. 90s, 5m, 6h or 1h30m)` });
      return z.NEVER;
    }
    return ms;
  });

const fraction = z.number().min(0).max(1);
const positive = z.number().positive().finite();
const nonNegative = z.number().min(0).finite();

export const TIERS = ['critical', 'standard'] as const;
export const ACTION_TYPES = [
  'rollback',
  'restart',
  'scale',
  'failover',
  'flag',
  'breaker',
  'cache-flush',
  'drain',
  'rotate-cert',
  'retry-policy',
] as const;
export const FAULT_KINDS = [
  'config-deploy',
  'code-deploy',
  'dependency-outage',
  'latency-spike',
  'capacity-loss',
  'cache-flush',
  'cert-expiry',
  'traffic-surge',
  'thundering-herd',
  'noise',
] as const;
export const METRICS = ['errorRate', 'p50Ms', 'p99Ms', 'rps', 'saturation', 'lag', 'lagSeconds', 'burnRate'] as const;
/** Metrics of a topic (an asynchronous edge), not of a service or a journey. */
export const TOPIC_METRICS = ['lag', 'lagSeconds'] as const;
/**
 * How many whole ticks a window of `windowMs` is judged over: the nearest whole number, at least one.
 * The one rule for SLO windows and burn-rate windows, and what the validator reports.
 */
export function windowTicks(windowMs: number, tickMs: number): number {
  return Math.max(1, Math.round(windowMs / tickMs));
}

/** Metrics of a journey only (its error budget), not of a service or a topic. */
export const JOURNEY_METRICS = ['burnRate'] as const;
export const ADVICE_SOURCES = ['assistant', 'runbook', 'wiki', 'colleague'] as const;
const ADVICE_LABELS = ['correct', 'stale', 'harmful'] as const;
export const ALERT_SEVERITIES = ['page', 'ticket'] as const;

const note = z.string().describe('Free text for the facilitator only.');

/** gRPC's retryThrottling: a per-client token bucket that stops retries while failures outweigh successes. */
const retryThrottleSchema = z.strictObject({
  maxTokens: z.number().positive().max(1000).describe('Tokens each client\'s bucket holds (gRPC maxTokens); it starts full. A failed attempt takes one token; retries are allowed only while the bucket is more than half full.'),
  tokenRatio: z.number().positive().max(1).describe('Tokens a successful attempt puts back (gRPC tokenRatio): retries stop once more than tokenRatio / (1 + tokenRatio) of attempts fail.'),
});

/** The SRE book's client-side adaptive throttling ("Handling Overload"). */
const adaptiveThrottleSchema = z.strictObject({
  k: z.number().min(1).max(100).default(2).describe('K: the client sends up to K times what the callee accepted over the window; it rejects the rest locally, with probability max(0, (requests − K·accepts) / (requests + 1)).'),
  window: duration.prefault('2m').describe('The trailing window over which requests and accepts are counted.'),
});

const dependencySchema = z.strictObject({
  service: id.describe('The service that is called.'),
  kind: z
    .enum(['hard', 'soft', 'async'])
    .describe(
      'hard: a failed call fails the request. soft: a failed call falls back to a degraded result. async: the caller publishes a message to a topic and moves on; the service consumes it at its own pace (a slow consumer builds lag, never fails the caller).',
    ),
  topic: id
    .optional()
    .describe('async only: the name of the topic, for alerts and SLOs on its lag. Defaults to "<caller>-<service>".'),
  calls: positive.default(1).describe('Calls made to the dependency per request served.'),
  timeout: duration.prefault('1s').describe('The caller gives up on an attempt after this long.'),
  retries: z.number().int().min(0).max(10).default(0).describe('Extra attempts after a failed or timed-out call.'),
  fallbackLatencyMs: nonNegative
    .default(5)
    .describe('Soft dependencies only: the latency added when the fallback is served.'),
  breaker: fraction
    .optional()
    .describe('An automatic circuit breaker: it opens while the failure rate of attempts is above this fraction.'),
  backoff: duration
    .prefault('100ms')
    .describe('Base of the exponential backoff between attempts; each retry waits a jittered share of it (full jitter).'),
  retryBudget: fraction
    .optional()
    .describe('A retry budget, as in Envoy: retries may be at most this share of the first attempts; the rest fail at once.'),
  cache: z
    .strictObject({
      hitRatio: fraction.describe('The share of calls the cache answers when it is warm.'),
      warmup: duration
        .prefault('5m')
        .describe('Time constant with which an emptied cache fills back towards hitRatio, while the dependency answers its misses.'),
    })
    .optional()
    .describe('The caller keeps a cache in front of this dependency: a hit is answered at once and costs the dependency nothing; a miss is a normal call. A flush empties it.'),
  retryThrottle: retryThrottleSchema
    .optional()
    .describe('Token-bucket retry throttling, as in gRPC: each client process keeps a bucket; every failed attempt takes a token, every success puts tokenRatio back, and retries are sent only while it is more than half full.'),
  adaptiveThrottle: adaptiveThrottleSchema
    .optional()
    .describe('Client-side adaptive throttling (SRE book): the caller rejects attempts locally (fast errors, no load on the callee) once it sends more than K times what the callee accepts.'),
});

export const serviceSchema = z.strictObject({
  id,
  name: z.string().optional(),
  tier: z.enum(TIERS).describe('critical services are where controlled friction (approvals) usually applies.'),
  baseline: z.strictObject({
    rps: nonNegative.default(0).describe('Background traffic not modelled by any journey, in requests per second.'),
    latencyMs: positive.describe('The p50 latency of the service itself, before calling dependencies.'),
    p99Ms: positive.optional().describe('The p99 latency of the service itself; defaults to 3 × latencyMs.'),
    errorRate: fraction.default(0.001).describe('The fraction of requests that fail when all is well.'),
  }),
  capacity: positive
    .optional()
    .describe('Requests per second the service can serve at its healthy latency. Sets its workers (concurrency) when those are not given.'),
  concurrency: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Workers: requests in service at once. Each holds a worker for its own time plus the time its dependency calls take.'),
  queueLimit: nonNegative
    .optional()
    .describe('Requests that may wait for a worker; more are refused at once. Defaults to 10 seconds of work at capacity.'),
  instances: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('Instances (or rollout batches) the service runs as; 1 when omitted. A rollback or restart of a service with several rolls out one batch at a time over the action\'s duration, so its effect moves in steps.'),
  noise: z
    .strictObject({
      rps: fraction.default(0.03),
      latency: fraction.default(0.05),
      errorRate: fraction.default(0.2),
    })
    .prefault({})
    .describe('Relative amplitude of the seeded noise on each metric.'),
  dependencies: z.array(dependencySchema).default([]),
  facilitator: z.strictObject({ note: note.optional() }).optional(),
});

const journeySchema = z.strictObject({
  id,
  name: z.string(),
  entry: id.describe('The service that serves this journey.'),
  rps: variedNumber(positive).describe('Customer requests per second entering through the entry service (times traffic.level). May vary by seed.'),
  unit: z.string().default('requests').describe('What one request is, for reports: orders, page views…'),
  valuePerRequest: nonNegative.describe('Business value of one successful request, in dollars.'),
  timeout: duration
    .prefault('30s')
    .describe('Users give up on a request after this long: a slower response counts as failed.'),
  route: z
    .array(id)
    .optional()
    .describe('The dependencies of the entry service that this journey calls (default: all of them), so journeys that share an entry can take different paths.'),
  users: z
    .strictObject({
      refresh: z.number().min(0).lt(1).default(0).describe('Share of users who reload a failed page: their reload arrives again, and may fail again.'),
      abandon: fraction.default(0).describe('Share of users who leave after a failure: the journey loses that share of its recent failures as traffic until it recovers.'),
    })
    .optional()
    .describe('How users react to failures (default: they neither reload nor leave).'),
  degradedLoss: fraction
    .default(0)
    .describe('Share of the value lost when a request is served degraded (a soft fallback).'),
  topic: id
    .optional()
    .describe('A topic (asynchronous edge) the journey\'s work goes through after its response, e.g. orders on their way to fulfilment; its lag counts against slo.lagSeconds.'),
  slo: z.strictObject({
    errorRate: fraction.describe('The journey is out of SLO while its error rate over the window is above this.'),
    p99Ms: positive.describe('The journey is out of SLO while its p99 latency over the window is above this (more than 1% of its requests are slower).'),
    lagSeconds: positive
      .optional()
      .describe('With `topic`: the journey is also out of SLO while the oldest unconsumed message on that topic is older than this many seconds.'),
    target: z.number().min(0.5).max(0.99999).default(0.999).describe('Availability objective; sets the error budget.'),
    window: duration
      .prefault('1m')
      .describe(
        'The SLO is judged over this trailing window (whole ticks, at least one): the error rate of all its requests, the share of them slower than p99Ms (at most 1%), and the mean lag.',
      ),
  }),
});

const faultEffectSchema = z.strictObject({
  errorRate: variedNumber(fraction).optional().describe('Added failure probability of the target itself. May vary by seed.'),
  latencyMs: variedNumber(nonNegative).optional().describe('Added p50 latency; p99 gets twice this. May vary by seed.'),
  latencyFactor: variedNumber(positive).optional().describe('Multiplies the latency of the target itself. May vary by seed.'),
  capacityFactor: variedNumber(nonNegative).optional().describe('Multiplies the capacity of the target (0.5 = half the capacity). May vary by seed.'),
  rpsFactor: variedNumber(positive).optional().describe('Multiplies the traffic arriving at the target. May vary by seed.'),
  flushCaches: z
    .boolean()
    .optional()
    .describe('Empties every cache in front of the target (with `from`: only that caller\'s) when the fault starts: an impulse, not a lasting effect.'),
});

const faultSchema = z.strictObject({
  id,
  kind: z.enum(FAULT_KINDS),
  target: variedChoice(z.union([id, z.array(id).min(1).meta({ uniqueItems: true })])).describe(
    'The service the fault acts on, or a list of services that each get the whole effect (one bad config pushed to several services). {oneOf: [...]} lets each seed pick one of several candidates.',
  ),
  from: id
    .optional()
    .describe('Puts the fault on the calls from this service to `target` (one edge, or one per target), not on `target` itself: a bad address, a firewall rule, a slow network path.'),
  failure: z
    .enum(['fast', 'timeout'])
    .optional()
    .describe('Edge faults: how a failing call fails. fast: refused at once (connection refused; the default). timeout: no answer, the caller waits its whole timeout (a blackhole).'),
  scope: variedNumber(z.number().gt(0).max(1))
    .optional()
    .describe('The share of keys (products, users, shards) the fault hits. A request for a hit key fails on every retry; the others are untouched. May vary by seed.'),
  at: variedDuration(duration)
    .optional()
    .describe('When the fault starts; may vary by seed ("5m ± 2m"). Omit it for a fault that only a trigger starts, or (with no trigger either) one that only the facilitator injects.'),
  trigger: z
    .strictObject({
      action: z.enum(ACTION_TYPES),
      target: id,
      whileFault: id.optional().describe('Only trigger while this other fault is active.'),
    })
    .optional()
    .describe('Start this fault when a responder completes the named action.'),
  for: variedDuration(duration).optional().describe('The fault heals by itself after this long. Omit it for a fault that needs a fix. May vary by seed.'),
  rampUp: variedDuration(duration).prefault('0s').describe('The effect grows linearly to full strength over this time. May vary by seed.'),
  effect: faultEffectSchema,
  change: z
    .strictObject({
      summary: z.string(),
      author: z.string().default('deploy-bot'),
      service: id.optional().describe('The service the change is announced on, when it is not the one it hurts (a flag service whose flip breaks checkout).'),
    })
    .optional()
    .describe('Announces a visible change (deploy, config push) when the fault starts: the clue responders can find.'),
  rootCause: z.boolean().default(false),
  facilitator: z.strictObject({ note: note.optional() }).optional(),
});

export const alertSchema = z.strictObject({
  id,
  name: z.string().optional(),
  service: id.optional(),
  journey: id.optional(),
  topic: id.optional().describe('A topic (asynchronous edge): watch its lag or lagSeconds.'),
  metric: z
    .enum(METRICS)
    .describe(
      'lag (unconsumed messages) and lagSeconds (age of the oldest one) apply to a topic only; burnRate (the error rate over the error budget, 1 − slo.target) to a journey only, with `windows`.',
    ),
  windows: z
    .strictObject({
      long: duration.describe('The long window: the burn is significant.'),
      short: duration.describe('The short window: the burn is still going on.'),
    })
    .optional()
    .describe('For metric burnRate: the alert breaches while the burn rate over both windows is above the threshold (for example 14.4 over 1h and 5m).'),
  op: z.enum(['>', '<']).default('>'),
  threshold: z.number().finite(),
  for: duration.prefault('0s').describe('The condition must hold this long before the alert fires.'),
  severity: z.enum(ALERT_SEVERITIES),
  facilitator: z.strictObject({ redHerring: z.boolean().default(false), note: note.optional() }).optional(),
});

const logRuleSchema = z.strictObject({
  service: id,
  whenFault: id.optional().describe('Shown only while this fault is active; omit for lines shown when none is.'),
  lines: z.array(z.string()).min(1),
});

const proposalSchema = z.strictObject({ type: z.enum(ACTION_TYPES), target: id });

/** A calendar date, or a month: `2025-06` or `2025-06-14`. Compared as text after a month becomes its first day. */
const calendarDate = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/, 'write a date as YYYY-MM or YYYY-MM-DD')
  .describe('A date, YYYY-MM or YYYY-MM-DD (the real-world calendar, not simulated time).');

/** `2025-06` sorts as `2025-06-01`: a month is its first day, so comparing the text orders the dates. */
export const dayOf = (date: string): string => (date.length === 7 ? `${date}-01` : date);

const wikiPageSchema = z.strictObject({
  id,
  title: z.string().min(1),
  body: z.string().min(1).describe('The page as responders read it when they open it; the assistant answers from it.'),
  services: z.array(id).min(1).describe('The services the page is about. It is stale when an architecture change touches one of them after its last edit.'),
  edited: calendarDate.describe('When the page was last edited.'),
  proposes: proposalSchema.optional().describe('The action the page tells readers to take; the assistant proposes it when it cites the page.'),
  change: id.optional().describe('The change (an id in `changes`) the page tells readers to make; the assistant proposes it when it cites the page.'),
  history: z
    .array(z.strictObject({ edited: calendarDate, summary: z.string(), by: z.string().optional() }))
    .default([])
    .describe('Earlier edits, oldest first, for page-history; the last edit is `edited`.'),
});

const architectureChangeSchema = z.strictObject({
  date: calendarDate.describe('When the change was made.'),
  summary: z.string().min(1).describe('What changed, e.g. "Pricing moved to the regional rules engine".'),
  services: z.array(id).min(1).describe('The services it changed: wiki pages about them, edited before this date, are stale.'),
});

/**
 * A change a responder can propose (the change window): what it says, and what it does once it
 * deploys. Responders see the summary; the fault it starts is the facilitator's secret.
 */
export const changeSchema = z.strictObject({
  id,
  service: id.describe('The service the change is made to. On a critical-tier service, with controlled friction on, a second participant must approve it.'),
  summary: z.string().min(1).describe('What the change does, as the review request shows it (diff-like).'),
  fault: id.optional().describe('The fault that starts when the change deploys (its root cause). Omit it for a safe change.'),
  facilitator: z.strictObject({ note: note.optional() }).optional(),
});

/** The work the team is asked to do before the incident, and what the on-call does if nobody takes it up. */
export const taskSchema = z.strictObject({
  title: z.string().min(1).describe('e.g. "Apply the regional rounding rule before the sale".'),
  text: z.string().min(1).describe('The request as the team receives it.'),
  deadline: variedDuration(duration).describe('When the change must be live (the sale starts). May vary by seed.'),
  pushes: id.describe('The change (in `changes`) the on-call pushes on their own at the deadline when nobody has proposed any change: the untreated path.'),
  by: z.string().min(1).default('on-call').describe('Who pushes it at the deadline.'),
});

const adviceSchema = z.strictObject({
  id,
  at: variedDuration(duration).describe('When the advice is posted; may vary by seed.'),
  when: z
    .strictObject({
      alert: id.optional().describe('Only while this alert fires: from `at`, the advice waits until it does.'),
      beforeMitigation: z.boolean().default(false).describe('Never once the incident is mitigated: advice whose moment has passed is not shown.'),
    })
    .optional()
    .describe('A condition: advice that answers a symptom appears only while the symptom is there.'),
  source: z.enum(ADVICE_SOURCES),
  title: z.string().optional(),
  text: z.string(),
  proposes: proposalSchema.optional(),
  facilitator: z.strictObject({ label: z.enum(ADVICE_LABELS), note: note.optional() }),
});

export const actionSchema = z.strictObject({
  id: id.optional().describe('Defaults to "<type>:<target>".'),
  type: z.enum(ACTION_TYPES),
  target: id,
  duration: variedDuration(duration).prefault('1m').describe('How long the action takes before its effect lands. May vary by seed.'),
  approval: z.boolean().default(false).describe('Controlled friction: a second responder must approve it first.'),
  resolves: z.array(id).default([]).describe('Faults that end when the action completes.'),
  dependency: id.optional().describe('breaker and flag: the dependency of the target that is cut off.'),
  capacityFactor: positive.optional().describe('scale: multiplies the capacity of the target.'),
  shed: fraction.optional().describe('drain: the share of incoming traffic rejected early to protect the target.'),
  retries: z.number().int().min(0).max(10).optional().describe('retry-policy: the new number of retries on the dependency.'),
  retryBudget: fraction.optional().describe('retry-policy: the retry budget to set on the dependency.'),
  retryThrottle: retryThrottleSchema.optional().describe('retry-policy: the token-bucket retry throttling to set on the dependency.'),
  adaptiveThrottle: adaptiveThrottleSchema.optional().describe('retry-policy: the client-side adaptive throttling to set on the dependency.'),
  description: z.string().optional(),
  facilitator: z.strictObject({ note: note.optional() }).optional(),
});

const objectivesSchema = z.strictObject({
  ack: duration.describe('Target time from the first page to acknowledgement.'),
  declare: duration.describe('Target time from impact start to a declared severity.'),
  diagnose: duration.optional().describe('Target time from impact start to a diagnosis of the root-cause service.'),
  mitigate: duration.describe('Target time from impact start until every journey is back within its SLO.'),
  resolve: duration.describe('Target time from impact start to the incident being resolved.'),
  stable: duration
    .prefault('5m')
    .describe('Mitigated means every journey has stayed within its SLO this long; the milestone is the start of that stretch.'),
});

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  id,
  title: z.string(),
  briefing: z.string().describe('What responders are told before the drill starts.'),
  facilitator: z
    .strictObject({
      notes: note.optional(),
      rootCause: id.optional().describe('The fault that is the root cause.'),
      expectedSeverity: z.number().int().min(1).max(4).default(1),
    })
    .prefault({}),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  tick: duration
    .prefault('10s')
    .describe('Simulated time between telemetry samples, alert evaluations and events. The physics itself runs in fixed steps of 2 s (of the tick, if shorter).'),
  traffic: z
    .strictObject({
      startAt: z
        .string()
        .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'write a time of day as HH:MM')
        .default('14:00')
        .describe('The time of day at which the drill starts.'),
      dailyAmplitude: fraction
        .default(0)
        .describe('The daily shape: traffic swings by this share around its mean over 24 hours (0 = flat).'),
      peakAt: z
        .string()
        .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'write a time of day as HH:MM')
        .default('20:00')
        .describe('The time of day of the daily peak.'),
      correlation: duration
        .prefault('10m')
        .describe('Time constant of the traffic noise: how long a random swing lasts (an AR(1) process).'),
      level: variedNumber(positive)
        .default(1)
        .describe('Multiplies every journey\'s and every service\'s traffic: a quiet or a busy day. Usually varied by seed, e.g. {min: 0.85, max: 1.15}.'),
    })
    .prefault({})
    .describe('The shape of customer traffic. Journey and background rates are the rates at the drill start.'),
  duration: duration.describe('How long the scenario runs when nobody fixes anything.'),
  services: z.array(serviceSchema).min(1),
  journeys: z.array(journeySchema).min(1),
  faults: z.array(faultSchema).min(1),
  alerts: z.array(alertSchema).default([]),
  logs: z.array(logRuleSchema).default([]),
  advice: z.array(adviceSchema).default([]),
  wiki: z
    .array(wikiPageSchema)
    .default([])
    .describe('The internal wiki the assistant retrieves from. Which pages are stale is derived from `architecture`, never labelled.'),
  architecture: z
    .array(architectureChangeSchema)
    .default([])
    .describe('Dated changes to the system (real-world dates). A wiki page edited before a change to one of its services is stale.'),
  actions: z.array(actionSchema).default([]),
  changes: z
    .array(changeSchema)
    .default([])
    .describe('Changes responders can propose with propose-change (a change window): the assistant proposes one when it cites a page that names it.'),
  task: taskSchema.optional().describe('A change window before the incident: the task, its deadline, and the change the on-call pushes if nobody acts.'),
  controlledFriction: z
    .enum(['on', 'off'])
    .default('on')
    .describe('on: changes to critical-tier services and actions marked `approval` wait for a second participant. off: "before the policy": they go ahead at once. A facilitator can switch it per drill.'),
  objectives: objectivesSchema,
  scoring: z
    .strictObject({
      statusCadence: duration.prefault('20m').describe('Status updates are due at least this often during the incident.'),
      weights: z
        .strictObject({
          acknowledge: nonNegative.optional(),
          declare: nonNegative.optional(),
          diagnose: nonNegative.optional(),
          mitigate: nonNegative.optional(),
          resolve: nonNegative.optional(),
          impact: nonNegative.optional(),
          conduct: nonNegative.optional(),
        })
        .optional()
        .describe('Weights of the score components; each one left out keeps its default (see docs/scoring.md).'),
    })
    .prefault({}),
});

/** A scenario as its file says it, after validation: varied fields are still ranges and choices. */
export type ScenarioSpec = z.output<typeof scenarioSchema>;
/** A scenario as one session runs it: every varied field drawn for its seed (engine/core/variation.ts). */
export type Scenario = Resolved<ScenarioSpec>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type JourneyDef = Scenario['journeys'][number];
export type AlertDef = Scenario['alerts'][number];
export type AdviceDef = Scenario['advice'][number];
export type ActionDef = Scenario['actions'][number];
export type WikiPage = Scenario['wiki'][number];
export type ArchitectureChange = Scenario['architecture'][number];
export type FaultDef = Scenario['faults'][number];
export type ChangeDef = Scenario['changes'][number];
export type ActionType = (typeof ACTION_TYPES)[number];
