import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as cache from '../db/cache.ts';
import { countCustomers, getCustomers, getShop, listNotices, putShop, toCachedCustomer, updateShop } from '../db/cache.ts';
import { openRetentionDb } from '../db/schema.ts';
import { ExtensionError } from '../errors.ts';
import { createFakeAppApi, sampleInsight, sampleSummary } from '../testing/fake-app-api.ts';
import { shopRecord } from '../testing/shop-record.ts';
import { CHANGED_IDS_CAP, syncShop } from './sync.ts';

const SHOP = 'demo.myshopify.com';

function fakeApi(n: number) {
  const api = createFakeAppApi({
    shopDomain: SHOP,
    storeHandle: 'demo',
    summary: sampleSummary(SHOP),
    customers: Array.from({ length: n }, (_, i) => sampleInsight(String(i + 1), { historicClvMinor: (i + 1) * 100 })),
    pairingCodes: [],
    tokens: ['tok'],
  });
  return api;
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});

describe('syncShop', () => {
  it('pulls every page of the delta feed, then only what changed since the stored cursor', async () => {
    const db = await openRetentionDb();
    await putShop(db, shopRecord(SHOP));
    const api = fakeApi(25);
    let now = 1_000;
    const deps = { db, fetch: api.fetch, nowMs: () => now, pageSize: 10 };

    const first = await syncShop(deps, SHOP);
    expect(first).toMatchObject({ pages: 3, customersReceived: 25, customersDeleted: 0 });
    expect(await countCustomers(db, SHOP)).toBe(25);
    expect(api.requests.filter((r) => r.startsWith('GET /api/v1/customers'))).toEqual([
      'GET /api/v1/customers?limit=10',
      'GET /api/v1/customers?limit=10&since=10',
      'GET /api/v1/customers?limit=10&since=20',
    ]);
    const shop = await getShop(db, SHOP);
    expect(shop).toMatchObject({ cursor: '25', syncState: 'idle', lastSyncAtMs: 1_000, lastError: null });
    expect(shop?.summary?.churn.d30).toBe(0.4);

    api.upsertCustomer(sampleInsight('3', { historicClvMinor: 99_999, churnTier: 'high' }));
    api.deleteCustomer('7');
    api.upsertCustomer(sampleInsight('26'));
    now = 2_000;
    const second = await syncShop(deps, SHOP);
    expect(second).toMatchObject({ pages: 1, customersReceived: 2, customersDeleted: 1 });
    expect(api.requests.at(-1)).toBe('GET /api/v1/customers?limit=10&since=25');
    const got = await getCustomers(db, SHOP, ['3', '7', '26']);
    expect(got.get('3')?.historicClvMinor).toBe(99_999);
    expect(got.has('7')).toBe(false);
    expect(got.has('26')).toBe(true);
    expect(await countCustomers(db, SHOP)).toBe(25);
  });

  it('records an unauthorized app as the shop error and throws it', async () => {
    const db = await openRetentionDb();
    await putShop(db, shopRecord(SHOP, { token: 'revoked' }));
    const api = fakeApi(3);
    const err = await syncShop({ db, fetch: api.fetch, nowMs: () => 5 }, SHOP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExtensionError);
    expect((err as ExtensionError).code).toBe('unauthorized');
    expect((await getShop(db, SHOP))?.lastError?.code).toBe('unauthorized');
    expect((await getShop(db, SHOP))?.syncState).toBe('error');
  });

  it('records an unreachable app as app-unreachable', async () => {
    const db = await openRetentionDb();
    await putShop(db, shopRecord(SHOP));
    const fetch = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(syncShop({ db, fetch, nowMs: () => 5 }, SHOP)).rejects.toMatchObject({ code: 'app-unreachable', params: { origin: 'http://127.0.0.1:3000' } });
  });

  it('records a browser without network as offline, not as an unreachable app', async () => {
    const db = await openRetentionDb();
    await putShop(db, shopRecord(SHOP));
    const fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    vi.stubGlobal('navigator', { ...globalThis.navigator, onLine: false });
    try {
      await expect(syncShop({ db, fetch, nowMs: () => 5 }, SHOP)).rejects.toMatchObject({ code: 'offline' });
      expect((await getShop(db, SHOP))?.lastError).toMatchObject({ code: 'offline', params: { origin: 'http://127.0.0.1:3000' } });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('evicts the least recently used other shop when storage is full, tells the user, and finishes', async () => {
    const db = await openRetentionDb();
    await putShop(db, shopRecord('old.myshopify.com', { storeHandle: 'old', lastUsedAtMs: 10, cursor: '5' }));
    await putShop(db, shopRecord('recent.myshopify.com', { storeHandle: 'recent', lastUsedAtMs: 500 }));
    await putShop(db, shopRecord(SHOP, { lastUsedAtMs: 100 }));
    for (const other of ['old.myshopify.com', 'recent.myshopify.com']) {
      await cache.applyFeedPage(
        db,
        other,
        { customers: [toCachedCustomer(other, sampleInsight('1'))], deletedCustomerIds: [], nextCursor: '5' },
        other.startsWith('old') ? 10 : 500,
      );
    }
    const api = fakeApi(4);
    const real = cache.applyFeedPage;
    let failures = 1;
    const spy = vi.spyOn(cache, 'applyFeedPage').mockImplementation(async (...args) => {
      if (args[1] === SHOP && failures-- > 0) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return real(...args);
    });
    try {
      const result = await syncShop({ db, fetch: api.fetch, nowMs: () => 1_000 }, SHOP);
      expect(result.evictedShops).toEqual(['old.myshopify.com']);
    } finally {
      spy.mockRestore();
    }
    expect(await countCustomers(db, SHOP)).toBe(4);
    expect(await countCustomers(db, 'old.myshopify.com')).toBe(0);
    expect(await countCustomers(db, 'recent.myshopify.com')).toBe(1);
    expect(await getShop(db, 'old.myshopify.com')).toMatchObject({ evicted: true, cursor: null });
    const notices = await listNotices(db);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.message).toContain('old.myshopify.com');
  });

  it('fails with quota-exceeded and a notice when no other shop can be evicted', async () => {
    const db = await openRetentionDb();
    await putShop(db, shopRecord(SHOP));
    const api = fakeApi(2);
    const spy = vi.spyOn(cache, 'applyFeedPage').mockRejectedValue(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    try {
      await expect(syncShop({ db, fetch: api.fetch, nowMs: () => 1 }, SHOP)).rejects.toMatchObject({ code: 'quota-exceeded' });
    } finally {
      spy.mockRestore();
    }
    expect((await getShop(db, SHOP))?.lastError?.code).toBe('quota-exceeded');
    expect((await listNotices(db))[0]?.message).toMatch(/storage is full/i);
  });

  it('delta mode: one feed GET and no IndexedDB write when nothing changed; changed ids reported page by page', async () => {
    const db = await openRetentionDb();
    await putShop(db, shopRecord(SHOP));
    const api = fakeApi(5);
    await syncShop({ db, fetch: api.fetch, nowMs: () => 1, pageSize: 2 }, SHOP);
    const before = api.requests.length;
    const shop = await getShop(db, SHOP);
    const writes = vi.spyOn(cache, 'applyFeedPage');
    const reported: (string[] | null)[] = [];
    try {
      const quiet = await syncShop({ db, fetch: api.fetch, nowMs: () => 2, pageSize: 2, onChanged: (ids) => reported.push(ids) }, SHOP, 'delta');
      expect(quiet).toMatchObject({ pages: 0, changedCustomerIds: [] });
      expect(api.requests.slice(before)).toEqual(['GET /api/v1/customers?limit=2&since=5']);
      expect(writes).not.toHaveBeenCalled();
      expect(await getShop(db, SHOP)).toEqual(shop);
      expect(reported).toEqual([]);

      api.upsertCustomer(sampleInsight('2', { orderCount: 7 }));
      api.upsertCustomer(sampleInsight('6'));
      api.deleteCustomer('4');
      // The second page fails after the first committed: what was written is still reported.
      let calls = 0;
      const flaky = async (input: string | URL | Request, init?: RequestInit) => {
        if (String(input).includes('/customers') && ++calls === 2) throw new TypeError('fetch failed');
        return api.fetch(input, init);
      };
      await expect(syncShop({ db, fetch: flaky, nowMs: () => 3, pageSize: 2, onChanged: (ids) => reported.push(ids) }, SHOP, 'delta')).rejects.toMatchObject({
        code: 'app-unreachable',
      });
      expect(reported).toEqual([['2', '6']]);
      const done = await syncShop({ db, fetch: api.fetch, nowMs: () => 4, pageSize: 2, onChanged: (ids) => reported.push(ids) }, SHOP, 'delta');
      expect(done.changedCustomerIds).toEqual(['4']);
      expect(reported).toEqual([['2', '6'], ['4']]);
      expect(await getShop(db, SHOP)).toMatchObject({ syncState: 'idle', lastError: null, lastSyncAtMs: 4 });
      expect(api.requests.at(-1)).toBe('GET /api/v1/shop/summary');
    } finally {
      writes.mockRestore();
    }
  });

  it('drops the customers cached from an earlier life of the shop when the app starts the feed over', async () => {
    const db = await openRetentionDb();
    await putShop(db, shopRecord(SHOP));
    const api = fakeApi(25);
    await syncShop({ db, fetch: api.fetch, nowMs: () => 1, pageSize: 10 }, SHOP);
    expect(await countCustomers(db, SHOP)).toBe(25);

    // Uninstalled, erased 48 hours later, installed again: three customers (one id from before, with other numbers),
    // the app's sequence from 0 again, and the extension paired again with a new token (same app, same cursor).
    api.startOver([sampleInsight('5', { historicClvMinor: 1 }), sampleInsight('101'), sampleInsight('102')]);
    const paired = await api.fetch('https://app.example/api/v1/pair', { method: 'POST', body: JSON.stringify({ code: api.issuePairingCode() }) });
    const { token } = (await paired.json()) as { token: string };
    await updateShop(db, SHOP, (s) => ({ ...s, token }));

    const reported: (string[] | null)[] = [];
    const again = await syncShop({ db, fetch: api.fetch, nowMs: () => 2, pageSize: 2, onChanged: (ids) => reported.push(ids) }, SHOP, 'delta');
    expect(api.requests.filter((r) => r.startsWith('GET /api/v1/customers')).slice(-2)).toEqual([
      'GET /api/v1/customers?limit=2&since=25',
      'GET /api/v1/customers?limit=2&since=2%402',
    ]);
    expect(again.changedCustomerIds).toBeNull();
    expect(reported[0]).toBeNull();
    const got = await getCustomers(db, SHOP, ['1', '5', '25', '101', '102']);
    expect([...got.keys()].sort()).toEqual(['101', '102', '5']);
    expect(got.get('5')?.historicClvMinor).toBe(1);
    expect(await getShop(db, SHOP)).toMatchObject({ cursor: '3@2', cachedCustomers: 3, syncState: 'idle', lastError: null });

    // From then on the feed is followed as before.
    api.upsertCustomer(sampleInsight('103'));
    const next = await syncShop({ db, fetch: api.fetch, nowMs: () => 3, pageSize: 2 }, SHOP, 'delta');
    expect(next.changedCustomerIds).toEqual(['103']);
    expect(await countCustomers(db, SHOP)).toBe(4);
  });

  it('starts the feed over, once, when the app refuses the stored cursor (one from another version of the app)', async () => {
    const db = await openRetentionDb();
    await putShop(db, shopRecord(SHOP));
    const api = fakeApi(25);
    await syncShop({ db, fetch: api.fetch, nowMs: () => 1, pageSize: 10 }, SHOP);
    // A cursor this app never handed out (a newer app's format), and a customer the app no longer serves.
    await updateShop(db, SHOP, (s) => ({ ...s, cursor: 'c25.1764547200000' }));
    api.deleteCustomer('7');
    const requestsBefore = api.requests.length;
    const reported: (string[] | null)[] = [];
    const r = await syncShop({ db, fetch: api.fetch, nowMs: () => 2, pageSize: 10, onChanged: (ids) => reported.push(ids) }, SHOP, 'delta');
    expect(api.requests.slice(requestsBefore).filter((q) => q.startsWith('GET /api/v1/customers'))).toEqual([
      'GET /api/v1/customers?limit=10&since=c25.1764547200000',
      'GET /api/v1/customers?limit=10',
      // Customer 7's tombstone took the last place in the feed.
      'GET /api/v1/customers?limit=10&since=11',
      'GET /api/v1/customers?limit=10&since=21',
    ]);
    expect(r.changedCustomerIds).toBeNull();
    expect(reported[0]).toBeNull();
    expect(await countCustomers(db, SHOP)).toBe(24);
    expect((await getCustomers(db, SHOP, ['7'])).size).toBe(0);
    expect(await getShop(db, SHOP)).toMatchObject({ cursor: '26', cachedCustomers: 24, syncState: 'idle', lastError: null });

    // An app that refuses the feed from the start as well is an error, not a loop.
    const refusing = async () => new Response(JSON.stringify({ error: { code: 'bad-request', message: 'no' } }), { status: 400 });
    await updateShop(db, SHOP, (s) => ({ ...s, cursor: 'c1' }));
    await expect(syncShop({ db, fetch: refusing, nowMs: () => 3, pageSize: 10 }, SHOP, 'delta')).rejects.toMatchObject({ code: 'app-error' });
    expect(await countCustomers(db, SHOP)).toBe(24);
  });

  it('reports "everything changed" (null) once a run changes more than the cap', async () => {
    const db = await openRetentionDb();
    await putShop(db, shopRecord(SHOP));
    const api = fakeApi(CHANGED_IDS_CAP + 10);
    const reported: (string[] | null)[] = [];
    const r = await syncShop({ db, fetch: api.fetch, nowMs: () => 1, pageSize: 1000, onChanged: (ids) => reported.push(ids) }, SHOP);
    expect(r.changedCustomerIds).toBeNull();
    expect(reported.at(-1)).toBeNull();
    expect(reported.filter((x) => x === null)).toHaveLength(1);
    expect(reported.slice(0, -1).every((x) => x?.length === 1000)).toBe(true);
  });
});
