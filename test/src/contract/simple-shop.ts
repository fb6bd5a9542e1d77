import { moneyBag } from '../shop-model/money.ts';
import { plainCustomer } from '../shop-model/customer.ts';
import { SHOP_PLANS, type Customer, type Order, type PlanName, type ShopData } from '../shop-model/types.ts';
import { Random } from '../generator/random.ts';

/**
 * A plain seeded shop for the contract tests: `customers` customers, `orders` orders spread over `spanDays` before
 * `endMs`, one or two line items each, a refund on every 10th, a guest on every 7th. Not realistic (that is the
 * generator's job); only shaped like Shopify.
 */
export function buildSimpleShop(options: {
  domain: string;
  orders: number;
  customers: number;
  seed?: number;
  endMs?: number;
  spanDays?: number;
  currencyCode?: string;
  plan?: PlanName;
}): ShopData {
  const random = new Random(options.seed ?? 7);
  const rng = (): number => random.next();
  const endMs = options.endMs ?? Date.UTC(2026, 10, 1);
  const spanMs = (options.spanDays ?? 700) * 86_400_000;
  const cur = options.currencyCode ?? 'USD';
  const shopId = 1 + Math.floor(rng() * 1e6);
  const customers: Customer[] = [];
  for (let i = 1; i <= options.customers; i++) {
    const createdAtMs = endMs - spanMs + Math.floor(rng() * spanMs * 0.5);
    customers.push(
      plainCustomer({
        id: 7_000_000_000 + i,
        email: `customer${i}@example.com`,
        firstName: `First${i}`,
        lastName: `Last${i}`,
        createdAtMs,
        acceptsMarketing: i % 3 === 0,
      }),
    );
  }
  const orders: Order[] = [];
  const startMs = endMs - spanMs;
  for (let i = 1; i <= options.orders; i++) {
    // Increasing times so ids and created_at sort alike; a little jitter keeps ties rare.
    const createdAtMs = startMs + Math.floor(((i - 1 + rng() * 0.9) / options.orders) * spanMs);
    const guest = i % 7 === 0 || options.customers === 0;
    const c = guest ? null : (customers[Math.floor(rng() * customers.length)] as Customer);
    const n = 1 + Math.floor(rng() * 2);
    let subtotal = 0;
    const lineItems = [];
    for (let k = 0; k < n; k++) {
      const unit = 500 + Math.floor(rng() * 9500);
      const qty = 1 + Math.floor(rng() * 3);
      subtotal += unit * qty;
      const pid = 100 + Math.floor(rng() * 50);
      lineItems.push({
        id: 9_000_000_000 + i * 4 + k,
        productId: pid,
        variantId: pid * 10,
        title: `Product ${pid}`,
        variantTitle: null,
        sku: `SKU-${pid}`,
        vendor: 'Acme',
        quantity: qty,
        currentQuantity: qty,
        originalUnitPriceSet: moneyBag(unit, cur, unit, cur),
        totalDiscountSet: moneyBag(0, cur, 0, cur),
        requiresShipping: true,
        taxable: true,
        sellingPlanName: null,
      });
    }
    const shipping = 500;
    const tax = Math.round(subtotal * 0.08);
    const total = subtotal + shipping + tax;
    const refunds =
      i % 10 === 0
        ? [
            {
              id: 8_000_000_000 + i,
              createdAtMs: createdAtMs + 86_400_000,
              processedAtMs: createdAtMs + 86_400_000,
              note: null,
              totalRefundedSet: moneyBag(Math.round(total / 2), cur, Math.round(total / 2), cur),
              refundLineItems: [],
              gateway: 'shopify_payments',
            },
          ]
        : [];
    orders.push({
      id: 5_000_000_000 + i,
      name: `#${1000 + i}`,
      orderNumber: 1000 + i,
      email: c?.email ?? `guest${i}@example.com`,
      phone: null,
      customerId: c?.id ?? null,
      createdAtMs,
      processedAtMs: createdAtMs,
      updatedAtMs: refunds.length > 0 ? createdAtMs + 86_400_000 : createdAtMs,
      cancelledAtMs: null,
      cancelReason: null,
      closedAtMs: null,
      test: false,
      currencyCode: cur,
      presentmentCurrencyCode: cur,
      subtotalPriceSet: moneyBag(subtotal, cur, subtotal, cur),
      totalShippingPriceSet: moneyBag(shipping, cur, shipping, cur),
      totalTaxSet: moneyBag(tax, cur, tax, cur),
      totalDiscountsSet: moneyBag(0, cur, 0, cur),
      totalPriceSet: moneyBag(total, cur, total, cur),
      lineItems,
      refunds,
      shippingLine: { title: 'Standard', code: 'STD', originalPriceSet: moneyBag(shipping, cur, shipping, cur) },
      discountCodes: [],
      financialStatus: 'PAID',
      fulfillmentStatus: 'FULFILLED',
      tags: [],
      sourceName: 'web',
      subscription: false,
      paymentGatewayNames: ['shopify_payments'],
      note: null,
      billingAddress: null,
      shippingAddress: null,
    });
  }
  return {
    shop: {
      id: shopId,
      domain: options.domain,
      name: options.domain.split('.')[0] ?? options.domain,
      email: `owner@${options.domain}`,
      currencyCode: cur,
      ianaTimezone: 'America/New_York',
      plan: { ...SHOP_PLANS[options.plan ?? 'Shopify'] },
      createdAtMs: startMs,
    },
    customers,
    orders,
  };
}
