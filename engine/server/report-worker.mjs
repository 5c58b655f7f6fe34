// Worker entry for drill reports (reports.ts). Workers do not inherit the main thread's TypeScript
// loader, so tsx is registered here: its CommonJS hook, not its ESM one, which would start a loader
// thread (one more V8 isolate, ~10 MB) beside the worker.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
require('./report-worker.ts');
