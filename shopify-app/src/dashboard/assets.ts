import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_BUILD_COMMAND, DASHBOARD_BUILD_DIR } from './build-dir.ts';
import { DASHBOARD_ASSET_PATHS } from './page.ts';

/** A static file of the dashboard. */
export interface DashboardAsset {
  contentType: string;
  body: string;
}

/** What the dashboard says, in the browser console and in its frame, when the app runs without a built dashboard. */
export const DASHBOARD_NOT_BUILT = `The CLV Lens dashboard is not built. Run \`${DASHBOARD_BUILD_COMMAND}\` (pnpm start and pnpm test run it), then restart the app.`;

/** Stands in for the bundle when it is missing: says so where the dashboard would be, as text. */
const NOT_BUILT_SCRIPT = `const message = ${JSON.stringify(DASHBOARD_NOT_BUILT)};
console.error(message);
const root = document.getElementById('clvlens-dashboard');
if (root) {
  const p = document.createElement('p');
  p.className = 'banner';
  p.setAttribute('data-tone', 'critical');
  p.setAttribute('role', 'alert');
  p.id = 'dashboard-not-built';
  p.textContent = message;
  root.removeAttribute('aria-busy');
  root.replaceChildren(p);
}
`;

/**
 * The dashboard's static files by request path, read once from the Vite build in `dir` (the client bundle with the
 * catalog, the shared charts and uPlot; its stylesheet; its source map). Nothing is compiled at request time. Without a
 * build the script path answers with {@link DASHBOARD_NOT_BUILT}, shown in the page.
 */
export function createDashboardAssets(dir = DASHBOARD_BUILD_DIR): ReadonlyMap<string, DashboardAsset> {
  const file = (name: string) => join(dir, name);
  if (!existsSync(file('dashboard.js'))) {
    return new Map([
      [DASHBOARD_ASSET_PATHS.script, { contentType: 'text/javascript; charset=utf-8', body: NOT_BUILT_SCRIPT }],
      [DASHBOARD_ASSET_PATHS.css, { contentType: 'text/css; charset=utf-8', body: '' }],
    ]);
  }
  const assets = new Map<string, DashboardAsset>([
    [DASHBOARD_ASSET_PATHS.script, { contentType: 'text/javascript; charset=utf-8', body: readFileSync(file('dashboard.js'), 'utf8') }],
    [DASHBOARD_ASSET_PATHS.css, { contentType: 'text/css; charset=utf-8', body: readFileSync(file('dashboard.css'), 'utf8') }],
  ]);
  if (existsSync(file('dashboard.js.map')))
    assets.set(`${DASHBOARD_ASSET_PATHS.script}.map`, { contentType: 'application/json; charset=utf-8', body: readFileSync(file('dashboard.js.map'), 'utf8') });
  return assets;
}
