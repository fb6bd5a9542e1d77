import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cli',
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    // As the app and the CLI run: without V8's Maglev tier (shopify-app/src/ops/v8-flags.ts says why).
    execArgv: ['--no-maglev'],
  },
});
