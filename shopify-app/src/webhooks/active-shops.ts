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
 * The webhook router's shop lookup with a short memory of active shops. Otherwise each order webhook costs a statement
 * of its own for this one row: with several processes on PostgreSQL half of the statements the webhook path sends,
 * and on PGlite, where every statement runs on the one connection, a third to a half of what a webhook cost. Only
 * `active` rows are remembered (a shop just installed is never refused from memory), for `ttlMs`; the router forgets a
 * shop as soon as this process handles one of its non-order topics (app/uninstalled, shop/redact). On PGlite (one
 * process) every uninstall goes through this router, so none is seen late; on PostgreSQL an uninstall handled by
 * another process is seen at most `ttlMs` late. Shopify sends no order webhook after the uninstall, and `shop/redact`,
 * which deletes the shop's data, comes about 48 hours after it, so an order stored in that second is removed with the
 * rest. Lookups of one shop while its row is being read share that read: at 64 deliveries in flight, every one of
 * them read the row again when its memory expired.
 */
export function createActiveShops(db: Kysely<DB>, clock: Clock, ttlMs: number): { lookup: ShopStateLookup; forget(shop: string): void } {
  const remembered = new Map<string, { state: ShopState; untilMs: number }>();
  const reading = new Map<string, Promise<ShopState | undefined>>();
  /** Bumped by forget: a read that started before it must not be remembered after it. */
  let generation = 0;
  const read = (shop: string): Promise<ShopState | undefined> => {
    const started = generation;
    const p = db
      .selectFrom('shops')
      .select(['status', 'currency'])
      .where('shop_id', '=', shop)
      .executeTakeFirst()
      .then((state) => {
        const now = clock.now();
        if (state?.status === 'active' && ttlMs > 0 && started === generation) {
          // Bounded by the number of shops that sent a webhook in the last ttlMs; expired entries go on the next miss.
          if (remembered.size > 10_000) for (const [key, entry] of remembered) if (entry.untilMs <= now) remembered.delete(key);
          remembered.set(shop, { state, untilMs: now + ttlMs });
        } else remembered.delete(shop);
        return state;
      })
      .finally(() => {
        if (reading.get(shop) === p) reading.delete(shop);
      });
    reading.set(shop, p);
    return p;
  };
  return {
    lookup(shop) {
      const hit = remembered.get(shop);
      if (hit && hit.untilMs > clock.now()) return Promise.resolve(hit.state);
      return reading.get(shop) ?? read(shop);
    },
    forget(shop) {
      generation += 1;
      remembered.delete(shop);
      reading.delete(shop);
    },
  };
}
