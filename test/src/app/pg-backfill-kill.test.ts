import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, createTestPostgresDatabase, type Database } from '@clvlens/shopify-app';
import { createFakeShopify, type FakeShopify } from '../fake-shopify/server.ts';
import { installFakeShopifyFetch } from '../fake-shopify/fetch.ts';
import { COMPLIANCE_TOPICS, WEBHOOK_TOPICS } from '../fake-shopify/topics.ts';
import { writeBulkOrdersJsonl } from '../generator/bulk-orders-jsonl.ts';
import { API_KEY, API_SECRET } from './harness.ts';
import { startAppProcess, type AppProcess } from './app-process-client.ts';

const serverUrl = process.env['CLVLENS_TEST_DATABASE_URL'];
const SHOP = 'copy-kill.myshopify.com';
const ORDERS = 20_000;

// The COPY path is PostgreSQL's alone (`pnpm test` starts a server and sets CLVLENS_TEST_DATABASE_URL); the chaos test
// kills the app mid-backfill on PGlite.
describe.runIf(serverUrl)('the PostgreSQL backfill (COPY) killed mid-stream', () => {
  let fake: FakeShopify | undefined;
  let restore: (() => void) | undefined;
  let app: AppProcess | undefined;
  let observer: Database | undefined;
  let drop: (() => Promise<void>) | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'clvlens-copy-kill-'));
  afterAll(async () => {
    await app?.kill9();
    await observer?.close();
    await drop?.();
    await fake?.stop();
    restore?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes from its checkpoint after kill -9 and stores every order once, equal to the truth', async () => {
    const created = await createTestPostgresDatabase(serverUrl!);
    drop = created.drop;
    fake = await createFakeShopify({ appApiKey: API_KEY, appSecret: API_SECRET });
    restore = await installFakeShopifyFetch(fake);
    fake.control.createShop({ domain: SHOP, currencyCode: 'USD' });
    const path = join(dir, 'orders.jsonl');
    const truth = await writeBulkOrdersJsonl(path, ORDERS);
    fake.control.useBulkOrdersFile(SHOP, { path, objectCount: truth.lines, rootObjectCount: truth.orders });
    const env = { FAKE_SHOPIFY_URL: fake.url, APP_DATABASE_URL: created.url, APP_BACKFILL_BATCH: '2000' };
    const subscribe = (url: string) =>
      fake!.control.setAppWebhooks(
        [{ topics: WEBHOOK_TOPICS.filter((t) => !(COMPLIANCE_TOPICS as readonly string[]).includes(t)), uri: `${url}/webhooks` }],
        `${url}/webhooks/compliance`,
      );

    // The process SIGKILLs itself once 20,000 JSONL lines (of about 60,000) are committed.
    app = await startAppProcess({ ...env, APP_KILL_AFTER_LINES: '20000' });
    subscribe(app.url);
    const token = fake.control.mintSessionToken(SHOP);
    expect((await fetch(`${app.url}/app?embedded=1&shop=${SHOP}&id_token=${encodeURIComponent(token)}`)).status).toBe(200);
    await new Promise<void>((resolve) =>
      app!.child.exitCode !== null || app!.child.signalCode !== null ? resolve() : app!.child.once('exit', () => resolve()),
    );
    expect(app.child.signalCode).toBe('SIGKILL');

    observer = await createDatabase({ databaseUrl: created.url, migrate: false });
    const db = observer.db;
    const counts = async () =>
      (
        await observer!.pool.query<{ n: number; total: string; subs: number; refunds: number; refunded: string }>(
          `SELECT (SELECT count(*)::int FROM orders WHERE shop_id = $1) AS n,
             (SELECT coalesce(sum(total_minor), 0)::text FROM orders WHERE shop_id = $1) AS total,
             (SELECT count(*)::int FROM orders WHERE shop_id = $1 AND subscription) AS subs,
             (SELECT count(*)::int FROM order_refunds WHERE shop_id = $1) AS refunds,
             (SELECT coalesce(sum(amount_minor), 0)::text FROM order_refunds WHERE shop_id = $1) AS refunded`,
          [SHOP],
        )
      ).rows[0]!;
    const killedAt = await db
      .selectFrom('sync_state')
      .select(['state', 'bulk_lines_done', 'orders_done', 'backfill_started_at'])
      .where('shop_id', '=', SHOP)
      .executeTakeFirstOrThrow();
    expect(killedAt.state).toBe('backfilling');
    expect(killedAt.backfill_started_at).not.toBeNull();
    expect(killedAt.bulk_lines_done).toBeGreaterThanOrEqual(20_000);
    expect(killedAt.orders_done).toBeLessThan(ORDERS);
    // What the dead process committed is exactly what its checkpoint says.
    expect((await counts()).n).toBe(killedAt.orders_done);

    // A new process resumes the same operation from the checkpoint.
    app = await startAppProcess(env);
    subscribe(app.url);
    const started = Date.now();
    for (;;) {
      const row = await db.selectFrom('sync_state').select(['state', 'message']).where('shop_id', '=', SHOP).executeTakeFirstOrThrow();
      if (row.state === 'live') break;
      if (Date.now() - started > 90_000) throw new Error(`not live after the restart: ${row.state} ${row.message ?? ''}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const stored = await counts();
    expect(stored).toEqual({
      n: truth.orders,
      total: String(truth.totalMinor),
      subs: truth.subscriptionOrders,
      refunds: truth.refunds,
      refunded: String(truth.refundMinor),
    });
    // The restart continued the same bulk operation rather than starting another (which would restamp the start).
    const after = await db.selectFrom('sync_state').select('backfill_started_at').where('shop_id', '=', SHOP).executeTakeFirstOrThrow();
    expect(after.backfill_started_at?.getTime()).toBe(killedAt.backfill_started_at?.getTime());
  }, 180_000);
});
