/**
 * When the events a plan can wait for happened (protocol/commands.ts `Anchor`), read from a session's
 * log as it grows. Pure: the log in, times out; the first occurrence counts.
 */
import { anchorText, type Anchor } from '../../protocol/commands.ts';
import type { EngineEvent } from '../../protocol/events.ts';

export class AnchorTimes {
  private readonly times = new Map<string, number>();
  private seen = 0;

  /** Reads the events logged since the last call. */
  observe(log: readonly EngineEvent[]): void {
    for (; this.seen < log.length; this.seen++) {
      const e = log[this.seen] as EngineEvent;
      if (e.type === 'alert.firing') {
        this.mark('first-alert', e.t);
        if (e.severity === 'page') this.mark('first-page', e.t);
        this.mark(`alert:${e.alert}`, e.t);
      } else if (e.type === 'fault.started') this.mark(`fault:${e.fault}`, e.t);
      else if (e.type === 'incident.state' && e.to === 'mitigated') this.mark('mitigated', e.t);
      else if (e.type === 'action.completed') this.mark(`done:${e.action}`, e.t);
    }
  }

  /** When the anchor's event first happened; undefined while it has not. */
  time(anchor: Anchor): number | undefined {
    return this.times.get(anchorText(anchor));
  }

  private mark(key: string, t: number): void {
    if (!this.times.has(key)) this.times.set(key, t);
  }
}
