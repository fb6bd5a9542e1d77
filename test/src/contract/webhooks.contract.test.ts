import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Shopify, WebhookValidation } from '@shopify/shopify-api';
import type { FakeShopify } from '../fake-shopify/server.ts';
import { WEBHOOK_TOPICS } from '../fake-shopify/topics.ts';
import { buildSimpleShop } from './simple-shop.ts';
import { startHarness } from './harness.ts';

const SHOP = 'contract-hooks.myshopify.com';

interface Received {
  topic: string | undefined;
  webhookId: string | undefined;
  body: string;
  validation: WebhookValidation;
}

/** A loopback receiver that validates every delivery with the real library; `respond` picks the status. */
async function startReceiver(shopify: Shopify, respond: (n: number) => number | 'hang' = () => 200) {
  const received: Received[] = [];
  let n = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const validation = await shopify.webhooks.validate({ rawBody: body, rawRequest: req, rawResponse: res });
        const h = (k: string) => req.headers[k] as string | undefined;
        received.push({ topic: h('x-shopify-topic'), webhookId: h('x-shopify-webhook-id'), body, validation });
        const status = respond(n++);
        if (status === 'hang') return;
        res.writeHead(status).end();
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('webhook deliveries validated by shopify.webhooks.validate', () => {
  let fake: FakeShopify;
  let shopify: Shopify;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    ({ fake, shopify } = await startHarness({ webhookRetry: { maxRetries: 3, backoffMs: () => 20 } }));
    fake.control.loadShop(buildSimpleShop({ domain: SHOP, orders: 20, customers: 5 }));
    receiver = await startReceiver(shopify);
    fake.control.setAppWebhooks([{ topics: WEBHOOK_TOPICS, uri: receiver.url }], receiver.url);
  });
  afterAll(async () => {
    await receiver.close();
    await fake.stop();
  });

  it('delivers orders/create with every header the library requires and a valid HMAC', async () => {
    const truth = fake.control.truth(SHOP);
    const order = { ...(truth.orders[0] as (typeof truth.orders)[number]), id: 5_999_000_001, name: '#9001', orderNumber: 9001 };
    fake.control.addOrder(SHOP, order);
    await fake.control.webhooksIdle();
    const got = receiver.received.find((r) => r.topic === 'orders/create');
    expect(got?.validation).toMatchObject({ valid: true, webhookType: 'webhooks', topic: 'ORDERS_CREATE', domain: SHOP, apiVersion: '2026-07' });
    const payload = JSON.parse(got?.body ?? '{}') as Record<string, unknown>;
    expect(payload).toMatchObject({ id: 5_999_000_001, name: '#9001', admin_graphql_api_id: 'gid://shopify/Order/5999000001', currency: 'USD' });
    expect(payload['total_price']).toBe(order.totalPriceSet.shopMoney.amount);
    expect(payload['created_at']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-0[45]:00$/);
    expect(receiver.received.some((r) => r.topic === 'orders/paid')).toBe(true);
    const [create, paid] = fake.control.deliveries({ topic: 'orders/create' }).concat(fake.control.deliveries({ topic: 'orders/paid' }));
    expect(create?.eventId).toBe(paid?.eventId);
    expect(create?.webhookId).not.toBe(paid?.webhookId);
  });

  it('sends refunds/create and orders/updated on a refund, and orders/cancelled on a cancel', async () => {
    const id = fake.control.truth(SHOP).orders[3]?.id ?? 0;
    fake.control.refundOrder(SHOP, id, { amountShopMinor: 250 });
    fake.control.cancelOrder(SHOP, id, { reason: 'CUSTOMER' });
    const gone = fake.control.truth(SHOP).orders[4]?.id ?? 0;
    fake.control.deleteOrder(SHOP, gone);
    await fake.control.webhooksIdle();
    expect(JSON.parse(receiver.received.find((r) => r.topic === 'orders/delete')?.body ?? '{}')).toEqual({ id: gone });
    expect(fake.control.truth(SHOP).orders.some((o) => o.id === gone)).toBe(false);
    const refund = receiver.received.find((r) => r.topic === 'refunds/create');
    expect(refund?.validation.valid).toBe(true);
    expect(JSON.parse(refund?.body ?? '{}')).toMatchObject({ order_id: id, transactions: [{ kind: 'refund', amount: '2.50' }] });
    const cancelled = receiver.received.find((r) => r.topic === 'orders/cancelled');
    expect(JSON.parse(cancelled?.body ?? '{}')).toMatchObject({ id, cancel_reason: 'customer' });
    const truthOrder = fake.control.truth(SHOP).orders.find((o) => o.id === id);
    expect(truthOrder?.cancelledAtMs).not.toBeNull();
    expect(truthOrder?.refunds.at(-1)?.totalRefundedSet.shopMoney.amount).toBe('2.50');
  });

  it('sends bulk_operations/finish when a bulk query ends', async () => {
    const token = fake.control.issueOfflineToken(SHOP);
    const r = await fetch(`${fake.url}/admin/api/2026-07/graphql.json`, {
      method: 'POST',
      headers: { 'x-forwarded-host': SHOP, 'x-shopify-access-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation { bulkOperationRunQuery(query: "{ orders { edges { node { id } } } }") { bulkOperation { id } userErrors { message } } }',
      }),
    });
    const id = ((await r.json()) as { data: { bulkOperationRunQuery: { bulkOperation: { id: string } } } }).data.bulkOperationRunQuery.bulkOperation.id;
    await fake.control.bulkIdle(SHOP);
    await fake.control.webhooksIdle();
    const got = receiver.received.find((x) => x.topic === 'bulk_operations/finish');
    expect(got?.validation).toMatchObject({ valid: true, topic: 'BULK_OPERATIONS_FINISH' });
    expect(JSON.parse(got?.body ?? '{}')).toMatchObject({ admin_graphql_api_id: id, status: 'completed', type: 'query', error_code: null });
  });

  it('sends customers/*, app/uninstalled and the compliance topics', async () => {
    const c = fake.control.truth(SHOP).customers[0];
    if (c === undefined) throw new Error('no customer');
    fake.control.updateCustomer(SHOP, c.id, { firstName: 'Renamed' });
    fake.control.requestCustomerData(SHOP, c.id);
    fake.control.redactCustomer(SHOP, c.id);
    fake.control.uninstall(SHOP);
    fake.control.redactShop(SHOP);
    await fake.control.webhooksIdle();
    const topics = receiver.received.map((r) => r.topic);
    for (const t of ['customers/update', 'customers/data_request', 'customers/redact', 'app/uninstalled', 'shop/redact']) {
      expect(topics).toContain(t);
    }
    for (const r of receiver.received) expect(r.validation.valid).toBe(true);
    const redact = JSON.parse(receiver.received.find((r) => r.topic === 'customers/redact')?.body ?? '{}') as {
      orders_to_redact: number[];
      customer: { id: number };
    };
    expect(redact.customer.id).toBe(c.id);
    expect(redact.orders_to_redact.sort()).toEqual(
      fake.control
        .truth(SHOP)
        .orders.filter((o) => o.customerId === c.id)
        .map((o) => o.id)
        .sort(),
    );
    fake.control.install(SHOP);
  });
});

describe('webhook delivery semantics', () => {
  let fake: FakeShopify;
  let shopify: Shopify;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
    await fake.stop();
  });

  it('retries failed deliveries with the original payload and the same Webhook-Id', async () => {
    ({ fake, shopify } = await startHarness({ webhookRetry: { maxRetries: 4, backoffMs: (n) => 10 * n } }));
    const receiver = await startReceiver(shopify, (n) => (n < 2 ? 500 : 200));
    closers.push(receiver.close);
    fake.control.loadShop(buildSimpleShop({ domain: SHOP, orders: 3, customers: 2 }));
    fake.control.setAppWebhooks([{ topics: ['orders/updated'], uri: receiver.url }]);
    fake.control.updateOrder(SHOP, fake.control.truth(SHOP).orders[0]?.id ?? 0, { tags: ['vip'] });
    await fake.control.webhooksIdle();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.webhookId)).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    const [d] = fake.control.deliveries();
    expect(d?.state).toBe('delivered');
    expect(d?.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
  });

  it('times out a hanging receiver and retries', async () => {
    ({ fake, shopify } = await startHarness({ webhookTimeoutMs: 150, webhookRetry: { maxRetries: 2, backoffMs: () => 10 } }));
    const receiver = await startReceiver(shopify, (n) => (n === 0 ? 'hang' : 200));
    closers.push(receiver.close);
    fake.control.loadShop(buildSimpleShop({ domain: SHOP, orders: 3, customers: 2 }));
    fake.control.setAppWebhooks([{ topics: ['orders/updated'], uri: receiver.url }]);
    fake.control.updateOrder(SHOP, fake.control.truth(SHOP).orders[0]?.id ?? 0, { tags: ['x'] });
    await fake.control.webhooksIdle();
    const [d] = fake.control.deliveries();
    expect(d?.attempts[0]?.error).toMatch(/TimeoutError|aborted/i);
    expect(d?.state).toBe('delivered');
  });

  it('gives up after the retries and deletes a shop-specific subscription', async () => {
    ({ fake, shopify } = await startHarness({ webhookRetry: { maxRetries: 2, backoffMs: () => 5 } }));
    const receiver = await startReceiver(shopify, () => 503);
    closers.push(receiver.close);
    fake.control.loadShop(buildSimpleShop({ domain: SHOP, orders: 3, customers: 2 }));
    const token = fake.control.issueOfflineToken(SHOP);
    const create = await fetch(`${fake.url}/admin/api/2026-07/graphql.json`, {
      method: 'POST',
      headers: { 'x-forwarded-host': SHOP, 'x-shopify-access-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation { webhookSubscriptionCreate(topic: ORDERS_UPDATED, webhookSubscription: { uri: "${receiver.url}" }) { webhookSubscription { id topic uri } userErrors { message } } }`,
      }),
    });
    const created = (await create.json()) as { data: { webhookSubscriptionCreate: { webhookSubscription: { topic: string; uri: string } } } };
    expect(created.data.webhookSubscriptionCreate.webhookSubscription).toMatchObject({ topic: 'ORDERS_UPDATED', uri: receiver.url });
    fake.control.updateOrder(SHOP, fake.control.truth(SHOP).orders[0]?.id ?? 0, { tags: ['x'] });
    await fake.control.webhooksIdle();
    expect(receiver.received).toHaveLength(3);
    expect(fake.control.deliveries()[0]?.state).toBe('failed');
    const list = await fetch(`${fake.url}/admin/api/2026-07/graphql.json`, {
      method: 'POST',
      headers: { 'x-forwarded-host': SHOP, 'x-shopify-access-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ webhookSubscriptions(first: 10) { nodes { id } } }' }),
    });
    expect(((await list.json()) as { data: { webhookSubscriptions: { nodes: unknown[] } } }).data.webhookSubscriptions.nodes).toHaveLength(0);
  });

  it('applies a subscription filter and includeFields', async () => {
    ({ fake, shopify } = await startHarness());
    const receiver = await startReceiver(shopify);
    closers.push(receiver.close);
    fake.control.loadShop(buildSimpleShop({ domain: SHOP, orders: 4, customers: 2 }));
    const token = fake.control.issueOfflineToken(SHOP);
    const r = await fetch(`${fake.url}/admin/api/2026-07/graphql.json`, {
      method: 'POST',
      headers: { 'x-forwarded-host': SHOP, 'x-shopify-access-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation { webhookSubscriptionCreate(topic: ORDERS_UPDATED, webhookSubscription: {
        uri: "${receiver.url}", filter: "tags:vip", includeFields: ["id", "tags", "updated_at"] }) { userErrors { message } } }`,
      }),
    });
    expect(((await r.json()) as { data: { webhookSubscriptionCreate: { userErrors: unknown[] } } }).data.webhookSubscriptionCreate.userErrors).toEqual([]);
    const [a, b] = fake.control.truth(SHOP).orders;
    fake.control.updateOrder(SHOP, a?.id ?? 0, { tags: ['vip'] });
    fake.control.updateOrder(SHOP, b?.id ?? 0, { tags: ['other'] });
    await fake.control.webhooksIdle();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.validation.valid).toBe(true);
    expect(Object.keys(JSON.parse(receiver.received[0]?.body ?? '{}')).sort()).toEqual(['id', 'tags', 'updated_at']);
  });

  it('applies seeded chaos: duplicates share a Webhook-Id, drops never arrive, reordering lets later events overtake', async () => {
    const run = async () => {
      const h = await startHarness({ seed: 42, webhookChaos: { duplicateRate: 0.2, dropRate: 0.1, reorderRate: 0.3, maxReorderDelayMs: 50 } });
      const receiver = await startReceiver(h.shopify);
      h.fake.control.loadShop(buildSimpleShop({ domain: SHOP, orders: 60, customers: 5 }));
      h.fake.control.setAppWebhooks([{ topics: ['orders/updated'], uri: receiver.url }]);
      for (const o of h.fake.control.truth(SHOP).orders) h.fake.control.updateOrder(SHOP, o.id, { note: 'touched' });
      await h.fake.control.webhooksIdle();
      const deliveries = h.fake.control.deliveries();
      await receiver.close();
      await h.fake.stop();
      return { deliveries, received: receiver.received };
    };
    const a = await run();
    const b = await run();
    const shape = (r: typeof a) => r.deliveries.map((d) => `${d.state}:${d.duplicate}`);
    expect(shape(a)).toEqual(shape(b));
    const dropped = a.deliveries.filter((d) => d.state === 'dropped');
    const dups = a.deliveries.filter((d) => d.duplicate);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dups.length).toBeGreaterThan(0);
    for (const d of dups) expect(a.received.filter((r) => r.webhookId === d.webhookId)).toHaveLength(2);
    for (const d of dropped) expect(a.received.some((r) => r.webhookId === d.webhookId)).toBe(false);
    const arrivalOrder = a.received.map((r) => (JSON.parse(r.body) as { id: number }).id);
    const sorted = [...arrivalOrder].sort((x, y) => x - y);
    expect(arrivalOrder).not.toEqual(sorted);
    for (const r of a.received) expect(r.validation.valid).toBe(true);
    fake = (await startHarness()).fake;
  });

  it('signs with the app secret: a receiver with another secret sees invalid_hmac', async () => {
    ({ fake } = await startHarness({ appSecret: 'other-secret' }));
    const app = await startHarness();
    shopify = app.shopify;
    closers.push(() => app.fake.stop());
    const receiver = await startReceiver(shopify);
    closers.push(receiver.close);
    fake.control.loadShop(buildSimpleShop({ domain: SHOP, orders: 2, customers: 1 }));
    fake.control.setAppWebhooks([{ topics: ['orders/updated'], uri: receiver.url }]);
    fake.control.updateOrder(SHOP, fake.control.truth(SHOP).orders[0]?.id ?? 0, { note: 'x' });
    await fake.control.webhooksIdle();
    expect(receiver.received[0]?.validation).toMatchObject({ valid: false, reason: 'invalid_hmac' });
  });
});
