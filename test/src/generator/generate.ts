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

  const identities: Identity[] = new Array<Identity>(plan.buyerCount);
  for (let b = 0; b < plan.buyerCount; b++) identities[b] = makeIdentity(root.derive(Stream.identity, b), b, plan.country[b]!);

  // Customers: account buyers, sign-ups without orders, and the staff account. Ids increase with creation time.
  interface Pending { createdAtMs: number; identity: Identity; buyer: number; rng: Random }
  const pending: Pending[] = [];
  for (let b = 0; b < plan.buyerCount; b++) {
    if (plan.guest[b] === 1) continue;
    const rng = root.derive(Stream.identity, b, 1);
    const first = plan.firstOrderMs[b]!;
    const early = rng.bernoulli(0.3) ? Math.floor(rng.exponential(1 / (40 * 86400))) * 1000 : 5000 + 1000 * rng.int(115);
    pending.push({ createdAtMs: Math.max(shop.createdAtMs, first - early), identity: identities[b]!, buyer: b, rng });
  }
  const leads = Math.round(plan.buyerCount * opts.behaviour.leadShare);
  for (let i = 0; i < leads; i++) {
    const rng = root.derive(Stream.lead, i);
    const country = rng.bernoulli(opts.behaviour.foreignShare) ? rng.int(COUNTRIES.length) : shopCountryIndex;
    const createdAtMs = Math.floor((opts.startMs + rng.next() * (opts.endMs - opts.startMs)) / 1000) * 1000;
    pending.push({ createdAtMs, identity: makeIdentity(rng, plan.buyerCount + i, country), buyer: -1, rng });
  }
  const staffAddress = makeIdentity(root.derive(Stream.shop, 2), plan.buyerCount + leads, shopCountryIndex).address;
  pending.push({
    createdAtMs: shop.createdAtMs,
    identity: { firstName: 'Store', lastName: 'Owner', email: shop.email, phone: null, address: staffAddress },
    buyer: -2,
    rng: root.derive(Stream.shop, 3),
  });
  pending.sort((x, y) => x.createdAtMs - y.createdAtMs || x.buyer - y.buyer);
  const customerOf: (Customer | null)[] = new Array<Customer | null>(plan.buyerCount).fill(null);
  const customers: Customer[] = [];
  let staff: Customer | null = null;
  let lastId: number = ID_BASE.customer;
  for (const p of pending) {
    lastId += 1 + p.rng.int(64);
    const isBuyer = p.buyer >= 0;
    const state = p.buyer === -2 || p.rng.bernoulli(0.35) ? 'ENABLED' : 'DISABLED';
    const lastOrder = isBuyer ? plan.lastOrderMs[p.buyer]! : p.createdAtMs;
    const customer: Customer = {
      id: lastId,
      email: p.identity.email,
      firstName: p.identity.firstName,
      lastName: p.identity.lastName,
      phone: p.identity.phone,
      createdAtMs: p.createdAtMs,
      updatedAtMs: Math.max(p.createdAtMs, lastOrder),
      state,
      verifiedEmail: state === 'ENABLED',
      taxExempt: isBuyer && p.rng.bernoulli(0.01),
      acceptsMarketing: p.buyer === -1 || p.rng.bernoulli(0.4),
      note: null,
      tags: isBuyer && plan.subscriber[p.buyer] === 1 ? ['subscriber'] : p.buyer === -1 ? ['newsletter'] : [],
      defaultAddress: p.identity.address,
    };
    customers.push(customer);
    if (isBuyer) customerOf[p.buyer] = customer;
    if (p.buyer === -2) staff = customer;
  }
  if (staff === null) throw new Error('generateShop: staff customer missing (bug)');

  const ctx: OrderContext = {
    opts, shop, cal, plan, catalogue, root, identities, customerOf, staff, shopCountryCode: shopCountry.code,
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
