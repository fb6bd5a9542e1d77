import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { beforeEach, describe, expect, it } from 'vitest';
import { sampleInsight, withLegacyReasons } from '../testing/fake-app-api.ts';
import {
  applyFeedPage,
  putCustomer,
  clearShopCache,
  countCustomers,
  getCustomers,
  getShopByHandle,
  putOrderCustomer,
  putShop,
  toCachedCustomer,
} from './cache.ts';
import { CHUNK_TARGET_BYTES, openRetentionDb, RETENTION_DB_VERSION } from './schema.ts';
import { shopRecord } from '../testing/shop-record.ts';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

describe('openRetentionDb', () => {
  it('upgrades a version 1 database step by step: chunked customers, and a fresh sync from the start', async () => {
    const v1 = await openDB('clvlens-upgrade', 1, {
      upgrade(db) {
        db.createObjectStore('shops', { keyPath: 'shopDomain' }).createIndex('byStoreHandle', 'storeHandle');
        db.createObjectStore('customers', { keyPath: ['shopDomain', 'customerId'] });
      },
    });
    const { nextChunkSeq: _n, cachedCustomers: _c, ...v1Shop } = shopRecord('a.myshopify.com', { cursor: 'c9' });
    await v1.put('shops', v1Shop);
    await v1.put('customers', toCachedCustomer('a.myshopify.com', sampleInsight('7')));
    v1.close();

    const db = await openRetentionDb('clvlens-upgrade');
    expect(db.version).toBe(RETENTION_DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['chunkIds', 'customerChunks', 'notices', 'orderCustomers', 'shops']);
    expect(await getShopByHandle(db, 'a')).toMatchObject({ cursor: null, cachedCustomers: 0, nextChunkSeq: 0, token: 'tok' });
    expect(await countCustomers(db, 'a.myshopify.com')).toBe(0);
    await putOrderCustomer(db, { shopDomain: 'a.myshopify.com', orderId: '1', customerId: '7', fetchedAtMs: 1 });
    db.close();
  });
});

describe('openRetentionDb from version 3', () => {
  it('converts chunks of customer objects to JSON texts in place, keeping the cursor (no re-sync)', async () => {
    const shop = 'a.myshopify.com';
    const v3 = await openDB('clvlens-v3', 3, {
      upgrade(db) {
        db.createObjectStore('shops', { keyPath: 'shopDomain' }).createIndex('byStoreHandle', 'storeHandle');
        db.createObjectStore('orderCustomers', { keyPath: ['shopDomain', 'orderId'] });
        db.createObjectStore('notices', { keyPath: 'id', autoIncrement: true });
        db.createObjectStore('customerChunks', { keyPath: ['shopDomain', 'seq'] });
        db.createObjectStore('chunkIds', { keyPath: ['shopDomain', 'seq'] });
      },
    });
    await v3.put('shops', shopRecord(shop, { cursor: 'c9', cachedCustomers: 2, nextChunkSeq: 1 }));
    const seven = toCachedCustomer(shop, sampleInsight('7', { historicClvMinor: 70 }));
    const eight = toCachedCustomer(shop, sampleInsight('8', { historicClvMinor: 80 }));
    await v3.put('customerChunks', { shopDomain: shop, seq: 0, customers: [seven, eight] });
    await v3.put('chunkIds', { shopDomain: shop, seq: 0, ids: ['7', '8'] });
    v3.close();

    const db = await openRetentionDb('clvlens-v3');
    expect(await getShopByHandle(db, 'a')).toMatchObject({ cursor: 'c9', cachedCustomers: 2, nextChunkSeq: 1 });
    const got = await getCustomers(db, shop, ['7', '8']);
    expect(got.get('7')).toEqual(seven);
    expect(got.get('8')?.historicClvMinor).toBe(80);
    await applyFeedPage(db, shop, { customers: [{ ...eight, historicClvMinor: 81 }], deletedCustomerIds: ['7'], nextCursor: 'c10' }, 2);
    expect([...(await getCustomers(db, shop, ['7', '8'])).values()].map((c) => c.historicClvMinor)).toEqual([81]);
    db.close();
  });
});

describe('getCustomers', () => {
  it('finds customers across chunks, after updates and deletions, also from a fresh connection', async () => {
    const shop = 'a.myshopify.com';
    const db = await openRetentionDb('chunks');
    await putShop(db, shopRecord(shop));
    // Enough customers for three chunks (a chunk closes at CHUNK_TARGET_BYTES of customer JSON).
    const perChunk = Math.ceil(CHUNK_TARGET_BYTES / JSON.stringify(toCachedCustomer(shop, sampleInsight('1'))).length);
    const ids = Array.from({ length: perChunk * 2 + 7 }, (_, i) => String(i + 1));
    const page = (list: string[], deleted: string[], cursor: string, clv = 1) => ({
      customers: list.map((id) => toCachedCustomer(shop, sampleInsight(id, { historicClvMinor: clv }))),
      deletedCustomerIds: deleted,
      nextCursor: cursor,
    });
    await applyFeedPage(db, shop, page(ids, [], 'c1'), 1);
    expect(await db.count('customerChunks')).toBe(3);
    await applyFeedPage(db, shop, page(['2', String(perChunk + 3), 'new'], ['1', '9999'], 'c2', 77), 2);
    await putCustomer(db, toCachedCustomer(shop, sampleInsight('solo', { historicClvMinor: 5 })));
    const expectedCount = ids.length - 1 + 2;
    expect(await countCustomers(db, shop)).toBe(expectedCount);
    expect((await getShopByHandle(db, 'a'))?.cachedCustomers).toBe(expectedCount);
    const check = async (d: typeof db) => {
      const got = await getCustomers(d, shop, ['1', '2', String(perChunk + 3), 'new', 'solo', '3', 'nope']);
      expect([...got.keys()].sort()).toEqual(['2', '3', String(perChunk + 3), 'new', 'solo'].sort());
      expect(got.get('2')?.historicClvMinor).toBe(77);
      expect(got.get(String(perChunk + 3))?.historicClvMinor).toBe(77);
      expect(got.get('3')?.historicClvMinor).toBe(1);
      expect(got.get('solo')?.historicClvMinor).toBe(5);
    };
    await check(db);
    db.close();
    const again = await openRetentionDb('chunks');
    await check(again);
    expect(await countCustomers(again, shop)).toBe(expectedCount);
    again.close();
  });
});

describe('64-bit customer ids (issue 19)', () => {
  it('keeps ids a double cannot tell apart as separate customers, under their exact text, through feed, deletion and lookup', async () => {
    const shop = 'a.myshopify.com';
    const db = await openRetentionDb('big-ids');
    await putShop(db, shopRecord(shop));
    // 115310627314723954 and ...955 are one and the same JavaScript number.
    const [a, b, max] = ['115310627314723954', '115310627314723955', '9223372036854775807'];
    await applyFeedPage(
      db,
      shop,
      {
        customers: [a, b, max].map((id, k) => toCachedCustomer(shop, sampleInsight(id, { historicClvMinor: k + 1 }))),
        deletedCustomerIds: [],
        nextCursor: 'c1',
      },
      1,
    );
    let got = await getCustomers(db, shop, [a, b, max, '115310627314723950']);
    expect([...got].map(([id, c]) => [id, c.customerId, c.historicClvMinor])).toEqual([
      [a, a, 1],
      [b, b, 2],
      [max, max, 3],
    ]);
    await applyFeedPage(db, shop, { customers: [], deletedCustomerIds: [a], nextCursor: 'c2' }, 2);
    got = await getCustomers(db, shop, [a, b]);
    expect([...got.keys()]).toEqual([b]);
    await putOrderCustomer(db, { shopDomain: shop, orderId: '820982911946154508', customerId: b, fetchedAtMs: 1 });
    expect(await db.get('orderCustomers', [shop, '820982911946154508'])).toMatchObject({ customerId: b });
    db.close();
  });
});

describe('toCachedCustomer', () => {
  it('keeps only the contract fields, dropping anything personal the app might add', () => {
    const insight = { ...sampleInsight('5'), firstName: 'Ada', email: 'ada@example.com' };
    const cached = toCachedCustomer('a.myshopify.com', insight);
    expect(cached).not.toHaveProperty('firstName');
    expect(cached).not.toHaveProperty('email');
    expect(cached.shopDomain).toBe('a.myshopify.com');
    expect(cached.orderHistory).toEqual(sampleInsight('5').orderHistory);
  });

  it('leaves the English churn reasons of app versions before 2026-12-07 behind: the card words its own from the numbers', () => {
    const insight = withLegacyReasons(sampleInsight('5'), ['no order for 3.1x this customer’s usual gap']);
    expect(insight).toHaveProperty('churnReasons');
    const cached = toCachedCustomer('a.myshopify.com', insight);
    expect(cached).not.toHaveProperty('churnReasons');
    expect(JSON.stringify(cached)).not.toContain('usual gap');
  });
});

describe('applyFeedPage', () => {
  it('writes customers, deletions and the cursor together', async () => {
    const db = await openRetentionDb();
    await putShop(db, shopRecord('a.myshopify.com'));
    const page = (ids: string[], deleted: string[], cursor: string) => ({
      customers: ids.map((id) => toCachedCustomer('a.myshopify.com', sampleInsight(id))),
      deletedCustomerIds: deleted,
      nextCursor: cursor,
    });
    expect(await applyFeedPage(db, 'a.myshopify.com', page(['1', '2', '3'], [], 'c1'), 10)).toBe(true);
    expect(await applyFeedPage(db, 'a.myshopify.com', page(['4'], ['2'], 'c2'), 20)).toBe(true);
    expect(await countCustomers(db, 'a.myshopify.com')).toBe(3);
    expect([...(await getCustomers(db, 'a.myshopify.com', ['1', '2', '4'])).keys()].sort()).toEqual(['1', '4']);
    const shop = await getShopByHandle(db, 'a');
    expect(shop?.cursor).toBe('c2');
    expect(shop?.lastUsedAtMs).toBe(20);
  });

  it('writes nothing once the shop is disconnected', async () => {
    const db = await openRetentionDb();
    const ok = await applyFeedPage(
      db,
      'gone.myshopify.com',
      { customers: [toCachedCustomer('gone.myshopify.com', sampleInsight('1'))], deletedCustomerIds: [], nextCursor: 'x' },
      1,
    );
    expect(ok).toBe(false);
    expect(await countCustomers(db, 'gone.myshopify.com')).toBe(0);
  });
});

describe('clearShopCache', () => {
  it('removes one shop and leaves shops with similar names alone', async () => {
    const db = await openRetentionDb();
    for (const shop of ['a.myshopify.com', 'a.myshopify.co', 'ab.myshopify.com']) {
      await putShop(db, shopRecord(shop));
      await applyFeedPage(
        db,
        shop,
        { customers: ['1', '2'].map((id) => toCachedCustomer(shop, sampleInsight(id))), deletedCustomerIds: [], nextCursor: '2' },
        1,
      );
      await putOrderCustomer(db, { shopDomain: shop, orderId: '9', customerId: '1', fetchedAtMs: 1 });
    }
    await clearShopCache(db, 'a.myshopify.com', { dropShop: true });
    expect(await countCustomers(db, 'a.myshopify.com')).toBe(0);
    expect(await db.get('shops', 'a.myshopify.com')).toBeUndefined();
    expect(await db.get('orderCustomers', ['a.myshopify.com', '9'])).toBeUndefined();
    expect(await db.count('customerChunks', IDBKeyRange.bound(['a.myshopify.com'], ['a.myshopify.com', []]))).toBe(0);
    expect(await countCustomers(db, 'a.myshopify.co')).toBe(2);
    expect(await countCustomers(db, 'ab.myshopify.com')).toBe(2);
    expect(await db.get('orderCustomers', ['ab.myshopify.com', '9'])).toBeDefined();
  });
});
