/**
 * One outbound queue per drill and integration: messages leave one at a time, in the order they were
 * queued, each POSTed with a timeout and tried again after a growing wait until it is delivered or
 * given up. Nothing here runs inside a drill's tick: `push` only appends and schedules the sender for
 * a later turn of the event loop, so a slow or hanging receiver costs the tick nothing.
 *
 * The queue is bounded: when it is full the oldest unsent message is dropped (and counted), since a
 * receiver that has been down for a while is better served by the newest state.
 */
import type { DeliveryOptions } from './config.ts';
import { redactUrl, scrub } from './redact.ts';

export interface Outgoing {
  url: string;
  body: string;
  headers?: Record<string, string>;
  /** A newer message with the same key replaces an older one still waiting (Alertmanager's re-send). */
  coalesce?: string;
}

export interface DeliveryCounts {
  sent: number;
  pending: number;
  gaveUp: number;
  dropped: number;
  lastError: string | null;
  lastSuccessAt: string | null;
}

export interface QueueHooks {
  /** A count or the last error changed (the facilitator's view is redrawn, coalesced). */
  changed(): void;
  /** A try failed; `final` when the message is given up. The text is already redacted. */
  failed(error: string, final: boolean): void;
  /** Delivered again after failures. */
  recovered(): void;
  /** Nothing left to send. */
  idle(): void;
}

type Attempt = { ok: true } | { ok: false; retry: boolean; error: string };

export class DeliveryQueue {
  private readonly waiting: Outgoing[] = [];
  private current: Outgoing | null = null;
  private running = false;
  private closed = false;
  private failing = false;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private inFlight: AbortController | null = null;
  private readonly counts = { sent: 0, gaveUp: 0, dropped: 0, lastError: null as string | null, lastSuccessAt: null as string | null };

  constructor(
    private readonly options: DeliveryOptions,
    private readonly hooks: QueueHooks,
    /** Values that must never appear in an error text (keys, secrets, full URLs). */
    private readonly secrets: readonly string[],
  ) {}

  push(message: Outgoing): void {
    if (this.closed) return;
    const same = message.coalesce === undefined ? -1 : this.waiting.findIndex((m) => m.coalesce === message.coalesce);
    if (same >= 0) this.waiting.splice(same, 1);
    if (this.waiting.length >= this.options.maxQueued) {
      this.waiting.shift();
      this.counts.dropped++;
    }
    this.waiting.push(message);
    this.hooks.changed();
    if (!this.running) {
      this.running = true;
      // Sent in a later turn: the caller is a drill's tick, which must not wait for a socket to open.
      this.immediate = setImmediate(() => {
        this.immediate = null;
        void this.run();
      });
    }
  }

  status(): DeliveryCounts {
    return { ...this.counts, pending: this.waiting.length + (this.current ? 1 : 0) };
  }

  get idle(): boolean {
    return !this.running;
  }

  /** Stops at once: the request in flight is abandoned, waiting messages are dropped, no timer is left. */
  close(): void {
    this.closed = true;
    this.waiting.length = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.inFlight?.abort();
    this.timer = null;
    this.immediate = null;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const next = this.waiting.shift();
      if (next === undefined) break;
      this.current = next;
      await this.deliver(next);
      this.current = null;
    }
    this.running = false;
    if (this.closed) return;
    this.hooks.changed();
    this.hooks.idle();
  }

  private async deliver(message: Outgoing): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      const outcome = await this.attempt(message);
      if (this.closed) return;
      if (outcome.ok) {
        this.counts.sent++;
        this.counts.lastSuccessAt = new Date().toISOString();
        if (this.failing) this.hooks.recovered();
        this.failing = false;
        this.hooks.changed();
        return;
      }
      this.failing = true;
      this.counts.lastError = outcome.error;
      const delay = outcome.retry ? this.options.retryDelaysMs[attempt] : undefined;
      if (delay === undefined) {
        this.counts.gaveUp++;
        this.hooks.failed(outcome.error, true);
        this.hooks.changed();
        return;
      }
      this.hooks.failed(outcome.error, false);
      this.hooks.changed();
      await new Promise<void>((resolve) => {
        this.timer = setTimeout(() => {
          this.timer = null;
          resolve();
        }, delay);
        this.timer.unref();
      });
    }
  }

  private async attempt(message: Outgoing): Promise<Attempt> {
    const controller = new AbortController();
    this.inFlight = controller;
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const where = redactUrl(message.url);
    try {
      const res = await fetch(message.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'sevdrill', ...message.headers },
        body: message.body,
        signal: controller.signal,
      });
      // The answer's body is not needed; reading it frees the connection for the next message.
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true };
      // A 4xx (but 429 and 408) will fail the same way every time: a wrong key, a malformed body.
      const retry = res.status >= 500 || res.status === 429 || res.status === 408;
      return { ok: false, retry, error: `HTTP ${res.status} from ${where}${retry ? '' : ' (not retried: the receiver refused the message)'}` };
    } catch (error) {
      const why = timedOut ? `no answer within ${this.options.timeoutMs / 1000} s` : causeOf(error);
      return { ok: false, retry: true, error: scrub(`${why} (${where})`, [message.url, ...this.secrets]) };
    } finally {
      clearTimeout(timeout);
      this.inFlight = null;
    }
  }
}

/** fetch's own message is "fetch failed"; the reason (ECONNREFUSED, a DNS failure) is its cause. */
export function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
