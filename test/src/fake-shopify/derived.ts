import { decimalToMinor, minorToDecimal } from '../shop-model/money.ts';
import type { Customer, FinancialStatus, MoneyBag, Order } from '../shop-model/types.ts';

/** Sums MoneyBags (same currencies throughout); an empty sum is zero in the given currencies. */
export function sumBags(bags: readonly MoneyBag[], shopCurrency: string, presentmentCurrency: string): MoneyBag {
  let shop = 0;
  let pres = 0;
  for (const b of bags) {
    shop += decimalToMinor(b.shopMoney.amount, b.shopMoney.currencyCode);
    pres += decimalToMinor(b.presentmentMoney.amount, b.presentmentMoney.currencyCode);
  }
  return {
    shopMoney: { amount: minorToDecimal(shop, shopCurrency), currencyCode: shopCurrency },
    presentmentMoney: { amount: minorToDecimal(pres, presentmentCurrency), currencyCode: presentmentCurrency },
  };
}

/** a - b, per currency, floored at zero (Shopify never shows a negative current total). */
export function subtractBags(a: MoneyBag, b: MoneyBag): MoneyBag {
  const s = Math.max(0, decimalToMinor(a.shopMoney.amount, a.shopMoney.currencyCode) - decimalToMinor(b.shopMoney.amount, b.shopMoney.currencyCode));
  const p = Math.max(
    0,
    decimalToMinor(a.presentmentMoney.amount, a.presentmentMoney.currencyCode) - decimalToMinor(b.presentmentMoney.amount, b.presentmentMoney.currencyCode),
  );
  return {
    shopMoney: { amount: minorToDecimal(s, a.shopMoney.currencyCode), currencyCode: a.shopMoney.currencyCode },
    presentmentMoney: {
      amount: minorToDecimal(p, a.presentmentMoney.currencyCode),
      currencyCode: a.presentmentMoney.currencyCode,
    },
  };
}

/** `totalRefundedSet`: the sum of the order's refunds. */
export function totalRefunded(order: Order): MoneyBag {
  return sumBags(
    order.refunds.map((r) => r.totalRefundedSet),
    order.currencyCode,
    order.presentmentCurrencyCode,
  );
}

/** `currentTotalPriceSet`: the total after refunds (Shopify also removes refunded lines; refunds carry both here). */
export function currentTotal(order: Order): MoneyBag {
  return subtractBags(order.totalPriceSet, totalRefunded(order));
}

/** `displayFinancialStatus` as Shopify derives it once refunds exist. */
export function displayFinancialStatus(order: Order): FinancialStatus {
  if (order.refunds.length === 0 || order.financialStatus === 'VOIDED') return order.financialStatus;
  const refunded = decimalToMinor(totalRefunded(order).shopMoney.amount, order.currencyCode);
  const total = decimalToMinor(order.totalPriceSet.shopMoney.amount, order.currencyCode);
  if (refunded <= 0) return order.financialStatus;
  return refunded >= total ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
}

/** Customer `numberOfOrders` and `amountSpent` (shop currency), from that customer's non-test orders. */
export function customerTotals(orders: Iterable<Order>, shopCurrency: string): { numberOfOrders: number; amountSpentMinor: number; lastOrder: Order | null } {
  let n = 0;
  let spent = 0;
  let last: Order | null = null;
  for (const o of orders) {
    if (o.test) continue;
    n++;
    if (o.cancelledAtMs === null) spent += decimalToMinor(currentTotal(o).shopMoney.amount, shopCurrency);
    if (last === null || o.processedAtMs > last.processedAtMs) last = o;
  }
  return { numberOfOrders: n, amountSpentMinor: spent, lastOrder: last };
}

/** `displayName` of a customer as Shopify builds it (names, else email). */
export function customerDisplayName(c: Customer): string {
  const name = [c.firstName, c.lastName].filter((x) => x !== null && x !== '').join(' ');
  return name !== '' ? name : (c.email ?? c.phone ?? '');
}
