/// <reference lib="dom" />
/**
 * End-to-end: the built extension in real headless Chromium, on fixture pages served as https://admin.shopify.com,
 * talking to the app's API v1 over HTTP. Pairing through the options page, badges on list and detail pages, rows
 * added later, client-side navigation, order pages, popup contents, on-demand delta sync, and disconnect clearing the
 * cache. Screenshots go to test-results/extension/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerAdminUrl } from '@clvlens/extension';
import { createFakeAppApi, type FakeAppApi } from '@clvlens/extension/testing';
import type { CustomerInsightV1 } from '@clvlens/core';
import type { AdminFixtureData } from './admin-fixture.ts';
import { EXTENSION_DIR, launchWithExtension, SCREENSHOT_DIR, type ExtensionBrowser } from './browser.ts';
import {
  badgeFor,
  badgeRisk,
  cardChance,
  compactMoney,
  countBadges,
  poll,
  money as moneyIn,
  pct,
  pct1,
  shot,
  swCustomerCount as swCount,
} from './e2e-helpers.ts';
import { loadCdnowFixture, type CdnowFixture } from './cdnow-fixture.ts';
import { serveAdminFixture, serveFetchHandler, type RunningServer } from './servers.ts';

const XSS_NAME = '<img src=x onerror=alert(1)>';
const PAIRING_CODE = 'E2E-PAIR-1';

let fixture: CdnowFixture;
let api: FakeAppApi;
let apiServer: RunningServer;
let adminServer: RunningServer;
let browser: ExtensionBrowser;
let admin: Page;
const byId = new Map<string, CustomerInsightV1>();

const money = (cents: number) => moneyIn(cents, 'USD');
const swCustomerCount = () => swCount(browser);
/** A changed record for customer 1 whose badge reads differently: high risk with the given chance. */
const riskier = (churnProbability: number, updatedAtMs: number): CustomerInsightV1 => ({
  ...byId.get('1')!,
  newCustomer: false,
  churnTier: 'high',
  churnProbability,
  updatedAtMs,
});

function adminData(): AdminFixtureData {
  const name = (id: string) => (id === '3' ? XSS_NAME : `Customer ${id}`);
  const listed = fixture.customers.slice(0, 20).map((c) => ({ id: c.customerId, name: name(c.customerId), orders: c.orderCount }));
  listed.push({ id: '999999', name: 'Brand-new customer', orders: 0 });
  const orders = [...fixture.orders].slice(0, 12).map(([id, customerId], i) => ({
    id,
    customerId,
    customerName: name(customerId),
    totalCents: 1000 + i,
    linkCustomer: i === 2,
  }));
  orders.push({ id: '999999', customerId: null as unknown as string, customerName: 'Guest', totalCents: 500, linkCustomer: false });
  return {
    storeHandle: fixture.storeHandle,
    customers: listed,
    lateCustomers: fixture.customers.slice(20, 22).map((c) => ({ id: c.customerId, name: name(c.customerId), orders: c.orderCount })),
    orders,
  };
}

describe('extension in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    fixture = loadCdnowFixture();
    for (const c of fixture.customers) byId.set(c.customerId, c);
    api = createFakeAppApi({
      shopDomain: fixture.shopDomain,
      storeHandle: fixture.storeHandle,
      summary: fixture.summary,
      customers: fixture.customers,
      orders: fixture.orders,
      pairingCodes: [PAIRING_CODE],
      maxPageSize: 500,
    });
    apiServer = await serveFetchHandler((req) => api.fetch(req));
    adminServer = await serveAdminFixture(adminData());
    browser = await launchWithExtension({ adminPort: adminServer.port });
    admin = await browser.context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await apiServer?.close();
    await adminServer?.close();
  });

  it('pairs through the options page and syncs the whole feed', async () => {
    const options = await browser.context.newPage();
    await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
    await options.locator('input[name="appUrl"]').fill(apiServer.url);
    await options.locator('input[name="code"]').fill(PAIRING_CODE);
    await options.locator('[data-testid="connect"]').click();
    await poll(() => options.locator('[data-testid="message"]').textContent()).toContain(`Connected to ${fixture.shopDomain}`);
    await expect.poll(() => options.locator('[data-testid="shop-sync"]').textContent(), { timeout: 20_000 }).toMatch(/^synced/);
    expect(await options.locator('[data-testid="shop-cached"]').textContent()).toBe(fixture.customers.length.toLocaleString('en-US'));
    expect(await swCustomerCount()).toBe(fixture.customers.length);
    // The feed was read page by page from the start, with the cursor.
    const feed = api.requests.filter((r) => r.startsWith('GET /api/v1/customers'));
    expect(feed.length).toBe(Math.ceil(fixture.customers.length / 500));
    expect(feed[1]).toContain('since=500');
    await shot(options, 'options-connected');
    await options.close();
  });

  it('refuses a non-loopback http:// app URL on the options page with a clear error, and stores nothing', async () => {
    const stored = async () => {
      const sw = await browser.serviceWorker();
      return sw.evaluate(async () => ({
        local: await (
          globalThis as unknown as { chrome: { storage: { local: { get(keys: null): Promise<Record<string, unknown>> } } } }
        ).chrome.storage.local.get(null),
        shops: await new Promise<unknown[]>((resolve, reject) => {
          const open = indexedDB.open('clvlens');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const req = open.result.transaction('shops').objectStore('shops').getAllKeys();
            req.onsuccess = () => {
              resolve(req.result as unknown[]);
              open.result.close();
            };
            req.onerror = () => reject(req.error);
          };
        }),
      }));
    };
    const before = await stored();
    expect(before.shops).toEqual([fixture.shopDomain]);
    const requests = api.requests.length;
    const options = await browser.context.newPage();
    await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
    await options.locator('input[name="appUrl"]').fill(apiServer.url.replace('127.0.0.1', 'clvlens.example.com'));
    await options.locator('input[name="code"]').fill(PAIRING_CODE);
    await options.locator('[data-testid="connect"]').click();
    await poll(() => options.locator('[data-testid="message"]').textContent()).toContain('The app address must start with https://');
    expect(await stored()).toEqual(before);
    expect(api.requests.length).toBe(requests);
    await options.close();
  });

  it('badges every customer link on the customer list, from the cache, and nothing else', async () => {
    await admin.goto(`https://admin.shopify.com/store/${fixture.storeHandle}/customers`);
    await poll(() => countBadges(admin, 'found')).toBeGreaterThanOrEqual(20);
    const c1 = byId.get('1')!;
    const b1 = await badgeFor(admin, `/store/${fixture.storeHandle}/customers/1`);
    expect(b1.state).toBe('found');
    expect(b1.tier).toBe(badgeRisk(c1));
    // The CDNOW fixture has no purchase model: no Predicted CLV part. Order count and historic CLV are off by default.
    expect(c1.predictedClvMinor).toBeNull();
    expect(b1).toMatchObject({ predicted: '', orders: '', clv: '' });
    // The absolute href with a query string counts too.
    const b2 = await badgeFor(admin, `https://admin.shopify.com/store/${fixture.storeHandle}/customers/2?tab=orders`);
    expect(b2.tier).toBe(badgeRisk(byId.get('2')!));
    // Different customers, different chances: each badge shows its own customer's numbers.
    expect(new Set(fixture.customers.slice(0, 20).map((c) => badgeRisk(c))).size).toBeGreaterThan(1);
    // Not in the cache: a quiet placeholder.
    expect((await badgeFor(admin, `/store/${fixture.storeHandle}/customers/999999`)).state).toBe('missing');
    // Navigation and index links carry no badge.
    for (const href of ['orders', 'customers', 'products', 'customers?segment=all']) {
      expect((await badgeFor(admin, `/store/${fixture.storeHandle}/${href}`)).state).toBeNull();
    }
    // Badges sit on the same line, right after their link.
    const box = await admin.evaluate(() => {
      const a = document.querySelector('a[href$="/customers/1"]')!;
      const ra = a.getBoundingClientRect();
      const rb = a.nextElementSibling!.getBoundingClientRect();
      return { sameLine: Math.abs(ra.top + ra.height / 2 - (rb.top + rb.height / 2)) < 8, after: rb.left >= ra.right - 1 };
    });
    expect(box).toEqual({ sameLine: true, after: true });
    // A customer named like an HTML tag stays text; nothing ran.
    expect(await admin.locator('a[href$="/customers/3"]').textContent()).toBe(XSS_NAME);
    expect(await admin.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    expect(await admin.evaluate(() => (window as unknown as { __alerts: string[] }).__alerts)).toEqual([]);
  });

  it('gives a web page that messages the extension by its id no data', async () => {
    // The admin page's own (main-world) script, not the content script: without externally_connectable the page has
    // no channel to the extension, and the background would drop a message from any sender but the extension itself.
    const answer = await admin.evaluate(
      async ({ id, storeHandle }) => {
        const runtime = (globalThis as unknown as { chrome?: { runtime?: { sendMessage?: (...args: unknown[]) => unknown } } }).chrome?.runtime;
        if (typeof runtime?.sendMessage !== 'function') return { channel: false, response: null, error: null };
        try {
          const response = await new Promise((resolve, reject) => {
            try {
              runtime.sendMessage!(id, { type: 'customers.lookup', storeHandle, customerIds: ['1'] }, (r: unknown) => resolve(r ?? null));
            } catch (error) {
              reject(error);
            }
            setTimeout(() => resolve('no answer in 3 s'), 3000);
          });
          return { channel: true, response: JSON.stringify(response), error: null };
        } catch (error) {
          return { channel: true, response: null, error: String(error) };
        }
      },
      { id: browser.extensionId, storeHandle: fixture.storeHandle },
    );
    // Chromium gives the page no channel at all (the built manifest declares no externally_connectable).
    expect(answer).toEqual({ channel: false, response: null, error: null });
    expect(JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8'))).not.toHaveProperty('externally_connectable');
    // The same request from the extension's own content script does get the customer (the badges above).
    expect((await badgeFor(admin, `/store/${fixture.storeHandle}/customers/1`)).state).toBe('found');
  });

  it('explains a badge on keyboard focus, with an accessible label', async () => {
    const badge = admin.locator('clvlens-badge .badge[data-state="found"]').first();
    await badge.focus();
    await poll(() => badge.locator('.tip').isVisible()).toBe(true);
    expect(await badge.getAttribute('aria-label')).toMatch(
      /^CLV Lens: ((Low|Medium|High) risk (<1|>99|\d+)%|New customer), (<1|>99|\d+)% chance of no order in the next 90 days\. Predicted CLV \(12 months\): (No model yet|\$[\d,.]+)\.$/,
    );
    expect(await badge.getAttribute('tabindex')).toBe('0');
    await shot(admin, 'customers-list');
  });

  it('badges rows that load later', async () => {
    const late = fixture.customers[20]!;
    await poll(async () => (await badgeFor(admin, `/store/${fixture.storeHandle}/customers/${late.customerId}`)).state).toBe('found');
    await admin.evaluate((c) => (window as unknown as { __addCustomerRows: (r: unknown[]) => void }).__addCustomerRows([c]), {
      id: fixture.customers[30]!.customerId,
      name: 'Added by script',
      orders: 1,
    });
    await poll(async () => (await badgeFor(admin, `/store/${fixture.storeHandle}/customers/${fixture.customers[30]!.customerId}`)).tier).toBe(
      badgeRisk(fixture.customers[30]!),
    );
  });

  it('shows the customer card after client-side navigation to a customer page', async () => {
    const c = byId.get('6')!;
    await admin.locator(`a[href="/store/${fixture.storeHandle}/customers/6"]`).click();
    await admin.waitForURL(`**/customers/6`);
    const card = admin.locator('clvlens-card[data-state="found"]');
    await poll(() => card.count()).toBe(1);
    const text = (await card.locator('.card').textContent()) ?? '';
    expect(text).toContain(money(c.historicClvMinor));
    expect(text).toContain(money(c.averageOrderValueMinor));
    expect(text).toContain(cardChance(c));
    expect(text).toContain('No model yet');
    // The card's own reasons (not the app's English churnReasons), from the same days as the rest of the card.
    expect(text).toContain(`last order ${c.daysSinceLastOrder} days ago, within this customer’s usual gap`);
    expect(text).toContain(`${c.orderCount} orders, usually `);
    expect(text).toContain('Champions');
    expect(await card.locator('svg.sparkline circle').count()).toBe(c.orderHistory.length);
    // The card follows the page header; no full reload happened (the late-row timer's list is gone).
    expect(await admin.evaluate(() => document.querySelector('clvlens-card')?.previousElementSibling?.tagName)).toBe('H1');
    expect(await admin.evaluate(() => document.querySelectorAll('clvlens-badge').length)).toBe(0);
    await shot(admin, 'customer-detail');
  });

  it('badges the order list by each order customer, and cards an order page', async () => {
    await admin.locator(`nav a[href="/store/${fixture.storeHandle}/orders"]`).click();
    await admin.waitForURL('**/orders');
    const [firstOrderId, firstCustomerId] = [...fixture.orders][0]!;
    await poll(async () => (await badgeFor(admin, `/store/${fixture.storeHandle}/orders/${firstOrderId}`)).state).toBe('found');
    expect((await badgeFor(admin, `/store/${fixture.storeHandle}/orders/${firstOrderId}`)).tier).toBe(badgeRisk(byId.get(firstCustomerId)!));
    expect((await badgeFor(admin, `/store/${fixture.storeHandle}/orders/999999`)).state).toBe('missing');
    // The third row links its customer: that link is badged, the order link is not.
    const [thirdOrderId, thirdCustomerId] = [...fixture.orders][2]!;
    expect((await badgeFor(admin, `/store/${fixture.storeHandle}/orders/${thirdOrderId}`)).state).toBeNull();
    expect((await badgeFor(admin, `/store/${fixture.storeHandle}/customers/${thirdCustomerId}`)).state).toBe('found');
    expect(api.requests.filter((r) => r.includes('/api/v1/orders/')).length).toBe(12);
    await shot(admin, 'orders-list');

    await admin.locator(`a[href="/store/${fixture.storeHandle}/orders/${firstOrderId}"]`).click();
    await admin.waitForURL(`**/orders/${firstOrderId}`);
    const card = admin.locator('clvlens-card[data-state="found"]');
    await poll(() => card.count()).toBe(1);
    expect(await card.locator('.card').textContent()).toContain(money(byId.get(firstCustomerId)!.historicClvMinor));
    // The mapping came from the cache: no new order request.
    expect(api.requests.filter((r) => r.includes('/api/v1/orders/')).length).toBe(12);
    await shot(admin, 'order-detail');
  });

  it('shows the shop at a glance in the popup, and syncs on demand', async () => {
    const popup = await browser.context.newPage();
    await popup.setViewportSize({ width: 360, height: 600 });
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    const s = fixture.summary;
    await poll(() => popup.locator('[data-testid="repeat-rate"]').textContent()).toBe(pct1(s.repeatPurchaseRate.value));
    expect(await popup.locator('[data-testid="connection"]').textContent()).toContain(fixture.shopDomain);
    expect(await popup.locator('[data-testid="average-clv"]').textContent()).toBe(money(s.averageClvMinor));
    expect(await popup.locator('[data-testid="churn"]').textContent()).toBe(`${pct(s.churn.d30)} / ${pct(s.churn.d60)} / ${pct(s.churn.d90)}`);
    expect(await popup.locator('[data-testid="last-sync"]').textContent()).toMatch(/Last sync: (just now|\d+ min ago)/);
    await poll(() => popup.locator('.uplot canvas').count()).toBe(1);
    const links = await popup.locator('[data-testid="at-risk"] a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(s.topAtRisk.slice(0, 5).map((c) => customerAdminUrl(fixture.storeHandle, c.customerId)));
    await shot(popup, 'popup');

    // No badges on screen, so no freshness polls: the feed GET below can only come from the click.
    await admin.goto(`https://admin.shopify.com/store/${fixture.storeHandle}/products`);
    await admin.waitForTimeout(300);
    const idle = api.requests.length;
    api.upsertCustomer(riskier(0.42, fixture.asOfMs + 1));
    await admin.waitForTimeout(3500);
    expect(api.requests.length).toBe(idle);
    const before = api.requests.length;
    await popup.locator('[data-testid="sync-now"]').click();
    await poll(() => api.requests.slice(before).some((r) => r.startsWith('GET /api/v1/customers?'))).toBe(true);
    await poll(() => popup.locator('[data-testid="sync-now"]').textContent()).toBe('Sync now');
    expect(api.requests.slice(before).find((r) => r.startsWith('GET /api/v1/customers?'))).toContain(`since=${fixture.customers.length}`);
    await popup.close();
    await admin.goto(`https://admin.shopify.com/store/${fixture.storeHandle}/customers`);
    await poll(async () => (await badgeFor(admin, `/store/${fixture.storeHandle}/customers/1`)).tier).toBe('High risk 42%');
  });

  it('keeps visible badges fresh by itself: one cheap feed poll every few seconds, none without badges', async () => {
    const feedGets = () => api.requests.filter((r) => r.startsWith('GET /api/v1/customers?'));
    await admin.goto(`https://admin.shopify.com/store/${fixture.storeHandle}/customers`);
    await poll(() => countBadges(admin, 'found')).toBeGreaterThan(0);
    const href = `/store/${fixture.storeHandle}/customers/1`;
    const shown = (await badgeFor(admin, href)).tier;
    let before = feedGets().length;
    await admin.waitForTimeout(6500);
    const polls = feedGets().slice(before);
    // 3 s cadence: two or three delta checks in 6.5 s, each from the cursor, and nothing else when nothing changed.
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls.length).toBeLessThanOrEqual(3);
    expect(new Set(polls.map((r) => new URL(r.slice(4), 'http://x').searchParams.get('since'))).size).toBe(1);

    api.upsertCustomer(riskier(0.77, fixture.asOfMs + 2));
    const started = Date.now();
    await expect.poll(async () => (await badgeFor(admin, href)).tier, { timeout: 5000, interval: 50 }).toBe('High risk 77%');
    expect(shown).toBe('High risk 42%');
    console.info(`extension e2e (fake API): badge moved ${Date.now() - started} ms after the feed changed`);

    // MV3 stops idle workers (and may stop busy ones): the next poll wakes a new worker, which has no change log, so
    // the page re-reads what it shows, and later changes flow as before.
    const oldWorker = await browser.serviceWorker();
    await oldWorker.evaluate(() => void ((globalThis as unknown as { __e2eMark: number }).__e2eMark = 1));
    const cdp = await browser.context.newCDPSession(admin);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await cdp.detach();
    api.upsertCustomer(riskier(0.78, fixture.asOfMs + 3));
    const restarted = Date.now();
    await expect.poll(async () => (await badgeFor(admin, href)).tier, { timeout: 5000, interval: 50 }).toBe('High risk 78%');
    // It really was a new worker: the mark left on the old one is gone.
    expect(await (await browser.serviceWorker()).evaluate(() => (globalThis as unknown as { __e2eMark?: number }).__e2eMark ?? null)).toBeNull();
    console.info(`extension e2e (fake API): after the worker was stopped, badge moved ${Date.now() - restarted} ms after the feed changed`);

    // A page without badges asks for nothing: the service worker may sleep.
    await admin.goto(`https://admin.shopify.com/store/${fixture.storeHandle}/products`);
    expect(await countBadges(admin, 'found')).toBe(0);
    await admin.waitForTimeout(300);
    before = feedGets().length;
    await admin.waitForTimeout(4000);
    expect(feedGets().length).toBe(before);
  }, 30_000);

  it('applies the badge settings chosen on the options page', async () => {
    const options = await browser.context.newPage();
    await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
    // Off by default (settings v2): the admin's own columns show them. Turned on here, the risk part off.
    expect(await options.locator('input[name="historicClv"]').isChecked()).toBe(false);
    expect(await options.locator('input[name="orderCount"]').isChecked()).toBe(false);
    await options.locator('input[name="historicClv"]').check();
    await options.locator('input[name="orderCount"]').check();
    await options.locator('input[name="churnTier"]').uncheck();
    await options.locator('input[name="showDetailCard"]').uncheck();
    // Saved in the background: a fresh options page reads them back.
    await poll(async () => {
      await options.reload();
      return options.locator('input[name="showDetailCard"]').isChecked();
    }).toBe(false);
    expect(await options.locator('input[name="historicClv"]').isChecked()).toBe(true);
    expect(await options.locator('input[name="orderCount"]').isChecked()).toBe(true);
    expect(await options.locator('input[name="churnTier"]').isChecked()).toBe(false);
    await options.close();
    await admin.goto(`https://admin.shopify.com/store/${fixture.storeHandle}/customers`);
    // Customer 2 was never changed: its badge shows the API's order count and historic CLV.
    const c2 = byId.get('2')!;
    const href2 = `https://admin.shopify.com/store/${fixture.storeHandle}/customers/2?tab=orders`;
    await poll(async () => (await badgeFor(admin, href2)).orders).toBe(`${c2.orderCount} order${c2.orderCount === 1 ? '' : 's'}`);
    const b2 = await badgeFor(admin, href2);
    expect(b2.clv).toBe(compactMoney(c2.historicClvMinor, 'USD'));
    expect(b2.tier).toBe('');
    expect(await admin.locator('clvlens-badge .tier').count()).toBe(0);
    await admin.locator(`a[href="/store/${fixture.storeHandle}/customers/6"]`).click();
    await admin.waitForURL('**/customers/6');
    await admin.waitForSelector('h1');
    await new Promise((r) => setTimeout(r, 300));
    expect(await admin.locator('clvlens-card').count()).toBe(0);
    const restore = await browser.context.newPage();
    await restore.goto(`chrome-extension://${browser.extensionId}/options.html`);
    await restore.locator('input[name="historicClv"]').uncheck();
    await restore.locator('input[name="orderCount"]').uncheck();
    await restore.locator('input[name="churnTier"]').check();
    await restore.locator('input[name="showDetailCard"]').check();
    await poll(async () => {
      await restore.reload();
      return restore.locator('input[name="showDetailCard"]').isChecked();
    }).toBe(true);
    await restore.close();
  });

  it('disconnect revokes the token and clears the cache; badges fall back to "not connected"', async () => {
    const options = await browser.context.newPage();
    await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
    await options.locator('[data-testid="disconnect"]').click();
    await poll(() => options.locator('[data-testid="no-shops"]').count()).toBe(1);
    expect(await options.locator('[data-testid="message"]').textContent()).toContain('cleared its cached data');
    expect(api.tokens.size).toBe(0);
    expect(await swCustomerCount()).toBe(0);
    await shot(options, 'options-disconnected');
    await options.close();
    await admin.goto(`https://admin.shopify.com/store/${fixture.storeHandle}/customers`);
    await poll(() => countBadges(admin, 'not-connected')).toBeGreaterThanOrEqual(21);
    expect(await countBadges(admin, 'found')).toBe(0);
    await shot(admin, 'customers-list-disconnected');
  });
});
