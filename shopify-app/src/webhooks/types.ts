import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { OrderDeliveryResult, OrderSink } from '../ingest/order-sink.ts';
import type { PiiProtector } from '../ingest/pii.ts';
import type { Clock, Logger } from '../log.ts';

/** Work a webhook asks for once its transaction has committed. */
export type FollowUp = { kind: 'recompute'; shop: string } | { kind: 'backfill'; shop: string } | { kind: 'stop-shop'; shop: string };

/** What one topic handler gets: the transaction that also recorded the delivery id. */
export interface WebhookContext {
  trx: Kysely<DB>;
  shop: string;
  topic: string;
  webhookId: string;
  payload: Record<string, unknown>;
  clock: Clock;
  log: Logger;
  /** Protects emails and guest keys before they are stored; absent only in unit tests of single handlers. */
  pii?: PiiProtector;
  followUp(work: FollowUp): void;
}

export type WebhookHandler = (ctx: WebhookContext) => Promise<void>;

/**
 * What an order topic's handler gets: the delivery and the order sink, which stores it together with the deliveries
 * arriving meanwhile (it records the delivery id itself, in the same statement) and requests the recompute.
 */
export interface OrderWebhookContext {
  shop: string;
  topic: string;
  webhookId: string;
  payload: Record<string, unknown>;
  /** The shop's currency as stored at install (null when unknown). */
  shopCurrency: string | null;
  sink: Pick<OrderSink, 'submitWebhookOrder'>;
}

export type OrderWebhookHandler = (ctx: OrderWebhookContext) => Promise<OrderDeliveryResult>;

/**
 * How a topic is handled: order topics go to the order sink (batched), every other topic runs in the transaction that
 * records its delivery id.
 */
export type WebhookTopic = { kind: 'order'; handle: OrderWebhookHandler } | { kind: 'transaction'; handle: WebhookHandler };
