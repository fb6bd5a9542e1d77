import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as nodeModule from 'node:module';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_ASSET_PATHS } from './page.ts';

/** A static file of the dashboard. */
export interface DashboardAsset {
  contentType: string;
  body: string;
}

type StripTypes = (code: string, options?: { mode?: 'strip' | 'transform' }) => string;

/**
 * The browser script, from `client.ts` with its type annotations erased by Node's own `stripTypeScriptTypes` (the
 * same erasure Node applies when it runs our .ts files), so the client is type-checked with the package and needs
 * no bundler. Node flags that function experimental: its one-time warning is muted here, only for this call.
 */
function clientScript(): string {
  const source = readFileSync(fileURLToPath(new URL('./client.ts', import.meta.url)), 'utf8');
  const strip = (nodeModule as unknown as { stripTypeScriptTypes: StripTypes }).stripTypeScriptTypes;
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.includes('stripTypeScriptTypes')) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return strip(source, { mode: 'strip' });
  } finally {
    process.emitWarning = emit;
  }
}

/** The dashboard's static files by request path: the client script and uPlot (JS and CSS) from node_modules. */
export function createDashboardAssets(): ReadonlyMap<string, DashboardAsset> {
  const require = createRequire(import.meta.url);
  const uplot = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
  return new Map<string, DashboardAsset>([
    [DASHBOARD_ASSET_PATHS.script, { contentType: 'text/javascript; charset=utf-8', body: clientScript() }],
    [DASHBOARD_ASSET_PATHS.uplotScript, { contentType: 'text/javascript; charset=utf-8', body: uplot('uPlot.iife.min.js') }],
    [DASHBOARD_ASSET_PATHS.uplotCss, { contentType: 'text/css; charset=utf-8', body: uplot('uPlot.min.css') }],
  ]);
}
