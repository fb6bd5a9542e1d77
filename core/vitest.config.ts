import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'core',
    include: ['src/**/*.test.ts'],
    // The churn tests fit whole shops with their backtest: a few seconds each on a loaded 2-core machine.
    testTimeout: 30_000,
    // As the app and the CLI run: without V8's Maglev tier (shopify-app/src/ops/v8-flags.ts says why).
    execArgv: ['--no-maglev'],
  },
});
