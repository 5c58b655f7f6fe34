/**
 * The database schema as a list of migrations; `PRAGMA user_version` records how many have run. A
 * new database and one written by an older server take the same path, so there is one schema.
 */
import type Database from 'better-sqlite3';

type Migration = (db: Database.Database, hash: (secret: string) => string) => void;

export const MIGRATIONS: readonly Migration[] = [
  // 1: the first schema (sessions with plain-text join codes, and their inputs).
  (db) =>
    db.exec(`
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
    `),
  // 2: join codes hashed; participants with server-issued identities; invites; archived logs.
  (db, hash) => {
    db.exec(`
      ALTER TABLE sessions ADD COLUMN responder_code_hash TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN observer_code_hash TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN join_mode TEXT NOT NULL DEFAULT 'code';
      ALTER TABLE sessions ADD COLUMN facilitator_name TEXT NOT NULL DEFAULT 'Facilitator';
      ALTER TABLE sessions ADD COLUMN ended_at TEXT;
      ALTER TABLE sessions ADD COLUMN archived_at TEXT;
    `);
    const rows = db.prepare('SELECT id, responder_code, observer_code FROM sessions').all() as { id: string; responder_code: string; observer_code: string }[];
    const update = db.prepare('UPDATE sessions SET responder_code_hash = ?, observer_code_hash = ? WHERE id = ?');
    for (const r of rows) update.run(hash(r.responder_code), hash(r.observer_code), r.id);
    db.exec(`
      ALTER TABLE sessions DROP COLUMN responder_code;
      ALTER TABLE sessions DROP COLUMN observer_code;
      CREATE INDEX sessions_by_status ON sessions (status);
      CREATE TABLE participants (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        id TEXT NOT NULL,
        role TEXT NOT NULL,
        name TEXT NOT NULL,
        invite_id TEXT,
        created_at TEXT NOT NULL,
        removed_at TEXT,
        PRIMARY KEY (session_id, id)
      );
      CREATE TABLE participant_tokens (
        token_hash TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        participant_id TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE invites (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        participant_id TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT,
        PRIMARY KEY (session_id, id)
      );
      CREATE INDEX invites_by_token ON invites (session_id, token_hash);
      CREATE TABLE archives (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id),
        log_gz BLOB NOT NULL,
        archived_at TEXT NOT NULL
      );
    `);
  },
  // 3: the report cache: a stopped drill's scorecard and rendered reports, computed once (reports.ts).
  // `events` is the length of the log they were computed from, `version` the code that computed them.
  (db) =>
    db.exec(`
      CREATE TABLE report_cache (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        kind TEXT NOT NULL,
        events INTEGER NOT NULL,
        version TEXT NOT NULL,
        body TEXT NOT NULL,
        computed_at TEXT NOT NULL,
        PRIMARY KEY (session_id, kind)
      );
    `),
  // 4: the difficulty cache: each scenario's seeds 1..N rated easy, typical or hard by an explore with its
  // reference plan (difficulty-cache.ts). One row per scenario id, for the version explored last; the
  // hashes, `version` and `seeds` say which one that was.
  (db) =>
    db.exec(`
      CREATE TABLE difficulty_cache (
        scenario_id TEXT PRIMARY KEY,
        scenario_hash TEXT NOT NULL,
        plan_hash TEXT NOT NULL,
        version TEXT NOT NULL,
        seeds INTEGER NOT NULL,
        ratings_json TEXT NOT NULL,
        computed_at TEXT NOT NULL
      );
    `),
  // 5: the team tools a drill sends to (integrations/), chosen when it is created: a JSON array of names.
  (db) => db.exec(`ALTER TABLE sessions ADD COLUMN integrations_json TEXT NOT NULL DEFAULT '[]';`),
  // 6: the hash of a drill's inbound secret (integrations/inbound.ts): what lets the team's PagerDuty
  // acknowledge its pages. '' for a drill made before; its facilitator's next visit stores it.
  (db) => db.exec(`ALTER TABLE sessions ADD COLUMN inbound_secret_hash TEXT NOT NULL DEFAULT '';`),
  // 7: the difficulty a drill was asked for (easy, typical, hard), when the server picked its seed by
  // one; NULL for a drill created by seed, and for every drill stored before this column.
  (db) => db.exec(`ALTER TABLE sessions ADD COLUMN difficulty TEXT;`),
];
