/**
 * `npm run bench [-- --json] [-- --runs N] [-- --services 10,100,1000] [-- --profile auto|always|never] [-- --sections engine,explore,server,ui]`
 *
 * Not a CI test: a report for people. Prints human-readable results as they come; with --json the last
 * line of stdout is one JSON object with every section's figures (sections merge their keys into it).
 */
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runEngineBench } from './engine.ts';
import { runExploreBench } from './explore.ts';
import { runServerBench } from './server.ts';
import { now } from './stats.ts';
import { runUiBench } from './ui.ts';

const SECTIONS = ['engine', 'explore', 'server', 'ui'] as const;

const HELP = `usage: npm run bench -- [--json] [--runs N] [--services 10,100,1000] [--profile auto|always|never] [--sections LIST]

  --json              end the output with one JSON object (the figures) on the last line
  --runs N            timed runs per measurement, after untimed warm-up runs (3 in the engine section) (default 5, at least 5)
  --services LIST     sizes of the generated topologies (default 10,100,1000)
  --profile MODE      CPU-profile the engine: auto (when it misses its goal), always or never (default auto)
  --sections LIST     the sections to run, of ${SECTIONS.join(',')} (default all)
`;

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      runs: { type: 'string', default: '5' },
      services: { type: 'string', default: '10,100,1000' },
      profile: { type: 'string', default: 'auto' },
      sections: { type: 'string', default: SECTIONS.join(',') },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 5) throw new Error('--runs must be a whole number ≥ 5');
  const services = values.services.split(',').map((x) => Number(x.trim()));
  if (services.some((n) => !Number.isInteger(n) || n < 4)) throw new Error('--services must list whole numbers ≥ 4');
  const profileMode = values.profile;
  if (profileMode !== 'auto' && profileMode !== 'always' && profileMode !== 'never') throw new Error('--profile must be auto, always or never');
  const sections = new Set(values.sections.split(',').map((x) => x.trim()));
  const unknown = [...sections].filter((x) => !(SECTIONS as readonly string[]).includes(x));
  if (unknown.length > 0) throw new Error(`--sections: unknown section ${unknown.join(', ')} (choose from ${SECTIONS.join(', ')})`);

  const print = (line = ''): void => {
    process.stdout.write(`${line}\n`);
  };
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const started = now();
  print(
    `sevdrill bench — Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs; ` +
      `medians of ≥ ${runs} timed runs after untimed warm-up runs; load average ${load()}`,
  );
  print();

  const figures: Record<string, unknown> = {};
  const run: Record<(typeof SECTIONS)[number], () => Promise<Record<string, unknown>>> = {
    engine: async () => ({ ...(await runEngineBench({ root, runs, services, baselineServices: 100, profile: profileMode, print })) }),
    explore: async () => ({ ...(await runExploreBench({ root, print })) }),
    server: async () => ({ ...(await runServerBench({ root, print })) }),
    ui: async () => ({ ...(await runUiBench({ root, print })) }),
  };
  for (const section of SECTIONS) {
    if (!sections.has(section)) continue;
    print(`== ${section} ==`);
    Object.assign(figures, await run[section]());
    print();
  }

  print(`bench finished in ${((now() - started) / 1000).toFixed(1)} s; load average ${load()} (other processes on this machine skew wall times)`);
  if (values.json) print(JSON.stringify(figures));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
