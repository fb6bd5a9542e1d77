import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';
import { describe, expect, it } from 'vitest';
import { createDashboardAssets, DASHBOARD_NOT_BUILT } from './assets.ts';
import { DASHBOARD_ASSET_PATHS, renderDashboardPage, renderRootPage } from './page.ts';

describe('renderDashboardPage', () => {
  it('explains where to open the app when opened outside Shopify, without App Bridge or the client', () => {
    const html = renderDashboardPage({ apiKey: 'key', shop: null });
    expect(html).toContain('runs inside the Shopify admin');
    expect(html).toContain('Apps → CLV Lens');
    // ...with a link to go there (issue 12).
    expect(html).toContain('<a class="button-link" href="https://admin.shopify.com/">Go to the Shopify admin</a>');
    expect(html).not.toContain('app-bridge.js');
    expect(html).not.toContain(DASHBOARD_ASSET_PATHS.script);
  });

  it('puts no shop data in the markup: the shop stays out and the API key is escaped', () => {
    const shop = 'evil-<img src=x onerror=alert(1)>.myshopify.com';
    const html = renderDashboardPage({ apiKey: '"><script>alert(1)</script>', shop });
    expect(html).not.toContain('evil');
    expect(html).not.toContain('<img');
    expect(html).toContain('content="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    // The only scripts are App Bridge and our client bundle, both by URL.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => /src="([^"]+)"/.exec(m[1]!)?.[1])).toEqual(['https://cdn.shopify.com/shopifycloud/app-bridge.js', DASHBOARD_ASSET_PATHS.script]);
    expect(scripts.every((m) => m[2] === '')).toBe(true);
    expect(html).toContain('id="clvlens-dashboard"');
    expect(html).toContain(`<link rel="stylesheet" href="${DASHBOARD_ASSET_PATHS.css}">`);
  });

  it('follows the admin locale: lang and dir on the page, right to left in Arabic, English otherwise', () => {
    expect(renderDashboardPage({ apiKey: 'k', shop: 's.myshopify.com', locale: 'ar' })).toContain('<html lang="ar" dir="rtl">');
    expect(renderDashboardPage({ apiKey: 'k', shop: 's.myshopify.com', locale: 'ko' })).toContain('<html lang="ko" dir="ltr">');
    expect(renderDashboardPage({ apiKey: 'k', shop: 's.myshopify.com' })).toContain('<html lang="en" dir="ltr">');
    expect(renderDashboardPage({ apiKey: 'k', shop: null, locale: 'ko' })).toContain('Shopify 관리자로 이동');
  });
});

describe('renderRootPage', () => {
  it('says what the app is, in words, with a link to the Shopify admin', () => {
    const html = renderRootPage('en');
    expect(html).toContain('This address is the app’s server');
    expect(html).toContain('href="https://admin.shopify.com/"');
    expect(renderRootPage('ar')).toContain('dir="rtl"');
  });
});

describe('createDashboardAssets', () => {
  it('serves the Vite build: one ES module with the catalog, the shared charts and uPlot, and its stylesheet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clvlens-dashboard-build-'));
    try {
      await build({
        configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)),
        logLevel: 'silent',
        build: { outDir: dir, sourcemap: false },
      });
      const assets = createDashboardAssets(dir);
      const script = assets.get(DASHBOARD_ASSET_PATHS.script)!;
      expect(script.contentType).toMatch(/^text\/javascript/);
      // Bundled: no bare imports left for the browser to resolve, no TypeScript.
      expect(script.body).not.toMatch(/\bfrom\s*["'](@clvlens|uplot|preact)/);
      expect(script.body).toContain('بطاقة الأداء');
      const css = assets.get(DASHBOARD_ASSET_PATHS.css)!;
      expect(css.contentType).toMatch(/^text\/css/);
      expect(css.body).toContain('.uplot');
      expect(css.body).toContain('.chart-legend');
      // No document in Node: the module loads without starting, and exposes its renderer.
      const file = join(dir, 'copy.mjs');
      writeFileSync(file, script.body);
      const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      expect(typeof mod.startDashboard).toBe('function');
      expect(typeof mod.renderMetrics).toBe('function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('without a build, answers the script path with a script that names the command to run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clvlens-dashboard-none-'));
    try {
      const script = createDashboardAssets(dir).get(DASHBOARD_ASSET_PATHS.script)!;
      expect(script.contentType).toMatch(/^text\/javascript/);
      expect(script.body).toContain(JSON.stringify(DASHBOARD_NOT_BUILT));
      expect(DASHBOARD_NOT_BUILT).toContain('pnpm --filter @clvlens/shopify-app run build:dashboard');
      expect(script.body).toContain('textContent = message');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
