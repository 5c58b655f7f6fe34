/** `sevdrill replay <log.jsonl>`: re-simulates a run from its log and checks the result is byte-identical. */
import { replayLog } from '../core/log/replay.ts';
import { EXIT_INVALID, EXIT_OK, paint, onePositional, parseCli, readText, useColor } from './io.ts';

const REPLAY_HELP = `usage: sevdrill replay <log.jsonl> [--json]

Re-simulates the run recorded in a log (scenario, seed and commands come from the log itself) and
checks that every event comes out byte-identical. On a difference it shows the first differing event.

exit codes: 0 identical, 1 different or unreadable, 2 usage error
`;

export async function runReplay(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    process.stdout.write(REPLAY_HELP);
    return EXIT_OK;
  }
  const file = onePositional(positionals, 'log file');
  const text = await readText(file);
  if (text === undefined) return EXIT_INVALID;
  const result = replayLog(text);
  if (values.json) process.stdout.write(`${JSON.stringify({ file, ...result })}\n`);
  const color = useColor(process.stdout);
  if (result.ok) {
    if (!values.json) process.stdout.write(`${file}: ${paint(color, 32, 'identical')} (${result.events} events)\n`);
    return EXIT_OK;
  }
  const parts = [`${file}:${result.line}: ${result.message}`];
  if (result.expected !== undefined) parts.push(`  log:    ${result.expected}`);
  if (result.actual !== undefined) parts.push(`  replay: ${result.actual}`);
  process.stderr.write(`${parts.join('\n')}\n`);
  return EXIT_INVALID;
}
