/**
 * The console's link to a drill: joins with hello, reconnects on its own with backoff, and resumes
 * from the last seq it saw so the timeline has no gap and no duplicate. Actions and controls are
 * sent with a clientActionId and settle when the server acks (durably stored) or errors.
 */
import type { ActionMessage, ControlMessage, ServerMessage } from '../../engine/protocol.ts';
import { PROTOCOL_VERSION } from '../../engine/protocol.ts';

export type LinkState = 'connecting' | 'open' | 'closed';

export interface Credentials {
  sessionId: string;
  token?: string;
  code?: string;
  name: string;
}

export interface Settled {
  ok: boolean;
  code?: string;
  message?: string;
}

export class DrillLink {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private nextId = 0;
  private readonly pending = new Map<string, (s: Settled) => void>();
  private stopped = false;
  lastSeq: number | undefined;
  state: LinkState = 'connecting';

  constructor(
    private readonly credentials: Credentials,
    private readonly onMessage: (m: ServerMessage) => void,
    private readonly onState: (s: LinkState) => void,
  ) {
    this.open();
  }

  private open(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const ws = new WebSocket(url);
    this.ws = ws;
    this.setState('connecting');
    ws.onopen = () => {
      this.attempt = 0;
      ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, ...this.credentials, ...(this.lastSeq !== undefined ? { lastSeq: this.lastSeq } : {}) }));
    };
    ws.onmessage = (event) => this.receive(JSON.parse(String(event.data)) as ServerMessage);
    ws.onclose = () => {
      this.setState('closed');
      for (const settle of this.pending.values()) settle({ ok: false, code: 'disconnected', message: 'the connection dropped; try again' });
      this.pending.clear();
      if (this.stopped) return;
      const delay = Math.min(10_000, 250 * 2 ** this.attempt++);
      setTimeout(() => this.open(), delay);
    };
  }

  private receive(m: ServerMessage): void {
    if (m.type === 'welcome') this.setState('open');
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

  private setState(s: LinkState): void {
    this.state = s;
    this.onState(s);
  }

  /** A new model starts from the welcome; forget the old position when the server says so. */
  resetSeq(): void {
    this.lastSeq = undefined;
  }

  act(action: string, target?: string, params?: ActionMessage['params']): Promise<Settled> {
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
