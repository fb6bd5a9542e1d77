import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import type { Logger } from '../log.ts';
import type { ShopGraphql } from '../shopify/graphql.ts';
import { runBackfill, type BackfillDeps } from './backfill.ts';
import { loadSyncState } from './state.ts';

const SHOP = 'backfill.myshopify.com';
const ORDERS = 40;
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function orderLine(i: number): string {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString();
  return JSON.stringify({
    id: `gid://shopify/Order/${1000 + i}`, createdAt: at, processedAt: at, updatedAt: at, cancelledAt: null, test: false,
    email: null, sourceName: 'web', currencyCode: 'USD',
    totalPriceSet: { shopMoney: { amount: '10.00', currencyCode: 'USD' } },
    totalRefundedSet: { shopMoney: { amount: '0.00', currencyCode: 'USD' } },
    customer: { id: `gid://shopify/Customer/${1 + (i % 7)}` }, refunds: [],
  });
}
const FILE = Array.from({ length: ORDERS }, (_, i) => `${orderLine(i)}\n`).join('');

/**
 * A scripted Shopify: every bulkOperationRunQuery starts a new operation (API 2026-01+ allows several), whose status
 * polls answer from `statuses` in turn (the last repeats), and whose result file is `files[n]` on the n-th download.
 */
function scriptedShopify(options: { statuses?: ('running' | 'completed-no-url' | 'completed')[]; files?: string[] } = {}) {
  const statuses = options.statuses ?? ['running', 'completed'];
  const files = options.files ?? [FILE];
  const polls = new Map<string, number>();
  let operations = 0;
  let downloads = 0;
  const graphql: ShopGraphql = {
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      await new Promise((r) => setTimeout(r, 1));
      if (query.includes('ordersCount')) return { ordersCount: { count: ORDERS } } as T;
      if (query.includes('bulkOperationRunQuery')) {
        const id = `gid://shopify/BulkOperation/${++operations}`;
        return { bulkOperationRunQuery: { bulkOperation: { id, status: 'CREATED' }, userErrors: [] } } as T;
      }
      const id = String(variables['id']);
      const n = polls.get(id) ?? 0;
      polls.set(id, n + 1);
      const step = statuses[Math.min(n, statuses.length - 1)];
      const done = step !== 'running';
      return {
        bulkOperation: {
          id, status: done ? 'COMPLETED' : 'RUNNING', errorCode: null, objectCount: String(done ? ORDERS : 5),
          rootObjectCount: String(done ? ORDERS : 5), url: step === 'completed' ? `https://files.example/${id}.jsonl` : null,
          partialDataUrl: null,
        },
      } as T;
    },
  };
  const fetchFn = (async () => {
    const body = files[Math.min(downloads++, files.length - 1)] ?? '';
    await new Promise((r) => setTimeout(r, 5));
    return new Response(body, { status: 200 });
  }) as unknown as typeof fetch;
  return { graphql, fetch: fetchFn, operations: () => operations };
}

describe('runBackfill', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });
  beforeEach(async () => {
    for (const table of ['orders', 'order_refunds', 'recompute_queue', 'sync_state', 'shops'] as const) {
      await database.db.deleteFrom(table).execute();
    }
    await database.db.insertInto('shops').values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC' }).execute();
  });

  const deps = (shopify: ReturnType<typeof scriptedShopify>): BackfillDeps => ({
    db: database.db, graphql: shopify.graphql, fetch: shopify.fetch, clock: { now: () => Date.now() }, log: quiet,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)), pollMs: 1, batchSize: 7,
  });
  const storedOrders = async () => Number((await database.db.selectFrom('orders').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('waits for the url of a COMPLETED operation that counted objects, instead of going live with nothing', async () => {
    // The fake Shopify once answered COMPLETED with url null for a moment before publishing the file.
    const shopify = scriptedShopify({ statuses: ['running', 'completed-no-url', 'completed-no-url', 'completed'] });
    expect(await runBackfill(deps(shopify), SHOP)).toBe(true);
    expect(await storedOrders()).toBe(ORDERS);
    expect(await loadSyncState(database.db, SHOP)).toMatchObject({ state: 'live', orders_done: ORDERS, bulk_operation_id: null });
  });

  it('goes live with no orders when the operation found none (url null, objectCount 0)', async () => {
    const shopify = scriptedShopify({ statuses: ['completed'], files: [''] });
    const empty = { ...shopify, graphql: { request: async <T>(q: string, v?: Record<string, unknown>): Promise<T> => {
      const r = await shopify.graphql.request<Record<string, unknown>>(q, v);
      const op = r['bulkOperation'] as Record<string, unknown> | undefined;
      return (op ? { bulkOperation: { ...op, objectCount: '0', url: null } } : r) as T;
    } } };
    expect(await runBackfill(deps(empty), SHOP)).toBe(true);
    expect(await loadSyncState(database.db, SHOP)).toMatchObject({ state: 'live', orders_done: 0 });
  });

  it('never goes live on a result shorter than objectCount; the retry resumes from the checkpoint', async () => {
    const cut = FILE.split('\n').slice(0, 25).join('\n');
    const shopify = scriptedShopify({ files: [cut, FILE] });
    await expect(runBackfill(deps(shopify), SHOP)).rejects.toThrow(/read 25 lines, objectCount is 40/);
    const after = await loadSyncState(database.db, SHOP);
    expect(after).toMatchObject({ state: 'error', bulk_lines_done: 25 });
    expect(after?.bulk_operation_id).not.toBeNull();
    expect(await storedOrders()).toBe(25);
    expect(await runBackfill(deps(shopify), SHOP)).toBe(true);
    expect(shopify.operations()).toBe(1);
    expect(await storedOrders()).toBe(ORDERS);
    expect(await loadSyncState(database.db, SHOP)).toMatchObject({ state: 'live', orders_done: ORDERS });
  });

  it('runs three backfills of one shop at once: one goes live, with every order stored, the others stand down', async () => {
    const shopify = scriptedShopify({ statuses: ['running', 'running', 'completed'] });
    let liveWithMissing: number | null = null;
    // Watch the state while they run: it must never be live with fewer orders than the truth.
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const state = await loadSyncState(database.db, SHOP);
        if (state?.state === 'live') {
          const n = await storedOrders();
          if (n < ORDERS) liveWithMissing = n;
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const results = await Promise.all([runBackfill(deps(shopify), SHOP), runBackfill(deps(shopify), SHOP), runBackfill(deps(shopify), SHOP)]);
    watching = false;
    await watcher;
    expect(liveWithMissing).toBeNull();
    expect(results.filter((r) => r)).toHaveLength(1);
    expect(await storedOrders()).toBe(ORDERS);
    expect(await loadSyncState(database.db, SHOP)).toMatchObject({ state: 'live', orders_done: ORDERS, bulk_operation_id: null, bulk_lines_done: 0 });
  });

  it('a restart while a backfill streams leaves the checkpoint to the new operation and ends live with every order', async () => {
    const shopify = scriptedShopify({ statuses: ['running', 'completed'] });
    const first = runBackfill(deps(shopify), SHOP);
    await new Promise((r) => setTimeout(r, 3));
    const second = runBackfill(deps(shopify), SHOP, { restart: true });
    const results = await Promise.all([first, second]);
    expect(results.filter((r) => r).length).toBeGreaterThanOrEqual(1);
    expect(await storedOrders()).toBe(ORDERS);
    expect(await loadSyncState(database.db, SHOP)).toMatchObject({ state: 'live', orders_done: ORDERS, bulk_operation_id: null });
  });
});
