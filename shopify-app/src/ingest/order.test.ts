import { describe, expect, it } from 'vitest';
import { isSubscriptionOrder, orderFromGraphql, orderFromWebhook, sellingPlanLineOf, sellingPlansOf } from './order.ts';

const graphqlOrder = (extra: Record<string, unknown>) => ({
  id: 'gid://shopify/Order/42', createdAt: '2026-03-01T10:00:00Z', processedAt: '2026-03-01T10:00:00Z',
  updatedAt: '2026-03-02T10:00:00Z', cancelledAt: null, test: false, email: null, sourceName: 'web', currencyCode: 'EUR',
  totalPriceSet: { shopMoney: { amount: '25.00', currencyCode: 'EUR' } },
  totalRefundedSet: { shopMoney: { amount: '0.00', currencyCode: 'EUR' } },
  customer: { id: 'gid://shopify/Customer/7' }, refunds: [],
  ...extra,
});

const restOrder = (extra: Record<string, unknown>) => ({
  id: 42, created_at: '2026-03-01T10:00:00Z', processed_at: '2026-03-01T10:00:00Z', updated_at: '2026-03-02T10:00:00Z',
  currency: 'EUR', total_price: '25.00', source_name: 'web', customer: { id: 7 }, line_items: [],
  ...extra,
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
    expect(sellingPlanLineOf({ id: 'gid://shopify/LineItem/5', sellingPlan: { name: 'Weekly' }, __parentId: 'gid://shopify/Order/42' }))
      .toEqual({ orderId: 42, hasSellingPlan: true });
    expect(sellingPlanLineOf({ id: 'gid://shopify/LineItem/6', sellingPlan: null, __parentId: 'gid://shopify/Order/42' }))
      .toEqual({ orderId: 42, hasSellingPlan: false });
  });

  it('ignores order lines and other children, and names a bad parent id', () => {
    expect(sellingPlanLineOf(graphqlOrder({}))).toBeNull();
    expect(sellingPlanLineOf({ id: 'gid://shopify/Refund/1', __parentId: 'gid://shopify/Order/42' })).toBeNull();
    expect(() => sellingPlanLineOf({ id: 'gid://shopify/LineItem/5', sellingPlan: null, __parentId: 'gid://shopify/Order/x' }))
      .toThrow(/line item gid:\/\/shopify\/LineItem\/5 __parentId/);
  });
});
