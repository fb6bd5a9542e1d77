import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { DASHBOARD_BUILD_DIR } from './build-dir.ts';

// The embedded dashboard's browser bundle: client.ts with everything it imports (catalog, shared charts, Preact,
// uPlot and their stylesheets) as one ES module and one stylesheet, built once, never at request time.
export default defineConfig({
  // Only the bundle: the app's server code and its env are nothing the browser needs.
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: false,
  build: {
    outDir: DASHBOARD_BUILD_DIR,
    emptyOutDir: true,
    minify: true,
    sourcemap: true,
    lib: {
      entry: fileURLToPath(new URL('client.ts', import.meta.url)),
      formats: ['es'],
      fileName: () => 'dashboard.js',
      cssFileName: 'dashboard',
    },
  },
});
