/// <reference lib="dom" />
/**
 * A shop larger than the churn fit's sample, in real headless Chromium on the demo's start path (real app, fake
 * Shopify, demo admin): the app fits and backtests on an even sample of the customers (past 250,000 in production;
 * 500 of 1,000 here, through the app's `fitSampleCustomers` option), still scores every customer, and the dashboard's
 * "How right we were" card says the check was on a sample, in English, Korean and Arabic.
 * Screenshots go to test-results/dashboard/backtest-sample-<lang>.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopSummaryV1 } from '@clvlens/core';
import { createTranslator } from '@clvlens/core/i18n';
import type { Demo } from '../demo/start-demo.ts';
import { launchDemoChromium } from '../extension/browser.ts';
import { openDashboardPage, startDashboardDemo, type DashboardDemo } from './dashboard-demo.ts';

const SHOTS = fileURLToPath(new URL('../../../test-results/dashboard', import.meta.url));

let running: DashboardDemo | undefined;
let demo: Demo;
let browser: Browser;

describe('the backtest card of a shop fitted on a sample of its customers, in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    running = await startDashboardDemo('fit-sample', { customers: 1000, compute: { fitSampleCustomers: 500 } });
    demo = running.demo;
    browser = await launchDemoChromium(demo);
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await running?.stop();
  });

  it('says in each language how many customers the check saw of how many, while every customer is scored', async () => {
    const res = await fetch(`${demo.appUrl}/app/api/summary`, { headers: { authorization: `Bearer ${demo.sessionToken()}` } });
    expect(res.status).toBe(200);
    const summary = (await res.json()) as ShopSummaryV1;
    const db = demo.app.database.db;
    const scored = await db.selectFrom('customer_insights').select('customer_id').where('shop_id', '=', demo.shopDomain).where('deleted', '=', false).execute();
    const sample = summary.churnBacktest?.sample;
    expect(sample).toBeTruthy();
    // Every k-th of the shop's customers (the header's "Customers": everyone with a counted order), at most 500.
    expect(sample!.ofCustomers).toBe(summary.customers);
    expect(sample!.customers).toBe(Math.ceil(sample!.ofCustomers / Math.ceil(sample!.ofCustomers / 500)));
    // Every customer with an account is still scored, not only the sample's.
    expect(scored.length).toBeGreaterThan(sample!.customers);
    expect(summary.churnBacktest!.customers).toBeLessThanOrEqual(sample!.customers);

    for (const locale of ['en', 'ko', 'ar'] as const) {
      const { page, frame, errors } = await openDashboardPage(browser, demo, { locale });
      await expect.poll(() => frame.getByTestId('backtest-sample').count(), { timeout: 30_000 }).toBe(1);
      const expected = createTranslator(locale).t('dash.backtest.sample', { customers: sample!.customers, ofCustomers: sample!.ofCustomers });
      expect(await frame.getByTestId('backtest-sample').textContent()).toBe(expected);
      expect(await frame.locator('html').getAttribute('dir')).toBe(locale === 'ar' ? 'rtl' : 'ltr');
      await frame.locator('#backtest').screenshot({ path: join(SHOTS, `backtest-sample-${locale}.png`) });
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
