import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import type { OrderRecord } from '../../orders/order.ts';
import { addDays, endOfUtcDay, order } from '../../testing/orders.ts';
import { countRfmSegments, RFM_SEGMENT_TABLE, RFM_SEGMENTS, rfmSegmentOf, scoreRfm } from './rfm.ts';

describe('rfmSegmentOf', () => {
  it('maps scores to Shopify segment names by the documented table', () => {
    expect(rfmSegmentOf(5, 5, 5)).toBe('CHAMPIONS');
    expect(rfmSegmentOf(5, 1, 1)).toBe('NEW');
    expect(rfmSegmentOf(4, 1, 1)).toBe('PROMISING');
    expect(rfmSegmentOf(3, 5, 4)).toBe('LOYAL');
    expect(rfmSegmentOf(4, 3, 2)).toBe('ACTIVE'); // FM = round(2.5) = 3
    expect(rfmSegmentOf(3, 2, 2)).toBe('NEEDS_ATTENTION');
    expect(rfmSegmentOf(2, 4, 4)).toBe('AT_RISK');
    expect(rfmSegmentOf(1, 5, 5)).toBe('PREVIOUSLY_LOYAL');
    expect(rfmSegmentOf(2, 1, 1)).toBe('ALMOST_LOST');
    expect(rfmSegmentOf(1, 1, 2)).toBe('DORMANT');
  });
  it('uses all ten segment names in the table', () => {
    expect(new Set(RFM_SEGMENT_TABLE.flat())).toEqual(new Set(RFM_SEGMENTS));
  });
});

describe('scoreRfm', () => {
  it('scores by quintile within the shop: five customers spread 1 to 5', () => {
    const asOf = '2024-12-31';
    const orders: OrderRecord[] = [];
    for (let i = 0; i < 5; i++) {
      // Customer i: last order 10 x (5 - i) days ago, i + 1 orders, (i + 1) x 1000 each.
      for (let k = 0; k <= i; k++) orders.push(order(`c${i}`, addDays(asOf, -10 * (5 - i) - 40 * k), 1000));
    }
    const scores = scoreRfm(prepareOrders(orders, { asOfMs: endOfUtcDay(asOf) }));
    expect(Array.from(scores.recencyScore)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(scores.frequencyScore)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(scores.monetaryScore)).toEqual([1, 2, 3, 4, 5]);
    expect(scores.segment).toEqual(['DORMANT', 'ALMOST_LOST', 'NEEDS_ATTENTION', 'LOYAL', 'CHAMPIONS']);
    expect(countRfmSegments(scores)).toMatchObject({ CHAMPIONS: 1, LOYAL: 1, NEW: 0 });
  });
  it('gives tied customers the same score', () => {
    const orders = [order('a', '2024-12-01', 1000), order('b', '2024-12-01', 1000), order('c', '2024-12-01', 1000)];
    const scores = scoreRfm(prepareOrders(orders, { asOfMs: endOfUtcDay('2024-12-31') }));
    expect(Array.from(scores.recencyScore)).toEqual([1, 1, 1]);
  });
});

describe('scoreRfm quintiles', () => {
  it('scores fractional monetary values (fallback path) the same way as integer ones', () => {
    const asOf = '2024-12-31';
    const make = (scale: number) => {
      const orders: OrderRecord[] = [];
      for (let i = 0; i < 23; i++) orders.push(order(`c${String(i).padStart(2, '0')}`, addDays(asOf, -((i * 7) % 40)), 1000 + ((i * 37) % 11) * 100));
      const data = prepareOrders(orders, { asOfMs: endOfUtcDay(asOf) });
      return scoreRfm({ ...data, customerNetMinor: data.customerNetMinor.map((v) => v * scale) });
    };
    expect(Array.from(make(1.5).monetaryScore)).toEqual(Array.from(make(1).monetaryScore));
    expect(Array.from(make(1).monetaryScore)).toContain(5);
  });
});
