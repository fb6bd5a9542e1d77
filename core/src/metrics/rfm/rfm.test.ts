import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import type { OrderRecord } from '../../orders/order.ts';
import { addDays, endOfUtcDay, order } from '../../testing/orders.ts';
import { countRfmSegments, rfmCutPointsOf, RFM_SEGMENT_TABLE, RFM_SEGMENTS, rfmSegmentOf, scoreRfm, scoreRfmAgainst } from './rfm.ts';
import type { RfmValues } from './rfm.ts';

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
  it('scores integer values over a small range (counted) as over a wide one (sorted): the same quintiles', () => {
    // 600 customers with values 0..299 (ties in every score band); scaled by 100,003 the range is too wide to count.
    const asOf = '2024-12-31';
    const orders: OrderRecord[] = [];
    for (let i = 0; i < 600; i++) {
      const c = `c${String(i).padStart(3, '0')}`;
      for (let k = 0; k <= (i * 13) % 7; k++) orders.push(order(c, addDays(asOf, -((i * 31) % 300) - 400 * k), 100 + ((i * 97) % 300)));
    }
    const data = prepareOrders(orders, { asOfMs: endOfUtcDay(asOf) });
    const narrow = scoreRfm(data);
    const wide = scoreRfm({
      ...data,
      asOfDay: data.asOfDay * 100_003,
      orderDay: data.orderDay.map((d) => d * 100_003),
      customerNetMinor: data.customerNetMinor.map((v) => v * 100_003),
    });
    // Frequency (order counts) stays narrow in both; recency and monetary take the other path when wide.
    expect(Array.from(wide.recencyScore)).toEqual(Array.from(narrow.recencyScore));
    expect(Array.from(wide.monetaryScore)).toEqual(Array.from(narrow.monetaryScore));
    expect(new Set(narrow.recencyScore)).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(new Set(narrow.monetaryScore)).toEqual(new Set([1, 2, 3, 4, 5]));
  });
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

/** scoreRfm's definition written out directly: 1 + floor(5 x strictly-worse count / n), capped at 5. */
function quintile(values: readonly number[], v: number, higherIsBetter: boolean): number {
  const worse = values.filter((u) => (higherIsBetter ? u < v : u > v)).length;
  return Math.min(5, 1 + Math.floor((5 * worse) / values.length));
}

function directScores(population: readonly RfmValues[], c: RfmValues): { recencyScore: number; frequencyScore: number; monetaryScore: number } {
  return {
    recencyScore: quintile(
      population.map((p) => p.daysSinceLastOrder),
      c.daysSinceLastOrder,
      false,
    ),
    frequencyScore: quintile(
      population.map((p) => p.orderCount),
      c.orderCount,
      true,
    ),
    monetaryScore: quintile(
      population.map((p) => p.netSpentMinor),
      c.netSpentMinor,
      true,
    ),
  };
}

/** Small value ranges so ties are common. */
const rfmValues = (spread: number): fc.Arbitrary<RfmValues> =>
  fc.record({
    daysSinceLastOrder: fc.integer({ min: 0, max: spread }),
    orderCount: fc.integer({ min: 1, max: Math.max(1, spread >> 2) }),
    netSpentMinor: fc.oneof(fc.integer({ min: -spread, max: 10 * spread }), fc.double({ min: -100, max: 1000, noNaN: true })),
  });

describe('rfmCutPointsOf and scoreRfmAgainst', () => {
  it('worked example: ten customers give the cut points at ranks 2, 4, 6 and 8 and reproduce the quintiles', () => {
    const population = Array.from({ length: 10 }, (_, i) => ({ daysSinceLastOrder: 10 * i, orderCount: 1 + (i >> 1), netSpentMinor: 1000 * (i + 1) }));
    const cuts = rfmCutPointsOf(population);
    expect(cuts).toEqual({ customers: 10, recencyDays: [80, 60, 40, 20], orderCount: [1, 2, 3, 4], netSpentMinor: [2000, 4000, 6000, 8000] });
    // 25 days is better than the 7 customers at 30..90 days: 1 + floor(5 x 7 / 10) = 4.
    expect(scoreRfmAgainst(cuts, { daysSinceLastOrder: 25, orderCount: 5, netSpentMinor: 100_000 })).toEqual({
      recencyScore: 4,
      frequencyScore: 5,
      monetaryScore: 5,
      segment: 'CHAMPIONS',
    });
    for (const c of population) expect(scoreRfmAgainst(cuts, c)).toMatchObject(directScores(population, c));
  });

  it('property: scoring a member of the reference population against its cut points equals the quintile definition (ties, n = 1..7)', () => {
    fc.assert(
      fc.property(fc.array(rfmValues(6), { minLength: 1, maxLength: 7 }), (population) => {
        const cuts = rfmCutPointsOf(population);
        for (const c of population) {
          const scores = directScores(population, c);
          expect(scoreRfmAgainst(cuts, c)).toEqual({ ...scores, segment: rfmSegmentOf(scores.recencyScore, scores.frequencyScore, scores.monetaryScore) });
        }
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it('property: the same for large populations, and any new value scores as if compared with the population', () => {
    fc.assert(
      fc.property(fc.array(rfmValues(400), { minLength: 50, maxLength: 600 }), fc.array(rfmValues(500), { maxLength: 20 }), (population, newcomers) => {
        const cuts = rfmCutPointsOf(population);
        for (const c of [...population, ...newcomers]) expect(scoreRfmAgainst(cuts, c)).toMatchObject(directScores(population, c));
      }),
      { numRuns: 60, seed: 12 },
    );
  });

  it('scores everyone 1 in every dimension when all values are equal', () => {
    const population = Array.from({ length: 9 }, () => ({ daysSinceLastOrder: 3, orderCount: 2, netSpentMinor: 500 }));
    const cuts = rfmCutPointsOf(population);
    expect(scoreRfmAgainst(cuts, population[0]!)).toEqual({ recencyScore: 1, frequencyScore: 1, monetaryScore: 1, segment: 'DORMANT' });
    // A newcomer better on every dimension than all nine beats every cut point.
    expect(scoreRfmAgainst(cuts, { daysSinceLastOrder: 0, orderCount: 3, netSpentMinor: 501 })).toMatchObject({
      recencyScore: 5,
      frequencyScore: 5,
      monetaryScore: 5,
    });
  });

  it('scores 1 everywhere against an empty reference population, and the cut points survive JSON', () => {
    const empty = rfmCutPointsOf([]);
    expect(empty).toEqual({ customers: 0, recencyDays: [], orderCount: [], netSpentMinor: [] });
    expect(scoreRfmAgainst(empty, { daysSinceLastOrder: 0, orderCount: 9, netSpentMinor: 1e6 })).toEqual({
      recencyScore: 1,
      frequencyScore: 1,
      monetaryScore: 1,
      segment: 'DORMANT',
    });
    const cuts = rfmCutPointsOf([
      { daysSinceLastOrder: 4, orderCount: 1, netSpentMinor: 12.5 },
      { daysSinceLastOrder: 1, orderCount: 3, netSpentMinor: 7 },
    ]);
    expect(JSON.parse(JSON.stringify(cuts))).toStrictEqual(cuts);
  });

  it('agrees with scoreRfm on a prepared shop', () => {
    const asOf = '2024-12-31';
    const orders: OrderRecord[] = [];
    for (let i = 0; i < 37; i++)
      for (let k = 0; k <= i % 4; k++)
        orders.push(order(`c${String(i).padStart(2, '0')}`, addDays(asOf, -((i * 13) % 50) - 20 * k), 500 + ((i * 31) % 9) * 250));
    const data = prepareOrders(orders, { asOfMs: endOfUtcDay(asOf) });
    const scores = scoreRfm(data);
    const values = data.customerKeys.map((_, c) => ({
      daysSinceLastOrder: data.asOfDay - data.orderDay[data.customerStart[c + 1]! - 1]!,
      orderCount: data.customerStart[c + 1]! - data.customerStart[c]!,
      netSpentMinor: data.customerNetMinor[c]!,
    }));
    const cuts = rfmCutPointsOf(values);
    values.forEach((v, c) =>
      expect(scoreRfmAgainst(cuts, v)).toEqual({
        recencyScore: scores.recencyScore[c],
        frequencyScore: scores.frequencyScore[c],
        monetaryScore: scores.monetaryScore[c],
        segment: scores.segment[c],
      }),
    );
  });

  it('rejects malformed stored cut points', () => {
    const c = { daysSinceLastOrder: 1, orderCount: 1, netSpentMinor: 1 };
    expect(() => scoreRfmAgainst({ customers: 3, recencyDays: [1, 2, 3, 4], orderCount: [1, 1, 1, 1], netSpentMinor: [1, 1, 1, 1] }, c)).toThrow(/recencyDays/);
    expect(() => scoreRfmAgainst({ customers: 3, recencyDays: [4, 3, 2, 1], orderCount: [1, 1, 1], netSpentMinor: [1, 1, 1, 1] }, c)).toThrow(/orderCount/);
    expect(() => scoreRfmAgainst({ customers: 0, recencyDays: [], orderCount: [], netSpentMinor: [0, 0, 0, 0] }, c)).toThrow(/netSpentMinor/);
    expect(() => rfmCutPointsOf([{ daysSinceLastOrder: Number.NaN, orderCount: 1, netSpentMinor: 1 }])).toThrow(/daysSinceLastOrder/);
  });
});
