/** `npm start`: serves the app and the API on PORT (default 8080) with its data in SEVDRILL_DATA. */
import { startServer } from './app.ts';
import { configFromEnv, type ServerConfig } from './config.ts';

let config: ServerConfig;
try {
  config = configFromEnv();
} catch (error) {
  // A bad setting is the user's to fix: one clear line, no stack trace.
  process.stderr.write(`sevdrill: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
const server = await startServer(config);
const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
process.stdout.write(
  `sevdrill listening on http://${shown === '127.0.0.1' ? 'localhost' : shown}:${server.port} (data: ${config.dataFile}; ${server.recovered} drill(s) recovered)\n`,
);
if (config.host !== '127.0.0.1' && config.host !== 'localhost' && config.host !== '::1' && config.allowedOrigins === null) {
  process.stdout.write('note: HOST opens the server to the network, but only loopback origins are allowed: set SEVDRILL_ORIGINS to the address people will use\n');
}
const shutdown = () => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
