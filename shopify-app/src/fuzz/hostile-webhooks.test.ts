import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPayload } from '../testing/webhook-request.ts';
import { startTestHttpServer, TEST_SECRET, type TestHttpServer } from '../testing/http-server.ts';

// Issue 13, "Numbers": 10,000 generated hostile webhook deliveries through the real HTTP server, then the checks.
const DELIVERIES = Number(process.env['CLVLENS_FUZZ_DELIVERIES'] ?? 10_000);
const SEED = 1313;
const IN_FLIGHT = 16;
const LIMIT = 64 * 1024;
const [A, B, C] = ['fuzz-a.myshopify.com', 'fuzz-b.myshopify.com', 'fuzz-c.myshopify.com'];
const UNKNOWN = 'fuzz-unknown.myshopify.com';

/** One delivery as sent, and what the app must answer. */
interface Delivery {
  kind: string;
  shop: string;
  topic: string;
  body: string;
  webhookId: string;
  badHmac: boolean;
  expect: number;
  /** A valid order delivery: the order id that must end up stored. */
  storesOrder?: number | undefined;
  path?: string;
}

const dateArb = fc
  .integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2026-10-01T00:00:00Z') })
  .map((ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
const amountArb = fc.integer({ min: 0, max: 10_000_000 }).map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`);
const orderTopic = fc.constantFrom('orders/create', 'orders/updated', 'orders/paid', 'orders/cancelled');

function validOrder(shop: string) {
  return fc
    .record({
      id: fc.integer({ min: 1, max: 3000 }),
      customer: fc.option(fc.integer({ min: 1, max: 400 }), { nil: null }),
      total: amountArb,
      at: dateArb,
      topic: orderTopic,
    })
    .map((o): Delivery => ({
      kind: 'valid order',
      shop,
      topic: o.topic,
      body: JSON.stringify(
        orderPayload({
          id: o.id,
          customerId: o.customer,
          email: o.customer === null ? `guest${o.id % 50}@fuzz.example` : null,
          total: o.total,
          createdAt: o.at,
        }),
      ),
      webhookId: randomUUID(),
      badHmac: false,
      expect: 200,
      storesOrder: o.id,
    }));
}

function signed(kind: string, shop: string, topic: string, body: string, expectStatus: number): Delivery {
  return { kind, shop, topic, body, webhookId: randomUUID(), badHmac: false, expect: expectStatus };
}

const hostile = (activeShops: readonly string[]) => {
  const shopArb = fc.constantFrom(...activeShops);
  return fc.oneof(
    { weight: 30, arbitrary: shopArb.chain(validOrder) },
    {
      weight: 8,
      arbitrary: fc
        .tuple(shopArb, fc.string(), orderTopic)
        .map(([shop, text, topic]): Delivery => ({ ...signed('bad hmac', shop, topic, JSON.stringify({ id: 1, text }), 401), badHmac: true })),
    },
    { weight: 1, arbitrary: shopArb.map((shop) => signed('oversized', shop, 'orders/create', JSON.stringify({ id: 1, note: 'x'.repeat(LIMIT + 10) }), 413)) },
    {
      weight: 8,
      arbitrary: fc
        .tuple(shopArb, fc.string({ maxLength: 40 }))
        .map(([shop, junk]) => signed('malformed json', shop, 'orders/create', `{"id": 1, ${junk}`, 400)),
    },
    {
      weight: 8,
      arbitrary: fc
        .tuple(
          shopArb,
          fc.oneof(
            fc.constant('[]'),
            fc.constant('null'),
            fc.constant('"x"'),
            fc.constant('{}'),
            fc.integer().map((id) => JSON.stringify({ id: -Math.abs(id) })),
            fc.string().map((s) => JSON.stringify({ id: s, total_price: 1 })),
          ),
        )
        .map(([shop, body]) => signed('wrong shape', shop, 'orders/updated', body, 400)),
    },
    {
      weight: 5,
      arbitrary: fc
        .tuple(shopArb, fc.integer({ min: 100_000, max: 200_000 }), fc.constantFrom('-5.00', '-0.01'))
        .map(([shop, id, total]) =>
          signed('negative total', shop, 'orders/create', JSON.stringify(orderPayload({ id, customerId: 1, total, createdAt: '2026-01-01T00:00:00Z' })), 200),
        ),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(shopArb, fc.integer({ min: 100_000, max: 200_000 }), fc.constantFrom('123456789012345678901234.00', '1e400', '9'.repeat(30)))
        .map(([shop, id, total]) =>
          signed('huge amount', shop, 'orders/create', JSON.stringify(orderPayload({ id, customerId: 1, total, createdAt: '2026-01-01T00:00:00Z' })), 400),
        ),
    },
    {
      weight: 5,
      arbitrary: fc
        .tuple(shopArb, fc.integer({ min: 100_000, max: 200_000 }), fc.constantFrom('ZZZ', 'ZZ,Z', 'usd', 'XXX', ''))
        .map(([shop, id, currency]) =>
          signed(
            'unknown currency',
            shop,
            'orders/create',
            JSON.stringify(orderPayload({ id, customerId: 1, total: '1.00', currency, createdAt: '2026-01-01T00:00:00Z' })),
            400,
          ),
        ),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(shopArb, fc.integer({ min: 100_000, max: 200_000 }))
        .map(([shop, id]) =>
          signed(
            'second currency',
            shop,
            'orders/create',
            JSON.stringify(orderPayload({ id, customerId: 1, total: '1.00', currency: 'EUR', createdAt: '2026-01-01T00:00:00Z' })),
            200,
          ),
        ),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(shopArb, fc.integer({ min: 1, max: 3000 })).map(([shop, id]) =>
        signed(
          'negative refund',
          shop,
          'refunds/create',
          JSON.stringify({
            id: 900_000 + id,
            order_id: id,
            created_at: '2026-02-01T00:00:00Z',
            transactions: [{ id: 1, kind: 'refund', status: 'success', amount: '-3.00' }],
          }),
          200,
        ),
      ),
    },
    { weight: 6, arbitrary: validOrder(UNKNOWN).map((d): Delivery => ({ ...d, kind: 'unknown shop', storesOrder: undefined })) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(shopArb, fc.integer({ min: 1, max: 400 }))
        .map(([shop, id]) =>
          signed('customer update', shop, 'customers/update', JSON.stringify({ id, email: `cust${id}@fuzz.example`, updated_at: '2026-03-01T00:00:00Z' }), 200),
        ),
    },
  );
};

function toRequest(url: string, d: Delivery): Request {
  const hmac = createHmac('sha256', d.badHmac ? `${TEST_SECRET}x` : TEST_SECRET)
    .update(d.body, 'utf8')
    .digest('base64');
  return new Request(`${url}${d.path ?? '/webhooks'}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': d.topic,
      'x-shopify-hmac-sha256': hmac,
      'x-shopify-shop-domain': d.shop,
      'x-shopify-api-version': '2026-07',
      'x-shopify-webhook-id': d.webhookId,
    },
    body: d.body,
  });
}

describe('hostile webhooks (fuzz)', () => {
  let t: TestHttpServer;
  const figures = { sent: 0, byKind: new Map<string, number>(), byStatus: new Map<number, number>(), mismatches: [] as string[] };
  beforeAll(async () => {
    t = await startTestHttpServer({ appOptions: { maxBodyBytes: { webhooks: LIMIT } } });
    for (const shop of [A, B, C]) await t.installShop(shop);
  });
  afterAll(async () => {
    await t.stop();
  });

  const sendAll = async (deliveries: Delivery[]): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < deliveries.length) {
        const d = deliveries[next++]!;
        const res = await fetch(toRequest(t.url, d));
        await res.arrayBuffer();
        figures.sent++;
        figures.byKind.set(d.kind, (figures.byKind.get(d.kind) ?? 0) + 1);
        figures.byStatus.set(res.status, (figures.byStatus.get(res.status) ?? 0) + 1);
        if (res.status !== d.expect) figures.mismatches.push(`${d.kind} ${d.topic} -> ${res.status}, expected ${d.expect}: ${d.body.slice(0, 120)}`);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  };

  it(`answers ${DELIVERIES} hostile deliveries as specified, stores exactly the valid ones, keeps every shop computing and no personal data of the redacted`, async () => {
    const started = Date.now();
    const half = Math.floor(DELIVERIES / 2);
    const first = fc.sample(hostile([A, B, C]), { numRuns: half, seed: SEED });
    // Duplicates: some deliveries again with their webhook id (Shopify's at-least-once).
    const duplicates = fc
      .sample(fc.constantFrom(...first.filter((d) => d.expect === 200 && d.kind !== 'unknown shop').slice(0, 500)), { numRuns: 200, seed: SEED + 1 })
      .map((d) => ({ ...d, kind: 'duplicate' }));
    await sendAll([...first, ...duplicates]);

    // C leaves: uninstalled, then redacted; customers of A redacted by email only.
    await sendAll([
      signed('lifecycle', C, 'app/uninstalled', JSON.stringify({ id: 3, domain: C }), 200),
      { ...signed('lifecycle', C, 'shop/redact', JSON.stringify({ shop_id: 3, shop_domain: C }), 200), path: '/webhooks/compliance' },
      ...Array.from({ length: 20 }, (_, i) => ({
        ...signed(
          'lifecycle',
          A,
          'customers/redact',
          JSON.stringify({ shop_domain: A, customer: { email: `cust${i + 1}@fuzz.example` }, orders_to_redact: [] }),
          200,
        ),
        path: '/webhooks/compliance',
      })),
    ]);
    // Late deliveries for C (every one dropped) and more of everything for A and B.
    const late = fc.sample(validOrder(C), { numRuns: 300, seed: SEED + 2 }).map((d): Delivery => ({ ...d, kind: 'late after redact', storesOrder: undefined }));
    const second = fc.sample(hostile([A, B]), { numRuns: DELIVERIES - half - duplicates.length - late.length, seed: SEED + 3 });
    // Redacted customers must not come back through a late customers/update either.
    const secondSafe = second.map((d) =>
      d.kind === 'customer update' && /"id":(\d+),/.exec(d.body)?.[1] !== undefined && Number(/"id":(\d+),/.exec(d.body)![1]) <= 20 && d.shop === A
        ? { ...d, body: d.body.replace(/"id":\d+,/, '"id":399,').replace(/cust\d+@/, 'cust399@') }
        : d,
    );
    await sendAll([...late, ...secondSafe]);
    const sendMs = Date.now() - started;

    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect(figures.mismatches.slice(0, 10)).toEqual([]);

    const expected = new Map<string, Set<number>>([
      [A, new Set()],
      [B, new Set()],
      [C, new Set()],
    ]);
    for (const d of [...first, ...secondSafe]) if (d.storesOrder !== undefined && d.shop !== C) expected.get(d.shop)!.add(d.storesOrder);
    const counts: Record<string, { stored: number; expected: number }> = {};
    for (const shop of [A, B, C]) {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM orders WHERE shop_id = ${shop}`.execute(t.database.db);
      counts[shop] = { stored: Number(rows[0]!.n), expected: expected.get(shop)!.size };
    }
    expect(counts[A]!.stored).toBe(counts[A]!.expected);
    expect(counts[B]!.stored).toBe(counts[B]!.expected);
    expect(counts[C]!.stored).toBe(0);

    const recomputeStarted = Date.now();
    for (const shop of [A, B]) expect((await t.server.app.compute.recomputeShop(shop, { full: true })).mode).toBe('full');
    const recomputeMs = Date.now() - recomputeStarted;

    // No personal data: no readable email anywhere, nothing of C but delivery ids, no trace of A's redacted customers.
    const tables = await sql<{
      table_name: string;
    }>`SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'shop_id'`.execute(t.database.db);
    let personal = 0;
    let leftOfC = 0;
    for (const { table_name } of tables.rows) {
      const rows = await sql<{ row: string; shop_id: string }>`SELECT t::text AS row, shop_id FROM ${sql.table(table_name)} t`.execute(t.database.db);
      for (const r of rows.rows) {
        if (r.row.includes('@fuzz.example')) personal++;
        if (r.shop_id === C && table_name !== 'webhook_deliveries') leftOfC++;
      }
    }
    const redactedCustomersLeft = await t.database.db
      .selectFrom('customer_personal')
      .select('customer_id')
      .where('shop_id', '=', A)
      .where('customer_id', '<=', 20)
      .execute();
    expect({ personal, leftOfC, redactedCustomersLeft: redactedCustomersLeft.length }).toEqual({ personal: 0, leftOfC: 0, redactedCustomersLeft: 0 });

    const summary = {
      deliveries: figures.sent,
      seconds: Math.round(sendMs / 100) / 10,
      perSecond: Math.round(figures.sent / (sendMs / 1000)),
      byKind: Object.fromEntries([...figures.byKind].sort()),
      byStatus: Object.fromEntries([...figures.byStatus].sort()),
      storedOrders: counts,
      recomputeMs,
      personalDataFound: personal,
    };
    console.log(`hostile webhooks: ${JSON.stringify(summary)}`);
    expect(figures.sent).toBeGreaterThanOrEqual(DELIVERIES);
  }, 300_000);
});
