import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import {
  isSubscriptionOrder,
  orderFromGraphql,
  orderFromWebhook,
  parseShopifyId,
  parseTimeMs,
  refundFromWebhook,
  sellingPlanLineOf,
  sellingPlansOf,
} from './order.ts';
import { parseJsonExact } from './json.ts';

const graphqlOrder = (extra: Record<string, unknown>) => ({
  id: 'gid://shopify/Order/42',
  createdAt: '2026-03-01T10:00:00Z',
  processedAt: '2026-03-01T10:00:00Z',
  updatedAt: '2026-03-02T10:00:00Z',
  cancelledAt: null,
  test: false,
  email: null,
  sourceName: 'web',
  currencyCode: 'EUR',
  totalPriceSet: { shopMoney: { amount: '25.00', currencyCode: 'EUR' } },
  totalRefundedSet: { shopMoney: { amount: '0.00', currencyCode: 'EUR' } },
  customer: { id: 'gid://shopify/Customer/7' },
  refunds: [],
  ...extra,
});

const restOrder = (extra: Record<string, unknown>) => ({
  id: 42,
  created_at: '2026-03-01T10:00:00Z',
  processed_at: '2026-03-01T10:00:00Z',
  updated_at: '2026-03-02T10:00:00Z',
  currency: 'EUR',
  total_price: '25.00',
  source_name: 'web',
  customer: { id: 7 },
  line_items: [],
  ...extra,
});

describe('parseShopifyId', () => {
  it('reads a gid, decimal text or a safe number as canonical decimal text, up to 2^63 - 1', () => {
    expect(parseShopifyId('gid://shopify/Order/820982911946154508', 'id')).toBe('820982911946154508');
    expect(parseShopifyId('115310627314723954', 'id')).toBe('115310627314723954');
    expect(parseShopifyId(6075126841483, 'id')).toBe('6075126841483');
    expect(parseShopifyId('007', 'id')).toBe('7');
    expect(parseShopifyId('9223372036854775807', 'id')).toBe('9223372036854775807');
  });

  it('refuses zero, 2^63 and above, garbage, and a number already rounded above 2^53', () => {
    for (const bad of [0, '0', '9223372036854775808', '99999999999999999999', '-5', '1.5', 'abc', '', null, 820982911946154508]) {
      expect(() => parseShopifyId(bad, 'order.id')).toThrow(AppError);
    }
    expect(() => parseShopifyId(820982911946154508, 'order.id')).toThrow(/above 2\^53, already rounded/);
  });
});

describe("Shopify's sample bodies (ids above 2^53)", () => {
  it('orders/*: the order and customer ids come out exact', () => {
    const order = orderFromWebhook(
      parseJsonExact(
        '{"id":820982911946154508,"created_at":"2021-12-31T19:00:00-05:00","updated_at":"2021-12-31T19:00:00-05:00","currency":"USD",' +
          '"total_price":"403.00","test":true,"customer":{"id":115310627314723954},"line_items":[]}',
      ),
    );
    expect([order.orderId, order.customerId]).toEqual(['820982911946154508', '115310627314723954']);
  });

  it('refunds/create: the refund and order ids come out exact', () => {
    const refund = refundFromWebhook(
      parseJsonExact(
        '{"id":890088186047892319,"order_id":820982911946154508,"created_at":"2021-12-31T19:00:00-05:00",' +
          '"transactions":[{"id":245135121236349890,"kind":"refund","status":"success","amount":"10.00","currency":"USD"}]}',
      ),
      'USD',
    );
    expect(refund).toMatchObject({ refundId: '890088186047892319', orderId: '820982911946154508', amountMinor: 1000 });
  });
});

describe('isSubscriptionOrder', () => {
  it('is true for a renewal (subscription contract) or any line item with a selling plan, false otherwise', () => {
    expect(isSubscriptionOrder('subscription_contract', [])).toBe(true);
    expect(isSubscriptionOrder('web', [null, { name: 'Monthly' }])).toBe(true);
    expect(isSubscriptionOrder('web', [null, undefined])).toBe(false);
    expect(isSubscriptionOrder(null, [])).toBe(false);
  });
});

describe('the subscription flag is the same from every payload', () => {
  it('REST webhook: selling_plan_allocation on a line item, or source_name subscription_contract', () => {
    const plan = { selling_plan: { id: 1, name: 'Monthly' } };
    expect(orderFromWebhook(restOrder({ line_items: [{ id: 1 }, { id: 2, selling_plan_allocation: plan }] })).subscription).toBe(true);
    expect(orderFromWebhook(restOrder({ source_name: 'subscription_contract' })).subscription).toBe(true);
    expect(orderFromWebhook(restOrder({ line_items: [{ id: 1, selling_plan_allocation: null }] })).subscription).toBe(false);
  });

  it('GraphQL page node: lineItems nodes or edges with a sellingPlan, or sourceName subscription_contract', () => {
    const monthly = { sellingPlan: { name: 'Monthly' } };
    const none = { sellingPlan: null };
    expect(orderFromGraphql(graphqlOrder({ lineItems: { nodes: [none, monthly] } })).subscription).toBe(true);
    expect(orderFromGraphql(graphqlOrder({ lineItems: { edges: [{ node: none }, { node: monthly }] } })).subscription).toBe(true);
    expect(orderFromGraphql(graphqlOrder({ lineItems: { nodes: [none] } })).subscription).toBe(false);
    expect(orderFromGraphql(graphqlOrder({ sourceName: 'subscription_contract' })).subscription).toBe(true);
  });

  it('bulk order line: no line items inline (they are child lines), so only sourceName decides there', () => {
    expect(orderFromGraphql(graphqlOrder({})).subscription).toBe(false);
    expect(sellingPlansOf(undefined)).toEqual([]);
  });
});

describe('sellingPlanLineOf', () => {
  it('reads a bulk line item child line: its order and whether it has a selling plan', () => {
    expect(sellingPlanLineOf({ id: 'gid://shopify/LineItem/5', sellingPlan: { name: 'Weekly' }, __parentId: 'gid://shopify/Order/42' })).toEqual({
      orderId: '42',
      hasSellingPlan: true,
    });
    expect(sellingPlanLineOf({ id: 'gid://shopify/LineItem/6', sellingPlan: null, __parentId: 'gid://shopify/Order/42' })).toEqual({
      orderId: '42',
      hasSellingPlan: false,
    });
  });

  it('ignores order lines and other children, and names a bad parent id', () => {
    expect(sellingPlanLineOf(graphqlOrder({}))).toBeNull();
    expect(sellingPlanLineOf({ id: 'gid://shopify/Refund/1', __parentId: 'gid://shopify/Order/42' })).toBeNull();
    expect(() => sellingPlanLineOf({ id: 'gid://shopify/LineItem/5', sellingPlan: null, __parentId: 'gid://shopify/Order/x' })).toThrow(
      /line item gid:\/\/shopify\/LineItem\/5 __parentId/,
    );
  });
});

describe('parseTimeMs', () => {
  it('reads every form as Date.parse does, the plain UTC seconds form included', () => {
    const texts = ['2026-01-31T23:59:59Z', '2024-02-29T12:00:00Z', '2026-02-30T00:00:00Z', '0099-01-01T00:00:00Z', '1970-01-01T00:00:00Z'];
    texts.push('2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:60:00Z', '2026-01-01 00:00:00Z', '2026-01-01T00:00:00+02:00');
    texts.push('2026-01-01T00:00:00.250Z', '2026-01-01T00:00:00', '2026-1a-01T00:00:00Z', '2026-01-01T00:00:00.25Z', '2026-01-01T00:00:00.2500Z');
    texts.push('2026-01-01T00:00:00.2a0Z', '2026-01-01T00:00:00,250Z', '2024-02-29T23:59:59.999Z', '2023-02-29T00:00:00.000Z', '2100-02-29T00:00:00Z');
    texts.push('2000-02-29T00:00:00Z', '2026-04-31T00:00:00.000Z', '2026-12-31T23:59:59.001Z', '2026-06-30T12:00:00Z', '2026-00-10T00:00:00.000Z');
    for (let ms = Date.UTC(1999, 11, 25); ms < Date.UTC(2000, 2, 5); ms += 3_600_000 * 7 + 61_000) texts.push(new Date(ms).toISOString().replace('.000Z', 'Z'));
    // Every day of a leap year and of a common year, with milliseconds as Date#toISOString writes them.
    for (let ms = Date.UTC(2023, 0, 1, 5, 6, 7, 89); ms < Date.UTC(2025, 0, 1); ms += 86_400_000 + 1) texts.push(new Date(ms).toISOString());
    for (const text of texts) {
      const expected = Date.parse(text);
      if (Number.isFinite(expected)) expect(parseTimeMs(text, 'at'), text).toBe(expected);
      else expect(() => parseTimeMs(text, 'at'), text).toThrow(AppError);
    }
  });
});
