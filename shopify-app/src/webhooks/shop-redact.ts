import { AppError } from '../errors.ts';
import { eraseShopOrders, ORDER_TABLES } from '../ingest/store.ts';
import type { WebhookContext } from './types.ts';

/** Every table that holds shop data besides the order tables (erased by their writer, `ingest/store.ts`). */
const OTHER_SHOP_TABLES = [
  'sessions',
  'customers',
  'customer_personal',
  'customer_insights',
  'shop_metrics',
  'split_full_runs',
  'sync_state',
  'data_request_exports',
  'pairing_codes',
  'extension_tokens',
  'quarantined_records',
  'shop_settings',
  'data_imports',
  'survey_responses',
  'marketing_spend',
  'metafield_sync_state',
  'customer_metafield_writes',
  'customer_tier_changes',
  'shops',
] as const;

/** Every table that holds shop data; shop/redact empties them all for the shop. */
export const SHOP_TABLES = [...ORDER_TABLES, ...OTHER_SHOP_TABLES] as const;

/** `shop/redact` (48 h after uninstall): erase all data of the shop. Its webhook-delivery ids are kept for dedupe. */
export async function handleShopRedact(ctx: WebhookContext): Promise<void> {
  // The header names the shop the HMAC covers; a payload naming another one is not what Shopify sends.
  const named = ctx.payload['shop_domain'];
  if (named !== undefined && named !== null && named !== ctx.shop) {
    throw new AppError('bad-payload', `shop/redact: shop_domain ${JSON.stringify(named)} is not the delivering shop ${ctx.shop}`);
  }
  await eraseShopOrders(ctx.trx, ctx.shop);
  // `shops` last: the other tables' rows name it.
  for (const table of OTHER_SHOP_TABLES) await ctx.trx.deleteFrom(table).where('shop_id', '=', ctx.shop).execute();
  ctx.followUp({ kind: 'stop-shop', shop: ctx.shop });
}
