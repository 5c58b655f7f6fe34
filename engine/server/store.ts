/**
 * Durable storage in SQLite (WAL, synchronous=FULL): each session's scenario, seed, speed and
 * credentials, and every engine input (commands, in order). Events are not stored: the engine is
 * deterministic, so they are re-derived from the inputs. A command is acknowledged only after the
 * transaction that stores it has committed, which with synchronous=FULL survives a power failure.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CommandInput } from '../core/types.ts';
import type { Scenario } from '../scenario/schema.ts';

export interface StoredSession {
  id: string;
  scenario: Scenario;
  seed: number;
  speed: number;
  facilitatorTokenHash: string;
  responderCode: string;
  observerCode: string;
  createdAt: string;
  simNow: number;
  status: 'live' | 'ended' | 'failed';
}

export interface StoredInput {
  n: number;
  t: number;
  command: CommandInput;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  scenario_id TEXT NOT NULL,
  scenario_json TEXT NOT NULL,
  seed INTEGER NOT NULL,
  speed REAL NOT NULL,
  facilitator_token_hash TEXT NOT NULL,
  responder_code TEXT NOT NULL,
  observer_code TEXT NOT NULL,
  created_at TEXT NOT NULL,
  sim_now INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'live'
);
CREATE TABLE IF NOT EXISTS inputs (
  session_id TEXT NOT NULL REFERENCES sessions(id),
  n INTEGER NOT NULL,
  t INTEGER NOT NULL,
  command_json TEXT NOT NULL,
  PRIMARY KEY (session_id, n)
);
`;

interface SessionRow {
  id: string;
  scenario_json: string;
  seed: number;
  speed: number;
  facilitator_token_hash: string;
  responder_code: string;
  observer_code: string;
  created_at: string;
  sim_now: number;
  status: StoredSession['status'];
}

export class Store {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    this.statements = {
      insertSession: this.db.prepare(
        `INSERT INTO sessions (id, scenario_id, scenario_json, seed, speed, facilitator_token_hash, responder_code, observer_code, created_at)
         VALUES (@id, @scenarioId, @scenarioJson, @seed, @speed, @facilitatorTokenHash, @responderCode, @observerCode, @createdAt)`,
      ),
      insertInput: this.db.prepare('INSERT INTO inputs (session_id, n, t, command_json) VALUES (?, ?, ?, ?)'),
      setProgress: this.db.prepare('UPDATE sessions SET sim_now = ? WHERE id = ?'),
      setSpeed: this.db.prepare('UPDATE sessions SET speed = ? WHERE id = ?'),
      setStatus: this.db.prepare('UPDATE sessions SET status = ?, sim_now = ? WHERE id = ?'),
      sessions: this.db.prepare('SELECT * FROM sessions ORDER BY created_at, id'),
      inputs: this.db.prepare('SELECT n, t, command_json FROM inputs WHERE session_id = ? ORDER BY n'),
    };
  }

  /** The connection, for modules that keep their own tables in the same database (the leaderboard). */
  get database(): Database.Database {
    return this.db;
  }

  createSession(s: Omit<StoredSession, 'simNow' | 'status'>): void {
    this.statements.insertSession.run({
      id: s.id,
      scenarioId: s.scenario.id,
      scenarioJson: JSON.stringify(s.scenario),
      seed: s.seed,
      speed: s.speed,
      facilitatorTokenHash: s.facilitatorTokenHash,
      responderCode: s.responderCode,
      observerCode: s.observerCode,
      createdAt: s.createdAt,
    });
  }

  /** Stores one engine input; returns once the commit is durable. */
  appendInput(sessionId: string, input: StoredInput): void {
    this.statements.insertInput.run(sessionId, input.n, input.t, JSON.stringify(input.command));
  }

  /** How far simulated time has run, so a restart resumes there (losing at most one save interval). */
  saveProgress(sessionId: string, simNow: number): void {
    this.statements.setProgress.run(simNow, sessionId);
  }

  /** Many drills' progress in one transaction: one fsync a second for the whole process. */
  saveProgressMany(rows: readonly (readonly [string, number])[]): void {
    if (rows.length === 0) return;
    this.db.transaction(() => {
      for (const [id, simNow] of rows) this.statements.setProgress.run(simNow, id);
    })();
  }

  saveSpeed(sessionId: string, speed: number): void {
    this.statements.setSpeed.run(speed, sessionId);
  }

  setStatus(sessionId: string, status: StoredSession['status'], simNow: number): void {
    this.statements.setStatus.run(status, simNow, sessionId);
  }

  loadSessions(): StoredSession[] {
    return (this.statements.sessions.all() as SessionRow[]).map((r) => ({
      id: r.id,
      scenario: JSON.parse(r.scenario_json) as Scenario,
      seed: r.seed,
      speed: r.speed,
      facilitatorTokenHash: r.facilitator_token_hash,
      responderCode: r.responder_code,
      observerCode: r.observer_code,
      createdAt: r.created_at,
      simNow: r.sim_now,
      status: r.status,
    }));
  }

  loadInputs(sessionId: string): StoredInput[] {
    return (this.statements.inputs.all(sessionId) as { n: number; t: number; command_json: string }[]).map((r) => ({
      n: r.n,
      t: r.t,
      command: JSON.parse(r.command_json) as CommandInput,
    }));
  }

  close(): void {
    this.db.close();
  }
}
