import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSimpleShop } from '../contract/simple-shop.ts';
import { ShopStore } from './shop-store.ts';

describe('ShopStore', () => {
  it('keeps built indexes and per-customer lists equal to a fresh sort across puts and deletes', () => {
    const data = buildSimpleShop({ domain: 'idx.myshopify.com', orders: 80, customers: 6, seed: 3 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(79), fc.integer({ min: -5, max: 5 }), fc.nat(6), fc.boolean()), { maxLength: 40 }), (ops) => {
        const store = new ShopStore(data.shop, 0);
        for (const c of data.customers) store.putCustomer(c);
        for (const o of data.orders) store.putOrder(o);
        store.orderIndex('UPDATED_AT');
        store.orderIndex('CREATED_AT');
        store.ordersOf(data.customers[0]?.id ?? 0);
        for (const [i, shiftDays, cust, del] of ops) {
          const o = data.orders[i];
          if (o === undefined || !store.orders.has(o.id)) continue;
          if (del) {
            store.deleteOrder(o.id);
            continue;
          }
          const customerId = cust === 6 ? null : (data.customers[cust]?.id ?? null);
          store.putOrder({ ...store.getOrder(o.id), updatedAtMs: o.updatedAtMs + shiftDays * 86_400_000, customerId });
        }
        const fresh = new ShopStore(data.shop, 0);
        for (const o of store.orders.values()) fresh.putOrder(o);
        expect(store.orderIndex('UPDATED_AT').map((o) => o.id)).toEqual(fresh.orderIndex('UPDATED_AT').map((o) => o.id));
        expect(store.orderIndex('CREATED_AT').map((o) => o.id)).toEqual(fresh.orderIndex('CREATED_AT').map((o) => o.id));
        for (const c of data.customers) {
          expect(store.ordersOf(c.id).map((o) => o.id)).toEqual(fresh.ordersOf(c.id).map((o) => o.id));
        }
      }),
      { numRuns: 50 },
    );
  });
});
