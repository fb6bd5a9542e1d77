import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'shopify-app',
    include: ['src/**/*.test.ts'],
    passWithNoTests: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // As every app process runs (ops/v8-flags.ts): without V8's Maglev tier, which sometimes gave a fitted model the
    // log-likelihood of a later fit (fit-off-thread.test.ts failed in 9 of 18 runs with identical inputs).
    execArgv: ['--no-maglev'],
  },
});
