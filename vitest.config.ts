import { defineConfig } from 'vitest/config';

/**
 * Tests that hold the server to wall-clock bars (a drill's tick no more than 100 ms late under a flood,
 * beside parallel validations, or beside seeds being rated by difficulty) run last, one file at a time:
 * on a 2-core machine another test file running alongside (Chromium, a thousand drills being built) can
 * starve the process for hundreds of milliseconds, which would measure the test runner, not the server.
 */
const TIMED = [
  'test/server/abuse.test.ts',
  'test/server/limits.test.ts',
  'test/server/validate-pool.test.ts',
  'test/server/report-cache.test.ts',
  'test/server/difficulty-timing.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: TIMED, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'timed', include: TIMED, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
