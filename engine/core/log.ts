/**
 * The event log as JSON Lines. Line 1 is a header with everything needed to replay: the normalised
 * scenario (defaults filled in, durations in ms), its hash, and the seed. Every later line is one event.
 * Serialisation is JSON.stringify with fixed key order, so equal runs give equal bytes.
 */
import type { Scenario } from '../scenario/schema.ts';
import { canonicalJson, hashString } from './hash.ts';
import type { EngineEvent } from './types.ts';
import { ENGINE_VERSION, LOG_FORMAT_VERSION } from './version.ts';

export interface LogHeader {
  format: 'sevdrill-log';
  formatVersion: number;
  engine: string;
  /** The Node major version the log was made with: logs are byte-identical within one major. */
  node: string;
  scenarioId: string;
  scenarioHash: string;
  seed: number;
  tickMs: number;
  scenario: Scenario;
}

export function scenarioHash(scenario: Scenario): string {
  return hashString(canonicalJson(scenario));
}

export function createHeader(scenario: Scenario, seed: number, nodeMajor: string): LogHeader {
  return {
    format: 'sevdrill-log',
    formatVersion: LOG_FORMAT_VERSION,
    engine: ENGINE_VERSION,
    node: nodeMajor,
    scenarioId: scenario.id,
    scenarioHash: scenarioHash(scenario),
    seed,
    tickMs: scenario.tick,
    scenario,
  };
}

export function serializeEvent(event: EngineEvent): string {
  return JSON.stringify(event);
}

export function serializeLog(header: LogHeader, events: readonly EngineEvent[]): string {
  const lines = [JSON.stringify(header)];
  for (const e of events) lines.push(serializeEvent(e));
  return `${lines.join('\n')}\n`;
}

export type ParsedLog =
  | { ok: true; header: LogHeader; events: EngineEvent[]; lines: string[] }
  | { ok: false; line: number; message: string };

export function parseLog(text: string): ParsedLog {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return { ok: false, line: 1, message: 'the log is empty' };
  let header: LogHeader;
  try {
    header = JSON.parse(lines[0] as string) as LogHeader;
  } catch {
    return { ok: false, line: 1, message: 'the header is not JSON' };
  }
  if (header?.format !== 'sevdrill-log') return { ok: false, line: 1, message: 'not a sevdrill log (no header)' };
  if (header.formatVersion !== LOG_FORMAT_VERSION) {
    return { ok: false, line: 1, message: `log format ${header.formatVersion} is not supported (this is ${LOG_FORMAT_VERSION})` };
  }
  if (scenarioHash(header.scenario) !== header.scenarioHash) {
    return { ok: false, line: 1, message: 'the embedded scenario does not match its hash' };
  }
  const events: EngineEvent[] = [];
  for (let i = 1; i < lines.length; i++) {
    try {
      const e = JSON.parse(lines[i] as string) as EngineEvent;
      if (typeof e?.seq !== 'number' || typeof e.t !== 'number' || typeof e.type !== 'string') {
        return { ok: false, line: i + 1, message: 'an event needs seq, t and type' };
      }
      events.push(e);
    } catch {
      return { ok: false, line: i + 1, message: 'not JSON' };
    }
  }
  return { ok: true, header, events, lines };
}
