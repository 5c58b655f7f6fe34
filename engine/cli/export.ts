/**
 * `sevdrill export prometheus-rules <scenario.yaml|id> [--out FILE]`: what a team loads into its own
 * tools to rehearse on them. The rules themselves are built in engine/integrations (pure); this file
 * finds the scenario and writes the text.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { prometheusRulesYaml } from '../integrations/prometheus-rules.ts';
import { ID_PATTERN } from '../protocol/scenario.ts';
import { EXIT_INVALID, EXIT_OK, SHIPPED_SCENARIOS, UsageError, onePositional, parseCli, readScenarioFile, writeText } from './io.ts';

const HELP = `usage: sevdrill export prometheus-rules <scenario.yaml|id> [--out FILE]

Writes the scenario's alerts as a Prometheus rule file (one group, sevdrill-<id>; one alerting rule
per alert, named Sevdrill<AlertId>) over the drill series a sevdrill server exposes on /metrics.
Every rule keeps the drill's sevdrill_session label and adds drill="true", severity and
sevdrill_alert; route drill="true" away from the real rotation (docs/integrations.md).

The scenario is a file, or the id of a shipped scenario (scenarios/<id>.yaml). Thresholds and
windows are the scenario's own: none of them varies by seed.

  --out FILE   write the rules to FILE instead of stdout
  --help       show this help

exit codes: 0 ok, 1 the scenario failed its check or was not found, 2 usage error
`;

const TARGETS = ['prometheus-rules'] as const;
const SCENARIO_EXTENSIONS = ['.yaml', '.yml', '.json'];

export async function runExport(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  const [target, ...rest] = positionals;
  if (target === undefined) throw new UsageError(`say what to export: ${TARGETS.join(', ')}`);
  if (!(TARGETS as readonly string[]).includes(target)) throw new UsageError(`cannot export "${target}"; sevdrill exports ${TARGETS.join(', ')}`);
  const file = scenarioFile(onePositional(rest, 'scenario file or shipped scenario id'));
  if (file === undefined) return EXIT_INVALID;
  const scenario = await readScenarioFile(file);
  if (!scenario) return EXIT_INVALID;
  const text = prometheusRulesYaml(scenario);
  if (values.out === undefined) process.stdout.write(text);
  else await writeText(values.out, text);
  return EXIT_OK;
}

/**
 * The file a scenario argument names: the file itself when it exists, else a shipped scenario by id.
 * An id nobody ships is reported here, on stderr; a missing path is left to the reader, which says
 * `file:1:1: cannot read file` as every command does.
 */
function scenarioFile(given: string): string | undefined {
  if (existsSync(given) || !ID_PATTERN.test(given)) return given;
  const shipped = SCENARIO_EXTENSIONS.map((extension) => join(SHIPPED_SCENARIOS, `${given}${extension}`)).find((path) => existsSync(path));
  if (shipped !== undefined) return shipped;
  process.stderr.write(`sevdrill export prometheus-rules: unknown scenario "${given}": no file of that name here, and no ${given}.yaml (or .yml, .json) among the shipped scenarios in ${SHIPPED_SCENARIOS}\n`);
  return undefined;
}
