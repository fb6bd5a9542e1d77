import type { ChurnModels, OrderRecord } from '@clvlens/core';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { quarantineRecord } from '../ingest/validate.ts';
import type { ComputeDeps } from './deps.ts';
import { churnHorizonOf, type ComputeOptions, type ShopModels } from './insights.ts';
import { screenOrderRecords } from './screen.ts';

/** What a recompute needs to know about an installed shop. */
export interface ShopInfo {
  /** The shop's currency from Shopify, or null while it is not known yet. */
  currency: string | null;
  timeZone: string;
  /** The app's compute options with the shop's own churn horizon. */
  options: ComputeOptions;
}

/** The shop's {@link ShopInfo}, or null when it is not installed (nothing to compute). */
export async function loadShopInfo(deps: Pick<ComputeDeps, 'db' | 'options' | 'settings'>, shop: string): Promise<ShopInfo | null> {
  const row = await deps.db.selectFrom('shops').select(['currency', 'iana_timezone', 'status']).where('shop_id', '=', shop).executeTakeFirst();
  if (!row || row.status !== 'active') return null;
  const timeZone = row.iana_timezone ?? 'UTC';
  const churnHorizonDays = deps.settings ? await deps.settings.churnHorizonDays(shop) : churnHorizonOf(deps.options);
  // The compute options of this shop: the app's, with the shop's own churn horizon.
  const shopOptions: ComputeOptions = { ...deps.options, churnHorizonDays };
  return { currency: row.currency ?? null, timeZone, options: shopOptions };
}

/**
 * Whether the shop's backfill is running. Its stored orders are then part of its history, and what is computed from
 * them would be redone when it ends (it queues every customer and asks for the whole-shop run).
 */
export async function backfillRunning(db: Kysely<DB>, shop: string): Promise<boolean> {
  return (await syncStateOf(db, shop)) === 'backfilling';
}

/** The shop's `sync_state.state`, or undefined before its row exists. */
async function syncStateOf(db: Kysely<DB>, shop: string): Promise<string | undefined> {
  return (await db.selectFrom('sync_state').select('state').where('shop_id', '=', shop).executeTakeFirst())?.state;
}

/**
 * The models of the shop's last full run, or null when there are none usable for this churn horizon (the next run is
 * then a full one).
 */
export async function loadStoredModels(deps: Pick<ComputeDeps, 'db'>, shop: string, churnHorizonDays: number): Promise<ShopModels | null> {
  const row = await deps.db.selectFrom('shop_metrics').select('models').where('shop_id', '=', shop).executeTakeFirst();
  if (!row?.models) return null;
  const parsed = JSON.parse(row.models) as Partial<ShopModels>;
  // Rows written before incremental recompute hold the churn fit only: treat as no models (one full run fixes it).
  if (!parsed.churn || !parsed.rfmCutPoints || typeof parsed.asOfMs !== 'number') return null;
  // Churn models from before the backtested probability (issue 11) have no horizon or prediction, and core's
  // scoreChurnRisk rejects them as "from an older version"; models of another horizon answer another question.
  // Either way one full run refits them.
  const churn = parsed.churn as Partial<ChurnModels>;
  if (churn.horizonDays !== churnHorizonDays || churn.prediction === undefined) return null;
  return parsed as ShopModels;
}

/** Drops the orders core cannot count ({@link screenOrderRecords}) and reports them: quarantined for the merchant, logged. */
export async function screenedRecords(
  deps: Pick<ComputeDeps, 'db' | 'clock' | 'log'>,
  shop: string,
  records: OrderRecord[],
  currency: string | null,
): Promise<OrderRecord[]> {
  const { kept, rejected } = screenOrderRecords(records, currency);
  if (rejected.length === 0) return records;
  for (const r of rejected) await quarantineRecord(deps.db, shop, 'order', r.orderId, r.reason, deps.clock.now());
  deps.log.warn('orders skipped by the recompute', { shop, orders: rejected.length, first: rejected[0]!.reason });
  return kept;
}

/**
 * Whether the shop's order history is stored: a backfill finished (`live`). Until then (its first backfill waiting,
 * running, or retrying after an error) the stored orders are only those its webhooks brought, and a customer scored
 * on them reads as new, with one order, under an admin page that lists their ten.
 */
export async function historyStored(db: Kysely<DB>, shop: string): Promise<boolean> {
  return (await syncStateOf(db, shop)) === 'live';
}
