/**
 * Durable storage in SQLite (WAL): each session's scenario, seed, speed and hashed credentials, its
 * participants, and every engine input (commands, in order). Events are not stored while a drill
 * lives: the engine is deterministic, so they are re-derived from the inputs. When a drill ends its
 * log is archived (gzipped), so an ended drill stays readable without being rebuilt into memory.
 *
 * Durability without stalls: a command is acknowledged only after the transaction that stores it has
 * committed to the WAL, which survives the process being killed. The fsync that makes it survive a
 * power failure too is done by a checkpointer thread every second (checkpointer.mjs), never on the
 * event loop: on a busy disk an fsync can take hundreds of milliseconds, and every drill's tick would
 * wait for it.
 *
 * Secrets are stored only as SHA-256 hashes, and the database file is readable by its owner only.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CommandInput } from '../protocol/commands.ts';
import type { ScenarioSpec } from '../protocol/scenario.ts';
import { DIFFICULTIES, type Difficulty, type IntegrationName, type JoinMode, type Role } from '../protocol/messages.ts';
import { hashToken } from './credentials.ts';
import { MIGRATIONS } from './store-schema.ts';

export type DrillStatus = 'live' | 'ended' | 'failed' | 'expired';

export interface StoredSession {
  id: string;
  scenario: ScenarioSpec;
  seed: number;
  speed: number;
  facilitatorTokenHash: string;
  responderCodeHash: string;
  observerCodeHash: string;
  joinMode: JoinMode;
  facilitatorName: string;
  createdAt: string;
  simNow: number;
  status: DrillStatus;
  endedAt: string | null;
  archivedAt: string | null;
  /** The team tools the drill sends to (integrations/); none unless it asked. */
  integrations: readonly IntegrationName[];
  /** The hash of the secret its team's tools acknowledge with (integrations/inbound.ts); '' when not stored yet. */
  inboundSecretHash: string;
  /** The difficulty the drill was asked for, when its seed was picked by one; else null. */
  difficulty: Difficulty | null;
}

export type NewSession = Omit<StoredSession, 'simNow' | 'status' | 'endedAt' | 'archivedAt' | 'integrations' | 'inboundSecretHash' | 'difficulty'> & {
  integrations?: readonly IntegrationName[];
  inboundSecretHash?: string;
  difficulty?: Difficulty | null;
};

export interface StoredInput {
  n: number;
  t: number;
  command: CommandInput;
}

export interface StoredParticipant {
  id: string;
  role: Role;
  name: string;
  inviteId: string | null;
  createdAt: string;
  removedAt: string | null;
}

export interface StoredInvite {
  id: string;
  name: string;
  participantId: string | null;
  createdAt: string;
}

/** One computed report (or scorecard) of a drill: see reports.ts. */
export interface CachedReport {
  kind: string;
  /** How many events the log had when it was computed. */
  events: number;
  /** The code that computed it (reports.ts, REPORT_CACHE_VERSION). */
  version: string;
  body: string;
}

/** One seed's rating in the difficulty cache. */
export interface RatedSeed {
  seed: number;
  rating: Difficulty;
  /** 0–100: the mean of its percentiles (engine/cli/difficulty.ts). */
  difficulty: number;
}

/** A scenario's seeds 1..seeds, rated by an explore with its reference plan (difficulty-cache.ts). */
export interface CachedDifficulty {
  scenarioId: string;
  scenarioHash: string;
  planHash: string;
  /** The code that rated them (difficulty-cache.ts, DIFFICULTY_CACHE_VERSION). */
  version: string;
  seeds: number;
  ratings: RatedSeed[];
}

/** One row of the public drill listing. */
export interface ListedSession {
  /** Where the drill comes in creation order: the paging cursor. */
  position: number;
  id: string;
  scenarioId: string;
  title: string;
  seed: number;
  status: DrillStatus;
  createdAt: string;
  endedAt: string | null;
  team: string | null;
  score: number | null;
  /** The difficulty it was asked for, if its seed was picked by one. */
  difficulty: Difficulty | null;
}

interface SessionRow {
  id: string;
  scenario_json: string;
  seed: number;
  speed: number;
  facilitator_token_hash: string;
  responder_code_hash: string;
  observer_code_hash: string;
  join_mode: JoinMode;
  facilitator_name: string;
  created_at: string;
  sim_now: number;
  status: DrillStatus;
  ended_at: string | null;
  archived_at: string | null;
  integrations_json: string;
  inbound_secret_hash: string;
  difficulty: string | null;
}

/** A stored difficulty, read back; anything else (a hand-edited row) is none rather than a lie. */
const toDifficulty = (v: string | null): Difficulty | null => (v !== null && (DIFFICULTIES as readonly string[]).includes(v) ? (v as Difficulty) : null);

const toSession = (r: SessionRow): StoredSession => ({
  id: r.id,
  scenario: JSON.parse(r.scenario_json) as ScenarioSpec,
  seed: r.seed,
  speed: r.speed,
  facilitatorTokenHash: r.facilitator_token_hash,
  responderCodeHash: r.responder_code_hash,
  observerCodeHash: r.observer_code_hash,
  joinMode: r.join_mode,
  facilitatorName: r.facilitator_name,
  createdAt: r.created_at,
  simNow: r.sim_now,
  status: r.status,
  endedAt: r.ended_at,
  archivedAt: r.archived_at,
  integrations: JSON.parse(r.integrations_json) as IntegrationName[],
  inboundSecretHash: r.inbound_secret_hash,
  difficulty: toDifficulty(r.difficulty),
});

/** How often the checkpointer makes committed inputs safe from a power failure. */
export const CHECKPOINT_MS = 1000;

export class Store {
  private readonly db: Database.Database;
  private readonly q;
  private readonly checkpointer: Worker | null = null;
  /** Hears a checkpoint that failed (the server logs it); the next round tries again. */
  onCheckpointError: ((message: string) => void) | null = null;
  /** Hears how long each drill input took to commit, in wall seconds (for /metrics). */
  onCommit: ((seconds: number) => void) | null = null;

  constructor(private readonly file: string) {
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // Create the file ourselves, owner-only, before SQLite does with the process umask.
      if (!existsSync(file)) new Database(file).close();
      chmodSync(file, 0o600);
    }
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Commits reach the WAL (the OS has them: a killed process loses nothing) without an fsync; the
    // checkpointer thread syncs them, so a power failure can lose at most the last CHECKPOINT_MS.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('wal_autocheckpoint = 0');
    this.db.pragma('busy_timeout = 1000');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.protectSidecars();
    if (file !== ':memory:') {
      this.checkpointer = new Worker(new URL('./checkpointer.mjs', import.meta.url), { workerData: { file, intervalMs: CHECKPOINT_MS } });
      this.checkpointer.unref();
      this.checkpointer.on('message', (m: { type: string; message: string }) => this.onCheckpointError?.(m.message));
      // A checkpointer that cannot start (the file gone) or dies only widens what a power cut could
      // lose; it must never take the server with it. Once the store is closed, nothing is left to say.
      this.checkpointer.on('error', (error) => {
        if (!this.closed) this.onCheckpointError?.(error.message);
      });
    }
    this.q = {
      insertSession: this.db.prepare(
        `INSERT INTO sessions (id, scenario_id, scenario_json, seed, speed, facilitator_token_hash, responder_code_hash, observer_code_hash, join_mode, facilitator_name, created_at, integrations_json, inbound_secret_hash, difficulty)
         VALUES (@id, @scenarioId, @scenarioJson, @seed, @speed, @facilitatorTokenHash, @responderCodeHash, @observerCodeHash, @joinMode, @facilitatorName, @createdAt, @integrationsJson, @inboundSecretHash, @difficulty)`,
      ),
      setInboundSecretHash: this.db.prepare("UPDATE sessions SET inbound_secret_hash = ? WHERE id = ? AND inbound_secret_hash = ''"),
      insertInput: this.db.prepare('INSERT INTO inputs (session_id, n, t, command_json) VALUES (?, ?, ?, ?)'),
      setProgress: this.db.prepare('UPDATE sessions SET sim_now = ? WHERE id = ?'),
      setSpeed: this.db.prepare('UPDATE sessions SET speed = ? WHERE id = ?'),
      setStatus: this.db.prepare('UPDATE sessions SET status = ?, sim_now = ?, ended_at = COALESCE(ended_at, ?) WHERE id = ?'),
      session: this.db.prepare('SELECT * FROM sessions WHERE id = ?'),
      liveSessions: this.db.prepare("SELECT * FROM sessions WHERE status = 'live' ORDER BY created_at, id"),
      unarchived: this.db.prepare("SELECT * FROM sessions WHERE status != 'live' AND archived_at IS NULL ORDER BY created_at, id"),
      inputs: this.db.prepare('SELECT n, t, command_json FROM inputs WHERE session_id = ? ORDER BY n'),
      putArchive: this.db.prepare('INSERT OR REPLACE INTO archives (session_id, log_gz, archived_at) VALUES (?, ?, ?)'),
      setArchived: this.db.prepare('UPDATE sessions SET archived_at = ? WHERE id = ?'),
      archive: this.db.prepare('SELECT log_gz FROM archives WHERE session_id = ?'),
      cachedReports: this.db.prepare('SELECT kind, events, version, body FROM report_cache WHERE session_id = ?'),
      putReport: this.db.prepare('INSERT OR REPLACE INTO report_cache (session_id, kind, events, version, body, computed_at) VALUES (?, ?, ?, ?, ?, ?)'),
      difficulty: this.db.prepare('SELECT scenario_hash, plan_hash, version, seeds, ratings_json FROM difficulty_cache WHERE scenario_id = ?'),
      putDifficulty: this.db.prepare(
        'INSERT OR REPLACE INTO difficulty_cache (scenario_id, scenario_hash, plan_hash, version, seeds, ratings_json, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      insertParticipant: this.db.prepare(
        'INSERT INTO participants (session_id, id, role, name, invite_id, created_at) VALUES (@sessionId, @id, @role, @name, @inviteId, @createdAt)',
      ),
      participants: this.db.prepare('SELECT id, role, name, invite_id, created_at, removed_at FROM participants WHERE session_id = ? ORDER BY created_at, rowid'),
      removeParticipant: this.db.prepare('UPDATE participants SET removed_at = ? WHERE session_id = ? AND id = ?'),
      insertToken: this.db.prepare('INSERT INTO participant_tokens (token_hash, session_id, participant_id, created_at) VALUES (?, ?, ?, ?)'),
      pruneTokens: this.db.prepare(
        `DELETE FROM participant_tokens WHERE session_id = ? AND participant_id = ? AND rowid NOT IN
           (SELECT rowid FROM participant_tokens WHERE session_id = ? AND participant_id = ? ORDER BY rowid DESC LIMIT ?)`,
      ),
      tokenOwner: this.db.prepare(
        `SELECT p.id, p.role, p.removed_at FROM participant_tokens t JOIN participants p ON p.session_id = t.session_id AND p.id = t.participant_id
         WHERE t.token_hash = ? AND t.session_id = ?`,
      ),
      insertInvite: this.db.prepare('INSERT INTO invites (session_id, id, name, token_hash, participant_id, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      bindInvite: this.db.prepare('UPDATE invites SET participant_id = ? WHERE session_id = ? AND id = ?'),
      invites: this.db.prepare('SELECT id, name, participant_id, created_at FROM invites WHERE session_id = ? AND revoked_at IS NULL ORDER BY created_at, rowid'),
      // Revoked links are found too, so that a removed person opening theirs hears "removed", not "invalid".
      inviteByHash: this.db.prepare('SELECT id, name, participant_id, created_at, revoked_at FROM invites WHERE session_id = ? AND token_hash = ?'),
      revokeInvites: this.db.prepare('UPDATE invites SET revoked_at = ? WHERE session_id = ? AND participant_id = ? AND revoked_at IS NULL'),
    };
  }

  /** Prepared on first use: they join the leaderboard's tables, which that module creates after us. */
  private listQueries: { page: Database.Statement; one: Database.Statement } | undefined;

  private get list(): { page: Database.Statement; one: Database.Statement } {
    const columns = `SELECT s.rowid AS position, s.id, s.scenario_id, json_extract(s.scenario_json, '$.title') AS title, s.seed, s.status, s.created_at, s.ended_at, s.difficulty, m.team, sc.score
       FROM sessions s LEFT JOIN session_meta m ON m.session_id = s.id LEFT JOIN scores sc ON sc.session_id = s.id`;
    this.listQueries ??= {
      page: this.db.prepare(
        // rowid is the order drills were created in, and the table's own key: paging by it is exact and cheap.
        `${columns} WHERE (@before IS NULL OR s.rowid < @before) ORDER BY s.rowid DESC LIMIT @limit`,
      ),
      one: this.db.prepare(`${columns} WHERE s.id = ?`),
    };
    return this.listQueries;
  }

  /** The connection, for modules that keep their own tables in the same database (the leaderboard). */
  get database(): Database.Database {
    return this.db;
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        (MIGRATIONS[v] as (db: Database.Database, hash: (s: string) => string) => void)(this.db, hashToken);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /** The WAL and shared-memory files hold recent pages of the database: the same secrecy applies. */
  private protectSidecars(): void {
    if (this.file === ':memory:') return;
    for (const suffix of ['-wal', '-shm']) if (existsSync(this.file + suffix)) chmodSync(this.file + suffix, 0o600);
  }

  createSession(s: NewSession): void {
    this.q.insertSession.run({
      id: s.id,
      scenarioId: s.scenario.id,
      scenarioJson: JSON.stringify(s.scenario),
      seed: s.seed,
      speed: s.speed,
      facilitatorTokenHash: s.facilitatorTokenHash,
      responderCodeHash: s.responderCodeHash,
      observerCodeHash: s.observerCodeHash,
      joinMode: s.joinMode,
      facilitatorName: s.facilitatorName,
      createdAt: s.createdAt,
      integrationsJson: JSON.stringify(s.integrations ?? []),
      inboundSecretHash: s.inboundSecretHash ?? '',
      difficulty: s.difficulty ?? null,
    });
  }

  /** Stores the inbound secret's hash of a drill made before it had one (never replaces one). */
  setInboundSecretHash(sessionId: string, hash: string): void {
    this.q.setInboundSecretHash.run(hash, sessionId);
  }

  /** Stores one engine input; returns once the commit is durable. */
  appendInput(sessionId: string, input: StoredInput): void {
    const started = performance.now();
    this.q.insertInput.run(sessionId, input.n, input.t, JSON.stringify(input.command));
    this.onCommit?.((performance.now() - started) / 1000);
  }

  /** How far simulated time has run, so a restart resumes there (losing at most one save interval). */
  saveProgress(sessionId: string, simNow: number): void {
    this.q.setProgress.run(simNow, sessionId);
  }

  /** Many drills' progress in one transaction: one fsync a second for the whole process. */
  saveProgressMany(rows: readonly (readonly [string, number])[]): void {
    if (rows.length === 0) return;
    this.db.transaction(() => {
      for (const [id, simNow] of rows) this.q.setProgress.run(simNow, id);
    })();
  }

  saveSpeed(sessionId: string, speed: number): void {
    this.q.setSpeed.run(speed, sessionId);
  }

  setStatus(sessionId: string, status: DrillStatus, simNow: number, at: Date = new Date()): void {
    this.q.setStatus.run(status, simNow, status === 'live' ? null : at.toISOString(), sessionId);
  }

  session(id: string): StoredSession | undefined {
    const row = this.q.session.get(id) as SessionRow | undefined;
    return row ? toSession(row) : undefined;
  }

  /** The drills to rebuild at startup: only those still live. Ended drills are read from their archive. */
  liveSessions(): StoredSession[] {
    return (this.q.liveSessions.all() as SessionRow[]).map(toSession);
  }

  /** Drills that stopped but whose log was never archived (a crash at the wrong moment, or an old database). */
  unarchivedSessions(): StoredSession[] {
    return (this.q.unarchived.all() as SessionRow[]).map(toSession);
  }

  loadInputs(sessionId: string): StoredInput[] {
    return (this.q.inputs.all(sessionId) as { n: number; t: number; command_json: string }[]).map((r) => ({
      n: r.n,
      t: r.t,
      command: JSON.parse(r.command_json) as CommandInput,
    }));
  }

  /**
   * Keeps an ended drill's gzipped log and marks it archived. The inputs stay: they are small, and
   * they are what a future engine version would replay from.
   */
  archive(sessionId: string, logGz: Buffer, at: Date): void {
    this.db.transaction(() => {
      this.q.putArchive.run(sessionId, logGz, at.toISOString());
      this.q.setArchived.run(at.toISOString(), sessionId);
    })();
  }

  archivedLog(sessionId: string): Buffer | undefined {
    return (this.q.archive.get(sessionId) as { log_gz: Buffer } | undefined)?.log_gz;
  }

  /** What the report cache holds for a drill (reports.ts decides whether it is still good). */
  cachedReports(sessionId: string): CachedReport[] {
    return this.q.cachedReports.all(sessionId) as CachedReport[];
  }

  /** Keeps a stopped drill's scorecard and reports, each under its kind, in one transaction. */
  saveReports(sessionId: string, reports: readonly CachedReport[], at: Date): void {
    this.db.transaction(() => {
      for (const r of reports) this.q.putReport.run(sessionId, r.kind, r.events, r.version, r.body, at.toISOString());
    })();
  }

  /** The ratings last stored for a scenario id, whichever version they were for (difficulty-cache.ts decides whether they still hold). */
  cachedDifficulty(scenarioId: string): CachedDifficulty | undefined {
    const row = this.q.difficulty.get(scenarioId) as
      | { scenario_hash: string; plan_hash: string; version: string; seeds: number; ratings_json: string }
      | undefined;
    if (!row) return undefined;
    const ratings = JSON.parse(row.ratings_json) as RatedSeed[];
    return { scenarioId, scenarioHash: row.scenario_hash, planHash: row.plan_hash, version: row.version, seeds: row.seeds, ratings };
  }

  /** Keeps a scenario's ratings in place of any earlier version's: one row per scenario id. */
  saveDifficulty(d: CachedDifficulty, at: Date): void {
    this.q.putDifficulty.run(d.scenarioId, d.scenarioHash, d.planHash, d.version, d.seeds, JSON.stringify(d.ratings), at.toISOString());
  }

  /** Newest first, `limit` rows created before the one at `before` (a `position` from an earlier page). */
  listSessions(limit: number, before: number | null): ListedSession[] {
    return (this.list.page.all({ limit, before }) as ListedRow[]).map(toListed);
  }

  listedSession(id: string): ListedSession | undefined {
    const row = this.list.one.get(id) as ListedRow | undefined;
    return row ? toListed(row) : undefined;
  }

  addParticipant(sessionId: string, p: StoredParticipant): void {
    this.q.insertParticipant.run({ sessionId, id: p.id, role: p.role, name: p.name, inviteId: p.inviteId, createdAt: p.createdAt });
  }

  participants(sessionId: string): StoredParticipant[] {
    return (this.q.participants.all(sessionId) as { id: string; role: Role; name: string; invite_id: string | null; created_at: string; removed_at: string | null }[]).map((r) => ({
      id: r.id,
      role: r.role,
      name: r.name,
      inviteId: r.invite_id,
      createdAt: r.created_at,
      removedAt: r.removed_at,
    }));
  }

  /**
   * Removes a participant for good: their invite links are revoked, and their tokens (kept, so the
   * answer can be "you were removed" rather than "who are you?") no longer open the drill.
   */
  removeParticipant(sessionId: string, participantId: string, at: Date): void {
    this.db.transaction(() => {
      this.q.removeParticipant.run(at.toISOString(), sessionId, participantId);
      this.q.revokeInvites.run(at.toISOString(), sessionId, participantId);
    })();
  }

  /** Adds a participant's token, keeping only their `keep` newest (each browser they joined from has one). */
  addToken(sessionId: string, participantId: string, tokenHash: string, at: Date, keep: number): void {
    this.db.transaction(() => {
      this.q.insertToken.run(tokenHash, sessionId, participantId, at.toISOString());
      this.q.pruneTokens.run(sessionId, participantId, sessionId, participantId, keep);
    })();
  }

  /** Whose token this is (removed participants included: the caller decides what that means). */
  tokenOwner(sessionId: string, tokenHash: string): { id: string; role: Role; removed: boolean } | undefined {
    const row = this.q.tokenOwner.get(tokenHash, sessionId) as { id: string; role: Role; removed_at: string | null } | undefined;
    return row ? { id: row.id, role: row.role, removed: row.removed_at !== null } : undefined;
  }

  addInvite(sessionId: string, invite: StoredInvite, tokenHash: string): void {
    this.q.insertInvite.run(sessionId, invite.id, invite.name, tokenHash, invite.participantId, invite.createdAt);
  }

  bindInvite(sessionId: string, inviteId: string, participantId: string): void {
    this.q.bindInvite.run(participantId, sessionId, inviteId);
  }

  invites(sessionId: string): StoredInvite[] {
    return (this.q.invites.all(sessionId) as { id: string; name: string; participant_id: string | null; created_at: string }[]).map(toInvite);
  }

  /** The invite a link's hash names, revoked or not (`revoked` says which). */
  inviteByTokenHash(sessionId: string, tokenHash: string): (StoredInvite & { revoked: boolean }) | undefined {
    const row = this.q.inviteByHash.get(sessionId, tokenHash) as
      | { id: string; name: string; participant_id: string | null; created_at: string; revoked_at: string | null }
      | undefined;
    return row ? { ...toInvite(row), revoked: row.revoked_at !== null } : undefined;
  }

  /** Runs `fn` in one transaction: several writes, one fsync. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private closed = false;

  close(): void {
    this.closed = true;
    // A clean shutdown may wait for the disk: everything committed is made power-safe before we go.
    this.checkpointer?.postMessage('stop');
    if (this.file !== ':memory:') this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}

const toInvite = (r: { id: string; name: string; participant_id: string | null; created_at: string }): StoredInvite => ({
  id: r.id,
  name: r.name,
  participantId: r.participant_id,
  createdAt: r.created_at,
});

interface ListedRow {
  position: number;
  id: string;
  scenario_id: string;
  title: string | null;
  seed: number;
  status: DrillStatus;
  created_at: string;
  ended_at: string | null;
  difficulty: string | null;
  team: string | null;
  score: number | null;
}

const toListed = (r: ListedRow): ListedSession => ({
  position: r.position,
  id: r.id,
  scenarioId: r.scenario_id,
  title: r.title ?? r.scenario_id,
  seed: r.seed,
  status: r.status,
  createdAt: r.created_at,
  endedAt: r.ended_at,
  team: r.team,
  score: r.score,
  difficulty: toDifficulty(r.difficulty),
});
