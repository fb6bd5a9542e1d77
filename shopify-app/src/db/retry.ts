import type { Logger } from '../log.ts';

/** SQLSTATE classes and socket errors that mean the connection (not the statement) failed. */
const CONNECTION_CODES = new Set(['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether an error is the database connection going away (PostgreSQL restarting, an idle connection dropped, a
 * failover) rather than the statement failing: such a statement never committed, or committed idempotently, and can
 * be sent again on a new connection.
 */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || CONNECTION_CODES.has(code))) return true;
  const message = (error as { message?: unknown } | null)?.message;
  return (
    typeof message === 'string' &&
    /Connection terminated|connection (?:is )?(?:closed|ended)|Client has encountered a connection error|terminating connection/i.test(message)
  );
}

/**
 * Runs `fn`, and again while it fails with a lost database connection, for up to `withinMs` (default 8 s, under the
 * time Shopify waits for a webhook answer counted with its own retries); any other error, or the last one, is thrown.
 * Only for work that is idempotent (a webhook's transaction is, by its delivery id).
 */
export async function retryOnConnectionLoss<T>(fn: () => Promise<T>, options: { log?: Logger; withinMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.withinMs ?? 8_000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isConnectionError(error) || Date.now() >= deadline) throw error;
      options.log?.warn('database connection lost; retrying', { what: options.what, attempt, error: (error as Error).message });
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 100 * 2 ** Math.min(attempt, 4))));
    }
  }
}
