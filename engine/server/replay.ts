/**
 * The replay bundle: a drill's log (as its reader may see it) plus the telemetry of every tick,
 * re-derived by folding the log's commands again (engine/core/log/fold.ts); nothing extra is stored.
 *
 * Folding a 6-hour drill takes hundreds of milliseconds, and its bundle is ~2,160 samples (~4 MB of
 * JSON, ~0.4 MB gzipped): building, encoding or compressing it on the main thread would stall every
 * live drill's tick. So the bundle is built, encoded and gzipped on the report worker
 * (report-worker.ts), and cached by the report service (reports.ts); the main thread only sends the
 * gzipped bytes it is handed (unzipping them on the thread pool, streamed, for the rare client that
 * does not accept gzip).
 */
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { foldCommands } from '../core/log/fold.ts';
import { loggedCommands } from '../core/log/replay.ts';
import { publicScenario } from '../core/read/visibility.ts';
import { createSession } from '../core/session.ts';
import type { EngineEvent } from '../protocol/events.ts';
import type { ReplayBundle, Role } from '../protocol/messages.ts';
import type { Scenario } from '../protocol/scenario.ts';
import type { MetricsSample } from '../protocol/views.ts';
import { PublicSequence, audienceOf } from './audience.ts';

/** What a bundle is made of: a drill's log and where it got to (a DrillView's fields, as of one moment). */
export interface ReplaySource {
  id: string;
  scenario: Scenario;
  seed: number;
  tickMs: number;
  phase: string;
  now: number;
  events: readonly EngineEvent[];
}

/** The bundle of each role asked for, from one fold of the log. Pure in the source. */
export function buildReplayBundles(source: ReplaySource, roles: readonly Role[]): Map<Role, ReplayBundle> {
  const { scenario, seed, events: logged } = source;
  const start = createSession(scenario, { seed });
  // Telemetry is streamed live and never logged: every tick's sample again, up to the drill's `now`
  // (which the log alone cannot tell), equal to those streamed live.
  const samples: MetricsSample[] = [];
  foldCommands(scenario, seed, loggedCommands(logged), { until: source.now, onTick: (sample) => samples.push(sample) });
  const bundles = new Map<Role, ReplayBundle>();
  for (const role of roles) {
    const full = role === 'facilitator';
    bundles.set(role, {
      sessionId: source.id,
      role,
      scenario: full ? scenario : publicScenario(scenario),
      seed,
      tickMs: source.tickMs,
      phase: source.phase,
      now: source.now,
      snapshot: start.snapshot(),
      ...(full ? { facilitator: start.facilitatorView() } : {}),
      // Numbered as each audience saw them live (audience.ts), so a replay never shows hidden gaps.
      events: new PublicSequence(logged).view(audienceOf(role), logged),
      samples,
    });
  }
  return bundles;
}

/** Sends a bundle's gzipped JSON: as it is to clients that accept gzip, unzipped (streamed, off the event loop) to others. */
export function sendReplay(req: Request, res: Response, gzipped: Buffer): void {
  res.vary('Accept-Encoding').type('application/json');
  if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
    res.set('Content-Encoding', 'gzip').send(gzipped);
    return;
  }
  const gunzip = createGunzip();
  // The bytes were made by our own worker: a failure here is the connection's, and ends it.
  pipeline(gunzip, res, () => {});
  gunzip.end(gzipped);
}
