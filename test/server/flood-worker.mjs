// Worker thread for test/server/abuse.test.ts: the flooding clients, on their own event loop, so that
// what the test measures on the main thread (another drill's tick lateness) is the server's own cost
// and not the cost of generating the flood. Plain JavaScript: workers do not inherit the tsx hooks.
//
// workerData: { url, sessionId, code, names, sharedExtra, messageLength, durationMs }
// Posts { type: 'joined', ... } once every socket has joined, waits for { type: 'go' }, floods for
// durationMs, then posts { type: 'done', stats } and exits.
import { performance } from 'node:perf_hooks';
import { setImmediate, setTimeout } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { url, sessionId, code, names, sharedExtra, messageLength, durationMs } = workerData;
const wsUrl = `${url.replace('http', 'ws')}/ws`;
/** Keep this much queued on each socket: as fast as the network takes it, without growing our heap. */
const HIGH_WATER = 256 * 1024;

const stats = {
  sent: 0,
  acks: 0,
  errors: {},
  closes: {},
  reconnects: 0,
  failedRejoins: {},
  bytesReceived: 0,
};
const bump = (counts, key) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

let flooding = false;
let floodEnd = 0;
let seq = 0;
const text = 'flood '.repeat(Math.ceil(messageLength / 6)).slice(0, messageLength);

/** One socket: joins, and (once flooding) sends as fast as it can; reconnects with its token when closed. */
class Flooder {
  constructor(hello) {
    this.hello = hello;
    this.token = null;
    this.ws = null;
  }

  /** Resolves with the welcome or error the hello got. */
  join() {
    return new Promise((resolve) => {
      const ws = new WebSocket(wsUrl);
      this.ws = ws;
      let answered = false;
      let welcomed = false;
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', v: 1, sessionId, ...this.hello })));
      ws.on('message', (data) => {
        stats.bytesReceived += data.length;
        // Only small frames are parsed: event batches (the drill's broadcasts of accepted updates) are counted, not read.
        if (data.length > 4096 && answered) return;
        const head = data.subarray(0, 20).toString();
        if (!answered) {
          const m = JSON.parse(data.toString());
          if (m.type === 'welcome' || m.type === 'error') {
            answered = true;
            if (m.type === 'welcome') {
              this.token ??= m.participant.token;
              welcomed = true;
            }
            resolve(m);
          }
          return;
        }
        if (head.startsWith('{"type":"ack"')) stats.acks++;
        else if (head.startsWith('{"type":"error"')) bump(stats.errors, JSON.parse(data.toString()).code);
      });
      ws.on('error', () => {});
      ws.on('close', (closeCode) => {
        if (!answered) {
          answered = true;
          resolve({ type: 'error', code: `closed-${closeCode}` });
        }
        // Only a socket that had joined is replaced here; a refused rejoin is retried by rejoin() itself.
        if (flooding && welcomed && this.ws === ws) {
          bump(stats.closes, String(closeCode));
          setTimeout(() => void this.rejoin(), 10);
        }
      });
    });
  }

  async rejoin() {
    while (flooding && performance.now() < floodEnd) {
      stats.reconnects++;
      // An attacker would not ask to resume: a fresh join gets the whole backlog again.
      this.hello = { participantToken: this.token };
      const answer = await this.join();
      if (answer.type === 'welcome') return this.pump();
      bump(stats.failedRejoins, answer.code);
      this.ws?.terminate();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  pump() {
    const ws = this.ws;
    if (!flooding || ws.readyState !== WebSocket.OPEN) return;
    if (performance.now() >= floodEnd) return;
    let n = 0;
    while (ws.bufferedAmount < HIGH_WATER && n++ < 64) {
      ws.send(`{"type":"action","clientActionId":"f${seq++}","action":"status-update","params":{"message":"${text}"}}`);
      stats.sent++;
    }
    // When the network takes no more, wait for it rather than spin: this thread shares the machine
    // with the server, and a core burnt here would be counted against the server's ticks.
    if (ws.bufferedAmount < HIGH_WATER) setImmediate(() => this.pump());
    else setTimeout(() => this.pump(), 5);
  }
}

const flooders = names.map((name) => new Flooder({ code, name }));
const joined = await Promise.all(flooders.map((f) => f.join()));
const welcomed = flooders.filter((_, i) => joined[i].type === 'welcome');
// The same person on more sockets (tabs): the first flooder's token, `sharedExtra` more times.
const shared = Array.from({ length: sharedExtra }, () => new Flooder({ participantToken: welcomed[0].token }));
const sharedAnswers = [];
for (const f of shared) {
  const answer = await f.join();
  sharedAnswers.push(answer.type === 'welcome' ? 'welcome' : answer.code);
  if (answer.type === 'welcome') f.token = welcomed[0].token;
}
const sockets = [...welcomed, ...shared.filter((_, i) => sharedAnswers[i] === 'welcome')];
parentPort.postMessage({
  type: 'joined',
  answers: joined.map((m) => (m.type === 'welcome' ? 'welcome' : m.code)),
  participants: new Set(welcomed.map((f) => joined[flooders.indexOf(f)].participant.id)).size,
  sharedAnswers,
  sockets: sockets.length,
});
// Refused sockets are closed by us; they take no part.
for (const [i, f] of shared.entries()) if (sharedAnswers[i] !== 'welcome') f.ws.close();

parentPort.once('message', () => {
  flooding = true;
  const started = performance.now();
  floodEnd = started + durationMs;
  for (const f of sockets) f.pump();
  setTimeout(() => {
    flooding = false;
    // Let the last answers arrive, then leave.
    setTimeout(() => {
      for (const f of sockets) f.ws.terminate();
      parentPort.postMessage({ type: 'done', stats, floodMs: durationMs });
      parentPort.close();
    }, 500);
  }, durationMs);
});
