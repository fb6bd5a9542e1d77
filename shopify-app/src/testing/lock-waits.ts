import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Resolves once some session (`atLeast` sessions) of `db`'s PostgreSQL database waits for a lock another holds (tests
 * that stage writers in a given order); throws after about 2 s without.
 */
export async function someSessionWaitsForALock(db: Kysely<DB>, atLeast = 1): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
    if (rows[0]!.n >= atLeast) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no session waited for a lock');
}
