import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'test',
    include: ['src/**/*.test.ts'],
    passWithNoTests: true,
    testTimeout: 60_000,
    // As every app process runs (shopify-app/src/ops/v8-flags.ts), and as the other packages' tests run: Maglev off
    // from the start. Without it, createApp turns the flag off at run time inside a worker that has already compiled
    // code, a state no shipped process is ever in.
    execArgv: ['--no-maglev'],
  },
});
