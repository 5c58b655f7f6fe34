/**
 * Wires the server together: store, catalog, registry, HTTP app and WebSocket endpoint on one port.
 * `startServer` is what `npm start` and the integration tests call.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES } from '../protocol.ts';
import { Catalog } from './catalog.ts';
import type { ServerConfig } from './config.ts';
import { realClock, type WallClock } from './drill.ts';
import { createHttpApp } from './http.ts';
import { originAllowed } from './origin.ts';
import { Registry } from './registry.ts';
import { Connection } from './socket.ts';
import { Store } from './store.ts';

export interface RunningServer {
  url: string;
  port: number;
  http: Server;
  registry: Registry;
  recovered: number;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, options: { clock?: WallClock; log?: (m: string) => void } = {}): Promise<RunningServer> {
  const clock = options.clock ?? realClock;
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const store = new Store(config.dataFile);
  const catalog = new Catalog(config.scenariosDir, log);
  const registry = new Registry(store, catalog, clock, config.progressSaveMs);
  const recovered = registry.recover();
  const nodeMajor = process.versions.node.split('.')[0] ?? 'unknown';
  const http = createServer(createHttpApp({ registry, catalog, config, nodeMajor }));

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/ws' || !originAllowed(req.headers.origin, req.headers.host, config.allowedOrigins)) {
      socket.end(`HTTP/1.1 ${path !== '/ws' ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const connections = new Map<object, Connection>();
  wss.on('connection', (ws) => {
    connections.set(ws, new Connection(ws, { registry, config, clock, log }));
    ws.on('close', () => connections.delete(ws));
  });
  // Heartbeat: a client that has not answered the last ping by the next one is gone.
  const heartbeat = setInterval(() => {
    for (const [ws, connection] of connections) {
      const socket = ws as import('ws').WebSocket;
      if (!connection.alive) {
        socket.terminate();
        continue;
      }
      connection.alive = false;
      socket.ping();
    }
  }, config.heartbeatMs);
  heartbeat.unref();

  await new Promise<void>((resolve) => http.listen(config.port, config.host, resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    http,
    registry,
    recovered,
    close: async () => {
      clearInterval(heartbeat);
      registry.close();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
      store.close();
    },
  };
}
