/**
 * The replay bundle: a drill's log (as its reader may see it) plus the telemetry of every tick,
 * re-derived by folding the log's commands again (engine/core/log/fold.ts); nothing extra is stored.
 * A 6-hour drill is ~2,160 samples (~4 MB of JSON, ~0.4 MB gzipped), so the body is gzipped for
 * clients that accept it, and the finished bytes of recent bundles are kept: an ended drill's
 * bundle never changes, and re-running a long drill on every request would stall the live drills.
 */
import type { Request, Response } from 'express';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { foldCommands } from '../core/log/fold.ts';
import { loggedCommands } from '../core/log/replay.ts';
import { createSession } from '../core/session.ts';
import type { MetricsSample } from '../protocol/views.ts';
import { publicScenario } from '../core/read/visibility.ts';
import type { ReplayBundle, Role } from '../protocol/messages.ts';
import type { DrillView } from './archive.ts';
import { PublicSequence, audienceOf } from './audience.ts';

const gzip = promisify(gzipCallback);

function buildReplayBundle(drill: DrillView, role: Role): ReplayBundle {
  const full = role === 'facilitator';
  const { record, scenario } = drill;
  const logged = drill.events;
  const start = createSession(scenario, { seed: record.seed });
  // Telemetry is streamed live and never logged: every tick's sample again, up to the drill's `now`
  // (which the log alone cannot tell), equal to those streamed live.
  const samples: MetricsSample[] = [];
  foldCommands(scenario, record.seed, loggedCommands(logged), { until: drill.now, onTick: (sample) => samples.push(sample) });
  return {
    sessionId: drill.id,
    role,
    scenario: full ? scenario : publicScenario(scenario),
    seed: record.seed,
    tickMs: drill.tickMs,
    phase: drill.phase,
    now: drill.now,
    snapshot: start.snapshot(),
    ...(full ? { facilitator: start.facilitatorView() } : {}),
    // Numbered as each audience saw them live (audience.ts), so a replay never shows hidden gaps.
    events: new PublicSequence(logged).view(audienceOf(role), logged),
    samples,
  };
}

interface Encoded {
  json: Buffer;
  gzipped: Buffer;
}

/** Serves bundles, keeping the encoded bytes of the last few (keyed by drill, role and progress). */
export class ReplayCache {
  private readonly entries = new Map<string, Promise<Encoded>>();

  constructor(private readonly size = 8) {}

  async send(req: Request, res: Response, drill: DrillView, role: Role): Promise<void> {
    const key = `${drill.id}|${role}|${drill.events.length}|${drill.now}`;
    let encoded = this.entries.get(key);
    if (encoded) this.entries.delete(key);
    else {
      const json = Buffer.from(JSON.stringify(buildReplayBundle(drill, role)));
      encoded = gzip(json).then((gzipped) => ({ json, gzipped }));
      // An entry whose encoding failed is forgotten, not served again.
      encoded.catch(() => this.entries.delete(key));
    }
    // Newest last: the first key is the least recently used.
    this.entries.set(key, encoded);
    while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
    const { json, gzipped } = await encoded;
    res.vary('Accept-Encoding').type('application/json');
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') res.set('Content-Encoding', 'gzip').send(gzipped);
    else res.send(json);
  }
}
