import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
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
 * A browser module from a .ts file (the client, the catalog) with its type annotations erased by Node's own `stripTypeScriptTypes` (the
 * same erasure Node applies when it runs our .ts files), so the client is type-checked with the package and needs
 * no bundler. Node flags that function experimental: its one-time warning is muted here, only for this call.
 */
function stripTypes(path: string): string {
  const source = readFileSync(path, 'utf8');
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

/**
 * The message catalog's modules (`@clvlens/core/i18n`, self-contained and dependency-free) by request path under
 * {@link DASHBOARD_ASSET_PATHS.i18nDir}, types erased: the browser follows their relative `./x.ts` imports itself.
 */
function catalogModules(): [string, DashboardAsset][] {
  const entry = fileURLToPath(import.meta.resolve('@clvlens/core/i18n'));
  const dir = dirname(entry);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => [
      `${DASHBOARD_ASSET_PATHS.i18nDir}${file.split(sep).join('/')}`,
      { contentType: 'text/javascript; charset=utf-8', body: stripTypes(join(dir, file)) },
    ]);
}

/** The dashboard's static files by request path: the client script, the message catalog and uPlot (JS and CSS). */
export function createDashboardAssets(): ReadonlyMap<string, DashboardAsset> {
  const require = createRequire(import.meta.url);
  const uplot = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
  return new Map<string, DashboardAsset>([
    [DASHBOARD_ASSET_PATHS.script, { contentType: 'text/javascript; charset=utf-8', body: stripTypes(fileURLToPath(new URL('./client.ts', import.meta.url))) }],
    // The VIP card (vip-card.ts), imported by the client at its own path.
    [
      DASHBOARD_ASSET_PATHS.vipCard,
      { contentType: 'text/javascript; charset=utf-8', body: stripTypes(fileURLToPath(new URL('./vip-card.ts', import.meta.url))) },
    ],
    ...catalogModules(),
    [DASHBOARD_ASSET_PATHS.uplotScript, { contentType: 'text/javascript; charset=utf-8', body: uplot('uPlot.iife.min.js') }],
    [DASHBOARD_ASSET_PATHS.uplotCss, { contentType: 'text/css; charset=utf-8', body: uplot('uPlot.min.css') }],
  ]);
}
