import { describe, expect, it } from 'vitest';
import { prepareOrders } from '../../dataset/prepare.ts';
import { CoreError, CurrencyMismatchError } from '../../errors/core-error.ts';
import { endOfUtcDay, order } from '../../testing/orders.ts';
import { computeCohortMatrix } from '../cohort-matrix/cohort-matrix.ts';
import { computeLtvCac } from './ltv-cac.ts';

describe('computeLtvCac', () => {
  const orders = [
    order('1', '2024-01-05', 4000),
    order('1', '2024-02-05', 4000),
    order('1', '2024-04-05', 4000),
    order('2', '2024-01-10', 2000),
    order('2', '2024-03-10', 6000),
  ];
  const matrix = computeCohortMatrix(prepareOrders(orders, { asOfMs: endOfUtcDay('2024-04-30') }));

  it('gives CAC, LTV:CAC and the payback month per cohort', () => {
    // January: 2 new customers, $100 spend -> CAC $50. Margin 50%: cumulative margin per customer by month
    // = 1500, 2500, 4000, 5000 -> payback in month 3 (0-based), LTV 5000 -> LTV:CAC 1.
    const rows = computeLtvCac(
      matrix,
      [
        { month: '2024-01', amountMinor: 10_000, currency: 'USD' },
        { month: '2024-02', amountMinor: 500, currency: 'USD' },
      ],
      {
        marginFraction: 0.5,
        currency: 'USD',
      },
    );
    expect(rows[0]).toEqual({
      cohortMonth: '2024-01',
      newCustomers: 2,
      spendMinor: 10_000,
      cacMinor: 5000,
      monthsObserved: 3,
      ltvMinor: 5000,
      ltvToCac: 1,
      paybackMonth: 3,
    });
    expect(rows[1]).toMatchObject({ cohortMonth: '2024-02', newCustomers: 0, cacMinor: null, ltvToCac: null });
  });
  it('rejects spend in another currency or with a bad month', () => {
    expect(() => computeLtvCac(matrix, [{ month: '2024-01', amountMinor: 1, currency: 'EUR' }], { marginFraction: 1, currency: 'USD' })).toThrow(
      CurrencyMismatchError,
    );
    expect(() => computeLtvCac(matrix, [{ month: '2024-13', amountMinor: 1, currency: 'USD' }], { marginFraction: 1, currency: 'USD' })).toThrow(CoreError);
  });
});
