/**
 * Wires the server together: store, catalog, registry, HTTP app and WebSocket endpoint on one port.
 * `startServer` is what `npm start` and the integration tests call.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from '../protocol/messages.ts';
import { Catalog, checkOnWorkers } from './catalog.ts';
import type { ServerConfig } from './config.ts';
import { DifficultyCache, type Explorer } from './difficulty-cache.ts';
import { realClock, type WallClock } from './drill.ts';
import { createHttpApp } from './http.ts';
import { Outbound } from './integrations/outbound.ts';
import { SILENCE_POLL_MS, SilenceWatcher } from './integrations/silences.ts';
import { createLogger, type Logger } from './logger.ts';
import { checkOrigin, originPolicy, type OriginPolicy } from './origin.ts';
import { KeyedBuckets } from './limits.ts';
import { MetricsExporter } from './prometheus/exporter.ts';
import { Registry } from './registry.ts';
import { Connection } from './socket.ts';
import { Store } from './store.ts';
import { ValidationPool } from './validate-pool.ts';

export interface RunningServer {
  url: string;
  port: number;
  http: Server;
  registry: Registry;
  logger: Logger;
  recovered: number;
  close(): Promise<void>;
}

/** How often sockets are checked for a missing hello or a message that never finishes. */
const WATCH_MS = 1_000;

export interface ServerOptions {
  clock?: WallClock;
  /** Receives every log line (JSON); by default they go to stderr. */
  log?: (line: string) => void;
  /** Rates seeds for drills created by difficulty; by default `sevdrill explore` on worker threads (tests hold it back). */
  explorer?: Explorer;
}

export async function startServer(config: ServerConfig, options: ServerOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? realClock;
  const logger = createLogger({ level: config.logLevel, ...(options.log ? { destination: options.log } : {}) });
  const store = new Store(config.dataFile);
  store.onCheckpointError = (message) => logger.error({ errorCode: 'checkpoint-failed' }, `store checkpoint failed (retried in a second): ${message}`);
  const validation = new ValidationPool(config.validation);
  let stopping = false;
  // Loaded here, before the server listens; files changed later are checked on the validation workers.
  const catalog = new Catalog(config.scenarioDirs, logger, {
    debounceMs: config.scenarioWatchDebounceMs,
    load: checkOnWorkers(validation, config.validation, () => stopping),
  });
  catalog.watch();
  const nodeMajor = process.versions.node.split('.')[0] ?? 'unknown';
  const difficulty = new DifficultyCache(store, () => catalog.sources(), logger, {
    ...config.difficulty,
    nodeMajor,
    ...(options.explorer ? { explorer: options.explorer } : {}),
  });
  catalog.onChange(() => void difficulty.reconcile());
  const registry = new Registry(store, catalog, clock, config, logger, nodeMajor, difficulty);
  // Followed before recovery, so a drill rebuilt after a restart sends to its integrations again.
  let listeningPort: number | null = null;
  const publicBase = () => config.allowedOrigins?.[0] ?? `http://localhost:${listeningPort ?? config.port}`;
  const outbound = new Outbound(config.integrations, logger, (id) => `${publicBase()}/#/drill/${id}`);
  registry.follow((drill) => outbound.attach(drill));
  // Silencing a drill alert in Alertmanager acknowledges it (silences.ts).
  const { alertmanager, delivery } = config.integrations;
  const silencePollMs = delivery.silencePollMs ?? SILENCE_POLL_MS;
  const silences = alertmanager && new SilenceWatcher(alertmanager.url, logger, { pollMs: silencePollMs, timeoutMs: Math.min(delivery.timeoutMs, silencePollMs) });
  if (silences) registry.follow((drill) => silences.attach(drill));
  const recovered = registry.recover();
  const connections = new Map<WebSocket, Connection>();
  const metrics = new MetricsExporter({ sockets: () => connections.size, drills: () => registry.list() });
  registry.follow((drill) => metrics.follow(drill));
  store.onCommit = (seconds) => metrics.health.storeCommit(seconds);
  let policy: OriginPolicy | null = null;
  const currentPolicy = (): OriginPolicy => {
    if (!policy) throw new Error('invariant: a request arrived before the server listened');
    return policy;
  };
  const http = createServer(createHttpApp({ registry, catalog, difficulty, config, nodeMajor, logger, validation, originPolicy: currentPolicy, metrics: metrics.registry }));

  // allowSynchronousEvents: false hands each socket's messages over one per turn of the event loop. By
  // default ws emits every message it has read at once, and dozens of flooding sockets then hold the
  // loop for 70-130 ms (measured) before any drill's tick can run.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, allowSynchronousEvents: false });
  // A socket closed for flooding could reconnect at once and get a fresh allowance: connections are
  // budgeted per client address too.
  const connects = new KeyedBuckets(config.connectRate);
  const refusedAddresses = new Set<string>();
  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const check = path === '/ws' ? checkOrigin(currentPolicy(), { origin: req.headers.origin, host: req.headers.host }) : null;
    if (!check?.ok) {
      logger.warn({ path, errorCode: check?.code ?? 'not-found' }, `websocket upgrade refused: ${check?.message ?? `no endpoint at ${path}`}`);
      socket.end(`HTTP/1.1 ${check ? '403 Forbidden' : '404 Not Found'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    if (!connects.get(address, clock.now()).take(clock.now())) {
      // One line per address per burst, not one per refused connection: a flood must not flood the log.
      if (!refusedAddresses.has(address)) {
        refusedAddresses.add(address);
        logger.warn({ path, errorCode: 'too-many-connections' }, `websocket upgrades refused: more than ${config.connectRate.perSecond} a second from one address`);
      }
      socket.end('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws: WebSocket, req: import('node:http').IncomingMessage) => {
    connections.set(ws, new Connection(ws, { registry, config, clock, logger, traffic: metrics.health.traffic }, { address: req.socket.remoteAddress ?? 'unknown' }));
    ws.on('close', () => connections.delete(ws));
  });
  // Heartbeat: a client that has not answered the last ping by the next one is gone.
  const heartbeat = setInterval(() => {
    for (const [ws, connection] of connections) {
      if (!connection.alive) {
        ws.terminate();
        continue;
      }
      connection.alive = false;
      ws.ping();
    }
  }, config.heartbeatMs);
  const watchdog = setInterval(() => {
    const now = clock.now();
    refusedAddresses.clear();
    for (const connection of connections.values()) connection.watch(now);
  }, WATCH_MS);
  heartbeat.unref();
  watchdog.unref();

  await new Promise<void>((resolve) => http.listen(config.port, config.host, resolve));
  const port = (http.address() as AddressInfo).port;
  listeningPort = port;
  policy = originPolicy(config.allowedOrigins, port);
  outbound.warmUp(`http://127.0.0.1:${port}`);
  // Once the server listens: reading the plans and exploring never delay the start or a recovered drill.
  void difficulty.reconcile();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    http,
    registry,
    logger,
    recovered,
    close: async () => {
      stopping = true;
      catalog.close();
      clearInterval(heartbeat);
      clearInterval(watchdog);
      registry.close();
      outbound.close();
      silences?.close();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await validation.close();
      await difficulty.close();
      store.close();
    },
  };
}
