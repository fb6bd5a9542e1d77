import { defineConfig } from 'vitest/config';

// One project per package; each keeps its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['core', 'core/cli', 'core/ui', 'shopify-app', 'extension', 'test'],
  },
});
