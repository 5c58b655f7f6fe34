/**
 * The HTTP API (documented in docs/protocol.md). Public endpoints never return facilitator-only
 * information: the scenario projection has no faults, advice or labels, the drill listing has only
 * public fields, and a running drill's log is served only to its facilitator. Once a drill has
 * ended, any participant's credential opens its log, score and report.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Registry as PromRegistry } from 'prom-client';
import { existsSync } from 'node:fs';
import { publicScenario } from '../core/read/visibility.ts';
import type { Campaign, CampaignLeaderboard, CreateCampaignResponse, Leaderboard, ScenarioDetail, ScenarioList, ServerInfo, SessionPage, TeamHistory, ValidationResult } from '../protocol/messages.ts';
import { REQUEST_ERRORS, inviteRequestSchema, leaderboardQuerySchema, sessionPageQuerySchema } from '../protocol/http.ts';
import { buildOpenApi } from '../protocol/openapi.ts';
import type { DrillView } from './archive.ts';
import { serveDocs } from './docs.ts';
import { campaignView, createCampaign } from './campaigns.ts';
import type { Catalog } from './catalog.ts';
import { listing } from './catalog.ts';
import type { ServerConfig } from './config.ts';
import { SEED_CHOICE_STATUS, type DifficultyCache } from './difficulty-cache.ts';
import { bearerToken, hashToken, safeEqual } from './credentials.ts';
import { configuredIntegrations } from './integrations/config.ts';
import { INBOUND_INTEGRATIONS, checkInboundSecret } from './integrations/inbound.ts';
import { pagerdutyAcknowledgement } from './integrations/pagerduty-inbound.ts';
import type { LiveDrill } from './drill.ts';
import { KeyedBuckets } from './limits.ts';
import { requestLogger, sendError, type Logger } from './logger.ts';
import { checkOrigin, type OriginPolicy } from './origin.ts';
import type { Caller, Registry } from './registry.ts';
import { sendReplay } from './replay.ts';
import { REPORT_TYPES, reportFormat, type ReportKind } from './reports.ts';
import { metricsRoute } from './prometheus/route.ts';
import { appSecurity, reportSecurity } from './security.ts';
import type { ValidationPool } from './validate-pool.ts';
import { resolveScenario } from '../core/variation.ts';

export interface HttpDeps {
  registry: Registry;
  catalog: Catalog;
  difficulty: Pick<DifficultyCache, 'status'>;
  config: ServerConfig;
  nodeMajor: string;
  logger: Logger;
  validation: ValidationPool;
  /** Known once the server listens (the port may be chosen then). */
  originPolicy: () => OriginPolicy;
  /** What GET /metrics serves (prometheus/exporter.ts). */
  metrics: PromRegistry;
}

/** The OpenAPI document, generated from the zod schemas once, when first asked for. */
let openApiText: string | undefined;

function bearer(req: Request): string | undefined {
  return bearerToken(req.get('authorization'));
}

const bodyObject = (req: Request): Record<string, unknown> => (typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? req.body : {});

export function createHttpApp(deps: HttpDeps): express.Express {
  const { registry, catalog, difficulty, config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(requestLogger(logger));
  app.use(appSecurity());

  // Before the Host check: probes reach the server by whatever address they know, and it says nothing.
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  // Before the Host check too, which it applies itself when it is open (prometheus/route.ts).
  app.get('/metrics', metricsRoute({ registry: deps.metrics, token: config.metricsToken, originPolicy: deps.originPolicy }));

  app.use((req, res, next) => {
    const check = checkOrigin(deps.originPolicy(), { origin: req.get('origin'), host: req.get('host') });
    if (!check.ok) return sendError(res, 403, check.code, check.message);
    next();
  });

  app.get('/api/openapi.json', (_req, res) => {
    openApiText ??= JSON.stringify(buildOpenApi());
    res.type('application/json').send(openApiText);
  });

  app.get('/api/config', (_req, res) => {
    // Which integrations a drill may choose, by name: where they point and their keys stay here.
    res.json({ createNeedsAdminToken: config.adminToken !== null, integrations: configuredIntegrations(config.integrations) } satisfies ServerInfo);
  });

  // Each scenario with where the rating of its seeds by difficulty stands: the lobby polls this while one is computing.
  app.get('/api/scenarios', (_req, res) => {
    const scenarios = catalog.list().map((s) => ({ ...s, difficulty: difficulty.status(s.id) }));
    res.json({ scenarios, broken: catalog.broken() } satisfies ScenarioList);
  });

  app.get('/api/scenarios/:id', (req, res) => {
    const scenario = catalog.get(req.params.id);
    if (!scenario) return sendError(res, 404, 'unknown-scenario', `no scenario "${req.params.id}"`);
    // The system as the scenario's own seed draws it: ranges are the facilitator's secret.
    res.json({ ...listing(scenario), difficulty: difficulty.status(scenario.id), scenario: publicScenario(resolveScenario(scenario, scenario.seed).scenario) } satisfies ScenarioDetail);
  });

  // Parsing is the expensive part and runs on a worker (validate-pool.ts): a huge or hostile body
  // costs that worker a job, never a tick of a live drill.
  app.post('/api/scenarios/validate', express.text({ type: () => true, limit: '512kb' }), async (req, res) => {
    const text = typeof req.body === 'string' ? req.body : '';
    const file = typeof req.query.file === 'string' ? req.query.file.slice(0, 200) : 'scenario.yaml';
    const outcome = await deps.validation.validate(text, file);
    switch (outcome.kind) {
      case 'done':
        return void res.status(outcome.result.ok ? 200 : 422).json({ ok: outcome.result.ok, diagnostics: outcome.result.diagnostics } satisfies ValidationResult);
      case 'busy':
        res.set('Retry-After', '2');
        return sendError(res, 503, 'validator-busy', 'too many validations are waiting; try again in a moment');
      case 'timeout':
        return sendError(res, 422, 'validation-timeout', `validating this file took longer than ${config.validation.timeoutMs / 1000} s; split it or simplify it`);
      case 'out-of-memory':
        return sendError(res, 422, 'validation-too-large', `validating this file needed more than ${config.validation.maxOldGenerationMb} MB`);
      case 'failed':
        return sendError(res, 500, 'internal', 'the validator failed', new Error(outcome.message));
    }
  });

  /**
   * Creating drills: the admin token when one is set, then the caller's address's budget. The budget
   * is checked here and charged only for drills actually made, so a typo in a form costs nothing.
   */
  const creations = new KeyedBuckets(config.createRate);
  const budgetOf = (req: Request) => creations.get(req.ip ?? 'unknown', performance.now());
  const mayCreate = (req: Request, res: Response, count: number): boolean => {
    if (config.adminToken !== null) {
      const token = bearer(req);
      if (token === undefined || !safeEqual(hashToken(token), hashToken(config.adminToken))) {
        sendError(res, 401, 'admin-token-required', 'creating drills on this server needs its admin token (SEVDRILL_ADMIN_TOKEN) as a Bearer token');
        return false;
      }
    }
    const bucket = budgetOf(req);
    if (bucket.waitMs(performance.now(), count) > 0) {
      const wait = Math.max(1, Math.ceil(bucket.waitMs(performance.now(), count) / 1000));
      res.set('Retry-After', String(wait));
      sendError(res, 429, 'too-many-creations', `this address may create ${config.createRate.burst} drills a minute (SEVDRILL_CREATE_PER_MINUTE); try again in ${wait} s`);
      return false;
    }
    return true;
  };

  app.post('/api/sessions', express.json({ limit: '64kb' }), (req, res) => {
    if (!mayCreate(req, res, 1)) return;
    const result = registry.create(bodyObject(req), new Date());
    if (!result.ok) {
      if (result.code === 'difficulty-not-ready') res.set('Retry-After', '5');
      return sendError(res, createFailureStatus(result.code), result.code, result.message);
    }
    budgetOf(req).take(performance.now());
    res.status(201).json(result.created);
  });

  app.get('/api/sessions', (req, res) => {
    const query = sessionPageQuerySchema.safeParse({ limit: req.query.limit, before: req.query.before });
    if (!query.success) {
      const { code, message } = query.error.issues.some((i) => i.path[0] === 'limit') ? REQUEST_ERRORS.limit : REQUEST_ERRORS.before;
      return sendError(res, 400, code, message);
    }
    const before = query.data.before === undefined ? null : decodeCursor(query.data.before);
    if (before === undefined) return sendError(res, 400, REQUEST_ERRORS.before.code, REQUEST_ERRORS.before.message);
    const page = registry.page(query.data.limit ?? 20, before);
    res.json({ sessions: page.sessions, next: page.next ? encodeCursor(page.next) : null } satisfies SessionPage);
  });

  const withView = (req: Request, res: Response): DrillView | undefined => {
    const drill = registry.view(String(req.params.id));
    if (!drill) sendError(res, 404, 'unknown-session', `no session "${String(req.params.id)}"`);
    return drill;
  };

  /** The facilitator's own requests about a live drill: their token as a Bearer token. */
  const asFacilitator = (req: Request, res: Response): { drill: LiveDrill; token: string } | undefined => {
    const id = String(req.params.id);
    const drill = registry.get(id);
    const token = bearer(req);
    if (!drill) {
      if (registry.archived(id)) sendError(res, 410, 'drill-archived', 'this drill has ended and is archived');
      else sendError(res, 404, 'unknown-session', `no session "${id}"`);
      return undefined;
    }
    if (token === undefined || registry.authenticate(drill, token)?.role !== 'facilitator') {
      sendError(res, 401, 'unauthorized', 'send the facilitator token as a Bearer token');
      return undefined;
    }
    return { drill, token };
  };

  app.get('/api/sessions/:id', (req, res) => {
    const id = String(req.params.id);
    const summary = registry.publicSummary(id);
    if (!summary) return sendError(res, 404, 'unknown-session', `no session "${id}"`);
    const drill = registry.get(id);
    const token = bearer(req);
    if (drill && token !== undefined && registry.authenticate(drill, token)?.role === 'facilitator') return void res.json(drill.summary(summary));
    res.json(summary);
  });

  /** The facilitator may always read; other participants once the drill has ended (debrief). */
  const debriefAccess = (req: Request, res: Response, drill: DrillView): Caller | null => {
    const credential = bearer(req) ?? (typeof req.query.code === 'string' ? req.query.code : undefined);
    const caller = credential === undefined ? null : registry.authenticate(drill, credential);
    if (caller && (caller.role === 'facilitator' || drill.status !== 'live')) return caller;
    sendError(
      res,
      caller ? 403 : 401,
      caller ? 'drill-running' : 'unauthorized',
      caller ? 'this opens to participants once the drill has ended' : 'send the facilitator token as a Bearer token, or a participant token or code once the drill has ended',
    );
    return null;
  };

  app.get('/api/sessions/:id/log', (req, res) => {
    const drill = withView(req, res);
    if (!drill || !debriefAccess(req, res, drill)) return;
    res.type('application/x-ndjson').send(drill.logText(deps.nodeMajor));
  });

  /** The log as the reader may see it, plus every tick's telemetry re-derived from it (the replay screen): built on the report worker and cached (reports.ts). */
  app.get('/api/sessions/:id/replay', async (req, res) => {
    const drill = withView(req, res);
    const caller = drill && debriefAccess(req, res, drill);
    if (!drill || !caller) return;
    let gzipped: Buffer;
    try {
      gzipped = await registry.reports.replay(drill, caller.role);
    } catch (error) {
      return sendError(res, 503, 'report-unavailable', 'the replay could not be computed just now; try again', error);
    }
    sendReplay(req, res, gzipped);
  });

  /** The scorecard and the report are computed on a worker and cached once the drill has stopped (reports.ts). */
  const sendReport = async (res: Response, drill: DrillView, kind: ReportKind): Promise<void> => {
    let body: string;
    try {
      body = await registry.reports.get(drill, kind);
    } catch (error) {
      return sendError(res, 503, 'report-unavailable', 'the report could not be computed just now; try again', error);
    }
    res.type(REPORT_TYPES.get(kind) ?? 'text/plain').send(body);
  };

  app.get('/api/sessions/:id/score', async (req, res) => {
    const drill = withView(req, res);
    if (!drill || !debriefAccess(req, res, drill)) return;
    await sendReport(res, drill, 'score');
  });

  app.get('/api/sessions/:id/report', reportSecurity(), async (req, res) => {
    const drill = withView(req, res);
    if (!drill || !debriefAccess(req, res, drill)) return;
    const format = reportFormat(typeof req.query.format === 'string' ? req.query.format : 'html');
    if (!format) return sendError(res, 400, 'bad-format', 'format must be html, md or json');
    await sendReport(res, drill, format);
  });

  app.get('/api/sessions/:id/scenario', (req, res) => {
    const drill = withView(req, res);
    if (!drill) return;
    const token = bearer(req);
    if (token === undefined || registry.authenticate(drill, token)?.role !== 'facilitator') return sendError(res, 401, 'unauthorized', 'facilitator token required');
    res.json(drill.scenario);
  });

  app.post('/api/sessions/:id/invites', express.json({ limit: '4kb' }), (req, res) => {
    const f = asFacilitator(req, res);
    if (!f) return;
    const body = inviteRequestSchema.safeParse(bodyObject(req));
    if (!body.success) return sendError(res, 400, REQUEST_ERRORS.name.code, REQUEST_ERRORS.name.message);
    const result = registry.invite(f.drill, body.data.name, f.token);
    if (!result.ok) return sendError(res, result.code === 'name-taken' ? 409 : 400, result.code, result.message);
    res.status(201).json(result.invite);
  });

  app.get('/api/sessions/:id/invites', (req, res) => {
    const f = asFacilitator(req, res);
    if (f) res.json({ invites: registry.invites(f.drill, f.token) });
  });

  app.get('/api/sessions/:id/participants', (req, res) => {
    const f = asFacilitator(req, res);
    if (f) res.json({ participants: f.drill.roster.entries() });
  });

  app.delete('/api/sessions/:id/participants/:participantId', (req, res) => {
    const f = asFacilitator(req, res);
    if (!f) return;
    const result = registry.removeParticipant(f.drill, String(req.params.participantId));
    // Removing the facilitator is refused by rule, not because the request was malformed: 403.
    if (!result.ok) return sendError(res, result.code === 'unknown-participant' ? 404 : result.code === 'forbidden' ? 403 : 400, result.code, result.message);
    res.json({ ok: true, participants: f.drill.roster.entries() });
  });

  /**
   * A team's own tool acknowledging a drill page (integrations/inbound.ts). The drill's inbound secret
   * is checked before the body is read: without it, nothing is parsed.
   */
  const asInbound = (req: Request, res: Response, next: NextFunction): void => {
    const id = String(req.params.id);
    const integration = String(req.params.integration);
    const drill = registry.get(id);
    if (!drill) {
      if (registry.archived(id)) return sendError(res, 410, 'drill-archived', 'this drill has ended and is archived');
      return sendError(res, 404, 'unknown-session', `no session "${id}"`);
    }
    if (!(INBOUND_INTEGRATIONS as readonly string[]).includes(integration)) {
      return sendError(res, 404, 'unknown-inbound', `nothing acknowledges at "${integration.slice(0, 64)}": PagerDuty posts to …/inbound/pagerduty, and Alertmanager acknowledges through its silences (docs/integrations.md)`);
    }
    if (!checkInboundSecret(drill, bearer(req))) return sendError(res, 401, 'unauthorized', "send the drill's inbound secret (the facilitator's Integrations panel) as a Bearer token");
    if (!(drill.record.integrations ?? []).includes('pagerduty')) return sendError(res, 409, 'integration-off', 'this drill does not send to PagerDuty, so nothing of it can be acknowledged there');
    res.locals.drill = drill;
    next();
  };

  app.post('/api/sessions/:id/inbound/:integration', asInbound, express.json({ limit: '64kb', type: () => true }), (req, res) => {
    const reply = pagerdutyAcknowledgement(res.locals.drill as LiveDrill, req.body, logger);
    if ('error' in reply) return sendError(res, reply.status, reply.error.code, reply.error.message);
    res.status(reply.status).json(reply.body);
  });

  // Before the scenario's leaderboard, whose `:scenarioId` would take "campaigns" (no scenario can be reached by that id here).
  app.get('/api/leaderboard/campaigns', async (_req, res) => {
    await registry.settledScores((d) => registry.leaderboard.meta(d.sessionId).campaignId !== null);
    res.json({ campaigns: registry.leaderboard.campaignStandings() } satisfies CampaignLeaderboard);
  });

  app.get('/api/leaderboard/:scenarioId', async (req, res) => {
    const scenarioId = String(req.params.scenarioId);
    if (!catalog.get(scenarioId)) return sendError(res, 404, 'unknown-scenario', `no scenario "${scenarioId}"`);
    // `?seed=abc` (or a repeated seed) is a mistake to report, not a filter that matches nothing.
    const query = leaderboardQuerySchema.safeParse({ seed: req.query.seed });
    if (!query.success) return sendError(res, 400, REQUEST_ERRORS.seed.code, REQUEST_ERRORS.seed.message);
    const seed = query.data.seed === undefined ? undefined : Number(query.data.seed);
    // A drill that has just ended is scored on the report worker: wait for it, so that it is listed.
    await registry.settledScores((d) => d.scenarioId === scenarioId);
    const groups = registry.leaderboard.forScenario(scenarioId).filter((g) => seed === undefined || g.seed === seed);
    res.json({ scenarioId, seeds: groups } satisfies Leaderboard);
  });

  app.get('/api/teams/:team', async (req, res) => {
    const team = String(req.params.team);
    await registry.settledScores((d) => d.team === team);
    res.json({ team, history: registry.leaderboard.forTeam(team) } satisfies TeamHistory);
  });

  app.post('/api/campaigns', express.json({ limit: '64kb' }), (req, res) => {
    const body = bodyObject(req);
    const list = Array.isArray(body.drills) ? body.drills : body.scenarioIds;
    const count = Array.isArray(list) ? Math.max(1, list.length) : 1;
    if (!mayCreate(req, res, count)) return;
    const result = createCampaign(registry, body, new Date());
    if (!result.ok) {
      if (result.code === 'difficulty-not-ready') res.set('Retry-After', '5');
      return sendError(res, createFailureStatus(result.code), result.code, result.message);
    }
    budgetOf(req).take(performance.now(), result.drills.length);
    res.status(201).json({ campaignId: result.campaignId, drills: result.drills } satisfies CreateCampaignResponse);
  });

  app.get('/api/campaigns/:id', async (req, res) => {
    const id = String(req.params.id);
    const asked = registry.leaderboard.campaign(id);
    if (!asked) return sendError(res, 404, 'unknown-campaign', `no campaign "${id}"`);
    // Its drills that have just ended are being scored: wait for them, as the leaderboard does.
    const members = new Set(asked.sessionIds);
    await registry.settledScores((d) => members.has(d.sessionId));
    const campaign = campaignView(registry, id);
    if (!campaign) return sendError(res, 404, 'unknown-campaign', `no campaign "${id}"`);
    res.json(campaign satisfies Campaign);
  });

  // The guides the report links to, as pages a browser can open (docs.ts).
  serveDocs(app);

  if (existsSync(config.uiDir)) app.use(express.static(config.uiDir, { index: 'index.html' }));

  app.use('/api', (_req, res) => sendError(res, 404, 'not-found', 'no such endpoint'));
  // The app is one page (routes live after '#'): any other path is a coded 404, like the API's.
  app.use((_req, res) => sendError(res, 404, 'not-found', 'no such page; the app is at /'));
  // Malformed bodies, oversized payloads and anything unexpected become JSON errors, never a crash.
  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = error.status ?? 500;
    const code = error.type === 'entity.too.large' ? 'payload-too-large' : error.type === 'entity.parse.failed' ? 'bad-json' : status >= 500 ? 'internal' : 'bad-request';
    sendError(res, status, code, status >= 500 ? 'internal error' : error.message, status >= 500 ? error : undefined);
  });
  return app;
}

/** A drill that could not be created: the server full or no seed for the difficulty yet (503), no seed of it at all (409), else a bad request. */
function createFailureStatus(code: string): number {
  if (code === 'too-many-open-drills') return 503;
  return (SEED_CHOICE_STATUS as Record<string, number | undefined>)[code] ?? 400;
}

/** Listing cursors are opaque to clients (so their meaning can change): the last row's position. */
const encodeCursor = (position: number): string => Buffer.from(`p${position}`).toString('base64url');

function decodeCursor(value: string): number | undefined {
  const match = /^p(\d{1,15})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}
