/**
 * Our own simulated-time scheduler. Items are ordered by (due time, insertion number), so two items due
 * at the same moment always run in the order they were scheduled — never in timer-firing order.
 */
import { Hasher } from '../log/hash.ts';

export type AgendaItem =
  | { kind: 'fault-start'; fault: number }
  | { kind: 'fault-expire'; fault: number; startedAt: number }
  | { kind: 'advice'; advice: number }
  | { kind: 'action-complete'; action: string; startedAt: number }
  /** The next batch of a rolling rollback or restart (rollouts.ts). */
  | { kind: 'action-batch'; action: string; startedAt: number }
  /** The change window's deadline: the on-call pushes the task's change if nobody took it up (changes.ts). */
  | { kind: 'task-deadline' };

interface Entry {
  due: number;
  order: number;
  item: AgendaItem;
}

export class Agenda {
  private entries: Entry[] = [];
  private nextOrder = 0;
  /** fingerprint()'s answer until the agenda changes: a checkpoint asks every simulated minute, the agenda rarely moves. */
  private fingerprinted: string | undefined;

  schedule(due: number, item: AgendaItem): void {
    const entry = { due, order: this.nextOrder++, item };
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.entries[mid] as Entry;
      if (other.due < due || (other.due === due && other.order < entry.order)) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, entry);
    this.fingerprinted = undefined;
  }

  /** Removes and returns the next item due at or before `t`, if any. */
  takeDue(t: number): AgendaItem | undefined {
    const first = this.entries[0];
    if (!first || first.due > t) return undefined;
    this.entries.shift();
    this.fingerprinted = undefined;
    return first.item;
  }

  /** A stable description for checkpoint hashing. */
  describe(): string {
    return this.entries.map((e) => `${e.due}:${e.order}:${JSON.stringify(e.item)}`).join('|');
  }

  /** A hash of describe(), kept until the agenda changes: what a checkpoint hashes. */
  fingerprint(): string {
    return (this.fingerprinted ??= new Hasher().str(this.describe()).digest());
  }
}
