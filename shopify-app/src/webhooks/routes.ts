import type { Context } from 'hono';
import type { AppContext } from '../context.ts';
import { retryOnConnectionLoss } from '../db/retry.ts';
import { QUEUES } from '../jobs/jobs.ts';
import { proveShop, type AppHono } from '../middlewares.ts';
import { createActiveShops } from './active-shops.ts';
import { processWebhook } from './router.ts';
import type { FollowUp } from './types.ts';

/**
 * How long a process remembers that a shop is active, ms. At 100 ms the lookup was a third of the statements the
 * webhook path sent with 10 busy shops and three processes (13,636 in a 40,000-delivery pg-processes run).
 */
const ACTIVE_SHOP_TTL_MS = 1000;

/**
 * `POST /webhooks` and `POST /webhooks/compliance`: HMAC first, then dedupe and store ({@link processWebhook}: each
 * topic's file runs; order topics hand their order to the order sink); follow-up work is queued after the commit.
 */
export function registerWebhookRoutes(app: AppHono, ctx: AppContext): void {
  const { db, shopify, clock, log, pii, metrics, jobs } = ctx;
  // Active shops remembered for a second (see active-shops.ts), on PostgreSQL and on PGlite alike. On PGlite the read
  // is local but not cheap: reading the row for every delivery was a third to a half of what a webhook cost there
  // (`pnpm bench app`: 558-697 deliveries/s with it, about twice that without it and with prepared statements).
  const shopState = createActiveShops(db, clock, ACTIVE_SHOP_TTL_MS);
  // Each kind of follow-up runs once per shop and delivery; recompute requests are coalesced across deliveries by
  // the order sink, and not awaited: the customers are committed in the queue, and on PostgreSQL a request waits out
  // the shop's interval, which held a refund's answer up to a second while its shop took orders.
  const runFollowUps = async (followUps: FollowUp[]): Promise<void> => {
    const seen = new Set<string>();
    for (const work of followUps) {
      const key = `${work.kind}:${work.shop}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (work.kind === 'recompute') ctx.ingest.requestRecomputeInBackground(work.shop);
      else if (work.kind === 'backfill') await jobs.send(QUEUES.backfill, { shop: work.shop });
      else if (work.kind === 'stop-shop') {
        ctx.feedCache?.drop(work.shop);
        pii.forget(work.shop);
      }
    }
  };

  const webhook = async (c: Context): Promise<Response> => {
    const rawBody = await c.req.text();
    // A PostgreSQL restart or a dropped connection is waited out here (each attempt is idempotent by delivery id),
    // so Shopify gets its 200 instead of a 500 and a retry hours later.
    const { outcome, followUps } = await retryOnConnectionLoss(
      () =>
        processWebhook(
          { db, shopify, clock, log, sink: ctx.ingest, pii, previousSecrets: ctx.options.previousApiSecretKeys ?? [], shopState },
          c.req.raw,
          rawBody,
        ),
      { log, what: 'webhook' },
    );
    if (outcome.status === 401) {
      metrics.webhook('invalid', 'unauthorized');
      return c.json({ error: { code: 'unauthorized', message: 'Invalid webhook HMAC.' } }, 401);
    }
    // The HMAC held: the topic and shop headers come from Shopify.
    const topic = c.req.header('x-shopify-topic') ?? 'unknown';
    const shopDomain = c.req.header('x-shopify-shop-domain');
    if (shopDomain) proveShop(c, shopDomain);
    if (outcome.status === 400) {
      metrics.webhook(topic, 'bad-request');
      return c.json({ error: { code: 'bad-request', message: outcome.reason } }, 400);
    }
    await retryOnConnectionLoss(() => runFollowUps(followUps), { log, what: 'webhook follow-up' });
    metrics.webhook(topic, outcome.result);
    return c.json({ ok: true, result: outcome.result });
  };
  app.post('/webhooks', webhook);
  app.post('/webhooks/compliance', webhook);
}
