// Worker entry for drill reports (reports.ts). Workers do not inherit the main thread's TypeScript
// loader, so tsx is registered here: its CommonJS hook, not its ESM one, which would start a loader
// thread (one more V8 isolate, ~10 MB) beside the worker.
import { readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';

// Below the main thread, whose event loop runs every drill's ticks, before anything else: when the
// cores are busy the scheduler then gives them to the ticks first, and a report just takes longer.
// First, because starting costs as much as a job: registering tsx and loading the engine take this
// thread ~0.6 s of CPU (measured), which at the main thread's priority would be taken from the ticks
// (and threads started from here, such as esbuild's, inherit the priority). On Linux a thread's own
// id (from /proc/thread-self) names that thread alone; elsewhere this does nothing.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, 19);
} catch {
  // Not Linux, or not permitted: the normal priority.
}

const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
require('./report-worker.ts');
