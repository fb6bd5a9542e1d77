import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'test',
    include: ['src/**/*.test.ts'],
    passWithNoTests: true,
    testTimeout: 60_000,
  },
});
