/**
 * `sevdrill samples <log.jsonl> [--every 10s] [--format csv|jsonl] [--out FILE]`: the per-tick
 * telemetry of a run, re-derived by replaying its log (telemetry is streamed live and never logged),
 * so a drill can be charted in a team's own tools.
 */
import { foldCommands } from '../core/log/fold.ts';
import { logEnd, loggedCommands } from '../core/log/replay.ts';
import { parseDuration } from '../protocol/format.ts';
import type { EngineEvent } from '../protocol/events.ts';
import type { ScenarioSpec } from '../protocol/scenario.ts';
import type { MetricsSample } from '../protocol/views.ts';
import { EXIT_INVALID, EXIT_OK, UsageError, onePositional, parseCli, readLogFile, writeText } from './io.ts';

const SAMPLES_HELP = `usage: sevdrill samples <log.jsonl> [--every 10s] [--format csv|jsonl] [--out FILE]

Replays a log and prints the telemetry of every tick: per service its request rate, error rate, p50
and p99 latency, saturation, backlog and state; per journey its rate, error rate, p99 and whether it
is within its SLO; per topic (asynchronous edge) its publish rate and consumer lag. Telemetry is never logged, so this is how a run is charted outside sevdrill.

  --every DURATION    one sample per DURATION of simulated time (default: every tick); the first tick
                      of each window is kept
  --format csv|jsonl  csv (default): a header, then one row per tick per service, journey or topic
                      (asynchronous edge):
                        t,kind,id,rps,errorRate,p50Ms,p99Ms,saturation,backlog,state,inSlo,lag,lagSeconds
                      t is simulated ms; cells that do not apply to the row's kind are empty. A topic's
                      rps is messages published per second, lag the messages not yet consumed and
                      lagSeconds the age of the oldest one.
                      jsonl: one JSON object per tick, {t, services: [...], journeys: [...], topics: [...]}
  --out FILE          write to FILE instead of standard output

exit codes: 0 ok, 1 the log is unreadable or invalid, 2 usage error
`;

const COLUMNS = ['t', 'kind', 'id', 'rps', 'errorRate', 'p50Ms', 'p99Ms', 'saturation', 'backlog', 'state', 'inSlo', 'lag', 'lagSeconds'] as const;

export async function runSamples(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    every: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(SAMPLES_HELP);
    return EXIT_OK;
  }
  const file = onePositional(positionals, 'log file');
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError('--format must be csv or jsonl');
  const every = values.every === undefined ? 0 : parseDuration(values.every);
  if (every === undefined || every < 0) throw new UsageError(`--every must be a duration such as 10s, 1m or 1h, not "${values.every}"`);
  const parsed = await readLogFile(file);
  if (!parsed) return EXIT_INVALID;
  const samples = deriveSamples(parsed.header.scenario, parsed.header.seed, parsed.events, every);
  const output = format === 'csv' ? samplesCsv(samples) : samples.map((s) => `${JSON.stringify(s)}\n`).join('');
  if (values.out === undefined) process.stdout.write(output);
  else await writeText(values.out, output);
  return EXIT_OK;
}

/** Every tick's sample of a logged run, thinned to the first of each `every` window (0: all of them). */
function deriveSamples(scenario: ScenarioSpec, seed: number, events: readonly EngineEvent[], every: number): MetricsSample[] {
  const samples: MetricsSample[] = [];
  let window = -1;
  foldCommands(scenario, seed, loggedCommands(events), {
    until: logEnd(events),
    onTick: (sample) => {
      const w = every > 0 ? Math.floor(sample.t / every) : sample.t;
      if (w === window) return;
      window = w;
      samples.push(sample);
    },
  });
  return samples;
}

function samplesCsv(samples: readonly MetricsSample[]): string {
  const rows: string[] = [COLUMNS.join(',')];
  for (const { t, services, journeys, topics } of samples) {
    for (const s of services) rows.push([t, 'service', s.id, s.rps, s.errorRate, s.p50Ms, s.p99Ms, s.saturation, s.backlog, s.state, '', '', ''].join(','));
    for (const j of journeys) rows.push([t, 'journey', j.id, j.rps, j.errorRate, '', j.p99Ms, '', '', '', j.inSlo, '', ''].join(','));
    for (const q of topics) rows.push([t, 'topic', q.id, q.rps, '', '', '', '', '', '', '', q.lag, q.lagSeconds].join(','));
  }
  return `${rows.join('\n')}\n`;
}
