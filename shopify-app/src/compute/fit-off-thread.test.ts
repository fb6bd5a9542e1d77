import { describe, expect, it } from 'vitest';
import { fitChurnModels, type CountedOrder } from '@clvlens/core';
import { fitChurnModelsOffThread } from './fit-off-thread.ts';

const DAY = 86_400_000;
const AS_OF = Date.parse('2026-11-20T23:59:59.999Z');

/** 400 customers, 1-6 orders each over two years (deterministic). */
function countedOrders(): CountedOrder[] {
  let seed = 777;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const orders: CountedOrder[] = [];
  for (let c = 1; c <= 400; c++) {
    let at = AS_OF - 700 * DAY + Math.floor(next() * 300) * DAY;
    for (let k = 0, n = 1 + Math.floor(next() * 6); k < n && at < AS_OF; k++) {
      orders.push({ customerKey: c % 7 === 0 ? `guest${c}@example.com` : String(c), placedAtMs: at, amountMinor: 500 + Math.floor(next() * 9000) });
      at += Math.floor(15 + next() * 150) * DAY;
    }
  }
  return orders;
}

describe('fitChurnModelsOffThread', () => {
  it('fits on a worker thread exactly what core fits in place', async () => {
    const orders = countedOrders();
    const options = { asOfMs: AS_OF, timeZone: 'America/New_York' };
    const inPlace = fitChurnModels(orders, options);
    expect(inPlace.method).toBe('mbg-nbd');
    expect(await fitChurnModelsOffThread(orders, { ...options, minOrdersOffThread: 0 })).toEqual(inPlace);
  });

  it('passes the fit options through, and fits small shops in place', async () => {
    const orders = countedOrders();
    const options = { asOfMs: AS_OF, timeZone: 'UTC', minRepeatCustomers: 100_000 };
    const offThread = await fitChurnModelsOffThread(orders, { ...options, minOrdersOffThread: 0 });
    expect(offThread).toMatchObject({ method: 'cadence-rule', fallbackReason: 'too-few-repeat-customers' });
    expect(offThread).toEqual(fitChurnModels(orders, options));
    expect(await fitChurnModelsOffThread(orders, { asOfMs: AS_OF, timeZone: 'UTC' })).toEqual(fitChurnModels(orders, { asOfMs: AS_OF, timeZone: 'UTC' }));
  });
});
