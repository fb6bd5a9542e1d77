import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The CLI's report bundle: one classic script (IIFE) and one stylesheet, both inlined by `clvlens report --html`.
export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    minify: true,
    lib: {
      entry: fileURLToPath(new URL('src/report-charts.ts', import.meta.url)),
      name: 'ClvlensChartsBundle',
      formats: ['iife'],
      fileName: () => 'report-charts.js',
      cssFileName: 'report-charts',
    },
  },
});
