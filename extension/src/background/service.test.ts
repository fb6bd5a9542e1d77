import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { openRetentionDb } from '../db/schema.ts';
import { DEFAULT_BADGE_SETTINGS, unpackLookup, type BadgeSettings, type Envelope, type ResponseMap } from '../messages/protocol.ts';
import { createFakeAppApi, sampleInsight, sampleSummary } from '../testing/fake-app-api.ts';
import { createBackgroundService } from './service.ts';

const SHOP = 'demo.myshopify.com';
const APP = 'http://127.0.0.1:3000';

function setup(clock: { now: number; appDown?: boolean } = { now: 1_000_000 }) {
  const api = createFakeAppApi({
    shopDomain: SHOP,
    storeHandle: 'demo',
    summary: sampleSummary(SHOP),
    customers: [
      sampleInsight('1'),
      sampleInsight('2', { churnTier: 'high', overdue: true }),
      sampleInsight('3'),
      sampleInsight('4', { orderCount: 1, isRepeat: false }),
    ],
    orders: new Map([
      ['1001', '2'],
      ['1002', null],
      ['1003', '4'],
    ]),
    pairingCodes: ['GOOD-CODE'],
  });
  let stored: BadgeSettings = DEFAULT_BADGE_SETTINGS;
  const service = createBackgroundService({
    openDb: () => openRetentionDb(),
    fetch: (input, init) => (clock.appDown ? Promise.reject(new TypeError('Failed to fetch')) : api.fetch(input, init)),
    nowMs: () => clock.now,
    settings: { get: async () => stored, set: async (s) => void (stored = s) },
    pageSize: 2,
  });
  async function ask<T extends keyof ResponseMap>(msg: { type: T } & Record<string, unknown>): Promise<ResponseMap[T]> {
    const env = (await service.handleMessage(msg)) as Envelope<ResponseMap[T]>;
    if (!env.ok) throw new Error(`${env.error.code}: ${env.error.message}`);
    return env.value;
  }
  return { api, service, ask };
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

describe('createBackgroundService handleMessage', () => {
  it('answers malformed messages with a plain bad-message error', async () => {
    const { service } = setup();
    expect(await service.handleMessage({ type: 'drop.tables' })).toEqual({
      ok: false,
      error: { code: 'bad-message', message: 'Unknown or malformed message (drop.tables).' },
    });
    expect(await service.handleMessage({ type: 'customers.lookup', storeHandle: 'demo', customerIds: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'bad-message' },
    });
    expect(await service.handleMessage(null)).toMatchObject({ ok: false });
  });

  it('pairs with a one-time code, syncs the feed, and serves lookups from the cache', async () => {
    const { service, ask, api } = setup();
    expect(await ask({ type: 'connect', appUrl: `${APP}/`, code: ' GOOD-CODE ' })).toEqual({ shopDomain: SHOP, storeHandle: 'demo' });
    await service.sync(SHOP);
    const status = await ask({ type: 'status.get' });
    expect(status.shops).toHaveLength(1);
    expect(status.shops[0]).toMatchObject({ shopDomain: SHOP, appUrl: APP, cachedCustomers: 4, syncState: 'idle', lastSyncAtMs: 1_000_000 });
    expect(status.shops[0]).not.toHaveProperty('token');
    expect(status.shops[0]?.summary?.repeatPurchaseRate.value).toBe(0.31);

    const before = api.requests.length;
    const lookup = await ask({ type: 'customers.lookup', storeHandle: 'Demo', customerIds: ['2', '99', '2'] });
    expect(lookup.connected).toBe(true);
    expect(lookup.customers['2']).toMatchObject({ customerId: '2', churnTier: 'high', overdue: true });
    expect(lookup.customers['99']).toBeNull();
    expect(api.requests.length).toBe(before);
    // The shop's zone from its summary comes with every lookup: badges and cards show the admin's dates.
    expect(lookup.timeZone).toBe('Asia/Seoul');
    expect((await ask({ type: 'orders.lookup', storeHandle: 'demo', orderIds: ['1001'] })).timeZone).toBe('Asia/Seoul');
  });

  it('follows a shop whose summary changes its time zone, and says null for an app that does not send one', async () => {
    const { service, ask, api } = setup();
    await ask({ type: 'connect', appUrl: APP, code: 'GOOD-CODE' });
    await service.sync(SHOP);
    expect((await ask({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['1'] })).timeZone).toBe('Asia/Seoul');
    api.setSummary(sampleSummary(SHOP, { timeZone: 'Europe/Paris' }));
    await service.sync(SHOP);
    expect((await ask({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['1'] })).timeZone).toBe('Europe/Paris');
    const { timeZone: _zone, ...older } = sampleSummary(SHOP);
    api.setSummary(older);
    await service.sync(SHOP);
    expect((await ask({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['1'] })).timeZone).toBeNull();
  });

  it('says, with every lookup, that the app has computed nothing for the shop yet, until its summary says otherwise', async () => {
    const { service, ask, api } = setup();
    await ask({ type: 'connect', appUrl: APP, code: 'GOOD-CODE' });
    api.setSummary({ ...sampleSummary(SHOP), metricsPending: true, customers: 0, topAtRisk: [] });
    await service.sync(SHOP);
    for (const packed of [false, true]) {
      expect((await ask({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['1'], packed })).metricsPending).toBe(true);
      expect((await ask({ type: 'orders.lookup', storeHandle: 'demo', orderIds: ['1001'], packed })).metricsPending).toBe(true);
    }
    api.setSummary(sampleSummary(SHOP));
    await service.sync(SHOP);
    expect((await ask({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['1'] })).metricsPending).toBeUndefined();
    expect((await ask({ type: 'orders.lookup', storeHandle: 'demo', orderIds: ['1001'] })).metricsPending).toBeUndefined();
  });

  it('packed lookups (the content script) carry the same customers as one JSON text, for customers and orders', async () => {
    const { service, ask } = setup();
    await ask({ type: 'connect', appUrl: APP, code: 'GOOD-CODE' });
    await service.sync(SHOP);
    const plain = await ask({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['2', '99', '4'] });
    const packed = await ask({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['2', '99', '4'], packed: true });
    expect(packed.customers).toEqual({});
    expect(typeof packed.customersJson).toBe('string');
    expect(unpackLookup(packed)).toEqual(plain);
    // Orders: the first packed lookup carries customers fetched from the app, the second ones read from the cache.
    const firstOrders = unpackLookup(await ask({ type: 'orders.lookup', storeHandle: 'demo', orderIds: ['1001', '1002', '404'], packed: true }));
    const againPlain = await ask({ type: 'orders.lookup', storeHandle: 'demo', orderIds: ['1001', '1002', '404'] });
    const againPacked = unpackLookup(await ask({ type: 'orders.lookup', storeHandle: 'demo', orderIds: ['1001', '1002', '404'], packed: true }));
    expect(firstOrders).toEqual(againPlain);
    expect(againPacked).toEqual(againPlain);
    expect(againPlain.customers['2']).toMatchObject({ customerId: '2', churnTier: 'high' });
    expect(await service.handleMessage({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['1'], packed: 'yes' })).toMatchObject({
      ok: false,
      error: { code: 'bad-message' },
    });
    // Unpacking an answer that was not packed leaves it as it is.
    expect(unpackLookup(plain)).toBe(plain);
  });

  it('rejects a used pairing code with pairing-code-invalid', async () => {
    const { service, ask } = setup();
    await ask({ type: 'connect', appUrl: APP, code: 'GOOD-CODE' });
    await service.sync(SHOP);
    expect(await service.handleMessage({ type: 'connect', appUrl: APP, code: 'GOOD-CODE' })).toMatchObject({
      ok: false,
      error: { code: 'pairing-code-invalid' },
    });
    expect(await service.handleMessage({ type: 'connect', appUrl: 'ftp://x', code: 'A' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-app-url' },
    });
  });

  it('says not connected for a store handle no shop was paired with', async () => {
    const { ask } = setup();
    expect(await ask({ type: 'customers.lookup', storeHandle: 'other', customerIds: ['1'] })).toEqual({
      connected: false,
      shopDomain: null,
      customers: {},
    });
  });

  it('maps orders to customers through the app once, then from the cache', async () => {
    const { service, ask, api } = setup();
    await ask({ type: 'connect', appUrl: APP, code: 'GOOD-CODE' });
    await service.sync(SHOP);
    const first = await ask({ type: 'orders.lookup', storeHandle: 'demo', orderIds: ['1001', '1002', '1003', '404'] });
    expect(first.orderCustomerIds).toEqual({ '1001': '2', '1002': null, '1003': '4', '404': null });
    // 1002 is a guest checkout (the app says so); 404 is unknown.
    expect(first.guestOrderIds).toEqual(['1002']);
    expect(first.customers['2']?.churnTier).toBe('high');
    expect(first.customers['4']?.isRepeat).toBe(false);
    const calls = api.requests.filter((r) => r.includes('/orders/')).length;
    expect(calls).toBe(4);
    const second = await ask({ type: 'orders.lookup', storeHandle: 'demo', orderIds: ['1001', '1003', '1002'] });
    expect(second.orderCustomerIds).toEqual({ '1001': '2', '1003': '4', '1002': null });
    expect(second.guestOrderIds).toEqual(['1002']);
    expect(api.requests.filter((r) => r.includes('/orders/')).length).toBe(calls);
  });

  it('disconnect revokes the token at the app and clears that shop from the cache', async () => {
    const { service, ask, api } = setup();
    await ask({ type: 'connect', appUrl: APP, code: 'GOOD-CODE' });
    await service.sync(SHOP);
    await ask({ type: 'orders.lookup', storeHandle: 'demo', orderIds: ['1001'] });
    expect((await ask({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['1'] })).connected).toBe(true);
    expect(api.tokens.size).toBe(1);
    expect(await ask({ type: 'disconnect', shopDomain: SHOP })).toEqual({ unpairError: null });
    expect(api.tokens.size).toBe(0);
    expect((await ask({ type: 'status.get' })).shops).toEqual([]);
    const db = await openRetentionDb();
    expect(await db.count('customerChunks')).toBe(0);
    expect(await db.count('chunkIds')).toBe(0);
    expect(await db.count('orderCustomers')).toBe(0);
    expect((await ask({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['1'] })).connected).toBe(false);
  });

  it('sync.now reports what changed', async () => {
    const { service, ask, api } = setup();
    await ask({ type: 'connect', appUrl: APP, code: 'GOOD-CODE' });
    await service.sync(SHOP);
    api.upsertCustomer(sampleInsight('5'));
    expect(await ask({ type: 'sync.now', shopDomain: SHOP })).toEqual({ customersReceived: 1, customersDeleted: 0, evictedShops: [] });
    expect(await service.handleMessage({ type: 'sync.now', shopDomain: 'nope.myshopify.com' })).toMatchObject({
      ok: false,
      error: { code: 'not-connected' },
    });
  });

  it('resumes a sync a stopped worker left half done, from its last committed cursor', async () => {
    const { service, ask, api } = setup();
    await ask({ type: 'connect', appUrl: APP, code: 'GOOD-CODE' });
    await service.sync(SHOP);
    const db = await openRetentionDb();
    const shop = (await db.get('shops', SHOP))!;
    // As if the worker stopped after the first page of a later sync.
    await db.put('shops', { ...shop, syncState: 'syncing', cursor: '2' });
    api.upsertCustomer(sampleInsight('9'));
    const before = api.requests.length;
    await service.resumeInterrupted();
    expect(api.requests.slice(before).filter((r) => r.startsWith('GET /api/v1/customers'))[0]).toBe('GET /api/v1/customers?limit=2&since=2');
    expect((await db.get('shops', SHOP))?.syncState).toBe('idle');
    expect((await ask({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['9'] })).customers['9']).not.toBeNull();
  });

  it('stores badge settings, coercing unknown or missing fields to defaults', async () => {
    const { ask } = setup();
    const saved = await ask({
      type: 'settings.set',
      settings: { showListBadges: false, fields: { historicClv: false, evil: '<script>' } },
    });
    expect(saved).toEqual({ ...DEFAULT_BADGE_SETTINGS, showListBadges: false, fields: { ...DEFAULT_BADGE_SETTINGS.fields, historicClv: false } });
    expect(await ask({ type: 'settings.get' })).toEqual(saved);
  });
});

describe('freshness behind visible badges (fresh.poll)', () => {
  async function connected() {
    const clock: { now: number; appDown?: boolean } = { now: 1_000_000 };
    const t = setup(clock);
    await t.ask({ type: 'connect', appUrl: APP, code: 'GOOD-CODE' });
    await t.service.sync(SHOP);
    clock.now += 10_000;
    return { ...t, clock };
  }

  it('costs one feed GET and no write when nothing changed, and is throttled per shop', async () => {
    const { ask, api, clock } = await connected();
    const db = await openRetentionDb();
    const shopBefore = await db.get('shops', SHOP);
    const before = api.requests.length;
    const a = await ask({ type: 'fresh.poll', storeHandle: 'demo', sinceMs: clock.now - 1 });
    expect(a).toMatchObject({ connected: true, shopDomain: SHOP, changedCustomerIds: [], reset: false, nextPollMs: 3000 });
    expect(api.requests.slice(before)).toEqual(['GET /api/v1/customers?limit=2&since=4']);
    expect(await db.get('shops', SHOP)).toEqual(shopBefore);
    // Other tabs polling within the interval ride on that check.
    clock.now += 1000;
    await ask({ type: 'fresh.poll', storeHandle: 'demo', sinceMs: a.nowMs });
    await ask({ type: 'fresh.poll', storeHandle: 'Demo', sinceMs: a.nowMs });
    expect(api.requests.length).toBe(before + 1);
    // The popup's "last sync" follows the checks, without writing them.
    expect((await ask({ type: 'status.get' })).shops[0]).toMatchObject({ syncState: 'idle', lastSyncAtMs: clock.now - 1000 });
  });

  it('pulls a change within one interval and names the changed customers; the summary is refreshed with it', async () => {
    const { ask, api, clock } = await connected();
    const a = await ask({ type: 'fresh.poll', storeHandle: 'demo', sinceMs: clock.now - 1 });
    api.upsertCustomer(sampleInsight('2', { orderCount: 9 }));
    api.deleteCustomer('3');
    clock.now += 3000;
    const before = api.requests.length;
    const b = await ask({ type: 'fresh.poll', storeHandle: 'demo', sinceMs: a.nowMs });
    expect(b.changedCustomerIds.sort()).toEqual(['2', '3']);
    expect(api.requests.slice(before)).toEqual(['GET /api/v1/customers?limit=2&since=4', 'GET /api/v1/shop/summary']);
    const lookup = await ask({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['2', '3'] });
    expect(lookup.customers['2']?.orderCount).toBe(9);
    expect(lookup.customers['3']).toBeNull();
    // A page that already saw these gets nothing more.
    clock.now += 3000;
    expect((await ask({ type: 'fresh.poll', storeHandle: 'demo', sinceMs: b.nowMs })).changedCustomerIds).toEqual([]);
  });

  it('reports the ids a "Sync now" brought in to polling pages too, and never shows delta checks as syncing', async () => {
    const { ask, api, clock, service } = await connected();
    const a = await ask({ type: 'fresh.poll', storeHandle: 'demo', sinceMs: clock.now - 1 });
    api.upsertCustomer(sampleInsight('5'));
    clock.now += 100;
    await ask({ type: 'sync.now', shopDomain: SHOP });
    // Within the interval: no new check, but the change is listed.
    const b = await ask({ type: 'fresh.poll', storeHandle: 'demo', sinceMs: a.nowMs });
    expect(b.changedCustomerIds).toEqual(['5']);
    api.upsertCustomer(sampleInsight('6'));
    clock.now += 3000;
    const pending = service.handleMessage({ type: 'fresh.poll', storeHandle: 'demo', sinceMs: b.nowMs });
    expect((await ask({ type: 'status.get' })).shops[0]?.syncState).toBe('idle');
    expect(await pending).toMatchObject({ ok: true, value: { changedCustomerIds: ['6'] } });
  });

  it('backs off while the app is unreachable and recovers, and does not sync evicted or unknown shops', async () => {
    const { ask, api, clock } = await connected();
    const db = await openRetentionDb();
    clock.appDown = true;
    const broken = await ask({ type: 'fresh.poll', storeHandle: 'demo', sinceMs: clock.now - 1 });
    expect(broken.nextPollMs).toBe(6000);
    expect((await ask({ type: 'status.get' })).shops[0]?.lastError?.code).toBe('app-unreachable');
    // Lookups say so (the card tells the merchant its numbers may be out of date, and why), with the app's origin.
    const stale = await ask({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['1'] });
    expect(stale.problem).toMatchObject({ code: 'app-unreachable', params: { origin: APP } });
    expect(stale.customers['1']).toMatchObject({ customerId: '1' });
    clock.appDown = false;
    clock.now += 3000;
    const before = api.requests.length;
    await ask({ type: 'fresh.poll', storeHandle: 'demo', sinceMs: broken.nowMs });
    expect(api.requests.length).toBe(before);
    clock.now += 3000;
    const ok = await ask({ type: 'fresh.poll', storeHandle: 'demo', sinceMs: broken.nowMs });
    expect(ok.nextPollMs).toBe(3000);
    expect((await ask({ type: 'status.get' })).shops[0]).toMatchObject({ syncState: 'idle', lastError: null });
    expect((await ask({ type: 'customers.lookup', storeHandle: 'demo', customerIds: ['1'] })).problem).toBeNull();

    await db.put('shops', { ...(await db.get('shops', SHOP))!, evicted: true });
    clock.now += 3000;
    const n = api.requests.length;
    expect((await ask({ type: 'fresh.poll', storeHandle: 'demo', sinceMs: ok.nowMs })).nextPollMs).toBe(30_000);
    expect(api.requests.length).toBe(n);
    expect(await ask({ type: 'fresh.poll', storeHandle: 'other', sinceMs: null })).toMatchObject({ connected: false, nextPollMs: 30_000 });
  });
});
