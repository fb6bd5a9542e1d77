import { resolveLocale } from '@clvlens/core/i18n';
import type { Context } from 'hono';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { readVipSlipping } from '../actions/tier-changes/vip-slipping.ts';
import { ApiError } from '../errors.ts';
import { createPairingCode, revokeExtensionTokens } from '../api/pairing.ts';
import { readShopSummary } from '../api/read.ts';
import { authenticateSessionToken, type InstallDeps } from '../auth/install.ts';
import { registerImportRoutes } from '../imports/routes.ts';
import { QUEUES } from '../jobs/jobs.ts';
import { jsonText, proveShop, type AppHono } from '../middlewares.ts';
import { createDashboardAssets } from './assets.ts';
import { readCustomerNames } from '../shopify/customer-names.ts';
import { renderDashboardPage, renderPairLinkPage, renderRootPage } from './page.ts';
import { readSegmentValues } from './segments.ts';

/** Shopify's `locale` query parameter (embedded apps), else the browser's first Accept-Language. */
const localeOf = (c: Context) => resolveLocale(c.req.query('locale') ?? c.req.header('accept-language')?.split(',')[0] ?? null);

/**
 * The pages a person opens (`/`, `/pair`), the embedded dashboard (`/app`, App Bridge session tokens with token
 * exchange on first use, which installs the shop), its API (`/app/api/*`) and its assets (`/app/assets/*`).
 */
export function registerDashboardRoutes(app: AppHono, ctx: AppContext): void {
  const { db, clock, settings, shopify, jobs } = ctx;
  const installDeps: InstallDeps = {
    db,
    shopify,
    cipher: ctx.cipher,
    clock,
    log: ctx.log,
    graphqlFor: ctx.graphqlFor,
    onInstalled: async (shop) => {
      await jobs.send(QUEUES.backfill, { shop });
      // Creates the metafield definitions at install; the values follow the first recompute.
      await jobs.send(QUEUES.metafields, { shop });
    },
  };

  // --- pages a person may open directly: words and a link, never raw JSON
  app.get('/', (c) => c.html(renderRootPage(localeOf(c)), 200));
  // The pairing link the dashboard gives to copy: opened in a browser, it says where to paste it.
  app.get('/pair', (c) => c.html(renderPairLinkPage(localeOf(c)), 200));

  // --- embedded dashboard (App Bridge session tokens; token exchange on first use)
  app.get('/app', async (c) => {
    const idToken = c.req.query('id_token');
    const locale = localeOf(c);
    // frame-ancestors names the shop only once the session token proved it; the `shop` query parameter is unverified.
    if (!idToken) {
      c.header('content-security-policy', 'frame-ancestors https://admin.shopify.com;');
      return c.html(renderDashboardPage({ apiKey: shopify.config.apiKey, shop: null, locale }), 200);
    }
    const shop = await authenticateSessionToken(installDeps, idToken);
    c.header('content-security-policy', `frame-ancestors https://${shop} https://admin.shopify.com;`);
    return c.html(renderDashboardPage({ apiKey: shopify.config.apiKey, shop, locale }), 200);
  });
  app.use('/app/api/*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new ApiError('unauthorized', 'Missing the Shopify session token: open the app from the Shopify admin.');
    proveShop(c, await authenticateSessionToken(installDeps, m[1]!));
    await next();
  });
  registerImportRoutes(app, '/app/api', ctx);
  app.get('/app/api/summary', async (c) => c.json(await readShopSummary(db, clock, c.get('shop'), await settings.churnHorizonDays(c.get('shop')))));
  app.get('/app/api/settings', async (c) => c.json(await settings.read(c.get('shop'))));
  app.put('/app/api/settings', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ApiError('bad-request', 'The body must be JSON, e.g. {"churnHorizonDays":90}.');
    }
    const { settings: saved, changed } = await settings.update(c.get('shop'), body);
    // Another horizon asks another question: the stored models no longer match, so this recompute is a full one.
    if (changed) await ctx.ingest.requestRecompute(c.get('shop'));
    return c.json(saved);
  });
  app.get('/app/api/report', async (c) => {
    const row = await db.selectFrom('shop_metrics').select(['report', 'models']).where('shop_id', '=', c.get('shop')).executeTakeFirst();
    if (!row?.report) throw new ApiError('not-found', 'No report yet: the first sync is still running.');
    return jsonText(c, `{"report":${row.report},"models":${row.models ?? 'null'}}`);
  });
  app.post('/app/api/pairing-code', async (c) => c.json(await createPairingCode(db, clock, c.get('shop'))));
  app.post('/app/api/extension-tokens/revoke', async (c) => {
    await revokeExtensionTokens(db, clock, c.get('shop'), null);
    return c.body(null, 204);
  });
  app.get('/app/api/data-requests', async (c) => {
    const rows = await db
      .selectFrom('data_request_exports')
      .select(['request_id', sql<string | null>`customer_id::text`.as('customer_id'), 'payload', 'created_at'])
      .where('shop_id', '=', c.get('shop'))
      .orderBy('created_at', 'desc')
      .execute();
    return c.json(rows.map((r) => ({ requestId: r.request_id, customerId: r.customer_id, createdAtMs: r.created_at.getTime(), data: JSON.parse(r.payload) })));
  });
  // Records ingest or the recompute refused (another currency, a negative amount, a malformed export line), with why.
  app.get('/app/api/quarantine', async (c) => {
    const rows = await db
      .selectFrom('quarantined_records')
      .select(['record_kind', 'record_id', 'reason', 'seen_at'])
      .where('shop_id', '=', c.get('shop'))
      .orderBy('seen_at', 'desc')
      .limit(1000)
      .execute();
    return c.json(rows.map((r) => ({ kind: r.record_kind, id: r.record_id, reason: r.reason, seenAtMs: r.seen_at.getTime() })));
  });
  app.get('/app/api/segments', async (c) => c.json(await readSegmentValues(db, c.get('shop'))));
  // Valuable customers whose churn tier got worse this week (ids and numbers; the page reads names live).
  app.get('/app/api/vip-slipping', async (c) => {
    const shop = await db.selectFrom('shops').select('currency').where('shop_id', '=', c.get('shop')).executeTakeFirst();
    return c.json(await readVipSlipping(db, c.get('shop'), clock.now(), shop?.currency ?? 'USD'));
  });
  // Names for the at-risk list, read live from Shopify for display and never stored (nor cached by the browser).
  app.get('/app/api/customer-names', async (c) => {
    const names = await readCustomerNames(ctx.graphqlFor(c.get('shop')), c.req.query('ids') ?? '');
    c.header('cache-control', 'no-store');
    return c.json({ names });
  });
  const dashboardAssets = createDashboardAssets();
  app.get('/app/assets/*', (c) => {
    const asset = dashboardAssets.get(c.req.path);
    if (!asset) throw new ApiError('not-found', `No dashboard asset ${c.req.path}`);
    return c.body(asset.body, 200, { 'content-type': asset.contentType, 'cache-control': 'no-cache' });
  });
}
