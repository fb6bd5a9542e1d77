import { describe, expect, it } from 'vitest';
import { webhookFilterMatches } from './webhook-filter.ts';

const order = {
  total_price: '120.50',
  financial_status: 'paid',
  test: false,
  created_at: '2026-03-01T10:00:00-05:00',
  line_items: [
    { sku: 'TEE-1', quantity: 2 },
    { sku: 'MUG-9', quantity: 1 },
  ],
  customer: { id: 7, tags: 'vip' },
};

describe('webhookFilterMatches', () => {
  it('compares numbers, strings, booleans and dates like Shopify search', () => {
    expect(webhookFilterMatches('total_price:>100', order)).toBe(true);
    expect(webhookFilterMatches('total_price:>200', order)).toBe(false);
    expect(webhookFilterMatches('financial_status:paid AND test:false', order)).toBe(true);
    expect(webhookFilterMatches("created_at:>='2026-03-01T00:00:00Z'", order)).toBe(true);
    expect(webhookFilterMatches('-financial_status:paid', order)).toBe(false);
  });

  it('reads dotted paths and matches any element of an array', () => {
    expect(webhookFilterMatches('line_items.sku:MUG-9', order)).toBe(true);
    expect(webhookFilterMatches('line_items.sku:NONE OR customer.id:7', order)).toBe(true);
    expect(webhookFilterMatches('line_items.quantity:>5', order)).toBe(false);
    expect(webhookFilterMatches('tags:vip', { tags: 'gift, vip' })).toBe(true);
  });

  it('lets everything through without a filter', () => {
    expect(webhookFilterMatches(null, order)).toBe(true);
    expect(webhookFilterMatches('  ', order)).toBe(true);
  });
});
