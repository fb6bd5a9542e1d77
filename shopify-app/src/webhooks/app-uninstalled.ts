import type { WebhookContext } from './types.ts';

/**
 * `app/uninstalled`: Shopify has already revoked the tokens. Delete the sessions, revoke extension tokens and pairing
 * codes, mark the shop inactive and stop its sync. Data stays until `shop/redact` (about 48 h later). Idempotent.
 */
export async function handleAppUninstalled(ctx: WebhookContext): Promise<void> {
  const now = new Date(ctx.clock.now());
  await ctx.trx.deleteFrom('sessions').where('shop_id', '=', ctx.shop).execute();
  await ctx.trx.updateTable('extension_tokens').set({ revoked_at: now }).where('shop_id', '=', ctx.shop).where('revoked_at', 'is', null).execute();
  await ctx.trx.deleteFrom('pairing_codes').where('shop_id', '=', ctx.shop).execute();
  await ctx.trx.updateTable('shops').set({ status: 'uninstalled', uninstalled_at: now }).where('shop_id', '=', ctx.shop).execute();
  await ctx.trx.updateTable('sync_state').set({ state: 'not-started', message: 'The app was uninstalled.' }).where('shop_id', '=', ctx.shop).execute();
  ctx.followUp({ kind: 'stop-shop', shop: ctx.shop });
}
