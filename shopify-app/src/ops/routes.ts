import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { pendingMigrations } from '../db/migrate.ts';
import type { AppHono } from '../middlewares.ts';

/**
 * `/healthz`: the process answers. `/readyz`: it should get traffic: the database answers, every migration this build
 * ships is applied, the job system runs, and it is not shutting down.
 */
export function registerOpsRoutes(app: AppHono, ctx: AppContext): void {
  const { db, jobs, lifecycle } = ctx;
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    const checks: Record<string, string> = {};
    try {
      await sql`SELECT 1`.execute(db);
      checks['database'] = 'ok';
      const pending = await pendingMigrations(db);
      checks['migrations'] = pending.length === 0 ? 'ok' : `pending: ${pending.join(', ')}`;
    } catch (error) {
      checks['database'] = `unreachable: ${(error as Error).message}`;
    }
    checks['jobs'] = jobs.running() ? 'ok' : 'stopped';
    checks['draining'] = lifecycle.draining ? 'yes' : 'no';
    const ready = checks['database'] === 'ok' && checks['migrations'] === 'ok' && checks['jobs'] === 'ok' && !lifecycle.draining;
    return c.json({ ready, checks }, ready ? 200 : 503);
  });
}
