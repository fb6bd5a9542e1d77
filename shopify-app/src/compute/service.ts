import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Clock, Logger } from '../log.ts';
import { computeShop, type ComputeOptions } from './insights.ts';
import { loadOrderRecords } from './load.ts';
import { writeInsights } from './write.ts';
import type { FeedEntry } from '../api/feed-cache.ts';

export type { ComputeOptions } from './insights.ts';

/** Recomputes and stores per-customer insights and shop metrics. */
export interface ComputeService {
  /**
   * Recomputes the shop from its stored orders (models refitted on the shop's data) and writes only the insights that
   * changed, each with a new change sequence, plus tombstones for customers that are gone. Clears the shop's
   * recompute queue first, so changes arriving meanwhile queue another run.
   */
  recomputeShop(shop: string): Promise<{ changed: number; deleted: number }>;
}

export function createComputeService(deps: {
  db: Kysely<DB>;
  clock: Clock;
  log: Logger;
  options?: ComputeOptions;
  /** Told about every committed insight write with the shop's whole feed after it (the embedded feed cache). */
  onWrites?: (shop: string, snapshot: FeedEntry[]) => void;
}): ComputeService {
  const { db, clock, log } = deps;
  const options = deps.options ?? {};
  return {
    async recomputeShop(shop) {
      const started = clock.now();
      const shopRow = await db.selectFrom('shops').select(['currency', 'iana_timezone', 'status']).where('shop_id', '=', shop).executeTakeFirst();
      if (!shopRow || shopRow.status !== 'active') return { changed: 0, deleted: 0 };
      await db.deleteFrom('recompute_queue').where('shop_id', '=', shop).execute();
      const records = await loadOrderRecords(db, shop);
      const deletedRows = await db.selectFrom('customers').select('customer_id').where('shop_id', '=', shop).where('deleted', '=', true).execute();
      const deleted = new Set(deletedRows.map((r) => String(r.customer_id)));
      const nowMs = clock.now();
      const computed = computeShop(records, deleted, {
        currency: shopRow.currency ?? records[0]?.currency ?? 'USD',
        timeZone: shopRow.iana_timezone ?? 'UTC',
        nowMs,
        options,
      });
      const { writes: _writes, snapshot, ...result } = await writeInsights(db, shop, computed.drafts, nowMs, { snapshot: deps.onWrites !== undefined });
      if (snapshot) deps.onWrites?.(shop, snapshot);
      const row = {
        as_of: new Date(computed.summary.asOfMs),
        payload: JSON.stringify({ ...computed.summary, shopDomain: shop }),
        report: JSON.stringify(computed.report),
        models: JSON.stringify(computed.models),
        fitted_at: new Date(nowMs),
        computed_at: new Date(nowMs),
      };
      await db
        .insertInto('shop_metrics')
        .values({ shop_id: shop, ...row })
        .onConflict((oc) => oc.column('shop_id').doUpdateSet(row))
        .execute();
      log.info('recomputed', { shop, orders: records.length, customers: computed.drafts.length, ...result, method: computed.models.method, ms: clock.now() - started });
      return result;
    },
  };
}
