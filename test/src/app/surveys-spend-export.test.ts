/**
 * Issue 16, parts 4 and 5, end to end over real HTTP: the real app (PGlite) on the fake Shopify with a generated shop
 * installed through token exchange and backfilled. Survey answers and monthly spend are uploaded through the
 * dashboard API; the scorecard's NPS, CSAT and LTV:CAC are checked against values computed here from the uploaded
 * rows and the fake's own orders (no app or core code in the expectation); the shop's marketing activities supply
 * the spend of a month nobody uploaded. Then re-upload, a bad line, and the CSV export of a risk tier.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerInsightV1 } from '@clvlens/core';
import { customerDisplayName } from '../fake-shopify/derived.ts';
import { generateShop } from '../generator/generate.ts';
import type { ShopData } from '../shop-model/types.ts';
import { startHarness, truthRecords, waitForLive, type Harness } from './harness.ts';

interface FeedbackMetrics {
  currency: string;
  marginFraction: number;
  nps: {
    overall: { value: number; responses: number };
    trend: { month: string; value: { value: number } }[];
    sources: { kind: string; fileName?: string }[];
  } | null;
  csat: {
    overall: { value: number; responses: number };
    trend: { month: string; value: { value: number } }[];
    sources: { kind: string; fileName?: string }[];
  } | null;
  ltvCac: {
    overall: number;
    trend: { month: string; newCustomers: number; spendMinor: number; ltvToCac: number | null; spendSource: string }[];
    sources: { kind: string; fileName?: string }[];
  } | null;
}
interface ImportResult {
  rowsRead: number;
  rowsAdded: number;
  rowsRejected: number;
  errors: { line: number; field: string | null; message: string }[];
}

/** A small RFC 4180 reader for the export (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe('surveys, spend and the segment export over HTTP (issue 16)', () => {
  let h: Harness;
  let data: ShopData;
  let shop: string;
  let asOfMs: number;
  /** Acquisition months (shop time zone) with their new customers and net revenue up to asOf, from the fake's orders. */
  let cohort: Map<string, { customers: number; revenueMinor: number }>;
  let months: [string, string, string];
  let spend: Map<string, number>;
  const monthOf = (ms: number) => {
    const p = new Intl.DateTimeFormat('en-CA', { timeZone: data.shop.ianaTimezone, year: 'numeric', month: '2-digit' }).formatToParts(ms);
    return `${p.find((x) => x.type === 'year')!.value}-${p.find((x) => x.type === 'month')!.value}`;
  };
  const upload = async (kind: 'surveys' | 'spend', csv: string, fileName: string): Promise<ImportResult> => {
    const res = await h.appApi(shop, `/app/api/imports/${kind}?fileName=${fileName}`, { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } });
    expect(res.status).toBe(200);
    return (await res.json()) as ImportResult;
  };
  const metrics = async (): Promise<FeedbackMetrics> => {
    const res = await h.appApi(shop, '/app/api/feedback-metrics');
    expect(res.status).toBe(200);
    return (await res.json()) as FeedbackMetrics;
  };

  // 40 NPS answers (scores cycle 0..10) in two months and 12 CSAT answers (1..5); counted here, by hand.
  const npsScores = Array.from({ length: 40 }, (_, i) => i % 11);
  const csatScores = Array.from({ length: 12 }, (_, i) => 1 + (i % 5));
  const surveyCsv = [
    'type,score,date,comment',
    ...npsScores.map((s, i) => `nps,${s},${i < 20 ? '2026-09-15' : '2026-10-15'},"thanks, ${i}"`),
    ...csatScores.map((s) => `CSAT,${s},2026-10-20,`),
  ].join('\r\n');

  beforeAll(async () => {
    h = await startHarness({ fakeOptions: { scopes: ['read_orders', 'read_customers', 'read_all_orders', 'read_marketing_events'] } });
    data = generateShop({ seed: 1616, customers: 400, historyDays: 420, endMs: Date.now() - 3_600_000, shopName: 'Survey Spend Test' });
    shop = data.shop.domain;
    h.fake.control.loadShop(data);
    expect((await h.openApp(shop)).status).toBe(200);
    asOfMs = (await waitForLive(h, shop)).asOfMs;
    // The fake's orders, counted by hand: first counted order's month (shop time zone) and net revenue up to asOf.
    const counted = truthRecords(data).filter((o) => !o.test && !o.cancelled && o.totalMinor - o.refundedMinor > 0 && o.placedAtMs <= asOfMs);
    const firstAt = new Map<string, number>();
    for (const o of counted) {
      const key = o.customerId ?? `email:${o.email}`;
      firstAt.set(key, Math.min(firstAt.get(key) ?? Infinity, o.placedAtMs));
    }
    cohort = new Map<string, { customers: number; revenueMinor: number }>();
    for (const at of firstAt.values()) {
      const c = cohort.get(monthOf(at)) ?? { customers: 0, revenueMinor: 0 };
      c.customers++;
      cohort.set(monthOf(at), c);
    }
    for (const o of counted) cohort.get(monthOf(firstAt.get(o.customerId ?? `email:${o.email}`)!))!.revenueMinor += o.totalMinor - o.refundedMinor;
    // Three recent months with new customers: two uploaded, one from Shopify.
    months = [...cohort.keys()].sort().slice(-6, -3) as [string, string, string];
    expect(months).toHaveLength(3);
    const [m1, m3] = [months[0], months[2]];
    spend = new Map([
      [m1, 150_000],
      [months[1], 90_050],
      [m3, 42_000],
    ]);
    // Shopify (read once the dashboard first asks, then every 6 hours): the whole of m3's spend in one activity inside m3, and one in m1 that the upload overrides.
    const mid = (month: string, day: number) => Date.parse(`${month}-${String(day).padStart(2, '0')}T12:00:00Z`);
    h.fake.control.addMarketingActivity(shop, {
      id: 501,
      title: 'Autumn ads',
      createdAtMs: mid(m3, 5),
      updatedAtMs: mid(m3, 20),
      adSpend: { amount: '420.00', currencyCode: data.shop.currencyCode },
      budget: { budgetType: 'LIFETIME', total: { amount: '500.00', currencyCode: data.shop.currencyCode } },
      event: { id: 9001, startedAtMs: mid(m3, 5), endedAtMs: mid(m3, 20) },
    });
    h.fake.control.addMarketingActivity(shop, {
      id: 502,
      title: 'Overridden by the upload',
      createdAtMs: mid(m1, 3),
      updatedAtMs: mid(m1, 9),
      adSpend: { amount: '77.00', currencyCode: data.shop.currencyCode },
      budget: null,
      event: { id: 9002, startedAtMs: mid(m1, 3), endedAtMs: mid(m1, 9) },
    });
  }, 180_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('shows NPS and CSAT of the uploaded answers, overall and by month, naming the file', async () => {
    const result = await upload('surveys', surveyCsv, 'answers.csv');
    expect(result).toMatchObject({ rowsRead: 52, rowsAdded: 52, rowsRejected: 0 });
    const nps = (scores: number[]) => (100 * (scores.filter((s) => s >= 9).length - scores.filter((s) => s <= 6).length)) / scores.length;
    const m = await metrics();
    expect(m.nps!.overall.responses).toBe(40);
    expect(m.nps!.overall.value).toBeCloseTo(nps(npsScores), 10);
    expect(m.nps!.trend.map((r) => [r.month, r.value.value])).toEqual([
      ['2026-09', nps(npsScores.slice(0, 20))],
      ['2026-10', nps(npsScores.slice(20))],
    ]);
    expect(m.csat!.overall.value).toBeCloseTo(csatScores.filter((s) => s >= 4).length / 12, 10);
    expect(m.nps!.sources).toEqual([expect.objectContaining({ kind: 'upload', fileName: 'answers.csv' })]);
  });

  it('computes LTV:CAC from uploaded spend, and from Shopify marketing activities for a month nobody uploaded', async () => {
    const [m1, m2, m3] = months;
    await upload('spend', `month,amount\n${m1},1500.00\n${m2},900.50\n`, 'spend.csv');
    const m = await metrics();
    const margin = m.marginFraction;
    let ltvTimesCustomers = 0;
    let totalSpend = 0;
    for (const month of months) {
      const c = cohort.get(month)!;
      const row = m.ltvCac!.trend.find((r) => r.month === month)!;
      expect(row).toMatchObject({ newCustomers: c.customers, spendMinor: spend.get(month), spendSource: month === m3 ? 'shopify' : 'upload' });
      const expected = ((c.revenueMinor / c.customers) * margin) / (spend.get(month)! / c.customers);
      expect(row.ltvToCac).toBeCloseTo(expected, 9);
      ltvTimesCustomers += c.revenueMinor * margin;
      totalSpend += spend.get(month)!;
    }
    expect(m.ltvCac!.overall).toBeCloseTo(ltvTimesCustomers / totalSpend, 9);
    expect(m.ltvCac!.sources.map((s) => s.kind).sort()).toEqual(['shopify', 'upload']);
    expect(m.ltvCac!.sources.find((s) => s.kind === 'upload')!.fileName).toBe('spend.csv');
  });

  it('adds nothing when the same files are uploaded again', async () => {
    const before = await metrics();
    expect(await upload('surveys', surveyCsv, 'answers.csv')).toMatchObject({ rowsRead: 52, rowsAdded: 0 });
    const spend = (before.ltvCac!.trend.filter((r) => r.spendSource === 'upload').map((r) => `${r.month},${(r.spendMinor / 100).toFixed(2)}`) ?? []).join('\n');
    expect(await upload('spend', `month,amount\n${spend}`, 'spend.csv')).toMatchObject({ rowsAdded: 0 });
    const after = await metrics();
    expect(after.nps!.overall).toEqual(before.nps!.overall);
    expect(after.csat!.overall).toEqual(before.csat!.overall);
    expect(after.ltvCac!.overall).toBe(before.ltvCac!.overall);
  });

  it('rejects a bad line naming its line and field, and keeps the good ones', async () => {
    const result = await upload('surveys', 'type,score,date\nnps,10,2026-11-01\nnps,ten,2026-11-01\ncsat,4,2026-11-01', 'november.csv');
    expect(result).toMatchObject({ rowsRead: 3, rowsAdded: 2, rowsRejected: 1 });
    expect(result.errors).toEqual([
      {
        line: 3,
        column: 2,
        field: 'score',
        message: 'november.csv:3:2 (field "score"): "ten" is not a whole NPS score from 0 to 10.',
        problem: { reason: 'survey-score', value: 'ten', params: { type: 'NPS', min: 0, max: 10 } },
      },
    ]);
    expect((await metrics()).nps!.overall.responses).toBe(41);
  });

  it('exports a risk tier as CSV: the tier’s customers, names and emails from Shopify, Korean headers, BOM', async () => {
    const res = await h.appApi(shop, '/app/api/export?by=tier&value=high&locale=ko');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="clvlens-tier-high-\d{4}-\d{2}-\d{2}\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parseCsv(new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes));
    expect(header).toEqual([
      '고객 ID',
      '이름',
      '이메일',
      '주문 수',
      '총 구매액',
      '통화',
      '마지막 주문 후 경과 일수',
      '주문이 없을 확률(0–1)',
      '이탈 판단 기간(일)',
      '위험 등급',
      '예측 CLV(12개월)',
      'RFM 세그먼트',
    ]);
    const insights = (await h.database.db.selectFrom('customer_insights').select('payload').where('shop_id', '=', shop).where('deleted', '=', false).execute())
      .map((r) => JSON.parse(r.payload!) as CustomerInsightV1)
      .filter((i) => i.churnTier === 'high')
      .sort((a, b) => Number(a.customerId) - Number(b.customerId));
    expect(insights.length).toBeGreaterThan(5);
    expect(rows.map((r) => r[0])).toEqual(insights.map((i) => i.customerId));
    const customers = new Map(h.fake.control.truth(shop).customers.map((c) => [String(c.id), c]));
    for (const [i, row] of rows.entries()) {
      const insight = insights[i]!;
      const customer = customers.get(insight.customerId)!;
      expect(row[1]).toBe(customerDisplayName(customer));
      expect(row[2]).toBe(customer.email ?? '');
      expect(Number(row[3])).toBe(insight.orderCount);
      expect(Number(row[4])).toBeCloseTo(insight.historicClvMinor / 100, 2);
      expect(row[5]).toBe(data.shop.currencyCode);
      // Written to 4 decimals, rounded half up: toBeCloseTo(…, 4) failed on a probability ending in exactly 5 there.
      expect(Number(row[7])).toBe(Math.round(insight.churnProbability * 10_000) / 10_000);
      expect(row[9]).toBe('high');
    }
    // Without names nothing is asked of Shopify and the cells stay empty.
    const bareBytes = new Uint8Array(await (await h.appApi(shop, '/app/api/export?by=tier&value=high&names=0')).arrayBuffer());
    const bare = parseCsv(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bareBytes));
    expect(bare[0]![0]).toBe('\uFEFFCustomer ID');
    expect(bare.slice(1).every((r) => r[1] === '' && r[2] === '')).toBe(true);
    // A value that is no tier is refused, and a request without a session token too.
    expect((await h.appApi(shop, '/app/api/export?by=tier&value=severe')).status).toBe(400);
    expect((await fetch(`${h.server.url}/app/api/export?by=tier&value=high`)).status).toBe(401);
  });
});
