import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerInsightV1, ShopSummaryV1 } from '@clvlens/core';
import { loadOrderRecords } from '@clvlens/shopify-app';
import { generateShop } from '../generator/generate.ts';
import type { Order, ShopData } from '../shop-model/types.ts';
import { servedBesideTruth, startHarness, truthRecords, type Harness } from './harness.ts';

// A shop installed while many others are: its backfill job waits for a worker, and its customers keep buying. Their
// webhooks are stored at once, but a score from them alone would call a customer with ten orders in the admin "new,
// one order", and the dashboard would open on figures from a few minutes of orders. Nothing is scored until the
// history is stored; then everyone is, on all their orders.
describe("a shop's webhooks before its first backfill has stored its history", () => {
  let h: Harness;
  let data: ShopData;
  let shop = '';

  beforeAll(async () => {
    // No job workers: the install queues the backfill and nothing takes it, as when every worker is busy.
    h = await startHarness({ workers: false });
    data = generateShop({ seed: 23, customers: 150, historyDays: 400, endMs: Date.now() - 3_600_000, shopName: 'Early Webhooks' });
    shop = data.shop.domain;
    h.fake.control.loadShop(data);
    expect((await h.openApp(shop)).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  const plain = (o: Order): boolean => o.customerId !== null && !o.test && o.cancelledAtMs === null && o.refunds.length === 0;

  it('scores nobody on the webhooks alone (no insight, no report), then everyone on all their orders once the backfill ends', async () => {
    // Five customers with at least two plain orders each buy again.
    const counts = new Map<number, number>();
    for (const o of data.orders) if (plain(o)) counts.set(o.customerId!, (counts.get(o.customerId!) ?? 0) + 1);
    const buyers = [...counts].filter(([, n]) => n >= 2).map(([id]) => id);
    expect(buyers.length).toBeGreaterThanOrEqual(5);
    const targets = buyers.slice(0, 5);
    let nextId = Math.max(...data.orders.map((o) => o.id));
    const now = h.fake.control.nowMs();
    for (const customerId of targets) {
      const template = data.orders.find((o) => o.customerId === customerId && plain(o))!;
      nextId += 1;
      h.fake.control.addOrder(shop, {
        ...template,
        id: nextId,
        name: `#${nextId}`,
        orderNumber: nextId,
        createdAtMs: now,
        processedAtMs: now,
        updatedAtMs: now,
        closedAtMs: null,
      });
    }
    await h.fake.control.webhooksIdle();
    expect(await loadOrderRecords(h.database.db, shop)).toHaveLength(5);

    // What the recompute job these webhooks asked for does while the history is missing.
    expect(await h.server.app.compute.recomputeShop(shop)).toMatchObject({ mode: 'skipped', customers: 0 });
    const token = await h.pair(shop);
    for (const id of targets) expect((await h.api(token, `/api/v1/customers/${id}`)).status).toBe(404);
    expect((await h.appApi(shop, '/app/api/report')).status).toBe(404);
    // The spend upload's label names the currency the file is read in (the shop's), not "—".
    expect(((await (await h.appApi(shop, '/app/api/feedback-metrics')).json()) as { currency: string | null }).currency).toBe(data.shop.currencyCode);
    // The summary the dashboard and the extension's popup read says nothing is computed yet: its zeros are not figures.
    for (const waiting of [
      (await (await h.appApi(shop, '/app/api/summary')).json()) as ShopSummaryV1,
      (await (await h.api(token, '/api/v1/shop/summary')).json()) as ShopSummaryV1,
    ]) {
      expect(waiting.sync.state).not.toBe('live');
      expect(waiting).toMatchObject({ metricsPending: true, customers: 0 });
    }

    // The backfill's job is taken: the history is stored, then the whole-shop run scores everyone on it.
    expect(await h.server.app.backfill(shop)).toBe(true);
    expect(await h.server.app.compute.recomputeShop(shop)).toMatchObject({ mode: 'full' });
    const truth = truthRecords(h.fake.control.truth(shop));
    const { truth: expected, served, extra } = await servedBesideTruth(h.database.db, data.shop, truth);
    expect(served).toEqual(expected);
    expect(extra).toBe(0);
    for (const id of targets) {
      const insight = (await (await h.api(token, `/api/v1/customers/${id}`)).json()) as CustomerInsightV1;
      // Their orders before (two or more) and the new one, as the truth counts them.
      expect(insight.orderCount).toBe(expected.find((x) => x.customerId === String(id))!.orderCount);
      expect(insight.orderCount).toBeGreaterThanOrEqual(3);
    }
    expect((await h.appApi(shop, '/app/api/report')).status).toBe(200);
    const computed = (await (await h.api(token, '/api/v1/shop/summary')).json()) as ShopSummaryV1;
    expect(computed.metricsPending).toBeUndefined();
    // Every buyer, guests (by email) included: at least the customers with an account.
    expect(computed.customers).toBeGreaterThanOrEqual(expected.length);
  }, 60_000);
});
