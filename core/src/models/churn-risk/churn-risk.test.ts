import gammaRandom from '@stdlib/random-base-gamma';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSeededRng } from '../bg-nbd/simulate.ts';
import { fitBgNbd } from '../bg-nbd/fit.ts';
import { fitMbgNbd } from '../mbg-nbd/fit.ts';
import { REFIT_BOUNDARY_AS_OF_MS, REFIT_BOUNDARY_SHOP } from './fixtures/refit-boundary-shop.ts';
import { SLOW_PARETO_AS_OF_MS, SLOW_PARETO_SHOP } from './fixtures/slow-pareto-shop.ts';
import { simulateMbgNbd } from '../mbg-nbd/simulate.ts';
import { compressSummaries, summarizeOrders } from '../btyd-summary/btyd-summary.ts';
import type { CountedOrder } from '../btyd-summary/btyd-summary.ts';
import { DAY_MS } from '../../time/zone-offsets.ts';
import { prepareOrders } from '../../dataset/prepare.ts';
import type { OrderRecord } from '../../orders/order.ts';
import { assessChurnRisk, fitChurnModels, scoreChurnRisk, scorePreparedChurnRisk } from './churn-risk.ts';
import type { ChurnModels, ChurnRiskOptions, CustomerChurnRisk } from './churn-risk.ts';

const asOfMs = Date.UTC(2024, 11, 31, 23, 59, 59, 999);
const startDay = Date.UTC(2024, 0, 1) / DAY_MS;

/**
 * A shop simulated from MBG/NBD in days: whole purchase days, spend around 50.00. With `onePrice`, each customer pays
 * the same for every order (a single-product shop): no spread within a customer.
 */
function simulatedShop(customers: number, seed: number, onePrice = false): CountedOrder[] {
  const rng = createSeededRng(seed);
  const drawGamma = gammaRandom.factory({ prng: rng });
  const firstDays = Float64Array.from({ length: customers }, () => Math.floor(rng() * 300));
  const sim = simulateMbgNbd(
    { r: 0.8, alpha: 40, a: 0.8, b: 2 },
    Array.from(firstDays, (d) => 365 - 1 - d),
    rng,
  );
  const orders: CountedOrder[] = [];
  for (let i = 0; i < customers; i++) {
    const first = (startDay + firstDays[i]!) * DAY_MS + 36_000_000;
    // Customers differ in their typical basket (what Gamma-Gamma models); each order varies around it.
    // One price per customer: spread across customers as Gamma-Gamma's ν would spread it (mean 50.00).
    const basket = onePrice ? 5000 * (3 / drawGamma(4, 1)) : 2000 + 8000 * rng();
    const amount = (): number => (onePrice ? Math.round(basket) : Math.round(basket * (0.6 + 0.8 * rng())));
    orders.push({ customerKey: `c${i}`, placedAtMs: first, amountMinor: amount() });
    const x = sim.frequency[i]!;
    // Spread the x repeat purchases evenly up to the simulated last purchase (t_x).
    for (let k = 1; k <= x; k++) {
      const day = Math.max(k, Math.round((sim.recency[i]! * k) / x));
      orders.push({ customerKey: `c${i}`, placedAtMs: first + day * DAY_MS, amountMinor: amount() });
    }
  }
  return orders;
}

/** 150 customers from MBG/NBD with their simulated purchase days (seed 89: the plain MLE runs to a boundary). */
function smallShop(seed: number): CountedOrder[] {
  const rng = createSeededRng(seed);
  const firstDays = Array.from({ length: 150 }, () => Math.floor(rng() * 300));
  const sim = simulateMbgNbd(
    { r: 0.8, alpha: 40, a: 0.8, b: 2 },
    firstDays.map((d) => 365 - 1 - d),
    rng,
    { keepPurchaseTimes: true },
  );
  return firstDays.flatMap((day, i) => {
    const first = (startDay + day) * DAY_MS + 36_000_000;
    return [0, ...sim.purchaseTimes![i]!].map((t) => ({
      customerKey: `c${i}`,
      placedAtMs: first + Math.round(t) * DAY_MS,
      amountMinor: 2000 + Math.floor(3000 * rng()),
    }));
  });
}

describe('assessChurnRisk', () => {
  it('fits spend and compares it with the classic models when every customer pays one price', () => {
    // Without spread within a customer the unpenalised Gamma-Gamma runs to p → ∞; the penalty steps keep every
    // spend fit (the shop's, the backtest's and the classic baseline's), so the merchant sees the comparison.
    const result = assessChurnRisk(simulatedShop(2000, 12, true), { asOfMs, timeZone: 'UTC', margin: 0.4 });
    expect(result.method).toBe('backtested');
    expect(result.spendModel).not.toBeNull();
    expect(result.prediction!.spend).not.toBeNull();
    const spend = result.prediction!.backtest.spend!;
    expect(spend).not.toBeNull();
    expect(spend.baselineMae).not.toBeNull();
    expect(spend.baselineTopDecileCapture).not.toBeNull();
  });

  it('backtests a shop with enough repeat customers and fills every badge field', () => {
    const result = assessChurnRisk(simulatedShop(3000, 11), { asOfMs, timeZone: 'UTC', margin: 0.4 });
    expect(result.method).toBe('backtested');
    expect(result.confidence).toBe('normal');
    expect(result.horizonDays).toBe(90);
    expect(result.prediction).not.toBeNull();
    expect(result.transactionModel).not.toBeNull();
    expect(result.spendModel).not.toBeNull();
    expect(result.customers).toHaveLength(3000);
    const { medium, high } = result.prediction!.tiers;
    for (const c of result.customers) {
      expect(c.pAlive).toBeGreaterThanOrEqual(0);
      expect(c.pAlive).toBeLessThanOrEqual(1);
      expect(c.churnProbability).toBeGreaterThan(0);
      expect(c.churnProbability).toBeLessThan(1);
      expect(c.horizonDays).toBe(90);
      expect(c.churnTier).toBe(c.churnProbability < medium ? 'low' : c.churnProbability > high ? 'high' : 'medium');
      expect(c.churnReasons.length).toBeGreaterThan(0);
      expect(Number.isInteger(c.predictedClvMinor)).toBe(true);
      expect(c.predictedClvMinor!).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(result.customers.map((c) => c.churnTier))).toEqual(new Set(['low', 'medium', 'high']));
  });

  it('gives one-time buyers a churn probability that grows with time since their order', () => {
    const result = assessChurnRisk(simulatedShop(3000, 12), { asOfMs, timeZone: 'UTC', margin: 1 });
    const oneTime = result.customers.filter((c) => c.churnReasons[0]!.startsWith('one order'));
    const daysAgo = (c: (typeof oneTime)[number]): number => Number(/one order, (\d+) days? ago/.exec(c.churnReasons[0]!)?.[1] ?? 0);
    const recent = oneTime.filter((c) => daysAgo(c) < 120);
    const old = oneTime.filter((c) => daysAgo(c) > 250);
    expect(recent.length).toBeGreaterThan(10);
    expect(old.length).toBeGreaterThan(10);
    const mean = (cs: typeof oneTime): number => cs.reduce((s, c) => s + c.churnProbability, 0) / cs.length;
    expect(mean(old)).toBeGreaterThan(mean(recent) + 0.02);
  });

  it('explains a lapsed regular with the multiple of their usual gap and marks them overdue', () => {
    const orders: CountedOrder[] = [...simulatedShop(500, 13)];
    // Orders every 10 days in January, then nothing for the 335 days to asOf: 33.5 usual gaps.
    for (let k = 0; k < 4; k++) orders.push({ customerKey: 'lapsed', placedAtMs: Date.UTC(2024, 0, 1 + 10 * k, 12), amountMinor: 5000 });
    const result = assessChurnRisk(orders, { asOfMs, timeZone: 'UTC', margin: 1 });
    const lapsed = result.customers.find((c) => c.customerKey === 'lapsed')!;
    expect(lapsed.churnReasons[0]).toBe("no order for 33.5x this customer's usual gap");
    expect(lapsed.churnReasons[1]).toBe('4 orders, usually 10 days apart');
    expect(lapsed.expectedNextOrderAtMs).toBe(Date.UTC(2024, 1, 10, 12));
    expect(lapsed.overdue).toBe(true);
    expect(lapsed.churnTier).toBe('high');
  });

  it('falls back to the cadence rule, marked low confidence, below the minimum of repeat customers', () => {
    const day = (d: number): number => Date.UTC(2024, 0, 1, 12) + d * DAY_MS;
    const orders: CountedOrder[] = [
      { customerKey: 'regular', placedAtMs: day(300), amountMinor: 2000 },
      { customerKey: 'regular', placedAtMs: day(330), amountMinor: 2000 },
      { customerKey: 'regular', placedAtMs: day(360), amountMinor: 2000 },
      { customerKey: 'once', placedAtMs: day(225), amountMinor: 4000 },
    ];
    const result = assessChurnRisk(orders, { asOfMs, timeZone: 'UTC', margin: 0.5 });
    expect(result.method).toBe('cadence-rule');
    expect(result.fallbackReason).toBe('too-few-repeat-customers');
    expect(result.typicalGapDays).toBe(30);
    const regular = result.customers.find((c) => c.customerKey === 'regular')!;
    const once = result.customers.find((c) => c.customerKey === 'once')!;
    expect(regular).toMatchObject({ pAlive: 1, churnTier: 'low', confidence: 'low', overdue: false, predictedClvMinor: null, expectedAvgValueMinor: 2000 });
    // 140 days since the only order = 4.67 typical gaps: 0.5^3.67 alive.
    expect(once.churnReasons[0]).toBe('one order, 140 days ago');
    expect(once.pAlive).toBeCloseTo(0.5 ** (140 / 30 - 1), 12);
    expect(once.churnTier).toBe('high');
    expect(once.overdue).toBe(true);
    expect(once.churnReasons.at(-1)).toBe('estimated from order timing: too few repeat customers for the model');
  });

  it('falls back with the fit failure as reason when the model cannot be fitted (no sign of dropout at all)', () => {
    const orders: CountedOrder[] = [];
    // 40 customers who each order every 10 days right up to asOf: the MLE runs to the no-dropout boundary.
    for (let c = 0; c < 40; c++) {
      for (let day = 365 - 10 * (10 + (c % 7)); day <= 365; day += 10) {
        orders.push({ customerKey: `r${c}`, placedAtMs: asOfMs - (365 - day) * DAY_MS - 3_600_000, amountMinor: 2500 });
      }
    }
    const result = assessChurnRisk(orders, { asOfMs, timeZone: 'UTC', margin: 1 });
    expect(result.method).toBe('cadence-rule');
    expect(result.fallbackReason).toBe('did-not-converge');
    expect(result.customers[0]!.churnReasons.at(-1)).toBe("estimated from order timing: the model could not be fitted to this shop's orders");
    expect(result.customers.every((c) => c.churnTier === 'low' && c.confidence === 'low')).toBe(true);
  });

  it('retries with a small penalty when the plain MBG/NBD fit runs to a boundary, instead of falling back', () => {
    const orders = smallShop(89);
    const summaries = summarizeOrders(orders, { calibrationEndMs: asOfMs, timeZone: 'UTC', timeUnit: 'day' });
    expect(fitMbgNbd(compressSummaries(summaries))).toEqual({ ok: false, reason: 'did-not-converge' });
    const result = assessChurnRisk(orders, { asOfMs, timeZone: 'UTC', margin: 1 });
    expect(result.method).not.toBe('cadence-rule');
    expect(result.transactionModel?.penalizer).toBe(0.001);
    const p = result.transactionModel!.params;
    // Close to the simulated truth (0.8, 40, 0.8, 2) for 150 customers.
    expect(p.r).toBeGreaterThan(0.4);
    expect(p.r).toBeLessThan(1.6);
    expect(p.a / (p.a + p.b)).toBeGreaterThan(0.2);
    expect(p.a / (p.a + p.b)).toBeLessThan(0.45);
  });

  it("keeps the backtest fit of the model it chose when that model's refit on all orders runs to a boundary", () => {
    const shopAsOf = REFIT_BOUNDARY_AS_OF_MS;
    const orders: CountedOrder[] = REFIT_BOUNDARY_SHOP.trim()
      .split('\n')
      .map((line) => line.split(' ').map(Number))
      .map(([customer, before, amount]) => ({ customerKey: `c${customer}`, placedAtMs: shopAsOf - before!, amountMinor: amount! }));
    const timeZone = 'America/New_York';
    const summaries = summarizeOrders(orders, { calibrationEndMs: shopAsOf, timeZone, timeUnit: 'day' });
    // The premise: BG/NBD on all orders does not converge, even with the penalties the fit retries with.
    for (const penalizer of [0, 0.001, 0.01]) expect(fitBgNbd(compressSummaries(summaries), { penalizer })).toEqual({ ok: false, reason: 'did-not-converge' });
    const result = assessChurnRisk(orders, { asOfMs: shopAsOf, timeZone, margin: 1 });
    expect(result.method).toBe('backtested');
    const prediction = result.prediction!;
    expect(prediction.chosen).toBe('bg-nbd');
    expect(prediction.transactionModels['bg-nbd']).not.toBeNull();
    expect(result.customers).toHaveLength(292);
    for (const c of result.customers) {
      expect(c.churnProbability).toBeGreaterThan(0);
      expect(c.churnProbability).toBeLessThan(1);
      expect(Number.isFinite(c.predictedClvMinor)).toBe(true);
    }
  });

  it('fits a small shop whose Pareto/NBD optimiser visits r+s+x in the thousands with z near 1', () => {
    const orders: CountedOrder[] = SLOW_PARETO_SHOP.trim()
      .split('\n')
      .map((line) => line.split(' ').map(Number))
      .map(([customer, before, amount]) => ({ customerKey: `c${customer}`, placedAtMs: SLOW_PARETO_AS_OF_MS - before!, amountMinor: amount! }));
    const result = assessChurnRisk(orders, { asOfMs: SLOW_PARETO_AS_OF_MS, timeZone: 'America/New_York', margin: 1 });
    expect(result.method).toBe('backtested');
    expect(result.customers).toHaveLength(85);
    for (const c of result.customers) expect(c.churnProbability).toBeGreaterThan(0);
  });

  it('honours custom tier thresholds', () => {
    const result = assessChurnRisk(simulatedShop(1000, 14), { asOfMs, timeZone: 'UTC', margin: 1, tiers: { medium: 0.05, high: 0.1 } });
    for (const c of result.customers) expect(c.churnTier).toBe(c.churnProbability < 0.05 ? 'low' : c.churnProbability > 0.1 ? 'high' : 'medium');
  });
});

/** The orders of the customers in `keys`, in their original order. */
function ordersOf(orders: readonly CountedOrder[], keys: ReadonlySet<string>): CountedOrder[] {
  return orders.filter((o) => keys.has(o.customerKey));
}

function byKey(customers: readonly CustomerChurnRisk[]): Map<string, CustomerChurnRisk> {
  return new Map(customers.map((c) => [c.customerKey, c]));
}

describe('fitChurnModels and scoreChurnRisk', () => {
  it('property: all else equal, a more recent last order never gives a higher churn probability', () => {
    const orders = simulatedShop(1500, 31);
    const models = fitChurnModels(orders, { asOfMs, timeZone: 'UTC' });
    expect(models.method).toBe('backtested');
    const options: ChurnRiskOptions = { asOfMs, timeZone: 'UTC', margin: 1 };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 500, max: 50_000 }),
        (repeats, gapDays, sinceDays, laterBy, amountMinor) => {
          // One customer's history, then the same history moved `laterBy` days closer to the as-of; and the same first
          // order with the last order moved later.
          const history = (shift: number, lastExtra: number): CountedOrder[] =>
            Array.from({ length: repeats + 1 }, (_, k) => ({
              customerKey: 'p',
              placedAtMs: asOfMs - (sinceDays + laterBy + (repeats - k) * gapDays - shift - (k === repeats ? lastExtra : 0)) * DAY_MS - 3_600_000,
              amountMinor,
            }));
          const [older] = scoreChurnRisk(history(0, 0), models, options);
          const [shifted] = scoreChurnRisk(history(laterBy, 0), models, options);
          const [lastLater] = scoreChurnRisk(history(0, laterBy), models, options);
          expect(shifted!.churnProbability).toBeLessThanOrEqual(older!.churnProbability + 1e-12);
          expect(lastLater!.churnProbability).toBeLessThanOrEqual(older!.churnProbability + 1e-12);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);

  it('fits the transaction models on an even sample above fitMaxCustomers, and the predictions stay where the full fit puts them', () => {
    const orders = simulatedShop(6000, 41);
    const full = fitChurnModels(orders, { asOfMs, timeZone: 'UTC' });
    // At or above the number of customers nothing is sampled: the same models as the default.
    expect(fitChurnModels(orders, { asOfMs, timeZone: 'UTC', fitMaxCustomers: 6000 })).toEqual(full);
    const sampled = fitChurnModels(orders, { asOfMs, timeZone: 'UTC', fitMaxCustomers: 2000 });
    expect(sampled.method).toBe('backtested');
    // Every third customer stands for three: the refit's BG/NBD moves with the sample, not with the scale (MBG/NBD is the
    // fallback model's fit on every customer, passed in).
    const a = full.prediction!.transactionModels['bg-nbd']!;
    const b = sampled.prediction!.transactionModels['bg-nbd']!;
    expect(b).not.toEqual(a);
    expect(Math.abs(b.r / b.alpha - a.r / a.alpha) / (a.r / a.alpha)).toBeLessThan(0.1);
    const options: ChurnRiskOptions = { asOfMs, timeZone: 'UTC', margin: 0.4 };
    const byFull = scoreChurnRisk(orders, full, options);
    const bySample = scoreChurnRisk(orders, sampled, options);
    let gap = 0;
    for (let i = 0; i < byFull.length; i++) gap += Math.abs(byFull[i]!.churnProbability - bySample[i]!.churnProbability);
    expect(gap / byFull.length).toBeLessThan(0.02);
    expect(() => fitChurnModels(orders, { asOfMs, timeZone: 'UTC', fitMaxCustomers: 0 })).toThrow(/fitMaxCustomers/);
  });

  it('uses the candidate asked for instead of choosing, calibrated on the same backtest; one it cannot fit is a fallback', () => {
    const orders = simulatedShop(1500, 32);
    const asked = fitChurnModels(orders, { asOfMs, timeZone: 'UTC', candidate: 'days-since-last-order' });
    expect(asked.method).toBe('backtested');
    expect(asked.prediction!.chosen).toBe('days-since-last-order');
    const scored = scoreChurnRisk(orders, asked, { asOfMs, timeZone: 'UTC', margin: 1 });
    // Calibrated days since the last order: a strictly increasing map of it.
    const last = new Map<string, number>();
    for (const o of orders) last.set(o.customerKey, Math.max(last.get(o.customerKey) ?? 0, o.placedAtMs));
    const pairs = scored.map((c) => [Math.floor((asOfMs - last.get(c.customerKey)!) / DAY_MS), c.churnProbability] as const).sort((a, b) => a[0] - b[0]);
    expect(new Set(pairs.map((p) => p[0])).size).toBeGreaterThan(100);
    for (let i = 1; i < pairs.length; i++) {
      if (pairs[i]![0] > pairs[i - 1]![0]) expect(pairs[i]![1]).toBeGreaterThan(pairs[i - 1]![1]);
      else expect(pairs[i]![1]).toBeCloseTo(pairs[i - 1]![1], 12);
    }
    // A candidate is used only when the backtest could score it: otherwise the shop falls back, never silently to
    // another candidate.
    const regular = fitChurnModels(orders, { asOfMs, timeZone: 'UTC', candidate: 'mbg-cnbd-k' });
    if (regular.prediction === null) expect(regular.fallbackReason).toBe('no-candidate');
    else expect(regular.prediction.chosen).toBe('mbg-cnbd-k');
  });

  it('worked example: scoring three customers with the stored shop models equals their rows of the full assessment', () => {
    const orders = simulatedShop(800, 21);
    const options: ChurnRiskOptions = { asOfMs, timeZone: 'UTC', margin: 0.4 };
    const full = assessChurnRisk(orders, options);
    const models = fitChurnModels(orders, { asOfMs, timeZone: 'UTC' });
    const { customers, ...fullModels } = full;
    expect(models).toEqual(fullModels);
    expect(models.method).toBe('backtested');
    expect(models.spendModel).not.toBeNull();
    const touched = new Set(['c3', 'c400', 'c799']);
    const scored = scoreChurnRisk(ordersOf(orders, touched), models, options);
    expect(scored.map((c) => c.customerKey)).toEqual(['c3', 'c400', 'c799']);
    const expected = byKey(customers);
    for (const c of scored) expect(c).toStrictEqual(expected.get(c.customerKey));
    // The same customers read from a prepared dataset of the shop's orders (the app's path) score the same.
    const records: OrderRecord[] = orders.map((o, i) => ({
      orderId: String(i + 1),
      customerId: o.customerKey,
      email: null,
      placedAtMs: o.placedAtMs,
      currency: 'USD',
      totalMinor: o.amountMinor,
      refundedMinor: 0,
      cancelled: false,
      test: false,
      subscription: false,
    }));
    const prepared = scorePreparedChurnRisk(prepareOrders(records, { asOfMs, timeZone: 'UTC' }), models, { margin: 0.4 });
    expect(prepared).toHaveLength(customers.length);
    for (const c of prepared) expect(c).toStrictEqual(expected.get(c.customerKey));
  });

  it('scores identically with models that went through JSON.stringify / JSON.parse', () => {
    const orders = simulatedShop(600, 22);
    const options: ChurnRiskOptions = { asOfMs, timeZone: 'UTC', margin: 0.7, horizonMonths: 6 };
    const models = fitChurnModels(orders, options);
    const stored = JSON.parse(JSON.stringify(models)) as ChurnModels;
    expect(stored).toStrictEqual(models);
    expect(scoreChurnRisk(orders, stored, options)).toStrictEqual(scoreChurnRisk(orders, models, options));
    expect(scoreChurnRisk(orders, stored, options)).toStrictEqual(assessChurnRisk(orders, options).customers);
  });

  it('scores with the stored cadence-rule decision, gap and fallback reason when there is no transaction model', () => {
    const day = (d: number): number => Date.UTC(2024, 0, 1, 12) + d * DAY_MS;
    const orders: CountedOrder[] = [
      { customerKey: 'regular', placedAtMs: day(300), amountMinor: 2000 },
      { customerKey: 'regular', placedAtMs: day(330), amountMinor: 2000 },
      { customerKey: 'regular', placedAtMs: day(360), amountMinor: 2000 },
      { customerKey: 'once', placedAtMs: day(225), amountMinor: 4000 },
    ];
    const models = fitChurnModels(orders, { asOfMs, timeZone: 'UTC' });
    expect(models).toMatchObject({ method: 'cadence-rule', transactionModel: null, typicalGapDays: 30 });
    // Alone, 'once' has no shop gap to learn from; the stored 30-day gap is what makes 140 days 4.67 gaps.
    const [once] = scoreChurnRisk(ordersOf(orders, new Set(['once'])), models, { asOfMs, timeZone: 'UTC', margin: 0.5 });
    expect(once!.pAlive).toBeCloseTo(0.5 ** (140 / 30 - 1), 12);
    expect(once!.churnReasons.at(-1)).toBe('estimated from order timing: too few repeat customers for the model');
  });

  it('validates tiers and margin, and rejects models whose method and transaction model disagree', () => {
    const orders = simulatedShop(200, 23);
    const models = fitChurnModels(orders, { asOfMs, timeZone: 'UTC', minRepeatCustomers: 1_000_000 });
    expect(() => scoreChurnRisk(orders, models, { asOfMs, timeZone: 'UTC', margin: 1.5 })).toThrow(/margin/);
    expect(() => scoreChurnRisk(orders, models, { asOfMs, timeZone: 'UTC', margin: 1, tiers: { medium: 0.8, high: 0.2 } })).toThrow(/tiers/);
    expect(() => scoreChurnRisk(orders, { ...models, method: 'mbg-nbd' }, { asOfMs, timeZone: 'UTC', margin: 1 })).toThrow(/inconsistent/);
  });

  it('property: for any shop and any subset S of its customers, scoring S alone equals the full assessment restricted to S', () => {
    const dayMs = (d: number, hour: number): number => (startDay + d) * DAY_MS + hour * 3_600_000;
    const customer = fc.array(
      fc.record({ day: fc.integer({ min: 0, max: 364 }), hour: fc.integer({ min: 0, max: 23 }), amountMinor: fc.integer({ min: 0, max: 20_000 }) }),
      {
        minLength: 1,
        maxLength: 6,
      },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(customer, fc.boolean()), { minLength: 1, maxLength: 60 }),
        fc.constantFrom(1, 3, 30),
        fc.constantFrom('UTC', 'America/New_York'),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (shop, minRepeatCustomers, timeZone, margin) => {
          const orders: CountedOrder[] = shop.flatMap(([list], i) =>
            list.map((o) => ({ customerKey: `k${i}`, placedAtMs: dayMs(o.day, o.hour), amountMinor: o.amountMinor })),
          );
          const subset = new Set(shop.flatMap(([, inS], i) => (inS ? [`k${i}`] : [])));
          const options: ChurnRiskOptions = { asOfMs, timeZone, margin, minRepeatCustomers };
          const full = byKey(assessChurnRisk(orders, options).customers);
          const scored = scoreChurnRisk(ordersOf(orders, subset), fitChurnModels(orders, options), options);
          expect(scored.map((c) => c.customerKey).sort()).toEqual([...subset].sort());
          for (const c of scored) expect(c).toStrictEqual(full.get(c.customerKey));
        },
      ),
      { numRuns: 60, seed: 20261123 },
    );
  });

  it('property: the same holds on simulated MBG/NBD shops, where the model and spend fits succeed', () => {
    let modelled = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 120, max: 400 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 399 }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 24 }),
        (seed, size, picked, margin, horizonMonths) => {
          const orders = simulatedShop(size, seed);
          const subset = new Set(picked.filter((i) => i < size).map((i) => `c${i}`));
          const options: ChurnRiskOptions = { asOfMs, timeZone: 'UTC', margin, horizonMonths };
          const full = assessChurnRisk(orders, options);
          if (full.spendModel !== null) modelled++;
          const scored = scoreChurnRisk(ordersOf(orders, subset), fitChurnModels(orders, options), options);
          expect(scored).toHaveLength(subset.size);
          const expected = byKey(full.customers);
          for (const c of scored) expect(c).toStrictEqual(expected.get(c.customerKey));
        },
      ),
      { numRuns: 12, seed: 20261124 },
    );
    expect(modelled).toBeGreaterThanOrEqual(6);
    // Twelve whole-shop fits, each with its backtest (five candidates, a 5-fold classifier): seconds, not a hang.
  }, 120_000);
});
