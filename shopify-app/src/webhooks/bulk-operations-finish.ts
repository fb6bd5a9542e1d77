import type { WebhookContext } from './types.ts';

/** `bulk_operations/finish`: wake the backfill job, which reads the operation's state and streams its result. */
export async function handleBulkOperationsFinish(ctx: WebhookContext): Promise<void> {
  ctx.followUp({ kind: 'backfill', shop: ctx.shop });
}
