import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetSyncTables } from '../testing/fixtures.ts';
import { startTestHttpServer, type TestHttpServer } from '../testing/http-server.ts';
import type { ShopGraphql } from '../shopify/graphql.ts';
import { runBackfill } from './backfill.ts';
import { ensureSyncState, loadSyncState } from './state.ts';

const SHOP = 'recovery.myshopify.com';

function orderLine(i: number): string {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString();
  return JSON.stringify({
    id: `gid://shopify/Order/${1000 + i}`,
    createdAt: at,
    processedAt: at,
    updatedAt: at,
    cancelledAt: null,
    test: false,
    email: null,
    sourceName: 'web',
    currencyCode: 'USD',
    totalPriceSet: { shopMoney: { amount: '10.00', currencyCode: 'USD' } },
    totalRefundedSet: { shopMoney: { amount: '0.00', currencyCode: 'USD' } },
    customer: { id: `gid://shopify/Customer/${1 + (i % 7)}` },
    refunds: [],
  });
}

/** One completed bulk operation of `lines` objects whose result file is at `url`. */
function completedOperation(url: string, lines: number): ShopGraphql {
  return {
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      if (query.includes('ordersCount')) return { ordersCount: { count: lines } } as T;
      if (query.includes('bulkOperationRunQuery'))
        return { bulkOperationRunQuery: { bulkOperation: { id: 'gid://shopify/BulkOperation/1', status: 'CREATED' }, userErrors: [] } } as T;
      return {
        bulkOperation: {
          id: variables['id'],
          status: 'COMPLETED',
          errorCode: null,
          objectCount: String(lines),
          rootObjectCount: String(lines),
          url,
          partialDataUrl: null,
        },
      } as T;
    },
  };
}

describe('backfill recovery', () => {
  let t: TestHttpServer;
  let files: Server;
  let fileBody = '';
  beforeAll(async () => {
    t = await startTestHttpServer();
    files = createServer((_req, res) => res.end(fileBody));
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await t.stop();
    await new Promise((resolve) => files.close(resolve));
  });

  it('skips a malformed JSONL line, downloaded over HTTP, and reports it with its line number', async () => {
    await resetSyncTables(t.database.db, SHOP);
    const lines = Array.from({ length: 10 }, (_, i) => orderLine(i));
    lines[3] = '{"id":"gid://shopify/Order/1003","createdAt":'; // cut mid-object
    lines[6] = orderLine(6).replace('"10.00"', '"ten"');
    fileBody = lines.map((l) => `${l}\n`).join('');
    const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/result.jsonl`;
    const deps = {
      db: t.database.db,
      graphql: completedOperation(url, 10),
      fetch: globalThis.fetch,
      clock: { now: () => Date.now() },
      log: { info() {}, warn() {}, error() {} },
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      pollMs: 1,
      batchSize: 4,
      pool: t.database.kind === 'postgres' ? t.database.pool : null,
    };
    expect(await runBackfill(deps, SHOP)).toBe(true);
    expect(await loadSyncState(t.database.db, SHOP)).toMatchObject({ state: 'live' });
    const stored = await t.database.db.selectFrom('orders').select('order_id').where('shop_id', '=', SHOP).orderBy('order_id').execute();
    expect(stored.map((o) => o.order_id)).toEqual([1000, 1001, 1002, 1004, 1005, 1007, 1008, 1009]);
    const quarantined = await t.database.db
      .selectFrom('quarantined_records')
      .select(['record_kind', 'record_id', 'reason'])
      .where('shop_id', '=', SHOP)
      .orderBy('record_id')
      .execute();
    expect(quarantined.map((q) => [q.record_kind, q.record_id])).toEqual([
      ['bulk-line', '4'],
      ['bulk-line', '7'],
    ]);
    expect(quarantined[1]!.reason).toMatch(/line 7: .*"ten" is not a decimal amount/);
  });

  it('queues the backfill of every active shop left in error, on the schedule, not only at the next start', async () => {
    await resetSyncTables(t.database.db, SHOP);
    await ensureSyncState(t.database.db, SHOP);
    await t.database.db.updateTable('sync_state').set({ state: 'error', message: 'failed five times' }).where('shop_id', '=', SHOP).execute();
    const before = (await t.server.app.jobs.boss.findJobs<{ shop: string }>('backfill', { limit: 100 })).filter(
      (j) => j.data.shop === SHOP && j.state === 'created',
    );
    if (before.length > 0)
      await t.server.app.jobs.boss.deleteJob(
        'backfill',
        before.map((j) => j.id),
      );
    expect(await t.server.app.resumeBackfills()).toEqual([SHOP]);
    const queued = (await t.server.app.jobs.boss.findJobs<{ shop: string }>('backfill', { limit: 100 })).filter(
      (j) => j.data.shop === SHOP && j.state === 'created',
    );
    expect(queued).toHaveLength(1);
    await t.server.app.jobs.boss.deleteJob(
      'backfill',
      queued.map((j) => j.id),
    );
    // An installed shop whose backfill job was never sent (its state still "not-started"): queued too, since nothing is
    // scored before its history is stored. An uninstalled shop ("not-started" by app/uninstalled) is not.
    await t.database.db.updateTable('sync_state').set({ state: 'not-started', message: null }).where('shop_id', '=', SHOP).execute();
    const GONE = 'gone.myshopify.com';
    await t.database.db.insertInto('shops').values({ shop_id: GONE, currency: 'USD', iana_timezone: 'UTC', status: 'uninstalled' }).execute();
    await t.database.db.insertInto('sync_state').values({ shop_id: GONE, state: 'not-started', message: 'The app was uninstalled.' }).execute();
    expect(await t.server.app.resumeBackfills()).toEqual([SHOP]);
  });
});
