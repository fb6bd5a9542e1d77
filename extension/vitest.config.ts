import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

export default defineProject({
  // root: the extension folder, also when vitest runs from the workspace root.
  plugins: [WxtVitest({ root: fileURLToPath(new URL('.', import.meta.url)) })],
  test: {
    name: 'extension',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    setupFiles: ['fake-indexeddb/auto'],
    testTimeout: 60_000,
  },
});
