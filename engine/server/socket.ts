/**
 * One WebSocket connection: join a drill with `hello`, then act (responders) or control
 * (facilitator). Bad frames get an error and change nothing; floods are rate-limited; dead sockets
 * are dropped by the heartbeat and slow ones are cut off before their buffer grows the heap.
 */
import type { RawData, WebSocket } from 'ws';
import { publicScenario } from '../core/visibility.ts';
import { isFacilitatorOnly } from '../core/visibility.ts';
import type { CommandInput, CommandResult, EngineEvent } from '../core/types.ts';
import { CONTROL_COMMANDS } from '../core/types.ts';
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
} from '../protocol.ts';
import type { ServerConfig } from './config.ts';
import type { DrillClient, LiveDrill, WallClock } from './drill.ts';
import { parseClientMessage } from './messages.ts';
import type { Registry } from './registry.ts';

/** Beyond this many missed events a client gets a fresh snapshot, not a replay of the gap. */
export const RESYNC_LIMIT = 20_000;
const BACKLOG_CHUNK = 500;
const MAX_FAILED_HELLOS = 5;
/** A socket that keeps flooding after being told is closed (1008: policy violation). */
const MAX_DROPPED = 200;

export interface SocketDeps {
  registry: Registry;
  config: ServerConfig;
  clock: WallClock;
  log: (message: string) => void;
}

export class Connection implements DrillClient {
  role: Role = 'observer';
  private name = '';
  private drill: LiveDrill | null = null;
  alive = true;
  private tokens: number;
  private lastRefill: number;
  private dropped = 0;
  private lastRateError = -Infinity;
  private failedHellos = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: SocketDeps,
  ) {
    this.tokens = deps.config.rateLimit.burst;
    this.lastRefill = deps.clock.now();
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', () => this.drill?.clients.delete(this));
    ws.on('error', (error) => deps.log(`socket error: ${error.message}`));
  }

  deliver(frame: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.deps.config.maxBufferedBytes) {
      // A client this far behind would grow our heap without limit; it can reconnect and resume.
      this.deps.log(`cutting off a slow ${this.role} (${this.ws.bufferedAmount} bytes unsent)`);
      this.drill?.clients.delete(this);
      this.ws.terminate();
      return;
    }
    this.ws.send(frame);
  }

  private send(message: ServerMessage): void {
    this.deliver(JSON.stringify(message));
  }

  private error(code: string, message: string, extra: Partial<ErrorMessage> = {}): void {
    this.send({ type: 'error', code, message, ...extra });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
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
      this.deps.log(`internal error handling a message: ${error instanceof Error ? error.stack : String(error)}`);
      this.error('internal', 'the server could not handle this message');
    }
  }

  private takeToken(): boolean {
    const { perSecond, burst } = this.deps.config.rateLimit;
    const now = this.deps.clock.now();
    this.tokens = Math.min(burst, this.tokens + ((now - this.lastRefill) / 1000) * perSecond);
    this.lastRefill = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.dropped++;
    if (this.dropped > MAX_DROPPED) {
      this.ws.close(1008, 'rate limit exceeded');
    } else if (now - this.lastRateError >= 1000) {
      this.lastRateError = now;
      this.error('rate-limited', `too many messages: at most ${perSecond} per second; this one was dropped`);
    }
    return false;
  }

  private hello(msg: HelloMessage): void {
    if (this.drill) return this.error('already-joined', 'this socket has already joined a session');
    const drill = this.deps.registry.get(msg.sessionId);
    const role = drill ? this.deps.registry.authenticate(drill, msg) : null;
    if (!drill || !role) {
      this.failedHellos++;
      if (drill) this.error('unauthorized', 'that token or code does not open this session');
      else this.error('unknown-session', `no session "${msg.sessionId}"`);
      if (this.failedHellos >= MAX_FAILED_HELLOS) this.ws.close(1008, 'too many failed joins');
      return;
    }
    this.drill = drill;
    this.role = role;
    this.name = msg.name;
    const events = drill.session.events;
    const newest = events.length - 1;
    const resumeFrom = msg.lastSeq;
    const resumed = resumeFrom !== undefined && resumeFrom <= newest && newest - resumeFrom <= RESYNC_LIMIT;
    const welcome: WelcomeMessage = {
      type: 'welcome',
      v: PROTOCOL_VERSION,
      sessionId: drill.id,
      role,
      name: msg.name,
      scenario: role === 'facilitator' ? drill.scenario : publicScenario(drill.scenario),
      snapshot: drill.session.snapshot(),
      ...(role === 'facilitator' ? { facilitator: drill.session.facilitatorView() } : {}),
      seq: newest,
      speed: drill.speed,
      resumed,
    };
    this.send(welcome);
    const from = resumed ? (resumeFrom as number) + 1 : events.length <= RESYNC_LIMIT ? 0 : events.length;
    this.sendBacklog(events.slice(from));
    drill.clients.add(this);
  }

  private sendBacklog(events: readonly EngineEvent[]): void {
    const visible = this.role === 'facilitator' ? events : events.filter((e) => !isFacilitatorOnly(e));
    for (let i = 0; i < visible.length; i += BACKLOG_CHUNK) {
      this.send({ type: 'events', events: visible.slice(i, i + BACKLOG_CHUNK), now: this.drill?.session.now ?? 0 });
    }
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
    const command: CommandInput = { actor: this.name, type: msg.action };
    if (msg.target !== undefined) command.target = msg.target;
    if (msg.params !== undefined) command.params = msg.params;
    this.answer(msg.clientActionId, drill.submit(command));
  }

  private control(drill: LiveDrill, msg: ControlMessage): void {
    const ids = msg.clientActionId !== undefined ? { clientActionId: msg.clientActionId } : {};
    if (this.role !== 'facilitator') return this.error('forbidden', 'only the facilitator controls the drill', ids);
    if (drill.status !== 'live') return this.error('drill-closed', `the drill is ${drill.status}`, ids);
    if (msg.command === 'speed') {
      if (typeof msg.speed !== 'number' || !(msg.speed >= MIN_SPEED && msg.speed <= MAX_SPEED)) {
        return this.error('bad-speed', `speed must be from ${MIN_SPEED} to ${MAX_SPEED}`, { ...ids, path: 'speed' });
      }
      drill.setSpeed(msg.speed);
      this.broadcastClock(drill);
      if (msg.clientActionId !== undefined) this.send({ type: 'ack', clientActionId: msg.clientActionId, seq: drill.session.events.length - 1 });
      return;
    }
    const command: CommandInput = { actor: this.name, type: msg.command };
    if (msg.command === 'inject') {
      if (msg.fault === undefined) return this.error('missing-param', 'inject needs "fault"', { ...ids, path: 'fault' });
      command.params = { fault: msg.fault };
    }
    this.answer(msg.clientActionId, drill.submit(command));
    this.broadcastClock(drill);
  }

  private answer(clientActionId: string | undefined, result: CommandResult): void {
    if (result.ok) {
      if (clientActionId !== undefined) this.send({ type: 'ack', clientActionId, seq: result.seq });
      return;
    }
    this.error(result.code, result.message, {
      ...(clientActionId !== undefined ? { clientActionId } : {}),
      ...(result.path !== undefined ? { path: result.path } : {}),
      seq: result.seq,
    });
  }

  private broadcastClock(drill: LiveDrill): void {
    const clock: ClockMessage = { type: 'clock', phase: drill.session.phase, now: drill.session.now, speed: drill.speed };
    const frame = JSON.stringify(clock);
    for (const client of drill.clients) client.deliver(frame);
  }
}

function clientActionIdOf(msg: ActionMessage | ControlMessage): { clientActionId?: string } {
  return msg.clientActionId !== undefined ? { clientActionId: msg.clientActionId } : {};
}
