// Benchmark: the fake Shopify on a large shop. Loading, paging the whole shop with the real @shopify/shopify-api
// client (100 orders per page, no throttling: Enterprise bucket with the clock advanced between pages), and one bulk
// query to JSONL. Run: `n24 node test/bench/fake-shopify.bench.ts` (or `pnpm bench fake-shopify`). The fake is a test
// tool with no floor of its own: its figures print as "info", one run each. CLVLENS_BENCH_FAKE_ORDERS sets the shop
// size (default 200,000).
import '@shopify/shopify-api/adapters/node';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import { ApiVersion, LogSeverity, Session, shopifyApi } from '@shopify/shopify-api';
import { createFakeShopify, fakeShopifyFetch } from '../src/index.ts';
import { buildSimpleShop } from '../src/contract/simple-shop.ts';
import { info, load, machine } from './report.ts';

const ORDERS = Number(process.env['CLVLENS_BENCH_FAKE_ORDERS'] ?? 200_000);
const SHOP = 'bench.myshopify.com';
const ms = (t0: number): string => `${Math.round(performance.now() - t0)} ms`;

console.log(`machine: ${machine()}; load average at start: ${load()}`);
const fake = await createFakeShopify({ appApiKey: 'k', appSecret: 's' });
setAbstractFetchFunc(fakeShopifyFetch(fake));
const shopify = shopifyApi({
  apiKey: 'k',
  apiSecretKey: 's',
  scopes: ['read_orders'],
  hostName: 'bench.example',
  apiVersion: ApiVersion.July26,
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error, log: () => undefined },
});

let t0 = performance.now();
const data = buildSimpleShop({ domain: SHOP, orders: ORDERS, customers: Math.round(ORDERS / 5), plan: 'Enterprise' });
console.log(`build ${ORDERS} orders: ${ms(t0)}`);
t0 = performance.now();
fake.control.loadShop(data);
console.log(`loadShop: ${ms(t0)}`);

const session = new Session({ id: 'b', shop: SHOP, state: '', isOnline: false, accessToken: fake.control.issueOfflineToken(SHOP) });
const client = new shopify.clients.Graphql({ session });
t0 = performance.now();
let cursor: string | null = null;
let pages = 0;
let seen = 0;
for (;;) {
  const r: { data?: { orders: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: unknown[] } } } = await client.request(
    `query P($c: String) { orders(first: 100, after: $c, sortKey: UPDATED_AT) { pageInfo { hasNextPage endCursor }
      nodes { id updatedAt totalPriceSet { shopMoney { amount currencyCode } } customer { id } } } }`,
    { variables: { c: cursor } },
  );
  pages++;
  seen += r.data?.orders.nodes.length ?? 0;
  fake.control.advanceClock(1000);
  if (r.data?.orders.pageInfo.hasNextPage !== true) break;
  cursor = r.data.orders.pageInfo.endCursor;
}
const pageMs = performance.now() - t0;
console.log(
  `paged ${seen} orders in ${pages} GraphQL pages: ${Math.round(pageMs)} ms (${(pageMs / pages).toFixed(1)} ms/page, ${Math.round(seen / (pageMs / 1000))} orders/s)`,
);

t0 = performance.now();
await client.request(`mutation R($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }`, {
  variables: {
    q: '{ orders { edges { node { id createdAt currentTotalPriceSet { shopMoney { amount } } customer { id } lineItems { edges { node { id quantity } } } } } } }',
  },
});
await fake.control.bulkIdle(SHOP);
const bulkMs = performance.now() - t0;
const op = (await client.request<{ currentBulkOperation: { objectCount: string; fileSize: string } }>('{ currentBulkOperation { objectCount fileSize } }')).data
  ?.currentBulkOperation;
console.log(
  `bulk query: ${op?.objectCount} JSONL lines, ${(Number(op?.fileSize) / 1e6).toFixed(1)} MB in ${Math.round(bulkMs)} ms (${Math.round(ORDERS / (bulkMs / 1000))} orders/s)`,
);
console.log(`peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB; load average at end: ${load()}`);
info(`page ${seen.toLocaleString('en-US')} orders through GraphQL, orders/s (one run)`, seen / (pageMs / 1000), (v) => `${Math.round(v)}/s`);
info(`bulk query of ${ORDERS.toLocaleString('en-US')} orders to JSONL, orders/s (one run)`, ORDERS / (bulkMs / 1000), (v) => `${Math.round(v)}/s`);
await fake.stop();
