/**
 * Phase 2 of the generator: turns one purchase event into a Shopify order (line items, discounts, shipping, taxes,
 * presentment currency, cancellation, refunds, fulfilment), in time order. Money is computed once per atomic amount
 * (unit price, line discount, line tax, shipping) in shop minor units and converted to presentment minor units with
 * the day's rate; every total is a sum of atoms in each currency, so both currencies add up exactly.
 */
import { DAY_MS, localDayNumber } from '@clvlens/core';
import { currencyExponent, minorToDecimal } from '../shop-model/money.ts';
import type {
  Customer,
  DiscountApplication,
  FulfillmentStatus,
  LineItem,
  MoneyBag,
  MoneyV2,
  Order,
  OrderCancelReason,
  Refund,
  RefundLineItem,
  ShippingLine,
  Shop,
} from '../shop-model/types.ts';
import type { Catalogue, CatalogueVariant } from './catalogue.ts';
import { pricePoint } from './catalogue.ts';
import { blackFridayDay, COUNTRIES, taxFor, usdRate } from './locale.ts';
import type { ResolvedOptions } from './options.ts';
import type { Identity } from './people.ts';
import { EventKind, Stream, type PurchasePlan } from './process.ts';
import type { Random } from './random.ts';
import type { ShopCalendar } from './seasonality.ts';
import { sampleTimeBetween } from './seasonality.ts';

/** Id ranges, far apart and Shopify-sized (13 digits), all safe integers. */
export const ID_BASE = {
  order: 5_100_000_000_000,
  lineItem: 13_200_000_000_000,
  refund: 910_000_000_000,
  refundLineItem: 470_000_000_000,
  customer: 7_300_000_000_000,
  product: 8_100_000_000_000,
} as const;

const MONEY_CACHE_SIZE = 1 << 17;

/**
 * Shared frozen arrays for the common cases (no refunds, no tags, one gateway): most of a million orders have them,
 * and one frozen instance each saves memory. The fake replaces arrays rather than pushing into them.
 */
const NONE = Object.freeze([]) as never[];
const GATEWAYS = {
  bogus: Object.freeze(['bogus']) as string[],
  cash: Object.freeze(['cash']) as string[],
  shopifyPayments: Object.freeze(['shopify_payments']) as string[],
  paypal: Object.freeze(['paypal']) as string[],
  giftCardAndCard: Object.freeze(['gift_card', 'shopify_payments']) as string[],
  manual: Object.freeze(['manual']) as string[],
};

/** Tags Shopify subscription apps put on orders; readers detect subscription orders by `Subscription`. */
export const SUBSCRIPTION_TAG = 'Subscription';
export const SUBSCRIPTION_PLAN_NAME = 'Delivered every month';

const NOTES = [
  'Please leave the parcel at the back door, not the front.',
  'Gift for my sister, "happy birthday"! No invoice in the box please.',
  'Ring twice,\nthe bell is broken',
  'Si possible, livraison après 18h.',
];

/** Everything phase 2 needs; built once per shop by `generate.ts`. */
export interface OrderContext {
  opts: ResolvedOptions;
  shop: Shop;
  cal: ShopCalendar;
  plan: PurchasePlan;
  catalogue: Catalogue;
  root: Random;
  identities: readonly Identity[];
  /** Per buyer: the Customer, or null for guests. */
  customerOf: readonly (Customer | null)[];
  staff: Customer;
  shopCountryCode: string;
  /** Where ids and order numbers continue from (live mode appends to an existing shop). Default: the id bases, #1001. */
  start?: IdState;
  /** Per buyer: orders placed before this plan (live mode), so first-order discounts and VIP tags stay right. */
  priorOrders?: ArrayLike<number>;
}

/** The last ids handed out and the next order number. */
export interface IdState {
  orderNumber: number;
  orderId: number;
  lineItemId: number;
  refundId: number;
  refundLineItemId: number;
}

interface Line {
  variant: CatalogueVariant;
  quantity: number;
  unitShop: number;
  unitPres: number;
  discShop: number;
  discPres: number;
  taxShop: number;
  taxPres: number;
  sellingPlanName: string | null;
  /** Set once the order's line items are built (before any refund). */
  itemId: number;
  refundedQty: number;
  refundedSubShop: number;
  refundedSubPres: number;
  refundedTaxShop: number;
  refundedTaxPres: number;
}

/** Builds orders in time order; call `next()` once per event. */
export class OrderFactory {
  readonly #ctx: OrderContext;
  readonly #ordinal: Int32Array;
  #index = 0;
  #firstOrderNumber = 1001;
  #lastOrderId: number = ID_BASE.order;
  #lineItemId: number = ID_BASE.lineItem;
  #refundId: number = ID_BASE.refund;
  #refundLineItemId: number = ID_BASE.refundLineItem;
  readonly #shopExp: number;
  readonly #bfcmDays: Set<number>;
  /** Reused for every order, reset to the order's own derived stream. */
  readonly #rng: Random;
  readonly #rates = new Map<string, number>();
  readonly #taxes = new Map<string, { name: string; rate: number } | null>();
  readonly #moneyCache = new Map<string, (MoneyV2 | undefined)[]>();
  readonly #sameCurrencyBags: (MoneyBag | undefined)[] = new Array<MoneyBag | undefined>(MONEY_CACHE_SIZE);

  constructor(ctx: OrderContext) {
    this.#ctx = ctx;
    this.#rng = ctx.root.derive(Stream.order);
    this.#ordinal = new Int32Array(ctx.plan.buyerCount);
    if (ctx.priorOrders !== undefined) this.#ordinal.set(Array.from(ctx.priorOrders).slice(0, ctx.plan.buyerCount));
    if (ctx.start !== undefined) {
      this.#firstOrderNumber = ctx.start.orderNumber;
      this.#lastOrderId = ctx.start.orderId;
      this.#lineItemId = ctx.start.lineItemId;
      this.#refundId = ctx.start.refundId;
      this.#refundLineItemId = ctx.start.refundLineItemId;
    }
    this.#shopExp = currencyExponent(ctx.opts.currency);
    this.#bfcmDays = new Set();
    const firstYear = new Date(ctx.cal.startMs).getUTCFullYear();
    const lastYear = new Date(ctx.cal.endMs).getUTCFullYear();
    for (let y = firstYear; y <= lastYear; y++) {
      const bf = blackFridayDay(y);
      for (let d = 0; d <= 3; d++) this.#bfcmDays.add(bf + d);
    }
  }

  /** `usdRate` memoized per (currency, day): it is evaluated for every order. */
  #rate(currency: string, day: number): number {
    const key = `${currency}${day}`;
    let rate = this.#rates.get(key);
    if (rate === undefined) {
      rate = usdRate(currency, day);
      this.#rates.set(key, rate);
    }
    return rate;
  }

  #tax(countryCode: string | null, provinceCode: string | null): { name: string; rate: number } | null {
    const key = `${countryCode}|${provinceCode}`;
    let tax = this.#taxes.get(key);
    if (tax === undefined) {
      tax = taxFor(this.#ctx.shopCountryCode, countryCode, provinceCode);
      this.#taxes.set(key, tax);
    }
    return tax;
  }

  /** Ids handed out so far; feed it back as `start` to continue the shop. */
  idState(): IdState {
    return {
      orderNumber: this.#firstOrderNumber + this.#index,
      orderId: this.#lastOrderId,
      lineItemId: this.#lineItemId,
      refundId: this.#refundId,
      refundLineItemId: this.#refundLineItemId,
    };
  }

  get done(): boolean {
    return this.#index >= this.#ctx.plan.eventCount;
  }

  /** The next order in time order. */
  next(): Order {
    const ctx = this.#ctx;
    const { plan, opts, catalogue } = ctx;
    const j = this.#index++;
    const placedMs = plan.eventMs[j]!;
    const buyer = plan.eventBuyer[j]!;
    const kind = plan.eventKind[j]!;
    const rng = this.#rng.resetToDerived(ctx.root, Stream.order, plan.eventLabel[j]!);
    const test = kind === EventKind.test;
    const identity: Identity | null = buyer >= 0 ? ctx.identities[buyer]! : null;
    const customer: Customer | null = buyer >= 0 ? ctx.customerOf[buyer]! : ctx.staff;
    const ordinal = buyer >= 0 ? this.#ordinal[buyer]!++ : 0;
    const countryIndex = buyer >= 0 ? plan.country[buyer]! : COUNTRIES.findIndex((c) => c.code === ctx.shopCountryCode);
    const country = COUNTRIES[countryIndex]!;
    const address = identity?.address ?? ctx.staff.defaultAddress;
    const domestic = country.code === ctx.shopCountryCode;

    const presCurrency = opts.presentmentCurrencies.includes(country.currency) ? country.currency : opts.currency;
    const day = localDayNumber(placedMs, opts.timeZone);
    const presExp = currencyExponent(presCurrency);
    const k = presCurrency === opts.currency ? 1 : (this.#rate(presCurrency, day) / this.#rate(opts.currency, day)) * 10 ** (presExp - this.#shopExp);
    const conv = (shopMinor: number) => (k === 1 ? shopMinor : Math.round(shopMinor * k));
    const shopToday = this.#rate(opts.currency, day) * 10 ** this.#shopExp;

    // --- line items
    const lines: Line[] = [];
    const addLine = (variant: CatalogueVariant, quantity: number, sellingPlanName: string | null) => {
      const existing = lines.find((l) => l.variant === variant && l.sellingPlanName === sellingPlanName);
      if (existing !== undefined) {
        existing.quantity += quantity;
        return;
      }
      lines.push({
        variant,
        quantity,
        unitShop: variant.priceMinor,
        unitPres: conv(variant.priceMinor),
        discShop: 0,
        discPres: 0,
        taxShop: 0,
        taxPres: 0,
        sellingPlanName,
        itemId: 0,
        refundedQty: 0,
        refundedSubShop: 0,
        refundedSubPres: 0,
        refundedTaxShop: 0,
        refundedTaxPres: 0,
      });
    };
    if (kind === EventKind.subscriptionFirst || kind === EventKind.subscriptionRenewal) {
      const subscribable = catalogue.subscribable;
      const v = catalogue.variants[subscribable[buyer % subscribable.length]!]!;
      addLine(v, 1, SUBSCRIPTION_PLAN_NAME);
    }
    if (kind === EventKind.test) {
      addLine(catalogue.variants[catalogue.subscribable[0] ?? 0]!, 1, null);
    } else if (kind !== EventKind.subscriptionRenewal) {
      const targetShop = rng.gamma(opts.process.spendP, plan.spendRate[buyer]!) * shopToday;
      this.#fillLines(rng, targetShop, addLine);
    }

    // --- discounts (percentage or fixed on merchandise, or free shipping)
    const inBfcm = this.#bfcmDays.has(day);
    let code: { code: string; type: DiscountApplication['type']; pct: number; fixedShop: number } | null = null;
    if (!test && kind !== EventKind.subscriptionRenewal) {
      if (inBfcm && rng.bernoulli(0.55)) code = { code: 'BFCM25', type: 'percentage', pct: 0.25, fixedShop: 0 };
      else if (ordinal === 0 && rng.bernoulli(0.22)) code = { code: 'WELCOME10', type: 'percentage', pct: 0.1, fixedShop: 0 };
      else if (rng.bernoulli(opts.behaviour.discountShare)) {
        const u = rng.next();
        if (u < 0.5) code = { code: 'SPRING15', type: 'percentage', pct: 0.15, fixedShop: 0 };
        else if (u < 0.8) code = { code: 'FREESHIP', type: 'shipping', pct: 0, fixedShop: 0 };
        else code = { code: 'TAKE10', type: 'fixed_amount', pct: 0, fixedShop: pricePoint(10, opts.currency) + (this.#shopExp === 0 ? 0 : 1) };
      }
    }
    const discountable = lines.filter((l) => !l.variant.giftCard);
    const merchShop = discountable.reduce((s, l) => s + l.unitShop * l.quantity, 0);
    if (code !== null && code.type === 'fixed_amount' && merchShop < 3 * code.fixedShop) code = null;
    if (code !== null && code.type !== 'shipping' && discountable.length === 0) code = null;
    if (code !== null && code.type !== 'shipping') {
      const totalDisc = code.type === 'percentage' ? Math.floor(merchShop * code.pct) : code.fixedShop;
      let left = totalDisc;
      discountable.forEach((l, i) => {
        const share = i === discountable.length - 1 ? left : Math.floor((totalDisc * l.unitShop * l.quantity) / merchShop);
        l.discShop = share;
        l.discPres = conv(share);
        left -= share;
      });
    }

    // --- taxes, per line (exclusive pricing; exports zero-rated)
    const tax = this.#tax(address?.countryCode ?? null, address?.provinceCode ?? null);
    const taxExempt = customer?.taxExempt ?? false;
    for (const l of lines) {
      if (tax !== null && !taxExempt && l.variant.taxable) {
        l.taxShop = Math.round((l.unitShop * l.quantity - l.discShop) * tax.rate);
        l.taxPres = conv(l.taxShop);
      }
    }

    // --- source and shipping
    const pos = !test && buyer >= 0 && domestic && kind === EventKind.regular && rng.bernoulli(0.03);
    const needsShipping = !pos && lines.some((l) => l.variant.requiresShipping);
    let shippingLine: ShippingLine | null = null;
    let shipShop = 0;
    let shipDiscShop = 0;
    if (needsShipping) {
      const subtotalUsd = lines.reduce((s, l) => s + l.unitShop * l.quantity - l.discShop, 0) / shopToday;
      let title: string;
      let usd: number;
      if (kind === EventKind.subscriptionRenewal) [title, usd] = ['Subscription Shipping', 0];
      else if (!domestic) [title, usd] = ['International Shipping', 19.9];
      else if (rng.bernoulli(0.14)) [title, usd] = ['Express', 14.9];
      else [title, usd] = ['Standard', subtotalUsd >= 75 ? 0 : 5.9];
      shipShop = usd === 0 ? 0 : pricePoint(usd, opts.currency);
      if (code?.type === 'shipping') shipDiscShop = shipShop;
      shippingLine = { title, code: title.toLowerCase().replace(/ /g, '-'), originalPriceSet: this.#bag(shipShop, conv(shipShop), presCurrency) };
    }
    if (code?.type === 'shipping' && shipDiscShop === 0) code = null;

    // --- totals in both currencies, as sums of atoms
    let subShop = 0,
      subPres = 0,
      taxShopSum = 0,
      taxPresSum = 0,
      discShopSum = 0,
      discPresSum = 0;
    for (const l of lines) {
      subShop += l.unitShop * l.quantity - l.discShop;
      subPres += l.unitPres * l.quantity - l.discPres;
      taxShopSum += l.taxShop;
      taxPresSum += l.taxPres;
      discShopSum += l.discShop;
      discPresSum += l.discPres;
    }
    const shipNetShop = shipShop - shipDiscShop;
    const shipNetPres = conv(shipShop) - conv(shipDiscShop);
    discShopSum += shipDiscShop;
    discPresSum += conv(shipDiscShop);
    const totalShop = subShop + shipNetShop + taxShopSum;
    const totalPres = subPres + shipNetPres + taxPresSum;

    // --- ids and line item objects
    const orderId = this.#lastOrderId + 1 + rng.int(2048);
    this.#lastOrderId = orderId;
    const lineItems: LineItem[] = lines.map((l) => {
      this.#lineItemId += 1 + (l.quantity & 1);
      const item: LineItem = {
        id: this.#lineItemId,
        productId: l.variant.productId,
        variantId: l.variant.variantId,
        title: l.variant.title,
        variantTitle: l.variant.variantTitle,
        sku: l.variant.sku,
        vendor: l.variant.vendor,
        quantity: l.quantity,
        currentQuantity: l.quantity,
        originalUnitPriceSet: this.#bag(l.unitShop, l.unitPres, presCurrency),
        totalDiscountSet: this.#bag(l.discShop, l.discPres, presCurrency),
        requiresShipping: l.variant.requiresShipping,
        taxable: l.variant.taxable,
        sellingPlanName: l.sellingPlanName,
      };
      l.itemId = item.id;
      return item;
    });

    // --- payment, cancellation, fulfilment, refunds
    const gateways = test ? GATEWAYS.bogus : pos ? GATEWAYS.cash : this.#gateways(rng);
    const refundGateway = gateways[gateways.length - 1]!;
    const endMs = opts.endMs;
    let financialStatus: Order['financialStatus'] = 'PAID';
    let cancelledAtMs: number | null = null;
    let cancelReason: OrderCancelReason | null = null;
    const refunds: Refund[] = [];
    let fulfillment: FulfillmentStatus = 'UNFULFILLED';
    let fulfilledAtMs: number | null = null;
    const bh = opts.behaviour;
    const fate = rng.next();
    const cancel = !test && !pos && kind !== EventKind.subscriptionRenewal && fate < bh.cancelShare;
    if (cancel) {
      const at = placedMs + 1000 * Math.ceil(rng.exponential(1 / (6 * 3600)));
      if (at < endMs) {
        cancelledAtMs = at;
        const u = rng.next();
        cancelReason = u < 0.5 ? 'CUSTOMER' : u < 0.7 ? 'INVENTORY' : u < 0.85 ? 'FRAUD' : 'DECLINED';
        if (cancelReason === 'DECLINED') financialStatus = 'VOIDED';
        else refunds.push(this.#refund(lines, true, shipNetShop, shipNetPres, at, 'CANCEL', 'Order cancelled', refundGateway, presCurrency));
      }
    }
    if (cancelledAtMs === null) {
      const shipsLater = needsShipping;
      const at = shipsLater ? sampleTimeBetween(ctx.cal, placedMs + 0.5 * DAY_MS, placedMs + 4 * DAY_MS, rng) : placedMs;
      if (at < endMs) {
        fulfillment = 'FULFILLED';
        fulfilledAtMs = at;
      }
      if (!test && fulfilledAtMs !== null) {
        const fullRefund = fate >= bh.cancelShare && fate < bh.cancelShare + bh.fullRefundShare;
        const partialRefund = !fullRefund && fate >= bh.cancelShare + bh.fullRefundShare && fate < bh.cancelShare + bh.fullRefundShare + bh.partialRefundShare;
        if (partialRefund) {
          let at1 = fulfilledAtMs + 1000 * Math.floor((2 + rng.next() * 23) * 86400);
          const returnable = lines.filter((l) => !l.variant.giftCard);
          const target = returnable.length > 0 ? rng.pick(returnable) : null;
          if (target !== null && at1 < endMs) {
            const units = target.quantity > 1 && rng.bernoulli(0.3) ? 2 : 1;
            refunds.push(this.#refundUnits(target, Math.min(units, target.quantity), at1, refundGateway, presCurrency));
            // Now and then a second item comes back later.
            const second = rng.pick(returnable);
            at1 += 1000 * Math.floor((1 + rng.next() * 10) * 86400);
            if (rng.bernoulli(0.15) && second.refundedQty < second.quantity && at1 < endMs) {
              refunds.push(this.#refundUnits(second, 1, at1, refundGateway, presCurrency));
            }
          }
        } else if (fullRefund) {
          const at2 = fulfilledAtMs + 1000 * Math.floor((3 + rng.next() * 27) * 86400);
          if (at2 < endMs) {
            refunds.push(this.#refund(lines, true, shipNetShop, shipNetPres, at2, 'RETURN', 'Returned: not as expected', refundGateway, presCurrency));
          }
        }
      }
    }
    lines.forEach((l, i) => {
      lineItems[i]!.currentQuantity = l.quantity - l.refundedQty;
    });

    let updatedAtMs = placedMs;
    for (const t of [cancelledAtMs, fulfilledAtMs, ...refunds.map((r) => r.createdAtMs)]) {
      if (t !== null && t > updatedAtMs) updatedAtMs = t;
    }
    const orderNumber = this.#firstOrderNumber + j;
    const subscription = kind === EventKind.subscriptionFirst || kind === EventKind.subscriptionRenewal;
    const tags: string[] = [];
    if (kind === EventKind.subscriptionFirst) tags.push(SUBSCRIPTION_TAG, 'Subscription First Order');
    if (kind === EventKind.subscriptionRenewal) tags.push(SUBSCRIPTION_TAG, 'Subscription Recurring Order');
    if (ordinal >= 4) tags.push('VIP');
    if (kind === EventKind.regular && inBfcm) tags.push('bfcm');

    let email = identity?.email ?? ctx.staff.email;
    // Guests retype their address: now and then with capitals (identity is the lower-cased email).
    if (customer === null && ordinal > 0 && email !== null && rng.bernoulli(0.15)) email = email.charAt(0).toUpperCase() + email.slice(1);

    const order: Order = {
      id: orderId,
      name: `#${orderNumber}`,
      orderNumber,
      email,
      phone: identity?.phone ?? null,
      customerId: customer?.id ?? null,
      createdAtMs: placedMs,
      processedAtMs: placedMs,
      updatedAtMs,
      cancelledAtMs,
      cancelReason,
      closedAtMs: cancelledAtMs ?? (fulfillment === 'FULFILLED' ? fulfilledAtMs : null),
      test,
      currencyCode: opts.currency,
      presentmentCurrencyCode: presCurrency,
      subtotalPriceSet: this.#bag(subShop, subPres, presCurrency),
      totalShippingPriceSet: this.#bag(shipNetShop, shipNetPres, presCurrency),
      totalTaxSet: this.#bag(taxShopSum, taxPresSum, presCurrency),
      totalDiscountsSet: this.#bag(discShopSum, discPresSum, presCurrency),
      totalPriceSet: this.#bag(totalShop, totalPres, presCurrency),
      lineItems,
      refunds: refunds.length === 0 ? NONE : refunds,
      shippingLine,
      discountCodes: code === null ? NONE : [{ code: code.code, type: code.type, amountSet: this.#bag(discShopSum, discPresSum, presCurrency) }],
      financialStatus,
      fulfillmentStatus: fulfillment,
      tags: tags.length === 0 ? NONE : tags,
      sourceName: pos ? 'pos' : kind === EventKind.subscriptionRenewal ? 'subscription_contract' : 'web',
      subscription,
      paymentGatewayNames: gateways,
      note: rng.bernoulli(0.015) ? rng.pick(NOTES) : null,
      billingAddress: address,
      shippingAddress: needsShipping ? address : null,
    };
    return order;
  }

  #fillLines(rng: Random, targetShop: number, addLine: (v: CatalogueVariant, q: number, plan: string | null) => void): void {
    const { catalogue } = this.#ctx;
    let remaining = targetShop;
    let count = 0;
    for (let attempt = 0; attempt < 14 && count < 6; attempt++) {
      const v = catalogue.variants[rng.weightedIndex(catalogue.cumulativeWeight)]!;
      if (count === 0 ? v.priceMinor > 2 * targetShop && attempt < 8 : v.priceMinor > remaining * 1.3) continue;
      let quantity = 1;
      while (quantity < 4 && (quantity + 1) * v.priceMinor <= remaining * 1.1 && rng.bernoulli(0.3)) quantity++;
      addLine(v, quantity, null);
      count++;
      remaining -= quantity * v.priceMinor;
      if (remaining < 0.25 * targetShop || remaining < catalogue.cheapestMinor * 0.8) break;
    }
    if (count === 0) addLine(catalogue.variants[rng.weightedIndex(catalogue.cumulativeWeight)]!, 1, null);
  }

  #gateways(rng: Random): string[] {
    const u = rng.next();
    if (u < 0.78) return GATEWAYS.shopifyPayments;
    if (u < 0.95) return GATEWAYS.paypal;
    if (u < 0.98) return GATEWAYS.giftCardAndCard;
    return GATEWAYS.manual;
  }

  /**
   * A MoneyBag of the two amounts. Small amounts reuse frozen `MoneyV2` (and, in the shop currency, whole `MoneyBag`)
   * objects: a million orders repeat the same prices, and sharing them keeps memory and GC time down. Consumers never
   * mutate money in place (the fake builds new objects), and freezing makes an accidental write throw.
   */
  #bag(shopMinor: number, presMinor: number, presCurrency: string): MoneyBag {
    const shopCurrency = this.#ctx.opts.currency;
    if (presCurrency === shopCurrency && shopMinor === presMinor && shopMinor >= 0 && shopMinor < MONEY_CACHE_SIZE) {
      let bag = this.#sameCurrencyBags[shopMinor];
      if (bag === undefined) {
        const money = this.#money(shopMinor, shopCurrency);
        bag = Object.freeze({ shopMoney: money, presentmentMoney: money });
        this.#sameCurrencyBags[shopMinor] = bag;
      }
      return bag;
    }
    return { shopMoney: this.#money(shopMinor, shopCurrency), presentmentMoney: this.#money(presMinor, presCurrency) };
  }

  #money(minor: number, currency: string): MoneyV2 {
    if (minor < 0 || minor >= MONEY_CACHE_SIZE) return { amount: minorToDecimal(minor, currency), currencyCode: currency };
    let cache = this.#moneyCache.get(currency);
    if (cache === undefined) {
      cache = new Array<MoneyV2 | undefined>(MONEY_CACHE_SIZE);
      this.#moneyCache.set(currency, cache);
    }
    let money = cache[minor];
    if (money === undefined) {
      money = Object.freeze({ amount: minorToDecimal(minor, currency), currencyCode: currency });
      cache[minor] = money;
    }
    return money;
  }

  /** Refunds `units` of one line (a return), prorating its net price and tax. */
  #refundUnits(l: Line, units: number, atMs: number, gateway: string, presCurrency: string): Refund {
    const rli = this.#refundLine(l, units, 'RETURN', presCurrency);
    const shop = rli.sub[0] + rli.tax[0];
    const pres = rli.sub[1] + rli.tax[1];
    return {
      id: ++this.#refundId,
      createdAtMs: atMs,
      processedAtMs: atMs,
      note: 'Return',
      totalRefundedSet: this.#bag(shop, pres, presCurrency),
      refundLineItems: [rli.item],
      gateway,
    };
  }

  /** Refunds every unit not yet refunded, plus shipping when `withShipping`. */
  #refund(
    lines: Line[],
    withShipping: boolean,
    shipShop: number,
    shipPres: number,
    atMs: number,
    restockType: RefundLineItem['restockType'],
    note: string,
    gateway: string,
    presCurrency: string,
  ): Refund {
    let shop = withShipping ? shipShop : 0;
    let pres = withShipping ? shipPres : 0;
    const items: RefundLineItem[] = [];
    for (const l of lines) {
      const units = l.quantity - l.refundedQty;
      if (units <= 0) continue;
      const rli = this.#refundLine(l, units, restockType, presCurrency);
      shop += rli.sub[0] + rli.tax[0];
      pres += rli.sub[1] + rli.tax[1];
      items.push(rli.item);
    }
    return {
      id: ++this.#refundId,
      createdAtMs: atMs,
      processedAtMs: atMs,
      note,
      totalRefundedSet: this.#bag(shop, pres, presCurrency),
      refundLineItems: items,
      gateway,
    };
  }

  #refundLine(l: Line, units: number, restockType: RefundLineItem['restockType'], presCurrency: string) {
    const netShop = l.unitShop * l.quantity - l.discShop;
    const netPres = l.unitPres * l.quantity - l.discPres;
    const last = l.refundedQty + units === l.quantity;
    // The last units take what is left, so a line never refunds more than it cost.
    const subShop = last ? netShop - l.refundedSubShop : Math.round((netShop * units) / l.quantity);
    const subPres = last ? netPres - l.refundedSubPres : Math.round((netPres * units) / l.quantity);
    const taxShop = last ? l.taxShop - l.refundedTaxShop : Math.round((l.taxShop * units) / l.quantity);
    const taxPres = last ? l.taxPres - l.refundedTaxPres : Math.round((l.taxPres * units) / l.quantity);
    l.refundedQty += units;
    l.refundedSubShop += subShop;
    l.refundedSubPres += subPres;
    l.refundedTaxShop += taxShop;
    l.refundedTaxPres += taxPres;
    const item: RefundLineItem = {
      id: ++this.#refundLineItemId,
      lineItemId: l.itemId,
      quantity: units,
      restockType,
      subtotalSet: this.#bag(subShop, subPres, presCurrency),
      totalTaxSet: this.#bag(taxShop, taxPres, presCurrency),
    };
    return { item, sub: [subShop, subPres] as const, tax: [taxShop, taxPres] as const };
  }
}
