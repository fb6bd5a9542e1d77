import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeShopify, type FakeShopify } from '../fake-shopify/server.ts';
import { decimalToMinor } from '../shop-model/money.ts';
import type { MoneyBag } from '../shop-model/types.ts';
import { generateShop } from './generate.ts';
import { startLiveShop, type LiveAction } from './live.ts';

const DOMAIN = 'live-demo.myshopify.com';

function shopMinor(m: MoneyBag): number {
  return decimalToMinor(m.shopMoney.amount, m.shopMoney.currencyCode);
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('startLiveShop', () => {
  let fake: FakeShopify;
  let receiver: Server;
  const topics: string[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      topics.push(String(req.headers['x-shopify-topic']));
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;
    fake = await createFakeShopify({ appApiKey: 'live-key', appSecret: 'live-secret' });
    fake.control.setAppWebhooks([{ topics: ['orders/create', 'orders/updated', 'orders/cancelled', 'refunds/create', 'customers/create'], uri: url }]);
    const data = generateShop({
      seed: 'live',
      customers: 300,
      endMs: fake.control.nowMs(),
      shopName: 'Live Demo',
      currency: 'CAD',
      timeZone: 'America/Toronto',
    });
    fake.control.loadShop(data);
  });

  afterAll(async () => {
    await fake.stop();
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  it('loads a generated shop into the fake Shopify unchanged', () => {
    const data = generateShop({
      seed: 'live',
      customers: 300,
      endMs: fake.control.nowMs(),
      shopName: 'Live Demo',
      currency: 'CAD',
      timeZone: 'America/Toronto',
    });
    const truth = fake.control.truth(DOMAIN);
    expect(truth.orders.length).toBe(data.orders.length);
    expect(truth.customers.length).toBe(data.customers.length);
    expect(truth.shop.currencyCode).toBe('CAD');
  });

  it('keeps placing and changing orders until stopped, and the fake emits their webhooks', async () => {
    const before = fake.control.truth(DOMAIN);
    const lastNumber = Math.max(...before.orders.map((o) => o.orderNumber));
    const actions: LiveAction[] = [];
    const errors: unknown[] = [];
    const live = startLiveShop({
      fake,
      shopDomain: DOMAIN,
      ordersPerMinute: 3000,
      seed: 9,
      changeShare: 0.4,
      onAction: (a) => actions.push(a),
      onError: (e) => errors.push(e),
    });
    // Until three kinds of action were seen, not a fixed count: which changes the seeded draws make depends on the
    // shop's orders, built relative to today (on 2026-12-04 one CI run saw only one kind of change).
    await waitFor(() => live.stats.ordersCreated >= 12 && live.stats.changes >= 4 && new Set(actions.map((a) => a.kind)).size > 2, 20_000);
    await live.stop();
    const stoppedAt = live.stats.actions;
    await new Promise((r) => setTimeout(r, 150));
    expect(live.stats.actions).toBe(stoppedAt);
    expect(errors).toEqual([]);

    const after = fake.control.truth(DOMAIN);
    const created = actions.filter((a) => a.kind === 'order-created');
    expect(after.orders.length).toBe(before.orders.length + created.length);
    const newOrders = after.orders.filter((o) => o.orderNumber > lastNumber).sort((a, b) => a.orderNumber - b.orderNumber);
    expect(newOrders.map((o) => o.orderNumber)).toEqual(created.map((_, i) => lastNumber + 1 + i));
    for (const o of after.orders) {
      const refunded = o.refunds.reduce((s, r) => s + shopMinor(r.totalRefundedSet), 0);
      expect(refunded).toBeLessThanOrEqual(shopMinor(o.totalPriceSet));
      if (o.customerId !== null) expect(after.customers.some((c) => c.id === o.customerId)).toBe(true);
    }
    for (const o of newOrders) {
      const lines = o.lineItems.reduce((s, li) => s + shopMinor(li.originalUnitPriceSet) * li.quantity - shopMinor(li.totalDiscountSet), 0);
      expect(lines).toBe(shopMinor(o.subtotalPriceSet));
      expect(o.currencyCode).toBe('CAD');
    }

    await fake.control.webhooksIdle();
    expect(topics.filter((t) => t === 'orders/create').length).toBe(created.length);
    const kinds = new Set(actions.map((a) => a.kind));
    expect(kinds.size).toBeGreaterThan(2);
    if (kinds.has('order-refunded')) expect(topics).toContain('refunds/create');
    if (actions.some((a) => a.newCustomerId !== null)) expect(topics).toContain('customers/create');
  });

  it('runs one action on demand with step()', async () => {
    const live = startLiveShop({ fake, shopDomain: DOMAIN, ordersPerMinute: 0.001, seed: 11, changeShare: 0 });
    const action = live.step();
    await live.stop();
    expect(action?.kind).toBe('order-created');
    expect(fake.control.truth(DOMAIN).orders.some((o) => o.id === action?.orderId)).toBe(true);
  });
});
