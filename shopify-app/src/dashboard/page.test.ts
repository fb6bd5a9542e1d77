import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createDashboardAssets } from './assets.ts';
import { DASHBOARD_ASSET_PATHS, renderDashboardPage } from './page.ts';

describe('renderDashboardPage', () => {
  it('explains where to open the app when opened outside Shopify, without App Bridge or the client', () => {
    const html = renderDashboardPage({ apiKey: 'key', shop: null });
    expect(html).toContain('runs inside the Shopify admin');
    expect(html).toContain('Apps → CLV Lens');
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
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => /src="([^"]+)"/.exec(m[1]!)?.[1])).toEqual([
      'https://cdn.shopify.com/shopifycloud/app-bridge.js',
      DASHBOARD_ASSET_PATHS.uplotScript,
      DASHBOARD_ASSET_PATHS.script,
    ]);
    expect(scripts.every((m) => m[2] === '')).toBe(true);
    expect(html).toContain('id="clvlens-dashboard"');
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
      // No document in Node: the module loads without starting, and exposes its renderer.
      const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      expect(typeof mod.startDashboard).toBe('function');
      expect(typeof mod.renderMetrics).toBe('function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(assets.get(DASHBOARD_ASSET_PATHS.uplotScript)!.body).toContain('uPlot');
    expect(assets.get(DASHBOARD_ASSET_PATHS.uplotCss)!.contentType).toMatch(/^text\/css/);
  });
});
