import { describe, expect, it } from 'vitest';
import type { AppContext } from '../context.ts';
import { DEFAULT_SHOP_METRICS_DELAY_SECONDS } from '../options.ts';
import { QUEUES } from './queues.ts';
import { pollingFor } from './workers.ts';
import { runRecomputeJob } from './recompute.ts';

/** A recompute job's follow-ups with the compute stubbed: what it queues, with which options. */
async function followUps(options: Partial<AppContext['options']>, lastMetricsMs: number | null) {
  const sent: { queue: string; startAfterSeconds?: number }[] = [];
  const ctx = {
    options,
    compute: {
      recomputeShop: async () => ({ mode: 'incremental', remaining: 0, tierChanges: 0 }),
      lastMetricsDurationMs: () => lastMetricsMs,
    },
    metrics: { recompute: () => undefined },
    ingest: { requestRecompute: async () => undefined },
    jobs: { send: async (queue: string, _job: unknown, o: { startAfterSeconds?: number } = {}) => void sent.push({ queue, ...o }) },
  } as unknown as AppContext;
  await runRecomputeJob(ctx, { shop: 'delay.myshopify.com' });
  return sent;
}

describe('the recompute job', () => {
  it("refreshes the shop metrics after the default delay, so a shop's orders within it are counted by one refresh", async () => {
    const sent = await followUps({}, 40);
    expect(sent.map((s) => s.queue)).toEqual([QUEUES.metafields, QUEUES.shopMetrics]);
    expect(sent[1]!.startAfterSeconds).toBe(DEFAULT_SHOP_METRICS_DELAY_SECONDS);
    expect(DEFAULT_SHOP_METRICS_DELAY_SECONDS).toBe(30);
  });

  it('waits ten durations of the last refresh when that is longer (a large shop), at most 5 minutes', async () => {
    expect((await followUps({}, 9_000)).find((s) => s.queue === QUEUES.shopMetrics)!.startAfterSeconds).toBe(90);
    expect((await followUps({}, 60_000)).find((s) => s.queue === QUEUES.shopMetrics)!.startAfterSeconds).toBe(300);
    expect((await followUps({ shopMetricsDelaySeconds: 1 }, 40)).find((s) => s.queue === QUEUES.shopMetrics)!.startAfterSeconds).toBe(1);
    // A bound of its own (the chaos test's "a second after the last recompute", whatever the machine's load).
    const bounded = { shopMetricsDelaySeconds: 1, shopMetricsMaxDelaySeconds: 1 };
    expect((await followUps(bounded, 13_000)).find((s) => s.queue === QUEUES.shopMetrics)!.startAfterSeconds).toBe(1);
  });
});

describe('polling', () => {
  it('keeps the base interval for per-shop queues and polls the cron sweeps every 10 s', () => {
    expect(pollingFor(QUEUES.recompute, 0.5)).toBe(0.5);
    expect(pollingFor(QUEUES.backfill, 0.5)).toBe(0.5);
    expect(pollingFor(QUEUES.metafields, 0.5)).toBe(0.5);
    expect(pollingFor(QUEUES.prune, 0.5)).toBe(10);
    expect(pollingFor(QUEUES.reconcileAll, 0.5)).toBe(10);
    expect(pollingFor(QUEUES.prune, 20)).toBe(20);
  });
});
