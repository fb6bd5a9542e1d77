import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** One change of the feed: an insight (payload JSON text) or a tombstone (payload null). */
export interface FeedEntry {
  customerId: number;
  seq: number;
  payload: string | null;
}

interface ShopFeed {
  /** Entries in change order; an entry replaced by a later change is set to null (compacted now and then). */
  entries: (FeedEntry | null)[];
  /** customer id -> index of its current entry. */
  index: Map<number, number>;
  stale: number;
}

/**
 * An in-memory copy of `customer_insights` per shop, in change order, for the delta feed on the embedded database.
 * PGlite hands rows over slowly (a 200,000-customer feed is ~160 MB of JSON), so after the first read of a shop the
 * feed is served from memory. Only valid where this process is the only writer (PGlite: the data-dir lock); every
 * write goes through {@link apply} after its commit. A load that raced a write is not kept.
 */
export class FeedCache {
  readonly #shops = new Map<string, ShopFeed>();
  readonly #generation = new Map<string, number>();

  /** Changes after `after`, at most `limit` (plus one to tell whether there are more). */
  async read(db: Kysely<DB>, shop: string, after: number, limit: number): Promise<FeedEntry[]> {
    let feed = this.#shops.get(shop);
    if (!feed) {
      const generation = this.#generation.get(shop) ?? 0;
      const loaded: ShopFeed = { entries: [], index: new Map(), stale: 0 };
      // In pages: one huge result set is far slower on PGlite than many 5,000-row ones.
      for (let from = 0; ; ) {
        const { rows } = await sql<{ customer_id: number; change_seq: number; deleted: boolean; payload: string | null }>`
          SELECT customer_id, change_seq, deleted, payload FROM customer_insights
          WHERE shop_id = ${shop} AND change_seq > ${from} ORDER BY change_seq LIMIT 5000`.execute(db);
        for (const row of rows) {
          loaded.index.set(row.customer_id, loaded.entries.length);
          loaded.entries.push({ customerId: row.customer_id, seq: row.change_seq, payload: row.deleted ? null : row.payload });
        }
        if (rows.length < 5000) break;
        from = rows[rows.length - 1]!.change_seq;
      }
      if ((this.#generation.get(shop) ?? 0) === generation) this.#shops.set(shop, loaded);
      feed = loaded;
    }
    const entries = feed.entries;
    let lo = 0;
    let hi = entries.length;
    // Binary search over the live entries' sequences (null slots take the sequence of the next live entry).
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      let probe = mid;
      while (probe < entries.length && entries[probe] === null) probe++;
      if (probe < entries.length && entries[probe]!.seq <= after) lo = probe + 1;
      else hi = mid;
    }
    const out: FeedEntry[] = [];
    for (let i = lo; i < entries.length && out.length < limit + 1; i++) {
      const entry = entries[i];
      if (entry && entry.seq > after) out.push(entry);
    }
    return out;
  }

  /** Loads the shop's feed into memory now (what the first read would do), if it is not there yet. */
  async warm(db: Kysely<DB>, shop: string): Promise<void> {
    await this.read(db, shop, Number.MAX_SAFE_INTEGER, 0);
  }

  /** Replaces a shop's feed with a complete snapshot (in change order) taken inside the committed write. */
  replace(shop: string, snapshot: readonly FeedEntry[]): void {
    this.#generation.set(shop, (this.#generation.get(shop) ?? 0) + 1);
    this.#shops.set(shop, { entries: [...snapshot], index: new Map(snapshot.map((e, i) => [e.customerId, i])), stale: 0 });
  }

  /** Records committed writes (in sequence order) for a shop. */
  apply(shop: string, writes: readonly FeedEntry[]): void {
    this.#generation.set(shop, (this.#generation.get(shop) ?? 0) + 1);
    const feed = this.#shops.get(shop);
    if (!feed) return;
    for (const write of writes) {
      const previous = feed.index.get(write.customerId);
      if (previous !== undefined) {
        feed.entries[previous] = null;
        feed.stale++;
      }
      feed.index.set(write.customerId, feed.entries.length);
      feed.entries.push(write);
    }
    if (feed.stale > 1000 && feed.stale > feed.entries.length / 2) {
      const live = feed.entries.filter((e): e is FeedEntry => e !== null);
      feed.entries = live;
      feed.index = new Map(live.map((e, i) => [e.customerId, i]));
      feed.stale = 0;
    }
  }

  /** Forgets a shop (shop/redact). */
  drop(shop: string): void {
    this.#generation.set(shop, (this.#generation.get(shop) ?? 0) + 1);
    this.#shops.delete(shop);
  }
}
