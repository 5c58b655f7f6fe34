/** `npm start`: serves the app and the API on PORT (default 8080) with its data in SEVDRILL_DATA. */
import { startServer } from './app.ts';
import { configFromEnv } from './config.ts';

const config = configFromEnv();
const server = await startServer(config);
process.stdout.write(
  `sevdrill listening on http://localhost:${server.port} (data: ${config.dataFile}; ${server.recovered} drill(s) recovered)\n`,
);
const shutdown = () => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
