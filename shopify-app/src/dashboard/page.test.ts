import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createDashboardAssets } from './assets.ts';
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
    // The only scripts are App Bridge, uPlot and our client, all by URL.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => !m[1]!.includes('importmap'));
    expect(scripts.map((m) => /src="([^"]+)"/.exec(m[1]!)?.[1])).toEqual([
      'https://cdn.shopify.com/shopifycloud/app-bridge.js',
      DASHBOARD_ASSET_PATHS.uplotScript,
      DASHBOARD_ASSET_PATHS.script,
    ]);
    expect(scripts.every((m) => m[2] === '')).toBe(true);
    expect(html).toContain('id="clvlens-dashboard"');
    // The catalog reaches the client through an import map, by URL.
    expect(html).toContain('<script type="importmap">{"imports":{"@clvlens/core/i18n":"/app/assets/i18n/i18n.ts"}}</script>');
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
  it('serves the client as plain JavaScript that loads as a module, and uPlot from node_modules', async () => {
    const assets = createDashboardAssets();
    const script = assets.get(DASHBOARD_ASSET_PATHS.script)!;
    expect(script.contentType).toMatch(/^text\/javascript/);
    expect(script.body).not.toMatch(/import type/);
    const dir = mkdtempSync(join(tmpdir(), 'clvlens-client-'));
    try {
      const file = join(dir, 'dashboard.mjs');
      writeFileSync(file, script.body);
      // The client's one runtime import beside it (the VIP card), types erased too.
      const vipCard = assets.get(DASHBOARD_ASSET_PATHS.vipCard)!;
      expect(vipCard.body).not.toMatch(/import type/);
      writeFileSync(join(dir, 'vip-card.ts'), vipCard.body);
      // No document in Node: the module loads without starting, and exposes its renderer.
      const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      expect(typeof mod.startDashboard).toBe('function');
      expect(typeof mod.renderMetrics).toBe('function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The catalog's modules, types erased, under the import map's folder.
    const entry = assets.get(DASHBOARD_ASSET_PATHS.i18nEntry)!;
    expect(entry.body).toContain("from './translator.ts'");
    expect(entry.body).not.toMatch(/export type/);
    expect(assets.get(`${DASHBOARD_ASSET_PATHS.i18nDir}messages/ar.ts`)!.body).toContain('بطاقة الأداء');
    expect([...assets.keys()].some((k) => k.endsWith('.test.ts'))).toBe(false);
    expect(assets.get(DASHBOARD_ASSET_PATHS.uplotScript)!.body).toContain('uPlot');
    expect(assets.get(DASHBOARD_ASSET_PATHS.uplotCss)!.contentType).toMatch(/^text\/css/);
  });
});
