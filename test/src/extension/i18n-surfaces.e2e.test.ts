/// <reference lib="dom" />
/**
 * Issue 12, "What the merchant reads", in the browser: every surface of the built extension (badges on the customer
 * and order lists, the card on a customer page and on an order page, the popup, the options page) in Chromium with
 * its UI language set to English, Korean and Arabic (`--lang`), screenshotted to
 * test-results/extension/<surface>-<lang>.png. Asserts the cases of the issue: a refunded order the admin still
 * counts is explained on the card; a customer who ordered yesterday is not "overdue" and the expected date, late mark
 * and risk agree; one CLV name per definition; names (read live, never stored) in the popup's at-risk list; chart
 * legends with values before any hover; lang/dir and a right-to-left layout in Arabic; badge clicks stay in the badge.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeAppApi, sampleInsight, sampleSummary, type FakeAppApi } from '@clvlens/extension/testing';
import { createTranslator, type Locale } from '@clvlens/core/i18n';
import type { CustomerInsightV1 } from '@clvlens/core';
import type { AdminFixtureData } from './admin-fixture.ts';
import { launchWithExtension, SCREENSHOT_DIR, type ExtensionBrowser } from './browser.ts';
import { poll, shot } from './e2e-helpers.ts';
import { serveAdminFixture, serveFetchHandler, type RunningServer } from './servers.ts';

const DAY = 86_400_000;
const NOW = Date.now();
const SHOP = 'i18n-demo.myshopify.com';
const HANDLE = 'i18n-demo';
const LOCALES: Locale[] = ['en', 'ko', 'ar'];
/**
 * The shop's time zone, sent in its summary: 13 or 14 hours ahead of UTC (the browser's zone here), so a date on the
 * card read in the browser's zone is a day off for half of every day.
 */
const SHOP_ZONE = 'Pacific/Auckland';
/** The calendar day of `ms` in the shop's zone, as a day number. */
const shopDay = (ms: number) =>
  Date.parse(new Intl.DateTimeFormat('en-CA', { timeZone: SHOP_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms)) / DAY;

/** Issue 12's customers. */
const REFUNDED = '7300000162568'; // 8 orders in the admin, one of them today and refunded in full: 7 counted
const YESTERDAY = '7300000162569'; // ordered yesterday, usual gap of a few days; the app's flag says overdue
const LOYAL_SILENT = '7300000162570'; // "Loyal" by RFM, 239 days silent, high risk
const NEW_A = '7300000162571'; // one order today, RFM "New"
const NEW_B = '7300000162572'; // one order today, RFM "Active"
const NAMES: Record<string, string> = {
  [REFUNDED]: 'Ada Lovelace',
  [YESTERDAY]: 'Grace Hopper',
  [LOYAL_SILENT]: 'Hedy Lamarr',
  [NEW_A]: 'Mary Jackson',
  [NEW_B]: 'Katherine Johnson',
};

function customers(): CustomerInsightV1[] {
  const refundedLast = NOW - 137 * DAY;
  const yLast = NOW - DAY;
  const silentLast = NOW - 239 * DAY;
  return [
    sampleInsight(REFUNDED, {
      orderCount: 7,
      historicClvMinor: 82_530,
      predictedClvMinor: 11_790,
      averageOrderValueMinor: 11_790,
      firstOrderAtMs: refundedLast - 6 * 45 * DAY,
      lastOrderAtMs: refundedLast,
      daysSinceLastOrder: 137,
      expectedNextOrderAtMs: refundedLast + 45 * DAY,
      overdue: true,
      churnProbability: 0.91,
      churnTier: 'high',
      rfmSegment: 'AT_RISK',
      notCountedOrders: [{ placedAtMs: NOW - 3600_000, reason: 'refunded' }],
      orderHistory: Array.from({ length: 7 }, (_, i) => ({ placedAtMs: refundedLast - (6 - i) * 45 * DAY, amountMinor: 11_000 + i * 300 })),
    }),
    sampleInsight(YESTERDAY, {
      orderCount: 5,
      historicClvMinor: 20_000,
      predictedClvMinor: 40_000,
      firstOrderAtMs: yLast - 8 * DAY,
      lastOrderAtMs: yLast,
      daysSinceLastOrder: 1,
      // The app's asOf is the end of the shop's day: its flag can say overdue for a date that is tomorrow here.
      expectedNextOrderAtMs: NOW + 0.6 * DAY,
      overdue: true,
      churnProbability: 0.08,
      churnTier: 'low',
      rfmSegment: 'CHAMPIONS',
      orderHistory: Array.from({ length: 5 }, (_, i) => ({ placedAtMs: yLast - (4 - i) * 2 * DAY, amountMinor: 4000 })),
    }),
    sampleInsight(LOYAL_SILENT, {
      orderCount: 4,
      historicClvMinor: 50_000,
      predictedClvMinor: 2_000,
      firstOrderAtMs: silentLast - 3 * 60 * DAY,
      lastOrderAtMs: silentLast,
      daysSinceLastOrder: 239,
      expectedNextOrderAtMs: silentLast + 60 * DAY,
      overdue: true,
      churnProbability: 0.95,
      churnTier: 'high',
      rfmSegment: 'LOYAL',
    }),
    ...[NEW_A, NEW_B].map((id, i) =>
      sampleInsight(id, {
        orderCount: 1,
        isRepeat: false,
        newCustomer: true,
        historicClvMinor: 3_900,
        predictedClvMinor: 6_000,
        firstOrderAtMs: NOW - 3600_000,
        lastOrderAtMs: NOW - 3600_000,
        daysSinceLastOrder: 0,
        expectedNextOrderAtMs: NOW + 40 * DAY,
        overdue: false,
        churnProbability: 0.7,
        churnTier: 'medium',
        rfmSegment: i === 0 ? 'NEW' : 'ACTIVE',
        orderHistory: [{ placedAtMs: NOW - 3600_000, amountMinor: 3_900 }],
      }),
    ),
  ];
}

function summary() {
  const weeks = 12;
  const start = NOW - weeks * 7 * DAY;
  const weekStartMs = Array.from({ length: weeks }, (_, i) => start + i * 7 * DAY);
  const d30 = weekStartMs.map((_, i) => 0.52 + 0.01 * Math.sin(i));
  const d60 = weekStartMs.map((_, i) => 0.41 + 0.008 * Math.cos(i));
  const d90 = weekStartMs.map((_, i) => 0.33 + 0.004 * i);
  return sampleSummary(SHOP, {
    asOfMs: NOW,
    timeZone: SHOP_ZONE,
    churn: { d30: d30.at(-1)!, d60: d60.at(-1)!, d90: d90.at(-1)! },
    averageClvMinor: 11_790,
    averagePredictedClvMinor: 9_956,
    churnTrend: { weekStartMs, d30, d60, d90 },
    topAtRisk: [
      { customerId: REFUNDED, historicClvMinor: 82_530, churnProbability: 0.91, churnTier: 'high', daysSinceLastOrder: 137 },
      { customerId: LOYAL_SILENT, historicClvMinor: 50_000, churnProbability: 0.95, churnTier: 'high', daysSinceLastOrder: 239 },
    ],
    // Issue 16: the week's count of valuable customers whose tier got worse.
    vipSlipping: { thisWeek: 3, lastWeek: 1, valueAtRiskMinor: 132_530, thresholdMinor: 40_000, topShare: 0.1 },
    // A large shop: its churn fit and backtest saw an even sample of its customers.
    churnBacktest: { ...sampleSummary(SHOP).churnBacktest!, sample: { customers: 250_000, ofCustomers: 1_270_400 } },
  });
}

const adminData = (): AdminFixtureData => ({
  storeHandle: HANDLE,
  customers: Object.entries(NAMES).map(([id, name]) => ({ id, name, orders: id === REFUNDED ? 8 : 1 })),
  lateCustomers: [],
  orders: [
    { id: '5001', customerId: YESTERDAY, customerName: NAMES[YESTERDAY]!, totalCents: 4000, linkCustomer: false },
    { id: '5002', customerId: REFUNDED, customerName: NAMES[REFUNDED]!, totalCents: 11_790, linkCustomer: false },
  ],
});

let api: FakeAppApi;
let apiServer: RunningServer;
let adminServer: RunningServer;

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  api = createFakeAppApi({
    shopDomain: SHOP,
    storeHandle: HANDLE,
    summary: summary(),
    customers: customers(),
    orders: new Map([
      ['5001', YESTERDAY],
      ['5002', REFUNDED],
    ]),
    pairingCodes: LOCALES.map((l) => `PAIR-${l.toUpperCase()}`),
    customerNames: NAMES,
  });
  apiServer = await serveFetchHandler((req) => api.fetch(req));
  adminServer = await serveAdminFixture(adminData());
}, 60_000);

afterAll(async () => {
  await apiServer?.close();
  await adminServer?.close();
});

/** The shadow-root text of the badge after the link to `path`. */
const badgeText = (page: Page, path: string) =>
  page.evaluate((p) => {
    // The fixture writes one row's link as an absolute URL with a query, as the admin does.
    const a = [...document.querySelectorAll('a[href]')].find((x) => new URL(x.getAttribute('href')!, location.href).pathname === p);
    const host = a?.nextElementSibling;
    if (host?.localName !== 'clvlens-badge' || host.getAttribute('data-state') !== 'found') return null;
    // What the badge shows (the tooltip is hidden until hover or focus).
    return [...host.shadowRoot!.querySelectorAll('.badge > :not(.tip)')].map((e) => e.textContent).join(' ');
  }, path);

/** A field of the card's shadow root. */
const card = (page: Page, selector: string, attr?: string) =>
  page.evaluate(
    ([s, a]) => {
      const host = document.querySelector('clvlens-card');
      const el = host?.shadowRoot?.querySelector(s!);
      if (!el) return null;
      return a ? el.getAttribute(a) : (el.textContent ?? '');
    },
    [selector, attr] as const,
  );

describe.each(LOCALES)('every surface in %s', (lang) => {
  const t = createTranslator(lang);
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    browser = await launchWithExtension({ adminPort: adminServer.port, lang, viewport: { width: 1100, height: 760 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('options: no pre-filled address; the pasted pairing link connects', async () => {
    const options = await browser.context.newPage();
    await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
    await poll(() => options.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([lang, t.dir]);
    expect(await options.locator('input[name="appUrl"]').inputValue()).toBe('');
    expect(await options.locator('input[name="pairLink"]').inputValue()).toBe('');
    await options.locator('input[name="pairLink"]').fill(`${apiServer.url}/pair?code=PAIR-${lang.toUpperCase()}`);
    await options.locator('[data-testid="connect"]').click();
    await poll(() => options.locator('[data-testid="message"]').textContent(), 20_000).toContain(SHOP);
    await poll(() => options.locator('[data-testid="shop-sync"]').textContent(), 20_000).toContain(t.t('ext.options.synced', { when: '' }).trim());
    expect(await options.locator('h2').first().textContent()).toBe(t.t('ext.options.connected'));
    await shot(options, `options-${lang}`);
    await options.close();
  }, 60_000);

  it('badges on the customer list: risk in words and Predicted CLV, not the admin’s columns; clicks stay in the badge', async () => {
    const admin = await browser.context.newPage();
    await admin.goto(`https://admin.shopify.com/store/${HANDLE}/customers`);
    const path = (id: string) => `/store/${HANDLE}/customers/${id}`;
    await poll(() => Promise.all(Object.keys(NAMES).map((id) => badgeText(admin, path(id)))).then((all) => all.every((x) => x !== null))).toBe(true);
    const refunded = (await badgeText(admin, path(REFUNDED)))!;
    expect(refunded).toContain(t.t('ext.badge.risk', { tier: 'high', chance: t.percent(0.91, 0) }));
    expect(refunded).toContain(t.t('ext.badge.predicted', { amount: '' }).trim());
    expect(refunded).not.toMatch(/\d×/);
    expect(refunded).not.toContain('Med ');
    // Two customers with one order today read the same.
    const a = (await badgeText(admin, path(NEW_A)))!;
    const b = (await badgeText(admin, path(NEW_B)))!;
    expect(a.startsWith(t.t('ext.badge.new'))).toBe(true);
    expect(b.startsWith(t.t('ext.badge.new'))).toBe(true);
    // The day-old customer is not late.
    expect(await badgeText(admin, path(YESTERDAY))).not.toContain(t.t('ext.badge.late', { days: 1 }));
    expect(await admin.evaluate(() => document.querySelector('clvlens-badge')?.shadowRoot?.querySelector('.badge')?.getAttribute('dir'))).toBe(t.dir);
    await admin.evaluate(() => window.scrollTo(0, 0));
    await shot(admin, `badges-list-${lang}`);
    // A click on the badge does not follow the row's link.
    await admin.locator('clvlens-badge .badge').first().click();
    await admin.waitForTimeout(200);
    expect(new URL(admin.url()).pathname).toBe(`/store/${HANDLE}/customers`);
    await admin.close();
  }, 60_000);

  it('card on a customer page: the refunded order the admin counts is explained; late agrees with high risk', async () => {
    const admin = await browser.context.newPage();
    await admin.goto(`https://admin.shopify.com/store/${HANDLE}/customers/${REFUNDED}`);
    await poll(() => card(admin, '.card', 'data-state')).toBe('found');
    expect(await card(admin, '.card', 'dir')).toBe(t.dir);
    expect(await card(admin, '.card', 'lang')).toBe(lang);
    expect(await card(admin, '[data-testid="stat-orders"] dd')).toBe(t.number(7));
    expect(await card(admin, '[data-testid="stat-since"] dd')).toBe(t.t('unit.days', { n: 137 }));
    const notCounted = (await card(admin, '[data-testid="not-counted"]'))!;
    expect(notCounted).toContain(t.t('ext.notCounted.refunded', { n: 1, dates: t.date(NOW - 3600_000, SHOP_ZONE) }));
    expect(notCounted).toContain(t.number(8));
    expect(await card(admin, '[data-testid="risk-pill"]')).toBe(t.t('tier.high'));
    expect(await card(admin, '[data-testid="late-pill"]')).toContain(t.t('ext.card.late', { days: 92 }));
    expect(await card(admin, '[data-testid="stat-predicted"] dt')).toBe(t.t('term.predictedClv'));
    expect(await card(admin, '[data-testid="stat-historic"] dt')).toBe(t.t('term.historicClv'));
    if (lang === 'ar') {
      // Right to left: the card's heading starts at the right edge.
      const edges = await admin.evaluate(() => {
        const root = document.querySelector('clvlens-card')!.shadowRoot!;
        const box = root.querySelector('.card')!.getBoundingClientRect();
        const h = root.querySelector('.card h2')!.getBoundingClientRect();
        return { cardRight: box.right, hRight: h.right, cardLeft: box.left, hLeft: h.left };
      });
      expect(edges.cardRight - edges.hRight).toBeLessThan(edges.hLeft - edges.cardLeft);
    }
    await shot(admin, `card-customer-${lang}`);
    await admin.close();
  }, 60_000);

  it('card on an order page: says whose it is; a customer who ordered yesterday is not overdue', async () => {
    const admin = await browser.context.newPage();
    await admin.goto(`https://admin.shopify.com/store/${HANDLE}/orders/5001`);
    await poll(() => card(admin, '.card', 'data-state')).toBe('found');
    await poll(() => card(admin, '[data-testid="card-whose"]')).toBe(t.t('ext.card.forOrderCustomer', { name: NAMES[YESTERDAY]! }));
    expect(await card(admin, '[data-testid="late-pill"]')).toBeNull();
    expect(await card(admin, '[data-testid="risk-pill"]')).toBe(t.t('tier.low'));
    const next = (await card(admin, '[data-testid="stat-next"] dd'))!;
    // In the shop's zone, as the admin shows it: tomorrow or still today there, depending on the hour.
    const due = NOW + 0.6 * DAY;
    const ahead = shopDay(due) - shopDay(Date.now());
    const date = t.date(due, SHOP_ZONE);
    expect(next).toBe(ahead === 0 ? t.t('ext.due.today', { date }) : t.t('ext.due.future', { date, days: ahead }));
    expect(await card(admin, '[data-testid="reasons"] li')).toBe(t.t('ext.reason.withinGap', { days: 1 }));
    await shot(admin, `card-order-${lang}`);
    await admin.close();
  }, 60_000);

  it('popup: names in the at-risk list, one CLV name per definition, chart legend with values before hover', async () => {
    const popup = await browser.context.newPage();
    await popup.setViewportSize({ width: 380, height: 760 });
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    await poll(() => popup.evaluate(() => document.body.dataset.ready)).toBe('true');
    expect(await popup.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([lang, t.dir]);
    await poll(() => popup.locator('[data-testid="at-risk-name"]').allTextContents()).toEqual([NAMES[REFUNDED], NAMES[LOYAL_SILENT]]);
    expect(await popup.locator('[data-testid="vip-slipping"]').textContent()).toBe(t.t('ext.popup.vipSlipping', { n: 3 }));
    await popup.locator('[data-testid="vip-slipping"]').screenshot({ path: `${SCREENSHOT_DIR}/popup-vip-${lang}.png` });
    // "How right we were" says the check was on a sample of the shop's customers.
    expect((await popup.locator('[data-testid="backtest"] p').allTextContents()).at(-1)).toBe(
      t.t('ext.popup.backtestSample', { customers: 250_000, ofCustomers: 1_270_400 }),
    );
    await popup.locator('[data-testid="backtest"]').screenshot({ path: `${SCREENSHOT_DIR}/popup-backtest-${lang}.png` });
    const kpis = await popup.locator('.kpis dt').allTextContents();
    expect(kpis).toContain(t.t('ext.popup.historicClvMean'));
    expect(kpis).toContain(t.t('ext.popup.predictedClvMean'));
    expect(kpis.some((k) => k === 'CLV' || k === 'Average CLV')).toBe(false);
    const legend = await popup.locator('[data-testid="chart-legend"] strong').allTextContents();
    expect(legend).toHaveLength(3);
    for (const v of legend) expect(v).toMatch(/\d|[٠-٩]/);
    expect(new Set(legend).size).toBe(3);
    await poll(() => popup.locator('.uplot-chart canvas').count()).toBeGreaterThan(0);
    // Names never reach storage: neither the extension's storage nor its database holds one.
    const stored = await popup.evaluate(async () => {
      const chromeApi = (globalThis as unknown as { chrome: { storage: { local: { get(k: null): Promise<unknown> } } } }).chrome;
      const local = JSON.stringify(await chromeApi.storage.local.get(null));
      const db = await new Promise<string>((resolve) => {
        const open = indexedDB.open('clvlens');
        open.onsuccess = () => {
          const names = [...open.result.objectStoreNames];
          const tx = open.result.transaction(names);
          Promise.all(names.map((n) => new Promise((r) => (tx.objectStore(n).getAll().onsuccess = (e) => r((e.target as IDBRequest).result))))).then((all) =>
            resolve(JSON.stringify(all)),
          );
        };
        open.onerror = () => resolve('');
      });
      return local + db;
    });
    for (const name of Object.values(NAMES)) expect(stored).not.toContain(name);
    await shot(popup, `popup-${lang}`);
    // Hovering the chart moves the readout to the week under the pointer.
    const weeks = summary().churnTrend.weekStartMs;
    const readout = () => popup.locator('[data-testid="chart-readout"]').textContent();
    expect(await readout()).toBe(t.t('ext.popup.chartReadoutLatest', { date: t.date(weeks.at(-1)!, 'UTC') }));
    const box = (await popup.locator('.uplot-chart .u-over').boundingBox())!;
    await popup.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await poll(readout).not.toBe(t.t('ext.popup.chartReadoutLatest', { date: t.date(weeks.at(-1)!, 'UTC') }));
    // Time runs left to right in every language (Arabic too: see ChurnTrendChart.tsx): the left edge is the first
    // week, the right edge the last.
    await popup.mouse.move(box.x + 1, box.y + box.height / 2);
    await poll(readout).toBe(t.t('ext.popup.chartReadout', { date: t.date(weeks[0]!, 'UTC') }));
    await popup.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
    await poll(readout).toBe(t.t('ext.popup.chartReadout', { date: t.date(weeks.at(-1)!, 'UTC') }));
    // Legend and readout follow the page (right to left in Arabic: 30 days first, on the right); the plot stays LTR.
    const layout = await popup.evaluate(() => {
      const x = (s: string) => document.querySelector(s)!.getBoundingClientRect().x;
      const dir = (s: string) => getComputedStyle(document.querySelector(s)!).direction;
      return {
        legend: dir('[data-testid="chart-legend"]'),
        readout: dir('[data-testid="chart-readout"]'),
        plot: dir('.uplot-chart'),
        firstRightOfLast: x('[data-series="d30"]') > x('[data-series="d90"]'),
      };
    });
    expect(layout).toEqual({ legend: t.dir, readout: t.dir, plot: 'ltr', firstRightOfLast: lang === 'ar' });
    await popup.close();
  }, 60_000);

  it("popup and card of a shop the app has computed nothing for yet: the import's progress, not its placeholder zeros", async () => {
    // What the app answers while the shop's history is imported (its summary's figures are then zeros).
    api.setSummary({
      ...summary(),
      metricsPending: true,
      customers: 0,
      repeatPurchaseRate: { windowDays: 365, value: 0 },
      averageClvMinor: 0,
      averagePredictedClvMinor: null,
      churn: { d30: 0, d60: 0, d90: 0 },
      churnBacktest: null,
      churnTrend: { weekStartMs: [], d30: [], d60: [], d90: [] },
      topAtRisk: [],
      sync: { state: 'backfilling', ordersDone: 12_500, ordersEstimated: 40_000, lastSyncAtMs: null, message: null },
    });
    const popup = await browser.context.newPage();
    try {
      await popup.setViewportSize({ width: 380, height: 420 });
      await popup.goto(`chrome-extension://${browser.extensionId}/popup.html`);
      await poll(() => popup.evaluate(() => document.body.dataset.ready)).toBe('true');
      await popup.locator('[data-testid="sync-now"]').click();
      const progress = t.t('dash.sync.ordersOf', { done: t.number(12_500), estimated: 40_000 });
      await poll(() => popup.locator('[data-testid="metrics-pending"]').textContent()).toBe(t.t('ext.popup.pending.importing', { progress }));
      expect(await popup.locator('.kpis').count()).toBe(0);
      expect(await popup.locator('.uplot-chart').count()).toBe(0);
      await shot(popup, `popup-pending-${lang}`);
      // A customer the app has no figures for yet: the card says they are not ready, not "new customer, or not synced".
      const admin = await browser.context.newPage();
      try {
        await admin.goto(`https://admin.shopify.com/store/${HANDLE}/customers/7300000999999`);
        await poll(() => card(admin, '.card', 'data-state')).toBe('missing');
        await poll(() => card(admin, '.card p')).toBe(t.t('ext.card.pending'));
        await shot(admin, `card-pending-${lang}`);
      } finally {
        await admin.close();
      }
    } finally {
      api.setSummary(summary());
      await popup.close();
    }
  }, 60_000);
});
