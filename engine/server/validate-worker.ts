/**
 * The worker_threads side of validate-pool.ts: validates scenario text off the main thread, so that a
 * large body cannot stall live drills, and under resourceLimits, so that it cannot exhaust the server.
 *
 * Loaded in a worker through validate-worker.mjs (which registers tsx).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadScenarioText, type LoadScenarioResult } from '../scenario/load.ts';
import { siblingsOf } from './catalog.ts';

/** Tells this worker apart from any other worker that happens to import the module. */
export interface ValidateWorkerData {
  kind: 'sevdrill-validate';
}

/** Main thread → worker. */
export interface ValidateRequest {
  id: number;
  text: string;
  file: string;
  /** Read a base the file `extends` beside it (catalog files only). */
  siblings: boolean;
}

/**
 * Worker → main thread. `ready` comes once, after the modules have loaded, so the pool can start a job's
 * clock then: a fresh worker's start-up is not the job's fault and must not count against its time limit.
 */
export type ValidateReply = { ready: true } | { id: number; result: LoadScenarioResult };

if (!isMainThread && parentPort && (workerData as Partial<ValidateWorkerData> | null)?.kind === 'sevdrill-validate') {
  const port = parentPort;
  port.on('message', ({ id, text, file, siblings }: ValidateRequest) => {
    port.postMessage({ id, result: loadScenarioText(text, file, siblings ? siblingsOf(file) : undefined) } satisfies ValidateReply);
  });
  port.postMessage({ ready: true } satisfies ValidateReply);
}
