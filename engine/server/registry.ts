/**
 * All drills this process runs. Each has its own engine session and loop, so a fault in one (an
 * exception in its tick) marks that drill failed and leaves every other drill running.
 */
import { createHeader } from '../core/log.ts';
import { availabilityOf } from '../score/availability.ts';
import { scoreLog, type Scorecard } from '../score/scorecard.ts';
import type { Catalog } from './catalog.ts';
import { Leaderboard } from './leaderboard.ts';
import { hashToken, newCode, newSessionId, newToken, safeEqual } from './credentials.ts';
import { LiveDrill, type WallClock } from './drill.ts';
import type { Store } from './store.ts';
import type { CreateSessionResponse, Role } from '../protocol.ts';
import { MAX_SPEED, MIN_SPEED } from '../protocol.ts';

export type CreateResult = { ok: true; created: CreateSessionResponse } | { ok: false; code: string; message: string };

const MAX_TEAM_LENGTH = 64;
const MAX_CAMPAIGN_DRILLS = 20;

function teamName(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > MAX_TEAM_LENGTH) return undefined;
  return value.trim();
}

export class Registry {
  private readonly drills = new Map<string, LiveDrill>();
  readonly leaderboard: Leaderboard;

  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog,
    private readonly clock: WallClock,
    private readonly progressSaveMs: number,
  ) {
    this.leaderboard = new Leaderboard(store.database);
    // Progress of every running drill in one transaction a second, not one fsync per drill.
    this.progressTimer = setInterval(() => this.saveProgress(), progressSaveMs);
    this.progressTimer.unref();
  }

  private readonly progressTimer: NodeJS.Timeout;

  /** Records how far simulated time has got in each running drill, so a crash loses at most one interval. */
  saveProgress(): void {
    const rows = this.list()
      .filter((d) => d.status === 'live' && d.session.phase === 'running')
      .map((d) => [d.id, d.session.now] as const);
    try {
      this.store.saveProgressMany(rows);
    } catch (error) {
      // A failed progress save only widens what a crash could lose; it must not take the server down.
      process.stderr.write(`progress save failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  private adopt(drill: LiveDrill): LiveDrill {
    drill.team = this.leaderboard.meta(drill.id).team;
    drill.onEnded = (ended) => this.recordScore(ended);
    this.drills.set(drill.id, drill);
    return drill;
  }

  /** The scorecard of a drill, from its log alone — the same function the CLI uses. */
  scorecard(drill: LiveDrill): Scorecard {
    return scoreLog(createHeader(drill.scenario, drill.record.seed, 'server'), drill.session.events);
  }

  private recordScore(drill: LiveDrill): void {
    const card = this.scorecard(drill);
    const availability = availabilityOf(drill.session.events);
    this.leaderboard.record(
      {
        sessionId: drill.id,
        scenarioId: drill.scenario.id,
        seed: drill.record.seed,
        team: drill.team ?? 'unnamed team',
        score: card.grade.score,
        timeToMitigateMs: card.durations.timeToMitigate,
        lost: card.impact.lost,
        availability: availability.availability,
        requests: availability.requests,
        failed: availability.failed,
        scoredAt: new Date().toISOString(),
      },
      card,
    );
  }

  /** Rebuilds every stored drill from its inputs; running drills carry on where they were. */
  recover(): number {
    for (const stored of this.store.loadSessions()) {
      const drill = this.adopt(
        new LiveDrill(stored, this.store, this.clock, {
          inputs: this.store.loadInputs(stored.id),
          simNow: stored.simNow,
          status: stored.status,
        }),
      );
      // A drill that ended just before a crash may not have been scored yet.
      if (drill.status === 'ended' && !this.leaderboard.score(drill.id)) this.recordScore(drill);
    }
    return this.drills.size;
  }

  create(request: { scenarioId?: unknown; seed?: unknown; speed?: unknown; team?: unknown }, now: Date, campaignId: string | null = null): CreateResult {
    const team = teamName(request.team);
    if (team === undefined) return { ok: false, code: 'bad-team', message: `team must be a name of 1 to ${MAX_TEAM_LENGTH} characters` };
    const scenario = typeof request.scenarioId === 'string' ? this.catalog.get(request.scenarioId) : undefined;
    if (!scenario) return { ok: false, code: 'unknown-scenario', message: `no scenario "${String(request.scenarioId)}"` };
    const seed = request.seed ?? scenario.seed;
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) {
      return { ok: false, code: 'bad-seed', message: 'seed must be a whole number from 0 to 2147483647' };
    }
    const speed = request.speed ?? 1;
    if (typeof speed !== 'number' || !(speed >= MIN_SPEED && speed <= MAX_SPEED)) {
      return { ok: false, code: 'bad-speed', message: `speed must be from ${MIN_SPEED} to ${MAX_SPEED}` };
    }
    const created: CreateSessionResponse = { sessionId: newSessionId(), facilitatorToken: newToken(), responderCode: newCode(), observerCode: newCode() };
    const record = {
      id: created.sessionId,
      scenario,
      seed,
      speed,
      facilitatorTokenHash: hashToken(created.facilitatorToken),
      responderCode: created.responderCode,
      observerCode: created.observerCode,
      createdAt: now.toISOString(),
    };
    this.store.createSession(record);
    this.leaderboard.setMeta(record.id, team, campaignId);
    this.adopt(new LiveDrill(record, this.store, this.clock));
    return { ok: true, created };
  }

  /** A campaign: one team's "week" of drills, created together and scored on total availability. */
  createCampaign(
    request: { team?: unknown; name?: unknown; scenarioIds?: unknown; seed?: unknown; speed?: unknown },
    now: Date,
  ): { ok: true; campaignId: string; drills: (CreateSessionResponse & { scenarioId: string })[] } | { ok: false; code: string; message: string } {
    const team = teamName(request.team);
    if (!team) return { ok: false, code: 'bad-team', message: `a campaign needs a team name of 1 to ${MAX_TEAM_LENGTH} characters` };
    const ids = request.scenarioIds;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_CAMPAIGN_DRILLS) {
      return { ok: false, code: 'bad-scenarios', message: `scenarioIds must list 1 to ${MAX_CAMPAIGN_DRILLS} scenarios` };
    }
    const unknown = ids.find((id) => typeof id !== 'string' || !this.catalog.get(id));
    if (unknown !== undefined) return { ok: false, code: 'unknown-scenario', message: `no scenario "${String(unknown)}"` };
    const name = typeof request.name === 'string' && request.name.trim() ? request.name.trim().slice(0, 120) : `${team}'s week`;
    const campaignId = newSessionId();
    const drills: (CreateSessionResponse & { scenarioId: string })[] = [];
    for (const scenarioId of ids as string[]) {
      // Every drill shares the seed and speed, so only the first can fail, before anything is stored.
      const result = this.create({ scenarioId, seed: request.seed, speed: request.speed, team }, now, campaignId);
      if (!result.ok) return result;
      drills.push({ scenarioId, ...result.created });
    }
    this.leaderboard.createCampaign(campaignId, team, name, now.toISOString());
    return { ok: true, campaignId, drills };
  }

  get(id: string): LiveDrill | undefined {
    return this.drills.get(id);
  }

  list(): LiveDrill[] {
    return [...this.drills.values()];
  }

  /** The role a credential grants in a drill, or null. */
  authenticate(drill: LiveDrill, credential: { token?: string | undefined; code?: string | undefined }): Role | null {
    if (credential.token !== undefined && safeEqual(hashToken(credential.token), drill.record.facilitatorTokenHash)) return 'facilitator';
    if (credential.code !== undefined && safeEqual(credential.code, drill.record.responderCode)) return 'responder';
    if (credential.code !== undefined && safeEqual(credential.code, drill.record.observerCode)) return 'observer';
    return null;
  }

  /** Stops every loop and records progress: a clean shutdown loses nothing. */
  close(): void {
    clearInterval(this.progressTimer);
    for (const drill of this.drills.values()) drill.stop();
  }
}
