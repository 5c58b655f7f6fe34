/**
 * Per-audience sequence numbers. The engine numbers every event; responders and observers must not
 * see the facilitator's events, and a gap in their numbering would show exactly when something hidden
 * happened (the root cause starting before any alert, a restart setting off a fault). So everyone but
 * the facilitator gets the visible events renumbered 0, 1, 2, … with no gaps. The facilitator's
 * numbering is the engine's, which is also the stored log's.
 */
import { isFacilitatorOnly } from '../core/read/visibility.ts';
import type { EngineEvent } from '../protocol/events.ts';
import type { Role } from '../protocol/messages.ts';

export type Audience = 'full' | 'public';

export const audienceOf = (role: Role): Audience => (role === 'facilitator' ? 'full' : 'public');

export class PublicSequence {
  /** Engine seq of each public seq. */
  private readonly engineSeqOf: number[] = [];
  /** Public seq of each engine seq, or -1 for a hidden event. */
  private readonly publicSeqOf: number[] = [];

  constructor(private readonly log: readonly EngineEvent[]) {
    this.sync();
  }

  /** Numbers the events the engine has logged since the last call. */
  sync(): void {
    for (let i = this.publicSeqOf.length; i < this.log.length; i++) {
      if (isFacilitatorOnly(this.log[i] as EngineEvent)) this.publicSeqOf.push(-1);
      else {
        this.publicSeqOf.push(this.engineSeqOf.length);
        this.engineSeqOf.push(i);
      }
    }
  }

  /** How many events an audience can see so far. */
  length(audience: Audience): number {
    return audience === 'full' ? this.log.length : this.engineSeqOf.length;
  }

  /** The audience's event at its own seq, numbered in its own sequence. */
  at(audience: Audience, seq: number): EngineEvent {
    if (audience === 'full') return this.log[seq] as EngineEvent;
    return { ...(this.log[this.engineSeqOf[seq] as number] as EngineEvent), seq };
  }

  /** An engine seq as an audience sees it; undefined when the event is hidden from it. */
  seqFor(audience: Audience, engineSeq: number): number | undefined {
    if (audience === 'full') return engineSeq;
    const seq = this.publicSeqOf[engineSeq];
    return seq === undefined || seq < 0 ? undefined : seq;
  }

  /** A batch of new engine events as an audience sees them. */
  view(audience: Audience, events: readonly EngineEvent[]): EngineEvent[] {
    if (audience === 'full') return events as EngineEvent[];
    const out: EngineEvent[] = [];
    for (const e of events) {
      const seq = this.publicSeqOf[e.seq];
      if (seq !== undefined && seq >= 0) out.push({ ...e, seq });
    }
    return out;
  }
}
