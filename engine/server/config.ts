/**
 * Server settings from the environment, with the defaults `npm start` uses. Every variable is listed
 * in the README's Security section and in docs/protocol.md. A bad value stops the server at startup
 * with a message naming the variable: a typo must not silently fall back to a default.
 */
import { realpathSync, statSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDuration } from '../protocol/format.ts';
import { integrationsFromEnv, type IntegrationsConfig } from './integrations/config.ts';
import type { Rate } from './limits.ts';
import { parseOrigins } from './origin.ts';
import { defaultValidationPoolOptions, type ValidationPoolOptions } from './validate-pool.ts';

export interface ServerConfig {
  port: number;
  /** Bind address: loopback unless HOST says otherwise. */
  host: string;
  dataFile: string;
  /**
   * The directories the scenario catalog loads, absolute, in order: the shipped ./scenarios first, then
   * those SEVDRILL_SCENARIOS adds. A scenario id belongs to its first file in this order (catalog.ts).
   */
  scenarioDirs: string[];
  /** Quiet time (wall ms) after a change in a scenario directory before its files are read again. */
  scenarioWatchDebounceMs: number;
  uiDir: string;
  /** Browser origins allowed to call the API and open sockets (SEVDRILL_ORIGINS); null = this server on localhost/127.0.0.1. */
  allowedOrigins: string[] | null;
  /** Express `trust proxy` (SEVDRILL_TRUST_PROXY): whose X-Forwarded-For names the client address. */
  trustProxy: string | false;
  /** Needed as a Bearer token to create drills and campaigns, when set (SEVDRILL_ADMIN_TOKEN). */
  adminToken: string | null;
  /** Needed as a Bearer token to scrape /metrics, when set (SEVDRILL_METRICS_TOKEN); unset, /metrics is open. */
  metricsToken: string | null;
  heartbeatMs: number;
  /** A socket that has not joined a drill by then is closed. */
  helloTimeoutMs: number;
  /** A client whose unsent data passes this is cut off: it must not grow the server's heap. */
  maxBufferedBytes: number;
  /** Messages per second per socket, per participant (all their sockets) and per drill (everyone but the facilitator). */
  rateLimit: Rate;
  participantRate: Rate;
  drillRate: Rate;
  /** Bytes per second that commands may add to a drill's log (the flood a log can take). */
  drillLogBytes: Rate;
  /** New WebSocket connections per client address: a socket closed for flooding cannot just come back. */
  connectRate: Rate;
  maxSocketsPerParticipant: number;
  /** Sockets joined through one code (all responders, or all observers) of one drill. */
  maxSocketsPerCode: number;
  maxParticipants: number;
  /** Drills one client address may create (campaigns count each drill). */
  createRate: Rate;
  /** Drills that have not ended, across the server. */
  maxOpenDrills: number;
  /** An ended drill leaves memory this long after it ends; it stays readable from its archive. */
  archiveAfterMs: number;
  /** A drill nobody has touched or watched for this long is closed as expired. */
  idleExpiryMs: number;
  /** How often (wall ms) a running drill records how far simulated time has got. */
  progressSaveMs: number;
  logLevel: string;
  validation: ValidationPoolOptions;
  /**
   * Creating drills by difficulty (difficulty-cache.ts): seeds 1..N of each scenario with a reference
   * plan are explored in the background (SEVDRILL_DIFFICULTY_SEEDS; 0 explores nothing), on this many
   * worker threads, one scenario at a time. One thread, so that live drills keep the other cores.
   */
  difficulty: { seeds: number; workers: number };
  /** The team's own tools drills may send to (SEVDRILL_ALERTMANAGER_URL and the rest; integrations/config.ts). */
  integrations: IntegrationsConfig;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Explored seeds per scenario: at about 60 ms a seed (retail-sev1, one thread), 10,000 take ten minutes. */
const MAX_DIFFICULTY_SEEDS = 10_000;

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const createPerMinute = count(env, 'SEVDRILL_CREATE_PER_MINUTE', 10);
  return {
    port: count(env, 'PORT', 8080, 0, 65_535),
    host: env.HOST ?? '127.0.0.1',
    dataFile: env.SEVDRILL_DATA ?? `${ROOT}data/sevdrill.db`,
    scenarioDirs: scenarioDirs(env.SEVDRILL_SCENARIOS),
    scenarioWatchDebounceMs: 250,
    uiDir: `${ROOT}ui/dist`,
    allowedOrigins: parseOrigins(env.SEVDRILL_ORIGINS),
    trustProxy: env.SEVDRILL_TRUST_PROXY ? env.SEVDRILL_TRUST_PROXY : false,
    adminToken: env.SEVDRILL_ADMIN_TOKEN ? longSecret('SEVDRILL_ADMIN_TOKEN', env.SEVDRILL_ADMIN_TOKEN) : null,
    metricsToken: env.SEVDRILL_METRICS_TOKEN ? longSecret('SEVDRILL_METRICS_TOKEN', env.SEVDRILL_METRICS_TOKEN) : null,
    heartbeatMs: count(env, 'SEVDRILL_HEARTBEAT_MS', 30_000, 100),
    helloTimeoutMs: 10_000,
    maxBufferedBytes: 1024 * 1024,
    rateLimit: { perSecond: 20, burst: 40 },
    participantRate: { perSecond: 10, burst: 20 },
    drillRate: { perSecond: count(env, 'SEVDRILL_DRILL_MESSAGES_PER_SEC', 30, 1), burst: 2 * count(env, 'SEVDRILL_DRILL_MESSAGES_PER_SEC', 30, 1) },
    drillLogBytes: { perSecond: count(env, 'SEVDRILL_DRILL_LOG_BYTES_PER_SEC', 12 * 1024, 1024), burst: 8 * count(env, 'SEVDRILL_DRILL_LOG_BYTES_PER_SEC', 12 * 1024, 1024) },
    // Generous enough for a whole office behind one NAT reconnecting after a restart.
    connectRate: { perSecond: 10, burst: 100 },
    maxSocketsPerParticipant: count(env, 'SEVDRILL_MAX_SOCKETS_PER_PARTICIPANT', 8, 1),
    maxSocketsPerCode: count(env, 'SEVDRILL_MAX_SOCKETS_PER_CODE', 100, 1),
    maxParticipants: count(env, 'SEVDRILL_MAX_PARTICIPANTS', 100, 2),
    createRate: { perSecond: createPerMinute / 60, burst: createPerMinute },
    maxOpenDrills: count(env, 'SEVDRILL_MAX_OPEN_DRILLS', 50, 1),
    archiveAfterMs: duration(env, 'SEVDRILL_ARCHIVE_AFTER', '10m'),
    idleExpiryMs: duration(env, 'SEVDRILL_IDLE_EXPIRY', '12h'),
    progressSaveMs: 1000,
    logLevel: env.SEVDRILL_LOG_LEVEL ?? 'info',
    validation: defaultValidationPoolOptions(env),
    difficulty: { seeds: count(env, 'SEVDRILL_DIFFICULTY_SEEDS', 200, 0, MAX_DIFFICULTY_SEEDS), workers: 1 },
    integrations: integrationsFromEnv(env),
  };
}

function count(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return value;
}

function duration(env: NodeJS.ProcessEnv, name: string, fallback: string): number {
  const raw = env[name] ?? fallback;
  const ms = parseDuration(raw);
  if (ms === undefined) throw new Error(`${name} must be a duration such as 30s, 10m or 12h, not "${raw}"`);
  return ms;
}

/**
 * The shipped ./scenarios, then each directory SEVDRILL_SCENARIOS lists (separated by the platform's
 * path delimiter: `:` on Linux and macOS, `;` on Windows), resolved against the working directory.
 * Empty entries are skipped and a directory listed twice is loaded once, at its first place; an entry
 * that is not a directory stops the server, since a typo would otherwise hide a whole set of scenarios.
 */
function scenarioDirs(raw: string | undefined): string[] {
  const shipped = resolve(ROOT, 'scenarios');
  const dirs = [shipped];
  // Compared by real path, so that a directory reached through a symlink is not loaded twice.
  const seen = new Set([realOrSame(shipped)]);
  for (const entry of (raw ?? '').split(delimiter)) {
    if (entry.trim() === '') continue;
    const dir = resolve(entry);
    let isDirectory = false;
    try {
      isDirectory = statSync(dir).isDirectory();
    } catch {
      // Missing or unreadable: reported below, as one that is not a directory.
    }
    if (!isDirectory) throw new Error(`SEVDRILL_SCENARIOS entry "${entry}" is not a directory (list directories separated by "${delimiter}")`);
    const real = realOrSame(dir);
    if (seen.has(real)) continue;
    seen.add(real);
    dirs.push(dir);
  }
  return dirs;
}

function realOrSame(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

function longSecret(name: string, value: string): string {
  // A short token on a server open to a network is a password anyone can guess.
  if (value.length < 16) throw new Error(`${name} must be at least 16 characters (try: openssl rand -base64 24)`);
  return value;
}
