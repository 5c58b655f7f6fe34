/**
 * The console's link to a drill: joins with hello, reconnects on its own with backoff, and resumes
 * from the last seq it saw so the timeline has no gap and no duplicate. Actions and controls are
 * sent with a clientActionId and settle when the server acks (durably stored) or errors. A join the
 * server refuses (a wrong code, a taken name, a removed person) is not retried: it is reported once.
 */
import type { ActionMessage, ControlMessage, HelloMessage, ServerMessage } from '../../engine/protocol/messages.ts';
import { PROTOCOL_VERSION } from '../../engine/protocol/messages.ts';

export type LinkState = 'connecting' | 'open' | 'closed' | 'refused';

/** The credential part of a hello; asked for afresh at each (re)connect, since it changes after the first welcome. */
export type HelloCredentials = Pick<HelloMessage, 'token' | 'participantToken' | 'invite' | 'code' | 'name' | 'device'>;

export interface Settled {
  ok: boolean;
  code?: string;
  message?: string;
}

/** Refusals that end the link: after these, reconnecting would only be refused again. */
const FINAL = new Set(['removed', 'drill-archived', 'drill-failed']);

export class DrillLink {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private nextId = 0;
  private readonly pending = new Map<string, (s: Settled) => void>();
  private stopped = false;
  private joined = false;
  lastSeq: number | undefined;
  state: LinkState = 'connecting';

  constructor(
    private readonly sessionId: string,
    private readonly credentials: () => HelloCredentials,
    private readonly onMessage: (m: ServerMessage) => void,
    private readonly onState: (s: LinkState) => void,
    /** The server refused this browser (the hello, or later): the link has stopped. */
    private readonly onRefused: (code: string, message: string) => void,
  ) {
    this.open();
  }

  private open(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const ws = new WebSocket(url);
    this.ws = ws;
    this.joined = false;
    this.setState('connecting');
    ws.onopen = () => {
      this.attempt = 0;
      const hello: HelloMessage = { type: 'hello', v: PROTOCOL_VERSION, sessionId: this.sessionId, ...this.credentials(), ...(this.lastSeq !== undefined ? { lastSeq: this.lastSeq } : {}) };
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (event) => this.receive(JSON.parse(String(event.data)) as ServerMessage);
    ws.onclose = () => {
      if (this.state !== 'refused') this.setState('closed');
      for (const settle of this.pending.values()) settle({ ok: false, code: 'disconnected', message: 'the connection dropped; try again' });
      this.pending.clear();
      if (this.stopped) return;
      const delay = Math.min(10_000, 250 * 2 ** this.attempt++);
      setTimeout(() => this.open(), delay);
    };
  }

  private receive(m: ServerMessage): void {
    if (m.type === 'welcome') {
      this.joined = true;
      this.setState('open');
    }
    if (m.type === 'error' && m.clientActionId === undefined && (!this.joined || FINAL.has(m.code))) return this.refuse(m.code, m.message);
    if (m.type === 'events') for (const e of m.events) this.lastSeq = Math.max(this.lastSeq ?? -1, e.seq);
    if (m.type === 'ack' || m.type === 'error') {
      const settle = m.clientActionId !== undefined ? this.pending.get(m.clientActionId) : undefined;
      if (settle && m.clientActionId !== undefined) {
        this.pending.delete(m.clientActionId);
        settle(m.type === 'ack' ? { ok: true } : { ok: false, code: m.code, message: m.message });
      }
    }
    this.onMessage(m);
  }

  private refuse(code: string, message: string): void {
    this.stopped = true;
    this.setState('refused');
    this.ws?.close();
    this.onRefused(code, message);
  }

  private setState(s: LinkState): void {
    this.state = s;
    this.onState(s);
  }

  /** A new model starts from the welcome; forget the old position when the server says so. */
  resetSeq(): void {
    this.lastSeq = undefined;
  }

  act(action: ActionMessage['action'], target?: string, params?: ActionMessage['params']): Promise<Settled> {
    return this.send({ type: 'action', clientActionId: '', action, ...(target ? { target } : {}), ...(params ? { params } : {}) });
  }

  control(command: ControlMessage['command'], extra: { speed?: number; fault?: string } = {}): Promise<Settled> {
    return this.send({ type: 'control', command, clientActionId: '', ...extra });
  }

  private send(message: ActionMessage | ControlMessage): Promise<Settled> {
    const id = `c${++this.nextId}`;
    message.clientActionId = id;
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return Promise.resolve({ ok: false, code: 'disconnected', message: 'not connected' });
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws?.send(JSON.stringify(message));
    });
  }

  close(): void {
    this.stopped = true;
    this.ws?.close();
  }
}
