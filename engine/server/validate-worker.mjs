// Worker entry for HTTP scenario validation: workers do not inherit the main thread's tsx hooks, so
// register tsx here, then load the TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
await import('./validate-worker.ts');
