/** The `sevdrill` command: dispatches to subcommands and maps usage errors to exit code 2. */
import { runExplore } from './explore.ts';
import { runExport } from './export.ts';
import { EXIT_OK, EXIT_USAGE, UsageError } from './io.ts';
import { runReplay } from './replay.ts';
import { runRun } from './run.ts';
import { runSamples } from './samples.ts';
import { runScore } from './score.ts';
import { runValidate } from './validate.ts';

const HELP = `usage: sevdrill <command> [options]

commands:
  validate <files...>   check scenario and plan files (plans against their scenario); every problem as file:line:col: message (at path)
  run <scenario>        simulate a scenario headless and print a summary (--help for options)
  replay <log.jsonl>    re-simulate a log and check it is byte-identical
  explore <scenario>    run a scenario over many seeds in parallel; distributions of impact, time to mitigate and score
  score <log.jsonl>     score a run and write its after-action report (md, html or json)
  samples <log.jsonl>   the per-tick telemetry of a run, re-derived by replay, as CSV or JSON Lines
  export prometheus-rules <scenario>
                        a scenario's alerts as a Prometheus rule file, for drills on your own tools

Run "sevdrill <command> --help" for a command's options.
exit codes: 0 ok, 1 the input failed its check, 2 usage error
`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  validate: runValidate,
  run: runRun,
  replay: runReplay,
  score: runScore,
  explore: runExplore,
  samples: runSamples,
  export: runExport,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`sevdrill: unknown command "${name}"\n${HELP}`);
    return EXIT_USAGE;
  }
  try {
    return await command(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`sevdrill ${name}: ${error.message}\n(see sevdrill ${name} --help)\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
