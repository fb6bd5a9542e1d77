// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { Request, ResponseMap, ShopStatus } from '../../messages/protocol.ts';
import { resetUiLocale } from '../../i18n/ui-locale.ts';
import { sampleSummary } from '../../testing/fake-app-api.ts';
import type { ShopSummaryV1 } from '@clvlens/core';
import { describeBacktest, describePending, Popup } from './Popup.tsx';

// happy-dom has no 2D canvas: stand in for uPlot and record what the popup asked it to draw.
const charts: { data: unknown }[] = [];
vi.mock('uplot', () => ({
  default: class {
    constructor(_opts: unknown, data: unknown) {
      charts.push({ data });
    }
    setData() {}
    destroy() {}
  },
}));

const SHOP = 'demo.myshopify.com';

function shopStatus(overrides: Partial<ShopStatus> = {}): ShopStatus {
  return {
    shopDomain: SHOP,
    storeHandle: 'demo',
    appUrl: 'http://127.0.0.1:3000',
    connectedAtMs: 1,
    syncState: 'idle',
    lastSyncAtMs: Date.now() - 5 * 60_000,
    lastError: null,
    evicted: false,
    cachedCustomers: 1234,
    summary: sampleSummary(SHOP),
    ...overrides,
  };
}

async function mount(answers: (req: Request) => unknown): Promise<{ el: HTMLElement; sent: Request[] }> {
  const sent: Request[] = [];
  vi.spyOn(browser.runtime, 'sendMessage').mockImplementation((async (req: Request) => {
    sent.push(req);
    return { ok: true, value: answers(req) };
  }) as never);
  const el = document.createElement('div');
  document.body.append(el);
  await act(async () => {
    render(<Popup />, el);
  });
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
  });
  return { el, sent };
}

beforeEach(() => {
  fakeBrowser.reset();
});

afterEach(() => {
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

describe('Popup', () => {
  it('says "not connected" and links to the options page when no shop is paired', async () => {
    const { el } = await mount(() => ({ shops: [], notices: [] }) satisfies ResponseMap['status.get']);
    expect(el.querySelector('[data-testid="connection"]')?.textContent).toContain('Not connected.');
  });

  it('shows the summary, last sync, notices and at-risk links, and syncs on demand', async () => {
    const { el, sent } = await mount((req) =>
      req.type === 'status.get'
        ? ({
            shops: [
              shopStatus({
                summary: {
                  ...sampleSummary(SHOP),
                  vipSlipping: { thisWeek: 3, lastWeek: 1, valueAtRiskMinor: 90_000, thresholdMinor: 20_000, topShare: 0.1 },
                },
              }),
            ],
            notices: [{ id: 1, atMs: 1, message: 'Browser storage was full.' }],
          } satisfies ResponseMap['status.get'])
        : req.type === 'customers.names'
          ? { names: { '2': 'Ada Lovelace' } }
          : { customersReceived: 0, customersDeleted: 0, evictedShops: [] },
    );
    const text = (id: string) => el.querySelector(`[data-testid="${id}"]`)?.textContent;
    expect(text('repeat-rate')).toBe('31.0%');
    expect(text('average-clv')).toBe('$99.00');
    expect(text('churn')).toBe('40% / 30% / 20%');
    expect(text('last-sync')).toBe('Last sync: 5 minutes ago · 1,234 customers cached');
    expect(text('vip-slipping')).toBe('3 VIPs slipped to a riskier tier this week');
    expect(el.querySelector('.notice')?.textContent).toBe('Browser storage was full.');
    expect([...el.querySelectorAll('[data-testid="at-risk"] a')].map((a) => a.getAttribute('href'))).toEqual([
      'https://admin.shopify.com/store/demo/customers/2',
    ]);
    // The name arrives live through the background (customers.names) and is held in the popup's memory only.
    await vi.waitFor(() =>
      expect(text('at-risk')).toBe(
        'Ada Lovelace High risk · Historic CLV $500.00 · 85% chance of no order in the next 90 days · 240 days since the last order',
      ),
    );
    expect(sent).toContainEqual({ type: 'customers.names', storeHandle: 'demo', customerIds: ['2'] });
    expect([...el.querySelectorAll('[data-testid="backtest"] p')].map((p) => p.textContent)).toEqual([
      'Checked on your past orders: 9% of customers we rated high risk ordered again within 90 days, against 52% of low risk.',
      'Ranking quality (AUC) 0.79, against 0.77 for days since the last order.',
    ]);
    expect(el.querySelector('.uplot-chart')?.getAttribute('aria-label')).toBe(
      'Share of customers with no order for more than 30, 60 and 90 days, over 3 weeks; latest 40.0%, 30.0%, 20.0%',
    );
    const trend = sampleSummary(SHOP).churnTrend;
    await vi.waitFor(() => expect(charts.at(-1)?.data).toEqual([trend.weekStartMs, trend.d30, trend.d60, trend.d90]));
    await act(async () => {
      (el.querySelector('[data-testid="sync-now"]') as HTMLButtonElement).click();
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(sent.map((r) => r.type).filter((type) => type !== 'customers.names')).toEqual(['status.get', 'sync.now', 'status.get']);
  });

  it('shows a shop error in words, by its code, in the browser language', async () => {
    const status = () => ({
      shops: [shopStatus({ syncState: 'error', lastError: { code: 'unauthorized', message: 'The app no longer accepts this extension (HTTP 401).' } })],
      notices: [],
    });
    const { el } = await mount(status);
    expect(el.querySelector('[data-testid="shop-error"]')?.textContent).toBe(
      'The CLV Lens app no longer accepts this browser: the connection was revoked or has expired. Connect again from the options page with a new pairing link.',
    );
    expect(el.querySelector('[data-testid="connection"]')?.textContent).toContain('Sync problem');
    document.body.replaceChildren();
    resetUiLocale('ko');
    try {
      const ko = await mount(status);
      expect(ko.el.querySelector('[data-testid="shop-error"]')?.textContent).toBe(
        'CLV Lens 앱이 이 브라우저의 연결을 더 이상 받지 않습니다. 연결이 취소되었거나 만료되었습니다. 옵션 페이지에서 새 페어링 링크로 다시 연결하세요.',
      );
    } finally {
      resetUiLocale('en');
    }
  });

  it('says the computer is offline when the last sync failed without network, in Arabic', async () => {
    resetUiLocale('ar');
    try {
      const { el } = await mount(() => ({
        shops: [
          shopStatus({
            syncState: 'error',
            lastError: { code: 'offline', message: 'The browser is offline.', params: { origin: 'https://clv.example.com' } },
          }),
        ],
        notices: [],
      }));
      expect(el.querySelector('[data-testid="shop-error"]')?.textContent).toBe('جهازك غير متصل بالشبكة. سيعود CLV Lens إلى المزامنة فور عودة الاتصال.');
      expect(el.querySelector('main')?.getAttribute('dir')).toBe('rtl');
    } finally {
      resetUiLocale('en');
    }
  });
});

describe('a shop the app has computed nothing for yet (metricsPending)', () => {
  const pending = (sync: Partial<ShopSummaryV1['sync']>): ShopSummaryV1 => ({
    ...sampleSummary(SHOP),
    metricsPending: true,
    customers: 0,
    repeatPurchaseRate: { windowDays: 365, value: 0 },
    averageClvMinor: 0,
    churn: { d30: 0, d60: 0, d90: 0 },
    churnBacktest: null,
    topAtRisk: [],
    sync: { state: 'backfilling', ordersDone: 0, ordersEstimated: null, lastSyncAtMs: null, message: null, ...sync },
  });

  it('names the step the shop is at instead of showing its placeholder zeros as figures', async () => {
    const { el } = await mount((req) =>
      req.type === 'status.get'
        ? { shops: [shopStatus({ summary: pending({ ordersDone: 700, ordersEstimated: 1740 }) })], notices: [] }
        : { customersReceived: 0, customersDeleted: 0, evictedShops: [] },
    );
    expect(el.querySelector('[data-testid="metrics-pending"]')?.textContent).toBe(
      'Importing your order history (700 of about 1,740 orders). The metrics appear here when it is done.',
    );
    for (const id of ['repeat-rate', 'average-clv', 'churn', 'at-risk', 'backtest']) expect(el.querySelector(`[data-testid="${id}"]`), id).toBeNull();
    expect(el.querySelector('.uplot-chart')).toBeNull();
  });

  it('says which step in each language: importing, retrying after an error, scoring for the first time', () => {
    const cases: [Partial<ShopSummaryV1['sync']>, Record<'en' | 'ko' | 'ar', string>][] = [
      [
        { state: 'not-started', ordersDone: 0 },
        {
          en: 'Importing your order history (0 orders). The metrics appear here when it is done.',
          ko: '과거 주문을 가져오는 중입니다(주문 0건). 끝나면 여기에 지표가 표시됩니다.',
          ar: 'جارٍ جلب سجل طلباتك (0 طلب). تظهر المؤشرات هنا عند انتهائه.',
        },
      ],
      [
        { state: 'backfilling', ordersDone: 12_500, ordersEstimated: 40_000 },
        {
          en: 'Importing your order history (12,500 of about 40,000 orders). The metrics appear here when it is done.',
          ko: '과거 주문을 가져오는 중입니다(주문 약 40,000건 중 12,500건). 끝나면 여기에 지표가 표시됩니다.',
          ar: 'جارٍ جلب سجل طلباتك (12,500 من نحو 40,000 طلب). تظهر المؤشرات هنا عند انتهائه.',
        },
      ],
      [
        { state: 'error', message: 'The export download failed (HTTP 500); retrying.' },
        {
          en: 'Importing your order history hit a problem; the app is trying again. The metrics appear here when it is done.',
          ko: '과거 주문을 가져오다 문제가 생겨 앱이 다시 시도하고 있습니다. 끝나면 여기에 지표가 표시됩니다.',
          ar: 'واجه جلب سجل طلباتك مشكلة، والتطبيق يعيد المحاولة. تظهر المؤشرات هنا عند انتهائه.',
        },
      ],
      [
        { state: 'live', ordersDone: 40_000, ordersEstimated: 40_000 },
        {
          en: 'Every order is imported; your customers are being scored for the first time. The metrics appear here when that is done.',
          ko: '모든 주문을 가져왔고 지금 고객을 처음으로 분석하고 있습니다. 끝나면 여기에 지표가 표시됩니다.',
          ar: 'استُوردت كل الطلبات، ويجري الآن تقييم عملائك لأول مرة. تظهر المؤشرات هنا عند انتهاء ذلك.',
        },
      ],
    ];
    try {
      for (const [sync, text] of cases) {
        for (const locale of ['en', 'ko', 'ar'] as const) {
          resetUiLocale(locale);
          expect(describePending(pending(sync).sync), `${sync.state} ${locale}`).toBe(text[locale]);
        }
      }
    } finally {
      resetUiLocale('en');
    }
  });
});

describe('describeBacktest', () => {
  it("adds that a large shop was checked on an even sample of its customers, in the browser's language", () => {
    const bt = { ...sampleSummary('demo.myshopify.com').churnBacktest!, sample: { customers: 250_000, ofCustomers: 1_270_400 } };
    try {
      expect(describeBacktest(bt).at(-1)).toBe('Your shop is large: the model was fitted and checked on an even sample of 250,000 of its 1,270,400 customers.');
      resetUiLocale('ko');
      expect(describeBacktest(bt).at(-1)).toBe('스토어가 커서, 고객 1,270,400명 중 고르게 뽑은 250,000명으로 모델을 맞추고 검증했습니다.');
      resetUiLocale('ar');
      expect(describeBacktest(bt).at(-1)).toBe('متجرك كبير: درّبنا النموذج وتحققنا منه على عيّنة من 250,000 اخترناها بالتساوي من بين 1,270,400 عميل.');
    } finally {
      resetUiLocale('en');
    }
    // Without a sample (every customer fitted, or a summary of an older app): the two sentences alone.
    expect(describeBacktest({ ...bt, sample: null })).toHaveLength(2);
    const { sample: _, ...older } = bt;
    expect(describeBacktest(older)).toHaveLength(2);
  });
});
