/**
 * What the debrief endpoints read a drill through, live or archived. An archived drill is its stored
 * log and record: nothing is re-simulated to show its report, score or log, and nothing of it is held
 * in memory but the few most recently read.
 */
import { gunzipSync } from 'node:zlib';
import { parseLog } from '../core/log/log.ts';
import type { EngineEvent } from '../protocol/events.ts';
import type { Scenario } from '../protocol/scenario.ts';
import type { Variation } from '../protocol/varied.ts';
import type { DrillStatus, NewSession, Store, StoredSession } from './store.ts';

export interface DrillView {
  readonly id: string;
  readonly record: NewSession;
  readonly scenario: Scenario;
  /** What the drill's seed drew for the scenario's varied fields (the log header's `variation`). */
  readonly variation: Variation;
  readonly status: DrillStatus;
  readonly team: string | null;
  readonly events: readonly EngineEvent[];
  /** ready, running, paused or ended; and the simulated ms of the next tick. */
  readonly phase: string;
  readonly now: number;
  readonly tickMs: number;
  logText(nodeMajor: string): string;
}

export class ArchivedDrill implements DrillView {
  readonly events: readonly EngineEvent[];
  readonly phase: string;
  readonly now: number;
  /** As the drill ran it, from its log: the variation its seed drew is already in it. */
  readonly scenario: Scenario;
  readonly variation: Variation;

  constructor(
    readonly record: StoredSession,
    private readonly text: string,
    readonly team: string | null,
  ) {
    const parsed = parseLog(text);
    if (!parsed.ok) throw new Error(`invariant: the archived log of ${record.id} does not parse (line ${parsed.line}: ${parsed.message})`);
    this.events = parsed.events;
    this.scenario = parsed.header.scenario;
    this.variation = parsed.header.variation ?? {};
    const states = parsed.events.filter((e) => e.type === 'drill.state');
    this.phase = states[states.length - 1]?.to ?? 'ready';
    this.now = record.simNow;
  }

  get id(): string {
    return this.record.id;
  }
  get status(): DrillStatus {
    return this.record.status;
  }
  get tickMs(): number {
    return this.record.scenario.tick;
  }

  /** The log exactly as it was archived (its header names the Node version that wrote it). */
  logText(): string {
    return this.text;
  }
}

/** Reads archives, keeping the last few parsed: a debrief asks for the report, the score and the replay together. */
export class ArchiveReader {
  private readonly recent = new Map<string, ArchivedDrill>();

  constructor(
    private readonly store: Store,
    private readonly teamOf: (id: string) => string | null,
    private readonly size = 4,
  ) {}

  read(id: string): ArchivedDrill | undefined {
    const hit = this.recent.get(id);
    if (hit) {
      this.recent.delete(id);
      this.recent.set(id, hit);
      return hit;
    }
    const record = this.store.session(id);
    const gz = record && record.status !== 'live' ? this.store.archivedLog(id) : undefined;
    if (!record || !gz) return undefined;
    const drill = new ArchivedDrill(record, gunzipSync(gz).toString('utf8'), this.teamOf(id));
    this.recent.set(id, drill);
    while (this.recent.size > this.size) this.recent.delete(this.recent.keys().next().value as string);
    return drill;
  }
}
