import type { Shopify } from '@shopify/shopify-api';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { claimWebhookDelivery } from '../ingest/store.ts';
import type { Clock, Logger } from '../log.ts';
import { handleAppUninstalled } from './app-uninstalled.ts';
import { handleBulkOperationsFinish } from './bulk-operations-finish.ts';
import { handleCustomersDataRequest } from './customers-data-request.ts';
import { handleCustomersDelete } from './customers-delete.ts';
import { handleCustomersRedact } from './customers-redact.ts';
import { handleCustomersUpdate } from './customers-update.ts';
import { handleOrdersCancelled } from './orders-cancelled.ts';
import { handleOrdersCreate } from './orders-create.ts';
import { handleOrdersDelete } from './orders-delete.ts';
import { handleOrdersUpdated } from './orders-updated.ts';
import { handleRefundsCreate } from './refunds-create.ts';
import { handleShopRedact } from './shop-redact.ts';
import type { FollowUp, WebhookTopic } from './types.ts';
import { parseJsonExact } from '../ingest/json.ts';
import type { OrderSink } from '../ingest/order-sink.ts';
import type { PiiProtector } from '../ingest/pii.ts';
import { verifyWebhook } from './verify.ts';
import type { ShopStateLookup } from './active-shops.ts';

/**
 * Topics that only ever add data: stored for an installed (active) shop only, so nothing comes back after
 * app/uninstalled or shop/redact (a late or retried delivery is acknowledged and dropped). The compliance topics,
 * customers/delete and orders/delete only remove data and run for an uninstalled shop too, until shop/redact removed it.
 */
const DATA_TOPICS = new Set([
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/cancelled',
  'refunds/create',
  'customers/create',
  'customers/update',
  'bulk_operations/finish',
]);

/**
 * Topic (as in the `X-Shopify-Topic` header) -> its handler, one file per topic. Order topics hand the order to the
 * order sink (batched); the others run in the transaction that records the delivery id. Keep in step with
 * `shopify.app.toml`.
 */
export const WEBHOOK_HANDLERS: Readonly<Record<string, WebhookTopic>> = {
  'orders/create': { kind: 'order', handle: handleOrdersCreate },
  'orders/updated': { kind: 'order', handle: handleOrdersUpdated },
  'orders/paid': { kind: 'order', handle: handleOrdersUpdated },
  'orders/cancelled': { kind: 'order', handle: handleOrdersCancelled },
  'orders/delete': { kind: 'transaction', handle: handleOrdersDelete },
  'refunds/create': { kind: 'transaction', handle: handleRefundsCreate },
  'customers/create': { kind: 'transaction', handle: handleCustomersUpdate },
  'customers/update': { kind: 'transaction', handle: handleCustomersUpdate },
  'customers/delete': { kind: 'transaction', handle: handleCustomersDelete },
  'app/uninstalled': { kind: 'transaction', handle: handleAppUninstalled },
  'customers/data_request': { kind: 'transaction', handle: handleCustomersDataRequest },
  'customers/redact': { kind: 'transaction', handle: handleCustomersRedact },
  'shop/redact': { kind: 'transaction', handle: handleShopRedact },
  'bulk_operations/finish': { kind: 'transaction', handle: handleBulkOperationsFinish },
};

/** Outcome of one delivery, mapped to HTTP by the route. */
export type WebhookOutcome =
  | { status: 200; result: 'processed' | 'duplicate' | 'ignored-topic' | 'ignored-shop' | 'quarantined' }
  | { status: 401; reason: string }
  | { status: 400; reason: string };

/**
 * Verifies the HMAC on the raw body ({@link verifyWebhook}, equivalent to `shopify.webhooks.validate`) before anything
 * is parsed or stored, then runs the topic's handler ({@link WEBHOOK_HANDLERS}): an order topic hands the order to the
 * order sink, which records the delivery id with the order; any other topic runs in one transaction with the delivery
 * id. Either way a repeated delivery is a no-op and a failed one is retried by Shopify. Follow-up work (recompute,
 * backfill) is returned, to run after commit.
 */
export async function processWebhook(
  deps: {
    db: Kysely<DB>;
    shopify: Shopify;
    clock: Clock;
    log: Logger;
    /** Where order topics hand their order (`ingest/order-sink.ts`). */
    sink: Pick<OrderSink, 'submitWebhookOrder'>;
    pii?: PiiProtector;
    previousSecrets?: readonly string[];
    /** Reads the shop's row (`active-shops.ts`, which remembers active ones briefly; with a ttl of 0, every time). */
    shopState: { lookup: ShopStateLookup; forget(shop: string): void };
  },
  request: { headers: Headers; method: string; url: string },
  rawBody: string,
): Promise<{ outcome: WebhookOutcome; followUps: FollowUp[] }> {
  const validation = verifyWebhook(deps.shopify.config.apiSecretKey, request.headers, rawBody, deps.previousSecrets);
  if (!validation.valid) {
    deps.log.warn('webhook rejected', { reason: validation.reason, ...(validation.missingHeaders ? { missingHeaders: validation.missingHeaders } : {}) });
    return { outcome: { status: 401, reason: validation.reason }, followUps: [] };
  }
  const topic = validation.topic.toLowerCase();
  const shop = validation.domain;
  const webhookId = validation.webhookId;
  const handler = WEBHOOK_HANDLERS[topic];
  if (!handler) {
    deps.log.warn('webhook topic not handled', { topic, shop });
    return { outcome: { status: 200, result: 'ignored-topic' }, followUps: [] };
  }
  let payload: unknown;
  try {
    // Ids are 64-bit JSON numbers: integers beyond 2^53 are kept as their decimal text, not rounded (issue 19).
    payload = parseJsonExact(rawBody);
  } catch {
    return { outcome: { status: 400, reason: `${topic} webhook ${webhookId}: the body is not JSON` }, followUps: [] };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { outcome: { status: 400, reason: `${topic} webhook ${webhookId}: the body is not a JSON object` }, followUps: [] };
  }
  // After the parse (issue 13): which shop state lets this topic store anything.
  const shopRow = await deps.shopState.lookup(shop);
  const storable =
    shopRow?.status === 'active' || (!DATA_TOPICS.has(topic) && (shopRow !== undefined || topic === 'shop/redact' || topic === 'app/uninstalled'));
  if (!storable) {
    deps.log.info('webhook for a shop that is not installed; dropped', { topic, shop, webhookId });
    return { outcome: { status: 200, result: 'ignored-shop' }, followUps: [] };
  }
  const followUps: FollowUp[] = [];
  // Topics other than orders may change the shop's row (app/uninstalled, shop/redact): read it afresh next time.
  if (handler.kind !== 'order') deps.shopState.forget(shop);
  try {
    if (handler.kind === 'order') {
      const result = await handler.handle({
        shop,
        topic,
        webhookId,
        payload: payload as Record<string, unknown>,
        shopCurrency: shopRow?.currency ?? null,
        sink: deps.sink,
      });
      return { outcome: { status: 200, result }, followUps: [] };
    }
    const fresh = await deps.db.transaction().execute(async (trx) => {
      if (!(await claimWebhookDelivery(trx, shop, webhookId, topic, deps.clock.now()))) return false;
      await handler.handle({
        trx,
        shop,
        topic,
        webhookId,
        payload: payload as Record<string, unknown>,
        clock: deps.clock,
        log: deps.log,
        ...(deps.pii ? { pii: deps.pii } : {}),
        followUp: (work) => followUps.push(work),
      });
      return true;
    });
    // And again after the commit: a delivery of this shop may have read the row meanwhile.
    deps.shopState.forget(shop);
    return { outcome: { status: 200, result: fresh ? 'processed' : 'duplicate' }, followUps };
  } catch (error) {
    if (error instanceof AppError && error.code === 'bad-payload') {
      deps.log.warn('webhook payload rejected', { topic, shop, webhookId, message: error.message });
      return { outcome: { status: 400, reason: `${topic} webhook ${webhookId}: ${error.message}` }, followUps: [] };
    }
    throw error;
  }
}
