import type { Customer, LineItem, MailingAddress, MoneyBag, Order, Refund, Shop } from '../shop-model/types.ts';
import { decimalToMinor, minorToDecimal } from '../shop-model/money.ts';
import { currentTotal, displayFinancialStatus, subtractBags, totalRefunded } from './derived.ts';
import { toGid } from './gid.ts';

/**
 * REST-shaped JSON of webhook payloads (shopify-platform.md §2.3): snake_case, numeric `id` plus
 * `admin_graphql_api_id`, money as decimal strings and `*_set` bags, times as ISO 8601 with the shop's UTC offset.
 */

/** `2026-01-02T03:04:05-05:00`: an instant in the shop's time zone, as REST payloads print it. */
export function restTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms));
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  const off = get('timeZoneName').replace('GMT', '') || '+00:00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${off}`;
}

function restTimeOrNull(ms: number | null, tz: string): string | null {
  return ms === null ? null : restTime(ms, tz);
}

function bag(b: MoneyBag): unknown {
  return {
    shop_money: { amount: b.shopMoney.amount, currency_code: b.shopMoney.currencyCode },
    presentment_money: { amount: b.presentmentMoney.amount, currency_code: b.presentmentMoney.currencyCode },
  };
}

function address(a: MailingAddress | null): unknown {
  if (a === null) return null;
  return {
    first_name: a.firstName,
    last_name: a.lastName,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.province,
    province_code: a.provinceCode,
    zip: a.zip,
    country: a.country,
    country_code: a.countryCode,
    phone: a.phone,
    name: [a.firstName, a.lastName].filter((x) => x !== null && x !== '').join(' '),
  };
}

const FULFILLMENT_REST: Record<string, string | null> = {
  UNFULFILLED: null,
  PARTIALLY_FULFILLED: 'partial',
  FULFILLED: 'fulfilled',
  RESTOCKED: 'restocked',
};

/** The `customer` object of `customers/*` topics and the one embedded in orders. */
export function customerPayload(c: Customer, shop: Shop): Record<string, unknown> {
  const tz = shop.ianaTimezone;
  return {
    id: c.id,
    email: c.email,
    created_at: restTime(c.createdAtMs, tz),
    updated_at: restTime(c.updatedAtMs, tz),
    first_name: c.firstName,
    last_name: c.lastName,
    state: c.state.toLowerCase(),
    note: c.note,
    verified_email: c.verifiedEmail,
    multipass_identifier: null,
    tax_exempt: c.taxExempt,
    phone: c.phone,
    currency: shop.currencyCode,
    tags: c.tags.join(', '),
    addresses: c.defaultAddress === null ? [] : [{ id: c.id, customer_id: c.id, default: true, ...(address(c.defaultAddress) as object) }],
    tax_exemptions: [],
    admin_graphql_api_id: toGid('Customer', c.id),
    default_address: c.defaultAddress === null ? null : { id: c.id, customer_id: c.id, default: true, ...(address(c.defaultAddress) as object) },
  };
}

function lineItemPayload(li: LineItem): Record<string, unknown> {
  return {
    id: li.id,
    admin_graphql_api_id: toGid('LineItem', li.id),
    product_id: li.productId,
    variant_id: li.variantId,
    sku: li.sku ?? '',
    title: li.title,
    variant_title: li.variantTitle,
    name: li.variantTitle === null ? li.title : `${li.title} - ${li.variantTitle}`,
    vendor: li.vendor,
    quantity: li.quantity,
    current_quantity: li.currentQuantity,
    fulfillable_quantity: li.currentQuantity,
    price: li.originalUnitPriceSet.shopMoney.amount,
    price_set: bag(li.originalUnitPriceSet),
    total_discount: li.totalDiscountSet.shopMoney.amount,
    total_discount_set: bag(li.totalDiscountSet),
    requires_shipping: li.requiresShipping,
    taxable: li.taxable,
    gift_card: false,
    selling_plan_allocation: li.sellingPlanName === null ? null : { selling_plan_name: li.sellingPlanName },
  };
}

/** The `refunds/create` payload, also embedded in `orders/*` payloads. */
export function refundPayload(r: Refund, order: Order, shop: Shop): Record<string, unknown> {
  const tz = shop.ianaTimezone;
  return {
    id: r.id,
    order_id: order.id,
    created_at: restTime(r.createdAtMs, tz),
    processed_at: restTime(r.processedAtMs, tz),
    note: r.note,
    restock: r.refundLineItems.some((x) => x.restockType !== 'NO_RESTOCK'),
    admin_graphql_api_id: toGid('Refund', r.id),
    refund_line_items: r.refundLineItems.map((rli) => {
      const li = order.lineItems.find((x) => x.id === rli.lineItemId);
      return {
        id: rli.id,
        line_item_id: rli.lineItemId,
        quantity: rli.quantity,
        restock_type: rli.restockType.toLowerCase(),
        subtotal: Number(rli.subtotalSet.shopMoney.amount),
        subtotal_set: bag(rli.subtotalSet),
        total_tax: Number(rli.totalTaxSet.shopMoney.amount),
        total_tax_set: bag(rli.totalTaxSet),
        line_item: li === undefined ? null : lineItemPayload(li),
      };
    }),
    transactions: [
      {
        id: r.id,
        order_id: order.id,
        kind: 'refund',
        gateway: r.gateway,
        status: 'success',
        amount: r.totalRefundedSet.presentmentMoney.amount,
        currency: r.totalRefundedSet.presentmentMoney.currencyCode,
        created_at: restTime(r.createdAtMs, tz),
        processed_at: restTime(r.processedAtMs, tz),
        test: order.test,
        admin_graphql_api_id: toGid('OrderTransaction', r.id),
      },
    ],
    order_adjustments: [],
  };
}

/** The `orders/create|updated|paid|cancelled` payload. */
export function orderPayload(o: Order, customer: Customer | null, shop: Shop): Record<string, unknown> {
  const tz = shop.ianaTimezone;
  const refunded = totalRefunded(o);
  const current = currentTotal(o);
  const lineItemsTotalMinor = o.lineItems.reduce((n, li) => n + decimalToMinor(li.originalUnitPriceSet.shopMoney.amount, o.currencyCode) * li.quantity, 0);
  return {
    id: o.id,
    admin_graphql_api_id: toGid('Order', o.id),
    name: o.name,
    order_number: o.orderNumber,
    number: o.orderNumber - 1000,
    email: o.email,
    contact_email: o.email,
    phone: o.phone,
    created_at: restTime(o.createdAtMs, tz),
    processed_at: restTime(o.processedAtMs, tz),
    updated_at: restTime(o.updatedAtMs, tz),
    cancelled_at: restTimeOrNull(o.cancelledAtMs, tz),
    cancel_reason: o.cancelReason?.toLowerCase() ?? null,
    closed_at: restTimeOrNull(o.closedAtMs, tz),
    confirmed: true,
    test: o.test,
    currency: o.currencyCode,
    presentment_currency: o.presentmentCurrencyCode,
    financial_status: displayFinancialStatus(o).toLowerCase(),
    fulfillment_status: FULFILLMENT_REST[o.fulfillmentStatus] ?? null,
    source_name: o.sourceName,
    tags: o.tags.join(', '),
    note: o.note,
    buyer_accepts_marketing: customer?.acceptsMarketing ?? false,
    payment_gateway_names: o.paymentGatewayNames,
    subtotal_price: o.subtotalPriceSet.shopMoney.amount,
    subtotal_price_set: bag(o.subtotalPriceSet),
    total_price: o.totalPriceSet.shopMoney.amount,
    total_price_set: bag(o.totalPriceSet),
    total_tax: o.totalTaxSet.shopMoney.amount,
    total_tax_set: bag(o.totalTaxSet),
    total_discounts: o.totalDiscountsSet.shopMoney.amount,
    total_discounts_set: bag(o.totalDiscountsSet),
    total_shipping_price_set: bag(o.totalShippingPriceSet),
    total_line_items_price: minorToDecimal(lineItemsTotalMinor, o.currencyCode),
    current_total_price: current.shopMoney.amount,
    current_total_price_set: bag(current),
    current_subtotal_price: subtractBags(o.subtotalPriceSet, refunded).shopMoney.amount,
    current_subtotal_price_set: bag(subtractBags(o.subtotalPriceSet, refunded)),
    current_total_tax: o.totalTaxSet.shopMoney.amount,
    current_total_tax_set: bag(o.totalTaxSet),
    current_total_discounts: o.totalDiscountsSet.shopMoney.amount,
    current_total_discounts_set: bag(o.totalDiscountsSet),
    discount_codes: o.discountCodes.map((d) => ({ code: d.code, amount: d.amountSet.shopMoney.amount, type: d.type })),
    customer: customer === null ? null : customerPayload(customer, shop),
    billing_address: address(o.billingAddress),
    shipping_address: address(o.shippingAddress),
    line_items: o.lineItems.map(lineItemPayload),
    refunds: o.refunds.map((r) => refundPayload(r, o, shop)),
    shipping_lines:
      o.shippingLine === null
        ? []
        : [
            {
              title: o.shippingLine.title,
              code: o.shippingLine.code,
              price: o.shippingLine.originalPriceSet.shopMoney.amount,
              price_set: bag(o.shippingLine.originalPriceSet),
            },
          ],
  };
}

/** The `app/uninstalled` and `shop/update` payload: the shop resource. */
export function shopPayload(shop: Shop): Record<string, unknown> {
  return {
    id: shop.id,
    name: shop.name,
    email: shop.email,
    domain: shop.domain,
    myshopify_domain: shop.domain,
    plan_name: shop.plan.name.toLowerCase(),
    plan_display_name: shop.plan.name,
    currency: shop.currencyCode,
    iana_timezone: shop.ianaTimezone,
    created_at: restTime(shop.createdAtMs, shop.ianaTimezone),
    admin_graphql_api_id: toGid('Shop', shop.id),
  };
}

/** `customers/delete`: only the id survives. */
export function customerDeletePayload(c: Customer): Record<string, unknown> {
  return { id: c.id, phone: null, addresses: [], tax_exemptions: [], email_marketing_consent: null, admin_graphql_api_id: toGid('Customer', c.id) };
}

/** Keeps only `includeFields` (top-level keys), as a subscription's `includeFields` trims payloads. */
export function trimPayload(payload: Record<string, unknown>, includeFields: readonly string[]): Record<string, unknown> {
  if (includeFields.length === 0) return payload;
  return Object.fromEntries(Object.entries(payload).filter(([k]) => includeFields.includes(k)));
}
