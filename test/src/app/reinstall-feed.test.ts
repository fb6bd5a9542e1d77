import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomersFeedV1 } from '@clvlens/core';
import { generateShop } from '../generator/generate.ts';
import type { Order, ShopData } from '../shop-model/types.ts';
import { countedCustomerIds, reinstallAfterErasure, startHarness, truthRecords, waitForLive, type Harness } from './harness.ts';

// A merchant uninstalls the app; 48 hours later Shopify asks it to erase the shop's data (shop/redact), and later the
// merchant installs it again. The extension, paired again with the same app, still holds its cursor from before. The
// app's change sequence for the shop started over, so that cursor must not be read as a place in the new feed: the
// extension would keep every customer cached from before and never see the ones the new sequence had already passed.
describe('the delta feed after an uninstall, the erasure and a new install', () => {
  let h: Harness;
  let data: ShopData;
  let shop = '';

  beforeAll(async () => {
    h = await startHarness();
    data = generateShop({ seed: 31, customers: 80, historyDays: 400, endMs: Date.now() - 3_600_000, shopName: 'Second Life' });
    shop = data.shop.domain;
    h.fake.control.loadShop(data);
    expect((await h.openApp(shop)).status).toBe(200);
    await waitForLive(h, shop);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  async function readFeed(token: string, since: string): Promise<{ ids: Set<string>; cursor: string; resets: number }> {
    const ids = new Set<string>();
    let resets = 0;
    for (let cursor = since; ;) {
      const res = await h.api(token, `/api/v1/customers?limit=25${cursor ? `&since=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as CustomersFeedV1;
      if (page.reset === true) {
        resets++;
        ids.clear();
      }
      for (const c of page.customers) ids.add(c.customerId);
      for (const id of page.deletedCustomerIds) ids.delete(id);
      cursor = page.nextCursor;
      if (!page.hasMore) return { ids, cursor, resets };
    }
  }

  const countedCustomers = (): Set<string> => countedCustomerIds(truthRecords(h.fake.control.truth(shop)));

  it('starts a reader holding a cursor from before over, and it then holds exactly the customers Shopify has now', async () => {
    const first = await readFeed(await h.pair(shop), '');
    expect(first.resets).toBe(0);
    expect(first.ids).toEqual(countedCustomers());

    // While the app is away the shop goes on: new customers buy (no webhook reaches an uninstalled app).
    const newcomers: string[] = [];
    await reinstallAfterErasure(h, shop, () => {
      const template = data.orders.find((o) => o.customerId !== null && !o.test && o.cancelledAtMs === null && o.refunds.length === 0)!;
      const templateCustomer = data.customers.find((c) => c.id === template.customerId)!;
      let nextOrder = Math.max(...data.orders.map((o) => o.id));
      let nextCustomer = Math.max(...data.customers.map((c) => c.id));
      const now = h.fake.control.nowMs();
      for (let i = 0; i < 3; i++) {
        const customer = h.fake.control.addCustomer(shop, { ...templateCustomer, id: ++nextCustomer, createdAtMs: now, updatedAtMs: now });
        nextOrder++;
        const order: Order = {
          ...template,
          id: nextOrder,
          name: `#${nextOrder}`,
          orderNumber: nextOrder,
          customerId: customer.id,
          createdAtMs: now,
          processedAtMs: now,
          updatedAtMs: now,
          closedAtMs: null,
        };
        h.fake.control.addOrder(shop, order);
        newcomers.push(String(customer.id));
      }
    });
    const token = await h.pair(shop);

    const again = await readFeed(token, first.cursor);
    expect(again.resets).toBe(1);
    const now2 = countedCustomers();
    for (const id of newcomers) expect(now2.has(id)).toBe(true);
    expect(again.ids).toEqual(now2);

    // The cursor of the new life is followed as before: nothing changed since, nothing served, no reset.
    const quiet = (await (await h.api(token, `/api/v1/customers?since=${encodeURIComponent(again.cursor)}`)).json()) as CustomersFeedV1;
    expect(quiet).toMatchObject({ customers: [], deletedCustomerIds: [], nextCursor: again.cursor, hasMore: false });
    expect(quiet.reset).toBeUndefined();
  });
});
