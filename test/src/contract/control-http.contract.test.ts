import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeShopify } from '../fake-shopify/server.ts';
import type { Order } from '../shop-model/types.ts';
import { buildSimpleShop } from './simple-shop.ts';
import { startHarness } from './harness.ts';

let fake: FakeShopify;
const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
  const r = await fetch(`${fake.url}/_control${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, json: await r.json() };
};

beforeAll(async () => {
  ({ fake } = await startHarness());
});
afterAll(async () => {
  await fake.stop();
});

describe('control API over HTTP', () => {
  it('creates a shop, adds and changes orders, and reads the truth back', async () => {
    const shop = await call('POST', '/shops', { domain: 'http-ctl', currencyCode: 'JPY', ianaTimezone: 'Asia/Tokyo', plan: 'Advanced' });
    expect(shop.status).toBe(200);
    expect(shop.json).toMatchObject({ domain: 'http-ctl.myshopify.com', currencyCode: 'JPY', plan: { bucketSize: 4000, restoreRatePerSecond: 200 } });
    const template = buildSimpleShop({ domain: 'http-ctl.myshopify.com', orders: 1, customers: 0, currencyCode: 'JPY' }).orders[0] as Order;
    expect((await call('POST', '/shops/http-ctl.myshopify.com/orders', template)).status).toBe(200);
    expect((await call('PATCH', `/shops/http-ctl.myshopify.com/orders/${template.id}`, { tags: ['gift'] })).json.tags).toEqual(['gift']);
    const refund = await call('POST', `/shops/http-ctl.myshopify.com/orders/${template.id}/refunds`, { amountShopMinor: 100 });
    expect(refund.json.totalRefundedSet.shopMoney).toEqual({ amount: '100', currencyCode: 'JPY' });
    await call('POST', `/shops/http-ctl.myshopify.com/orders/${template.id}/cancel`, { reason: 'FRAUD' });
    const truth = await call('GET', '/shops/http-ctl.myshopify.com/truth');
    expect(truth.json.orders).toHaveLength(1);
    expect(truth.json.orders[0]).toMatchObject({ tags: ['gift'], cancelReason: 'FRAUD' });
    expect(truth.json.orders[0].refunds).toHaveLength(1);
  });

  it('mints session tokens and offline tokens that the Admin API accepts', async () => {
    const { json } = await call('POST', '/shops/http-ctl.myshopify.com/offline-token');
    const r = await fetch(`${fake.url}/_shop/http-ctl.myshopify.com/admin/api/2026-07/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': json.accessToken },
      body: JSON.stringify({ query: '{ shop { currencyCode ianaTimezone } orders(first: 1) { nodes { totalPriceSet { shopMoney { amount } } } } }' }),
    });
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await r.json()) as { data: { shop: unknown; orders: { nodes: { totalPriceSet: { shopMoney: { amount: string } } }[] } } };
    expect(body.data.shop).toEqual({ currencyCode: 'JPY', ianaTimezone: 'Asia/Tokyo' });
    expect(body.data.orders.nodes[0]?.totalPriceSet.shopMoney.amount).toMatch(/^\d+$/);
    const st = await call('POST', '/shops/http-ctl.myshopify.com/session-token', { userId: '42' });
    expect(st.json.token.split('.')).toHaveLength(3);
  });

  it('injects faults and reports unknown shops and routes with clear errors', async () => {
    await call('POST', '/faults', { status: 503, route: 'graphql' });
    const r = await fetch(`${fake.url}/_shop/http-ctl.myshopify.com/admin/api/2026-07/graphql.json`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(503);
    expect(await call('GET', '/shops/nope.myshopify.com/truth')).toMatchObject({ status: 404, json: { code: 'UNKNOWN_SHOP' } });
    expect((await call('GET', '/nothing-here')).status).toBe(404);
  });
});

describe('pnpm --filter @clvlens/test fake-shopify', () => {
  it('starts a standalone fake that prints its URL and answers the control API', async () => {
    const main = fileURLToPath(new URL('../fake-shopify/main.ts', import.meta.url));
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, FAKE_SHOPIFY_SHOPS: 'demo-a,demo-b', FAKE_SHOPIFY_DEMO_SHOP: 'Demo Goods', FAKE_SHOPIFY_DEMO_CUSTOMERS: '50' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`fake-shopify exited with ${code}`)));
      });
      const { url, demoShop } = JSON.parse(first) as { url: string; demoShop: string };
      const shops = (await (await fetch(`${url}/_control/shops`)).json()) as { domain: string }[];
      expect(shops.map((s) => s.domain)).toEqual(['demo-a.myshopify.com', 'demo-b.myshopify.com', 'demo-goods.myshopify.com']);
      expect(demoShop).toBe('demo-goods.myshopify.com');
      const truth = (await (await fetch(`${url}/_control/shops/${demoShop}/truth`)).json()) as { orders: unknown[] };
      expect(truth.orders.length).toBeGreaterThan(50);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
