import { describe, expect, it } from 'vitest';
import { changedValues, metafieldValuesOf, planCalls, removedKeys, type InsightForMetafields, type PlannedWrite } from './plan.ts';

const insight = (overrides: Partial<InsightForMetafields> = {}): InsightForMetafields => ({
  customerId: '7',
  churnProbability: 0.123456,
  churnHorizonDays: 90,
  churnTier: 'low',
  predictedClvMinor: 12_345,
  rfmSegment: 'LOYAL',
  currency: 'USD',
  ...overrides,
});

describe('metafieldValuesOf', () => {
  it('rounds churn probability to 0.001 and predicted CLV to whole units of the currency', () => {
    expect(metafieldValuesOf(insight())).toEqual({
      churn_probability: '0.123',
      churn_horizon_days: '90',
      churn_tier: 'low',
      predicted_clv: '123',
      rfm_segment: 'LOYAL',
    });
    expect(metafieldValuesOf(insight({ predictedClvMinor: 4_560, currency: 'JPY' })).predicted_clv).toBe('4560');
    expect(metafieldValuesOf(insight({ predictedClvMinor: 12_500, currency: 'KWD' })).predicted_clv).toBe('13');
  });

  it('leaves predicted CLV out when there is none', () => {
    expect(metafieldValuesOf(insight({ predictedClvMinor: null }))).not.toHaveProperty('predicted_clv');
  });
});

describe('changedValues', () => {
  const values = metafieldValuesOf(insight());

  it('returns every value the first time and none once all were written', () => {
    expect(changedValues('7', values, {}, {})).toHaveLength(5);
    expect(changedValues('7', values, { ...values }, {})).toEqual([]);
  });

  it('returns only the values that differ from the written ones', () => {
    expect(changedValues('7', values, { ...values, churn_tier: 'high' }, {})).toEqual([{ customerId: '7', key: 'churn_tier', value: 'low' }]);
  });

  it('does not resend a value Shopify rejected until it changes', () => {
    const rejected = { churn_tier: { value: 'low', message: 'INVALID_VALUE: no' } };
    expect(changedValues('7', values, { ...values, churn_tier: 'high' }, rejected)).toEqual([]);
    expect(changedValues('7', { ...values, churn_tier: 'medium' }, { ...values, churn_tier: 'high' }, rejected)).toEqual([
      { customerId: '7', key: 'churn_tier', value: 'medium' },
    ]);
  });
});

describe('removedKeys', () => {
  it('names the written keys the customer has no value for any more', () => {
    const values = metafieldValuesOf(insight({ predictedClvMinor: null }));
    expect(removedKeys(values, { ...values, predicted_clv: '123' })).toEqual(['predicted_clv']);
    expect(removedKeys(values, { ...values })).toEqual([]);
  });
});

describe('planCalls', () => {
  const writesOf = (customers: number, perCustomer: number): PlannedWrite[] =>
    Array.from({ length: customers }, (_, c) =>
      Array.from({ length: perCustomer }, (_, k) => ({ customerId: String(c + 1), key: 'churn_tier' as const, value: String(k) })),
    ).flat();

  it('packs five fully changed customers into each call of 25', () => {
    const calls = planCalls(writesOf(12, 5));
    expect(calls.map((c) => c.length)).toEqual([25, 25, 10]);
    expect(calls.every((c) => new Set(c.map((w) => w.customerId)).size === c.length / 5)).toBe(true);
  });

  it('fits more customers per call when fewer of their values changed', () => {
    expect(planCalls(writesOf(30, 1)).map((c) => c.length)).toEqual([25, 5]);
  });

  it("keeps a customer's writes in one call when they fit", () => {
    const calls = planCalls([...writesOf(4, 5), ...writesOf(2, 3).map((w) => ({ ...w, customerId: `x${w.customerId}` }))]);
    // 20 + 3 fit; the next customer's 3 would make 26, so it starts the next call.
    expect(calls.map((c) => c.length)).toEqual([23, 3]);
    expect(calls[1]!.every((w) => w.customerId === 'x2')).toBe(true);
  });

  it('never exceeds the limit and keeps every write', () => {
    for (const [n, k] of [
      [0, 5],
      [1, 1],
      [7, 4],
      [101, 5],
    ] as const) {
      const writes = writesOf(n, k);
      const calls = planCalls(writes);
      expect(calls.every((c) => c.length >= 1 && c.length <= 25)).toBe(true);
      expect(calls.flat()).toEqual(writes);
    }
  });

  it('rejects a non-positive call size', () => {
    expect(() => planCalls([], 0)).toThrow(RangeError);
  });
});
