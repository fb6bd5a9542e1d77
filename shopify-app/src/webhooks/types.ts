import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
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
