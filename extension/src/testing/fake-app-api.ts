/**
 * An in-process fake of the CLV Lens app's HTTP API v1 (`core/src/api/v1.ts`), as a fetch-compatible function. Used
 * by the extension's unit tests and, wrapped in an HTTP server, by the end-to-end tests and benchmarks until they
 * run against the real app. It keeps a change log so `GET /api/v1/customers?since=` is a true delta feed.
 */
import type { ApiErrorCodeV1, CustomerInsightV1, CustomersFeedV1, ShopSummaryV1 } from '@clvlens/core';

export interface FakeAppApiOptions {
  shopDomain: string;
  storeHandle: string;
  summary: ShopSummaryV1;
  customers: readonly CustomerInsightV1[];
  /** Order id -> customer id (null for guest orders). */
  orders?: ReadonlyMap<string, string | null>;
  /** One-time pairing codes the fake accepts. */
  pairingCodes: readonly string[];
  /** Display names `GET /api/v1/customer-names` answers (the app reads them live from Shopify). */
  customerNames?: Readonly<Record<string, string>>;
  /** Tokens valid from the start (as if paired earlier). */
  tokens?: readonly string[];
  /** Largest page the feed returns, whatever `limit` asks. Default 1000. */
  maxPageSize?: number;
}

export interface FakeAppApi {
  /** Answers a request like the app would. */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Adds or changes a customer: it reappears in the feed after any earlier cursor. */
  upsertCustomer(customer: CustomerInsightV1): void;
  /** Removes a customer: it appears in `deletedCustomerIds` after any earlier cursor. */
  deleteCustomer(customerId: string): void;
  /** Every request path seen, in order (for assertions). */
  readonly requests: string[];
  /** Tokens currently valid. */
  readonly tokens: ReadonlySet<string>;
  /** A fresh pairing code, as the dashboard would show. */
  issuePairingCode(): string;
  /** Replaces what `GET /api/v1/shop/summary` answers (a recomputation, or a shop that moved time zone). */
  setSummary(summary: ShopSummaryV1): void;
  /**
   * The shop's data starts a new life, as after an uninstall, the erasure 48 hours later and a new install: only these
   * customers, the change sequence from 0 again, every token revoked. A cursor from before gets the feed from the
   * beginning with `reset`.
   */
  startOver(customers: readonly CustomerInsightV1[]): void;
}

interface Entry {
  seq: number;
  customer: CustomerInsightV1 | null;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function apiError(status: number, code: ApiErrorCodeV1, message: string): Response {
  return json(status, { error: { code, message } });
}

export function createFakeAppApi(opts: FakeAppApiOptions): FakeAppApi {
  let seq = 0;
  // Cursors are `<seq>` in the first life and `<seq>@<life>` after (the app's own are opaque too).
  let life = 1;
  let tokenCounter = 0;
  const entries = new Map<string, Entry>();
  // Ordered by seq: rebuilt lazily after changes.
  let ordered: [string, Entry][] | null = null;
  for (const c of opts.customers) entries.set(c.customerId, { seq: ++seq, customer: c });
  const codes = new Set(opts.pairingCodes);
  let summary = opts.summary;
  const tokens = new Set<string>(opts.tokens ?? []);
  const requests: string[] = [];
  const maxPage = opts.maxPageSize ?? 1000;

  const sortedEntries = () => (ordered ??= [...entries].sort((a, b) => a[1].seq - b[1].seq));

  function feed(since: number, limit: number, reset: boolean): CustomersFeedV1 {
    const all = sortedEntries();
    // Binary search the first entry after the cursor.
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (all[mid]![1].seq <= since) lo = mid + 1;
      else hi = mid;
    }
    const slice = all.slice(lo, lo + limit);
    const customers: CustomerInsightV1[] = [];
    const deletedCustomerIds: string[] = [];
    for (const [id, e] of slice) {
      if (e.customer) customers.push(e.customer);
      else deletedCustomerIds.push(id);
    }
    const last = slice[slice.length - 1];
    return {
      customers,
      deletedCustomerIds,
      nextCursor: cursorOf(last ? last[1].seq : since),
      hasMore: lo + limit < all.length,
      ...(reset ? { reset: true } : {}),
    };
  }

  const cursorOf = (at: number): string => (life === 1 ? String(at) : `${at}@${life}`);

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    const path = url.pathname;
    if (request.method === 'POST' && path === '/api/v1/pair') {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return apiError(400, 'bad-request', 'Body must be JSON {"code": "..."}.');
      }
      const code = typeof body === 'object' && body !== null && 'code' in body ? String(body.code) : '';
      if (!codes.has(code)) return apiError(400, 'pairing-code-invalid', 'Unknown or already used pairing code.');
      codes.delete(code);
      const token = `tok_${++tokenCounter}_${opts.storeHandle}`;
      tokens.add(token);
      return json(200, { token, shopDomain: opts.shopDomain, storeHandle: opts.storeHandle });
    }
    const auth = request.headers.get('authorization') ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!tokens.has(token)) return apiError(401, 'unauthorized', 'Missing or revoked extension token.');
    if (request.method === 'POST' && path === '/api/v1/unpair') {
      tokens.delete(token);
      return new Response(null, { status: 204 });
    }
    if (request.method !== 'GET') return apiError(404, 'not-found', `No route ${request.method} ${path}.`);
    if (path === '/api/v1/shop/summary') return json(200, summary);
    if (path === '/api/v1/customers') {
      const sinceRaw = url.searchParams.get('since');
      const cursor = /^(\d+)(?:@(\d+))?$/.exec(sinceRaw || '0');
      const limitRaw = url.searchParams.get('limit');
      const limit = limitRaw === null ? 500 : Number(limitRaw);
      if (!cursor) return apiError(400, 'bad-request', `Bad cursor "${sinceRaw}".`);
      if (!Number.isInteger(limit) || limit < 1) return apiError(400, 'bad-request', `Bad limit "${limitRaw}".`);
      const fromEarlierLife = Boolean(sinceRaw) && Number(cursor[2] ?? 1) !== life;
      return json(200, feed(fromEarlierLife ? 0 : Number(cursor[1]), Math.min(limit, maxPage), fromEarlierLife));
    }
    if (path === '/api/v1/customer-names') {
      const names: Record<string, string> = {};
      for (const id of (url.searchParams.get('ids') ?? '').split(',')) {
        const name = opts.customerNames?.[id];
        if (name !== undefined) names[id] = name;
      }
      return new Response(JSON.stringify({ names }), { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
    }
    let m = /^\/api\/v1\/customers\/(\d+)$/.exec(path);
    if (m) {
      const c = entries.get(m[1]!)?.customer;
      return c ? json(200, c) : apiError(404, 'not-found', `No customer ${m[1]}.`);
    }
    m = /^\/api\/v1\/orders\/(\d+)\/customer$/.exec(path);
    if (m) {
      const customerId = opts.orders?.get(m[1]!);
      if (customerId === null) return apiError(404, 'guest-order', `Order ${m[1]} has no customer (guest checkout).`);
      const c = customerId ? entries.get(customerId)?.customer : null;
      return c ? json(200, c) : apiError(404, 'not-found', `No customer for order ${m[1]}.`);
    }
    return apiError(404, 'not-found', `No route GET ${path}.`);
  }

  return {
    fetch: async (input, init) => handle(new Request(input instanceof URL ? input.href : input, init)),
    upsertCustomer(customer) {
      entries.set(customer.customerId, { seq: ++seq, customer });
      ordered = null;
    },
    deleteCustomer(customerId) {
      entries.set(customerId, { seq: ++seq, customer: null });
      ordered = null;
    },
    requests,
    tokens,
    issuePairingCode() {
      const code = `PAIR-${Math.floor(seq + codes.size + tokenCounter * 7919)}-${codes.size}`;
      codes.add(code);
      return code;
    },
    setSummary(next) {
      summary = next;
    },
    startOver(customers) {
      life++;
      seq = 0;
      entries.clear();
      for (const c of customers) entries.set(c.customerId, { seq: ++seq, customer: c });
      ordered = null;
      tokens.clear();
    },
  };
}

/**
 * An insight as app versions before 2026-12-07 sent it: with `churnReasons`, English sentences no surface showed (the
 * cache leaves them behind, and no text of the app's is ever turned into HTML).
 */
export function withLegacyReasons(insight: CustomerInsightV1, churnReasons: string[]): CustomerInsightV1 {
  return { ...insight, churnReasons } as CustomerInsightV1;
}

/** A well-formed insight for tests; pass overrides for the fields under test. */
export function sampleInsight(customerId: string, overrides: Partial<CustomerInsightV1> = {}): CustomerInsightV1 {
  const day = 86_400_000;
  const last = Date.UTC(2026, 9, 1);
  return {
    customerId,
    currency: 'USD',
    orderCount: 3,
    isRepeat: true,
    historicClvMinor: 12_345,
    predictedClvMinor: 6_789,
    averageOrderValueMinor: 4_115,
    firstOrderAtMs: last - 200 * day,
    lastOrderAtMs: last,
    daysSinceLastOrder: 53,
    expectedNextOrderAtMs: last + 90 * day,
    overdue: false,
    pAlive: 0.8,
    churnProbability: 0.2,
    churnHorizonDays: 90,
    newCustomer: false,
    churnTier: 'low',
    confidence: 'normal',
    rfmSegment: 'LOYAL',
    orderHistory: [
      { placedAtMs: last - 200 * day, amountMinor: 4000 },
      { placedAtMs: last - 100 * day, amountMinor: 4345 },
      { placedAtMs: last, amountMinor: 4000 },
    ],
    updatedAtMs: last,
    ...overrides,
  };
}

/** A well-formed shop summary for tests. */
export function sampleSummary(shopDomain: string, overrides: Partial<ShopSummaryV1> = {}): ShopSummaryV1 {
  const week = 7 * 86_400_000;
  const start = Date.UTC(2026, 6, 6);
  return {
    shopDomain,
    currency: 'USD',
    asOfMs: Date.UTC(2026, 10, 23),
    timeZone: 'Asia/Seoul',
    sync: { state: 'live', ordersDone: 100, ordersEstimated: 100, lastSyncAtMs: Date.UTC(2026, 10, 23), message: null },
    customers: 3,
    repeatPurchaseRate: { windowDays: 365, value: 0.31 },
    returningCustomerRate: 0.29,
    averageClvMinor: 9_900,
    averagePredictedClvMinor: 5_500,
    churn: { d30: 0.4, d60: 0.3, d90: 0.2 },
    churnHorizonDays: 90,
    churnBacktest: {
      cutoffMs: Date.UTC(2026, 7, 25),
      horizonDays: 90,
      customers: 3000,
      noOrderShare: 0.7,
      chosenModel: 'classifier',
      auc: 0.79,
      daysSinceLastOrderAuc: 0.77,
      calibration: [
        { customers: 600, meanPredicted: 0.41, observedNoOrderShare: 0.43 },
        { customers: 600, meanPredicted: 0.6, observedNoOrderShare: 0.58 },
        { customers: 600, meanPredicted: 0.73, observedNoOrderShare: 0.74 },
        { customers: 600, meanPredicted: 0.84, observedNoOrderShare: 0.83 },
        { customers: 600, meanPredicted: 0.92, observedNoOrderShare: 0.92 },
      ],
      tiers: [
        { tier: 'low', customers: 1000, orderedAgainShare: 0.52 },
        { tier: 'medium', customers: 1000, orderedAgainShare: 0.27 },
        { tier: 'high', customers: 1000, orderedAgainShare: 0.09 },
      ],
      tierCuts: { medium: 0.62, high: 0.81 },
    },
    churnTrend: {
      weekStartMs: [start, start + week, start + 2 * week],
      d30: [0.42, 0.41, 0.4],
      d60: [0.32, 0.31, 0.3],
      d90: [0.22, 0.21, 0.2],
    },
    topAtRisk: [{ customerId: '2', historicClvMinor: 50_000, churnProbability: 0.85, churnTier: 'high', daysSinceLastOrder: 240 }],
    ...overrides,
  };
}
