import type { AppContext } from '../context.ts';
import { onePerShop } from '../jobs/one-per-shop.ts';
import { runMetafieldSync, type MetafieldSyncResult } from './sync.ts';

/**
 * Writes the shop's changed predictions to its customers' metafields now, in this call (what the job runs). One sync
 * per shop at a time in this process (the job and a direct call); the queue is stately per shop.
 */
export function createMetafieldRunner(ctx: AppContext): (shop: string, signal?: AbortSignal) => Promise<MetafieldSyncResult> {
  const { db, clock, log, sleep } = ctx;
  return onePerShop((shop: string, signal?: AbortSignal) =>
    runMetafieldSync({ db, graphql: ctx.graphqlFor(shop), clock, log, sleep, ...ctx.options.metafields, ...(signal ? { signal } : {}) }, shop),
  );
}
