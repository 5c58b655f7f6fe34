/**
 * The HTTP API (documented in docs/protocol.md). Public endpoints never return facilitator-only
 * information: the scenario projection has no faults, advice or labels, and a running drill's log is
 * served only to its facilitator. Once a drill has ended, any participant's code opens the log.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { createHeader } from '../core/log.ts';
import { publicScenario } from '../core/visibility.ts';
import { renderHtml } from '../score/report-html.ts';
import { renderJson } from '../score/report-json.ts';
import { renderMarkdown } from '../score/report-markdown.ts';
import type { Scorecard } from '../score/scorecard.ts';
import { buildReport, type ReportModel } from '../score/timeline.ts';
import { loadScenarioText } from '../scenario/load.ts';
import type { Catalog } from './catalog.ts';
import { listing } from './catalog.ts';
import type { ServerConfig } from './config.ts';
import type { LiveDrill } from './drill.ts';
import { originAllowed } from './origin.ts';
import type { Registry } from './registry.ts';
import { ReplayCache } from './replay.ts';

export interface HttpDeps {
  registry: Registry;
  catalog: Catalog;
  config: ServerConfig;
  nodeMajor: string;
}

const REPORTS: Record<string, { type: string; fn: (card: Scorecard, report: ReportModel) => string }> = {
  html: { type: 'text/html', fn: renderHtml },
  md: { type: 'text/markdown', fn: renderMarkdown },
  json: { type: 'application/json', fn: renderJson },
};

const fail = (res: Response, status: number, code: string, message: string) => res.status(status).json({ ok: false, code, message });

function bearer(req: Request): string | undefined {
  const header = req.get('authorization');
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

export function createHttpApp(deps: HttpDeps): express.Express {
  const { registry, catalog, config } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    if (!originAllowed(req.get('origin'), req.get('host'), config.allowedOrigins)) return fail(res, 403, 'origin-not-allowed', 'this origin may not use the API');
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  app.get('/api/scenarios', (_req, res) => {
    res.json({ scenarios: catalog.list() });
  });

  app.get('/api/scenarios/:id', (req, res) => {
    const scenario = catalog.get(req.params.id);
    if (!scenario) return fail(res, 404, 'unknown-scenario', `no scenario "${req.params.id}"`);
    res.json({ ...listing(scenario), scenario: publicScenario(scenario) });
  });

  app.post('/api/scenarios/validate', express.text({ type: () => true, limit: '512kb' }), (req, res) => {
    const text = typeof req.body === 'string' ? req.body : '';
    const file = typeof req.query.file === 'string' ? req.query.file.slice(0, 200) : 'scenario.yaml';
    const result = loadScenarioText(text, file);
    res.status(result.ok ? 200 : 422).json({ ok: result.ok, diagnostics: result.diagnostics });
  });

  app.post('/api/sessions', express.json({ limit: '64kb' }), (req, res) => {
    const result = registry.create(typeof req.body === 'object' && req.body !== null ? req.body : {}, new Date());
    if (!result.ok) return fail(res, 400, result.code, result.message);
    res.status(201).json(result.created);
  });

  app.get('/api/sessions', (_req, res) => {
    res.json({ sessions: registry.list().map((d) => d.summary()) });
  });

  const withDrill = (req: Request, res: Response): LiveDrill | undefined => {
    const drill = registry.get(String(req.params.id));
    if (!drill) fail(res, 404, 'unknown-session', `no session "${String(req.params.id)}"`);
    return drill;
  };

  app.get('/api/sessions/:id', (req, res) => {
    const drill = withDrill(req, res);
    if (drill) res.json(drill.summary());
  });

  /** The facilitator may always read; other participants once the drill has ended (debrief). */
  const debriefAccess = (req: Request, res: Response, drill: LiveDrill): boolean => {
    const credential = bearer(req) ?? (typeof req.query.code === 'string' ? req.query.code : undefined);
    const role = credential === undefined ? null : registry.authenticate(drill, { token: credential, code: credential });
    if (role === 'facilitator' || (role !== null && drill.status !== 'live')) return true;
    fail(
      res,
      role ? 403 : 401,
      role ? 'drill-running' : 'unauthorized',
      role ? 'this opens to participants once the drill has ended' : 'send the facilitator token as a Bearer token, or a participant code once the drill has ended',
    );
    return false;
  };

  app.get('/api/sessions/:id/log', (req, res) => {
    const drill = withDrill(req, res);
    if (!drill || !debriefAccess(req, res, drill)) return;
    res.type('application/x-ndjson').send(drill.logText(deps.nodeMajor));
  });

  /** The log as the reader may see it, plus every tick's telemetry re-derived from it (the replay screen). */
  const replays = new ReplayCache();
  app.get('/api/sessions/:id/replay', async (req, res) => {
    const drill = withDrill(req, res);
    if (!drill || !debriefAccess(req, res, drill)) return;
    const credential = bearer(req) ?? String(req.query.code);
    await replays.send(req, res, drill, registry.authenticate(drill, { token: credential, code: credential }) ?? 'observer');
  });

  app.get('/api/sessions/:id/score', (req, res) => {
    const drill = withDrill(req, res);
    if (!drill || !debriefAccess(req, res, drill)) return;
    res.json(registry.leaderboard.scorecard(drill.id) ?? registry.scorecard(drill));
  });

  app.get('/api/sessions/:id/report', (req, res) => {
    const drill = withDrill(req, res);
    if (!drill || !debriefAccess(req, res, drill)) return;
    const format = typeof req.query.format === 'string' ? req.query.format : 'html';
    const render = REPORTS[format];
    if (!render) return fail(res, 400, 'bad-format', 'format must be html, md or json');
    const header = createHeader(drill.scenario, drill.record.seed, deps.nodeMajor);
    const card = registry.scorecard(drill);
    res.type(render.type).send(render.fn(card, buildReport(header, drill.session.events, card)));
  });

  app.get('/api/leaderboard/:scenarioId', (req, res) => {
    const scenarioId = String(req.params.scenarioId);
    if (!catalog.get(scenarioId)) return fail(res, 404, 'unknown-scenario', `no scenario "${scenarioId}"`);
    const seed = typeof req.query.seed === 'string' ? Number(req.query.seed) : undefined;
    const groups = registry.leaderboard.forScenario(scenarioId).filter((g) => seed === undefined || g.seed === seed);
    res.json({ scenarioId, seeds: groups });
  });

  app.get('/api/teams/:team', (req, res) => {
    const team = String(req.params.team);
    res.json({ team, history: registry.leaderboard.forTeam(team) });
  });

  app.post('/api/campaigns', express.json({ limit: '64kb' }), (req, res) => {
    const result = registry.createCampaign(typeof req.body === 'object' && req.body !== null ? req.body : {}, new Date());
    if (!result.ok) return fail(res, 400, result.code, result.message);
    res.status(201).json({ campaignId: result.campaignId, drills: result.drills });
  });

  app.get('/api/campaigns/:id', (req, res) => {
    const campaign = registry.leaderboard.campaign(String(req.params.id));
    if (!campaign) return fail(res, 404, 'unknown-campaign', `no campaign "${String(req.params.id)}"`);
    const drills = campaign.sessionIds.map((id) => registry.get(id)?.summary()).filter((d) => d !== undefined);
    res.json({ ...campaign, drills });
  });

  app.get('/api/sessions/:id/scenario', (req, res) => {
    const drill = withDrill(req, res);
    if (!drill) return;
    const token = bearer(req);
    if (token === undefined || registry.authenticate(drill, { token }) !== 'facilitator') return fail(res, 401, 'unauthorized', 'facilitator token required');
    res.json(drill.scenario);
  });

  if (existsSync(config.uiDir)) app.use(express.static(config.uiDir, { index: 'index.html' }));

  app.use('/api', (_req, res) => fail(res, 404, 'not-found', 'no such endpoint'));
  // Malformed bodies, oversized payloads and anything unexpected become JSON errors, never a crash.
  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = error.status ?? 500;
    const code = error.type === 'entity.too.large' ? 'payload-too-large' : error.type === 'entity.parse.failed' ? 'bad-json' : status >= 500 ? 'internal' : 'bad-request';
    fail(res, status, code, status >= 500 ? 'internal error' : error.message);
  });
  return app;
}
