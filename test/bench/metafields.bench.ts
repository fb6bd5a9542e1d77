// Benchmark of the first customer-metafield sync (issue 16) of a 200,000-customer shop: 5 metafields a customer, 25 per
// metafieldsSet call, from the real app over loopback HTTP to the fake Shopify, on a standard plan (2,000-point bucket,
// 100 points/s) and on Plus (20,000, 1,000 points/s).
// - "modeled at Shopify's limits": from the cost points the fake charged per customer, times 200,000: the first
//   calls spend the full bucket, the rest wait for the restore rate. This is the time the sync takes on Shopify.
// - "measured": the real sync of CLVLENS_BENCH_METAFIELD_CUSTOMERS customers (default 20,000, to keep `pnpm bench`
//   short; set it to 200000 for the full run, about 4-5 minutes a plan on 2 busy cores) with the fake's bucket refilled
//   CLVLENS_BENCH_METAFIELD_SPEEDUP times faster than real time (default 100), so the wall clock is the app's and the
//   fake's own work, and the figure says whether the app can send calls as fast as each plan's limit allows. The
//   200,000-customer wall clock is that measurement scaled linearly, and printed as such.
// Insights are seeded straight into customer_insights in the stored shape (the recompute is app.bench's).
// Run: `pnpm bench metafields` or `node test/bench/metafields.bench.ts`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, createShopifyApi, silentLogger, startAppServer } from '@clvlens/shopify-app';
import { createFakeShopify, fakeShopifyFetch, installFakeShopifyFetch } from '../src/index.ts';
import { SHOP_PLANS, type Customer, type PlanName } from '../src/shop-model/types.ts';
import { plainCustomer } from '../src/shop-model/customer.ts';
import { figure, info, load, machine } from './report.ts';

/** The shop size the issue asks about. */
const TARGET_CUSTOMERS = 200_000;
const CUSTOMERS = Number(process.env['CLVLENS_BENCH_METAFIELD_CUSTOMERS'] ?? 20_000);
const SPEEDUP = Number(process.env['CLVLENS_BENCH_METAFIELD_SPEEDUP'] ?? 100);
const KEY = 'metafield-bench-key';
const SECRET = 'metafield-bench-secret';
const TIERS = ['low', 'medium', 'high'];
const SEGMENTS = ['CHAMPIONS', 'LOYAL', 'ACTIVE', 'NEEDS_ATTENTION', 'PROMISING', 'NEW', 'AT_RISK', 'PREVIOUSLY_LOYAL', 'ALMOST_LOST', 'DORMANT'];
const s = (v: number): string => `${v.toFixed(1)} s`;
const min = (v: number): string => `${(v / 60).toFixed(1)} min`;
const n0 = (v: number): string => Math.round(v).toLocaleString('en-US');

console.log(`machine: ${machine()}; load average at start: ${load()}`);
console.log(
  `measured on ${n0(CUSTOMERS)} customers per shop, the fake's bucket refilled ${SPEEDUP}x faster than real time; modeled for ${n0(TARGET_CUSTOMERS)}`,
);
const fake = await createFakeShopify({ appApiKey: KEY, appSecret: SECRET, throttleTimeScale: SPEEDUP });
const restore = await installFakeShopifyFetch(fake);
const dataDir = mkdtempSync(join(tmpdir(), 'clvlens-metafield-bench-'));
const database = await createDatabase({ dataDir });
const server = await startAppServer({
  apiKey: KEY,
  apiSecretKey: SECRET,
  appUrl: 'https://clvlens.example.com',
  encryptionKey: 'd'.repeat(64),
  database,
  shopify: createShopifyApi({ apiKey: KEY, apiSecretKey: SECRET, appUrl: 'https://clvlens.example.com' }),
  port: 0,
  log: silentLogger,
  appOptions: { workers: false, fetch: fakeShopifyFetch(fake) },
});

/** A shop with `CUSTOMERS` customers in the fake and a scored insight for each in the app's database. */
async function prepareShop(domain: string, plan: PlanName): Promise<void> {
  const shopData = {
    shop: {
      id: plan === 'Plus' ? 2 : 1,
      domain,
      name: domain,
      email: `owner@${domain}`,
      currencyCode: 'USD',
      ianaTimezone: 'UTC',
      plan: { ...SHOP_PLANS[plan] },
      createdAtMs: Date.UTC(2024, 0, 1),
    },
    customers: [] as Customer[],
    orders: [],
  };
  for (let i = 1; i <= CUSTOMERS; i++) {
    const at = Date.UTC(2025, 0, 1) + i * 1000;
    shopData.customers.push(plainCustomer({ id: 8_000_000_000 + i, email: null, firstName: `F${i}`, lastName: `L${i}`, createdAtMs: at }));
  }
  fake.control.loadShop(shopData);
  const installed = await fetch(`${server.url}/app?embedded=1&shop=${domain}&id_token=${encodeURIComponent(fake.control.mintSessionToken(domain))}`);
  if (installed.status !== 200) throw new Error(`install of ${domain} failed: ${installed.status}`);
  // What the install job does: the definitions exist before the first values are written.
  const definitions = await server.app.syncMetafields(domain);
  if (definitions.definitionsCreated !== 5) throw new Error(`expected 5 definitions, created ${definitions.definitionsCreated}`);
  for (let from = 0; from < CUSTOMERS; from += 10_000) {
    const ids: string[] = [];
    const payloads: string[] = [];
    const churn: number[] = [];
    const clv: number[] = [];
    for (let k = from; k < Math.min(CUSTOMERS, from + 10_000); k++) {
      const p = ((k * 7919) % 1000) / 1000;
      const predicted = 1000 + ((k * 104_729) % 500_000);
      ids.push(String(8_000_000_001 + k));
      churn.push(p);
      clv.push(predicted);
      payloads.push(
        JSON.stringify({
          customerId: String(8_000_000_001 + k),
          currency: 'USD',
          churnProbability: p,
          churnHorizonDays: 90,
          churnTier: TIERS[k % 3],
          rfmSegment: SEGMENTS[k % 10],
          predictedClvMinor: predicted,
        }),
      );
    }
    await database.pool.query(
      `INSERT INTO customer_insights (shop_id, customer_id, change_seq, payload, churn_probability, predicted_clv_minor, updated_at)
       SELECT $1, id, $2::bigint + ord, p, c, v, now() FROM unnest($3::bigint[], $4::text[], $5::float8[], $6::bigint[]) WITH ORDINALITY AS t(id, p, c, v, ord)`,
      [domain, from, ids, payloads, churn, clv],
    );
  }
  await database.pool.query('UPDATE shops SET insight_seq = $2 WHERE shop_id = $1', [domain, CUSTOMERS]);
  await database.pool.query('ANALYZE customer_insights');
}

let allPass = true;
for (const plan of ['Shopify', 'Plus'] as const) {
  const domain = `metafield-bench-${plan.toLowerCase()}.myshopify.com`;
  const t0 = performance.now();
  await prepareShop(domain, plan);
  console.log(
    `\n${plan === 'Plus' ? 'Shopify Plus' : 'standard'} plan (${SHOP_PLANS[plan].bucketSize}-point bucket, ${SHOP_PLANS[plan].restoreRatePerSecond} points/s): shop prepared in ${s((performance.now() - t0) / 1000)}`,
  );
  const before = fake.control.graphqlUsage(domain);
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const result = await server.app.syncMetafields(domain);
  const wallS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const usage = fake.control.graphqlUsage(domain);
  const points = usage.actualCostPoints - before.actualCostPoints;
  const sample = fake.control.customerMetafields(domain, 8_000_000_000 + CUSTOMERS);
  if (result.written !== CUSTOMERS * 5 || result.rejected !== 0 || sample.length !== 5) {
    throw new Error(`sync incomplete: ${JSON.stringify(result)}, last customer has ${sample.length} metafields`);
  }
  const { bucketSize, restoreRatePerSecond } = SHOP_PLANS[plan];
  const perCustomer = points / CUSTOMERS;
  const modeledS = Math.max(0, perCustomer * TARGET_CUSTOMERS - bucketSize) / restoreRatePerSecond;
  const label = plan === 'Plus' ? 'Plus' : 'standard';
  info(`metafieldsSet calls for ${n0(CUSTOMERS)} customers (25 metafields each)`, result.calls, n0);
  allPass = figure(`cost points per customer (10 a call, 5 customers a call)`, perCustomer, { op: '<=', limit: 2 }, (v) => v.toFixed(2)) && allPass;
  allPass = figure(`THROTTLED answers during the sync`, usage.throttled - before.throttled, { op: '<=', limit: 0 }, n0) && allPass;
  info(`first sync of ${n0(TARGET_CUSTOMERS)}, modeled at Shopify's ${label} limits`, modeledS, min);
  info(`first sync of ${n0(CUSTOMERS)}, measured wall clock`, wallS, s);
  info(`  process CPU time meanwhile (app + fake share this process)`, (cpu.user + cpu.system) / 1e6, s);
  info(`first sync of ${n0(TARGET_CUSTOMERS)}, measured wall clock scaled linearly`, (wallS * TARGET_CUSTOMERS) / CUSTOMERS, min);
  // The app keeps up with Shopify when it sends calls at least as fast as the restore rate pays for them.
  allPass =
    figure(
      `calls/s the app sends vs ${restoreRatePerSecond / 10}/s the ${label} limit allows`,
      result.calls / wallS,
      { op: '>=', limit: restoreRatePerSecond / 10 },
      n0,
    ) && allPass;
  // From the start of the change sequence again: every customer is read and compared, none differs.
  await database.pool.query('UPDATE metafield_sync_state SET synced_seq = 0 WHERE shop_id = $1', [domain]);
  const again = performance.now();
  const second = await server.app.syncMetafields(domain);
  allPass = figure(`second run over every customer: values written`, second.written, { op: '<=', limit: 0 }, n0) && allPass;
  info(`second run over every customer, wall clock`, (performance.now() - again) / 1000, s);
}
console.log(`\nload average at end: ${load()}${allPass ? '' : '; some figures are BELOW their floor'}`);
await server.stop();
await database.close();
await fake.stop();
restore();
rmSync(dataDir, { recursive: true, force: true });
