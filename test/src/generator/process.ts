/**
 * Phase 1 of the generator: who buys when. Each buyer follows an MBG/NBD-like buy-till-you-die process
 * (clv-models.md §4.1–4.2): a purchase rate λ ~ Gamma(r, α) per day while alive, modulated by the shop's seasonality
 * (a non-homogeneous Poisson process drawn by thinning, Lewis & Shedler 1979), and after every purchase, the first
 * included, the buyer drops out with probability p ~ Beta(a, b). Spend follows Gamma-Gamma (§4.4): ν ~ Gamma(q, γ)
 * per buyer, each order value ~ Gamma(p, ν). A few account buyers also run a monthly subscription. The result is
 * compact typed arrays, sorted by time, that phase 2 (`orders.ts`) turns into Shopify orders one at a time.
 */
import { DAY_MS } from '@clvlens/core';
import type { ResolvedOptions } from './options.ts';
import type { Random } from './random.ts';
import { COUNTRIES } from './locale.ts';
import { maxIntensity, intensityAt, sampleAcquisitionMs, sampleTimeBetween, type ShopCalendar } from './seasonality.ts';

/** What kind of order an event becomes. */
export const EventKind = {
  regular: 0,
  subscriptionFirst: 1,
  subscriptionRenewal: 2,
  test: 3,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** Sub-stream labels: each part of the generator draws from its own stream. */
export const Stream = {
  catalogue: 1,
  buyer: 2,
  identity: 3,
  order: 4,
  test: 5,
  lead: 6,
  shop: 7,
  live: 8,
} as const;

/** Buyers and their purchase events, events sorted by time (ties by creation order). */
export interface PurchasePlan {
  buyerCount: number;
  /** Per buyer: Gamma-Gamma spend rate ν (per US dollar). */
  spendRate: Float64Array;
  /** Per buyer: 1 for a guest checkout buyer. */
  guest: Uint8Array;
  /** Per buyer: index into `COUNTRIES`. */
  country: Uint8Array;
  /** Per buyer: 1 when the buyer runs a subscription. */
  subscriber: Uint8Array;
  /** Per buyer: first and last order time (UTC ms) and number of orders. */
  firstOrderMs: Float64Array;
  lastOrderMs: Float64Array;
  orderCount: Int32Array;
  eventCount: number;
  /** Per event, sorted by time: whole-second UTC ms. */
  eventMs: Float64Array;
  /** Per event: buyer index, or -1 for a test order placed by staff. */
  eventBuyer: Int32Array;
  eventKind: Uint8Array;
  /** Per event: its creation index, which names the event's random stream. */
  eventLabel: Uint32Array;
}

const SUBSCRIPTION_PERIOD_MS = 30 * DAY_MS;
const MAX_EVENTS = 1 << 24;

class EventBuffer {
  ms = new Float64Array(1024);
  buyer = new Int32Array(1024);
  kind = new Uint8Array(1024);
  length = 0;

  push(ms: number, buyer: number, kind: number): void {
    if (this.length === this.ms.length) {
      const n = this.length * 2;
      const ms2 = new Float64Array(n);
      ms2.set(this.ms);
      this.ms = ms2;
      const b2 = new Int32Array(n);
      b2.set(this.buyer);
      this.buyer = b2;
      const k2 = new Uint8Array(n);
      k2.set(this.kind);
      this.kind = k2;
    }
    this.ms[this.length] = ms;
    this.buyer[this.length] = buyer;
    this.kind[this.length] = kind;
    this.length++;
  }
}

class BuyerBuffer {
  spendRate = new Float64Array(1024);
  guest = new Uint8Array(1024);
  country = new Uint8Array(1024);
  subscriber = new Uint8Array(1024);
  length = 0;

  push(spendRate: number, guest: boolean, country: number, subscriber: boolean): void {
    if (this.length === this.spendRate.length) {
      const n = this.length * 2;
      const grow = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(n);
        b.set(a);
        return b;
      };
      this.spendRate = grow(this.spendRate, (k) => new Float64Array(k));
      this.guest = grow(this.guest, (k) => new Uint8Array(k));
      this.country = grow(this.country, (k) => new Uint8Array(k));
      this.subscriber = grow(this.subscriber, (k) => new Uint8Array(k));
    }
    this.spendRate[this.length] = spendRate;
    this.guest[this.length] = guest ? 1 : 0;
    this.country[this.length] = country;
    this.subscriber[this.length] = subscriber ? 1 : 0;
    this.length++;
  }
}

/** Simulates the purchase events of all buyers (and test orders) and sorts them by time. */
export function planPurchases(root: Random, cal: ShopCalendar, opts: ResolvedOptions, shopCountry: number): PurchasePlan {
  const { process: pp, behaviour: bh } = opts;
  const events = new EventBuffer();
  const buyers = new BuyerBuffer();
  const ceiling = maxIntensity(cal);
  const foreignCountries = COUNTRIES.map((_, i) => i).filter((i) => i !== shopCountry);
  const target = opts.orders;
  const launchTests = target === null ? 3 : Math.min(3, Math.floor(target / 200));
  const testCount = (realOrders: number) => launchTests + Math.floor((realOrders * bh.testOrdersPerThousand) / 1000);
  // With a target order count, real orders fill what test orders leave.
  const realTarget = target === null ? Number.POSITIVE_INFINITY : target - testCount(target);
  const local: number[] = [];
  const buyerRng = root.derive(Stream.buyer);
  const localKind: number[] = [];

  for (let b = 0; opts.customers === null ? events.length < realTarget : b < opts.customers; b++) {
    const rng = buyerRng.resetToDerived(root, Stream.buyer, b);
    const t0 = sampleAcquisitionMs(cal, rng);
    const lambdaPerMs = rng.gamma(pp.r, pp.alphaDays) / DAY_MS;
    const dropout = rng.beta(pp.a, pp.b);
    const spendRate = rng.gamma(pp.spendQ, pp.spendGammaUsd);
    const guest = rng.bernoulli(bh.guestShare);
    const country = foreignCountries.length > 0 && rng.bernoulli(bh.foreignShare) ? rng.pick(foreignCountries) : shopCountry;
    const subscriber = !guest && rng.bernoulli(bh.subscriberShare);
    local.length = 0;
    localKind.length = 0;
    local.push(t0);
    localKind.push(subscriber ? EventKind.subscriptionFirst : EventKind.regular);
    let alive = !rng.bernoulli(dropout);
    let t = t0;
    while (alive) {
      t += rng.exponential(lambdaPerMs * ceiling);
      if (!(t < cal.endMs)) break;
      if (rng.next() * ceiling > intensityAt(cal, t)) continue;
      local.push(Math.floor(t / 1000) * 1000);
      localKind.push(EventKind.regular);
      alive = !rng.bernoulli(dropout);
    }
    if (subscriber) {
      for (let s = t0 + SUBSCRIPTION_PERIOD_MS; s < cal.endMs; s += SUBSCRIPTION_PERIOD_MS) {
        if (rng.bernoulli(bh.subscriptionChurnPerMonth)) break;
        local.push(s);
        localKind.push(EventKind.subscriptionRenewal);
      }
    }
    // Keep the buyer's events in time order so truncation (order-count mode) drops the latest ones. Purchases come
    // out in order; only subscription renewals interleave with them.
    const room = Math.min(local.length, realTarget - events.length);
    buyers.push(spendRate, guest, country, subscriber);
    if (subscriber) {
      const idx = local.map((_, i) => i).sort((x, y) => local[x]! - local[y]! || x - y);
      for (let i = 0; i < room; i++) events.push(local[idx[i]!]!, b, localKind[idx[i]!]!);
    } else {
      for (let i = 0; i < room; i++) events.push(local[i]!, b, localKind[i]!);
    }
    if (events.length >= MAX_EVENTS) throw new RangeError(`generateShop: more than ${MAX_EVENTS} orders; use fewer customers`);
  }

  const testRng = root.derive(Stream.test);
  const tests = target === null ? testCount(events.length) : target - events.length;
  for (let i = 0; i < tests; i++) {
    const launch = i < launchTests;
    const from = cal.startMs;
    const to = launch ? Math.min(cal.endMs, cal.startMs + 2 * DAY_MS) : cal.endMs;
    events.push(sampleTimeBetween(cal, from, to, testRng), -1, EventKind.test);
  }

  return sortPlan(events, buyers);
}

function sortPlan(events: EventBuffer, buyers: BuyerBuffer): PurchasePlan {
  const n = events.length;
  let minMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) if (events.ms[i]! < minMs) minMs = events.ms[i]!;
  // Sort keys (seconds since the first event) * 2^24 + creation index stay below 2^53 for 10-year histories, so a
  // native Float64Array sort gives a stable time order without a comparator.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = ((events.ms[i]! - minMs) / 1000) * MAX_EVENTS + i;
  keys.sort();
  const eventMs = new Float64Array(n);
  const eventBuyer = new Int32Array(n);
  const eventKind = new Uint8Array(n);
  const eventLabel = new Uint32Array(n);
  const buyerCount = buyers.length;
  const firstOrderMs = new Float64Array(buyerCount).fill(Number.NaN);
  const lastOrderMs = new Float64Array(buyerCount).fill(Number.NaN);
  const orderCount = new Int32Array(buyerCount);
  for (let j = 0; j < n; j++) {
    const i = keys[j]! % MAX_EVENTS;
    eventMs[j] = events.ms[i]!;
    const b = events.buyer[i]!;
    eventBuyer[j] = b;
    eventKind[j] = events.kind[i]!;
    eventLabel[j] = i;
    if (b >= 0) {
      if (orderCount[b] === 0) firstOrderMs[b] = events.ms[i]!;
      lastOrderMs[b] = events.ms[i]!;
      orderCount[b]!++;
    }
  }
  return {
    buyerCount,
    spendRate: buyers.spendRate.subarray(0, buyerCount),
    guest: buyers.guest.subarray(0, buyerCount),
    country: buyers.country.subarray(0, buyerCount),
    subscriber: buyers.subscriber.subarray(0, buyerCount),
    firstOrderMs,
    lastOrderMs,
    orderCount,
    eventCount: n,
    eventMs,
    eventBuyer,
    eventKind,
    eventLabel,
  };
}
