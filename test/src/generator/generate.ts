import { DAY_MS } from '@clvlens/core';
import { SHOP_PLANS } from '../shop-model/types.ts';
import type { Customer, Order, Shop, ShopData } from '../shop-model/types.ts';
import { buildCatalogue } from './catalogue.ts';
import { COUNTRIES, shopCountryFor } from './locale.ts';
import { resolveOptions, type GenerateShopOptions } from './options.ts';
import { ID_BASE, OrderFactory, type OrderContext } from './orders.ts';
import { makeIdentity, type Identity } from './people.ts';
import { planPurchases, Stream } from './process.ts';
import { Random } from './random.ts';
import { buildCalendar } from './seasonality.ts';

/**
 * A generated shop whose orders are produced lazily, in time order, each time `orders` is iterated (every iteration
 * yields the same orders). Use it for large shops so a writer never holds all orders at once.
 */
export interface GeneratedShopStream {
  shop: Shop;
  /** Account customers (buyers, sign-ups without orders and the staff account that places test orders), by id. */
  customers: Customer[];
  /** Number of orders `orders` yields. */
  orderCount: number;
  /** Re-iterable: each `for...of` regenerates the same orders from the seed. */
  orders: Iterable<Order>;
}

/** Anything the writers accept: a {@link ShopData} or a {@link GeneratedShopStream}. */
export interface ShopSource {
  shop: Shop;
  customers?: readonly Customer[];
  orders: Iterable<Order>;
}

/** Shared frozen tag lists (half a million customers mostly have none): treat generated data as immutable. */
const CUSTOMER_TAGS = {
  none: Object.freeze([]) as never[] as string[],
  subscriber: Object.freeze(['subscriber']) as string[],
  newsletter: Object.freeze(['newsletter']) as string[],
};

/**
 * Indexes of the non-NaN entries of `times` sorted by time, ties by index. Packs (seconds since `originMs`, index)
 * into one double so a native Float64Array sort does it without a comparator.
 */
function sortByTime(times: Float64Array, originMs: number): number[] {
  const scale = 2 ** 23;
  const keys: number[] = [];
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (t === t) keys.push(((t - originMs) / 1000) * scale + i);
  }
  if (times.length >= scale) {
    return keys.map((k) => k % scale).sort((a, b) => times[a]! - times[b]! || a - b);
  }
  const sorted = Float64Array.from(keys).sort();
  return Array.from(sorted, (k) => k % scale);
}

/** `"Northwind Goods"` -> `"northwind-goods"`. */
export function shopHandle(name: string): string {
  const handle = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return handle === '' ? 'shop' : handle;
}

/**
 * Generates a shop lazily: buyers and purchase times are simulated up front (compact typed arrays, ~40 bytes per
 * order), customers are built, and orders are materialized one at a time when `orders` is iterated.
 *
 * @example
 * const s = generateShopStream({ seed: 7, orders: 1_000_000, endMs: Date.UTC(2026, 10, 1) });
 * await writeShopifyOrdersExport(s, createWriteStream('orders_export.csv'));
 */
export function generateShopStream(options: GenerateShopOptions): GeneratedShopStream {
  const opts = resolveOptions(options);
  const root = new Random(opts.seed);
  const shopCountry = shopCountryFor(opts.currency);
  const shopCountryIndex = COUNTRIES.indexOf(shopCountry);
  const handle = shopHandle(opts.shopName);
  const shopRng = root.derive(Stream.shop);
  const shop: Shop = {
    id: opts.shopId ?? 10_000_000 + shopRng.int(80_000_000),
    domain: `${handle}.myshopify.com`,
    name: opts.shopName,
    email: `owner.${handle}@example.com`,
    currencyCode: opts.currency,
    ianaTimezone: opts.timeZone,
    plan: SHOP_PLANS[opts.plan],
    createdAtMs: opts.startMs - 14 * DAY_MS,
  };
  const cal = buildCalendar(opts.startMs, opts.endMs, opts.timeZone, opts.behaviour.acquisitionGrowthPerYear);
  const plan = planPurchases(root, cal, opts, shopCountryIndex);
  const catalogue = buildCatalogue(root.derive(Stream.catalogue), opts.currency, opts.shopName, ID_BASE.product);

  // One sequential stream per purpose (buyers are visited in a fixed order, so this stays deterministic); a Random
  // per buyer would cost an allocation each for half a million buyers.
  const identityRng = root.derive(Stream.identity);
  const identities: Identity[] = new Array<Identity>(plan.buyerCount);
  for (let b = 0; b < plan.buyerCount; b++) identities[b] = makeIdentity(identityRng, b, plan.country[b]!);

  // Customers: account buyers, sign-ups without orders ("leads"), and the staff account; ids increase with creation
  // time. Entity e < buyerCount is buyer e, then the leads, then the staff account last.
  const leads = Math.round(plan.buyerCount * opts.behaviour.leadShare);
  const entityCount = plan.buyerCount + leads + 1;
  const createdAt = new Float64Array(entityCount).fill(Number.NaN);
  const customerRng = root.derive(Stream.identity, 1);
  for (let b = 0; b < plan.buyerCount; b++) {
    if (plan.guest[b] === 1) continue;
    const early = customerRng.bernoulli(0.3) ? Math.floor(customerRng.exponential(1 / (40 * 86400))) * 1000 : 5000 + 1000 * customerRng.int(115);
    createdAt[b] = Math.max(shop.createdAtMs, plan.firstOrderMs[b]! - early);
  }
  const leadRng = root.derive(Stream.lead);
  const leadIdentities: Identity[] = [];
  for (let i = 0; i < leads; i++) {
    const country = leadRng.bernoulli(opts.behaviour.foreignShare) ? leadRng.int(COUNTRIES.length) : shopCountryIndex;
    createdAt[plan.buyerCount + i] = Math.floor((opts.startMs + leadRng.next() * (opts.endMs - opts.startMs)) / 1000) * 1000;
    leadIdentities.push(makeIdentity(leadRng, plan.buyerCount + i, country));
  }
  const staffIndex = entityCount - 1;
  createdAt[staffIndex] = shop.createdAtMs;
  const staffIdentity: Identity = {
    firstName: 'Store',
    lastName: 'Owner',
    email: shop.email,
    phone: null,
    address: makeIdentity(root.derive(Stream.shop, 2), entityCount, shopCountryIndex).address,
  };
  const creationOrder = sortByTime(createdAt, shop.createdAtMs);

  const customerOf: (Customer | null)[] = new Array<Customer | null>(plan.buyerCount).fill(null);
  const customers: Customer[] = [];
  let staff: Customer | null = null;
  let lastId: number = ID_BASE.customer;
  for (const e of creationOrder) {
    lastId += 1 + customerRng.int(64);
    const isBuyer = e < plan.buyerCount;
    const isStaff = e === staffIndex;
    const identity = isBuyer ? identities[e]! : isStaff ? staffIdentity : leadIdentities[e - plan.buyerCount]!;
    const createdAtMs = createdAt[e]!;
    const state = isStaff || customerRng.bernoulli(0.35) ? 'ENABLED' : 'DISABLED';
    const customer: Customer = {
      id: lastId,
      email: identity.email,
      firstName: identity.firstName,
      lastName: identity.lastName,
      phone: identity.phone,
      createdAtMs,
      updatedAtMs: Math.max(createdAtMs, isBuyer ? plan.lastOrderMs[e]! : createdAtMs),
      state,
      verifiedEmail: state === 'ENABLED',
      taxExempt: isBuyer && customerRng.bernoulli(0.01),
      acceptsMarketing: (!isBuyer && !isStaff) || customerRng.bernoulli(0.4),
      note: null,
      tags: isBuyer && plan.subscriber[e] === 1 ? CUSTOMER_TAGS.subscriber : !isBuyer && !isStaff ? CUSTOMER_TAGS.newsletter : CUSTOMER_TAGS.none,
      defaultAddress: identity.address,
    };
    customers.push(customer);
    if (isBuyer) customerOf[e] = customer;
    if (isStaff) staff = customer;
  }
  if (staff === null) throw new Error('generateShop: staff customer missing (bug)');

  const ctx: OrderContext = {
    opts,
    shop,
    cal,
    plan,
    catalogue,
    root,
    identities,
    customerOf,
    staff,
    shopCountryCode: shopCountry.code,
  };
  const orders: Iterable<Order> = {
    *[Symbol.iterator]() {
      const factory = new OrderFactory(ctx);
      while (!factory.done) yield factory.next();
    },
  };
  return { shop, customers, orderCount: plan.eventCount, orders };
}

/**
 * Generates a realistic Shopify shop, deterministically from `seed`: buyers following an MBG/NBD buy-till-you-die
 * process with Gamma-Gamma spend, seasonal acquisition, products and line items, discounts, shipping, taxes, guest
 * checkouts, test orders, cancellations, partial and full refunds, presentment currencies and subscription orders.
 * The result is the fake Shopify's {@link ShopData}: orders sorted by `processedAtMs`, ids and names increasing.
 * For very large shops prefer {@link generateShopStream}.
 *
 * @example
 * const data = generateShop({ seed: 42, customers: 2_000, endMs: Date.UTC(2026, 10, 1), currency: 'EUR', timeZone: 'Europe/Paris' });
 */
export function generateShop(options: GenerateShopOptions): ShopData {
  const stream = generateShopStream(options);
  const orders: Order[] = new Array<Order>(stream.orderCount);
  let i = 0;
  for (const order of stream.orders) orders[i++] = order;
  return { shop: stream.shop, customers: stream.customers, orders };
}
