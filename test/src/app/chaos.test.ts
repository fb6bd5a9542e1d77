import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from '@clvlens/shopify-app';
import {
  computeShopReport,
  fitChurnModels,
  scoreChurnRisk,
  summarizeCustomers,
  prepareShopReport,
  toCountedOrders,
  type ChurnModels,
  type CustomerInsightV1,
  type OrderRecord,
  type RfmCutPoints,
  type ShopSummaryV1,
} from '@clvlens/core';
import { createFakeShopify, type FakeShopify } from '../fake-shopify/server.ts';
import { installFakeShopifyFetch } from '../fake-shopify/fetch.ts';
import { COMPLIANCE_TOPICS, WEBHOOK_TOPICS } from '../fake-shopify/topics.ts';
import { generateShop } from '../generator/generate.ts';
import type { Order } from '../shop-model/types.ts';
import { API_KEY, API_SECRET, truthRecords } from './harness.ts';
import { startAppProcess, type AppProcess } from './app-process-client.ts';

interface Status {
  sync: { state: string; bulk_lines_done: number; last_sync_at: string | null } | null;
  queued: number;
  /** Recompute and shop-metrics jobs of the shop queued or running. */
  computing: number;
  computedAtMs: number | null;
  handled: Record<string, number>;
}
interface Dump {
  orders: OrderRecord[];
  insights: { customer_id: number; deleted: boolean; payload: string | null }[];
  summary: Omit<ShopSummaryV1, 'sync'> | null;
  models: { asOfMs: number; churn: ChurnModels; rfmCutPoints: RfmCutPoints } | null;
}

const until = async <T>(what: string, probe: () => Promise<T | null | false>, timeoutMs: number): Promise<T> => {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== null && v !== false) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('chaos: duplicated, reordered and dropped webhooks, kill -9 during backfill, throttling', () => {
  let fake: FakeShopify | undefined;
  let app: AppProcess | undefined;
  let restore: (() => void) | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'clvlens-chaos-'));
  afterAll(async () => {
    await app?.kill9();
    await fake?.stop();
    restore?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends with stored orders and computed metrics equal to the truth', async () => {
    fake = await createFakeShopify({
      appApiKey: API_KEY,
      appSecret: API_SECRET,
      webhookChaos: { duplicateRate: 0.2, reorderRate: 0.1, dropRate: 0.05, maxReorderDelayMs: 300 },
      webhookRetry: { maxRetries: 8, backoffMs: (n) => 100 * 2 ** (n - 1) },
      seed: 42,
    });
    restore = await installFakeShopifyFetch(fake);
    const data = generateShop({ seed: 5, customers: 6000, historyDays: 700, endMs: Date.now() - 3_600_000, shopName: 'Chaos Goods', plan: 'Basic' });
    const shop = data.shop.domain;
    fake.control.loadShop(data);
    // Shop metrics a second after the last recompute, however long the last refresh took: on a loaded machine ten of
    // its durations (the app's wait for a large shop) ran past the settle check's minute.
    const env = {
      FAKE_SHOPIFY_URL: fake.url,
      APP_DATA_DIR: dataDir,
      APP_BACKFILL_BATCH: '25',
      APP_SHOP_METRICS_DELAY_SECONDS: '1',
      APP_SHOP_METRICS_MAX_DELAY_SECONDS: '1',
    };
    const subscribe = (url: string) =>
      fake!.control.setAppWebhooks(
        [{ topics: WEBHOOK_TOPICS.filter((t) => !(COMPLIANCE_TOPICS as readonly string[]).includes(t)), uri: `${url}/webhooks` }],
        `${url}/webhooks/compliance`,
      );

    // Install, then kill -9 the app in the middle of streaming the bulk result.
    app = await startAppProcess({ ...env, APP_KILL_AFTER_LINES: '1000' });
    subscribe(app.url);
    const token = fake.control.mintSessionToken(shop);
    expect((await fetch(`${app.url}/app?embedded=1&shop=${shop}&id_token=${encodeURIComponent(token)}`)).status).toBe(200);
    // The process SIGKILLs itself once 1,000 JSONL lines are committed (APP_KILL_AFTER_LINES): a kill -9 mid-stream.
    await new Promise<void>((resolve) =>
      app!.child.exitCode !== null || app!.child.signalCode !== null ? resolve() : app!.child.once('exit', () => resolve()),
    );
    expect(app.child.signalCode).toBe('SIGKILL');
    // Proof that the kill landed mid-stream: open the dead process's data directory (its lock is stale now).
    const orphan = await createDatabase({ dataDir });
    const killedAt = await orphan.db
      .selectFrom('sync_state')
      .select(['state', 'bulk_lines_done', 'orders_done'])
      .where('shop_id', '=', shop)
      .executeTakeFirstOrThrow();
    const ordersAtKill = await orphan.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('shop_id', '=', shop)
      .executeTakeFirstOrThrow();
    await orphan.close();
    expect(killedAt.state).toBe('backfilling');
    expect(killedAt.bulk_lines_done).toBeGreaterThan(0);
    // The JSONL holds a line per order and per line item (selling plans): lines and orders are counted apart.
    expect(killedAt.orders_done).toBeGreaterThan(0);
    expect(killedAt.orders_done).toBeLessThan(data.orders.length);
    expect(ordersAtKill.n).toBe(killedAt.orders_done);

    // Meanwhile the shop keeps changing (webhooks to a dead app fail and are retried by the fake).
    const truth0 = fake.control.truth(shop);
    const live = truth0.orders.filter((o) => !o.test && o.cancelledAtMs === null && o.customerId !== null);
    const pick = (i: number): Order => live[(i * 7919) % live.length]!;
    fake.control.cancelOrder(shop, pick(1).id);
    fake.control.refundOrder(shop, pick(2).id, { amountShopMinor: 150 });

    // Restart on the same data directory: the lock of the dead process is stale, the backfill resumes.
    app = await startAppProcess(env);
    subscribe(app.url);
    await until(
      'live after the restart',
      async () => {
        const s = await app!.call<Status>('status', shop);
        return s.sync?.state === 'live' ? s : null;
      },
      90_000,
    );

    // Live traffic under chaos, with Admin API faults while reconciling.
    let nextId = Math.max(...truth0.orders.map((o) => o.id)) + 1;
    for (let i = 3; i < 63; i++) {
      const o = pick(i);
      if (i % 3 === 0) fake.control.cancelOrder(shop, o.id);
      else if (i % 3 === 1) fake.control.refundOrder(shop, o.id, { amountShopMinor: 100 + i });
      else {
        const at = Math.floor(fake.control.nowMs() / 1000) * 1000; // Shopify times have whole seconds
        fake.control.addOrder(shop, {
          ...o,
          id: nextId++,
          name: `#C${i}`,
          createdAtMs: at,
          processedAtMs: at,
          updatedAtMs: at,
          refunds: [],
          cancelledAtMs: null,
          closedAtMs: null,
        });
      }
    }
    await fake.control.webhooksIdle();
    fake.control.injectFault({ status: 503, times: 2, route: 'graphql', shop });
    fake.control.injectFault({ status: 429, retryAfterSeconds: 1, times: 1, route: 'graphql', shop });
    await app.call('reconcile', shop);
    // Settled: nothing queued for recompute, no computation of the shop queued or running (the shop metrics follow the
    // insights a second after the last recompute, later on a loaded machine) and none new for 5 s.
    let last = { computedAtMs: -1, sinceMs: Date.now() };
    const dump = await until(
      'recompute to settle',
      async () => {
        const s = await app!.call<Status>('status', shop);
        if (s.queued > 0 || s.computing > 0 || s.computedAtMs !== last.computedAtMs) {
          last = { computedAtMs: s.computedAtMs ?? -1, sinceMs: Date.now() };
          return null;
        }
        return Date.now() - last.sinceMs >= 5000 ? app!.call<Dump>('dump', shop) : null;
      },
      60_000,
    );

    // Orders: exactly the truth.
    const truth = truthRecords(fake.control.truth(shop));
    const norm = (r: OrderRecord) => ({
      orderId: r.orderId,
      customerId: r.customerId,
      placedAtMs: r.placedAtMs,
      currency: r.currency,
      totalMinor: r.totalMinor,
      refundedMinor: r.refundedMinor,
      cancelled: r.cancelled,
      test: r.test,
    });
    const byId = (rs: OrderRecord[]) => rs.map(norm).sort((a, b) => Number(a.orderId) - Number(b.orderId));
    const storedById = new Map(byId(dump.orders).map((r) => [r.orderId, JSON.stringify(r)]));
    const mismatches = byId(truth)
      .filter((t) => storedById.get(t.orderId) !== JSON.stringify(t))
      .map((t) => ({ truth: t, stored: storedById.get(t.orderId) }));
    expect(mismatches).toEqual([]);
    expect(dump.orders).toHaveLength(truth.length);

    // Metrics: what core computes on the truth. Changed customers were rescored incrementally, with the models and
    // RFM cut points of the last full run: exactly core's scoring of the truth against those stored models.
    const asOfMs = dump.summary!.asOfMs;
    const context = { asOfMs, timeZone: data.shop.ianaTimezone, currency: data.shop.currencyCode };
    const report = computeShopReport(truth, context);
    expect(dump.summary!.customers).toBe(report.customers);
    expect(dump.summary!.repeatPurchaseRate.value).toBe(report.repeatPurchaseRate.value);
    expect(dump.summary!.churn).toEqual(report.churn);
    const models = dump.models!;
    expect(models.asOfMs).toBe(asOfMs);
    const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
    const expectInsightsOf = (d: Dump, rfmCutPoints: RfmCutPoints | undefined, churn: ChurnModels) => {
      const summaries = summarizeCustomers(truth, { ...context, ...(rfmCutPoints ? { rfmCutPoints } : {}) }).filter((s) => /^\d+$/.test(s.customerKey));
      const risk = new Map(
        scoreChurnRisk(toCountedOrders(truth).orders, churn, { asOfMs, timeZone: context.timeZone, margin: 1 }).map((r) => [r.customerKey, r]),
      );
      const served = new Map(d.insights.filter((i) => !i.deleted).map((i) => [String(i.customer_id), JSON.parse(i.payload!) as CustomerInsightV1]));
      expect(served.size).toBe(summaries.length);
      const wrong = summaries.filter((s) => {
        const insight = served.get(s.customerKey);
        const r = risk.get(s.customerKey)!;
        return (
          insight?.orderCount !== s.orderCount ||
          insight.historicClvMinor !== s.netSpentMinor ||
          insight.rfmSegment !== s.rfm.segment ||
          insight.churnProbability !== round6(r.churnProbability) ||
          insight.predictedClvMinor !== r.predictedClvMinor
        );
      });
      expect(wrong.map((s) => ({ expected: s, served: served.get(s.customerKey) }))).toEqual([]);
    };
    expectInsightsOf(dump, models.rfmCutPoints, models.churn);
    // ...and the live changes were indeed applied incrementally, not by refitting the shop each time.
    const handled = (await app.call<Status>('status', shop)).handled;
    expect(handled['recomputed (incremental)']).toBeGreaterThan(0);

    // The scheduled full run (refit on all orders, everyone rescored) gives what core computes on the truth alone.
    const full = await app.call<{ mode: string }>('recompute-full', shop);
    expect(full.mode).toBe('full');
    const after = await app.call<Dump>('dump', shop);
    expect(after.summary!.asOfMs).toBe(asOfMs);
    // The refit is core's fit on the shop's counted orders as a full run hands them to the fit: core's prepared orders
    // customer by customer, each customer known by its place. The app's stored orders (equal to the truth above, and
    // with the app's keyed guest keys, which set the guests' places) are what its full run read.
    const prepared = prepareShopReport(after.orders, context);
    const byCustomer = prepared.customerKeys.flatMap((_, c) =>
      Array.from({ length: prepared.customerStart[c + 1]! - prepared.customerStart[c]! }, (_, k) => {
        const o = prepared.customerStart[c]! + k;
        return { customerKey: String(c), placedAtMs: prepared.orderAtMs[o]!, amountMinor: prepared.orderNetMinor[o]! };
      }),
    );
    expect(byCustomer).toHaveLength(toCountedOrders(truth.filter((r) => r.placedAtMs <= asOfMs)).orders.length);
    const stored = after.models!.churn;
    expect(stored).toEqual(fitChurnModels(byCustomer, { asOfMs, timeZone: context.timeZone }));
    expectInsightsOf(after, undefined, stored);
    await app.call('stop');
  }, 240_000);
});
