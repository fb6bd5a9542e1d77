/// <reference lib="dom" />
/**
 * Issue 16 in real headless Chromium: the demo (real app, fake Shopify, demo admin frame) with survey answers and
 * spend uploaded through the dashboard's own file inputs, one month of ad spend from the shop's marketing activities,
 * and a tier exported through the export card's button. The new cards are screenshotted in English, Korean and Arabic
 * (test-results/dashboard/feedback-<locale>.png, export-<locale>.png).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../demo/start-demo.ts';
import { launchDemoChromium } from '../extension/browser.ts';
import { openDashboardPage, startDashboardDemo, type DashboardDemo } from './dashboard-demo.ts';

const SHOTS = fileURLToPath(new URL('../../../test-results/dashboard', import.meta.url));

let running: DashboardDemo | undefined;
let demo: Demo;
let browser: Browser;

async function openDashboard(locale: 'en' | 'ko' | 'ar'): Promise<{ page: Page; frame: FrameLocator }> {
  const { page, frame, errors } = await openDashboardPage(browser, demo, { locale, acceptDownloads: true });
  await expect.poll(() => frame.locator('#feedback').count(), { timeout: 15_000 }).toBe(1);
  expect(errors).toEqual([]);
  return { page, frame };
}

describe('survey/spend card and customer export in Chromium (issue 16)', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    running = await startDashboardDemo('feedback', { customers: 800, historyDays: 500 });
    demo = running.demo;
    browser = await launchDemoChromium(demo);
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await running?.stop();
  });

  it('uploads through the file inputs, shows NPS, CSAT and LTV:CAC with sources in en, ko and ar, and exports a tier', async () => {
    // Three recent months: two with uploaded spend, the one before them from a marketing activity in Shopify.
    const now = new Date();
    const month = (back: number) => {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
      return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    };
    const [m5, m4, m3, m2] = [month(5), month(4), month(3), month(2)];
    demo.control.addMarketingActivity(demo.shopDomain, {
      id: 7001,
      title: 'Search ads',
      createdAtMs: Date.parse(`${m5}-03T12:00:00Z`),
      updatedAtMs: Date.parse(`${m5}-25T12:00:00Z`),
      adSpend: { amount: '1800.00', currencyCode: 'USD' },
      budget: { budgetType: 'DAILY', total: { amount: '100.00', currencyCode: 'USD' } },
      event: { id: 8001, startedAtMs: Date.parse(`${m5}-03T12:00:00Z`), endedAtMs: Date.parse(`${m5}-25T12:00:00Z`) },
    });
    const files = join(running!.dataDir, 'uploads');
    mkdirSync(files, { recursive: true });
    const surveys = ['type,score,date'];
    for (let i = 0; i < 60; i++) surveys.push(`nps,${[10, 9, 9, 8, 7, 6, 10, 3, 9, 10][i % 10]},${[m4, m3, m2][i % 3]}-15`);
    for (let i = 0; i < 30; i++) surveys.push(`csat,${[5, 4, 4, 3, 5, 2][i % 6]},${[m4, m3, m2][i % 3]}-16`);
    surveys.push(`nps,11,${m2}-17`, `csat,4,someday`);
    writeFileSync(join(files, 'survey-answers.csv'), surveys.join('\n'));
    writeFileSync(join(files, 'marketing-spend.csv'), `month,amount\n${m4},2400.00\n${m3},1950.00\n${m2},2100.00\n`);

    const { page, frame } = await openDashboard('en');
    await frame.locator('#upload-surveys').setInputFiles(join(files, 'survey-answers.csv'));
    await frame.locator('form[data-kind="surveys"] button').click();
    await expect
      .poll(() => frame.getByTestId('import-done-surveys').textContent(), { timeout: 15_000 })
      .toBe('survey-answers.csv: 90 new answers stored from 92 rows.');
    expect(await frame.getByTestId('import-rejected-surveys').textContent()).toBe('2 rows were rejected and not stored; the other rows were.');
    expect(await frame.locator('.row-errors li').allTextContents()).toEqual([
      'Line 92, field “score”: “11” is not a whole NPS score from 0 to 10.',
      'Line 93, field “date”: “someday” is not a date like 2025-10-02.',
    ]);
    await frame.locator('#upload-spend').setInputFiles(join(files, 'marketing-spend.csv'));
    await frame.locator('form[data-kind="spend"] button').click();
    await expect
      .poll(() => frame.getByTestId('import-done-spend').textContent(), { timeout: 15_000 })
      .toBe('marketing-spend.csv: 3 months set or changed from 3 rows.');
    await expect.poll(() => frame.getByTestId('feedback-ltv-cac').textContent(), { timeout: 15_000 }).toMatch(/^\d+(\.\d)?:1$/);
    // 60 NPS answers: 36 promoters (9-10), 12 detractors (0-6) -> +40.
    expect(await frame.getByTestId('feedback-nps').textContent()).toBe('+40');
    // 30 CSAT answers cycling 5,4,4,3,5,2: four of six satisfied (4-5).
    expect(await frame.getByTestId('feedback-csat').textContent()).toBe('66.7%');
    expect(await frame.getByTestId(`trend-spend-source-${m5}`).textContent()).toBe('from Shopify marketing activities');
    expect(await frame.getByTestId(`trend-spend-source-${m3}`).textContent()).toBe('uploaded');
    const ltvNotes = await frame.getByTestId('feedback-ltv-cac-note').allTextContents();
    expect(ltvNotes[1]).toMatch(/^From marketing-spend\.csv, uploaded .+; From Shopify marketing activities, read .+$/);

    // Export the high-risk tier through the button: a download with the BOM and English headers.
    await frame.locator('#export-choice').selectOption('tier:high');
    const [download] = await Promise.all([page.waitForEvent('download'), frame.locator('#export-button').click()]);
    expect(download.suggestedFilename()).toBe('clvlens-tier-high.csv');
    const saved = join(files, 'export.csv');
    await download.saveAs(saved);
    const bytes = readFileSync(saved);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(lines[0]).toBe(
      'Customer ID,Name,Email,Orders,Total spent,Currency,Days since last order,Chance of no order (0–1),Churn horizon (days),Risk tier,Predicted CLV (12 months),RFM segment',
    );
    const high = (
      await demo.app.database.db.selectFrom('customer_insights').select('payload').where('shop_id', '=', demo.shopDomain).where('deleted', '=', false).execute()
    ).filter((r) => r.payload !== null && (JSON.parse(r.payload) as { churnTier: string }).churnTier === 'high');
    const rows = lines.slice(1).filter((l) => l !== '');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBe(high.length);
    expect(rows.every((r) => r.split(',').includes('high'))).toBe(true);
    await frame.locator('#feedback').screenshot({ path: join(SHOTS, 'feedback-en.png') });
    await frame.locator('#export').screenshot({ path: join(SHOTS, 'export-en.png') });
    await page.close();

    const titles = { ko: ['설문과 마케팅 비용', 'Shopify 마케팅 활동'], ar: ['الاستبيانات وإنفاق التسويق', 'من أنشطة التسويق في Shopify'] } as const;
    for (const locale of ['ko', 'ar'] as const) {
      const { page: p, frame: f } = await openDashboard(locale);
      await expect.poll(() => f.getByTestId('feedback-nps').textContent(), { timeout: 15_000 }).not.toBe('—');
      expect(await f.locator('#feedback h2').textContent()).toBe(titles[locale][0]);
      expect(await f.getByTestId(`trend-spend-source-${m5}`).textContent()).toBe(titles[locale][1]);
      expect(await f.locator('html').getAttribute('dir')).toBe(locale === 'ar' ? 'rtl' : 'ltr');
      if (locale === 'ar') {
        expect(await f.locator('#feedback h2').evaluate((e) => getComputedStyle(e).direction)).toBe('rtl');
        // The sign stays left of the digits: the number is isolated left to right inside the Arabic text.
        expect(await f.getByTestId('feedback-nps').textContent()).toBe('\u2066+40\u2069');
      }
      await f.locator('#feedback').screenshot({ path: join(SHOTS, `feedback-${locale}.png`) });
      await f.locator('#export').screenshot({ path: join(SHOTS, `export-${locale}.png`) });
      await p.close();
    }
  }, 180_000);
});
