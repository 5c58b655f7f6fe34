/**
 * The event log as JSON Lines. Line 1 is a header with everything needed to replay: the normalised
 * scenario (defaults filled in, durations in ms), its hash, and the seed. Every later line is one event.
 * Serialisation is JSON.stringify with fixed key order, so equal runs give equal bytes.
 */
import type { Scenario } from '../../protocol/scenario.ts';
import { variationMismatch, type Variation } from '../../protocol/varied.ts';
import { canonicalJson, hashString } from '../../protocol/hash.ts';
import { engineEventSchema, type EngineEvent } from '../../protocol/events.ts';
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
  /**
   * What the seed drew for the scenario's varied fields, by path (facilitator-only). The embedded
   * scenario already holds these values, so replay never draws again; this says which ones varied.
   * Absent when nothing varied.
   */
  variation?: Variation;
  scenario: Scenario;
}

function scenarioHash(scenario: Scenario): string {
  return hashString(canonicalJson(scenario));
}

/** `scenario` is the one the session ran (`session.scenario`), and `variation` what its seed drew (`session.variation`). */
export function createHeader(scenario: Scenario, seed: number, nodeMajor: string, variation: Variation = {}): LogHeader {
  return {
    format: 'sevdrill-log',
    formatVersion: LOG_FORMAT_VERSION,
    engine: ENGINE_VERSION,
    node: nodeMajor,
    scenarioId: scenario.id,
    scenarioHash: scenarioHash(scenario),
    seed,
    tickMs: scenario.tick,
    ...(Object.keys(variation).length > 0 ? { variation } : {}),
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

/** A log that parsed: its header, its events and its raw lines (for byte-for-byte comparison). */
export interface ParsedLogFile {
  ok: true;
  header: LogHeader;
  events: EngineEvent[];
  lines: string[];
}

export type ParsedLog = ParsedLogFile | { ok: false; line: number; message: string };

export function parseLog(text: string): ParsedLog {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return { ok: false, line: 1, message: 'the log is empty' };
  let header: LogHeader;
  try {
    // Checked field by field below; the embedded scenario is the engine's own normalised output,
    // bound to the header by its hash.
    header = JSON.parse(lines[0] ?? '') as LogHeader;
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
  const mismatch = header.variation === undefined ? null : variationMismatch(header.scenario, header.variation);
  if (mismatch !== null) return { ok: false, line: 1, message: mismatch };
  const events: EngineEvent[] = [];
  for (let i = 1; i < lines.length; i++) {
    const parsed = parseEvent(lines[i] ?? '');
    if (typeof parsed === 'string') return { ok: false, line: i + 1, message: parsed };
    events.push(parsed);
  }
  return { ok: true, header, events, lines };
}

/**
 * One log line as an event, checked against the event union; or what is wrong with it. The event
 * kept is the line as parsed, not the schema's output: key order is part of the log's bytes.
 */
function parseEvent(line: string): EngineEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  const checked = engineEventSchema.safeParse(value);
  // The line as parsed, now known to be in the union (checked.data would reorder its keys).
  if (checked.success) return value as EngineEvent;
  const issue = checked.error.issues[0];
  const type = typeof value === 'object' && value !== null && 'type' in value ? String(value.type) : '?';
  if (!issue || issue.path.length === 0 || issue.path[0] === 'type') return `unknown event type "${type}"`;
  return `the ${type} event: ${issue.path.join('.')}: ${issue.message}`;
}
