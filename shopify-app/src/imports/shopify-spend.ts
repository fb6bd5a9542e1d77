import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { parseMoneyToMinor } from '../ingest/money.ts';
import type { Clock, Logger } from '../log.ts';
import type { ShopGraphql } from '../shopify/graphql.ts';
import { monthIn } from './import-store.ts';

/** Marketing activities per page: the connection's cost is about its `first`, well under the 1,000-point query limit. */
const PAGE_SIZE = 100;

/**
 * The fields read: the activity's ad spend so far (`adSpend`, MoneyV2) and when its marketing event ran. `budget` is
 * not read: it is what the merchant planned to spend, not what was spent.
 */
export const MARKETING_SPEND_QUERY = /* GraphQL */ `
  #graphql
  query MarketingSpend($first: Int!, $after: String) {
    marketingActivities(first: $first, after: $after) {
      nodes {
        id
        createdAt
        adSpend {
          amount
          currencyCode
        }
        marketingEvent {
          startedAt
          endedAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

/** The scopes the merchant granted, asked of Shopify itself (a stored session can predate a newly granted scope). */
export const GRANTED_SCOPES_QUERY = /* GraphQL */ `
  #graphql
  query GrantedScopes {
    currentAppInstallation {
      accessScopes {
        handle
      }
    }
  }
`;

interface ActivityNode {
  id: string;
  createdAt: string;
  adSpend: { amount: string; currencyCode: string } | null;
  marketingEvent: { startedAt: string; endedAt: string | null } | null;
}

/** Re-read the activities at most this often (the dashboard polls; ad spend changes by the day). */
export const MARKETING_SPEND_MAX_AGE_MS = 6 * 3_600_000;

const DAY_MS = 86_400_000;

/**
 * Spreads `amountMinor` evenly over the days from `startMs` to `endMs` (at least one day) and sums it by month in
 * `timeZone`, in whole minor units: the remainder of the division goes to the first days, so the months add up to
 * the amount exactly.
 */
export function spreadOverMonths(amountMinor: number, startMs: number, endMs: number, timeZone: string): Map<string, number> {
  const days = Math.max(1, Math.ceil((endMs - startMs) / DAY_MS));
  const base = Math.floor(amountMinor / days);
  let remainder = amountMinor - base * days;
  const months = new Map<string, number>();
  for (let d = 0; d < days; d++) {
    const share = base + (remainder > 0 ? 1 : 0);
    if (remainder > 0) remainder--;
    if (share === 0) continue;
    const month = monthIn(startMs + d * DAY_MS, timeZone);
    months.set(month, (months.get(month) ?? 0) + share);
  }
  return months;
}

/** What {@link readShopifyMarketingSpend} needs. */
export interface ShopifySpendDeps {
  db: Kysely<DB>;
  graphql: ShopGraphql;
  clock: Clock;
  log: Logger;
}

/**
 * Reads the ad spend of the shop's marketing activities (`marketingActivities`, scope `read_marketing_events`) and
 * stores it per month as source `shopify`, replacing the previous read. Each activity's spend is spread over the days
 * its marketing event ran (to now while it still runs), in the shop time zone. Activities in another currency than
 * the shop's are left out (never summed across currencies) and logged. Without the scope, or when Shopify fails, the
 * shop simply has no Shopify spend: the error is logged and the stored months are kept.
 * @returns the months stored, or null when the activities could not be read.
 */
export async function readShopifyMarketingSpend(deps: ShopifySpendDeps, shop: string): Promise<number | null> {
  const row = await deps.db.selectFrom('shops').select(['currency', 'iana_timezone']).where('shop_id', '=', shop).executeTakeFirst();
  if (!row?.currency) return null;
  const currency = row.currency;
  const timeZone = row.iana_timezone ?? 'UTC';
  const nowMs = deps.clock.now();
  const markRead = () =>
    deps.db
      .updateTable('shops')
      .set({ marketing_spend_read_at: new Date(nowMs) })
      .where('shop_id', '=', shop)
      .execute();
  const byMonth = new Map<string, number>();
  let otherCurrency = 0;
  try {
    // A shop installed before the app asked for read_marketing_events has not granted it until the merchant accepts
    // the new scope: then nothing is asked, and no ACCESS_DENIED logged every few hours.
    const granted = await deps.graphql.request<{ currentAppInstallation: { accessScopes: { handle: string }[] } }>(GRANTED_SCOPES_QUERY, {}, 2);
    const handles = new Set(granted.currentAppInstallation.accessScopes.map((a) => a.handle));
    if (!handles.has('read_marketing_events') && !handles.has('write_marketing_events')) {
      await markRead();
      return null;
    }
    let after: string | null = null;
    for (;;) {
      const data: { marketingActivities: { nodes: ActivityNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await deps.graphql.request(
        MARKETING_SPEND_QUERY,
        { first: PAGE_SIZE, after },
        2 + PAGE_SIZE,
      );
      for (const node of data.marketingActivities.nodes) {
        if (!node.adSpend) continue;
        if (node.adSpend.currencyCode !== currency) {
          otherCurrency++;
          continue;
        }
        const amountMinor = parseMoneyToMinor(node.adSpend.amount, currency, `${node.id} adSpend`);
        if (amountMinor <= 0) continue;
        const startMs = Date.parse(node.marketingEvent?.startedAt ?? node.createdAt);
        const endMs = node.marketingEvent?.endedAt ? Date.parse(node.marketingEvent.endedAt) : nowMs;
        for (const [month, minor] of spreadOverMonths(amountMinor, startMs, Math.max(startMs, endMs), timeZone)) {
          byMonth.set(month, (byMonth.get(month) ?? 0) + minor);
        }
      }
      const page = data.marketingActivities.pageInfo;
      if (!page.hasNextPage || page.endCursor === null) break;
      after = page.endCursor;
    }
  } catch (error) {
    deps.log.warn('marketing activities not read', { shop, message: (error as Error).message });
    await deps.db
      .updateTable('shops')
      .set({ marketing_spend_read_at: new Date(nowMs) })
      .where('shop_id', '=', shop)
      .execute();
    return null;
  }
  if (otherCurrency > 0) deps.log.warn('marketing activities in another currency left out', { shop, activities: otherCurrency, currency });
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('marketing_spend').where('shop_id', '=', shop).where('source', '=', 'shopify').execute();
    for (const [month, amountMinor] of byMonth) {
      await trx
        .insertInto('marketing_spend')
        .values({ shop_id: shop, source: 'shopify', month, amount_minor: amountMinor, currency, import_id: null, updated_at: new Date(nowMs) })
        .execute();
    }
    await trx
      .updateTable('shops')
      .set({ marketing_spend_read_at: new Date(nowMs) })
      .where('shop_id', '=', shop)
      .execute();
  });
  return byMonth.size;
}

/** {@link readShopifyMarketingSpend} when the last read is older than {@link MARKETING_SPEND_MAX_AGE_MS} (or never ran). */
export async function refreshShopifyMarketingSpend(deps: ShopifySpendDeps, shop: string): Promise<void> {
  const row = await deps.db.selectFrom('shops').select('marketing_spend_read_at').where('shop_id', '=', shop).executeTakeFirst();
  const last = row?.marketing_spend_read_at?.getTime() ?? null;
  if (last !== null && deps.clock.now() - last < MARKETING_SPEND_MAX_AGE_MS) return;
  await readShopifyMarketingSpend(deps, shop);
}
