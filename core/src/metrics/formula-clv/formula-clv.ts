import type { PreparedOrders } from '../../dataset/prepare.ts';
import { CoreError, CoreErrorCode } from '../../errors/core-error.ts';
import { periodEndingAt, computePeriodChurn } from '../period-churn/period-churn.ts';
import { computeRepeatPurchaseRate } from '../repeat-rate/repeat-rate.ts';

/** Inputs of the textbook CLV formula. */
export interface FormulaClvInputs {
  /** Average purchase value, minor units. */
  averageOrderValueMinor: number;
  /** Purchases per customer per year. */
  purchasesPerYear: number;
  /** Expected customer lifetime, years. */
  expectedLifetimeYears: number;
  /** Gross margin as a fraction in [0, 1]; 1 gives revenue CLV. */
  marginFraction: number;
}

export function assertMarginFraction(marginFraction: number): void {
  if (!(marginFraction >= 0 && marginFraction <= 1)) {
    throw new CoreError(CoreErrorCode.invalidArgument, `marginFraction must be a fraction in [0, 1] (0.4 for 40%), got ${marginFraction}.`);
  }
}

/**
 * Formula CLV = average purchase value x purchases per year x expected lifetime (years) x gross margin.
 * @example formulaClvMinor({ averageOrderValueMinor: 5000, purchasesPerYear: 4, expectedLifetimeYears: 5, marginFraction: 1 }) // 100000 ($1,000)
 * @example formulaClvMinor({ averageOrderValueMinor: 7500, purchasesPerYear: 2, expectedLifetimeYears: 3, marginFraction: 0.4 }) // 18000 ($180)
 */
export function formulaClvMinor(inputs: FormulaClvInputs): number {
  assertMarginFraction(inputs.marginFraction);
  for (const [name, v] of [
    ['averageOrderValueMinor', inputs.averageOrderValueMinor],
    ['purchasesPerYear', inputs.purchasesPerYear],
    ['expectedLifetimeYears', inputs.expectedLifetimeYears],
  ] as const) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new CoreError(CoreErrorCode.invalidArgument, `${name} must be a finite number >= 0, got ${v}.`);
  }
  return inputs.averageOrderValueMinor * inputs.purchasesPerYear * inputs.expectedLifetimeYears * inputs.marginFraction;
}

/** Bounds on the expected lifetime, years. */
export const LIFETIME_BOUNDS = { minYears: 1, maxYears: 10 } as const;

/**
 * Expected customer lifetime from the annual churn rate: 1 / churn (the mean of a geometric lifetime), bounded to
 * [1, 10] years by default so a tiny churn rate cannot make CLV explode and a churn of 1 still means one year.
 */
export function expectedLifetimeYears(annualChurnRate: number, bounds: { minYears: number; maxYears: number } = LIFETIME_BOUNDS): number {
  if (!(annualChurnRate >= 0 && annualChurnRate <= 1)) {
    throw new CoreError(CoreErrorCode.invalidArgument, `annualChurnRate must be in [0, 1], got ${annualChurnRate}.`);
  }
  if (annualChurnRate === 0) return bounds.maxYears;
  return Math.min(bounds.maxYears, Math.max(bounds.minYears, 1 / annualChurnRate));
}

/** Formula CLV computed from the shop's last 365 days. */
export interface ShopFormulaClv extends FormulaClvInputs {
  /** The formula's result, minor units (fractional). */
  valueMinor: number;
  annualChurnRate: number;
  /**
   * `period-churn`: CRR over the last 365 days with a 365-day inactivity threshold (needs customers active a year
   * before asOf). `one-minus-repeat-rate`: fallback 1 - 365-day repeat purchase rate when the shop is younger.
   */
  annualChurnSource: 'period-churn' | 'one-minus-repeat-rate';
  /** Customers with a counted order in the last 365 days (the AOV and frequency base). */
  customers: number;
}

/**
 * Formula CLV for the shop: AOV and purchases per customer from counted, attributed orders of the 365 days ending
 * at asOf; annual churn as documented on {@link ShopFormulaClv.annualChurnSource}; lifetime by
 * {@link expectedLifetimeYears}.
 */
export function computeShopFormulaClv(data: PreparedOrders, options: { marginFraction: number }): ShopFormulaClv {
  assertMarginFraction(options.marginFraction);
  const startDay = data.asOfDay - 364;
  let orders = 0;
  let revenue = 0;
  let customers = 0;
  for (let c = 0; c < data.customerKeys.length; c++) {
    let any = false;
    for (let s = data.customerStart[c + 1]! - 1; s >= data.customerStart[c]! && data.orderDay[s]! >= startDay; s--) {
      orders++;
      revenue += data.orderNetMinor[s]!;
      any = true;
    }
    if (any) customers++;
  }
  const period = computePeriodChurn(data, { period: periodEndingAt(data, 365), inactivityDays: 365 });
  const annualChurnSource = period.value === null ? 'one-minus-repeat-rate' : 'period-churn';
  const annualChurnRate = period.value ?? 1 - computeRepeatPurchaseRate(data, { windowDays: 365 }).value;
  const inputs: FormulaClvInputs = {
    averageOrderValueMinor: orders === 0 ? 0 : revenue / orders,
    purchasesPerYear: customers === 0 ? 0 : orders / customers,
    expectedLifetimeYears: expectedLifetimeYears(annualChurnRate),
    marginFraction: options.marginFraction,
  };
  return { ...inputs, valueMinor: formulaClvMinor(inputs), annualChurnRate, annualChurnSource, customers };
}
