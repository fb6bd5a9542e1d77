import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'shopify-app',
    include: ['src/**/*.test.ts'],
    passWithNoTests: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
