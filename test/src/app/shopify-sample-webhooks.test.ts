import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerInsightV1, CustomersFeedV1 } from '@clvlens/core';
import { signedWebhook } from '@clvlens/shopify-app';
import { API_SECRET, startHarness, type Harness } from './harness.ts';
import {
  SAMPLE_APP_UNINSTALLED_BODY,
  SAMPLE_BULK_OPERATIONS_FINISH_BODY,
  SAMPLE_CUSTOMER_BODY,
  SAMPLE_CUSTOMER_DELETE_BODY,
  SAMPLE_CUSTOMER_ID,
  SAMPLE_ORDER_CUSTOMER_ID,
  SAMPLE_ORDER_DELETE_BODY,
  SAMPLE_ORDER_ID,
  SAMPLE_REFUND_BODY,
  SAMPLE_REFUND_ID,
  sampleCustomersRedactBody,
  sampleDataRequestBody,
  sampleOrderBody,
  sampleShopRedactBody,
} from './shopify-sample-webhooks.ts';

const SHOP = 'sample-ids.myshopify.com';
const COMPLIANCE = new Set(['customers/data_request', 'customers/redact', 'shop/redact']);

/**
 * Issue 19: Shopify's published sample bodies carry ids above 2^53. Each one, signed with the app secret, goes
 * through the app's real HTTP server, and its ids come out exact in the database and the API.
 */
describe("Shopify's sample webhook bodies through the real server (64-bit ids)", () => {
  let h: Harness;
  let token = '';
  /** Posts `body` (raw text, as Shopify sends it) to the app, signed; returns the HTTP status. */
  const deliver = async (topic: string, body: string): Promise<number> => {
    const signed = signedWebhook(API_SECRET, SHOP, topic, body, COMPLIANCE.has(topic) ? { path: '/webhooks/compliance' } : {});
    const res = await fetch(`${h.server.url}${new URL(signed.url).pathname}`, { method: 'POST', headers: signed.headers, body });
    await res.text();
    return res.status;
  };
  /** Rows of a query on the app's database (ids read as text: a number would round them). */
  const query = async <T>(text: string, params: unknown[] = []): Promise<T[]> => (await h.database.pool.query(text, params)).rows as T[];
  const orderRows = () =>
    query<{ order_id: string; customer_id: string | null; cancelled: boolean }>(
      'SELECT order_id::text AS order_id, customer_id::text AS customer_id, cancelled FROM orders WHERE shop_id = $1',
      [SHOP],
    );

  beforeAll(async () => {
    // Workers off: the test runs the install's backfill (of the empty shop: nothing scored before it) and each
    // recompute itself.
    h = await startHarness({ workers: false });
    h.fake.control.createShop({ domain: SHOP, currencyCode: 'USD', ianaTimezone: 'UTC' });
    expect((await h.openApp(SHOP)).status).toBe(200);
    expect(await h.server.app.backfill(SHOP)).toBe(true);
    token = await h.pair(SHOP);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('customers/create and customers/update store the sample customer under its exact id', async () => {
    expect(await deliver('customers/create', SAMPLE_CUSTOMER_BODY)).toBe(200);
    expect(
      await deliver('customers/update', SAMPLE_CUSTOMER_BODY.replace('"updated_at":"2021-12-31T19:00:00-05:00"', '"updated_at":"2022-01-01T19:00:00-05:00"')),
    ).toBe(200);
    // The email is stored encrypted (issue 13), never in plain text.
    const rows = await query('SELECT customer_id::text AS customer_id, email, email_enc IS NOT NULL AS encrypted FROM customer_personal WHERE shop_id = $1', [
      SHOP,
    ]);
    expect(rows).toEqual([{ customer_id: SAMPLE_CUSTOMER_ID, email: null, encrypted: true }]);
  });

  it('orders/create, orders/paid and orders/updated store the sample order and its customer exactly, once', async () => {
    expect(await deliver('orders/create', sampleOrderBody({ test: false }))).toBe(200);
    expect(await deliver('orders/paid', sampleOrderBody({ test: false, updatedAt: '2022-01-01T10:00:00-05:00' }))).toBe(200);
    expect(await deliver('orders/updated', sampleOrderBody({ test: false, updatedAt: '2022-01-01T11:00:00-05:00' }))).toBe(200);
    expect(await orderRows()).toEqual([{ order_id: SAMPLE_ORDER_ID, customer_id: SAMPLE_ORDER_CUSTOMER_ID, cancelled: false }]);
  });

  it('refunds/create stores the sample refund against the exact order id', async () => {
    expect(await deliver('refunds/create', SAMPLE_REFUND_BODY)).toBe(200);
    const rows = await query('SELECT refund_id::text AS refund_id, order_id::text AS order_id, amount_minor FROM order_refunds WHERE shop_id = $1', [SHOP]);
    expect(rows).toEqual([{ refund_id: SAMPLE_REFUND_ID, order_id: SAMPLE_ORDER_ID, amount_minor: 1000 }]);
  });

  it('serves the sample customer under its exact id: by customer, by order and in the delta feed', async () => {
    await h.server.app.compute.recomputeShop(SHOP);
    const res = await h.api(token, `/api/v1/customers/${SAMPLE_ORDER_CUSTOMER_ID}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ customerId: SAMPLE_ORDER_CUSTOMER_ID, orderCount: 1, historicClvMinor: 40300 });
    const byOrder = (await (await h.api(token, `/api/v1/orders/${SAMPLE_ORDER_ID}/customer`)).json()) as CustomerInsightV1;
    expect(byOrder.customerId).toBe(SAMPLE_ORDER_CUSTOMER_ID);
    const feed = (await (await h.api(token, '/api/v1/customers')).json()) as CustomersFeedV1;
    expect(feed.customers.map((c) => c.customerId)).toEqual([SAMPLE_ORDER_CUSTOMER_ID]);
    // The id JSON.parse would have made of it is another customer.
    expect((await h.api(token, '/api/v1/customers/115310627314723950')).status).toBe(404);
  });

  it("orders/cancelled (the issue's refused delivery) is accepted and cancels that exact order", async () => {
    expect(await deliver('orders/cancelled', sampleOrderBody({ test: false, cancelled: true, updatedAt: '2022-01-02T10:00:00-05:00' }))).toBe(200);
    expect(await orderRows()).toEqual([{ order_id: SAMPLE_ORDER_ID, customer_id: SAMPLE_ORDER_CUSTOMER_ID, cancelled: true }]);
    await h.server.app.compute.recomputeShop(SHOP);
    expect((await h.api(token, `/api/v1/customers/${SAMPLE_ORDER_CUSTOMER_ID}`)).status).toBe(404);
    const feed = (await (await h.api(token, '/api/v1/customers')).json()) as CustomersFeedV1;
    expect(feed.deletedCustomerIds).toEqual([SAMPLE_ORDER_CUSTOMER_ID]);
  });

  it('the test-order sample as sent by "Send test notification" is accepted and stored as a test order', async () => {
    expect(await deliver('orders/updated', sampleOrderBody({ updatedAt: '2022-01-03T10:00:00-05:00' }))).toBe(200);
    expect(await query('SELECT test FROM orders WHERE shop_id = $1 AND order_id = $2', [SHOP, SAMPLE_ORDER_ID])).toEqual([{ test: true }]);
  });

  it('customers/data_request: the documented sample, and one with the sample ids, exported exactly', async () => {
    expect(await deliver('customers/data_request', sampleDataRequestBody(SHOP))).toBe(200);
    const big = sampleDataRequestBody(SHOP, { customer: SAMPLE_ORDER_CUSTOMER_ID, orders: [SAMPLE_ORDER_ID] }).replace('"id":9999}', '"id":10000}');
    expect(await deliver('customers/data_request', big)).toBe(200);
    const rows = await query<{ customer_id: string; payload: string }>(
      "SELECT customer_id::text AS customer_id, payload FROM data_request_exports WHERE shop_id = $1 AND request_id = '10000'",
      [SHOP],
    );
    expect(rows[0]?.customer_id).toBe(SAMPLE_ORDER_CUSTOMER_ID);
    const payload = JSON.parse(rows[0]!.payload) as { customerId: string; orders: { orderId: string }[] };
    expect([payload.customerId, payload.orders.map((o) => o.orderId)]).toEqual([SAMPLE_ORDER_CUSTOMER_ID, [SAMPLE_ORDER_ID]]);
  });

  it('customers/delete and customers/redact: the documented samples, and one with the sample ids, act on exact ids', async () => {
    expect(await deliver('customers/delete', SAMPLE_CUSTOMER_DELETE_BODY)).toBe(200);
    const deleted = await query('SELECT customer_id::text AS customer_id, deleted FROM customers WHERE shop_id = $1 AND customer_id = $2', [
      SHOP,
      SAMPLE_CUSTOMER_ID,
    ]);
    expect(deleted).toEqual([{ customer_id: SAMPLE_CUSTOMER_ID, deleted: true }]);
    expect(await deliver('customers/redact', sampleCustomersRedactBody(SHOP))).toBe(200);
    expect(await deliver('customers/redact', sampleCustomersRedactBody(SHOP, { customer: SAMPLE_ORDER_CUSTOMER_ID, orders: [SAMPLE_ORDER_ID] }))).toBe(200);
    expect(await orderRows()).toEqual([{ order_id: SAMPLE_ORDER_ID, customer_id: null, cancelled: false }]);
  });

  it('orders/delete: the sample removes that exact order, and remembers its exact id', async () => {
    expect(await deliver('orders/delete', SAMPLE_ORDER_DELETE_BODY)).toBe(200);
    expect(await orderRows()).toEqual([]);
    expect(await query('SELECT order_id::text AS order_id FROM deleted_orders WHERE shop_id = $1', [SHOP])).toEqual([{ order_id: SAMPLE_ORDER_ID }]);
  });

  it('bulk_operations/finish, app/uninstalled and shop/redact samples are accepted; shop/redact erases the shop', async () => {
    expect(await deliver('bulk_operations/finish', SAMPLE_BULK_OPERATIONS_FINISH_BODY)).toBe(200);
    expect(await deliver('app/uninstalled', SAMPLE_APP_UNINSTALLED_BODY)).toBe(200);
    expect(await deliver('shop/redact', sampleShopRedactBody(SHOP))).toBe(200);
    await h.waitFor('shop erased', async () => (await orderRows()).length === 0, 10_000);
  });
});
