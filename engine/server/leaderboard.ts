/**
 * Scores, teams and campaigns, in the same SQLite database as the drills. A drill's score is
 * computed from its log when it ends (the same pure scoreLog the CLI uses) and kept with its team,
 * so a leaderboard compares teams on the same scenario and seed, and a team can see its own
 * progress across game days. A campaign is a "week" of drills played by one team, scored on total
 * availability.
 */
import type Database from 'better-sqlite3';
import { combineAvailability, type Availability } from '../score/availability.ts';
import type { Durations } from '../score/milestones.ts';

export interface ScoreRow {
  sessionId: string;
  scenarioId: string;
  seed: number;
  team: string;
  score: number;
  timeToMitigateMs: number | null;
  lost: number;
  availability: number;
  requests: number;
  failed: number;
  scoredAt: string;
}

export interface CampaignRecord {
  id: string;
  team: string;
  name: string;
  createdAt: string;
  sessionIds: string[];
}

/** A finished campaign on the campaign leaderboard (campaignStandings). */
export interface CampaignStanding {
  rank: number;
  campaignId: string;
  team: string;
  name: string;
  createdAt: string;
  scenarioIds: string[];
  totalScore: number;
  availability: Availability;
}

interface CampaignDbRow {
  id: string;
  team: string;
  name: string;
  created_at: string;
  scenario_id: string;
  score: number | null;
  requests: number | null;
  failed: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS session_meta (
  session_id TEXT PRIMARY KEY REFERENCES sessions(id),
  team TEXT,
  campaign_id TEXT
);
CREATE TABLE IF NOT EXISTS scores (
  session_id TEXT PRIMARY KEY REFERENCES sessions(id),
  scenario_id TEXT NOT NULL,
  seed INTEGER NOT NULL,
  team TEXT NOT NULL,
  score REAL NOT NULL,
  time_to_mitigate_ms INTEGER,
  lost REAL NOT NULL,
  availability REAL NOT NULL,
  requests REAL NOT NULL,
  failed REAL NOT NULL,
  scored_at TEXT NOT NULL,
  scorecard_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scores_by_scenario ON scores (scenario_id, seed, score DESC);
CREATE INDEX IF NOT EXISTS scores_by_team ON scores (team, scored_at);
CREATE TABLE IF NOT EXISTS campaigns (
  id TEXT PRIMARY KEY,
  team TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

interface ScoreDbRow {
  session_id: string;
  scenario_id: string;
  seed: number;
  team: string;
  score: number;
  time_to_mitigate_ms: number | null;
  lost: number;
  availability: number;
  requests: number;
  failed: number;
  scored_at: string;
}

const toRow = (r: ScoreDbRow): ScoreRow => ({
  sessionId: r.session_id,
  scenarioId: r.scenario_id,
  seed: r.seed,
  team: r.team,
  score: r.score,
  timeToMitigateMs: r.time_to_mitigate_ms,
  lost: r.lost,
  availability: r.availability,
  requests: r.requests,
  failed: r.failed,
  scoredAt: r.scored_at,
});

export class Leaderboard {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.q = {
      setMeta: db.prepare('INSERT OR REPLACE INTO session_meta (session_id, team, campaign_id) VALUES (?, ?, ?)'),
      meta: db.prepare('SELECT team, campaign_id FROM session_meta WHERE session_id = ?'),
      record: db.prepare(
        `INSERT OR REPLACE INTO scores (session_id, scenario_id, seed, team, score, time_to_mitigate_ms, lost, availability, requests, failed, scored_at, scorecard_json)
         VALUES (@sessionId, @scenarioId, @seed, @team, @score, @timeToMitigateMs, @lost, @availability, @requests, @failed, @scoredAt, @scorecard)`,
      ),
      scorecard: db.prepare('SELECT scorecard_json FROM scores WHERE session_id = ?'),
      byScenario: db.prepare('SELECT * FROM scores WHERE scenario_id = ? ORDER BY seed, score DESC, time_to_mitigate_ms IS NULL, time_to_mitigate_ms, scored_at'),
      byTeam: db.prepare('SELECT * FROM scores WHERE team = ? ORDER BY scored_at, session_id'),
      addCampaign: db.prepare('INSERT INTO campaigns (id, team, name, created_at) VALUES (?, ?, ?, ?)'),
      campaign: db.prepare('SELECT * FROM campaigns WHERE id = ?'),
      campaignSessions: db.prepare('SELECT session_id FROM session_meta WHERE campaign_id = ? ORDER BY rowid'),
      score: db.prepare('SELECT * FROM scores WHERE session_id = ?'),
      // Only the response times, not the whole scorecard: a campaign page asks for every drill of the week.
      durations: db.prepare("SELECT json_extract(scorecard_json, '$.durations') AS d FROM scores WHERE session_id = ?"),
      // Every campaign's drills in order, with their scores where they have one (campaignStandings).
      campaignRows: db.prepare(
        `SELECT c.id, c.team, c.name, c.created_at, s.scenario_id, sc.score, sc.requests, sc.failed
         FROM campaigns c JOIN session_meta m ON m.campaign_id = c.id JOIN sessions s ON s.id = m.session_id LEFT JOIN scores sc ON sc.session_id = m.session_id
         ORDER BY c.created_at, c.id, m.rowid`,
      ),
      unscored: db.prepare(
        "SELECT s.id FROM sessions s LEFT JOIN scores sc ON sc.session_id = s.id WHERE s.status = 'ended' AND sc.session_id IS NULL ORDER BY s.created_at, s.id",
      ),
    };
  }

  setMeta(sessionId: string, team: string | null, campaignId: string | null): void {
    this.q.setMeta.run(sessionId, team, campaignId);
  }

  meta(sessionId: string): { team: string | null; campaignId: string | null } {
    const row = this.q.meta.get(sessionId) as { team: string | null; campaign_id: string | null } | undefined;
    return { team: row?.team ?? null, campaignId: row?.campaign_id ?? null };
  }

  record(row: ScoreRow, scorecard: unknown): void {
    this.q.record.run({ ...row, scorecard: JSON.stringify(scorecard) });
  }

  scorecard(sessionId: string): unknown {
    const row = this.q.scorecard.get(sessionId) as { scorecard_json: string } | undefined;
    return row ? JSON.parse(row.scorecard_json) : undefined;
  }

  score(sessionId: string): ScoreRow | undefined {
    const row = this.q.score.get(sessionId) as ScoreDbRow | undefined;
    return row ? toRow(row) : undefined;
  }

  /** A scored drill's response times (the scorecard's `durations`, simulated ms); undefined until it is scored. */
  durations(sessionId: string): Durations | undefined {
    const row = this.q.durations.get(sessionId) as { d: string | null } | undefined;
    return row?.d ? (JSON.parse(row.d) as Durations) : undefined;
  }

  /**
   * Campaigns whose every drill is scored, ranked by availability (the share of requests served over
   * the whole week: what customers felt), then total score, then the earlier created. A week still
   * under way, or with a drill that failed or expired unscored, is left out: it would be ranked on
   * part of its drills.
   */
  campaignStandings(): CampaignStanding[] {
    const weeks = new Map<string, { row: CampaignDbRow; scenarioIds: string[]; scores: number[]; parts: Availability[]; complete: boolean }>();
    for (const row of this.q.campaignRows.all() as CampaignDbRow[]) {
      const week = weeks.get(row.id) ?? { row, scenarioIds: [], scores: [], parts: [], complete: true };
      week.scenarioIds.push(row.scenario_id);
      if (row.score === null || row.requests === null || row.failed === null) week.complete = false;
      else {
        week.scores.push(row.score);
        week.parts.push({ requests: row.requests, failed: row.failed, availability: 0 });
      }
      weeks.set(row.id, week);
    }
    const standings = [...weeks.values()]
      .filter((w) => w.complete)
      .map((w) => ({
        campaignId: w.row.id,
        team: w.row.team,
        name: w.row.name,
        createdAt: w.row.created_at,
        scenarioIds: w.scenarioIds,
        totalScore: Math.round(w.scores.reduce((a, b) => a + b, 0) * 10) / 10,
        availability: combineAvailability(w.parts),
      }));
    // Stable: weeks tied on both keep their order of creation.
    standings.sort((a, b) => b.availability.availability - a.availability.availability || b.totalScore - a.totalScore);
    return standings.map((s, i) => ({ rank: i + 1, ...s }));
  }

  /** Drills that ended but have no score (yet): registry.ts scores them. */
  unscored(): string[] {
    return (this.q.unscored.all() as { id: string }[]).map((r) => r.id);
  }

  /** Ranked per seed: only runs of the same scenario and seed are comparable. */
  forScenario(scenarioId: string): { seed: number; entries: (ScoreRow & { rank: number })[] }[] {
    const groups = new Map<number, (ScoreRow & { rank: number })[]>();
    for (const r of (this.q.byScenario.all(scenarioId) as ScoreDbRow[]).map(toRow)) {
      const group = groups.get(r.seed) ?? [];
      group.push({ ...r, rank: group.length + 1 });
      groups.set(r.seed, group);
    }
    return [...groups].map(([seed, entries]) => ({ seed, entries }));
  }

  forTeam(team: string): ScoreRow[] {
    return (this.q.byTeam.all(team) as ScoreDbRow[]).map(toRow);
  }

  createCampaign(id: string, team: string, name: string, createdAt: string): void {
    this.q.addCampaign.run(id, team, name, createdAt);
  }

  campaign(id: string): (CampaignRecord & { availability: Availability; scored: ScoreRow[] }) | undefined {
    const row = this.q.campaign.get(id) as { id: string; team: string; name: string; created_at: string } | undefined;
    if (!row) return undefined;
    const sessionIds = (this.q.campaignSessions.all(id) as { session_id: string }[]).map((r) => r.session_id);
    const scored = sessionIds.map((s) => this.score(s)).filter((s): s is ScoreRow => s !== undefined);
    return {
      id: row.id,
      team: row.team,
      name: row.name,
      createdAt: row.created_at,
      sessionIds,
      scored,
      availability: combineAvailability(scored.map((s) => ({ requests: s.requests, failed: s.failed, availability: s.availability }))),
    };
  }
}
