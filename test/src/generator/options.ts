import { assertTimeZone, DAY_MS } from '@clvlens/core';
import type { PlanName } from '../shop-model/types.ts';
import { USD_RATES } from './locale.ts';

/**
 * Parameters of the buying process, per buyer (clv-models.md §4.1, §4.2, §4.4). Times are in **days**; spend is in
 * **US dollars** before conversion to the shop currency.
 */
export interface PurchaseProcessParams {
  /** Shape r of the purchase-rate distribution λ ~ Gamma(r, α). */
  r: number;
  /** Rate α of λ ~ Gamma(r, α), in days (mean λ = r/α purchases per day while alive). */
  alphaDays: number;
  /** Dropout p ~ Beta(a, b): after each purchase, including the first (MBG/NBD), the buyer leaves with prob. p. */
  a: number;
  b: number;
  /** Gamma-Gamma spend: order value z ~ Gamma(p, ν), ν ~ Gamma(q, γ); mean order value pγ/(q−1) USD. */
  spendP: number;
  spendQ: number;
  spendGammaUsd: number;
}

/** Shares and rates of the shop's operational details; each is a probability unless named otherwise. */
export interface ShopBehaviour {
  /** Share of buyers who check out as guests (email only, no customer record). */
  guestShare: number;
  /** Share of buyers outside the shop's home country (they pay in their own presentment currency when offered). */
  foreignShare: number;
  /** Share of non-test orders cancelled within hours (voided or refunded in full). */
  cancelShare: number;
  /** Share of orders with a partial refund (one or two units returned). */
  partialRefundShare: number;
  /** Share of orders refunded in full after delivery. */
  fullRefundShare: number;
  /** Share of orders placed with an everyday discount code (first orders and Black Friday have their own codes). */
  discountShare: number;
  /** Share of account buyers whose first order starts a monthly coffee subscription. */
  subscriberShare: number;
  /** Monthly probability that a subscription is cancelled. */
  subscriptionChurnPerMonth: number;
  /** Test orders per 1,000 real orders (a few more are placed at shop launch). */
  testOrdersPerThousand: number;
  /** Yearly growth of new-buyer acquisitions. */
  acquisitionGrowthPerYear: number;
  /** Customers who signed up without ordering, as a share of buyers (they appear only in the customer list). */
  leadShare: number;
}

/** Options of {@link generateShop}. Give exactly one of `customers` and `orders`. */
export interface GenerateShopOptions {
  /** Seed: the same options and seed give the same shop, byte for byte. */
  seed: number | string;
  /** Number of buyers (account customers and guests with at least one order). */
  customers?: number;
  /** Exact number of orders (including test orders), 1 to 10,000,000; buyers are added until it is reached. */
  orders?: number;
  /** Length of the history in days. Default 730. */
  historyDays?: number;
  /** End of the history (UTC epoch ms, exclusive): nothing happens at or after it. Required: no hidden clock. */
  endMs: number;
  /** Shop currency (ISO 4217). Default `USD`. Known: USD, CAD, GBP, EUR, AUD, JPY, CHF, SEK, NZD, KWD. */
  currency?: string;
  /** Shop IANA time zone. Default `America/New_York`. */
  timeZone?: string;
  /** Shop name; the domain is derived from it (`northwind-goods.myshopify.com`). Default `Northwind Goods`. */
  shopName?: string;
  /** Currencies buyers may pay in (Shopify Markets). Default: the shop currency plus CAD, GBP, EUR, AUD, JPY. */
  presentmentCurrencies?: readonly string[];
  plan?: PlanName;
  /** Numeric shop id. Default derived from the seed. */
  shopId?: number;
  process?: Partial<PurchaseProcessParams>;
  behaviour?: Partial<ShopBehaviour>;
}

/**
 * Defaults tuned so a 2-year history has ~25–30% repeat buyers, ~1.6 orders per buyer and a $70–80 average order,
 * in line with what published Shopify benchmarks report for small stores.
 */
export const DEFAULT_PROCESS: Readonly<PurchaseProcessParams> = {
  r: 0.45,
  alphaDays: 130,
  a: 1.0,
  b: 1.6,
  spendP: 4,
  spendQ: 3.5,
  spendGammaUsd: 46,
};

export const DEFAULT_BEHAVIOUR: Readonly<ShopBehaviour> = {
  guestShare: 0.18,
  foreignShare: 0.15,
  cancelShare: 0.015,
  partialRefundShare: 0.04,
  fullRefundShare: 0.02,
  discountShare: 0.1,
  subscriberShare: 0.015,
  subscriptionChurnPerMonth: 0.12,
  testOrdersPerThousand: 3,
  acquisitionGrowthPerYear: 0.35,
  leadShare: 0.08,
};

/** Options with every default filled in and checked. */
export interface ResolvedOptions {
  seed: number | string;
  customers: number | null;
  orders: number | null;
  historyDays: number;
  startMs: number;
  endMs: number;
  currency: string;
  timeZone: string;
  shopName: string;
  presentmentCurrencies: readonly string[];
  plan: PlanName;
  shopId: number | null;
  process: PurchaseProcessParams;
  behaviour: ShopBehaviour;
}

/** Validates options, one precise message per rule; throws `RangeError` / `TypeError`. */
export function resolveOptions(options: GenerateShopOptions): ResolvedOptions {
  const { customers, orders } = options;
  if ((customers === undefined) === (orders === undefined)) {
    throw new TypeError('generateShop: give exactly one of `customers` (buyers) or `orders` (exact order count)');
  }
  if (customers !== undefined && (!Number.isSafeInteger(customers) || customers < 1 || customers > 10_000_000)) {
    throw new RangeError(`generateShop: customers must be an integer in 1..10,000,000, got ${customers}`);
  }
  if (orders !== undefined && (!Number.isSafeInteger(orders) || orders < 1 || orders > 10_000_000)) {
    throw new RangeError(`generateShop: orders must be an integer in 1..10,000,000, got ${orders}`);
  }
  const historyDays = options.historyDays ?? 730;
  if (!Number.isInteger(historyDays) || historyDays < 7 || historyDays > 3650) {
    throw new RangeError(`generateShop: historyDays must be an integer in 7..3650, got ${historyDays}`);
  }
  if (!Number.isFinite(options.endMs)) throw new RangeError(`generateShop: endMs must be UTC epoch ms, got ${options.endMs}`);
  const endMs = Math.floor(options.endMs / 1000) * 1000;
  const currency = options.currency ?? 'USD';
  if (USD_RATES[currency] === undefined) {
    throw new RangeError(`generateShop: unknown shop currency ${currency}; known: ${Object.keys(USD_RATES).join(', ')}`);
  }
  const timeZone = options.timeZone ?? 'America/New_York';
  assertTimeZone(timeZone);
  const presentment = options.presentmentCurrencies ?? [currency, 'CAD', 'GBP', 'EUR', 'AUD', 'JPY'];
  for (const c of presentment) {
    if (USD_RATES[c] === undefined) throw new RangeError(`generateShop: unknown presentment currency ${c}`);
  }
  const process = { ...DEFAULT_PROCESS, ...options.process };
  for (const [key, value] of Object.entries(process)) {
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
      throw new RangeError(`generateShop: process.${key} must be a positive number, got ${String(value)}`);
    }
  }
  if (process.spendQ <= 1) throw new RangeError(`generateShop: process.spendQ must be > 1 (finite mean spend), got ${process.spendQ}`);
  const behaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  for (const [key, value] of Object.entries(behaviour)) {
    const isRate = key === 'testOrdersPerThousand' || key === 'acquisitionGrowthPerYear' || key === 'leadShare';
    if (!(typeof value === 'number' && value >= 0 && (isRate ? Number.isFinite(value) : value <= 1))) {
      throw new RangeError(`generateShop: behaviour.${key} must be ${isRate ? 'a non-negative number' : 'a probability in [0, 1]'}, got ${String(value)}`);
    }
  }
  if (behaviour.cancelShare + behaviour.partialRefundShare + behaviour.fullRefundShare > 1) {
    throw new RangeError('generateShop: cancelShare + partialRefundShare + fullRefundShare must not exceed 1');
  }
  return {
    seed: options.seed,
    customers: customers ?? null,
    orders: orders ?? null,
    historyDays,
    startMs: endMs - historyDays * DAY_MS,
    endMs,
    currency,
    timeZone,
    shopName: options.shopName ?? 'Northwind Goods',
    presentmentCurrencies: [...new Set([currency, ...presentment])],
    plan: options.plan ?? 'Shopify',
    shopId: options.shopId ?? null,
    process,
    behaviour,
  };
}
