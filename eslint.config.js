import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'artifacts/', 'coverage/', 'scratch/', 'ui/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The UI talks to the server only through the documented protocol: of the engine it may import
    // nothing but the wire types.
    files: ['ui/src/**/*.ts'],
    languageOptions: { globals: { window: 'readonly', history: 'readonly', document: 'readonly', location: 'readonly', WebSocket: 'readonly', fetch: 'readonly', sessionStorage: 'readonly', localStorage: 'readonly', crypto: 'readonly', navigator: 'readonly', requestAnimationFrame: 'readonly', performance: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', HTMLElement: 'readonly' } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/engine/*', '!**/engine/protocol'], message: 'The UI imports only engine/protocol/.' }] }],
    },
  },
  {
    // The engine core, the contract and the scenario loader are pure: no I/O, no wall clock, no unseeded randomness.
    files: ['engine/core/**/*.ts', 'engine/protocol/**/*.ts', 'engine/integrations/**/*.ts', 'engine/scenario/**/*.ts'],
    ignores: ['engine/scenario/write-json-schema.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'ws', 'express', '*/server/*', '*/cli/*', '*/ui/*'] }],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use a seeded stream from engine/core/physics/rng.ts.' },
        { object: 'Date', property: 'now', message: 'Time is an input: use the simulated clock.' },
        { object: 'performance', property: 'now', message: 'Time is an input: use the simulated clock.' },
      ],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'Date', 'performance', 'process'],
    },
  },
  {
    // Layers point one way (test/core/layers.test.ts checks all of them): the core reads scenarios
    // and commands through the contract in engine/protocol, never through the loader or zod itself.
    files: ['engine/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'ws', 'express', 'zod', '*/server/*', '*/cli/*', '*/ui/*', '**/scenario/*', '**/score/*'] }],
    },
  },
  {
    files: ['engine/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../*', 'node:*'], message: 'engine/protocol is the contract: it imports nothing from the rest of the engine.' }] }],
    },
  },
);
