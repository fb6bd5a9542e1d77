import type { CustomersFeedV1 } from '@clvlens/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/connect.ts';
import { createTestDatabase } from '../db/test-database.ts';
import { ApiError } from '../errors.ts';
import { isFromEarlierLife, parseCursor, readCustomersFeed } from './read.ts';

const SHOP = 'lives.myshopify.com';
const page = async (db: Database, since: string, limit = '10'): Promise<CustomersFeedV1> =>
  JSON.parse(Buffer.from(await readCustomersFeed(db.db, SHOP, since, limit)).toString('utf8')) as CustomersFeedV1;

describe('the delta feed cursor', () => {
  it('reads the cursors this app hands out, and the life-less ones of versions before', () => {
    expect(parseCursor(undefined)).toEqual({ seq: 0, life: null });
    expect(parseCursor('')).toEqual({ seq: 0, life: null });
    expect(parseCursor('c42')).toEqual({ seq: 42, life: null });
    expect(parseCursor('c42.1764547200000')).toEqual({ seq: 42, life: 1_764_547_200_000 });
    for (const bad of ['42', 'c', 'c-1', 'c42.', 'c42.x', 'c1.2.3', 'c1234567890123456']) {
      expect(() => parseCursor(bad), bad).toThrow(ApiError);
    }
  });

  it('tells a cursor of an earlier life of the shop by its life, or by a sequence past any handed out', () => {
    const shop = { life: 2_000, insightSeq: 50 };
    expect(isFromEarlierLife({ seq: 10, life: 2_000 }, shop)).toBe(false);
    expect(isFromEarlierLife({ seq: 10, life: 1_000 }, shop)).toBe(true);
    expect(isFromEarlierLife({ seq: 10, life: null }, shop)).toBe(false);
    expect(isFromEarlierLife({ seq: 50, life: null }, shop)).toBe(false);
    expect(isFromEarlierLife({ seq: 51, life: null }, shop)).toBe(true);
  });
});

describe('readCustomersFeed across an erasure and a new install', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  /** A shop's row and its insights as their writers leave them: `insight_seq` is the last sequence handed out. */
  async function install(installedAt: Date, customers: readonly string[]): Promise<number> {
    await database.db
      .insertInto('shops')
      .values({ shop_id: SHOP, currency: 'USD', iana_timezone: 'UTC', installed_at: installedAt, insight_seq: customers.length })
      .execute();
    if (customers.length > 0) {
      await database.db
        .insertInto('customer_insights')
        .values(
          customers.map((id, i) => ({
            shop_id: SHOP,
            customer_id: id,
            change_seq: i + 1,
            deleted: false,
            payload: JSON.stringify({ customerId: id }),
            updated_at: new Date(0),
          })),
        )
        .execute();
    }
    return installedAt.getTime();
  }

  async function erase(): Promise<void> {
    await database.db.deleteFrom('customer_insights').where('shop_id', '=', SHOP).execute();
    await database.db.deleteFrom('shops').where('shop_id', '=', SHOP).execute();
  }

  it('starts a reader of the earlier life over from the beginning, and follows it normally after', async () => {
    const firstLife = await install(new Date(Date.UTC(2026, 0, 1)), ['1', '2', '3', '4', '5']);
    const first = await page(database, '');
    expect(first).toEqual({
      customers: ['1', '2', '3', '4', '5'].map((customerId) => ({ customerId })),
      deletedCustomerIds: [],
      nextCursor: `c5.${firstLife}`,
      hasMore: false,
    });
    expect(first.reset).toBeUndefined();
    await erase();

    // The same shop installs again: its sequence starts over and stays below the reader's for a while.
    const secondLife = await install(new Date(Date.UTC(2026, 5, 1)), ['7', '8']);
    const again = await page(database, first.nextCursor, '1');
    expect(again).toEqual({ customers: [{ customerId: '7' }], deletedCustomerIds: [], nextCursor: `c1.${secondLife}`, hasMore: true, reset: true });
    const next = await page(database, again.nextCursor);
    expect(next).toEqual({ customers: [{ customerId: '8' }], deletedCustomerIds: [], nextCursor: `c2.${secondLife}`, hasMore: false });
    // A cursor of the app before lives, past the new sequence: also from the earlier life.
    expect(await page(database, 'c5')).toMatchObject({ customers: [{ customerId: '7' }, { customerId: '8' }], reset: true });
    // Within it, it cannot be told apart and is followed as it is.
    expect(await page(database, 'c1')).toEqual({ customers: [{ customerId: '8' }], deletedCustomerIds: [], nextCursor: `c2.${secondLife}`, hasMore: false });
    await erase();
  });

  it('starts over even once the new life has handed out more sequences than the reader had', async () => {
    const firstLife = await install(new Date(Date.UTC(2026, 0, 1)), ['1', '2']);
    const cursor = (await page(database, '')).nextCursor;
    expect(cursor).toBe(`c2.${firstLife}`);
    await erase();
    await install(new Date(Date.UTC(2026, 5, 1)), ['11', '12', '13', '14']);
    const again = await page(database, cursor);
    expect(again.reset).toBe(true);
    expect(again.customers.map((c) => c.customerId)).toEqual(['11', '12', '13', '14']);
    await erase();
  });
});
