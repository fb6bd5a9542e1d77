import type { Session, Shopify } from '@shopify/shopify-api';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Clock, Logger } from '../log.ts';
import { KyselySessionStorage } from '../sessions/session-storage.ts';
import type { TokenCipher } from '../sessions/token-cipher.ts';

/** Refresh an expiring offline token when it has less than this left (Shopify: 1 h access tokens). */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/** Refreshes in flight in this process, per shop (the embedded database's lock: see {@link getOfflineSession}). */
const refreshing = new Map<string, Promise<unknown>>();

/**
 * Loads a shop's offline session, refreshing its expiring access token first when it is within
 * {@link REFRESH_BEFORE_EXPIRY_MS} of expiry. A per-shop lock makes concurrent refreshes (two processes, or a job and
 * a request) use the rotated refresh token once: the second waiter re-reads the fresh session. On PostgreSQL that is
 * an advisory lock; with `singleProcess` (the embedded database, one process by its directory lock) it is a lock in
 * this process, because an advisory lock holds PGlite's only connection while Shopify answers, and every webhook and
 * API call of the app would wait that long.
 */
export async function getOfflineSession(
  deps: { db: Kysely<DB>; shopify: Shopify; cipher: TokenCipher; clock: Clock; log: Logger; singleProcess?: boolean | undefined },
  shop: string,
  options: { forceRefresh?: boolean } = {},
): Promise<Session> {
  const storage = new KyselySessionStorage(deps.db, deps.cipher);
  const id = deps.shopify.session.getOfflineId(shop);
  const session = await storage.loadSession(id);
  if (!session?.accessToken) {
    throw new AppError('shopify-request', `No offline session for ${shop}: open the app from the Shopify admin to install it.`);
  }
  if (!options.forceRefresh && !needsRefresh(session, deps.clock.now())) return session;
  if (!session.refreshToken) return session;
  const refreshLocked = async (locked: KyselySessionStorage): Promise<Session> => {
    const current = await locked.loadSession(id);
    if (!current?.refreshToken) throw new AppError('shopify-request', `No refresh token for ${shop}`);
    const stillNeeded = options.forceRefresh ? current.accessToken === session.accessToken : needsRefresh(current, deps.clock.now());
    if (!stillNeeded) return current;
    const { session: fresh } = await deps.shopify.auth.refreshToken({ shop, refreshToken: current.refreshToken });
    await locked.storeSession(fresh);
    deps.log.info('offline token refreshed', { shop, expiresAt: fresh.expires?.toISOString() });
    return fresh;
  };
  if (deps.singleProcess) {
    const before = refreshing.get(shop) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(() => refreshLocked(storage));
    refreshing.set(shop, run);
    void run
      .catch(() => undefined)
      .finally(() => {
        if (refreshing.get(shop) === run) refreshing.delete(shop);
      });
    return run;
  }
  return deps.db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(hashtext(${`refresh:${shop}`}))`.execute(conn);
    try {
      return await refreshLocked(new KyselySessionStorage(conn, deps.cipher));
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext(${`refresh:${shop}`}))`.execute(conn);
    }
  });
}

function needsRefresh(session: Session, nowMs: number): boolean {
  return session.expires !== undefined && session.expires.getTime() - nowMs < REFRESH_BEFORE_EXPIRY_MS;
}
