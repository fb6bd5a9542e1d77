// Issue 16's target: "a tier change reaches the Flow trigger within 5 s of the webhook that caused it". The real app on
// the fake Shopify over HTTP (as test/src/app/flow-trigger.test.ts), workers on as in production: an order of a
// low-risk customer is cancelled in the fake, which sends the webhooks at once; the time is taken from that moment to
// the fake's receipt of `flowTriggerReceive` for the customer (ingest, the batcher, the recompute job, the tier change,
// the Flow job, the rate limiter and the GraphQL call). Customers whose tier did not move are not counted.
import type { CustomerInsightV1 } from '@clvlens/core';
import { generateShop } from '../src/generator/generate.ts';
import { startHarness, waitForLive } from '../src/app/harness.ts';
import { info, load, machine, runsFigure } from './report.ts';

const CUSTOMERS = 2000;
const SAMPLES = 7;

const h = await startHarness();
try {
  const data = generateShop({ seed: 2016, customers: CUSTOMERS, historyDays: 540, endMs: Date.now() - 3_600_000, shopName: 'Flow Bench' });
  const shop = data.shop.domain;
  h.fake.control.loadShop(data);
  await h.openApp(shop);
  await waitForLive(h, shop, 300_000);
  console.log(`machine: ${machine()}; shop of ${CUSTOMERS} customers, ${data.orders.length} orders; load before: ${load()}`);
  const insights = (
    await h.database.db.selectFrom('customer_insights').select('payload').where('shop_id', '=', shop).where('deleted', '=', false).execute()
  ).map((r) => JSON.parse(r.payload!) as CustomerInsightV1);
  const candidates = insights.filter((i) => i.churnTier === 'low' && !i.newCustomer && i.orderCount === 2 && i.firstOrderAtMs! < Date.now() - 200 * 86_400_000);
  const latencies: number[] = [];
  let unchanged = 0;
  for (const c of candidates) {
    if (latencies.length === SAMPLES) break;
    const recent = h.fake.control
      .truth(shop)
      .orders.filter((o) => String(o.customerId) === c.customerId && o.cancelledAtMs === null && !o.test)
      .sort((a, b) => b.processedAtMs - a.processedAtMs)[0]!;
    const sentAt = Date.now();
    h.fake.control.cancelOrder(shop, recent.id);
    const received = await h
      .waitFor(
        'the Flow trigger',
        async () => h.fake.control.flowTriggerEvents({ shop }).find((e) => String(e.payload['customer_id']) === c.customerId) ?? null,
        15_000,
      )
      .catch(() => null);
    if (received === null) {
      unchanged++;
      continue;
    }
    latencies.push(received.receivedAtMs - sentAt);
    // Let the follow-up work (shop metrics refresh) settle so samples do not overlap.
    await new Promise((r) => setTimeout(r, 1500));
  }
  info('cancellations that did not move the tier (not timed)', unchanged, (v) => String(v));
  runsFigure('tier change: webhook to flowTriggerReceive at Shopify', latencies, { op: '<=', limit: 5000 }, (v) => `${(v / 1000).toFixed(2)} s`);
  console.log(`load after: ${load()}`);
} finally {
  await h.stop();
}
