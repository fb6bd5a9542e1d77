import type { AppContext } from '../context.ts';
import { pruneWebhookDeliveries } from '../ingest/store.ts';

/** The daily housekeeping: deletes webhook delivery ids past their dedupe window and expired pairing codes. */
export async function prune(ctx: Pick<AppContext, 'db' | 'clock' | 'log'>): Promise<{ webhookDeliveries: number }> {
  const { db, clock, log } = ctx;
  const webhookDeliveries = await pruneWebhookDeliveries(db, clock.now());
  await db
    .deleteFrom('pairing_codes')
    .where('expires_at', '<', new Date(clock.now() - 86_400_000))
    .execute();
  if (webhookDeliveries > 0) log.info('pruned', { webhookDeliveries });
  return { webhookDeliveries };
}
