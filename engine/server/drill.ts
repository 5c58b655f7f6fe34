/**
 * A live drill: one engine session driven by the wall clock. Real time exists only here: each tick is
 * due `tick ÷ speed` wall-ms after the last, and pausing simply stops the loop. Every input is stored
 * durably before it is acknowledged or broadcast, so a restart can rebuild the session exactly.
 */
import { createHeader, serializeEvent, serializeLog } from '../core/log/log.ts';
import { foldCommands } from '../core/log/fold.ts';
import type { Session } from '../core/session.ts';
import type { MetricsSample } from '../protocol/views.ts';
import type { CommandInput, CommandResult } from '../protocol/commands.ts';
import type { EngineEvent } from '../protocol/events.ts';
import type { EventsMessage, IntegrationsMessage, JoinMode, Role, RosterMessage, SessionListing, SessionSummary } from '../protocol/messages.ts';
import type { Scenario } from '../protocol/scenario.ts';
import type { Variation } from '../protocol/varied.ts';
import type { DrillView } from './archive.ts';
import { PublicSequence, type Audience } from './audience.ts';
import type { ServerConfig } from './config.ts';
import { deriveSecret, matchesHash } from './credentials.ts';
import { TokenBucket } from './limits.ts';
import { ChartHistory } from './metrics-history.ts';
import { Roster } from './roster.ts';
import type { DrillStatus, NewSession, Store, StoredInput } from './store.ts';

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
  /** A batch of events (already numbered for this client's audience). */
  deliverEvents(frame: string): void;
  /** Any other frame: clock changes, the roster, errors. */
  deliver(frame: string): void;
  /** The participant on the other end, once joined. */
  readonly participantId?: string | undefined;
  /** Closes the connection, telling the client why (its person was removed, its drill archived). */
  dismiss?(code: string, message: string): void;
}

/**
 * Something outside the drill that follows it (the /metrics exporter, outbound integrations). It hears
 * every batch of events, with the tick's telemetry when a tick made it, after the drill's state has
 * moved on. It must return quickly: it runs inside the tick loop, so anything slow is queued.
 */
export interface DrillListener {
  batch(drill: LiveDrill, events: readonly EngineEvent[], sample?: MetricsSample): void;
  /** The drill stopped (ended, failed, expired) or left memory; no more batches follow. */
  stopped?(drill: LiveDrill): void;
}

export interface TickTiming {
  /** How late the tick ran, in wall ms, compared with when it was due. */
  lagMs: number;
}

type Limits = Pick<ServerConfig, 'drillRate' | 'drillLogBytes' | 'maxParticipants' | 'participantRate'>;

/** Roster frames are coalesced: a burst of joins or reconnects sends the facilitator one update. */
const ROSTER_DEBOUNCE_MS = 250;

export class LiveDrill implements DrillView {
  readonly session: Session;
  readonly clients = new Set<DrillClient>();
  /** Everyone but the facilitator numbers events without gaps (audience.ts). */
  readonly sequence: PublicSequence;
  readonly roster: Roster;
  /** Shared by every socket of the drill but the facilitator's: more sockets buy no more throughput. */
  readonly messages: TokenBucket;
  readonly logBytes: TokenBucket;
  /** The charts' last ticks, for clients that join or reload late (metrics-history.ts). */
  readonly charts = new ChartHistory();
  /** Followers outside the drill (see DrillListener); a failing one never stops the drill. */
  readonly listeners = new Set<DrillListener>();
  onListenerError: ((error: unknown) => void) | null = null;
  /** How its outbound integrations are doing, for a facilitator who joins (integrations/); null when it chose none. */
  integrationsStatus: (() => IntegrationsMessage) | null = null;
  private readonly participantBuckets = new Map<string, TokenBucket>();
  private rosterTimer: unknown = null;
  private timer: unknown = null;
  private nextDue = 0;
  private inputs = 0;
  status: DrillStatus;
  /** Wall ms of the last input or connection, for idle expiry. */
  lastActivity: number;
  /** Wall ms when the drill stopped (ended, failed), for archiving. */
  stoppedAt: number | null = null;
  onTick: ((timing: TickTiming) => void) | null = null;
  onFailure: ((error: unknown) => void) | null = null;
  /** Called once when the drill ends (time limit or the facilitator), e.g. to score it. */
  onEnded: ((drill: LiveDrill) => void) | null = null;

  constructor(
    readonly record: NewSession,
    private readonly store: Store,
    private readonly clock: WallClock,
    private readonly limits: Limits,
    history: { inputs: StoredInput[]; simNow: number; status: DrillStatus } = { inputs: [], simNow: 0, status: 'live' },
  ) {
    // Recovery is the fold over the stored inputs, on to the last recorded simulated time. Progress is
    // saved once a second but each input as it comes, so the last input may be later than that time.
    const inputs = history.inputs.map(({ t, command }) => ({ at: t, ...command }));
    const until = Math.max(history.simNow, inputs[inputs.length - 1]?.at ?? 0);
    // The fold gives every tick's sample again, exactly as they were streamed: a late joiner after a
    // restart is sent the same chart history as before it.
    this.session = foldCommands(record.scenario, record.seed, inputs, { until, onTick: (sample) => this.charts.push(sample) });
    this.inputs = history.inputs.length;
    this.sequence = new PublicSequence(this.session.events);
    this.roster = new Roster(record.id, store, record.facilitatorName, limits.maxParticipants);
    const now = clock.now();
    this.messages = new TokenBucket(limits.drillRate, now);
    this.logBytes = new TokenBucket(limits.drillLogBytes, now);
    this.lastActivity = now;
    this.status = history.status === 'live' && this.session.phase === 'ended' ? 'ended' : history.status;
    if (this.status !== 'live') this.stoppedAt = now;
    if (this.session.phase === 'running' && this.status === 'live') this.startLoop();
  }

  get id(): string {
    return this.record.id;
  }
  /** The scenario as this drill runs it: its seed's variation drawn (the record holds the spec). */
  get scenario(): Scenario {
    return this.session.scenario;
  }
  get variation(): Variation {
    return this.session.variation;
  }
  get speed(): number {
    return this.record.speed;
  }
  get events(): readonly EngineEvent[] {
    return this.session.events;
  }
  get phase(): string {
    return this.session.phase;
  }
  get now(): number {
    return this.session.now;
  }
  get tickMs(): number {
    return this.session.tickMs;
  }

  /** One budget per person, whatever number of tabs or sockets they use. */
  participantBucket(id: string): TokenBucket {
    let bucket = this.participantBuckets.get(id);
    if (!bucket) {
      bucket = new TokenBucket(this.limits.participantRate, this.clock.now());
      this.participantBuckets.set(id, bucket);
    }
    return bucket;
  }

  /** Takes one message from the drill's shared budget (as a responder's action does), if its log may still grow. */
  takeDrillBudget(): boolean {
    const now = this.clock.now();
    return this.logBytes.has(now) && this.messages.take(now);
  }

  socketsOfRole(role: Role): number {
    let n = 0;
    for (const client of this.clients) if (client.role === role) n++;
    return n;
  }

  /** The join codes, re-derived from the facilitator's token (only their hashes are stored). */
  shareCodes(facilitatorToken: string): { responderCode: string | null; observerCode: string } | undefined {
    const codes = shareCodesFor(facilitatorToken, this.id, this.record.joinMode);
    // A drill made before codes were derived has codes nobody can re-derive: show none rather than wrong ones.
    return matchesHash(codes.observerCode, this.record.observerCodeHash) ? codes : undefined;
  }

  /** Tells the facilitator who is here, soon (coalescing bursts). */
  notifyRoster(): void {
    if (this.rosterTimer !== null) return;
    this.rosterTimer = this.clock.setTimeout(() => {
      this.rosterTimer = null;
      this.tell(JSON.stringify({ type: 'roster', participants: this.roster.entries() } satisfies RosterMessage), 'facilitator');
    }, ROSTER_DEBOUNCE_MS);
  }

  /** Closes every connection of one participant (or all of them), telling each why. */
  dismiss(code: string, message: string, participantId?: string): void {
    for (const client of [...this.clients]) {
      if (participantId === undefined || client.participantId === participantId) client.dismiss?.(code, message);
    }
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
    this.lastActivity = this.clock.now();
    // What the command added to the log is charged to the drill's byte budget, rejected or not.
    this.logBytes.charge(this.lastActivity, result.events.reduce((n, e) => n + serializeEvent(e).length + 1, 0));
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

  /** The facilitator's view: the public listing (registry.publicSummary) plus the drill's state. */
  summary(listing: SessionListing): SessionSummary {
    const snapshot = this.session.snapshot();
    return {
      ...listing,
      speed: this.record.speed,
      now: this.session.now,
      incidentState: snapshot.incident.state,
      severity: snapshot.incident.severity,
      clients: this.clients.size,
      joinMode: this.record.joinMode,
    };
  }

  logText(nodeMajor: string): string {
    return serializeLog(createHeader(this.session.scenario, this.record.seed, nodeMajor, this.session.variation), this.session.events);
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    if (this.rosterTimer !== null) this.clock.clearTimeout(this.rosterTimer);
    this.timer = null;
    this.rosterTimer = null;
    this.store.saveProgress(this.id, this.session.now);
  }

  /** Sends a batch to every client, numbered for its audience; hidden events never leave for responders. */
  broadcast(events: EngineEvent[], sample?: MetricsSample): void {
    this.sequence.sync();
    this.notifyListeners(events, sample);
    if (this.clients.size === 0) return;
    const frames: Partial<Record<Audience, string | null>> = {};
    const frameFor = (audience: Audience): string | null => {
      const cached = frames[audience];
      if (cached !== undefined) return cached;
      const visible = this.sequence.view(audience, events);
      // A batch with nothing visible and no telemetry is not sent at all: its mere arrival between
      // ticks would tell responders that the facilitator just did something.
      const frame =
        visible.length === 0 && !sample
          ? null
          : JSON.stringify({
              type: 'events',
              events: visible,
              now: this.session.now,
              ...(sample ? { sample } : {}),
              ...(audience === 'full' ? { facilitator: this.session.facilitatorView() } : {}),
            } satisfies EventsMessage);
      frames[audience] = frame;
      return frame;
    };
    for (const client of this.clients) {
      const frame = frameFor(client.role === 'facilitator' ? 'full' : 'public');
      if (frame !== null) client.deliverEvents(frame);
    }
  }

  private notifyListeners(events: EngineEvent[], sample?: MetricsSample): void {
    for (const listener of this.listeners) {
      try {
        listener.batch(this, events, sample);
      } catch (error) {
        // An exporter's bug must not fail the drill the team is playing.
        this.onListenerError?.(error);
      }
    }
  }

  /** Tells every listener that the drill has stopped, once, and forgets them. */
  releaseListeners(): void {
    for (const listener of this.listeners) {
      try {
        listener.stopped?.(this);
      } catch (error) {
        this.onListenerError?.(error);
      }
    }
    this.listeners.clear();
  }

  /** A frame for every client of one role (or all of them). */
  tell(frame: string, role?: Role): void {
    for (const client of this.clients) if (role === undefined || client.role === role) client.deliver(frame);
  }

  private afterChange(): void {
    const phase = this.session.phase;
    if (phase === 'running' && this.timer === null && this.status === 'live') this.startLoop();
    if (phase !== 'running' && this.timer !== null) this.stop();
    if (phase === 'ended' && this.status === 'live') {
      this.status = 'ended';
      this.stoppedAt = this.clock.now();
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
    this.stoppedAt = this.clock.now();
    this.onFailure?.(error);
    try {
      this.store.setStatus(this.id, 'failed', this.session.now);
    } catch {
      // The store itself may be what failed; the drill is already stopped.
    }
    this.tell(JSON.stringify({ type: 'error', code: 'drill-failed', message: 'this drill stopped because of an internal error' }));
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
    const sample = this.session.sample();
    this.charts.push(sample);
    this.broadcast(events, sample);
    this.onTick?.({ lagMs });
    this.afterChange();
    if (this.session.phase !== 'running') return;
    this.nextDue += this.session.tickMs / this.record.speed;
    // After a long stall (a laptop asleep, a debugger) do not burst through the backlog.
    if (wall - this.nextDue > 5_000) this.nextDue = wall;
    this.schedule();
  }
}

/** The responder and observer codes of a drill, from its facilitator token (see deriveSecret). */
export function shareCodesFor(facilitatorToken: string, sessionId: string, joinMode: JoinMode): { responderCode: string | null; observerCode: string } {
  return {
    responderCode: joinMode === 'invite' ? null : deriveSecret(facilitatorToken, sessionId, 'responder'),
    observerCode: deriveSecret(facilitatorToken, sessionId, 'observer'),
  };
}
