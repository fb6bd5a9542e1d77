import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { createPiiProtector } from '../ingest/pii.ts';
import { createTokenCipher } from '../sessions/token-cipher.ts';
import { resetSyncTables } from '../testing/fixtures.ts';
import { someSessionWaitsForALock } from '../testing/lock-waits.ts';
import type { Logger } from '../log.ts';
import type { ShopGraphql } from '../shopify/graphql.ts';
import { runBackfill, type BackfillDeps } from './backfill.ts';
import { loadSyncState } from './state.ts';

const SHOP = 'backfill.myshopify.com';
const ORDERS = 40;
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function orderLine(i: number, sourceName = 'web'): string {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString();
  return JSON.stringify({
    id: `gid://shopify/Order/${1000 + i}`,
    createdAt: at,
    processedAt: at,
    updatedAt: at,
    cancelledAt: null,
    test: false,
    email: null,
    sourceName,
    currencyCode: 'USD',
    totalPriceSet: { shopMoney: { amount: '10.00', currencyCode: 'USD' } },
    totalRefundedSet: { shopMoney: { amount: '0.00', currencyCode: 'USD' } },
    customer: { id: `gid://shopify/Customer/${1 + (i % 7)}` },
    refunds: [],
  });
}
const FILE = Array.from({ length: ORDERS }, (_, i) => `${orderLine(i)}\n`).join('');

/** A line item child line of order `i`, as Shopify writes it (`sellingPlan` null for a one-off purchase). */
function itemLine(i: number, item: number, plan: string | null): string {
  return JSON.stringify({
    id: `gid://shopify/LineItem/${(1000 + i) * 10 + item}`,
    sellingPlan: plan === null ? null : { name: plan },
    __parentId: `gid://shopify/Order/${1000 + i}`,
  });
}

/**
 * A shop with line items: order i has 1 + i % 3 items; every 4th order starts a subscription (its last item has a
 * selling plan, the source is the checkout's `web`); every 4th + 1 is a renewal (`subscription_contract`, no plan).
 */
interface ExportLine {
  text: string;
  orderIndex: number;
}
function subscriptionShop(): { lines: ExportLine[]; expected: Map<number, boolean> } {
  const lines: ExportLine[] = [];
  const expected = new Map<number, boolean>();
  for (let i = 0; i < ORDERS; i++) {
    const starts = i % 4 === 0;
    const renews = i % 4 === 1;
    lines.push({ text: orderLine(i, renews ? 'subscription_contract' : 'web'), orderIndex: i });
    const items = 1 + (i % 3);
    for (let k = 0; k < items; k++) lines.push({ text: itemLine(i, k, starts && k === items - 1 ? 'Monthly, 10% off' : null), orderIndex: i });
    expected.set(1000 + i, starts || renews);
  }
  return { lines, expected };
}
const joinLines = (lines: readonly ExportLine[]): string => lines.map((l) => `${l.text}\n`).join('');

/** A download that delivers `text` and then fails, like a connection cut or a process killed mid-stream. */
function cutDownload(text: string): () => Response {
  return () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text));
        },
        // Asked for more once the text is read: the connection drops there.
        pull(controller) {
          controller.error(new Error('connection reset'));
        },
      }),
      { status: 200 },
    );
}

/**
 * A scripted Shopify: every bulkOperationRunQuery starts a new operation (API 2026-01+ allows several), whose status
 * polls answer from `statuses` in turn (the last repeats), and whose result file is `files[n]` on the n-th download.
 */
function scriptedShopify(
  options: {
    statuses?: ('running' | 'completed-no-url' | 'completed')[];
    files?: (string | (() => Response))[];
    objects?: number;
  } = {},
) {
  const statuses = options.statuses ?? ['running', 'completed'];
  const files = options.files ?? [FILE];
  const objects = options.objects ?? ORDERS;
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
          id,
          status: done ? 'COMPLETED' : 'RUNNING',
          errorCode: null,
          objectCount: String(done ? objects : 5),
          rootObjectCount: String(done ? ORDERS : 5),
          url: step === 'completed' ? `https://files.example/${id}.jsonl` : null,
          partialDataUrl: null,
        },
      } as T;
    },
  };
  const fetchFn = (async () => {
    const body = files[Math.min(downloads++, files.length - 1)] ?? '';
    await new Promise((r) => setTimeout(r, 5));
    return typeof body === 'string' ? new Response(body, { status: 200 }) : body();
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
    await resetSyncTables(database.db, SHOP);
  });

  const deps = (shopify: ReturnType<typeof scriptedShopify>): BackfillDeps => ({
    db: database.db,
    graphql: shopify.graphql,
    fetch: shopify.fetch,
    clock: { now: () => Date.now() },
    log: quiet,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    pollMs: 1,
    batchSize: 7,
    // On PostgreSQL (CLVLENS_TEST_DATABASE_URL) every test here runs the COPY path.
    pool: database.kind === 'postgres' ? database.pool : null,
  });
  const storedFlags = async () =>
    new Map((await database.db.selectFrom('orders').select(['order_id', 'subscription']).execute()).map((r) => [Number(r.order_id), r.subscription]));
  const storedOrders = async () =>
    Number(
      (
        await database.db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('waits for the url of a COMPLETED operation that counted objects, instead of going live with nothing', async () => {
    // The fake Shopify once answered COMPLETED with url null for a moment before publishing the file.
    const shopify = scriptedShopify({ statuses: ['running', 'completed-no-url', 'completed-no-url', 'completed'] });
    expect(await runBackfill(deps(shopify), SHOP)).toBe(true);
    expect(await storedOrders()).toBe(ORDERS);
    expect(await loadSyncState(database.db, SHOP)).toMatchObject({ state: 'live', orders_done: ORDERS, bulk_operation_id: null });
  });

  it('goes live with no orders when the operation found none (url null, objectCount 0)', async () => {
    const shopify = scriptedShopify({ statuses: ['completed'], files: [''] });
    const empty = {
      ...shopify,
      graphql: {
        request: async <T>(q: string, v?: Record<string, unknown>): Promise<T> => {
          const r = await shopify.graphql.request<Record<string, unknown>>(q, v);
          const op = r['bulkOperation'] as Record<string, unknown> | undefined;
          return (op ? { bulkOperation: { ...op, objectCount: '0', url: null } } : r) as T;
        },
      },
    };
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

  it('ends at the checkpoint after a committed batch when its job is handed back, and its retry resumes there', async () => {
    const shopify = scriptedShopify({ files: [FILE] });
    const stop = new AbortController();
    // The stop comes while the second batch is read: that batch still commits with its line count, then the run ends.
    const progress: number[] = [];
    const first = runBackfill(
      {
        ...deps(shopify),
        signal: stop.signal,
        onProgress: (_, n) => {
          progress.push(n);
          stop.abort();
        },
      },
      SHOP,
    );
    await expect(first).rejects.toMatchObject({ code: 'handed-back' });
    const after = await loadSyncState(database.db, SHOP);
    // Not an error for the merchant: the backfill is still under way, at its checkpoint.
    expect(after).toMatchObject({ state: 'backfilling', bulk_lines_done: progress.at(-1) });
    expect(progress.at(-1)).toBeGreaterThan(0);
    expect(progress.at(-1)).toBeLessThan(ORDERS);
    expect(await storedOrders()).toBe(progress.at(-1));
    expect(await runBackfill(deps(shopify), SHOP)).toBe(true);
    expect(shopify.operations()).toBe(1);
    expect(await storedOrders()).toBe(ORDERS);
    expect(await loadSyncState(database.db, SHOP)).toMatchObject({ state: 'live', orders_done: ORDERS });
  });

  it('ends while Shopify prepares the export when its job is handed back, keeping the operation for its retry', async () => {
    const shopify = scriptedShopify({ files: [FILE] });
    await expect(runBackfill({ ...deps(shopify), signal: AbortSignal.abort() }, SHOP)).rejects.toMatchObject({ code: 'handed-back' });
    const after = await loadSyncState(database.db, SHOP);
    expect(after?.bulk_operation_id).not.toBeNull();
    expect(await storedOrders()).toBe(0);
    expect(await runBackfill(deps(shopify), SHOP)).toBe(true);
    expect(shopify.operations()).toBe(1);
    expect(await storedOrders()).toBe(ORDERS);
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

  it('marks an order as subscription when one of its line items has a selling plan, or it renews a contract', async () => {
    const { lines, expected } = subscriptionShop();
    const shopify = scriptedShopify({ files: [joinLines(lines)], objects: lines.length });
    const progress: number[] = [];
    expect(await runBackfill({ ...deps(shopify), onProgress: (_, n) => progress.push(n) }, SHOP)).toBe(true);
    expect(await storedFlags()).toEqual(expected);
    expect([...expected.values()].filter(Boolean).length).toBe(20);
    // Batches of 7 orders: children follow their parent but often land in the next batch; progress counts every line.
    expect(progress.at(-1)).toBe(lines.length);
    expect(await loadSyncState(database.db, SHOP)).toMatchObject({ state: 'live', orders_done: ORDERS });
  });

  it('resumes after a crash between an order and its selling-plan line item without losing the mark', async () => {
    const { lines, expected } = subscriptionShop();
    // Batches of 7 orders: the second ends with order 13's line; order 20 ends the third and starts a subscription with
    // 3 items, the plan on the last. Cut after its first item: the order is committed, its marking child is not read.
    const cutAt = lines.findIndex((l) => l.orderIndex === 20) + 2;
    const shopify = scriptedShopify({ files: [cutDownload(joinLines(lines.slice(0, cutAt))), joinLines(lines)], objects: lines.length });
    await expect(runBackfill(deps(shopify), SHOP)).rejects.toThrow(/connection reset/);
    const after = await loadSyncState(database.db, SHOP);
    // Only whole batches were committed: the checkpoint counts their lines (orders and line items alike).
    expect(Number(after?.bulk_lines_done)).toBe(cutAt - 1);
    expect(await storedOrders()).toBe(21);
    expect((await storedFlags()).get(1020)).toBe(false);
    expect(await runBackfill(deps(shopify), SHOP)).toBe(true);
    expect(shopify.operations()).toBe(1);
    expect(await storedFlags()).toEqual(expected);
  });

  it('marks orders whose line items come before the order line (ungrouped export), also across a crash', async () => {
    const { lines, expected } = subscriptionShop();
    // Shopify does not promise grouping with groupObjects false: put every line item first, orders after.
    const shuffled = [...lines.filter((l) => l.text.includes('__parentId')), ...lines.filter((l) => !l.text.includes('__parentId'))];
    const firstOrderLine = shuffled.findIndex((l) => !l.text.includes('__parentId'));
    const cutAt = firstOrderLine + 20;
    const shopify = scriptedShopify({ files: [cutDownload(joinLines(shuffled.slice(0, cutAt))), joinLines(shuffled)], objects: shuffled.length });
    await expect(runBackfill(deps(shopify), SHOP)).rejects.toThrow(/connection reset/);
    const after = await loadSyncState(database.db, SHOP);
    // Marks of orders not stored yet are not committed: the checkpoint waits before the first of them.
    expect(Number(after?.bulk_lines_done)).toBeLessThan(firstOrderLine);
    expect(await storedOrders()).toBe(14);
    expect(await runBackfill(deps(shopify), SHOP)).toBe(true);
    expect(await storedFlags()).toEqual(expected);
    expect(await loadSyncState(database.db, SHOP)).toMatchObject({ state: 'live', orders_done: ORDERS });
  });

  it('marks orders whose line items come after later orders of the same batch', async () => {
    const { lines, expected } = subscriptionShop();
    // Each order's line items after the next two order lines: the marked order is in the batch but not its last.
    const orders = lines.filter((l) => !l.text.includes('__parentId'));
    const items = (i: number) => lines.filter((l) => l.orderIndex === i && l.text.includes('__parentId'));
    const interleaved = orders.flatMap((order) => [order, ...(order.orderIndex >= 2 ? items(order.orderIndex - 2) : [])]);
    interleaved.push(...items(ORDERS - 2), ...items(ORDERS - 1));
    expect(interleaved.length).toBe(lines.length);
    const shopify = scriptedShopify({ files: [joinLines(interleaved)], objects: interleaved.length });
    expect(await runBackfill(deps(shopify), SHOP)).toBe(true);
    expect(await storedFlags()).toEqual(expected);
  });

  it('keeps a subscription flag a webhook stored when an export order line (no line items) is newer', async () => {
    const { lines, expected } = subscriptionShop();
    const at = new Date(Date.UTC(2025, 0, 1));
    // Order 0 came by webhook first (with its line items: subscription), older than the export's line.
    await database.db
      .insertInto('orders')
      .values({
        shop_id: SHOP,
        order_id: 1000,
        customer_id: 1,
        guest_key: null,
        placed_at: at,
        updated_at: at,
        currency: 'USD',
        total_minor: 1000,
        refunded_minor: 0,
        cancelled: false,
        test: false,
        subscription: true,
      })
      .execute();
    // Its selling-plan line item is in an earlier batch than the order line.
    const withoutOrder0 = lines.filter((l) => !(l.orderIndex === 0 && !l.text.includes('__parentId')));
    const reordered = [...withoutOrder0, lines[0]!];
    const shopify = scriptedShopify({ files: [joinLines(reordered)], objects: reordered.length });
    expect(await runBackfill(deps(shopify), SHOP)).toBe(true);
    expect(await storedFlags()).toEqual(expected);
  });

  // On PostgreSQL two batches are stored at once, each on its own connection, and commit in the order they were read.
  describe.runIf(process.env['CLVLENS_TEST_DATABASE_URL'])('two batches at once (PostgreSQL)', () => {
    /** Runs `work` while PostgreSQL refuses to store an order for which `condition` (SQL on `NEW`) holds (a trigger raises). */
    async function refusingOrdersWhere(condition: string, why: string, work: () => Promise<void>): Promise<void> {
      await database.pool.query(`CREATE FUNCTION refuse_order() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF ${condition} THEN RAISE EXCEPTION 'order % ${why}', NEW.order_id; END IF; RETURN NEW; END $$`);
      await database.pool.query('CREATE TRIGGER refuse_order BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION refuse_order()');
      try {
        await work();
      } finally {
        await database.pool.query('DROP TRIGGER refuse_order ON orders; DROP FUNCTION refuse_order()');
      }
    }
    /** Refuses order `orderId`, so that the batch holding it fails. */
    const refusingOrder = (orderId: number, work: () => Promise<void>) => refusingOrdersWhere(`NEW.order_id = ${orderId}`, 'refused by the test', work);

    it('rolls back a batch stored beside one that failed, so the checkpoint never passes lines not stored', async () => {
      // Order 1003 is in the first batch (orders 1000-1006); the second (1007-1013) is stored beside it.
      const shopify = scriptedShopify();
      await refusingOrder(1003, async () => {
        await expect(runBackfill(deps(shopify), SHOP)).rejects.toThrow(/order 1003 refused/);
        expect(await storedOrders()).toBe(0);
        expect(await loadSyncState(database.db, SHOP)).toMatchObject({ bulk_lines_done: 0 });
      });
      expect(await runBackfill(deps(shopify), SHOP)).toBe(true);
      expect(await storedOrders()).toBe(ORDERS);
    });

    it('holds the checkpoint before a selling-plan line whose order only the batch stored beside it stores', async () => {
      // Order 1010's selling-plan line item comes before the order line, in the first batch's lines (line 5); the
      // order itself is in the second batch (orders 1007-1013), which fails. The first commits: its checkpoint must
      // stay before line 5, or the restart never reads the mark again.
      const lines = FILE.trimEnd().split('\n');
      lines.splice(4, 0, itemLine(10, 0, 'Monthly'));
      const shopify = scriptedShopify({ files: [`${lines.join('\n')}\n`], objects: lines.length });
      await refusingOrder(1012, async () => {
        await expect(runBackfill(deps(shopify), SHOP)).rejects.toThrow(/order 1012 refused/);
        expect(await storedOrders()).toBe(7);
        expect(await loadSyncState(database.db, SHOP)).toMatchObject({ bulk_lines_done: 4 });
      });
      expect(await runBackfill(deps(shopify), SHOP)).toBe(true);
      expect(await storedOrders()).toBe(ORDERS);
      expect((await storedFlags()).get(1010)).toBe(true);
    });

    it("makes the shop's guest key before its batches, so that no batch holds the shop's row while it waits", async () => {
      // The shop has no key yet and every order is a guest's. A batch that made the key would hold the shop's row
      // until it commits, after the batch before it, which may need that row too: PostgreSQL then fails one of them
      // (seen under load). The trigger refuses an order stored by a transaction that wrote the shop's row.
      const wroteItsShop = 'EXISTS (SELECT 1 FROM shops WHERE shop_id = NEW.shop_id AND xmin::text = txid_current()::text)';
      await refusingOrdersWhere(wroteItsShop, 'stored by the transaction that wrote its shop', async () => {
        const guests = FILE.replace(/"email":null/g, '"email":"Guest@Example.com"').replace(/"customer":\{[^}]*\}/g, '"customer":null');
        const shopify = scriptedShopify({ files: [guests] });
        const pii = createPiiProtector(createTokenCipher('a long random secret of the test, not a password'));
        expect(await runBackfill({ ...deps(shopify), pii }, SHOP)).toBe(true);
      });
      expect(await storedOrders()).toBe(ORDERS);
      const keys = await database.db.selectFrom('orders').select('guest_key').distinct().execute();
      expect(keys.map((k) => k.guest_key)).toEqual([expect.stringMatching(/^g1:[0-9a-f]{64}$/)]);
    });

    it('ends when another writer waits for the later batch while the earlier waits for it (PostgreSQL sees the cycle)', async () => {
      // Another writer (a webhook's batch) stores order 1003 first and holds it: the first batch waits for it. The
      // second batch stores order 1010 and waits for the first. Then the other writer asks for order 1010.
      const other = await database.pool.connect();
      const at = new Date(Date.UTC(2025, 0, 1));
      const insert = (orderId: number) =>
        other.query(
          `INSERT INTO orders (shop_id, order_id, customer_id, guest_key, placed_at, updated_at, currency, total_minor, refunded_minor, cancelled, test, subscription)
           VALUES ($1, $2, 1, NULL, $3, $3, 'USD', 1000, 0, false, false, false) ON CONFLICT DO NOTHING`,
          [SHOP, orderId, at],
        );
      try {
        await other.query('BEGIN');
        await insert(1003);
        const shopify = scriptedShopify();
        const backfill = runBackfill(deps(shopify), SHOP).then(
          (live) => ({ live }),
          (error: unknown) => ({ error }),
        );
        // The first batch waits for the other writer, the second for the first.
        await someSessionWaitsForALock(database.db, 2);
        const otherResult = await insert(1010).then(
          () => 'stored',
          (error: { code?: string }) => error.code,
        );
        // PostgreSQL failed one side of the cycle (40P01), whichever it chose: that side is stored again afterwards.
        await other.query(otherResult === 'stored' ? 'COMMIT' : 'ROLLBACK');
        const first = await backfill;
        expect([otherResult, 'error' in first ? (first.error as { code?: string }).code : 'live']).toContain('40P01');
        if ('error' in first) expect(await runBackfill(deps(shopify), SHOP)).toBe(true);
        else expect(first.live).toBe(true);
      } finally {
        other.release();
      }
      expect(await storedOrders()).toBe(ORDERS);
      expect(await loadSyncState(database.db, SHOP)).toMatchObject({ state: 'live', orders_done: ORDERS });
    });
  });
});
