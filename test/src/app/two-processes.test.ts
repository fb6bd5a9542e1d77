import { afterAll, describe, expect, it } from 'vitest';
import type { OrderRecord } from '@clvlens/core';
import { createDatabase, createTestPostgresDatabase, loadOrderRecords, type Database } from '@clvlens/shopify-app';
import { createFakeShopify, type FakeShopify } from '../fake-shopify/server.ts';
import { installFakeShopifyFetch } from '../fake-shopify/fetch.ts';
import { COMPLIANCE_TOPICS, WEBHOOK_TOPICS } from '../fake-shopify/topics.ts';
import { generateShop } from '../generator/generate.ts';
import { API_KEY, API_SECRET, servedBesideTruth, truthRecords } from './harness.ts';
import { startAppProcess, type AppProcess } from './app-process-client.ts';

const serverUrl = process.env['CLVLENS_TEST_DATABASE_URL'];

// Needs a real PostgreSQL server (`pnpm test` starts one and sets CLVLENS_TEST_DATABASE_URL); PGlite is one process.
describe.runIf(serverUrl)('two app processes on one PostgreSQL', () => {
  let fake: FakeShopify | undefined;
  let restore: (() => void) | undefined;
  const apps: AppProcess[] = [];
  let observer: Database | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    for (const app of apps) await app.kill9();
    await observer?.close();
    await drop?.();
    await fake?.stop();
    restore?.();
  });

  it('share backfills and recomputes without doing any twice or losing any', async () => {
    const created = await createTestPostgresDatabase(serverUrl!);
    drop = created.drop;
    fake = await createFakeShopify({ appApiKey: API_KEY, appSecret: API_SECRET });
    restore = await installFakeShopifyFetch(fake);
    const shops = [1, 2, 3, 4].map((seed) => {
      const data = generateShop({ seed: 100 + seed, customers: 300, historyDays: 400, endMs: Date.now() - 3_600_000, shopName: `Twin Shop ${seed}` });
      fake!.control.loadShop(data);
      return data;
    });
    for (let i = 0; i < 2; i++)
      apps.push(
        await startAppProcess({ FAKE_SHOPIFY_URL: fake.url, APP_DATABASE_URL: created.url, APP_BACKFILL_BATCH: '200', APP_SHOP_METRICS_DELAY_SECONDS: '1' }),
      );
    const [a, b] = apps as [AppProcess, AppProcess];
    fake.control.setAppWebhooks(
      [{ topics: WEBHOOK_TOPICS.filter((t) => !(COMPLIANCE_TOPICS as readonly string[]).includes(t)), uri: `${a.url}/webhooks` }],
      `${a.url}/webhooks/compliance`,
    );
    observer = await createDatabase({ databaseUrl: created.url, migrate: false });
    const db = observer.db;

    // Install all four shops through the second process; the jobs land in the shared pg-boss queues.
    for (const data of shops) {
      const token = fake.control.mintSessionToken(data.shop.domain);
      expect((await fetch(`${b.url}/app?embedded=1&shop=${data.shop.domain}&id_token=${encodeURIComponent(token)}`)).status).toBe(200);
    }
    const settled = async (): Promise<boolean> => {
      // A failed job will not be retried into success here: say which and why at once rather than time out.
      const failed = await observer!.pool.query<{ name: string; output: unknown }>("SELECT name, output FROM pgboss.job WHERE state = 'failed' LIMIT 1");
      if (failed.rows.length > 0) throw new Error(`a ${failed.rows[0]!.name} job failed: ${JSON.stringify(failed.rows[0]!.output)}`);
      const live = await db.selectFrom('sync_state').select('shop_id').where('state', '=', 'live').execute();
      const queued = await db.selectFrom('recompute_queue').select('shop_id').execute();
      const metrics = await db
        .selectFrom('shop_metrics')
        .innerJoin('sync_state', 'sync_state.shop_id', 'shop_metrics.shop_id')
        .select(['shop_metrics.computed_at', 'sync_state.last_sync_at'])
        .execute();
      return (
        live.length === shops.length &&
        queued.length === 0 &&
        metrics.length === shops.length &&
        metrics.every((m) => m.last_sync_at !== null && m.computed_at >= m.last_sync_at)
      );
    };
    const waitUntil = async (what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
      const start = Date.now();
      while (!(await probe())) {
        if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await waitUntil('all shops backfilled and computed', settled, 120_000);

    // Live changes: webhooks reach the first process; recomputes run wherever a worker is free.
    for (const data of shops) {
      const truth = fake.control.truth(data.shop.domain);
      const live = truth.orders.filter((o) => o.customerId !== null && !o.test && o.cancelledAtMs === null);
      for (let k = 0; k < 5; k++) fake.control.cancelOrder(data.shop.domain, live[k * 13]!.id);
    }
    await fake.control.webhooksIdle();
    const check = async () => {
      const out: { orders: [string[], string[]]; insights: [unknown, unknown] }[] = [];
      for (const data of shops) {
        const shop = data.shop.domain;
        const truth = truthRecords(fake!.control.truth(shop));
        const norm = (r: OrderRecord) => `${r.orderId}|${r.customerId}|${r.totalMinor}|${r.refundedMinor}|${r.cancelled}|${r.test}`;
        const insights = await servedBesideTruth(db, data.shop, truth);
        out.push({
          orders: [(await loadOrderRecords(db, shop)).map(norm).sort(), truth.map(norm).sort()],
          insights: [
            [insights.served, insights.extra],
            [insights.truth, 0],
          ],
        });
      }
      return out;
    };
    const same = (rows: Awaited<ReturnType<typeof check>>) =>
      rows.every((r) => JSON.stringify(r.orders[0]) === JSON.stringify(r.orders[1]) && JSON.stringify(r.insights[0]) === JSON.stringify(r.insights[1]));
    await waitUntil('orders and insights to match the truth', async () => same(await check()), 60_000).catch(() => undefined);
    for (const r of await check()) {
      expect(r.orders[0]).toEqual(r.orders[1]);
      expect(r.insights[0]).toEqual(r.insights[1]);
    }

    // No double work: one bulk operation and one finished backfill per shop (a bulk_operations/finish webhook may wake
    // a second backfill job, which finds the shop live and does nothing), and no job failed.
    const jobs = await observer.pool.query<{ name: string; state: string; n: number }>(
      'SELECT name, state, count(*)::int AS n FROM pgboss.job GROUP BY name, state',
    );
    const count = (name: string, state: string) => jobs.rows.find((r) => r.name === name && r.state === state)?.n ?? 0;
    expect(count('backfill', 'completed')).toBeGreaterThanOrEqual(shops.length);
    expect(jobs.rows.filter((r) => r.state === 'failed')).toEqual([]);
    const statuses = await Promise.all(apps.map((app) => app.call<{ handled: Record<string, number> }>('status', shops[0]!.shop.domain)));
    const sum = (key: string) => statuses.reduce((total, s) => total + (s.handled[key] ?? 0), 0);
    expect(sum('bulk operation started')).toBe(shops.length);
    expect(sum('backfill finished')).toBe(shops.length);
    // Both processes took jobs from the shared queues.
    for (const s of statuses) expect((s.handled['backfill finished'] ?? 0) + (s.handled['recomputed'] ?? 0)).toBeGreaterThan(0);
  }, 240_000);
});
