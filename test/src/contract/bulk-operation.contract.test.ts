import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, type Shopify } from '@shopify/shopify-api';
import type { FakeShopify } from '../fake-shopify/server.ts';
import { decimalToMinor } from '../shop-model/money.ts';
import { buildSimpleShop } from './simple-shop.ts';
import { startHarness } from './harness.ts';

const SHOP = 'contract-bulk.myshopify.com';
const ORDER_COUNT = 100_000;
let fake: FakeShopify;
let shopify: Shopify;
let session: Session;

const RUN = `#graphql
  mutation Run($query: String!) {
    bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message code } }
  }`;
const BULK_QUERY = `{
  orders(sortKey: UPDATED_AT) { edges { node {
    id name createdAt updatedAt processedAt cancelledAt test currencyCode
    currentTotalPriceSet { shopMoney { amount currencyCode } }
    totalRefundedSet { shopMoney { amount currencyCode } }
    customer { id numberOfOrders }
    lineItems { edges { node { id quantity product { id } variant { id } } } }
  } } }
}`;

type RunResult = { bulkOperationRunQuery: { bulkOperation: { id: string; status: string } | null; userErrors: { message: string; code: string | null }[] } };
type OpResult = {
  bulkOperation: {
    id: string;
    status: string;
    objectCount: string;
    rootObjectCount: string;
    fileSize: string | null;
    url: string | null;
    errorCode: string | null;
  } | null;
};

async function waitFor(id: string): Promise<NonNullable<OpResult['bulkOperation']>> {
  const client = new shopify.clients.Graphql({ session });
  for (;;) {
    const r = await client.request<OpResult>(`query Op($id: ID!) { bulkOperation(id: $id) { id status objectCount rootObjectCount fileSize url errorCode } }`, {
      variables: { id },
    });
    const op = r.data?.bulkOperation;
    if (op === null || op === undefined) throw new Error(`no bulk operation ${id}`);
    if (op.status !== 'CREATED' && op.status !== 'RUNNING') return op;
    await new Promise((res) => setTimeout(res, 100));
  }
}

beforeAll(async () => {
  ({ fake, shopify } = await startHarness());
  const t0 = performance.now();
  fake.control.loadShop(buildSimpleShop({ domain: SHOP, orders: ORDER_COUNT, customers: 20_000 }));
  console.log(`bulk contract: built and loaded ${ORDER_COUNT} orders in ${Math.round(performance.now() - t0)} ms`);
  session = new Session({ id: `offline_${SHOP}`, shop: SHOP, state: '', isOnline: false, accessToken: fake.control.issueOfflineToken(SHOP) });
}, 300_000);
afterAll(async () => {
  await fake.stop();
});

describe('bulkOperationRunQuery', () => {
  it('round-trips a 100k-order shop as JSONL with line items as __parentId lines', async () => {
    const client = new shopify.clients.Graphql({ session });
    const t0 = performance.now();
    const run = await client.request<RunResult>(RUN, { variables: { query: BULK_QUERY } });
    expect(run.data?.bulkOperationRunQuery.userErrors).toEqual([]);
    const id = run.data?.bulkOperationRunQuery.bulkOperation?.id ?? '';
    expect(id).toMatch(/^gid:\/\/shopify\/BulkOperation\/\d+$/);
    const current = await client.request<{ currentBulkOperation: { id: string } }>('{ currentBulkOperation { id status } }');
    expect(current.data?.currentBulkOperation.id).toBe(id);

    const op = await waitFor(id);
    const viaNode = await client.request<{ node: { status: string } }>('query N($id: ID!) { node(id: $id) { ... on BulkOperation { status } } }', {
      variables: { id },
    });
    expect(viaNode.data?.node.status).toBe('COMPLETED');
    const ranMs = performance.now() - t0;
    expect(op.status).toBe('COMPLETED');
    expect(op.rootObjectCount).toBe(String(ORDER_COUNT));
    expect(op.url).not.toBeNull();

    const res = await fetch(op.url ?? '');
    expect(res.status).toBe(200);
    const lines = createInterface({ input: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream) });
    const orderIds = new Set<string>();
    let lineItems = 0;
    let orphans = 0;
    let objects = 0;
    let bytes = 0;
    let currentTotalMinor = 0;
    let lastUpdated = '';
    let sortedByUpdated = true;
    let sortedByCreated = true;
    let lastCreated = '';
    for await (const line of lines) {
      objects++;
      bytes += Buffer.byteLength(line) + 1;
      const o = JSON.parse(line) as Record<string, unknown>;
      if (typeof o['__parentId'] === 'string') {
        lineItems++;
        expect(String(o['id'])).toMatch(/^gid:\/\/shopify\/LineItem\//);
        if (!orderIds.has(o['__parentId'])) orphans++;
      } else {
        orderIds.add(String(o['id']));
        expect(o).not.toHaveProperty('lineItems');
        currentTotalMinor += decimalToMinor((o['currentTotalPriceSet'] as { shopMoney: { amount: string } }).shopMoney.amount, 'USD');
        const updated = String(o['updatedAt']);
        if (updated < lastUpdated) sortedByUpdated = false;
        lastUpdated = updated;
        const created = String(o['createdAt']);
        if (created < lastCreated) sortedByCreated = false;
        lastCreated = created;
      }
    }
    const truth = fake.control.truth(SHOP).orders;
    expect(orderIds.size).toBe(ORDER_COUNT);
    expect(lineItems).toBe(truth.reduce((n, o) => n + o.lineItems.length, 0));
    expect(orphans).toBe(0);
    expect(String(objects)).toBe(op.objectCount);
    expect(String(bytes)).toBe(op.fileSize);
    const wantMinor = truth.reduce(
      (n, o) =>
        n +
        decimalToMinor(o.totalPriceSet.shopMoney.amount, 'USD') -
        o.refunds.reduce((m, r) => m + decimalToMinor(r.totalRefundedSet.shopMoney.amount, 'USD'), 0),
      0,
    );
    expect(currentTotalMinor).toBe(wantMinor);
    // sortKey: UPDATED_AT is honoured (refunded orders were updated a day later, so created order differs).
    expect(sortedByUpdated).toBe(true);
    expect(sortedByCreated).toBe(false);
    console.log(`bulk contract: ${ORDER_COUNT} orders -> ${objects} JSONL lines, ${(bytes / 1e6).toFixed(1)} MB, completed in ${Math.round(ranMs)} ms`);
  }, 300_000);

  it("rejects bulk queries that break Shopify's rules with userErrors", async () => {
    const client = new shopify.clients.Graphql({ session });
    const bad = [
      '{ node(id: "gid://shopify/Order/1") { id } }',
      '{ orders { edges { node { name lineItems { edges { node { id } } } } } } }',
      '{ shop { name } }',
    ];
    for (const query of bad) {
      const r = await client.request<RunResult>(RUN, { variables: { query } });
      expect(r.data?.bulkOperationRunQuery.bulkOperation).toBeNull();
      expect(r.data?.bulkOperationRunQuery.userErrors[0]?.code).toBe('INVALID');
    }
  });

  it('allows one running query per shop before 2026-01 and reports OPERATION_IN_PROGRESS', async () => {
    const old = new shopify.clients.Graphql({ session, apiVersion: '2025-10' as never });
    const q = '{ customers { edges { node { id } } } }';
    const first = await old.request<RunResult>(RUN, { variables: { query: q } });
    const second = await old.request<RunResult>(RUN, { variables: { query: q } });
    expect(first.data?.bulkOperationRunQuery.userErrors).toEqual([]);
    expect(second.data?.bulkOperationRunQuery.userErrors[0]?.code).toBe('OPERATION_IN_PROGRESS');
    const done = await waitFor(first.data?.bulkOperationRunQuery.bulkOperation?.id ?? '');
    expect(done.rootObjectCount).toBe('20000');
  });

  it('returns a null url for an empty result', async () => {
    const client = new shopify.clients.Graphql({ session });
    const r = await client.request<RunResult>(RUN, { variables: { query: '{ orders(query: "created_at:<2000-01-01") { edges { node { id } } } }' } });
    const op = await waitFor(r.data?.bulkOperationRunQuery.bulkOperation?.id ?? '');
    expect(op).toMatchObject({ status: 'COMPLETED', objectCount: '0', url: null });
  });
});
