/**
 * Read models on the wire: what a client is sent to draw the console without the event history
 * (a snapshot), what only the facilitator may see, and one tick's telemetry. The engine builds them
 * (engine/core/read/); the server sends them; the UI draws them.
 *
 * Each is a zod schema (the wire documents in docs/ are generated from them) and its TypeScript type
 * is derived from it. The UI imports the types only, so zod never reaches the browser bundle.
 */
import { z } from 'zod';
import { actionSchema, alertSchema, changeSchema, scenarioSchema, serviceSchema, taskSchema } from './scenario.ts';

const serviceSampleSchema = z.object({
  id: z.string(),
  state: z.string().describe('healthy, degraded, down or recovering'),
  rps: z.number(),
  errorRate: z.number(),
  p50Ms: z.number(),
  p99Ms: z.number(),
  saturation: z.number().describe('Offered load ÷ what the workers can complete now; above 1 the backlog grows.'),
  backlog: z.number().describe('Requests waiting for a worker at the end of the tick.'),
});

const journeySampleSchema = z.object({
  id: z.string(),
  inSlo: z.boolean(),
  rps: z.number(),
  errorRate: z.number(),
  p99Ms: z.number(),
});

const topicSampleSchema = z.object({
  id: z.string(),
  from: z.string().describe('The producer.'),
  to: z.string().describe('The consumer.'),
  rps: z.number().describe('Messages published per second.'),
  consumed: z.number().describe('Messages consumed successfully per second.'),
  lag: z.number().describe('Messages published and not yet consumed.'),
  lagSeconds: z.number().describe('Age of the oldest unconsumed message, in seconds (lag ÷ publish rate).'),
});

/** Live telemetry for one tick; streamed, never logged (replay derives it again). */
export const metricsSampleSchema = z
  .object({
    t: z.number(),
    services: z.array(serviceSampleSchema),
    journeys: z.array(journeySampleSchema),
    topics: z.array(topicSampleSchema).describe('One per asynchronous edge; empty when the scenario has none.'),
  })
  .describe("Telemetry for one tick; streamed, never logged (replay derives it again).");

const numbers = z.array(z.number());
/**
 * The charts' telemetry for the last ticks (at most CHART_HISTORY_SAMPLES), column by column: `t[i]`
 * and every series' `[i]` are one tick, the same numbers each live `sample` carried, so a client that
 * joins late draws what one that was there all along drew, point for point (CHART_HISTORY_SAMPLES in
 * messages.ts bounds it). Only what the charts
 * draw: a service's rate, errors, p99 and saturation; a journey's rate, errors and p99; a topic's
 * rate and lag in seconds.
 */
export const metricsHistorySchema = z
  .object({
    t: numbers,
    services: z.array(z.object({ id: z.string(), rps: numbers, errorRate: numbers, p99Ms: numbers, saturation: numbers })),
    journeys: z.array(z.object({ id: z.string(), rps: numbers, errorRate: numbers, p99Ms: numbers })),
    topics: z.array(z.object({ id: z.string(), rps: numbers, lagSeconds: numbers })),
  })
  .describe("The charts' telemetry for the last ticks, as columns.");

export const drillSnapshotSchema = z
  .object({
    now: z.number(),
    phase: z.string().describe('ready, running, paused or ended'),
    incident: z.object({
      state: z.string(),
      severity: z.number().nullable(),
      acknowledged: z.boolean(),
      roles: z.record(z.string(), z.string()),
    }),
    firingAlerts: z.array(z.object({ alert: z.string(), name: z.string(), severity: z.string() })),
    pendingApprovals: z.array(
      z.object({
        request: z.string(),
        action: z.string(),
        target: z.string(),
        by: z.string(),
        byId: z.string().optional().describe("The requester's participant id, in live drills (approvals compare ids, not names)."),
        requestedAt: z.number(),
      }),
    ),
    changes: z
      .array(
        z.object({
          change: z.string(),
          service: z.string(),
          summary: z.string(),
          status: z.enum(['pending', 'denied', 'deployed']),
          by: z.string(),
          byId: z.string().optional().describe("The proposer's participant id, in live drills (reviews compare ids, not names)."),
          proposedAt: z.number(),
          page: z.string().optional().describe('The wiki page it cites.'),
          review: z.boolean().describe('Whether it waits (or waited) for a second participant.'),
        }),
      )
      .describe('Proposed changes (the change window), in the order proposed.'),
    runningActions: z.array(
      z.object({ action: z.string(), kind: z.string(), target: z.string(), by: z.string(), startedAt: z.number(), duration: z.number() }),
    ),
    inForce: z
      .record(z.string(), z.number().int().positive())
      .describe('Completed actions whose effect is in force (scale, drain, breaker, flag), and how many times: scales stack.'),
    adviceShown: z.array(z.string()),
    totals: z.object({ failed: z.number(), lost: z.number() }),
    metrics: metricsSampleSchema,
  })
  .describe("The drill's state at one moment: enough to draw the console without the event history.");

/** A fault's first target, and all of them only when it has several (as in the fault.started event). */
const faultTargetShape = { target: z.string(), targets: z.array(z.string()).optional() };

export const facilitatorViewSchema = z
  .object({
    activeFaults: z.array(z.object({ fault: z.string(), ...faultTargetShape, startedAt: z.number() })),
    upcomingInjects: z.array(z.object({ fault: z.string(), ...faultTargetShape, at: z.number() })),
    adviceLabels: z.record(z.string(), z.string()),
    wiki: z
      .array(z.object({ page: z.string(), title: z.string(), edited: z.string(), stale: z.boolean(), reason: z.string().nullable() }))
      .describe("Each wiki page's staleness, derived from the scenario's architecture changes, with why: for the facilitator only."),
    changeFaults: z
      .record(z.string(), z.string().nullable())
      .describe('For each change responders can propose: the fault deploying it starts (null: a safe change).'),
    taskPushes: z.string().nullable().describe('The change the on-call pushes alone at the task\'s deadline if nobody proposes one; null without a task.'),
    variation: z
      .record(z.string(), z.union([z.number(), z.string(), z.array(z.string())]))
      .describe("What this drill's seed drew for the scenario's varied fields, by path (durations in ms); empty when nothing varies."),
  })
  .describe('The hidden state only the facilitator sees.');

/**
 * The scenario as responders and observers may see it: the system, the journeys, the alerts and the
 * actions they can take, but not the faults, the advice, the log rules, which faults an action
 * resolves, or anything under `facilitator`.
 */
const s = scenarioSchema.shape;
export const publicScenarioSchema = z
  .object({
    id: s.id,
    title: s.title,
    briefing: s.briefing,
    tick: s.tick,
    duration: s.duration,
    services: z.array(serviceSchema.omit({ facilitator: true })),
    // As one session runs it: what the seed drew, never the ranges (those are the facilitator's).
    journeys: z.array(s.journeys.element.extend({ rps: z.number().describe('Customer requests per second at the drill start, as this drill draws it.') })),
    alerts: z.array(alertSchema.omit({ facilitator: true })),
    actions: z.array(actionSchema.omit({ resolves: true, facilitator: true }).extend({ duration: z.number().describe('How long the action takes (ms), as this drill draws it.') })),
    objectives: s.objectives,
    scoring: s.scoring,
    controlledFriction: s.controlledFriction,
    // What a change says, never the fault it starts.
    changes: z.array(changeSchema.omit({ fault: true, facilitator: true })),
    task: taskSchema
      .omit({ pushes: true })
      .extend({ deadline: z.number().describe('When the change must be live (ms), as this drill draws it.') })
      .nullable()
      .describe('The change window\'s task; null when the scenario has none.'),
  })
  .describe('The scenario without its hidden parts: no faults, advice, log rules, resolves, what changes break, or facilitator sections.');

export type MetricsSample = z.infer<typeof metricsSampleSchema>;
export type MetricsHistory = z.infer<typeof metricsHistorySchema>;
export type DrillSnapshot = z.infer<typeof drillSnapshotSchema>;
export type FacilitatorView = z.infer<typeof facilitatorViewSchema>;
export type PublicScenario = z.output<typeof publicScenarioSchema>;

/** True when a `facilitator` key sits anywhere in T. */
type HasFacilitator<T> = T extends readonly (infer U)[]
  ? HasFacilitator<U>
  : T extends object
    ? 'facilitator' extends keyof T
      ? true
      : { [K in keyof T]-?: HasFacilitator<T[K]> }[keyof T]
    : false;
/** Fails to compile if the public projection ever gains a hidden section. */
const _publicScenarioIsPublic: HasFacilitator<PublicScenario> extends false ? true : never = true;
