import type { ShopRecord } from '../db/schema.ts';

/** A connected shop record for tests. */
export function shopRecord(shopDomain: string, overrides: Partial<ShopRecord> = {}): ShopRecord {
  return {
    shopDomain,
    storeHandle: shopDomain.replace('.myshopify.com', ''),
    appUrl: 'http://127.0.0.1:3000',
    token: 'tok',
    connectedAtMs: 1,
    lastUsedAtMs: 1,
    cursor: null,
    syncState: 'idle',
    lastSyncAtMs: null,
    lastError: null,
    evicted: false,
    cachedCustomers: 0,
    nextChunkSeq: 0,
    summary: null,
    ...overrides,
  };
}
