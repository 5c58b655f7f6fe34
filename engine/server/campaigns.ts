/**
 * Campaigns: one team's "week" of drills, created together (all or none) and read back as the
 * campaign page needs them. Each drill is checked, planned and stored by the registry exactly as a
 * drill of `POST /api/sessions` is, so a campaign's drill obeys the same rules and error codes.
 */
import type { Campaign, CreateSessionResponse } from '../protocol/messages.ts';
import { MAX_CAMPAIGN_NAME_LENGTH, REQUEST_ERRORS, createCampaignRequestSchema, failedFields } from '../protocol/http.ts';
import { newSessionId } from './credentials.ts';
import type { Failure, PlannedDrill, Registry } from './registry.ts';

export type CampaignCreated = { ok: true; campaignId: string; drills: (CreateSessionResponse & { scenarioId: string })[] };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const failure = (error: { code: string; message: string }): Failure => ({ ok: false, ...error });

/**
 * A campaign from an untrusted request body (createCampaignRequestSchema). Problems are reported in a
 * fixed order, the first one only: team; the list (`scenarioIds` or `drills`: exactly one, of 1 to 20);
 * the campaign's seed and speed; each drill in turn, as `POST /api/sessions` checks one (scenario, seed,
 * difficulty, a seed and a difficulty both given); the server's capacity for all of them; then the seed
 * picked for each drill asked for by difficulty. Nothing is stored unless every drill can be.
 */
export function createCampaign(registry: Registry, body: unknown, now: Date): CampaignCreated | Failure {
  const parsed = createCampaignRequestSchema.safeParse(body);
  const failed = parsed.success ? new Set<string>() : failedFields(parsed.error);
  const raw = isObject(body) ? body : {};
  const given = (field: string) => raw[field] !== undefined && raw[field] !== null;
  if (failed.has('team')) return failure(REQUEST_ERRORS.campaignTeam);
  const byDrill = given('drills');
  if (byDrill && given('scenarioIds')) return failure(REQUEST_ERRORS.scenariosAndDrills);
  // The list itself (missing, empty, too long; with `drills`, an entry that is not an object) is `bad-scenarios`.
  const issues = parsed.success ? [] : parsed.error.issues;
  const drills: unknown[] = Array.isArray(raw.drills) ? raw.drills : [];
  if (byDrill && issues.some((i) => i.path[0] === 'drills' && (i.path.length === 1 || !isObject(drills[Number(i.path[1])])))) return failure(REQUEST_ERRORS.drills);
  if (!byDrill && (!given('scenarioIds') || issues.some((i) => i.path[0] === 'scenarioIds' && i.path.length === 1))) return failure(REQUEST_ERRORS.scenarioIds);
  for (const field of ['seed', 'speed'] as const) if (failed.has(field)) return failure(REQUEST_ERRORS[field]);
  const team = String(raw.team).trim();
  // Each drill as a `POST /api/sessions` body, checked by the same rules; a drill's own fields are named in its message.
  const requests = byDrill
    ? drills.map((d) => {
        const drill = d as Record<string, unknown>;
        const own = drill.seed != null || drill.difficulty != null;
        return { scenarioId: drill.scenarioId, seed: own ? drill.seed : raw.seed, difficulty: drill.difficulty, speed: raw.speed, team, integrations: raw.integrations };
      })
    : (raw.scenarioIds as unknown[]).map((scenarioId) => ({ scenarioId, seed: raw.seed, speed: raw.speed, team, integrations: raw.integrations }));
  const checked = [];
  for (const [i, request] of requests.entries()) {
    const result = registry.checkDrill(request);
    if (!result.ok) return byDrill ? { ...result, message: `drills[${i}]: ${result.message}` } : result;
    checked.push(result);
  }
  const full = registry.capacityFor(checked.length);
  if (full) return full;
  // A later drill whose difficulty has no seed yet fails the campaign after earlier picks: those
  // seeds' turns have passed (the next drill of that difficulty gets the next seed), nothing more.
  const planned: PlannedDrill[] = [];
  for (const [i, drill] of checked.entries()) {
    const result = registry.planDrill(drill, now);
    if (!result.ok) return byDrill ? { ...result, message: `drills[${i}]: ${result.message}` } : result;
    planned.push(result);
  }
  const named = parsed.success ? parsed.data.name?.trim() : undefined;
  const name = named ? named.slice(0, MAX_CAMPAIGN_NAME_LENGTH) : `${team}'s week`;
  const campaignId = newSessionId();
  registry.storeDrills(planned, campaignId, () => registry.leaderboard.createCampaign(campaignId, team, name, now.toISOString()));
  return { ok: true, campaignId, drills: planned.map((p) => ({ scenarioId: p.record.scenario.id, ...p.created })) };
}

/**
 * `GET /api/campaigns/:id` once its drills' scores are settled: each drill's listing, the difficulty
 * it was asked for (the seed alone does not say how hard a week was meant to be), and its response
 * times once scored.
 */
export function campaignView(registry: Registry, id: string): Campaign | undefined {
  const campaign = registry.leaderboard.campaign(id);
  if (!campaign) return undefined;
  const drills = campaign.sessionIds.flatMap((sessionId) => {
    const drill = registry.campaignDrill(sessionId);
    return drill ? [{ ...drill, durations: registry.leaderboard.durations(sessionId) ?? null }] : [];
  });
  return { ...campaign, drills };
}
