import type { AppContext } from '../context.ts';
import { activeShops } from '../jobs/shops.ts';

/**
 * The first delta-feed read of a shop fills the embedded feed cache (seconds for 200,000 customers); this does it at
 * start, in the background, so the first extension sync after a restart is as fast as the next ones. Stops between
 * shops once the app is stopping.
 */
export function warmFeedCache(ctx: AppContext): Promise<void> {
  const { feedCache, db, lifecycle } = ctx;
  return (async () => {
    if (!feedCache) return;
    for (const shop of await activeShops(db)) {
      if (lifecycle.stopped) return;
      await feedCache.warm(db, shop);
    }
  })().catch((error: unknown) => {
    if (!lifecycle.stopped) ctx.log.warn('feed cache warm-up failed', { message: (error as Error).message });
  });
}
