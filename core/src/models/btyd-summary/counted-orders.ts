import { CurrencyMismatchError } from '../../errors/core-error.ts';
import { customerKeyOf, isCountedOrder, orderNetMinor } from '../../orders/order.ts';
import type { OrderRecord } from '../../orders/order.ts';
import type { CountedOrder } from './btyd-summary.ts';

/** The model input built from order records, with what was left out counted by reason (never dropped silently). */
export interface CountedOrders {
  orders: CountedOrder[];
  /** The one currency of the amounts, or null when there is no counted order. */
  currency: string | null;
  skipped: {
    /** Test, cancelled or net value <= 0 (core's counting rule, `isCountedOrder`). */
    notCounted: number;
    /** No customer id and no email (`customerKeyOf` is null): cannot belong to a customer history. */
    noCustomer: number;
  };
}

/**
 * Turns `OrderRecord`s into the models' counted orders: counted orders only, keyed by `customerKeyOf`, valued at net
 * (total − refunds) in minor units. Throws `CurrencyMismatchError` when two currencies meet.
 */
export function toCountedOrders(records: readonly OrderRecord[]): CountedOrders {
  const orders: CountedOrder[] = [];
  let currency: string | null = null;
  let notCounted = 0;
  let noCustomer = 0;
  for (const record of records) {
    if (!isCountedOrder(record)) {
      notCounted++;
      continue;
    }
    const customerKey = customerKeyOf(record);
    if (customerKey === null) {
      noCustomer++;
      continue;
    }
    if (currency === null) currency = record.currency;
    else if (record.currency !== currency) throw new CurrencyMismatchError(currency, record.currency, `order ${record.orderId}`);
    orders.push({ customerKey, placedAtMs: record.placedAtMs, amountMinor: orderNetMinor(record) });
  }
  return { orders, currency, skipped: { notCounted, noCustomer } };
}
