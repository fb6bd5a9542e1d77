import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Clock } from '../log.ts';

/** A shop's row as the webhook router needs it: may this topic store anything, and in which currency. */
export interface ShopState {
  status: string;
  currency: string | null;
}

/** Reads a shop's {@link ShopState}; undefined when the shop was never installed. */
export type ShopStateLookup = (shop: string) => Promise<ShopState | undefined>;

/**
 * The webhook router's shop lookup with a short memory of active shops. With several processes on PostgreSQL each
 * order webhook otherwise costs a round trip of its own for this one row, half of the statements the webhook path
 * sends. Only `active` rows are remembered (a shop just installed is never refused from memory), for `ttlMs`; the
 * router forgets a shop as soon as this process handles one of its non-order topics (app/uninstalled, shop/redact).
 * An uninstall handled by another process is seen at most `ttlMs` late: the same order as the time a delivery already
 * waits between this check and its batch's commit, and whatever lands meanwhile is removed by shop/redact.
 */
export function createActiveShops(db: Kysely<DB>, clock: Clock, ttlMs: number): { lookup: ShopStateLookup; forget(shop: string): void } {
  const remembered = new Map<string, { state: ShopState; untilMs: number }>();
  const read: ShopStateLookup = (shop) => db.selectFrom('shops').select(['status', 'currency']).where('shop_id', '=', shop).executeTakeFirst();
  return {
    async lookup(shop) {
      const now = clock.now();
      const hit = remembered.get(shop);
      if (hit && hit.untilMs > now) return hit.state;
      const state = await read(shop);
      if (state?.status === 'active' && ttlMs > 0) {
        // Bounded by the number of shops that sent a webhook in the last ttlMs; expired entries go on the next miss.
        if (remembered.size > 10_000) for (const [key, entry] of remembered) if (entry.untilMs <= now) remembered.delete(key);
        remembered.set(shop, { state, untilMs: now + ttlMs });
      } else remembered.delete(shop);
      return state;
    },
    forget(shop) {
      remembered.delete(shop);
    },
  };
}
