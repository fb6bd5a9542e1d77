import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** One change of the feed: an insight (payload JSON text) or a tombstone (payload null). */
export interface FeedEntry {
  /** Decimal Shopify id. */
  customerId: string;
  seq: number;
  payload: string | null;
}

/**
 * A {@link FeedEntry} as the cache keeps it: the payload as its UTF-8 bytes, which a feed page copies as they are. Kept
 * as text, every page of 5,000 was joined, measured and encoded again: 33-50 ms a 3.4 MB page measured alone on 2
 * cores, and the largest part of the server's work in a 200,000-customer sync (`pnpm bench app`).
 */
export interface CachedFeedEntry {
  customerId: string;
  seq: number;
  payload: Uint8Array | null;
}

const NEWLINE = 0x0a;
const COLON = 0x3a;

interface ShopFeed {
  /** Entries in change order; an entry replaced by a later change is set to null (compacted now and then). */
  entries: (CachedFeedEntry | null)[];
  /** customer id -> index of its current entry. */
  index: Map<string, number>;
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
  readonly #loading = new Map<string, Promise<ShopFeed>>();

  /** Changes after `after`, at most `limit` (plus one to tell whether there are more). */
  async read(db: Kysely<DB>, shop: string, after: number, limit: number): Promise<CachedFeedEntry[]> {
    let feed = this.#shops.get(shop);
    if (!feed) {
      // One load per shop at a time: a read during the start-up warm-up waits for it instead of loading again.
      let loading = this.#loading.get(shop);
      if (!loading) {
        loading = this.#load(db, shop).finally(() => this.#loading.delete(shop));
        this.#loading.set(shop, loading);
      }
      feed = await loading;
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
    const out: CachedFeedEntry[] = [];
    for (let i = lo; i < entries.length && out.length < limit + 1; i++) {
      const entry = entries[i];
      if (entry && entry.seq > after) out.push(entry);
    }
    return out;
  }

  async #load(db: Kysely<DB>, shop: string): Promise<ShopFeed> {
    const generation = this.#generation.get(shop) ?? 0;
    const loaded: ShopFeed = { entries: [], index: new Map(), stale: 0 };
    // In pages of 5,000, each one text of "id:seq:payload" lines (empty payload = tombstone): PGlite hands rows over
    // slowly, one large result set even more so. JSON text has no raw line breaks, so a line is one insight. The text
    // is encoded once, and each payload is a view of those bytes.
    for (let from = 0; ;) {
      const { rows } = await sql<{ lines: string | null; last: number | null; n: number }>`
        SELECT string_agg(customer_id || ':' || change_seq || ':' || CASE WHEN deleted THEN '' ELSE coalesce(payload, '') END,
                          E'\n' ORDER BY change_seq) AS lines, max(change_seq) AS last, count(*)::int AS n
        FROM (SELECT customer_id, change_seq, deleted, payload FROM customer_insights
              WHERE shop_id = ${shop} AND change_seq > ${from} ORDER BY change_seq LIMIT 5000) page`.execute(db);
      const { lines, last, n } = rows[0]!;
      if (lines) {
        const bytes = Buffer.from(lines, 'utf8');
        for (let start = 0; start < bytes.length;) {
          let end = bytes.indexOf(NEWLINE, start);
          if (end < 0) end = bytes.length;
          // The id and the sequence are digits: the line's first two colons end them.
          const a = bytes.indexOf(COLON, start);
          const b = bytes.indexOf(COLON, a + 1);
          const customerId = bytes.toString('latin1', start, a);
          loaded.index.set(customerId, loaded.entries.length);
          loaded.entries.push({ customerId, seq: Number(bytes.toString('latin1', a + 1, b)), payload: b + 1 === end ? null : bytes.subarray(b + 1, end) });
          start = end + 1;
        }
      }
      if (Number(n) < 5000) break;
      from = Number(last);
      // A PGlite query settles as a microtask: without this the whole load was one turn of the event loop (4.2 s of
      // webhooks held at 1,000,000 orders, after every full run).
      await new Promise((resolve) => setImmediate(resolve));
    }
    if ((this.#generation.get(shop) ?? 0) === generation) this.#shops.set(shop, loaded);
    return loaded;
  }

  /** Loads the shop's feed into memory now (what the first read would do), if it is not there yet. */
  async warm(db: Kysely<DB>, shop: string): Promise<void> {
    await this.read(db, shop, Number.MAX_SAFE_INTEGER, 0);
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
      feed.entries.push({ customerId: write.customerId, seq: write.seq, payload: write.payload === null ? null : Buffer.from(write.payload, 'utf8') });
    }
    if (feed.stale > 1000 && feed.stale > feed.entries.length / 2) {
      const live = feed.entries.filter((e): e is CachedFeedEntry => e !== null);
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
