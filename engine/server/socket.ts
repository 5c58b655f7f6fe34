/**
 * One WebSocket connection: joins a drill with `hello`, then relays actions and controls. Every frame
 * from the client is untrusted: it is rate-limited (per socket, per person, per drill), validated, and
 * answered with a coded error when wrong; the socket, the drill and the server carry on.
 */
import type { RawData, WebSocket } from 'ws';
import { publicScenario } from '../core/read/visibility.ts';
import type { CommandInput, CommandResult } from '../protocol/commands.ts';
import { CONTROL_COMMANDS } from '../protocol/commands.ts';
import {
  MAX_SPEED,
  MIN_SPEED,
  PROTOCOL_VERSION,
  type ActionMessage,
  type ClockMessage,
  type ControlMessage,
  type ErrorMessage,
  type HelloMessage,
  type Role,
  type ServerMessage,
  type WelcomeMessage,
} from '../protocol/messages.ts';
import { speedSchema } from '../protocol/messages-schema.ts';
import { audienceOf, type Audience } from './audience.ts';
import type { ServerConfig } from './config.ts';
import type { DrillClient, LiveDrill, WallClock } from './drill.ts';
import { TokenBucket } from './limits.ts';
import type { Logger } from './logger.ts';
import { parseClientMessage } from './messages.ts';
import type { Registry } from './registry.ts';
import type { Participant } from './roster.ts';
import { isMidMessage } from './unfinished.ts';

/** Beyond this many missed events a client gets a fresh snapshot, not a replay of the gap. */
const RESYNC_LIMIT = 20_000;
/** Backlog frames are about this big: small enough to interleave with live drills' ticks. */
const BACKLOG_FRAME_BYTES = 64 * 1024;
const MAX_FAILED_HELLOS = 5;
/** A socket that keeps flooding after being told is closed (1008: policy violation). */
const MAX_DROPPED = 200;
/** How long a socket closed for flooding has to answer the close before it is cut (unread meanwhile). */
const FLOODER_GRACE_MS = 1_000;
const NAME_ERRORS = new Set(['bad-name', 'missing-name', 'name-taken']);
/** A message begun but not finished for this long holds a buffer for nothing: the socket is closed. */
const UNFINISHED_MESSAGE_MS = 10_000;

export interface SocketDeps {
  registry: Registry;
  config: ServerConfig;
  clock: WallClock;
  logger: Logger;
  /** Counts messages each way, for /metrics (prometheus/health.ts). */
  traffic?: { received(): void; sent(): void };
}

export class Connection implements DrillClient {
  role: Role = 'observer';
  private participant: Participant | null = null;
  private drill: LiveDrill | null = null;
  alive = true;
  private readonly bucket: TokenBucket;
  private readonly openedAt: number;
  private dropped = 0;
  private lastRateError = -Infinity;
  private failedHellos = 0;
  /** While the backlog is being sent: the next seq (in this client's audience) to send; null when live. */
  private cursor: number | null = null;
  private midMessageSince: number | null = null;
  /** Set once the server has decided to close this socket: whatever else it sends is ignored, and logged no more. */
  private closing = false;
  /** Reading is paused until the socket's budget refills (see holdReading). */
  private held = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: SocketDeps,
    private readonly device: { address: string },
  ) {
    this.openedAt = deps.clock.now();
    this.bucket = new TokenBucket(deps.config.rateLimit, this.openedAt);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', () => this.leave());
    ws.on('error', (error) => deps.logger.warn({ err: error, sessionId: this.drill?.id }, `socket error: ${error.message}`));
  }

  private get audience(): Audience {
    return audienceOf(this.role);
  }

  deliverEvents(frame: string): void {
    // While catching up, the backlog cursor will reach these events too, in order.
    if (this.cursor === null) this.deliver(frame);
  }

  deliver(frame: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.deps.config.maxBufferedBytes) {
      // A client this far behind would grow our heap without limit; it can reconnect and resume.
      this.deps.logger.warn({ sessionId: this.drill?.id, participant: this.participant?.id, unsent: this.ws.bufferedAmount }, `cutting off a slow ${this.role}`);
      this.leave();
      this.ws.terminate();
      return;
    }
    this.ws.send(frame);
    this.deps.traffic?.sent();
  }

  /** Called every few seconds: closes sockets that never joined, and messages that never finish. */
  watch(now: number): void {
    if (this.closing) return;
    if (!this.drill && now - this.openedAt > this.deps.config.helloTimeoutMs) {
      return this.refuse('hello-timeout', `no hello within ${this.deps.config.helloTimeoutMs / 1000} s of connecting`);
    }
    if (!isMidMessage(this.ws)) {
      this.midMessageSince = null;
      return;
    }
    this.midMessageSince ??= now;
    if (now - this.midMessageSince > UNFINISHED_MESSAGE_MS) this.refuse('unfinished-message', 'a message was started but not finished within 10 s');
  }

  private send(message: ServerMessage): void {
    this.deliver(JSON.stringify(message));
  }

  private error(code: string, message: string, extra: Partial<ErrorMessage> = {}): void {
    this.send({ type: 'error', code, message, ...extra });
    if (code !== 'rate-limited') this.deps.logger.info({ sessionId: this.drill?.id, participant: this.participant?.id, errorCode: code }, `ws ${code}: ${message}`);
  }

  /** Tells the client why, logs it, and closes with 1008 (policy violation). */
  private refuse(code: string, message: string): void {
    this.closing = true;
    this.send({ type: 'error', code, message });
    this.deps.logger.warn({ sessionId: this.drill?.id, participant: this.participant?.id, errorCode: code }, `ws closed, ${code}: ${message}`);
    this.ws.close(1008, code);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.deps.traffic?.received();
    // Frames keep arriving until the client answers the close (or ws's close timer, 30 s, runs out).
    if (this.closing) return;
    try {
      if (!this.takeToken()) return;
      if (isBinary) return this.error('bad-message', 'binary frames are not supported; send JSON text');
      const parsed = parseClientMessage(data.toString());
      if (!parsed.ok) {
        const { ok: _ok, code, message, ...extra } = parsed;
        return this.error(code, message, extra);
      }
      const msg = parsed.message;
      if (msg.type === 'hello') return this.hello(msg);
      if (!this.drill) return this.error('not-joined', 'send hello first', clientActionIdOf(msg));
      if (msg.type === 'action') return this.action(this.drill, msg);
      return this.control(this.drill, msg);
    } catch (error) {
      // A bug must not take the server down, nor leave this client without an answer.
      this.deps.logger.error({ err: error, sessionId: this.drill?.id }, 'internal error handling a message');
      this.error('internal', 'the server could not handle this message');
    }
  }

  private takeToken(): boolean {
    const now = this.deps.clock.now();
    if (this.bucket.take(now)) return true;
    this.dropped++;
    if (this.dropped > MAX_DROPPED) {
      this.closing = true;
      this.deps.logger.warn({ sessionId: this.drill?.id, participant: this.participant?.id }, 'closing a socket that kept flooding');
      this.ws.close(1008, 'rate limit exceeded');
      // Its close frame is on its way; what the flooder sends meanwhile is not even read. A client
      // that answers the close has done so well within the grace; one that keeps flooding is cut.
      this.ws.pause();
      this.deps.clock.setTimeout(() => this.ws.terminate(), FLOODER_GRACE_MS);
      return false;
    }
    if (now - this.lastRateError >= 1000) {
      this.lastRateError = now;
      this.error('rate-limited', `too many messages: at most ${this.deps.config.rateLimit.perSecond} per second; this one was dropped`);
    }
    this.holdReading(now);
    return false;
  }

  /**
   * Stops reading this socket until its budget has a token again. What is read must be decoded, even
   * just to be dropped: a socket flooding faster than its budget would otherwise cost the server all
   * it can send, and many such sockets read in one turn of the event loop stall every drill's ticks.
   * Paused, TCP slows the sender to what it may send.
   */
  private holdReading(now: number): void {
    if (this.held) return;
    this.held = true;
    this.ws.pause();
    this.deps.clock.setTimeout(() => {
      this.held = false;
      if (!this.closing) this.ws.resume();
    }, Math.max(1, this.bucket.waitMs(now)));
  }

  /** The person's and the drill's budgets, shared by all their sockets: more sockets buy nothing. */
  private takeShared(drill: LiveDrill, ids: { clientActionId?: string }): boolean {
    const now = this.deps.clock.now();
    const person = this.participant as Participant;
    if (!drill.participantBucket(person.id).take(now)) {
      this.error('rate-limited', `you are sending too fast: at most ${this.deps.config.participantRate.perSecond} actions a second across all your tabs`, ids);
      return false;
    }
    // The facilitator is exempt from the drill's budget: they must be able to pause or end a flooded drill.
    if (this.role === 'facilitator') return true;
    if (!drill.logBytes.has(now) || !drill.messages.take(now)) {
      this.error('rate-limited', 'this drill is receiving more actions than it can take; wait a moment and try again', ids);
      return false;
    }
    return true;
  }

  private hello(msg: HelloMessage): void {
    if (this.drill) return this.error('already-joined', 'this socket has already joined a session');
    const drill = this.deps.registry.get(msg.sessionId);
    if (!drill) {
      const gone = this.deps.registry.archived(msg.sessionId);
      return this.failHello(
        gone ? 'drill-archived' : 'unknown-session',
        gone ? 'this drill has ended and is archived; its debrief, report and log stay available' : `no session "${msg.sessionId}"`,
      );
    }
    const { config } = this.deps;
    // The socket caps are checked before the join writes anything (see JoinGate).
    const joined = this.deps.registry.admit(drill, msg, (role, id) => {
      if (id !== null && drill.roster.socketsOf(id) >= config.maxSocketsPerParticipant) {
        return { ok: false, code: 'too-many-sockets', message: `you already have ${config.maxSocketsPerParticipant} tabs open in this drill; close one` };
      }
      if (role !== 'facilitator' && drill.socketsOfRole(role) >= config.maxSocketsPerCode) {
        return { ok: false, code: 'too-many-sockets', message: `this drill already has ${config.maxSocketsPerCode} ${role} connections` };
      }
      return null;
    });
    if (!joined.ok) return this.failHello(joined.code, joined.message);
    const { participant, token } = joined;
    this.drill = drill;
    this.role = participant.role;
    this.participant = participant;
    drill.lastActivity = this.deps.clock.now();
    // Attached before the welcome, so the facilitator's own roster counts this socket.
    drill.clients.add(this);
    drill.roster.attach(participant.id, this, msg.device ?? token ?? msg.token ?? this.device.address);
    this.welcome(drill, msg, token);
    drill.notifyRoster();
  }

  private failHello(code: string, message: string): void {
    this.failedHellos++;
    this.error(code, message, NAME_ERRORS.has(code) ? { path: 'name' } : {});
    if (this.failedHellos >= MAX_FAILED_HELLOS) this.ws.close(1008, 'too many failed joins');
  }

  private welcome(drill: LiveDrill, msg: HelloMessage, token: string | undefined): void {
    const role = this.role;
    const person = this.participant as Participant;
    const audience = this.audience;
    drill.sequence.sync();
    const newest = drill.sequence.length(audience) - 1;
    const resumeFrom = msg.lastSeq;
    const resumed = resumeFrom !== undefined && resumeFrom <= newest && newest - resumeFrom <= RESYNC_LIMIT;
    const facilitator = role === 'facilitator' && msg.token !== undefined;
    const welcome: WelcomeMessage = {
      type: 'welcome',
      v: PROTOCOL_VERSION,
      sessionId: drill.id,
      role,
      name: person.name,
      participant: { id: person.id, name: person.name, ...(token !== undefined ? { token } : {}) },
      joinMode: drill.record.joinMode,
      scenario: role === 'facilitator' ? drill.scenario : publicScenario(drill.scenario),
      snapshot: drill.session.snapshot(),
      ...(facilitator ? this.facilitatorExtras(drill, msg.token as string) : {}),
      seq: newest,
      speed: drill.speed,
      resumed,
    };
    this.send(welcome);
    if (facilitator && drill.integrationsStatus) this.send(drill.integrationsStatus());
    this.cursor = resumed ? (resumeFrom as number) + 1 : newest + 1 <= RESYNC_LIMIT ? 0 : newest + 1;
    this.sendBacklog();
  }

  /** What only the facilitator's welcome carries: the hidden state, the roster, the join codes and the inbound URL. */
  private facilitatorExtras(drill: LiveDrill, token: string): Partial<WelcomeMessage> {
    const inbound = this.deps.registry.inbound(drill, token);
    return { facilitator: drill.session.facilitatorView(), roster: drill.roster.entries(), share: drill.shareCodes(token), ...(inbound ? { inbound } : {}) };
  }

  /**
   * Sends the backlog a frame at a time, each only once the last has left for the network, so a
   * drill with megabytes of history neither floods this socket's buffer (and trips the slow-client
   * rule) nor holds the event loop: other drills tick between frames.
   */
  private sendBacklog(): void {
    const drill = this.drill;
    if (!drill || this.cursor === null || this.ws.readyState !== this.ws.OPEN) return;
    const audience = this.audience;
    const end = drill.sequence.length(audience);
    if (this.cursor >= end) {
      this.cursor = null;
      // Live frames (and their samples) reach this socket from now on, so the history up to now
      // joins them without a gap or an overlap.
      this.send({ type: 'history', history: drill.charts.toMessage() });
      return;
    }
    const parts: string[] = [];
    let bytes = 0;
    while (this.cursor < end && bytes < BACKLOG_FRAME_BYTES) {
      const part = JSON.stringify(drill.sequence.at(audience, this.cursor++));
      parts.push(part);
      bytes += part.length + 1;
    }
    const frame = `{"type":"events","events":[${parts.join(',')}],"now":${drill.session.now}}`;
    this.deps.traffic?.sent();
    this.ws.send(frame, (error) => {
      if (!error) setImmediate(() => this.sendBacklog());
    });
  }

  private action(drill: LiveDrill, msg: ActionMessage): void {
    const ids = { clientActionId: msg.clientActionId };
    if (msg.sessionId !== undefined && msg.sessionId !== drill.id) {
      return this.error('wrong-session', `this socket joined session "${drill.id}", not "${msg.sessionId}"`, ids);
    }
    if (this.role !== 'responder') return this.error('forbidden', `${this.role}s cannot take actions`, ids);
    // start/pause/resume/end/inject are the facilitator's, whichever message type names them.
    if ((CONTROL_COMMANDS as readonly string[]).includes(msg.action)) return this.error('forbidden', 'only the facilitator controls the drill', ids);
    if (drill.status !== 'live') return this.error('drill-closed', `the drill is ${drill.status}`, ids);
    if (!this.takeShared(drill, ids)) return;
    const command = this.command(msg.action);
    if (msg.target !== undefined) command.target = msg.target;
    if (msg.params !== undefined) command.params = msg.params;
    this.answer(drill, msg.clientActionId, drill.submit(command));
  }

  private control(drill: LiveDrill, msg: ControlMessage): void {
    const ids = msg.clientActionId !== undefined ? { clientActionId: msg.clientActionId } : {};
    if (this.role !== 'facilitator') return this.error('forbidden', 'only the facilitator controls the drill', ids);
    if (drill.status !== 'live') return this.error('drill-closed', `the drill is ${drill.status}`, ids);
    if (!this.takeShared(drill, ids)) return;
    if (msg.command === 'speed') {
      const speed = speedSchema.safeParse(msg.speed);
      if (!speed.success) return this.error('bad-speed', `speed must be from ${MIN_SPEED} to ${MAX_SPEED}`, { ...ids, path: 'speed' });
      drill.setSpeed(speed.data);
      broadcastClock(drill);
      if (msg.clientActionId !== undefined) this.send({ type: 'ack', clientActionId: msg.clientActionId, seq: drill.session.events.length - 1 });
      return;
    }
    const command = this.command(msg.command);
    if (msg.command === 'inject') {
      if (msg.fault === undefined) return this.error('missing-param', 'inject needs "fault"', { ...ids, path: 'fault' });
      command.params = { fault: msg.fault };
    }
    this.answer(drill, msg.clientActionId, drill.submit(command));
    // An inject changes nothing on the clock; a clock frame after it would tell responders it happened.
    if (msg.command !== 'inject') broadcastClock(drill);
  }

  /** A command from this socket's person: their name as others see it, and their id, which friction compares. */
  private command(type: string): CommandInput {
    const person = this.participant as Participant;
    return { actor: person.name, participant: person.id, type };
  }

  private answer(drill: LiveDrill, clientActionId: string | undefined, result: CommandResult): void {
    const seq = drill.sequence.seqFor(this.audience, result.seq) ?? -1;
    if (result.ok) {
      if (clientActionId !== undefined) this.send({ type: 'ack', clientActionId, seq });
      return;
    }
    this.error(result.code, result.message, {
      ...(clientActionId !== undefined ? { clientActionId } : {}),
      ...(result.path !== undefined ? { path: result.path } : {}),
      seq,
    });
  }

  private leave(): void {
    const drill = this.drill;
    if (!drill || !drill.clients.delete(this)) return;
    if (this.participant) drill.roster.detach(this.participant.id, this);
    drill.lastActivity = this.deps.clock.now();
    drill.notifyRoster();
  }

  /** Closes this socket because its person was removed or its drill archived. */
  dismiss(code: string, message: string): void {
    // Whatever the socket sent before it heard is not theirs to do any more (a removed person's actions).
    this.closing = true;
    this.send({ type: 'error', code, message });
    this.leave();
    this.ws.close(4000, code);
  }

  get participantId(): string | undefined {
    return this.participant?.id;
  }
}

function broadcastClock(drill: LiveDrill): void {
  const clock: ClockMessage = { type: 'clock', phase: drill.session.phase, now: drill.session.now, speed: drill.speed };
  drill.tell(JSON.stringify(clock));
}

function clientActionIdOf(msg: ActionMessage | ControlMessage): { clientActionId?: string } {
  return msg.clientActionId !== undefined ? { clientActionId: msg.clientActionId } : {};
}

