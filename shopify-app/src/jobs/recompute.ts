import type { AppContext, JobQueue } from '../context.ts';
import { DEFAULT_SHOP_METRICS_DELAY_SECONDS } from '../options.ts';
import { JOB_PRIORITY, QUEUES, type ShopJob } from './jobs.ts';

/** Queues a whole-shop run of `shop` (its first run after a backfill, the daily refit): behind other shops' changes. */
export function sendWholeShopRun(jobs: JobQueue, shop: string): Promise<void> {
  return jobs.send(QUEUES.recompute, { shop }, { priority: JOB_PRIORITY.wholeShop });
}

/**
 * The recompute job: brings the shop's insights up to date ({@link ComputeService.recomputeShop}), then queues what
 * follows from it: another round while customers remain queued, the metafield sync, the Flow triggers of changed
 * tiers, and (after an incremental run) a throttled refresh of the shop metrics.
 */
export async function runRecomputeJob(ctx: AppContext, { shop, full }: ShopJob): Promise<void> {
  const { compute, jobs } = ctx;
  await ctx.options.beforeRecompute?.(shop);
  const started = performance.now();
  const result = await compute.recomputeShop(shop, { ...(full ? { full } : {}), metrics: 'skip' });
  ctx.metrics.recompute(result.mode, (performance.now() - started) / 1000);
  if (result.remaining > 0) await ctx.ingest.requestRecompute(shop);
  // Nothing was scored (the shop is inactive, or its first backfill runs): nothing to send on.
  if (result.mode === 'skipped') return;
  // Changed predictions go to Shopify (customer metafields) after every recompute; a run with nothing
  // changed reads one empty page.
  await jobs.send(QUEUES.metafields, { shop });
  if (result.tierChanges > 0) await jobs.send(QUEUES.flowTriggers, { shop });
  if (result.mode === 'incremental') {
    // Badges change with the customer's insight, at once; the shop metrics (all orders) follow after the delay, or
    // ten durations of the last refresh when longer, so a webhook storm on a large shop cannot keep a worker and the
    // database busy reloading every order. A refresh already waiting takes this one's place (stately per shop).
    const lastMs = compute.lastMetricsDurationMs(shop) ?? 0;
    const least = ctx.options.shopMetricsDelaySeconds ?? DEFAULT_SHOP_METRICS_DELAY_SECONDS;
    const most = ctx.options.shopMetricsMaxDelaySeconds ?? 300;
    await jobs.send(QUEUES.shopMetrics, { shop }, { startAfterSeconds: Math.min(most, Math.max(least, Math.ceil((10 * lastMs) / 1000))) });
  }
}
