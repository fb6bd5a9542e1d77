/**
 * Live mode: keeps a shop in the fake Shopify busy, as a real store is. At a given rate it places new orders (repeat
 * buyers, new customers, guests) built by the same order factory as the generator, and changes existing orders
 * (fulfilments, partial and full refunds, cancellations, tag updates), all through the fake's control API so every
 * change emits Shopify's webhooks. Action choices are a pure function of the seed; timing follows the wall clock.
 */
import { DAY_MS } from '@clvlens/core';
import type { FakeShopifyControl } from '../fake-shopify/server.ts';
import { decimalToMinor, minorToDecimal } from '../shop-model/money.ts';
import { plainCustomer } from '../shop-model/customer.ts';
import type { Customer, MoneyBag, Order, RefundLineItem } from '../shop-model/types.ts';
import { buildCatalogue } from './catalogue.ts';
import { COUNTRIES, shopCountryFor } from './locale.ts';
import { resolveOptions } from './options.ts';
import { ID_BASE, OrderFactory, type IdState, type OrderContext } from './orders.ts';
import { makeIdentity, type Identity } from './people.ts';
import { EventKind, Stream, type PurchasePlan } from './process.ts';
import { Random } from './random.ts';
import { buildCalendar } from './seasonality.ts';

/** Options of {@link startLiveShop}. */
export interface StartLiveShopOptions {
  /** The fake Shopify (anything with its `control`), already holding the shop (e.g. loaded with `generateShop`). */
  fake: { control: FakeShopifyControl };
  shopDomain: string;
  /** Mean number of actions per minute (new orders and changes together), e.g. 30. Intervals are exponential. */
  ordersPerMinute: number;
  seed: number | string;
  /** Share of actions that change an existing order instead of placing a new one. Default 0.3. */
  changeShare?: number;
  /** Called after each action (the demo logs them). */
  onAction?: (action: LiveAction) => void;
  /** Called when an action fails (e.g. the fake stopped); the live shop keeps going. Default: ignore. */
  onError?: (error: unknown) => void;
}

/** What one live action did. */
export interface LiveAction {
  kind: 'order-created' | 'order-fulfilled' | 'order-refunded' | 'order-cancelled' | 'order-updated';
  orderId: number;
  /** Set when the action created a customer first (`customers/create`). */
  newCustomerId: number | null;
  atMs: number;
}

/** A running live shop. */
export interface LiveShop {
  /** Runs one action now, whatever the timer says; returns it (null when there was nothing to change). */
  step(): LiveAction | null;
  /** Stops the timer; resolves once no action is running. Idempotent. */
  stop(): Promise<void>;
  readonly stats: { actions: number; ordersCreated: number; changes: number; errors: number };
}

interface BuyerRef {
  customer: Customer | null;
  /** Guests keep their name and address from one order to the next. */
  identity: Identity | null;
  email: string;
  countryIndex: number;
  orders: number;
}

/**
 * Starts placing and changing orders in `shopDomain` of the fake Shopify. Stop it with `stop()`.
 *
 * @example
 * fake.control.loadShop(generateShop({ seed: 1, customers: 500, endMs: fake.control.nowMs(), shopName: 'Demo' }));
 * const live = startLiveShop({ fake, shopDomain: 'demo.myshopify.com', ordersPerMinute: 20, seed: 1 });
 * // ... later
 * await live.stop();
 */
export function startLiveShop(options: StartLiveShopOptions): LiveShop {
  const { fake, shopDomain } = options;
  const control = fake.control;
  if (!(options.ordersPerMinute > 0 && Number.isFinite(options.ordersPerMinute))) {
    throw new RangeError(`startLiveShop: ordersPerMinute must be a positive number, got ${options.ordersPerMinute}`);
  }
  const changeShare = options.changeShare ?? 0.3;
  if (!(changeShare >= 0 && changeShare <= 1)) throw new RangeError(`startLiveShop: changeShare must be in [0, 1], got ${changeShare}`);
  const truth = control.truth(shopDomain);
  const shop = truth.shop;
  const rng = new Random(options.seed).derive(Stream.live);
  const root = new Random(options.seed);
  const opts = resolveOptions({
    seed: options.seed,
    customers: 1,
    endMs: control.nowMs() + 1000,
    currency: shop.currencyCode,
    timeZone: shop.ianaTimezone,
    shopName: shop.name,
  });
  const shopCountry = shopCountryFor(shop.currencyCode);
  const shopCountryIndex = COUNTRIES.indexOf(shopCountry);
  const catalogue = buildCatalogue(root.derive(Stream.catalogue), shop.currencyCode, shop.name, ID_BASE.product);

  // Continue every id sequence after what the shop already has.
  const ids: IdState = {
    orderNumber: 1001,
    orderId: ID_BASE.order,
    lineItemId: ID_BASE.lineItem,
    refundId: ID_BASE.refund,
    refundLineItemId: ID_BASE.refundLineItem,
  };
  let maxCustomerId: number = ID_BASE.customer;
  const buyers: BuyerRef[] = [];
  const byCustomer = new Map<number, BuyerRef>();
  for (const c of truth.customers) {
    maxCustomerId = Math.max(maxCustomerId, c.id);
    const ref: BuyerRef = {
      customer: c,
      identity: null,
      email: c.email ?? `customer.${c.id}@example.com`,
      countryIndex: countryIndexOf(c.defaultAddress?.countryCode ?? null, shopCountryIndex),
      orders: 0,
    };
    byCustomer.set(c.id, ref);
  }
  const recent: number[] = [];
  for (const o of truth.orders) {
    ids.orderNumber = Math.max(ids.orderNumber, o.orderNumber + 1);
    ids.orderId = Math.max(ids.orderId, o.id);
    for (const li of o.lineItems) ids.lineItemId = Math.max(ids.lineItemId, li.id);
    for (const r of o.refunds) {
      ids.refundId = Math.max(ids.refundId, r.id);
      for (const rli of r.refundLineItems) ids.refundLineItemId = Math.max(ids.refundLineItemId, rli.id);
    }
    if (o.customerId !== null) {
      const ref = byCustomer.get(o.customerId);
      if (ref !== undefined) ref.orders++;
    }
  }
  for (const ref of byCustomer.values()) if (ref.orders > 0 && ref.customer?.tags.includes('newsletter') !== true) buyers.push(ref);
  const lastOrders = [...truth.orders].sort((a, b) => a.processedAtMs - b.processedAtMs).slice(-200);
  for (const o of lastOrders) recent.push(o.id);
  const staff = truth.customers[0] ?? syntheticStaff(shop.email, shop.createdAtMs);

  const stats = { actions: 0, ordersCreated: 0, changes: 0, errors: 0 };
  let created = 0;

  function placeOrder(nowMs: number): LiveAction {
    const u = rng.next();
    let buyer: BuyerRef;
    let newCustomerId: number | null = null;
    if (buyers.length > 0 && u < 0.45) {
      buyer = buyers[rng.int(buyers.length)]!;
    } else {
      const countryIndex = rng.bernoulli(0.15) ? rng.int(COUNTRIES.length) : shopCountryIndex;
      const identity = makeIdentity(rng.derive(created), 9_000_000 + created + Math.floor(rng.next() * 1e6) * 16, countryIndex);
      let customer: Customer | null = null;
      if (!rng.bernoulli(0.2)) {
        maxCustomerId += 1 + rng.int(64);
        customer = {
          id: maxCustomerId,
          email: identity.email,
          firstName: identity.firstName,
          lastName: identity.lastName,
          phone: identity.phone,
          createdAtMs: nowMs,
          updatedAtMs: nowMs,
          state: 'DISABLED',
          verifiedEmail: false,
          taxExempt: false,
          acceptsMarketing: rng.bernoulli(0.4),
          note: null,
          tags: [],
          defaultAddress: identity.address,
        };
        control.addCustomer(shopDomain, customer);
        newCustomerId = customer.id;
      }
      buyer = { customer, identity, email: identity.email, countryIndex, orders: 0 };
      buyers.push(buyer);
    }
    const placedMs = Math.floor(nowMs / 1000) * 1000;
    const cal = buildCalendar(placedMs - DAY_MS, placedMs + 30 * DAY_MS, shop.ianaTimezone, 0);
    const plan: PurchasePlan = {
      buyerCount: 1,
      spendRate: Float64Array.of(rng.gamma(opts.process.spendQ, opts.process.spendGammaUsd)),
      guest: Uint8Array.of(buyer.customer === null ? 1 : 0),
      country: Uint8Array.of(buyer.countryIndex),
      subscriber: Uint8Array.of(0),
      firstOrderMs: Float64Array.of(placedMs),
      lastOrderMs: Float64Array.of(placedMs),
      orderCount: Int32Array.of(1),
      eventCount: 1,
      eventMs: Float64Array.of(placedMs),
      eventBuyer: Int32Array.of(0),
      eventKind: Uint8Array.of(EventKind.regular),
      eventLabel: Uint32Array.of(created),
    };
    const identity: Identity = buyer.identity ?? {
      firstName: buyer.customer?.firstName ?? '',
      lastName: buyer.customer?.lastName ?? '',
      email: buyer.email,
      phone: buyer.customer?.phone ?? null,
      address: buyer.customer?.defaultAddress ?? makeIdentity(rng.derive(created, 2), 0, buyer.countryIndex).address,
    };
    buyer.identity = identity;
    const ctx: OrderContext = {
      // Nothing after the placement instant has happened yet: refunds and cancellations come later, as live changes.
      opts: { ...opts, endMs: placedMs + 1 },
      shop,
      cal,
      plan,
      catalogue,
      root: rng.derive(Stream.order, created),
      identities: [identity],
      customerOf: [buyer.customer],
      staff,
      shopCountryCode: shopCountry.code,
      start: ids,
      priorOrders: [buyer.orders],
    };
    const factory = new OrderFactory(ctx);
    const order = factory.next();
    Object.assign(ids, factory.idState());
    control.addOrder(shopDomain, order);
    created++;
    buyer.orders++;
    recent.push(order.id);
    if (recent.length > 400) recent.splice(0, recent.length - 400);
    stats.ordersCreated++;
    return { kind: 'order-created', orderId: order.id, newCustomerId, atMs: nowMs };
  }

  function changeOrder(nowMs: number): LiveAction | null {
    for (let attempt = 0; attempt < 8 && recent.length > 0; attempt++) {
      const id = recent[rng.int(recent.length)]!;
      const order = control.truth(shopDomain).orders.find((o) => o.id === id);
      if (order === undefined || order.cancelledAtMs !== null || order.test) continue;
      const refunded = sumRefunds(order);
      const totalShop = decimalToMinor(order.totalPriceSet.shopMoney.amount, order.currencyCode);
      const u = rng.next();
      const at = Math.max(nowMs, order.updatedAtMs + 1000);
      if (order.fulfillmentStatus === 'UNFULFILLED' && order.refunds.length === 0 && u < 0.2) {
        control.cancelOrder(shopDomain, id, { reason: rng.bernoulli(0.7) ? 'CUSTOMER' : 'INVENTORY', atMs: at });
        control.refundOrder(shopDomain, id, fullRefund(order, 'CANCEL', 'Order cancelled', at + 1000));
        return { kind: 'order-cancelled', orderId: id, newCustomerId: null, atMs: at };
      }
      if (order.fulfillmentStatus === 'UNFULFILLED') {
        control.updateOrder(shopDomain, id, { fulfillmentStatus: 'FULFILLED', closedAtMs: at, updatedAtMs: at });
        return { kind: 'order-fulfilled', orderId: id, newCustomerId: null, atMs: at };
      }
      if (refunded.shop >= totalShop) continue;
      if (u < 0.55) {
        const refund = partialRefund(order, at, rng);
        if (refund === null) continue;
        control.refundOrder(shopDomain, id, refund);
        return { kind: 'order-refunded', orderId: id, newCustomerId: null, atMs: at };
      }
      if (u < 0.75) {
        control.refundOrder(shopDomain, id, fullRefund(order, 'RETURN', 'Returned', at));
        return { kind: 'order-refunded', orderId: id, newCustomerId: null, atMs: at };
      }
      const tag = rng.pick(['gift', 'reviewed', 'priority']);
      if (order.tags.includes(tag)) continue;
      control.updateOrder(shopDomain, id, { tags: [...order.tags, tag], updatedAtMs: at });
      return { kind: 'order-updated', orderId: id, newCustomerId: null, atMs: at };
    }
    return null;
  }

  function step(): LiveAction | null {
    const nowMs = control.nowMs();
    const change = recent.length > 0 && rng.bernoulli(changeShare);
    const action = change ? changeOrder(nowMs) : placeOrder(nowMs);
    stats.actions++;
    if (action !== null && action.kind !== 'order-created') stats.changes++;
    if (action !== null) options.onAction?.(action);
    return action;
  }

  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const meanMs = 60_000 / options.ordersPerMinute;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        timer = null;
        try {
          step();
        } catch (error) {
          stats.errors++;
          options.onError?.(error);
        }
        schedule();
      },
      Math.min(10 * meanMs, rng.exponential(1 / meanMs)),
    );
  };
  schedule();

  return {
    step,
    stats,
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      return Promise.resolve();
    },
  };
}

function countryIndexOf(code: string | null, fallback: number): number {
  const i = COUNTRIES.findIndex((c) => c.code === code);
  return i < 0 ? fallback : i;
}

function syntheticStaff(email: string, createdAtMs: number): Customer {
  return plainCustomer({ id: ID_BASE.customer, email, firstName: 'Store', lastName: 'Owner', createdAtMs });
}

function minor(bag: MoneyBag, side: 'shop' | 'presentment'): number {
  const m = side === 'shop' ? bag.shopMoney : bag.presentmentMoney;
  return decimalToMinor(m.amount, m.currencyCode);
}

function sumRefunds(order: Order): { shop: number; pres: number } {
  let shop = 0;
  let pres = 0;
  for (const r of order.refunds) {
    shop += minor(r.totalRefundedSet, 'shop');
    pres += minor(r.totalRefundedSet, 'presentment');
  }
  return { shop, pres };
}

function bag(order: Order, shop: number, pres: number): MoneyBag {
  return {
    shopMoney: { amount: minorToDecimal(shop, order.currencyCode), currencyCode: order.currencyCode },
    presentmentMoney: { amount: minorToDecimal(pres, order.presentmentCurrencyCode), currencyCode: order.presentmentCurrencyCode },
  };
}

/** Net price of `units` of a line, with its share of the order's tax, in both currencies. */
function lineShare(order: Order, lineIndex: number, units: number): { sub: [number, number]; tax: [number, number] } {
  const li = order.lineItems[lineIndex]!;
  const side = (s: 'shop' | 'presentment') => {
    const net = minor(li.originalUnitPriceSet, s) * li.quantity - minor(li.totalDiscountSet, s);
    const subtotal = minor(order.subtotalPriceSet, s);
    const tax = minor(order.totalTaxSet, s);
    const sub = Math.round((net * units) / li.quantity);
    const lineTax = subtotal === 0 || !li.taxable ? 0 : Math.round((tax * net) / subtotal);
    return [sub, Math.round((lineTax * units) / li.quantity)] as const;
  };
  const shop = side('shop');
  const pres = side('presentment');
  return { sub: [shop[0], pres[0]], tax: [shop[1], pres[1]] };
}

/** One returned unit of a random line still held by the buyer, capped at what is left to refund. */
function partialRefund(order: Order, atMs: number, rng: Random) {
  const candidates = order.lineItems.map((li, i) => ({ li, i })).filter(({ li }) => li.currentQuantity > 0);
  if (candidates.length === 0) return null;
  const { li, i } = rng.pick(candidates);
  const share = lineShare(order, i, 1);
  const done = sumRefunds(order);
  const shop = Math.min(share.sub[0] + share.tax[0], minor(order.totalPriceSet, 'shop') - done.shop);
  const pres = Math.min(share.sub[1] + share.tax[1], minor(order.totalPriceSet, 'presentment') - done.pres);
  if (shop <= 0) return null;
  const rli: Omit<RefundLineItem, 'id'> = {
    lineItemId: li.id,
    quantity: 1,
    restockType: 'RETURN',
    subtotalSet: bag(order, share.sub[0], share.sub[1]),
    totalTaxSet: bag(order, share.tax[0], share.tax[1]),
  };
  return { totalRefundedSet: bag(order, shop, pres), refundLineItems: [rli], note: 'Return', createdAtMs: atMs };
}

/** Everything not yet refunded: remaining units of every line, plus shipping. */
function fullRefund(order: Order, restockType: RefundLineItem['restockType'], note: string, atMs: number) {
  const done = sumRefunds(order);
  const items: Omit<RefundLineItem, 'id'>[] = [];
  order.lineItems.forEach((li, i) => {
    if (li.currentQuantity <= 0) return;
    const share = lineShare(order, i, li.currentQuantity);
    items.push({
      lineItemId: li.id,
      quantity: li.currentQuantity,
      restockType,
      subtotalSet: bag(order, share.sub[0], share.sub[1]),
      totalTaxSet: bag(order, share.tax[0], share.tax[1]),
    });
  });
  return {
    totalRefundedSet: bag(order, minor(order.totalPriceSet, 'shop') - done.shop, minor(order.totalPriceSet, 'presentment') - done.pres),
    refundLineItems: items,
    note,
    createdAtMs: atMs,
  };
}
