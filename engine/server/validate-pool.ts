/**
 * Scenario validation for the HTTP API, on worker threads.
 *
 * Parsing and checking a large scenario takes hundreds of milliseconds of CPU and tens of megabytes of
 * heap; on the main thread that stalls every live drill's tick, and parallel requests multiply the heap.
 * Here each job runs on a worker with its own heap limit and a time limit, and a worker that breaks
 * either is terminated and replaced, so one hostile body costs one job, never the server.
 */
import { Worker } from 'node:worker_threads';
import type { LoadScenarioResult } from '../scenario/load.ts';
import type { ValidateReply, ValidateRequest, ValidateWorkerData } from './validate-worker.ts';

export interface ValidationPoolOptions {
  /** Workers running at once (each validates one body at a time). */
  workers: number;
  /** Wall time a job may run on its worker; queueing time does not count. */
  timeoutMs: number;
  /** Each worker's V8 old-generation heap limit. */
  maxOldGenerationMb: number;
  /** Jobs that may wait for a worker; beyond that, callers are told the pool is busy. */
  maxQueue: number;
}

export type ValidationOutcome =
  | { kind: 'done'; result: LoadScenarioResult }
  /** The queue is full: the caller answers 503. */
  | { kind: 'busy' }
  /** Ran longer than timeoutMs: its worker was terminated and will be replaced. */
  | { kind: 'timeout' }
  /** Its worker hit the heap limit (ERR_WORKER_OUT_OF_MEMORY) and will be replaced. */
  | { kind: 'out-of-memory' }
  /** The worker died for another reason, or the pool is shutting down. */
  | { kind: 'failed'; message: string };

// maxOldGenerationSizeMb does not cover the young generation, so it is pinned small to keep a worker's
// whole heap close to the configured limit; measured, 16 MB costs no more time than 32 or 64.
const YOUNG_GENERATION_MB = 16;

interface Job {
  id: number;
  text: string;
  file: string;
  siblings: boolean;
  resolve: (outcome: ValidationOutcome) => void;
}

interface Slot {
  worker: Worker;
  /** The worker has loaded its modules and can take a job. */
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

const SHUTTING_DOWN: ValidationOutcome = { kind: 'failed', message: 'shutting down' };

export class ValidationPool {
  private readonly options: ValidationPoolOptions;
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: ValidationPoolOptions) {
    this.options = { ...options };
  }

  /**
   * `siblings`: the file is on disk (the catalog's), so a base it `extends` is read beside it. Never for
   * text from a request, whose file name is the caller's to choose.
   */
  validate(text: string, file: string, options: { siblings?: boolean } = {}): Promise<ValidationOutcome> {
    if (this.closed) return Promise.resolve(SHUTTING_DOWN);
    return new Promise((resolve) => {
      const job: Job = { id: this.nextId++, text, file, siblings: options.siblings === true, resolve };
      if (this.dispatch(job)) return;
      if (this.queue.length < this.options.maxQueue) this.queue.push(job);
      else resolve({ kind: 'busy' });
    });
  }

  /** Answers every outstanding job with `failed` and terminates every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve(SHUTTING_DOWN);
    await Promise.all([...this.slots].map((slot) => this.retire(slot, SHUTTING_DOWN)));
  }

  /** Puts the job on an idle worker, or on a new one if the pool is not full; false if all are busy. */
  private dispatch(job: Job): boolean {
    let slot = [...this.slots].find((s) => s.job === null);
    if (!slot) {
      if (this.slots.size >= this.options.workers) return false;
      try {
        slot = this.spawn();
      } catch (error) {
        // This can run in a worker's event handler, where a throw would take the server down.
        job.resolve({ kind: 'failed', message: `validation worker: ${error instanceof Error ? error.message : String(error)}` });
        return true;
      }
    }
    this.assign(slot, job);
    return true;
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./validate-worker.mjs', import.meta.url), {
      workerData: { kind: 'sevdrill-validate' } satisfies ValidateWorkerData,
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxOldGenerationMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    const slot: Slot = { worker, ready: false, job: null, timer: null };
    this.slots.add(slot);
    worker.on('message', (reply: ValidateReply) => {
      if ('ready' in reply) {
        slot.ready = true;
        if (slot.job) this.start(slot);
      } else if (slot.job?.id === reply.id) this.finish(slot, { kind: 'done', result: reply.result });
    });
    worker.on('messageerror', (error) => void this.retire(slot, { kind: 'failed', message: `validation worker: ${error.message}` }));
    worker.on('error', (error) => {
      const outOfMemory = 'code' in error && error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      void this.retire(slot, outOfMemory ? { kind: 'out-of-memory' } : { kind: 'failed', message: `validation worker: ${error.message}` });
    });
    worker.on('exit', (code) => void this.retire(slot, { kind: 'failed', message: `validation worker exited (code ${code})` }));
    return slot;
  }

  private assign(slot: Slot, job: Job): void {
    slot.job = job;
    // An unref'd worker's messages do not keep the process alive: a caller awaiting a result with
    // nothing else pending would see the process exit under it. So busy workers are ref'd.
    slot.worker.ref();
    if (slot.ready) this.start(slot);
  }

  /** Hands the job to the worker; its clock starts now. */
  private start(slot: Slot): void {
    const job = slot.job as Job;
    slot.worker.postMessage({ id: job.id, text: job.text, file: job.file, siblings: job.siblings } satisfies ValidateRequest);
    slot.timer = setTimeout(() => void this.retire(slot, { kind: 'timeout' }), this.options.timeoutMs);
  }

  private finish(slot: Slot, outcome: ValidationOutcome): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const job = slot.job as Job;
    slot.job = null;
    job.resolve(outcome);
    const next = this.queue.shift();
    if (next) this.assign(slot, next);
    // Idle workers are kept warm, but must never keep the process alive.
    else slot.worker.unref();
  }

  /** Takes a worker out of the pool for good, answering its job, and starts a fresh one for the queue. */
  private async retire(slot: Slot, outcome: ValidationOutcome): Promise<void> {
    if (!this.slots.delete(slot)) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job?.resolve(outcome);
    slot.job = null;
    if (!this.closed) {
      const next = this.queue.shift();
      if (next && !this.dispatch(next)) this.queue.unshift(next);
    }
    // Ref'd until it has gone: a process whose last task is awaiting close() would otherwise exit with
    // that await unsettled.
    slot.worker.ref();
    await slot.worker.terminate();
  }
}

/** Integer settings from SEVDRILL_VALIDATE_*; a bad value stops the server at startup, naming the variable. */
export function defaultValidationPoolOptions(env: NodeJS.ProcessEnv): ValidationPoolOptions {
  return {
    workers: integerFromEnv(env, 'SEVDRILL_VALIDATE_WORKERS', 1, 1, 64),
    timeoutMs: integerFromEnv(env, 'SEVDRILL_VALIDATE_TIMEOUT_MS', 5000, 1, 600_000),
    // Loading the validator alone takes about 12 MB of old generation; below 32 little else would fit.
    maxOldGenerationMb: integerFromEnv(env, 'SEVDRILL_VALIDATE_MEMORY_MB', 256, 32, 16_384),
    maxQueue: integerFromEnv(env, 'SEVDRILL_VALIDATE_QUEUE', 16, 0, 10_000),
  };
}

function integerFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}
