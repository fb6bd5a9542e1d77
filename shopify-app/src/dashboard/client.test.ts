// @vitest-environment happy-dom
import { computeShopReport, type OrderRecord, type ShopReport, type ShopSummaryV1 } from '@clvlens/core';
import { render, type ComponentChild } from 'preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderBacktest } from './cards/backtest.ts';
import { pairingLink } from './cards/pairing.ts';
import { startDashboard } from './client.ts';
import { timeTicks } from './client/chart.ts';
import type { DashboardDeps } from './client/deps.ts';
import { formatMoney, formatPercent, setDashboardLocale } from './client/ui.ts';
import type { SegmentValueV1 } from './segments.ts';

const DAY = 86_400_000;
const AS_OF = Date.UTC(2025, 5, 30, 23, 59, 59);
const HOSTILE = '<img src=x onerror="window.hacked=1">';

/** 60 customers over 18 months: every third one orders again every 40 days, so there are repeats, churn and cohorts. */
function orders(): OrderRecord[] {
  const list: OrderRecord[] = [];
  let id = 1;
  for (let c = 1; c <= 60; c++) {
    const first = AS_OF - (540 - c * 8) * DAY;
    const count = c % 3 === 0 ? 1 + Math.floor((AS_OF - first) / (40 * DAY)) : 1;
    for (let k = 0; k < count; k++) {
      list.push({
        orderId: String(id++),
        customerId: String(1000 + c),
        email: null,
        placedAtMs: first + k * 40 * DAY,
        currency: 'USD',
        totalMinor: 2500 + c * 10,
        refundedMinor: 0,
        cancelled: false,
        test: false,
        subscription: false,
      });
    }
  }
  return list;
}

const BACKTEST: NonNullable<ShopSummaryV1['churnBacktest']> = {
  cutoffMs: Date.UTC(2025, 3, 1, 23, 59, 59),
  horizonDays: 90,
  customers: 3000,
  noOrderShare: 0.7,
  chosenModel: 'classifier',
  auc: 0.792,
  daysSinceLastOrderAuc: 0.781,
  calibration: [
    { customers: 600, meanPredicted: 0.41, observedNoOrderShare: 0.43 },
    { customers: 600, meanPredicted: 0.6, observedNoOrderShare: 0.58 },
    { customers: 600, meanPredicted: 0.73, observedNoOrderShare: 0.74 },
    { customers: 600, meanPredicted: 0.84, observedNoOrderShare: 0.83 },
    { customers: 600, meanPredicted: 0.997, observedNoOrderShare: 0.99 },
  ],
  tiers: [
    { tier: 'low', customers: 1000, orderedAgainShare: 0.52 },
    { tier: 'medium', customers: 1000, orderedAgainShare: 0.27 },
    { tier: 'high', customers: 1000, orderedAgainShare: 0.09 },
  ],
  tierCuts: { medium: 0.62, high: 0.81 },
  spend: { maeMinor: 2_750, baselineMaeMinor: 3_041, topDecileCapture: 0.506, baselineTopDecileCapture: 0.502 },
};

function summaryOf(report: ShopReport, sync: ShopSummaryV1['sync']): ShopSummaryV1 {
  return {
    shopDomain: `${HOSTILE}.myshopify.com`,
    currency: 'USD',
    asOfMs: report.asOfMs,
    sync,
    customers: report.customers,
    repeatPurchaseRate: { windowDays: report.repeatPurchaseRate.windowDays, value: report.repeatPurchaseRate.value },
    returningCustomerRate: report.returningCustomerRate,
    averageClvMinor: Math.round(report.historicClv.meanMinor),
    averagePredictedClvMinor: null,
    churn: report.churn,
    churnHorizonDays: 90,
    churnBacktest: BACKTEST,
    churnTrend: { weekStartMs: [], d30: [], d60: [], d90: [] },
    topAtRisk: [
      { customerId: '1003', historicClvMinor: 52_500, churnProbability: 0.8, churnTier: 'high', daysSinceLastOrder: 95 },
      { customerId: '1006', historicClvMinor: 30_000, churnProbability: 0.4, churnTier: 'medium', daysSinceLastOrder: 41 },
    ],
  };
}

interface Harness {
  deps: DashboardDeps;
  calls: string[];
  puts: unknown[];
  charts: { data: unknown[][]; seriesLabels: string[] }[];
  /** Runs the scheduled poll (the dashboard schedules exactly one at a time). */
  tick(): void;
  state: { reportReady: boolean; summary: ShopSummaryV1 };
}

function harness(report: ShopReport, segments: SegmentValueV1[]): Harness {
  const calls: string[] = [];
  const puts: unknown[] = [];
  const charts: Harness['charts'] = [];
  let scheduled: (() => void) | null = null;
  const state = {
    reportReady: false,
    summary: summaryOf(report, { state: 'backfilling', ordersDone: 120, ordersEstimated: 400, lastSyncAtMs: null, message: null }),
  };
  // Records what the dashboard hands to uPlot; drawing itself is the Chromium test's job.
  class FakePlot {
    width = 600;
    constructor(opts: { series: { label?: string }[] }, data: unknown[][]) {
      charts.push({ data, seriesLabels: opts.series.map((s) => s.label ?? '') });
    }
    destroy(): void {}
    setSize(): void {}
  }
  const deps: DashboardDeps = {
    async request(path, init = {}) {
      calls.push(`${init.method ?? 'GET'} ${path}`);
      if (path === '/app/api/summary') return { status: 200, body: state.summary };
      if (path === '/app/api/report') {
        return state.reportReady
          ? { status: 200, body: { report, models: null } }
          : { status: 404, body: { error: { code: 'not-found', message: 'No report yet: the first sync is still running.' } } };
      }
      if (path === '/app/api/segments') return { status: 200, body: { segments } };
      if (path === '/app/api/pairing-code') return { status: 200, body: { code: 'AB12-CD34', expiresAtMs: AS_OF + 600_000 } };
      if (path === '/app/api/settings') {
        if (init.method === 'PUT') {
          puts.push(init.body);
          const days = (init.body as { churnHorizonDays: number }).churnHorizonDays;
          return days === 45
            ? { status: 400, body: { error: { code: 'bad-request', message: 'churnHorizonDays: expected one of 30, 60, 90, 180 (days), got 45.' } } }
            : { status: 200, body: { churnHorizonDays: days, churnHorizonChoices: [30, 60, 90, 180], churnHorizonIsDefault: false } };
        }
        return { status: 200, body: { churnHorizonDays: 90, churnHorizonChoices: [30, 60, 90, 180], churnHorizonIsDefault: true } };
      }
      return { status: 404, body: { error: { code: 'not-found', message: `<b>no ${path}</b>` } } };
    },
    uPlot: FakePlot as unknown as NonNullable<DashboardDeps['uPlot']>,
    setTimeout(fn) {
      scheduled = fn;
      return 1;
    },
    clearTimeout() {
      scheduled = null;
    },
  };
  return {
    deps,
    calls,
    puts,
    charts,
    state,
    tick() {
      const fn = scheduled;
      scheduled = null;
      fn?.();
    },
  };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
};

let root: HTMLElement;
let report: ShopReport;
const segments: SegmentValueV1[] = [
  { segment: 'CHAMPIONS', customers: 12, historicClvMinor: 480_000, predictedClvMinor: 120_000 },
  { segment: HOSTILE, customers: 3, historicClvMinor: 9_000, predictedClvMinor: null },
];

beforeEach(() => {
  report = computeShopReport(orders(), { asOfMs: AS_OF, timeZone: 'UTC' });
  document.body.replaceChildren();
  root = document.createElement('main');
  document.body.append(root);
});
afterEach(() => {
  document.body.replaceChildren();
});

describe('startDashboard', () => {
  it('shows the backfill progress while there is no report, keeps polling, and renders once the report exists', async () => {
    const t = harness(report, segments);
    const dash = startDashboard(root, t.deps);
    await dash.refreshed();
    const bar = root.querySelector('progress')!;
    expect(bar.value).toBe(120);
    expect(bar.max).toBe(400);
    expect(root.querySelector('#sync-text')!.textContent).toBe('120 of about 400 orders');
    expect(root.querySelector('#no-report')!.textContent).toMatch(/No report yet: the first sync is still running/);
    expect(root.querySelector('#scorecard')).toBeNull();

    // Every order imported, the first whole-shop run not done yet: the banner says so rather than "still syncing".
    t.state.summary = { ...t.state.summary, sync: { state: 'live', ordersDone: 400, ordersEstimated: 400, lastSyncAtMs: AS_OF, message: null } };
    t.tick();
    await dash.refreshed();
    expect(root.querySelector('#no-report')!.textContent).toBe(
      'No report yet: every order is imported, and your customers are being scored for the first time. The metrics appear here as soon as that is done.',
    );
    expect(root.querySelector('#scorecard')).toBeNull();

    t.state.reportReady = true;
    t.tick();
    await dash.refreshed();
    await settle();
    expect(root.querySelector('#no-report')).toBeNull();
    expect(root.querySelector('progress')).toBeNull();
    expect(root.querySelector('#sync')!.textContent).toMatch(/Status: live/);
    for (const id of ['scorecard', 'repeat-rate', 'churn', 'cohorts', 'segments', 'at-risk', 'backtest', 'sync', 'pairing']) {
      expect(root.querySelector(`#${id}`), id).not.toBeNull();
    }
    expect(t.calls.filter((c) => c === 'GET /app/api/report')).toHaveLength(3);
    dash.stop();
  });

  it('renders the report numbers: scorecard, repeat vs returning rate, churn, cohorts, segments, at-risk links', async () => {
    const t = harness(report, segments);
    t.state.reportReady = true;
    const dash = startDashboard(root, t.deps);
    await dash.refreshed();
    await settle();

    expect(root.querySelectorAll('#scorecard tbody tr')).toHaveLength(report.scorecard.rows.length);
    const rr = report.scorecard.rows.find((r) => r.metric === 'repeatPurchaseRate')!;
    expect(root.querySelector('[data-testid="scorecard-repeatPurchaseRate-current"]')!.textContent).toBe(formatPercent(rr.current));
    expect(root.querySelector('[data-testid="repeat-rate-value"]')!.textContent).toBe(formatPercent(report.repeatPurchaseRate.value));
    expect(root.querySelector('[data-testid="returning-rate-value"]')!.textContent).toBe(formatPercent(report.returningCustomerRate));
    expect(root.querySelector('[data-testid="churn-d90"]')!.textContent).toBe(formatPercent(report.churn.d90));
    expect(root.querySelector('[data-testid="churn-alert"]')).not.toBeNull();
    // A status is always a word, never only a colour.
    for (const p of root.querySelectorAll('#scorecard tbody .pill')) expect(p.textContent).toMatch(/[A-Za-z]/);

    const heatRows = root.querySelectorAll('#cohorts table.heat tbody tr');
    expect(heatRows.length).toBe(Math.min(12, report.charts.cohortHeatmap.cohortMonth.length));
    expect(heatRows[0]!.querySelector('th')!.textContent).toMatch(/^[A-Z][a-z]{2} \d{4}$/);
    expect(heatRows[0]!.querySelector('td')!.textContent).toBe('100%');

    expect(root.querySelector('[data-testid="segment-CHAMPIONS-customers"]')!.textContent).toBe('12');
    expect(root.querySelector('[data-testid="segment-CHAMPIONS-clv"]')!.textContent).toBe(formatMoney(480_000, 'USD'));
    const links = [...root.querySelectorAll<HTMLAnchorElement>('#at-risk a')];
    expect(links.map((a) => a.getAttribute('target'))).toEqual(['_top', '_top']);
    expect(links[0]!.getAttribute('href')).toMatch(/^https:\/\/admin\.shopify\.com\/store\/.+\/customers\/1003$/);
    expect(root.querySelectorAll('.why')).toHaveLength(6);

    // Accessible structure: every card is a section named by its heading, every table has a caption and scoped
    // headers, every chart a text alternative.
    for (const section of root.querySelectorAll('section')) {
      expect(root.querySelector(`#${section.getAttribute('aria-labelledby')}`)?.localName).toBe('h2');
    }
    for (const t of root.querySelectorAll('table')) {
      expect(t.querySelector('caption')?.textContent).toBeTruthy();
      for (const th of t.querySelectorAll('th')) expect(th.getAttribute('scope')).toMatch(/^(col|row)$/);
    }
    for (const c of root.querySelectorAll('.chart')) {
      expect(c.getAttribute('role')).toBe('img');
      expect(c.getAttribute('aria-label')).toBeTruthy();
    }

    // Three charts, each handed the report's columnar series as is (x in ms, ms: 1).
    expect(t.charts).toHaveLength(3);
    expect(t.charts[0]!.data).toEqual([report.charts.repeatRate.weekStartMs, report.charts.repeatRate.value]);
    expect(t.charts[1]!.data).toEqual([
      report.charts.churnTrend.weekStartMs,
      report.charts.churnTrend.d30,
      report.charts.churnTrend.d60,
      report.charts.churnTrend.d90,
    ]);
    expect(t.charts[2]!.data[0]).toEqual(report.charts.ltvCurves.monthsSince);
    dash.stop();
  });

  it('never turns data into markup: hostile shop names, segment names and error messages stay text', async () => {
    const t = harness(report, segments);
    t.state.reportReady = true;
    const dash = startDashboard(root, t.deps);
    await dash.refreshed();
    await settle();
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('#as-of')!.textContent).toContain(HOSTILE);
    expect(root.querySelector('#segments')!.textContent).toContain(HOSTILE);
    const link = root.querySelector<HTMLAnchorElement>('#at-risk a')!;
    expect(link.getAttribute('href')).toContain(encodeURIComponent('<img'));
    dash.stop();

    // An error from the app is shown as its text.
    const failing: DashboardDeps = { ...t.deps, request: async () => ({ status: 500, body: { error: { code: 'internal', message: '<b>boom</b>' } } }) };
    const again = startDashboard(root, failing);
    await again.refreshed();
    expect(root.querySelector('b')).toBeNull();
    expect(root.querySelector('[role="alert"]')!.textContent).toContain('<b>boom</b>');
    again.stop();
    expect((window as unknown as { hacked?: number }).hacked).toBeUndefined();
  });

  it('raises the churn alert in words, with role alert, when the trend leaves its band', async () => {
    const alerted: ShopReport = {
      ...report,
      churnDetail: {
        ...report.churnDetail,
        alert: { status: 'alert', direction: 'up', latest: 0.52, baselineMean: 0.41, baselineStdDev: 0.01, rule: 'the rule' },
      },
    };
    const t = harness(alerted, segments);
    t.state.reportReady = true;
    const dash = startDashboard(root, t.deps);
    await dash.refreshed();
    const banner = root.querySelector('[data-testid="churn-alert"]')!;
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toBe('⚠ Warning: 90-day churn rose to 52.0%, above its recent mean of 41.0%.');
    dash.stop();
  });

  it('says falling churn is good news, in green and without role alert (issue 12)', async () => {
    const falling: ShopReport = {
      ...report,
      churnDetail: {
        ...report.churnDetail,
        alert: { status: 'alert', direction: 'down', latest: 0.739, baselineMean: 0.8, baselineStdDev: 0.01, rule: 'the rule' },
      },
    };
    const t = harness(falling, segments);
    t.state.reportReady = true;
    const dash = startDashboard(root, t.deps);
    await dash.refreshed();
    const banner = root.querySelector('[data-testid="churn-alert"]')!;
    expect(banner.getAttribute('role')).toBeNull();
    expect(banner.getAttribute('data-tone')).toBe('success');
    expect(banner.textContent).toBe('✓ Good news: 90-day churn fell to 73.9%, below its recent mean of 80.0%.');
    expect(root.querySelector('.banner[data-tone="critical"]')).toBeNull();
    dash.stop();
  });

  it('says "just started" instead of "on track" before a week of the program, and marks the running month (issue 12)', async () => {
    const t = harness(report, segments);
    t.state.reportReady = true;
    const dash = startDashboard(root, t.deps);
    await dash.refreshed();
    expect(report.scorecard.weeksElapsed).toBe(0);
    const statuses = [...root.querySelectorAll('#scorecard tbody td[data-status]')].map((td) => td.getAttribute('data-status'));
    expect(statuses).not.toContain('on-track');
    expect(statuses).not.toContain('behind');
    expect(root.querySelector('#scorecard')!.textContent).toContain('Just started: too early to judge');
    expect(root.querySelector('#scorecard')!.textContent).toContain('just started)');
    // The scorecard's CLV has the one name of its definition.
    expect(root.querySelector('#scorecard tbody')!.textContent).toContain('Windowed CLV');
    expect(root.querySelector('#scorecard tbody')!.textContent).not.toContain('revenue per active customer');
    // AS_OF is June 30, the month's last day: complete. A day earlier, the last month of each row is partial.
    expect(root.querySelectorAll('#cohorts td[data-partial]')).toHaveLength(0);
    dash.stop();
    const midMonth = computeShopReport(orders(), { asOfMs: AS_OF - 5 * DAY, timeZone: 'UTC' });
    const t2 = harness(midMonth, segments);
    t2.state.reportReady = true;
    const dash2 = startDashboard(root, t2.deps);
    await dash2.refreshed();
    const partial = [...root.querySelectorAll('#cohorts td[data-partial]')];
    expect(partial.length).toBeGreaterThan(0);
    expect(partial[0]!.textContent).toMatch(/% so far$/);
    expect(partial[0]!.getAttribute('title')).toContain('Current month, to Jun 25, 2025');
    dash2.stop();
  });

  it('shows names fetched from the app in the at-risk list, and explains who is counted as a customer (issue 12)', async () => {
    const t = harness(report, segments);
    t.state.reportReady = true;
    const request = t.deps.request;
    t.deps.request = async (path, init) => {
      if (path.startsWith('/app/api/customer-names')) {
        t.calls.push(`GET ${path}`);
        return { status: 200, body: { names: { '1003': 'Jos\u00e9 Alvarez', '1006': '김민지' } } };
      }
      return request(path, init);
    };
    const dash = startDashboard(root, t.deps);
    await dash.refreshed();
    await settle();
    expect(t.calls).toContain('GET /app/api/customer-names?ids=1003,1006');
    expect([...root.querySelectorAll('#at-risk a')].map((a) => a.textContent)).toEqual(['Jos\u00e9 Alvarez', '김민지']);
    expect(root.querySelector('#at-risk')!.textContent).toContain('not stored by CLV Lens');
    // 60 buyers in the header; the segments hold 15 with an account: the other 45 are said to be guests.
    expect(root.querySelector('#customers-counted')!.textContent).toBe(
      '“Customers” counts everyone with a counted order: 15 have a Shopify customer account and 45 are guests known only by e-mail. Segments, risk and the extension cover customers with an account.',
    );
    dash.stop();
  });

  it('speaks Arabic right to left when the admin’s locale is ar, and Korean for ko (issue 12)', async () => {
    for (const locale of ['ar', 'ko'] as const) {
      const t = harness(report, segments);
      t.state.reportReady = true;
      const dash = startDashboard(root, { ...t.deps, locale });
      await dash.refreshed();
      await settle();
      const text = root.textContent ?? '';
      if (locale === 'ar') {
        expect(root.querySelector('#scorecard h2')!.textContent).toBe('بطاقة الأداء');
        expect(text).toContain('قيمة العميل للفترة (CLV)');
        expect(text).not.toMatch(/Repeat purchase rate|Scorecard/);
        // The time axes' ticks in Arabic too (uPlot's own are English month names).
        expect(timeTicks([Date.UTC(2025, 9, 1), Date.UTC(2026, 0, 1), Date.UTC(2026, 3, 1)])).toEqual(['أكتوبر 2025', 'يناير 2026', 'أبريل']);
      } else {
        expect(root.querySelector('#scorecard h2')!.textContent).toBe('스코어카드');
        expect(text).toContain('기간 CLV');
      }
      dash.stop();
    }
    setDashboardLocale('en');
  });

  it('shows a one-time pairing code from the app when asked', async () => {
    const t = harness(report, segments);
    const dash = startDashboard(root, t.deps);
    await dash.refreshed();
    const button = [...root.querySelectorAll('button')].find((b) => /pairing code/i.test(b.textContent ?? ''))!;
    button.click();
    await settle();
    expect(t.calls).toContain('POST /app/api/pairing-code');
    expect(root.querySelector('#pairing-code')!.textContent).toBe('AB12-CD34');
    // One thing to copy that carries both the app's address and the code.
    expect(root.querySelector<HTMLInputElement>('#pairing-link')!.value).toBe(pairingLink(location.origin, 'AB12-CD34'));
    expect(root.querySelector<HTMLInputElement>('#pairing-link')!.value).toMatch(/\/pair\?code=AB12-CD34$/);
    expect(root.querySelector('#pairing-parts')!.textContent).toContain(location.origin);
    dash.stop();
  });
});

describe('settings card', () => {
  it("shows the shop's churn horizon and saves another one, saying the numbers follow the refit", async () => {
    const t = harness(report, segments);
    const dash = startDashboard(root, t.deps);
    await dash.refreshed();
    await settle();
    const select = root.querySelector<HTMLSelectElement>('#churn-horizon')!;
    expect([...select.options].map((o) => o.textContent)).toEqual(['30 days', '60 days', '90 days', '180 days']);
    expect(select.value).toBe('90');
    expect(select.disabled).toBe(false);
    select.value = '30';
    select.dispatchEvent(new Event('change'));
    await settle();
    expect(t.puts).toEqual([{ churnHorizonDays: 30 }]);
    expect(select.value).toBe('30');
    expect(root.querySelector('#settings-note')!.textContent).toBe(
      'Saved. The predictions are being refitted for 30 days; the numbers here and in the extension follow within a few minutes.',
    );
    dash.stop();
  });

  it("says why a value was refused, in the app's words", async () => {
    const t = harness(report, segments);
    const dash = startDashboard(root, t.deps);
    await dash.refreshed();
    await settle();
    const select = root.querySelector<HTMLSelectElement>('#churn-horizon')!;
    select.append(Object.assign(document.createElement('option'), { value: '45' }));
    select.value = '45';
    select.dispatchEvent(new Event('change'));
    await settle();
    expect(root.querySelector('#settings-note')!.textContent).toBe('Could not save: churnHorizonDays: expected one of 30, 60, 90, 180 (days), got 45.');
    dash.stop();
  });
});

/** The DOM a rendered card becomes. */
function dom(node: ComponentChild): HTMLElement {
  const box = document.createElement('div');
  render(node, box);
  return box.firstElementChild as HTMLElement;
}

describe('renderBacktest', () => {
  it('says how right the predictions were on the shop own past, in plain words, with the calibration groups', () => {
    const s = summaryOf(report, { state: 'live', ordersDone: 400, ordersEstimated: 400, lastSyncAtMs: AS_OF, message: null });
    const el = dom(renderBacktest(s, 'UTC'));
    const text = (id: string) => el.querySelector(`[data-testid="${id}"]`)?.textContent;
    expect(el.querySelector('h2')!.textContent).toBe('How right we were');
    expect(text('backtest-method')).toBe(
      'We checked on your own past: fitted on orders up to Apr 1, 2025, then looked at the next 90 days for 3,000 customers (70% of them did not order in that time).',
    );
    expect(text('backtest-tiers')).toBe('Of the customers we rated high risk, 9% ordered again in those days; medium risk, 27%; low risk, 52%.');
    expect(text('backtest-cuts')).toBe(
      'Risk tiers rank your customers against each other: low risk is a chance of no order in 90 days below 62%, high risk above 81%, medium in between.',
    );
    expect(text('backtest-auc')).toBe(
      'Ranking quality (AUC, where 0.5 is a coin toss and 1 is perfect): 0.79 with a classifier trained on your orders, against 0.78 for “days since last order”.',
    );
    expect(text('backtest-spend')).toBe(
      'Predicted spend in those 90 days was off by $27.50 per customer on average (the classic BG/NBD with Gamma-Gamma: $30.41); the 10% we expected to spend most made 51% of what was spent (classic: 50%).',
    );
    const rows = [...el.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows[0]).toEqual(['1 (lowest risk)', '600', '41%', '43%']);
    expect(rows[4]).toEqual(['5 (highest risk)', '600', '>99%', '99%']);
  });

  it('notes a shorter checked period, and says so plainly when there is no backtest', () => {
    const base = summaryOf(report, { state: 'live', ordersDone: 400, ordersEstimated: 400, lastSyncAtMs: AS_OF, message: null });
    const short = dom(renderBacktest({ ...base, churnHorizonDays: 180, churnBacktest: { ...BACKTEST, horizonDays: 120 } }, 'UTC'));
    expect(short.textContent).toContain('Your history is short, so 120 days were checked; the chances shown are for 180 days.');
    const none = dom(renderBacktest({ ...base, churnBacktest: null }, 'UTC'));
    expect(none.querySelector('[data-testid="backtest-missing"]')!.textContent).toMatch(/^Your order history is too short yet to check the predictions/);
    expect(none.querySelector('table')).toBeNull();
  });

  it('says when the model was fitted and checked on a sample of a large shop, in each language, and not otherwise', () => {
    const base = summaryOf(report, { state: 'live', ordersDone: 400, ordersEstimated: 400, lastSyncAtMs: AS_OF, message: null });
    const sampled = { ...base, churnBacktest: { ...BACKTEST, sample: { customers: 250_000, ofCustomers: 1_270_400 } } };
    const sentence = () => dom(renderBacktest(sampled, 'UTC')).querySelector('[data-testid="backtest-sample"]')?.textContent;
    try {
      expect(sentence()).toBe(
        'Your shop has 1,270,400 customers, so the model was fitted and checked on an even sample of 250,000 customers from across the whole list. Every customer still gets a chance of no order from it.',
      );
      setDashboardLocale('ko');
      expect(sentence()).toBe(
        '스토어 고객이 1,270,400명이라, 전체 목록에서 고르게 뽑은 고객 250,000명으로 모델을 맞추고 검증했습니다. 주문이 없을 확률은 여전히 모든 고객에게 계산됩니다.',
      );
      setDashboardLocale('ar');
      expect(sentence()).toBe(
        'لدى متجرك 1,270,400 عميل، لذا درّبنا النموذج وتحققنا منه على عيّنة من 250,000 عميل اخترناهم بالتساوي من القائمة كلها. ومع ذلك نحسب احتمال عدم الطلب لكل عميل.',
      );
    } finally {
      setDashboardLocale('en');
    }
    expect(dom(renderBacktest(base, 'UTC')).querySelector('[data-testid="backtest-sample"]')).toBeNull();
    expect(dom(renderBacktest({ ...base, churnBacktest: { ...BACKTEST, sample: null } }, 'UTC')).querySelector('[data-testid="backtest-sample"]')).toBeNull();
  });
});

describe('formatMoney', () => {
  it('uses the currency’s own decimals', () => {
    expect(formatMoney(123_456, 'USD')).toBe('$1,234.56');
    expect(formatMoney(1234, 'JPY')).toBe('¥1,234');
    expect(formatMoney(null, 'USD')).toBe('—');
  });
});
