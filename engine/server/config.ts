/** Server settings from the environment, with the defaults `npm start` uses. */
import { fileURLToPath } from 'node:url';

export interface ServerConfig {
  port: number;
  host: string;
  dataFile: string;
  scenariosDir: string;
  uiDir: string;
  /** Origins allowed to call the API and open sockets; null = only the server's own origin. */
  allowedOrigins: string[] | null;
  heartbeatMs: number;
  /** A client whose unsent data passes this is cut off: it must not grow the server's heap. */
  maxBufferedBytes: number;
  /** Messages per second a socket may send (token bucket), and the burst it may save up. */
  rateLimit: { perSecond: number; burst: number };
  /** How often (wall ms) a running drill records how far simulated time has got. */
  progressSaveMs: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const origins = env.SEVDRILL_ORIGINS?.split(',').map((o) => o.trim()).filter(Boolean);
  return {
    port: env.PORT === undefined ? 8080 : Number(env.PORT),
    host: env.HOST ?? '0.0.0.0',
    dataFile: env.SEVDRILL_DATA ?? `${ROOT}data/sevdrill.db`,
    scenariosDir: env.SEVDRILL_SCENARIOS ?? `${ROOT}scenarios`,
    uiDir: `${ROOT}ui/dist`,
    allowedOrigins: origins && origins.length > 0 ? origins : null,
    heartbeatMs: Number(env.SEVDRILL_HEARTBEAT_MS ?? 30_000),
    maxBufferedBytes: 1024 * 1024,
    rateLimit: { perSecond: 20, burst: 40 },
    progressSaveMs: 1000,
  };
}
