import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderFromGraphql } from '@clvlens/shopify-app';
import { buildSimpleShop } from '../contract/simple-shop.ts';
import { createFakeShopify, type FakeShopify } from '../fake-shopify/server.ts';
import { bulkOrdersJsonl, writeBulkOrdersJsonl } from './bulk-orders-jsonl.ts';

const SHOP = 'bulk-file.myshopify.com';
const API_VERSION = '2026-07';
// The app's bulk query (BULK_ORDERS_QUERY in shopify-app/src/sync/backfill.ts, which the contract tests check against
// the schema): the generated file must have the shape of the fake's export of it.
const APP_BULK_QUERY = `{ orders { edges { node { id createdAt processedAt updatedAt cancelledAt test email sourceName currencyCode
  totalPriceSet { shopMoney { amount currencyCode } }
  totalRefundedSet { shopMoney { amount currencyCode } }
  customer { id }
  refunds { id createdAt totalRefundedSet { shopMoney { amount currencyCode } } }
  lineItems { edges { node { id sellingPlan { name } } } } } } } }`;

let fake: FakeShopify;
let token = '';
let dir = '';

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${fake.url}/admin/api/${API_VERSION}/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-host': SHOP, 'x-shopify-access-token': token },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (body.data === undefined) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

type Op = { id: string; status: string; objectCount: string; rootObjectCount: string; url: string | null };

async function runBulk(): Promise<{ op: Op; text: string; contentLength: string | null }> {
  const started = await gql<{ bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: unknown[] } }>(
    `mutation R($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }`,
    { q: APP_BULK_QUERY },
  );
  expect(started.bulkOperationRunQuery.userErrors).toEqual([]);
  for (;;) {
    const { bulkOperation } = await gql<{ bulkOperation: Op }>(`query S($id: ID!) { bulkOperation(id: $id) { id status objectCount rootObjectCount url } }`, {
      id: started.bulkOperationRunQuery.bulkOperation?.id,
    });
    if (bulkOperation.status === 'COMPLETED') {
      if (!bulkOperation.url) return { op: bulkOperation, text: '', contentLength: null };
      const res = await fetch(bulkOperation.url);
      return { op: bulkOperation, text: await res.text(), contentLength: res.headers.get('content-length') };
    }
    expect(['CREATED', 'RUNNING']).toContain(bulkOperation.status);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Key paths of a JSON value in order; a null stands for any value (a nullable field), arrays by their first element. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null || typeof v !== 'object') return [];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => [`${prefix}${k}`, ...keyPaths(x, `${prefix}${k}.`)]);
}

beforeAll(async () => {
  fake = await createFakeShopify({ appApiKey: 'k', appSecret: 's' });
  const data = buildSimpleShop({ domain: SHOP, orders: 200, customers: 60 });
  // One subscription order, so that the export has a line item with a selling plan to compare with.
  const planned = data.orders.find((o) => o.lineItems.length > 0)!;
  planned.lineItems[0]!.sellingPlanName = 'Monthly';
  fake.control.loadShop(data);
  token = fake.control.issueOfflineToken(SHOP);
  dir = mkdtempSync(join(tmpdir(), 'clvlens-bulk-file-'));
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('bulkOrdersJsonl', () => {
  it("writes lines with the keys, in the order, of the fake's export of the app's bulk query", async () => {
    fake.control.useBulkOrdersFile(SHOP, null);
    const exported = (await runBulk()).text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const generated = bulkOrdersJsonl(2000)
      .text.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const shapes = (lines: Record<string, unknown>[]) => {
      const out = new Map<string, string>();
      for (const l of lines) {
        const kind = '__parentId' in l ? 'line item' : l['refunds'] !== undefined && (l['refunds'] as unknown[]).length > 0 ? 'refunded order' : 'order';
        const paths = keyPaths(l).join(',');
        // The richest line of each kind (customer and selling plan not null).
        if ((out.get(kind)?.length ?? -1) < paths.length) out.set(kind, paths);
      }
      return out;
    };
    const theirs = shapes(exported);
    const ours = shapes(generated);
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [kind, paths] of theirs) expect(ours.get(kind), kind).toBe(paths);
  });

  it('sums its truth from the lines the app parses', () => {
    const { text, truth } = bulkOrdersJsonl(5000);
    const lines = text.trim().split('\n');
    expect(lines.length).toBe(truth.lines);
    const orders = lines.filter((l) => !l.includes('__parentId')).map((l) => orderFromGraphql(JSON.parse(l)));
    expect(orders.length).toBe(truth.orders);
    expect(orders.reduce((s, o) => s + o.totalMinor, 0)).toBe(truth.totalMinor);
    expect(orders.reduce((s, o) => s + o.refunds.reduce((a, r) => a + r.amountMinor, 0), 0)).toBe(truth.refundMinor);
    expect(new Set(orders.flatMap((o) => (o.customerId === null ? [] : [o.customerId]))).size).toBe(truth.customers);
    const planned = new Set(lines.filter((l) => l.includes('"sellingPlan":{')).map((l) => (JSON.parse(l) as { __parentId: string }).__parentId));
    const subscription = orders.filter((o) => o.subscription || planned.has(`gid://shopify/Order/${o.orderId}`));
    expect(subscription.length).toBe(truth.subscriptionOrders);
    expect(truth.guestOrders).toBeGreaterThan(0);
    expect(truth.refunds).toBeGreaterThan(0);
  });
});

describe('FakeShopifyControl.useBulkOrdersFile', () => {
  it("completes the shop's bulk queries on orders with the file, its counts and its bytes, until set back to null", async () => {
    const path = join(dir, 'orders.jsonl');
    // About 6.8 MB: the fake sends it through two reused 1 MB buffers, so every byte crosses several reuses.
    const truth = await writeBulkOrdersJsonl(path, 10_000);
    fake.control.useBulkOrdersFile(SHOP, { path, objectCount: truth.lines, rootObjectCount: truth.orders });
    const { op, text, contentLength } = await runBulk();
    expect(op).toMatchObject({ status: 'COMPLETED', objectCount: String(truth.lines), rootObjectCount: String(truth.orders) });
    const file = readFileSync(path);
    expect(file.length).toBeGreaterThan(5 * 2 ** 20);
    expect(contentLength).toBe(String(file.length));
    expect(text).toBe(file.toString('utf8'));
    fake.control.useBulkOrdersFile(SHOP, null);
    const own = await runBulk();
    expect(own.op.rootObjectCount).toBe('200');
    writeFileSync(path, '');
  });
});
