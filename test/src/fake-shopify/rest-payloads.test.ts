import { describe, expect, it } from 'vitest';
import { buildSimpleShop } from '../contract/simple-shop.ts';
import { moneyBag } from '../shop-model/money.ts';
import { customerPayload, orderPayload, refundPayload, restTime, shopPayload } from './rest-payloads.ts';

const data = buildSimpleShop({ domain: 'rest.myshopify.com', orders: 20, customers: 3 });
const refunded = data.orders.find((o) => o.refunds.length > 0);
if (refunded === undefined) throw new Error('fixture has no refunded order');

describe('orderPayload', () => {
  it('has the REST keys shopify-platform.md §2.3 lists for retention', () => {
    const p = orderPayload(refunded, data.customers.find((c) => c.id === refunded.customerId) ?? null, data.shop);
    for (const key of [
      'id',
      'admin_graphql_api_id',
      'name',
      'order_number',
      'email',
      'created_at',
      'processed_at',
      'updated_at',
      'cancelled_at',
      'cancel_reason',
      'test',
      'currency',
      'presentment_currency',
      'financial_status',
      'source_name',
      'total_price',
      'subtotal_price',
      'current_total_price',
      'current_subtotal_price',
      'total_discounts',
      'total_price_set',
      'customer',
      'line_items',
      'refunds',
    ]) {
      expect(p).toHaveProperty(key);
    }
    expect(p['financial_status']).toBe('partially_refunded');
    expect(p['total_price_set']).toEqual({
      shop_money: { amount: refunded.totalPriceSet.shopMoney.amount, currency_code: 'USD' },
      presentment_money: { amount: refunded.totalPriceSet.presentmentMoney.amount, currency_code: 'USD' },
    });
    const li = (p['line_items'] as Record<string, unknown>[])[0];
    for (const key of [
      'id',
      'admin_graphql_api_id',
      'product_id',
      'variant_id',
      'sku',
      'title',
      'name',
      'quantity',
      'current_quantity',
      'price',
      'price_set',
      'total_discount',
      'gift_card',
    ]) {
      expect(li).toHaveProperty(key);
    }
  });

  it('prints amounts with the currency exponent and a null customer for guests', () => {
    const yen = buildSimpleShop({ domain: 'yen.myshopify.com', orders: 1, customers: 0, currencyCode: 'JPY' });
    const order = { ...yen.orders[0]!, totalPriceSet: moneyBag(1200, 'JPY', 1200, 'JPY') };
    const p = orderPayload(order, null, yen.shop);
    expect(p['total_price']).toBe('1200');
    expect(p['total_line_items_price']).toMatch(/^\d+$/);
    expect(p['customer']).toBeNull();
  });
});

describe('refundPayload, customerPayload, shopPayload', () => {
  it('shapes refunds, customers and the shop as their webhooks do', () => {
    const r = refundPayload(refunded.refunds[0]!, refunded, data.shop);
    expect(r).toMatchObject({ order_id: refunded.id, transactions: [{ kind: 'refund', status: 'success', currency: 'USD' }], order_adjustments: [] });
    const c = customerPayload(data.customers[0]!, data.shop);
    expect(c).toMatchObject({ id: data.customers[0]!.id, state: 'enabled', admin_graphql_api_id: `gid://shopify/Customer/${data.customers[0]!.id}` });
    expect(c).not.toHaveProperty('orders_count');
    expect(shopPayload(data.shop)).toMatchObject({ myshopify_domain: 'rest.myshopify.com', currency: 'USD' });
  });
});

describe('restTime', () => {
  it('prints the instant with the shop offset, across daylight saving time', () => {
    expect(restTime(Date.UTC(2026, 0, 2, 8, 4, 5), 'America/New_York')).toBe('2026-01-02T03:04:05-05:00');
    expect(restTime(Date.UTC(2026, 6, 2, 8, 4, 5), 'America/New_York')).toBe('2026-07-02T04:04:05-04:00');
    expect(restTime(Date.UTC(2026, 6, 2, 8, 4, 5), 'UTC')).toBe('2026-07-02T08:04:05+00:00');
  });
});
