import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { createDatabase, type Database } from '../db/connect.ts';
import { silentLogger } from '../log.ts';
import { createShopifyApi } from '../shopify/config.ts';
import { createOrderSink } from '../ingest/order-sink.ts';
import { orderPayload, signedWebhook } from '../testing/webhook-request.ts';
import { createActiveShops } from './active-shops.ts';
import { processWebhook } from './router.ts';

const SECRET = 'test-secret';
const shopify = createShopifyApi({ apiKey: 'test-key', apiSecretKey: SECRET, appUrl: 'https://app.example.com' });
const A = 'shop-a.myshopify.com';

describe('createActiveShops', () => {
  let database: Database;
  let now = Date.parse('2026-11-20T12:00:00Z');
  const clock = { now: () => now };
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insertInto('shops').values({ shop_id: A, currency: 'USD', iana_timezone: 'UTC' }).execute();
  });
  afterAll(async () => {
    await database.close();
  });

  it('remembers an active shop for ttlMs, never an unknown one, and forgets on request', async () => {
    const shops = createActiveShops(database.db, clock, 100);
    expect(await shops.lookup('unknown.myshopify.com')).toBeUndefined();
    await database.db.insertInto('shops').values({ shop_id: 'unknown.myshopify.com', currency: 'EUR', iana_timezone: 'UTC' }).execute();
    // Not remembered as missing: the shop installed a moment ago is seen at once.
    expect(await shops.lookup('unknown.myshopify.com')).toEqual({ status: 'active', currency: 'EUR' });
    expect(await shops.lookup(A)).toEqual({ status: 'active', currency: 'USD' });
    await database.db.updateTable('shops').set({ status: 'uninstalled' }).where('shop_id', '=', A).execute();
    // Within ttlMs the remembered row answers; after it, the database.
    now += 50;
    expect((await shops.lookup(A))?.status).toBe('active');
    now += 60;
    expect((await shops.lookup(A))?.status).toBe('uninstalled');
    await database.db.updateTable('shops').set({ status: 'active' }).where('shop_id', '=', A).execute();
    expect((await shops.lookup(A))?.status).toBe('active');
    await database.db.updateTable('shops').set({ status: 'uninstalled' }).where('shop_id', '=', A).execute();
    shops.forget(A);
    expect((await shops.lookup(A))?.status).toBe('uninstalled');
    await database.db.updateTable('shops').set({ status: 'active' }).where('shop_id', '=', A).execute();
  });

  it('shares one read between the lookups of a shop made while it runs, and a forget starts a new one', async () => {
    let reads = 0;
    const counted = database.db.withPlugin({
      transformQuery(args) {
        reads += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const shops = createActiveShops(counted, clock, 100);
    const first = await Promise.all(Array.from({ length: 64 }, () => shops.lookup(A)));
    expect(first.every((state) => state?.status === 'active')).toBe(true);
    expect(reads).toBe(1);
    // Expired: 64 deliveries in flight read it once again, not 64 times.
    now += 150;
    await Promise.all(Array.from({ length: 64 }, () => shops.lookup(A)));
    expect(reads).toBe(2);
    // A read that started before a forget neither answers the lookups after it nor is remembered.
    now += 150;
    const before = shops.lookup(A);
    await database.db.updateTable('shops').set({ status: 'uninstalled' }).where('shop_id', '=', A).execute();
    shops.forget(A);
    expect((await shops.lookup(A))?.status).toBe('uninstalled');
    await before;
    expect((await shops.lookup(A))?.status).toBe('uninstalled');
    await database.db.updateTable('shops').set({ status: 'active' }).where('shop_id', '=', A).execute();
  });

  it('in the router: app/uninstalled handled by this process stops the next order at once', async () => {
    const shops = createActiveShops(database.db, clock, 60_000);
    const sink = createOrderSink({ db: database.db, clock, log: silentLogger, sendRecompute: async () => undefined });
    const deliver = async (request: Request) =>
      processWebhook({ db: database.db, shopify, clock, log: silentLogger, sink, shopState: shops }, request, await request.clone().text());
    const order = (id: number) =>
      signedWebhook(SECRET, A, 'orders/create', orderPayload({ id, customerId: 7, total: '10.00', createdAt: '2026-01-01T00:00:00Z' }));
    expect((await deliver(order(1))).outcome).toEqual({ status: 200, result: 'processed' });
    expect((await deliver(signedWebhook(SECRET, A, 'app/uninstalled', { id: 1, domain: A }))).outcome.status).toBe(200);
    expect((await deliver(order(2))).outcome).toEqual({ status: 200, result: 'ignored-shop' });
  });
});

describe('the app on PGlite', () => {
  it("reads an active shop's row once for a burst of its order webhooks, and drops an order right after app/uninstalled", async () => {
    const database = await createDatabase({ dataDir: 'memory://' });
    let shopReads = 0;
    // Every read of the shop's state by the webhook router: a select of `status` and `currency` from `shops`.
    const counted: Database = {
      ...database,
      db: database.db.withPlugin({
        transformQuery(args) {
          const node = JSON.stringify(args.node);
          if (args.node.kind === 'SelectQueryNode' && node.includes('"name":"shops"') && node.includes('"name":"currency"')) shopReads += 1;
          return args.node;
        },
        transformResult: async (args) => args.result,
      }),
    };
    const clock = { now: () => Date.parse('2026-11-20T12:00:00Z') };
    const app = await createApp({ database: counted, shopify, encryptionKey: 'a'.repeat(64), clock, log: silentLogger, workers: false });
    try {
      await database.db.insertInto('shops').values({ shop_id: A, currency: 'USD', iana_timezone: 'UTC' }).execute();
      const order = (id: number) =>
        signedWebhook(SECRET, A, 'orders/create', orderPayload({ id, customerId: 7 + (id % 5), total: '10.00', createdAt: '2026-01-01T00:00:00Z' }));
      const send = async (request: Request) => ((await (await app.fetch(request)).json()) as { result: string }).result;
      shopReads = 0;
      expect(await Promise.all(Array.from({ length: 20 }, (_, i) => send(order(i + 1))))).toEqual(Array(20).fill('processed'));
      expect(await send(order(21))).toBe('processed');
      // One read for all 21 (reading it for every delivery was a third to a half of a webhook's cost on PGlite).
      expect(shopReads).toBe(1);
      const { count } = await database.db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .executeTakeFirstOrThrow();
      expect(Number(count)).toBe(21);
      // app/uninstalled is handled by this process, the only one on PGlite: the next order is dropped at once.
      expect(await send(signedWebhook(SECRET, A, 'app/uninstalled', { id: 1, domain: A }))).toBe('processed');
      expect(await send(order(22))).toBe('ignored-shop');
    } finally {
      await app.stop();
      await database.close();
    }
  });
});
