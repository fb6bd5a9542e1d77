import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** Creates the shop's sync_state row when missing. */
export async function ensureSyncState(db: Kysely<DB>, shop: string): Promise<void> {
  await db
    .insertInto('sync_state')
    .values({ shop_id: shop })
    .onConflict((oc) => oc.column('shop_id').doNothing())
    .execute();
}

export async function loadSyncState(db: Kysely<DB>, shop: string) {
  return db.selectFrom('sync_state').selectAll().where('shop_id', '=', shop).executeTakeFirst();
}
