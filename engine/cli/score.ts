/**
 * `sevdrill score <log.jsonl> [--format md|html|json] [--out FILE]`: the after-action report of a run.
 * The log is replayed first; a log that does not replay byte for byte (edited, truncated, from another
 * engine version) is refused, so a tampered log cannot be scored.
 */
import { replayParsedLog } from '../core/log/replay.ts';
import { renderHtml } from '../score/report-html.ts';
import { renderJson } from '../score/report-json.ts';
import { renderMarkdown } from '../score/report-markdown.ts';
import { scoreLog } from '../score/scorecard.ts';
import { buildReport } from '../score/timeline.ts';
import { EXIT_INVALID, EXIT_OK, UsageError, paint, onePositional, parseCli, readLogFile, useColor, writeText } from './io.ts';

const SCORE_HELP = `usage: sevdrill score <log.jsonl> [--format md|html|json] [--out FILE]

Scores a run from its event log and writes the after-action report ("deep dive"): the score out of
100 with its components, milestones and response times against the objectives, customer impact
against the untreated run, a timeline of system events, human actions and advice, the decision log,
what went well and badly, and conduct (advice followed, harmful actions, approvals, status updates,
roles, severity). The log is replayed first and refused if it does not replay byte for byte.

  --format md|html|json  md (default): Markdown; html: one self-contained HTML file with charts;
                         json: {format, scorecard, report} on one line
  --out FILE             write the report to FILE instead of stdout

See docs/scoring.md for every formula.

exit codes: 0 ok, 1 the log is unreadable, invalid or does not replay identically, 2 usage error
`;

const FORMATS = ['md', 'html', 'json'] as const;
type Format = (typeof FORMATS)[number];

export async function runScore(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    format: { type: 'string', short: 'f' },
    out: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(SCORE_HELP);
    return EXIT_OK;
  }
  const file = onePositional(positionals, 'log file');
  const format = (values.format ?? 'md') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${values.format}"`);

  const parsed = await readLogFile(file);
  if (!parsed) return EXIT_INVALID;
  const replay = replayParsedLog(parsed);
  if (!replay.ok) {
    const parts = [`${file}:${replay.line}: ${replay.message}; the log does not replay identically, so it cannot be scored`];
    if (replay.expected !== undefined) parts.push(`  log:    ${replay.expected}`);
    if (replay.actual !== undefined) parts.push(`  replay: ${replay.actual}`);
    process.stderr.write(`${parts.join('\n')}\n`);
    return EXIT_INVALID;
  }

  const card = scoreLog(parsed.header, parsed.events);
  const report = buildReport(parsed.header, parsed.events, card);
  const output = format === 'html' ? renderHtml(card, report) : format === 'json' ? renderJson(card, report) : renderMarkdown(card, report);
  if (values.out === undefined) {
    process.stdout.write(output);
    return EXIT_OK;
  }
  await writeText(values.out, output);
  const color = useColor(process.stdout);
  process.stdout.write(`${values.out}: ${format} report, score ${paint(color, 1, card.grade.score.toFixed(1))}/100\n`);
  return EXIT_OK;
}
