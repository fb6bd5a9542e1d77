/// <reference lib="dom" />
/**
 * Issue 16 in real headless Chromium, on the demo's start path (real app, fake Shopify, demo admin): a valuable
 * customer's order is cancelled, their churn tier gets worse, and
 * - the dashboard's "VIPs slipping" card lists them by name (read live), with the tier change, when and why, in English,
 *   Korean and Arabic (right to left), each linking to the customer in the admin;
 * - the demo admin's "Flow events" page shows the trigger Shopify Flow received.
 * Screenshots go to test-results/dashboard/vip-slipping-<lang>.png and flow-events.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerInsightV1 } from '@clvlens/core';
import { createTranslator } from '@clvlens/core/i18n';
import { latestCountedOrder, slippingVipCandidates } from '../app/slipping-vip-candidates.ts';
import type { Demo } from '../demo/start-demo.ts';
import { launchDemoChromium } from '../extension/browser.ts';
import { openDashboardPage, startDashboardDemo, type DashboardDemo } from './dashboard-demo.ts';

const SHOTS = fileURLToPath(new URL('../../../test-results/dashboard', import.meta.url));

let running: DashboardDemo | undefined;
let demo: Demo;
let browser: Browser;
let customerId = '';
let customerName = '';
let oldTier: CustomerInsightV1['churnTier'] = 'low';

async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!(await probe())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('VIPs slipping and Flow events in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    running = await startDashboardDemo('vip', { customers: 500 });
    demo = running.demo;
    const db = demo.app.database.db;
    const insights = (
      await db.selectFrom('customer_insights').select('payload').where('shop_id', '=', demo.shopDomain).where('deleted', '=', false).execute()
    ).map((r) => JSON.parse(r.payload!) as CustomerInsightV1);
    // A VIP whose cancelled latest order makes them riskier (slippingVipCandidates): each candidate in turn, until its
    // insight no longer counts the order, until one records a worsening.
    const insightOf = async (id: string): Promise<CustomerInsightV1 | null> => {
      const row = await db
        .selectFrom('customer_insights')
        .select('payload')
        .where('shop_id', '=', demo.shopDomain)
        .where('customer_id', '=', id)
        .executeTakeFirst();
      return row?.payload ? (JSON.parse(row.payload) as CustomerInsightV1) : null;
    };
    const candidates = slippingVipCandidates(insights, Date.now());
    for (const candidate of candidates.slice(0, 12)) {
      demo.control.cancelOrder(demo.shopDomain, latestCountedOrder(demo.control.truth(demo.shopDomain).orders, candidate).id);
      await waitFor(
        'the cancelled order to leave the insight',
        async () => ((await insightOf(candidate.customerId))?.orderCount ?? 0) < candidate.orderCount,
        30_000,
      );
      const worsened = await db
        .selectFrom('customer_tier_changes')
        .select('change_id')
        .where('shop_id', '=', demo.shopDomain)
        .where('customer_id', '=', candidate.customerId)
        .where('worsened', '=', true)
        .executeTakeFirst();
      if (worsened === undefined) continue;
      customerId = candidate.customerId;
      oldTier = candidate.churnTier;
      break;
    }
    expect(customerId, 'a cancellation that makes a VIP riskier').not.toBe('');
    const truth = demo.control.truth(demo.shopDomain);
    const c = truth.customers.find((x) => String(x.id) === customerId)!;
    customerName = [c.firstName, c.lastName].filter((x) => x !== null && x !== '').join(' ');
    await waitFor(
      'the Flow trigger',
      () => demo.control.flowTriggerEvents({ shop: demo.shopDomain }).some((e) => String(e.payload['customer_id']) === customerId),
      30_000,
    );
    // The summary (and with it the dashboard's report) refreshes after the change.
    await waitFor(
      'the summary to count the VIP',
      async () => {
        const res = await fetch(`${demo.appUrl}/app/api/summary`, { headers: { authorization: `Bearer ${demo.sessionToken()}` } });
        return (((await res.json()) as { vipSlipping?: { thisWeek: number } }).vipSlipping?.thisWeek ?? 0) > 0;
      },
      60_000,
    );
    browser = await launchDemoChromium(demo);
  }, 240_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await running?.stop();
  });

  it.each(['en', 'ko', 'ar'] as const)(
    'the dashboard card lists the slipping VIP by name, with change, when and why (%s)',
    async (locale) => {
      const t = createTranslator(locale);
      const { page, frame, errors } = await openDashboardPage(browser, demo, { width: 1200, locale });
      const card = frame.locator('#vip-slipping');
      await expect.poll(() => card.count(), { timeout: 30_000 }).toBe(1);
      const row = card.locator(`tbody tr[data-customer-id="${customerId}"]`);
      await expect.poll(() => row.locator('a[data-named]').textContent(), { timeout: 15_000 }).toBe(customerName);
      expect(await row.locator('a').getAttribute('href')).toBe(`https://admin.shopify.com/store/${demo.storeHandle}/customers/${customerId}`);
      expect(await card.locator('h2').textContent()).toBe(t.t('dash.vip.title'));
      expect(await row.locator('td').first().textContent()).toContain(t.t(`tier.${oldTier}`));
      expect(await row.locator('.reasons li').count()).toBeGreaterThan(0);
      expect(await frame.locator('html').getAttribute('dir')).toBe(t.dir);
      expect(await card.locator('[data-testid="vip-this-week"]').textContent()).not.toBe(t.number(0));
      expect(errors).toEqual([]);
      await card.scrollIntoViewIfNeeded();
      await card.screenshot({ path: join(SHOTS, `vip-slipping-${locale}.png`) });
      await page.close();
    },
    60_000,
  );

  it('the demo admin shows the Flow events Shopify received', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 520 }, ignoreHTTPSErrors: true });
    await page.goto(demo.adminCustomersUrl.replace(/\/customers$/, '/flow-events'));
    const row = page.locator(`tr[data-customer-id="${customerId}"]`);
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    expect(JSON.parse((await row.locator('pre').textContent())!)).toEqual(
      demo.control.flowTriggerEvents({ shop: demo.shopDomain }).find((e) => String(e.payload['customer_id']) === customerId)!.payload,
    );
    await page.screenshot({ path: join(SHOTS, 'flow-events.png') });
    await page.close();
  }, 60_000);
});
