// The webhook sender of the multi-process benches, in its own process (so it shares no event loop with the apps, the
// load balancer or the fake Shopify): replays signed orders/create and orders/updated deliveries with many in flight
// and retries every one that did not get a 2xx, as Shopify does (on a compressed schedule, see RETRY_MS).
// `planDeliveries` is pure and shared with the bench, which derives the truth (latest version of every order) from it.
import { createHmac } from 'node:crypto';
import { Pool } from 'undici';

/** The deliveries to replay: orders spread over shops and their customers. */
export interface DeliveryPlanInput {
  shops: { domain: string; customerIds: readonly string[] }[];
  deliveries: number;
  /** First order id (each order gets one id above it). */
  firstOrderId: number;
  /** Placement time of the newest order, UTC ms; orders are spread over the 300 days before it. */
  newestMs: number;
}

export interface PlannedDelivery {
  shop: string;
  topic: 'orders/create' | 'orders/updated';
  webhookId: string;
  orderId: string;
  customerId: string;
  /** 0 for orders/create, 1 for the later orders/updated of the same order. */
  version: number;
  totalMinor: number;
  cancelled: boolean;
  updatedAtMs: number;
  body: string;
}

/** How far behind its create an order's update is sent (in deliveries), so both are often in flight at once. */
const UPDATE_LAG = 200;

function delivery(input: DeliveryPlanInput, k: number, version: number): PlannedDelivery {
  const shop = input.shops[k % input.shops.length]!;
  const customerId = shop.customerIds[(k * 7919) % shop.customerIds.length]!;
  const orderId = String(input.firstOrderId + k);
  const placedAtMs = Math.floor((input.newestMs - (k % 300) * 86_400_000 - (k % 997) * 1000) / 1000) * 1000;
  // Shopify's updated_at has whole seconds: the update is a minute later, so "newer wins" can tell the two apart.
  const updatedAtMs = placedAtMs + version * 60_000;
  const cents = ((k % 200) + 1) * 100 + (version === 0 ? 99 : 49);
  const cancelled = version === 1 && k % 10 === 0;
  const total = (cents / 100).toFixed(2);
  const iso = (ms: number) => new Date(ms).toISOString();
  const body = JSON.stringify({
    id: input.firstOrderId + k,
    admin_graphql_api_id: `gid://shopify/Order/${orderId}`,
    name: `#${orderId}`,
    email: null,
    created_at: iso(placedAtMs),
    processed_at: iso(placedAtMs),
    updated_at: iso(updatedAtMs),
    cancelled_at: cancelled ? iso(updatedAtMs) : null,
    test: false,
    currency: 'USD',
    total_price: total,
    total_price_set: { shop_money: { amount: total, currency_code: 'USD' }, presentment_money: { amount: total, currency_code: 'USD' } },
    current_total_price_set: { shop_money: { amount: total, currency_code: 'USD' }, presentment_money: { amount: total, currency_code: 'USD' } },
    source_name: 'web',
    customer: { id: Number(customerId), email: `c${customerId}@example.com` },
    line_items: [],
    refunds: [],
  });
  return {
    shop: shop.domain,
    topic: version === 0 ? 'orders/create' : 'orders/updated',
    webhookId: `bench-${orderId}-${version}`,
    orderId,
    customerId,
    version,
    totalMinor: cents,
    cancelled,
    updatedAtMs,
    body,
  };
}

/**
 * The delivery sequence: every order's orders/create, and for every other order an orders/updated (new total, every
 * tenth cancelled) sent {@link UPDATE_LAG} deliveries later. Deterministic in its input.
 */
export function planDeliveries(input: DeliveryPlanInput): PlannedDelivery[] {
  const out: PlannedDelivery[] = [];
  for (let k = 0; out.length < input.deliveries; k++) {
    out.push(delivery(input, k, 0));
    const back = k - UPDATE_LAG;
    if (back >= 0 && back % 2 === 0 && out.length < input.deliveries) out.push(delivery(input, back, 1));
  }
  return out;
}

/** What the sender reports when done. */
export interface SendResult {
  wallMs: number;
  /** Latency of each delivery's first attempt, ms (a failed attempt counts until its error or timeout). */
  firstMs: number[];
  /** From the first attempt to the 2xx, ms, retries and their waits included. */
  endToEndMs: number[];
  retries: number;
  /** Deliveries that never got a 2xx within {@link RETRY_MS}'s attempts: lost. */
  gaveUp: number;
  /** Why attempts failed: HTTP status or error code -> count. */
  failures: Record<string, number>;
}

/**
 * Waits before each retry, ms. Shopify retries a failed delivery 8 times over 4 hours; the bench keeps the count and
 * compresses the waits so a run takes minutes.
 */
const RETRY_MS = [250, 500, 1000, 2000, 4000, 4000, 4000, 4000];
/** Shopify waits 5 s for an answer. */
const TIMEOUT_MS = 5000;

/** A planned delivery with the headers Shopify would send, signed. */
interface SignedDelivery {
  d: PlannedDelivery;
  headers: Record<string, string>;
}

function sign(plan: DeliveryPlanInput, secret: string): SignedDelivery[] {
  return planDeliveries(plan).map((d) => ({
    d,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': d.topic,
      'x-shopify-hmac-sha256': createHmac('sha256', secret).update(d.body, 'utf8').digest('base64'),
      'x-shopify-shop-domain': d.shop,
      'x-shopify-api-version': '2026-07',
      'x-shopify-webhook-id': d.webhookId,
      'x-shopify-triggered-at': new Date().toISOString(),
    },
  }));
}

async function send(deliveries: readonly SignedDelivery[], url: string, inFlight: number): Promise<SendResult> {
  const target = new URL(url);
  // undici's pool rather than node:http's agent: this process shares the 2 cores with what it measures, and node:http
  // cost it about twice the CPU a request (6-11 s of CPU in a 40,000-delivery run of pg-processes; Shopify's senders
  // are not on the merchant's app machine). One request a connection at a time (no pipelining), keep-alive, as
  // Shopify's senders; a POST is never sent again by the pool itself, only by the retries below.
  const pool = new Pool(target.origin, { connections: inFlight, pipelining: 1, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
  const firstMs: number[] = [];
  const endToEndMs: number[] = [];
  const failures: Record<string, number> = {};
  let retries = 0;
  let gaveUp = 0;
  let done = 0;
  const attempt = async (i: number): Promise<string | null> => {
    const { d, headers } = deliveries[i]!;
    try {
      const res = await pool.request({ path: '/webhooks', method: 'POST', headers, body: d.body });
      await res.body.dump();
      return res.statusCode >= 200 && res.statusCode < 300 ? null : `HTTP ${res.statusCode}`;
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      return e.code ?? e.message;
    }
  };
  let next = 0;
  const started = performance.now();
  const progress = setInterval(() => process.send?.({ progress: { done, retries, sent: next } }), 100);
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= deliveries.length) return;
      const t0 = performance.now();
      let failure = await attempt(i);
      firstMs.push(performance.now() - t0);
      for (let n = 0; failure !== null; n++) {
        failures[failure] = (failures[failure] ?? 0) + 1;
        if (n >= RETRY_MS.length) break;
        retries++;
        await new Promise((r) => setTimeout(r, RETRY_MS[n]));
        failure = await attempt(i);
      }
      if (failure === null) endToEndMs.push(performance.now() - t0);
      else gaveUp++;
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  clearInterval(progress);
  await pool.destroy();
  return { wallMs: performance.now() - started, firstMs, endToEndMs, retries, gaveUp, failures };
}

// Run as a forked process: { plan, url, secret, inFlight } in, { prepared } once every delivery is signed (the bench
// measures CPU from then on), { go } in, { progress } while sending, { result } at the end.
if (process.send && process.argv[2] === 'send') {
  process.once('message', (msg) => {
    const { plan, url, secret, inFlight } = msg as { plan: DeliveryPlanInput; url: string; secret: string; inFlight: number };
    const deliveries = sign(plan, secret);
    process.once('message', () =>
      send(deliveries, url, inFlight).then(
        (result) => process.send?.({ result }, () => process.exit(0)),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      ),
    );
    process.send?.({ prepared: true });
  });
  process.send({ ready: true });
}
