import { describe, expect, it } from 'vitest';
import { prepareShopReport, type OrderRecord } from '@clvlens/core';
import { computeShopMetrics, shopReportOptions, type ComputeContext } from './insights.ts';
import { computePreparedShopMetricsOffThread } from './metrics-off-thread.ts';

const DAY = 86_400_000;
const AS_OF = Date.parse('2026-11-20T23:59:59.999Z');

/** 600 customers (every 7th a guest), 1-6 orders each over two years; some cancelled, test, refunded, subscriptions or after "as of". */
function records(): OrderRecord[] {
  let seed = 4242;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out: OrderRecord[] = [];
  for (let c = 1; c <= 600; c++) {
    let at = AS_OF - 700 * DAY + Math.floor(next() * 300) * DAY;
    for (let k = 0, n = 1 + Math.floor(next() * 6); k < n; k++) {
      const guest = c % 7 === 0;
      const total = 500 + Math.floor(next() * 9000);
      const refunded = out.length % 11 === 0 ? Math.floor(total / 3) : 0;
      const record: OrderRecord = {
        orderId: String(out.length + 1),
        customerId: guest ? null : String(c),
        email: guest ? `guest${c}@example.com` : null,
        placedAtMs: at,
        currency: 'EUR',
        totalMinor: total,
        refundedMinor: refunded,
        cancelled: out.length % 31 === 0,
        test: out.length % 53 === 0,
        subscription: c % 5 === 0,
      };
      if (refunded > 0 && out.length % 2 === 0) record.refunds = [{ refundedAtMs: at + 3 * DAY, amountMinor: refunded }];
      out.push(record);
      at += Math.floor(15 + next() * 150) * DAY;
    }
  }
  return out;
}

const context: ComputeContext = { currency: 'EUR', timeZone: 'Europe/Paris', asOfMs: AS_OF, options: { margin: 0.4, windowDays: 180 } };

describe('computePreparedShopMetricsOffThread', () => {
  const prepared = (all: readonly OrderRecord[]) => prepareShopReport(all, shopReportOptions(context));

  it('computes on a worker thread exactly the summary and report of the records computed in place', async () => {
    const all = records();
    expect(all.some((r) => r.refunds !== undefined) && all.some((r) => r.placedAtMs > AS_OF)).toBe(true);
    const inPlace = computeShopMetrics(all, context);
    expect(inPlace.summary.customers).toBeGreaterThan(500);
    const offThread = await computePreparedShopMetricsOffThread(prepared(all), context, { minOrdersOffThread: 0 });
    expect(offThread).toEqual(inPlace);
    // What the app stores is the JSON text of both.
    expect(JSON.stringify(offThread)).toBe(JSON.stringify(inPlace));
  });

  it('computes small shops in place', async () => {
    const all = records();
    expect(await computePreparedShopMetricsOffThread(prepared(all), context)).toEqual(computeShopMetrics(all, context));
  });
});
