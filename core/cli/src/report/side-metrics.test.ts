import { describe, expect, it } from 'vitest';
import { computeShopReport, computeShopReportSideMetrics, prepareShopReport, type OrderRecord, type ShopReportOptions } from '@clvlens/core';
import { computeReport, startSideMetricsThread } from './side-metrics.ts';

const DAY_MS = 86_400_000;
const asOfMs = Date.UTC(2025, 0, 1) - 1;

/** 3,000 orders of 700 customers over two years, some by e-mail only, refunded, cancelled or subscriptions. */
function orders(): OrderRecord[] {
  return Array.from({ length: 3000 }, (_, i) => {
    const c = (i * 7919) % 700;
    return {
      orderId: `#${1001 + i}`,
      customerId: c % 5 === 0 ? null : String(100 + c),
      email: c % 5 === 0 ? `c${c}@example.com` : null,
      placedAtMs: asOfMs - ((i * 104_729) % 730) * DAY_MS - (i % 86_400) * 1000,
      currency: 'EUR',
      totalMinor: 500 + ((i * 37) % 20_000),
      refundedMinor: i % 17 === 0 ? 200 : 0,
      cancelled: i % 41 === 0,
      test: false,
      subscription: c % 9 === 0,
    };
  });
}

describe('startSideMetricsThread', () => {
  it('computes on its thread the side metrics this thread computes', async () => {
    const options: ShopReportOptions = { asOfMs, timeZone: 'Europe/Paris', marginFraction: 0.35, periodDays: 60 };
    const data = prepareShopReport(orders(), options);
    const thread = startSideMetricsThread();
    try {
      const side = await thread.compute(data, options);
      expect(side).not.toBeNull();
      expect(side).toEqual(computeShopReportSideMetrics(data, options));
      expect(side?.rfm.segmentCounts).not.toEqual(computeShopReportSideMetrics(prepareShopReport(orders().slice(1000), options), options).rfm.segmentCounts);
    } finally {
      thread.stop();
    }
  });
  it('resolves to null when the thread is gone, so that the caller computes them itself', async () => {
    const options: ShopReportOptions = { asOfMs };
    const data = prepareShopReport(orders(), options);
    const thread = startSideMetricsThread();
    thread.stop();
    expect(await thread.compute(data, options)).toBeNull();
  });
});

describe('computeReport', () => {
  it('gives the JSON of computeShopReport on one thread, with its side metrics on another', async () => {
    const options: ShopReportOptions = { asOfMs, timeZone: 'America/New_York', marginFraction: 0.5 };
    const list = orders();
    expect(JSON.stringify(await computeReport(list, options, 0))).toBe(JSON.stringify(computeShopReport(list, options)));
    expect(JSON.stringify(await computeReport(list, options))).toBe(JSON.stringify(computeShopReport(list, options)));
  });
});
