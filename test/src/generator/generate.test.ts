import { assertOrderRecord, customerKeyOf, DAY_MS, isCountedOrder } from '@clvlens/core';
import { fitGammaGamma, fitMbgNbd, gammaGammaPopulationMean, summarizeOrders } from '@clvlens/core/models';
import { describe, expect, it } from 'vitest';
import { decimalToMinor } from '../shop-model/money.ts';
import type { MoneyBag, Order, ShopData } from '../shop-model/types.ts';
import { generateShop, generateShopStream } from './generate.ts';
import { blackFridayDay } from './locale.ts';
import { DEFAULT_PROCESS } from './options.ts';
import { exportText } from './test-helpers.ts';
import { toOrderRecords } from './truth.ts';

const END_MS = Date.UTC(2026, 10, 1);
const START_MS = END_MS - 730 * DAY_MS;

function shop(m: MoneyBag): number {
  return decimalToMinor(m.shopMoney.amount, m.shopMoney.currencyCode);
}
function pres(m: MoneyBag): number {
  return decimalToMinor(m.presentmentMoney.amount, m.presentmentMoney.currencyCode);
}

/** Collects invariant violations (cheaper than one `expect` per order; the report names the order). */
const violations: string[] = [];
function check(ok: boolean, rule: () => string, o: Order): void {
  if (!ok && violations.length < 20) violations.push(`${o.name} (id ${o.id}): ${rule()}`);
}
function expectNoViolations(): void {
  expect(violations).toEqual([]);
}

// One mid-sized shop shared by the invariant tests: a EUR shop in Paris, so presentment currencies really differ.
const big: ShopData = generateShop({ seed: 'invariants', customers: 6000, endMs: END_MS, currency: 'EUR', timeZone: 'Europe/Paris' });

describe('generateShop', () => {
  it('gives byte-identical exports for the same seed and different ones for another seed', async () => {
    const a = await exportText(generateShop({ seed: 42, customers: 400, endMs: END_MS }));
    const b = await exportText(generateShop({ seed: 42, customers: 400, endMs: END_MS }));
    const c = await exportText(generateShop({ seed: 43, customers: 400, endMs: END_MS }));
    expect(a.length).toBeGreaterThan(10_000);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it('streams exactly the orders it builds in memory', async () => {
    const options = { seed: 7, orders: 1500, endMs: END_MS, currency: 'GBP', timeZone: 'Europe/London' } as const;
    const stream = generateShopStream(options);
    expect(await exportText(stream)).toBe(await exportText(generateShop(options)));
    // The stream is re-iterable and yields the same orders each time.
    const first = [...stream.orders].map((o) => JSON.stringify(o));
    const second = [...stream.orders].map((o) => JSON.stringify(o));
    expect(second).toEqual(first);
  });

  it.each([100, 1000, 25_000])('produces exactly %i orders when sized by order count', (n) => {
    const data = generateShop({ seed: n, orders: n, endMs: END_MS });
    expect(data.orders).toHaveLength(n);
  });

  it('produces exactly the requested number of buyers when sized by customers', () => {
    const data = generateShop({ seed: 3, customers: 800, endMs: END_MS });
    const buyers = new Set(
      toOrderRecords(data)
        .filter((r) => !r.test)
        .map((r) => customerKeyOf(r)),
    );
    expect(buyers.size).toBe(800);
  });

  it('rejects contradictory or out-of-range options with a precise message', () => {
    expect(() => generateShop({ seed: 1, endMs: END_MS })).toThrow(/exactly one of `customers`/);
    expect(() => generateShop({ seed: 1, customers: 10, orders: 10, endMs: END_MS })).toThrow(/exactly one/);
    expect(() => generateShop({ seed: 1, customers: 0, endMs: END_MS })).toThrow(/customers must be/);
    expect(() => generateShop({ seed: 1, customers: 10, endMs: END_MS, currency: 'XYZ' })).toThrow(/unknown shop currency XYZ/);
    expect(() => generateShop({ seed: 1, customers: 10, endMs: END_MS, timeZone: 'Mars/Olympus' })).toThrow();
    expect(() => generateShop({ seed: 1, customers: 10, endMs: END_MS, behaviour: { guestShare: 1.5 } })).toThrow(/guestShare/);
  });

  it('keeps every order inside the history, sorted by time, with increasing ids and sequential names', () => {
    violations.length = 0;
    let prev: Order | null = null;
    big.orders.forEach((o, i) => {
      check(o.processedAtMs >= START_MS, () => `o.processedAtMs >= START_MS`, o);
      check(o.processedAtMs < END_MS, () => `o.processedAtMs < END_MS`, o);
      check(o.processedAtMs % 1000 === 0, () => `o.processedAtMs % 1000 === 0`, o);
      check(o.name === `#${1001 + i}`, () => 'names are #1001, #1002, ... in time order', o);
      if (prev !== null) {
        check(o.processedAtMs >= prev.processedAtMs, () => `o.processedAtMs >= prev.processedAtMs`, o);
        check(o.id > prev.id, () => `o.id > prev.id`, o);
      }
      check(o.updatedAtMs >= o.createdAtMs, () => `o.updatedAtMs >= o.createdAtMs`, o);
      check(o.updatedAtMs < END_MS, () => `o.updatedAtMs < END_MS`, o);
      prev = o;
    });
    expectNoViolations();
  });

  it('sums line items to the subtotal and parts to the total, in both currencies', () => {
    violations.length = 0;
    for (const o of big.orders) {
      let lineShop = 0;
      let linePres = 0;
      let discShop = 0;
      for (const li of o.lineItems) {
        lineShop += shop(li.originalUnitPriceSet) * li.quantity - shop(li.totalDiscountSet);
        linePres += pres(li.originalUnitPriceSet) * li.quantity - pres(li.totalDiscountSet);
        discShop += shop(li.totalDiscountSet);
        check(
          shop(li.totalDiscountSet) <= shop(li.originalUnitPriceSet) * li.quantity,
          () => `shop(li.totalDiscountSet) <= shop(li.originalUnitPriceSet) * li.quantity`,
          o,
        );
      }
      check(lineShop === shop(o.subtotalPriceSet), () => `lineShop === shop(o.subtotalPriceSet)`, o);
      check(linePres === pres(o.subtotalPriceSet), () => `linePres === pres(o.subtotalPriceSet)`, o);
      check(
        shop(o.subtotalPriceSet) + shop(o.totalShippingPriceSet) + shop(o.totalTaxSet) === shop(o.totalPriceSet),
        () => `shop(o.subtotalPriceSet) + shop(o.totalShippingPriceSet) + shop(o.totalTaxSet) === shop(o.totalPriceSet)`,
        o,
      );
      check(
        pres(o.subtotalPriceSet) + pres(o.totalShippingPriceSet) + pres(o.totalTaxSet) === pres(o.totalPriceSet),
        () => `pres(o.subtotalPriceSet) + pres(o.totalShippingPriceSet) + pres(o.totalTaxSet) === pres(o.totalPriceSet)`,
        o,
      );
      check(shop(o.totalDiscountsSet) >= discShop, () => `shop(o.totalDiscountsSet) >= discShop`, o);
      check(shop(o.totalPriceSet) > 0, () => `shop(o.totalPriceSet) > 0`, o);
    }
    expectNoViolations();
  });

  it('keeps shop money in the shop currency and presentment money in the order presentment currency', () => {
    violations.length = 0;
    const seen = new Set<string>();
    const bags = (o: Order): MoneyBag[] => [
      o.subtotalPriceSet,
      o.totalShippingPriceSet,
      o.totalTaxSet,
      o.totalDiscountsSet,
      o.totalPriceSet,
      ...o.lineItems.flatMap((li) => [li.originalUnitPriceSet, li.totalDiscountSet]),
      ...o.refunds.flatMap((r) => [r.totalRefundedSet, ...r.refundLineItems.flatMap((x) => [x.subtotalSet, x.totalTaxSet])]),
      ...(o.shippingLine === null ? [] : [o.shippingLine.originalPriceSet]),
      ...o.discountCodes.map((d) => d.amountSet),
    ];
    for (const o of big.orders) {
      check(o.currencyCode === 'EUR', () => `o.currencyCode === 'EUR'`, o);
      seen.add(o.presentmentCurrencyCode);
      for (const b of bags(o)) {
        check(b.shopMoney.currencyCode === 'EUR', () => `b.shopMoney.currencyCode === 'EUR'`, o);
        check(b.presentmentMoney.currencyCode === o.presentmentCurrencyCode, () => `b.presentmentMoney.currencyCode === o.presentmentCurrencyCode`, o);
        if (o.presentmentCurrencyCode === 'EUR')
          check(b.presentmentMoney.amount === b.shopMoney.amount, () => `b.presentmentMoney.amount === b.shopMoney.amount`, o);
      }
      if (o.presentmentCurrencyCode === 'JPY') expect(o.totalPriceSet.presentmentMoney.amount).toMatch(/^\d+$/);
    }
    expect([...seen].sort()).toEqual(['AUD', 'CAD', 'EUR', 'GBP', 'JPY']);
    // Converted totals stay close to the day's rate: a JPY total is ~150-200x its EUR total.
    for (const o of big.orders.filter((x) => x.presentmentCurrencyCode === 'JPY').slice(0, 50)) {
      const ratio = pres(o.totalPriceSet) / (shop(o.totalPriceSet) / 100);
      check(ratio > 150, () => `ratio > 150`, o);
      check(ratio < 200, () => `ratio < 200`, o);
    }
    expectNoViolations();
  });

  it.each([
    ['JPY', 'Asia/Tokyo', /^\d+$/],
    ['KWD', 'Asia/Kuwait', /^\d+\.\d{3}$/],
  ])('keeps exact sums in a %s shop, whose amounts have its own number of decimals', (currency, timeZone, format) => {
    violations.length = 0;
    const data = generateShop({ seed: currency, customers: 400, endMs: END_MS, currency, timeZone });
    for (const o of data.orders) {
      check(format.test(o.totalPriceSet.shopMoney.amount), () => `shop amount ${o.totalPriceSet.shopMoney.amount} has ${currency}'s decimals`, o);
      const lines = o.lineItems.reduce((sum, li) => sum + shop(li.originalUnitPriceSet) * li.quantity - shop(li.totalDiscountSet), 0);
      check(lines === shop(o.subtotalPriceSet), () => 'line items sum to the subtotal', o);
      check(shop(o.subtotalPriceSet) + shop(o.totalShippingPriceSet) + shop(o.totalTaxSet) === shop(o.totalPriceSet), () => 'parts sum to the total', o);
      check(
        pres(o.subtotalPriceSet) + pres(o.totalShippingPriceSet) + pres(o.totalTaxSet) === pres(o.totalPriceSet),
        () => 'presentment parts sum to the total',
        o,
      );
    }
    expectNoViolations();
  });

  it('refunds never exceed totals, come after the order and before the end, and match the refunded quantities', () => {
    violations.length = 0;
    for (const o of big.orders) {
      let refShop = 0;
      let refPres = 0;
      const refundedQty = new Map<number, number>();
      for (const r of o.refunds) {
        check(r.createdAtMs > o.processedAtMs, () => `r.createdAtMs > o.processedAtMs`, o);
        check(r.createdAtMs < END_MS, () => `r.createdAtMs < END_MS`, o);
        refShop += shop(r.totalRefundedSet);
        refPres += pres(r.totalRefundedSet);
        let lines = 0;
        for (const rli of r.refundLineItems) {
          refundedQty.set(rli.lineItemId, (refundedQty.get(rli.lineItemId) ?? 0) + rli.quantity);
          lines += shop(rli.subtotalSet) + shop(rli.totalTaxSet);
        }
        check(lines <= shop(r.totalRefundedSet), () => `lines <= shop(r.totalRefundedSet)`, o);
      }
      check(refShop <= shop(o.totalPriceSet), () => `refShop <= shop(o.totalPriceSet)`, o);
      check(refPres <= pres(o.totalPriceSet), () => `refPres <= pres(o.totalPriceSet)`, o);
      for (const li of o.lineItems) {
        check(
          li.currentQuantity === li.quantity - (refundedQty.get(li.id) ?? 0),
          () => `li.currentQuantity === li.quantity - (refundedQty.get(li.id) ?? 0)`,
          o,
        );
        check(li.currentQuantity >= 0, () => `li.currentQuantity >= 0`, o);
      }
      if (o.cancelledAtMs !== null) {
        check(o.cancelledAtMs > o.processedAtMs, () => `o.cancelledAtMs > o.processedAtMs`, o);
        check(o.cancelReason !== null, () => `o.cancelReason !== null`, o);
        check(o.fulfillmentStatus === 'UNFULFILLED', () => `o.fulfillmentStatus === 'UNFULFILLED'`, o);
        // A cancelled paid order is refunded in full; a declined one is voided with nothing to refund.
        if (o.financialStatus === 'VOIDED') check(o.refunds.length === 0, () => `o.refunds.length === 0`, o);
        else check(refShop === shop(o.totalPriceSet), () => `refShop === shop(o.totalPriceSet)`, o);
      }
    }
    expectNoViolations();
  });

  it('gives guest orders no customer id but an email, and every other order a known customer', () => {
    violations.length = 0;
    const ids = new Set(big.customers.map((c) => c.id));
    expect(ids.size).toBe(big.customers.length);
    const customerEmails = new Set(big.customers.map((c) => c.email));
    let guests = 0;
    for (const o of big.orders) {
      check(o.email !== null, () => `o.email !== null`, o);
      if (o.customerId === null) {
        guests++;
        check(!customerEmails.has(o.email), () => 'a guest email is not a customer email', o);
      } else {
        check(ids.has(o.customerId), () => 'the customer exists', o);
      }
    }
    expect(guests / big.orders.length).toBeGreaterThan(0.08);
    expect(guests / big.orders.length).toBeLessThan(0.3);
    expect(customerEmails.size).toBe(big.customers.length);
    expectNoViolations();
  });

  it('includes each kind of order a real shop has', () => {
    const count = (f: (o: Order) => boolean) => big.orders.filter(f).length;
    const n = big.orders.length;
    expect(count((o) => o.test)).toBeGreaterThan(3);
    expect(count((o) => o.test && o.paymentGatewayNames.includes('bogus'))).toBe(count((o) => o.test));
    expect(count((o) => o.cancelledAtMs !== null) / n).toBeGreaterThan(0.005);
    expect(count((o) => o.refunds.length > 0 && o.cancelledAtMs === null) / n).toBeGreaterThan(0.03);
    const partial = count((o) => o.refunds.length > 0 && o.refunds.reduce((s, r) => s + shop(r.totalRefundedSet), 0) < shop(o.totalPriceSet));
    expect(partial).toBeGreaterThan(20);
    expect(count((o) => o.subscription && o.tags.includes('Subscription Recurring Order'))).toBeGreaterThan(20);
    expect(count((o) => o.subscription && o.lineItems.some((li) => li.sellingPlanName !== null))).toBe(count((o) => o.subscription));
    expect(count((o) => o.discountCodes.length > 0) / n).toBeGreaterThan(0.08);
    expect(count((o) => o.lineItems.length > 1) / n).toBeGreaterThan(0.2);
    expect(count((o) => o.shippingLine === null)).toBeGreaterThan(0);
    expect(count((o) => shop(o.totalTaxSet) > 0) / n).toBeGreaterThan(0.5);
    expect(count((o) => o.note !== null && o.note.includes('\n'))).toBeGreaterThan(0);
  });

  it('recovers a realistic buy-till-you-die shape: 20-35% repeat buyers at 2 years, Black Friday peaks', () => {
    const records = toOrderRecords(big).filter(isCountedOrder);
    const perCustomer = new Map<string, number>();
    for (const r of records) {
      const key = customerKeyOf(r)!;
      perCustomer.set(key, (perCustomer.get(key) ?? 0) + 1);
    }
    const buyers = perCustomer.size;
    const repeat = [...perCustomer.values()].filter((n) => n >= 2).length / buyers;
    expect(repeat).toBeGreaterThan(0.2);
    expect(repeat).toBeLessThan(0.35);
    const oneTime = 1 - repeat;
    expect(oneTime).toBeGreaterThan(0.65);
    const ordersPerBuyer = records.length / buyers;
    expect(ordersPerBuyer).toBeGreaterThan(1.3);
    expect(ordersPerBuyer).toBeLessThan(2.2);
    // Heterogeneity: a few heavy buyers (Gamma-distributed rates) account for many orders.
    expect(Math.max(...perCustomer.values())).toBeGreaterThan(8);

    const bf = blackFridayDay(2025);
    const dayOf = (ms: number) => Math.floor((ms + 3_600_000) / DAY_MS);
    const onBf = records.filter((r) => dayOf(r.placedAtMs) === bf).length;
    const octoberDays =
      records.filter((r) => {
        const d = new Date(r.placedAtMs);
        return d.getUTCFullYear() === 2025 && d.getUTCMonth() === 9;
      }).length / 31;
    expect(onBf / octoberDays).toBeGreaterThan(2.2);
  });

  it("lets core's MBG/NBD and Gamma-Gamma fits recover the process it was drawn from, roughly", () => {
    // Only the BTYD process: no cancellations, refunds, subscriptions or test orders. Seasonality and same-day
    // orders merging into one purchase day bias the fit a little, hence the loose tolerances.
    const data = generateShop({
      seed: 'recovery',
      customers: 8000,
      endMs: END_MS,
      timeZone: 'UTC',
      behaviour: { cancelShare: 0, partialRefundShare: 0, fullRefundShare: 0, subscriberShare: 0, testOrdersPerThousand: 0 },
    });
    const orders = toOrderRecords(data)
      .filter(isCountedOrder)
      .map((r) => ({ customerKey: customerKeyOf(r)!, placedAtMs: r.placedAtMs, amountMinor: r.totalMinor - r.refundedMinor }));
    const summaries = summarizeOrders(orders, { calibrationEndMs: END_MS - 1, timeZone: 'UTC', timeUnit: 'day' });
    const fit = fitMbgNbd(summaries);
    if (!fit.ok) throw new Error(`MBG/NBD fit failed: ${fit.reason}`);
    const { r, alpha, a, b } = fit.value.params;
    const { r: r0, alphaDays, a: a0, b: b0 } = DEFAULT_PROCESS;
    expect(r / alpha / (r0 / alphaDays)).toBeGreaterThan(0.85);
    expect(r / alpha / (r0 / alphaDays)).toBeLessThan(1.15);
    expect(a / (a + b) / (a0 / (a0 + b0))).toBeGreaterThan(0.75);
    expect(a / (a + b) / (a0 / (a0 + b0))).toBeLessThan(1.3);
    expect(r / r0).toBeGreaterThan(0.6);
    expect(r / r0).toBeLessThan(1.4);

    // Spend: orders are built from catalogue prices around each drawn value, plus shipping and tax, so the mean
    // repeat order value lands a little above the configured p·γ/(q−1).
    const spend = fitGammaGamma({ frequency: summaries.frequency, monetaryValue: Array.from(summaries.monetaryValueMinor, (m) => m / 100) });
    if (!spend.ok) throw new Error(`Gamma-Gamma fit failed: ${spend.reason}`);
    const configuredMean = (DEFAULT_PROCESS.spendP * DEFAULT_PROCESS.spendGammaUsd) / (DEFAULT_PROCESS.spendQ - 1);
    expect(gammaGammaPopulationMean(spend.value.params) / configuredMean).toBeGreaterThan(0.9);
    expect(gammaGammaPopulationMean(spend.value.params) / configuredMean).toBeLessThan(1.25);
  });

  it('maps to valid core OrderRecords in the shop currency', () => {
    const records = toOrderRecords(big);
    records.forEach((r, i) => assertOrderRecord(r, i));
    expect(records.every((r) => r.currency === 'EUR')).toBe(true);
    const withRefunds = records.filter((r) => r.refundedMinor > 0);
    expect(withRefunds.length).toBeGreaterThan(0);
    for (const r of withRefunds) expect(r.refunds?.reduce((s, x) => s + x.amountMinor, 0)).toBe(r.refundedMinor);
    expect(records.filter((r) => r.subscription).length).toBeGreaterThan(0);
  });
});
