/**
 * A live drill: one engine session driven by the wall clock. Real time exists only here: each tick is
 * due `tick ÷ speed` wall-ms after the last, and pausing simply stops the loop. Every input is stored
 * durably before it is acknowledged or broadcast, so a restart can rebuild the session exactly.
 */
import { createHeader, serializeLog } from '../core/log.ts';
import { createSession, type MetricsSample, type Session } from '../core/session.ts';
import type { CommandInput, CommandResult, EngineEvent } from '../core/types.ts';
import { isFacilitatorOnly } from '../core/visibility.ts';
import type { EventsMessage, Role, SessionSummary } from '../protocol.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Store, StoredInput, StoredSession } from './store.ts';

export interface WallClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: WallClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Something that receives a drill's broadcasts: a socket, or a test probe. */
export interface DrillClient {
  readonly role: Role;
  /** Receives a ready-made JSON frame for this client's role. */
  deliver(frame: string): void;
}

export interface TickTiming {
  /** How late the tick ran, in wall ms, compared with when it was due. */
  lagMs: number;
}

export class LiveDrill {
  readonly session: Session;
  readonly clients = new Set<DrillClient>();
  private timer: unknown = null;
  private nextDue = 0;
  private inputs = 0;
  status: StoredSession['status'];
  onTick: ((timing: TickTiming) => void) | null = null;
  onFailure: ((error: unknown) => void) | null = null;
  /** Called once when the drill ends (time limit or the facilitator), e.g. to score it. */
  onEnded: ((drill: LiveDrill) => void) | null = null;

  constructor(
    readonly record: Omit<StoredSession, 'simNow' | 'status'>,
    private readonly store: Store,
    private readonly clock: WallClock,
    history: { inputs: StoredInput[]; simNow: number; status: StoredSession['status'] } = { inputs: [], simNow: 0, status: 'live' },
  ) {
    this.session = createSession(record.scenario, { seed: record.seed });
    // Recovery is a fold over the stored inputs, then on to the last recorded simulated time.
    for (const input of history.inputs) {
      this.session.runUntil(input.t);
      this.session.submit(input.command);
    }
    this.inputs = history.inputs.length;
    this.session.runUntil(history.simNow);
    this.status = history.status === 'live' && this.session.phase === 'ended' ? 'ended' : history.status;
    if (this.session.phase === 'running' && this.status === 'live') this.startLoop();
  }

  get id(): string {
    return this.record.id;
  }
  get scenario(): Scenario {
    return this.record.scenario;
  }
  get speed(): number {
    return this.record.speed;
  }

  /** Applies one command: the engine decides, the store records it, then clients hear of it. */
  submit(command: CommandInput): CommandResult {
    const t = this.session.now;
    const result = this.session.submit(command);
    try {
      this.store.appendInput(this.id, { n: this.inputs++, t, command });
    } catch (error) {
      // The engine has moved on but the store has not: this drill can no longer be trusted.
      this.fail(error);
      throw error;
    }
    this.broadcast(result.events);
    this.afterChange();
    return result;
  }

  setSpeed(speed: number): void {
    const period = this.session.tickMs / speed;
    const oldPeriod = this.session.tickMs / this.record.speed;
    this.record.speed = speed;
    this.store.saveSpeed(this.id, speed);
    if (this.timer !== null) {
      this.nextDue = this.nextDue - oldPeriod + period;
      this.schedule();
    }
  }

  /** The team playing this drill, if one was named when it was created. */
  team: string | null = null;

  summary(): SessionSummary {
    const snapshot = this.session.snapshot();
    return {
      sessionId: this.id,
      team: this.team,
      scenarioId: this.scenario.id,
      title: this.scenario.title,
      seed: this.record.seed,
      speed: this.record.speed,
      phase: this.session.phase,
      now: this.session.now,
      incidentState: snapshot.incident.state,
      severity: snapshot.incident.severity,
      createdAt: this.record.createdAt,
      clients: this.clients.size,
    };
  }

  logText(nodeMajor: string): string {
    return serializeLog(createHeader(this.scenario, this.record.seed, nodeMajor), this.session.events);
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.store.saveProgress(this.id, this.session.now);
  }

  /** Sends a batch: one frame for the facilitator, one (with hidden events removed) for everyone else. */
  broadcast(events: EngineEvent[], sample?: MetricsSample): void {
    if (this.clients.size === 0) return;
    const base = { type: 'events' as const, now: this.session.now, ...(sample ? { sample } : {}) };
    let full: string | undefined;
    let visible: string | undefined;
    for (const client of this.clients) {
      if (client.role === 'facilitator') {
        full ??= JSON.stringify({ ...base, events, facilitator: this.session.facilitatorView() } satisfies EventsMessage);
        client.deliver(full);
      } else {
        visible ??= JSON.stringify({ ...base, events: events.filter((e) => !isFacilitatorOnly(e)) } satisfies EventsMessage);
        client.deliver(visible);
      }
    }
  }

  private afterChange(): void {
    const phase = this.session.phase;
    if (phase === 'running' && this.timer === null && this.status === 'live') this.startLoop();
    if (phase !== 'running' && this.timer !== null) this.stop();
    if (phase === 'ended' && this.status === 'live') {
      this.status = 'ended';
      this.store.setStatus(this.id, 'ended', this.session.now);
      this.onEnded?.(this);
    }
  }

  private startLoop(): void {
    this.nextDue = this.clock.now() + this.session.tickMs / this.record.speed;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.tick(), Math.max(0, this.nextDue - this.clock.now()));
  }

  /** Stops this drill alone, and tells its clients; other drills carry on. */
  fail(error: unknown): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.status = 'failed';
    this.onFailure?.(error);
    try {
      this.store.setStatus(this.id, 'failed', this.session.now);
    } catch {
      // The store itself may be what failed; the drill is already stopped.
    }
    const frame = JSON.stringify({ type: 'error', code: 'drill-failed', message: 'this drill stopped because of an internal error' });
    for (const client of this.clients) client.deliver(frame);
  }

  private tick(): void {
    try {
      this.tickUnsafe();
    } catch (error) {
      this.fail(error);
    }
  }

  private tickUnsafe(): void {
    // `timer` keeps the handle that just fired until schedule() replaces it: were it null here,
    // afterChange() would see a running drill with no loop and start a second one (halving the speed).
    const wall = this.clock.now();
    const lagMs = wall - this.nextDue;
    const events = this.session.runUntil(this.session.now + this.session.tickMs);
    this.broadcast(events, this.session.sample());
    this.onTick?.({ lagMs });
    this.afterChange();
    if (this.session.phase !== 'running') return;
    this.nextDue += this.session.tickMs / this.record.speed;
    // After a long stall (a laptop asleep, a debugger) do not burst through the backlog.
    if (wall - this.nextDue > 5_000) this.nextDue = wall;
    this.schedule();
  }
}
