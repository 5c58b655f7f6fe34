/**
 * All drills this process runs. Each has its own engine session and loop, so a fault in one (an
 * exception in its tick) marks that drill failed and leaves every other drill running. Drills that
 * stop (ended, failed, expired) are archived: their log is stored, and after a while they leave
 * memory; a restart never rebuilds them.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback, gzipSync } from 'node:zlib';
import { availabilityOf } from '../score/availability.ts';
import type { Scorecard } from '../score/scorecard.ts';
import type { CreateSessionResponse, Difficulty, HelloMessage, InboundEndpoints, IntegrationName, InviteResponse, Role, SessionListing } from '../protocol/messages.ts';
import type { z } from 'zod';
import { REQUEST_ERRORS, createSessionRequestSchema, failedFields } from '../protocol/http.ts';
import type { ScenarioSpec } from '../protocol/scenario.ts';
import { ArchiveReader, type DrillView } from './archive.ts';
import { checkIntegrations } from './integrations/choice.ts';
import { inboundEndpoints, inboundSecretHash } from './integrations/inbound.ts';
import type { Catalog } from './catalog.ts';
import type { ServerConfig } from './config.ts';
import type { SeedPicker } from './difficulty-cache.ts';
import { hashToken, matchesHash, newSessionId, newToken } from './credentials.ts';
import { LiveDrill, shareCodesFor, type WallClock } from './drill.ts';
import { Leaderboard } from './leaderboard.ts';
import { ReportService } from './reports.ts';
import type { Logger } from './logger.ts';
import { checkedOrDefault, type JoinGate, type Participant } from './roster.ts';
import type { ListedSession, NewSession, Store, StoredSession } from './store.ts';

const gzip = promisify(gzipCallback);

export type Failure = { ok: false; code: string; message: string };
export type CreateResult = { ok: true; created: CreateSessionResponse } | Failure;
/** A drill request that passed every check but the capacity and the seed pick (Registry.checkDrill). */
export type CheckedDrill = { ok: true; scenario: ScenarioSpec; request: z.output<typeof createSessionRequestSchema> };
/** A drill ready to store (Registry.planDrill). */
export type PlannedDrill = { ok: true; record: NewSession; team: string | null; created: CreateSessionResponse };

/** How often stopped drills are archived out of memory and idle ones expired. */
const SWEEP_MS = 15_000;
/** Waits before scoring an ended drill again when its computation failed (then: at the next start). */
const SCORE_RETRY_MS = [1_000, 5_000, 30_000];
/** The longest a leaderboard read waits for the scores of drills that have just ended. */
const SCORE_WAIT_MS = 5_000;
/** The team a drill created without one is ranked as. */
const UNNAMED_TEAM = 'unnamed team';

const failure = (error: { code: string; message: string }): Failure => ({ ok: false, ...error });
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A hello let in: who it is, and the participant token to hand back (none for the facilitator). */
export type Admitted = { ok: true; participant: Participant; token?: string };

/** Who a credential shows the caller to be, for the HTTP API. */
export interface Caller {
  role: Role;
  participantId: string | null;
}

export class Registry {
  private readonly drills = new Map<string, LiveDrill>();
  /** Drills whose log is safely in the archive: they may leave memory. */
  private readonly archivedIds = new Set<string>();
  readonly leaderboard: Leaderboard;
  /** Scorecards and reports, computed off the main thread and cached (reports.ts). */
  readonly reports: ReportService;
  private readonly archives: ArchiveReader;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Ended drills whose score is being computed (or waits to be tried again), for leaderboard reads to wait on. */
  private readonly scoring = new Map<string, { scenarioId: string; team: string; done: Promise<void> }>();
  /** Waits between tries, cut short by close(). */
  private readonly retryWaits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private closed = false;
  private readonly attachers: ((drill: LiveDrill) => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog,
    private readonly clock: WallClock,
    private readonly config: ServerConfig,
    private readonly logger: Logger,
    /** Stamped in archived logs' headers, as the live /log endpoint does. */
    private readonly nodeMajor: string,
    /** Picks the seed of a drill asked for by difficulty (difficulty-cache.ts). */
    private readonly seeds: SeedPicker,
  ) {
    this.leaderboard = new Leaderboard(store.database);
    this.archives = new ArchiveReader(store, (id) => this.leaderboard.meta(id).team);
    this.reports = new ReportService(store, (id) => this.leaderboard.scorecard(id) as Scorecard | undefined, { nodeMajor });
    // Progress of every running drill in one transaction a second, not one per drill.
    this.timers.push(setInterval(() => this.saveProgress(), config.progressSaveMs), setInterval(() => this.sweep(), SWEEP_MS));
    for (const t of this.timers) t.unref();
  }

  /** Records how far simulated time has got in each running drill, so a crash loses at most one interval. */
  saveProgress(): void {
    const rows = this.list()
      .filter((d) => d.status === 'live' && d.session.phase === 'running')
      .map((d) => [d.id, d.session.now] as const);
    try {
      this.store.saveProgressMany(rows);
    } catch (error) {
      // A failed progress save only widens what a crash could lose; it must not take the server down.
      this.logger.error({ err: error }, 'progress save failed');
    }
  }

  /**
   * Calls `attach` for every drill this process runs, now and from now on, so it can add its
   * DrillListener (the /metrics exporter, outbound integrations). Drills that have stopped are skipped.
   */
  follow(attach: (drill: LiveDrill) => void): void {
    this.attachers.push(attach);
    for (const drill of this.drills.values()) if (drill.status === 'live') attach(drill);
  }

  private adopt(drill: LiveDrill): LiveDrill {
    drill.team = this.leaderboard.meta(drill.id).team;
    drill.onListenerError = (error) => this.logger.error({ err: error, sessionId: drill.id }, 'a drill listener failed; the drill goes on');
    if (drill.status === 'live') for (const attach of this.attachers) attach(drill);
    drill.onEnded = (ended) => this.stopped(ended);
    drill.onFailure = (error) => {
      this.logger.error({ err: error, sessionId: drill.id }, `drill ${drill.id} failed`);
      this.stopped(drill);
    };
    this.drills.set(drill.id, drill);
    return drill;
  }

  private rebuild(stored: StoredSession): LiveDrill {
    return new LiveDrill(stored, this.store, this.clock, this.config, {
      inputs: this.store.loadInputs(stored.id),
      simNow: stored.simNow,
      status: stored.status,
    });
  }

  /**
   * Scores an ended drill for the leaderboard, on the report worker (reports.ts), which keeps the
   * scorecard in memory and computes the drill's reports with it. The leaderboard's entry appears a
   * moment after the end; leaderboard reads wait for it (settledScores).
   *
   * A score is never lost. A computation that fails (the worker crashed or ran out of memory, say) is
   * tried again after SCORE_RETRY_MS; if every try fails, or the server stops first, the drill stays
   * ended with no score row, and recover() scores every such drill at the next start.
   */
  private scoreLater(drill: DrillView): Promise<void> {
    const under = this.scoring.get(drill.id);
    if (under) return under.done;
    const done = this.score(drill, true).finally(() => this.scoring.delete(drill.id));
    this.scoring.set(drill.id, { scenarioId: drill.scenario.id, team: drill.team ?? UNNAMED_TEAM, done });
    return done;
  }

  /** Scores drills that ended before this start, one after another, each read from its archive at its turn. */
  private async scoreArchived(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      if (this.closed) return;
      let drill: DrillView | undefined;
      try {
        drill = this.archives.read(id);
      } catch (error) {
        this.logger.error({ err: error, sessionId: id }, `the archive of drill ${id} could not be read to score it`);
      }
      if (drill) await this.score(drill, false);
    }
  }

  /** `archive`: the drill has just stopped, and its log is archived next (stopped()): gzipped with its scorecard. */
  private async score(drill: DrillView, archive: boolean): Promise<void> {
    // Listed as being scored at once (scoreLater), started in a turn of its own.
    await new Promise((resolve) => setImmediate(resolve));
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const card = await this.reports.scorecard(drill, { archive });
        if (this.closed) return;
        this.recordScore(drill, card);
        return;
      } catch (error) {
        const delay = SCORE_RETRY_MS[attempt];
        if (this.closed) return;
        if (delay === undefined) {
          this.logger.error({ err: error, sessionId: drill.id }, `scoring drill ${drill.id} failed ${attempt + 1} times; it is scored at the next start`);
          return;
        }
        this.logger.warn({ err: error, sessionId: drill.id }, `scoring drill ${drill.id} failed; trying again in ${delay / 1000} s`);
        await this.pause(delay);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wait = { timer: setTimeout(() => done(), ms), resolve: () => done() };
      const done = () => {
        clearTimeout(wait.timer);
        this.retryWaits.delete(wait);
        resolve();
      };
      wait.timer.unref();
      this.retryWaits.add(wait);
    });
  }

  private recordScore(drill: DrillView, card: Scorecard): void {
    const availability = availabilityOf(drill.events);
    this.leaderboard.record(
      {
        sessionId: drill.id,
        scenarioId: drill.scenario.id,
        seed: drill.record.seed,
        team: drill.team ?? UNNAMED_TEAM,
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

  /**
   * Resolves once the drills that ended in this process and match `which` are scored (or have failed
   * to be), or after SCORE_WAIT_MS: a leaderboard read just after a drill ends then shows it.
   */
  async settledScores(which: (drill: { sessionId: string; scenarioId: string; team: string }) => boolean): Promise<void> {
    const waiting = [...this.scoring].filter(([sessionId, s]) => which({ sessionId, ...s })).map(([, s]) => s.done);
    if (waiting.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SCORE_WAIT_MS);
      timer.unref();
    });
    await Promise.race([Promise.all(waiting), timeout]);
    clearTimeout(timer);
  }

  /**
   * A drill stopped: score it if it ended (on the worker), then archive its log. Archived once scored
   * (or once every try has failed), so a drill that is archived has been scored but for a failure;
   * either starts in a later turn than the one that stopped the drill, which has its own work to do.
   * The log is serialized and gzipped on the report worker, with the scorecard (reports.ts): on the
   * main thread a 6-hour log took milliseconds, in the turn in which the score came back, and a
   * flooded log can be megabytes. A drill the server stops before archiving is archived by recover()
   * at the next start.
   */
  private stopped(drill: LiveDrill): void {
    drill.releaseListeners();
    const scored = drill.status === 'ended' ? this.scoreLater(drill) : Promise.resolve();
    void scored
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(async () => {
        if (this.closed) return;
        const gz = await this.archivedLog(drill);
        if (this.closed || !gz) return;
        this.store.archive(drill.id, gz, new Date());
        this.archivedIds.add(drill.id);
        if (this.config.archiveAfterMs === 0) this.release(drill);
      })
      .catch((error: unknown) => this.logger.error({ err: error, sessionId: drill.id }, 'archiving a drill failed; it stays in memory'));
  }

  /** A stopped drill's log, gzipped, from the report worker; if the worker cannot, serialized here and gzipped on the thread pool. */
  private async archivedLog(drill: LiveDrill): Promise<Buffer | undefined> {
    try {
      return await this.reports.archive(drill);
    } catch (error) {
      if (this.closed) return undefined;
      this.logger.warn({ err: error, sessionId: drill.id }, `the report worker could not archive drill ${drill.id}; archiving it on the main thread`);
      return gzip(drill.logText(this.nodeMajor));
    }
  }

  /** Archives stopped drills out of memory, and closes drills nobody has touched or watched for too long. */
  sweep(now = this.clock.now()): void {
    for (const drill of this.list()) {
      if (drill.status === 'live' && drill.clients.size === 0 && now - drill.lastActivity >= this.config.idleExpiryMs) this.expire(drill);
      else if (drill.status !== 'live' && this.archivedIds.has(drill.id) && now - (drill.stoppedAt ?? now) >= this.config.archiveAfterMs) this.release(drill);
    }
  }

  private expire(drill: LiveDrill): void {
    drill.stop();
    drill.status = 'expired';
    drill.stoppedAt = this.clock.now();
    this.store.setStatus(drill.id, 'expired', drill.session.now);
    this.logger.info({ sessionId: drill.id }, `drill ${drill.id} expired after ${this.config.idleExpiryMs / 60_000} idle minutes`);
    this.stopped(drill);
  }

  private release(drill: LiveDrill): void {
    drill.dismiss('drill-archived', 'this drill has ended and is archived; its debrief, report and log stay available');
    drill.stop();
    this.drills.delete(drill.id);
    this.archivedIds.delete(drill.id);
  }

  /**
   * Rebuilds the drills that are still live; running ones carry on where they were. Stopped drills
   * are not rebuilt (they are read from their archive), except once if their log never got archived.
   */
  recover(): number {
    for (const stored of this.store.liveSessions()) {
      try {
        this.adopt(this.rebuild(stored));
      } catch (error) {
        this.logger.error({ err: error, sessionId: stored.id }, `drill ${stored.id} could not be rebuilt; marked failed`);
        this.store.setStatus(stored.id, 'failed', stored.simNow);
      }
    }
    for (const stored of this.store.unarchivedSessions()) {
      try {
        const drill = this.rebuild(stored);
        drill.team = this.leaderboard.meta(drill.id).team;
        this.store.archive(drill.id, gzipSync(drill.logText(this.nodeMajor)), new Date());
      } catch (error) {
        this.logger.error({ err: error, sessionId: stored.id }, `the log of stopped drill ${stored.id} could not be archived`);
      }
    }
    // Ended drills with no score (the process stopped, or every try failed, before it was recorded):
    // scored on the worker as any ended drill is. They ended before this start: leaderboard reads do not wait for them.
    const unscored = this.leaderboard.unscored();
    if (unscored.length > 0) void this.scoreArchived(unscored);
    return this.drills.size;
  }

  /** Drills that have not stopped, across the server: the capacity a new drill needs. */
  openDrills(): number {
    let n = 0;
    for (const d of this.drills.values()) if (d.status === 'live') n++;
    return n;
  }

  /** Null when `count` more drills fit under SEVDRILL_MAX_OPEN_DRILLS. */
  capacityFor(count: number): Failure | null {
    const open = this.openDrills();
    if (open + count <= this.config.maxOpenDrills) return null;
    return {
      ok: false,
      code: 'too-many-open-drills',
      message: `this server runs at most ${this.config.maxOpenDrills} open drills (${open} now); end one first (SEVDRILL_MAX_OPEN_DRILLS)`,
    };
  }

  /**
   * A new drill, from an untrusted request body (createSessionRequestSchema). Problems are reported
   * in a fixed order, the first one only: team, scenario, seed, difficulty, speed, controlled friction, join, integrations, a seed and a
   * difficulty both given, an integration unknown or not configured; the server's capacity; then, by difficulty, why no seed can be picked (SeedChoice).
   */
  create(body: unknown, now: Date): CreateResult {
    const checked = this.checkDrill(body);
    if (!checked.ok) return checked;
    const full = this.capacityFor(1);
    if (full) return full;
    const planned = this.planDrill(checked, now);
    if (!planned.ok) return planned;
    this.storeDrills([planned], null);
    return { ok: true, created: planned.created };
  }

  /** The checks of create() that need nothing but the request and the catalog (a campaign checks every drill before it picks a seed). */
  checkDrill(body: unknown): CheckedDrill | Failure {
    const parsed = createSessionRequestSchema.safeParse(body);
    const failed = parsed.success ? new Set<string>() : failedFields(parsed.error);
    if (failed.has('team')) return failure(REQUEST_ERRORS.team);
    const scenarioId: unknown = isObject(body) ? body.scenarioId : undefined;
    const scenario = !failed.has('scenarioId') && typeof scenarioId === 'string' ? this.catalog.get(scenarioId) : undefined;
    if (!scenario) return { ok: false, code: 'unknown-scenario', message: `no scenario "${String(scenarioId)}"` };
    for (const field of ['seed', 'difficulty', 'speed', 'controlledFriction', 'join', 'integrations'] as const) if (failed.has(field)) return failure(REQUEST_ERRORS[field]);
    if (!parsed.success) return { ok: false, code: 'bad-request', message: parsed.error.issues[0]?.message ?? 'invalid request' };
    const request = parsed.data;
    if (request.difficulty != null && request.seed != null) return failure(REQUEST_ERRORS.seedAndDifficulty);
    const integrations = checkIntegrations(request.integrations ?? [], this.config.integrations);
    if (!integrations.ok) return integrations;
    return { ok: true, scenario, request };
  }

  /** A checked drill's seed (picked now, for a difficulty), credentials and record; nothing is stored yet. */
  planDrill({ scenario, request }: CheckedDrill, now: Date): PlannedDrill | Failure {
    const difficulty = request.difficulty ?? null;
    const picked = difficulty === null ? null : this.seeds.pick(scenario, difficulty);
    if (picked && !picked.ok) return picked;
    const seed = picked?.seed ?? request.seed ?? scenario.seed;
    const join = request.join ?? 'code';
    const sessionId = newSessionId();
    const facilitatorToken = newToken();
    const codes = shareCodesFor(facilitatorToken, sessionId, join);
    const facilitatorName = checkedOrDefault(request.facilitatorName ?? 'Facilitator');
    const friction = request.controlledFriction ?? scenario.controlledFriction;
    const record: NewSession = {
      id: sessionId,
      // The drill is stored (and logged) with the policy it runs under, so replay and scoring see it.
      scenario: friction === scenario.controlledFriction ? scenario : { ...scenario, controlledFriction: friction },
      seed,
      speed: request.speed ?? 1,
      facilitatorTokenHash: hashToken(facilitatorToken),
      // In invite mode the responder code is never valid; its hash is still stored so the column means one thing.
      responderCodeHash: hashToken(codes.responderCode ?? `${facilitatorToken}:no-responder-code`),
      observerCodeHash: hashToken(codes.observerCode),
      joinMode: join,
      facilitatorName,
      createdAt: now.toISOString(),
      integrations: [...new Set(request.integrations ?? [])] as IntegrationName[],
      inboundSecretHash: inboundSecretHash(facilitatorToken, sessionId),
      difficulty,
    };
    const created = { sessionId, facilitatorToken, ...codes, join, facilitatorName, facilitatorPath: `/#/drill/${sessionId}?token=${facilitatorToken}`, seed, difficulty };
    return { ok: true, record, team: request.team?.trim() ?? null, created };
  }

  /** Stores planned drills and starts their loops, all or none; `then` runs in the same transaction (a campaign's own row). */
  storeDrills(planned: readonly PlannedDrill[], campaignId: string | null, then?: () => void): void {
    this.store.transaction(() => {
      for (const { record, team } of planned) {
        this.store.createSession(record);
        this.leaderboard.setMeta(record.id, team, campaignId);
        this.adopt(new LiveDrill(record, this.store, this.clock, this.config));
      }
      then?.();
    });
  }

  get(id: string): LiveDrill | undefined {
    return this.drills.get(id);
  }

  /** A drill to read (report, score, log, replay): live in memory, or from its archive. */
  view(id: string): DrillView | undefined {
    return this.drills.get(id) ?? this.archives.read(id);
  }

  /** True when the drill exists but has stopped and left memory. */
  archived(id: string): boolean {
    const stored = this.drills.has(id) ? undefined : this.store.session(id);
    return stored !== undefined && stored.status !== 'live';
  }

  list(): LiveDrill[] {
    return [...this.drills.values()];
  }

  /** One page of the public listing, newest first. */
  page(limit: number, before: number | null): { sessions: SessionListing[]; next: number | null } {
    const rows = this.store.listSessions(limit + 1, before);
    const sessions = rows.slice(0, limit).map((r) => this.listing(r));
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { sessions, next: last ? last.position : null };
  }

  /** A drill as a campaign lists it: what anyone may see, and the difficulty it was asked for (null: by seed). */
  campaignDrill(id: string): (SessionListing & { difficulty: Difficulty | null }) | undefined {
    const row = this.store.listedSession(id);
    return row ? { ...this.listing(row), difficulty: row.difficulty } : undefined;
  }

  /** What anyone may see of a drill. */
  publicSummary(id: string): SessionListing | undefined {
    const row = this.store.listedSession(id);
    return row ? this.listing(row) : undefined;
  }

  private listing(r: ListedSession): SessionListing {
    const live = this.drills.get(r.id);
    return {
      sessionId: r.id,
      scenarioId: r.scenarioId,
      title: r.title,
      team: r.team,
      seed: r.seed,
      status: live?.status ?? r.status,
      phase: live?.session.phase ?? (r.status === 'live' ? 'ready' : 'ended'),
      createdAt: r.createdAt,
      endedAt: r.endedAt,
      score: r.score,
    };
  }

  /** Lets a hello in, as the person its credential names (see protocol.md, "Joining"). */
  admit(drill: LiveDrill, msg: HelloMessage, gate: JoinGate): Admitted | Failure {
    const given = [msg.token, msg.participantToken, msg.invite, msg.code].filter((c) => c !== undefined);
    if (given.length !== 1) return { ok: false, code: 'bad-credentials', message: 'send exactly one of token, participantToken, invite or code' };
    const now = new Date();
    if (msg.token !== undefined) {
      if (!matchesHash(msg.token, drill.record.facilitatorTokenHash)) return { ok: false, code: 'unauthorized', message: 'that token does not open this session' };
      return gate('facilitator', drill.roster.facilitator.id) ?? { ok: true, participant: drill.roster.facilitator };
    }
    if (msg.participantToken !== undefined) {
      const participant = drill.roster.byToken(msg.participantToken);
      if (!participant) return { ok: false, code: 'unknown-participant', message: 'that participant token is not valid for this drill; join again with the code or your invite link' };
      if (participant.removedAt) return { ok: false, code: 'removed', message: 'the facilitator removed you from this drill' };
      return gate(participant.role, participant.id) ?? { ok: true, participant, token: msg.participantToken };
    }
    if (msg.invite !== undefined) return drill.roster.redeemInvite(msg.invite, now, gate);
    const code = msg.code as string;
    const role = matchesHash(code, drill.record.responderCodeHash) ? 'responder' : matchesHash(code, drill.record.observerCodeHash) ? 'observer' : null;
    if (!role) return { ok: false, code: 'unauthorized', message: 'that code does not open this session' };
    if (role === 'responder' && drill.record.joinMode === 'invite') {
      return { ok: false, code: 'invite-only', message: 'this drill is invite-only: responders join through the named link the facilitator sends them' };
    }
    if (msg.name === undefined) return { ok: false, code: 'missing-name', message: 'send the name to join under with the code' };
    return drill.roster.joinWithCode(role, msg.name, now, gate);
  }

  /** The caller a debrief credential names: the facilitator token, a participant token, or a join code. */
  authenticate(drill: DrillView, credential: string): Caller | null {
    const { record } = drill;
    if (matchesHash(credential, record.facilitatorTokenHash)) return { role: 'facilitator', participantId: null };
    const owner = this.store.tokenOwner(drill.id, hashToken(credential));
    if (owner && !owner.removed) return { role: owner.role, participantId: owner.id };
    if (matchesHash(credential, record.responderCodeHash) && record.joinMode === 'code') return { role: 'responder', participantId: null };
    if (matchesHash(credential, record.observerCodeHash)) return { role: 'observer', participantId: null };
    return null;
  }

  /** Where the team's own tools acknowledge this drill's pages, for its facilitator (whose token the caller has checked). */
  inbound(drill: LiveDrill, facilitatorToken: string): InboundEndpoints | undefined {
    return inboundEndpoints(drill, facilitatorToken, this.store);
  }

  /** The facilitator's named invite link for one person. */
  invite(drill: LiveDrill, name: unknown, facilitatorToken: string): { ok: true; invite: InviteResponse } | Failure {
    const result = drill.roster.invite(name, facilitatorToken, new Date());
    if (!result.ok) return result;
    drill.notifyRoster();
    return { ok: true, invite: inviteResponse(drill.id, result.invite) };
  }

  invites(drill: LiveDrill, facilitatorToken: string): InviteResponse[] {
    return drill.roster.inviteLinks(facilitatorToken).map((i) => inviteResponse(drill.id, i));
  }

  /** Removes a participant: their sockets close now, and their token and invite links stop working. */
  removeParticipant(drill: LiveDrill, participantId: string): { ok: true } | Failure {
    const result = drill.roster.remove(participantId, new Date());
    if (!result.ok) return result;
    drill.dismiss('removed', 'the facilitator removed you from this drill', participantId);
    drill.notifyRoster();
    this.logger.info({ sessionId: drill.id, participant: participantId }, `participant ${participantId} removed from drill ${drill.id}`);
    return { ok: true };
  }

  /** Stops every loop and records progress: a clean shutdown loses nothing. */
  close(): void {
    this.closed = true;
    for (const wait of this.retryWaits) wait.resolve();
    for (const t of this.timers) clearInterval(t);
    for (const drill of this.drills.values()) {
      drill.stop();
      drill.releaseListeners();
    }
    void this.reports.close();
  }
}

function inviteResponse(sessionId: string, i: { id: string; name: string; participantId: string | null; token: string }): InviteResponse {
  return { inviteId: i.id, name: i.name, participantId: i.participantId, invite: i.token, path: `/#/join/${sessionId}?invite=${i.token}` };
}
