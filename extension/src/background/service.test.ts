import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { openRetentionDb } from '../db/schema.ts';
import { DEFAULT_BADGE_SETTINGS, type BadgeSettings, type Envelope, type ResponseMap } from '../messages/protocol.ts';
import { createFakeAppApi, sampleInsight, sampleSummary } from '../testing/fake-app-api.ts';
import { createBackgroundService } from './service.ts';

const SHOP = 'demo.myshopify.com';
const APP = 'http://127.0.0.1:3000';

function setup() {
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
    fetch: (input, init) => api.fetch(input, init),
    nowMs: () => 1_000_000,
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

  it("maps orders to customers through the app once, then from the cache", async () => {
    const { service, ask, api } = setup();
    await ask({ type: 'connect', appUrl: APP, code: 'GOOD-CODE' });
    await service.sync(SHOP);
    const first = await ask({ type: 'orders.lookup', storeHandle: 'demo', orderIds: ['1001', '1002', '1003', '404'] });
    expect(first.orderCustomerIds).toEqual({ '1001': '2', '1002': null, '1003': '4', '404': null });
    expect(first.customers['2']?.churnTier).toBe('high');
    expect(first.customers['4']?.isRepeat).toBe(false);
    const calls = api.requests.filter((r) => r.includes('/orders/')).length;
    expect(calls).toBe(4);
    const second = await ask({ type: 'orders.lookup', storeHandle: 'demo', orderIds: ['1001', '1003', '1002'] });
    expect(second.orderCustomerIds).toEqual({ '1001': '2', '1003': '4', '1002': null });
    expect(api.requests.filter((r) => r.includes('/orders/')).length).toBe(calls);
  });

  it('disconnect revokes the token at the app and clears that shop from the cache', async () => {
    const { service, ask, api } = setup();
    await ask({ type: 'connect', appUrl: APP, code: 'GOOD-CODE' });
    await service.sync(SHOP);
    await ask({ type: 'orders.lookup', storeHandle: 'demo', orderIds: ['1001'] });
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
