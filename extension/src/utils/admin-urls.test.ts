import { describe, expect, it } from 'vitest';
import { customerAdminUrl, parseAdminLink, parseAdminPage } from './admin-urls.ts';

const BASE = 'https://admin.shopify.com/store/demo/customers';

describe('parseAdminPage', () => {
  it.each([
    ['https://admin.shopify.com/store/demo/customers', { kind: 'customers-list', storeHandle: 'demo' }],
    ['https://admin.shopify.com/store/demo/customers?query=x', { kind: 'customers-list', storeHandle: 'demo' }],
    ['https://admin.shopify.com/store/Demo/customers/123', { kind: 'customer-detail', storeHandle: 'demo', customerId: '123' }],
    ['https://admin.shopify.com/store/demo/orders', { kind: 'orders-list', storeHandle: 'demo' }],
    ['https://admin.shopify.com/store/demo/orders/9/', { kind: 'order-detail', storeHandle: 'demo', orderId: '9' }],
    ['https://admin.shopify.com/store/demo/products/1', { kind: 'other', storeHandle: 'demo' }],
    ['https://admin.shopify.com/store/demo/customers/new', { kind: 'other', storeHandle: 'demo' }],
    ['https://shop-1.myshopify.com/admin/customers/77', { kind: 'customer-detail', storeHandle: 'shop-1', customerId: '77' }],
    ['https://shop-1.myshopify.com/admin/orders', { kind: 'orders-list', storeHandle: 'shop-1' }],
    // Shopify's sample ids, above 2^53: kept exact, as text.
    ['https://admin.shopify.com/store/demo/customers/115310627314723954', { kind: 'customer-detail', storeHandle: 'demo', customerId: '115310627314723954' }],
    ['https://admin.shopify.com/store/demo/orders/820982911946154508', { kind: 'order-detail', storeHandle: 'demo', orderId: '820982911946154508' }],
    ['https://admin.shopify.com/store/demo/customers/9223372036854775807', { kind: 'customer-detail', storeHandle: 'demo', customerId: '9223372036854775807' }],
    // Not a Shopify id (0, leading zero, 2^63 and above): not a record page.
    ['https://admin.shopify.com/store/demo/customers/0', { kind: 'other', storeHandle: 'demo' }],
    ['https://admin.shopify.com/store/demo/customers/0123', { kind: 'other', storeHandle: 'demo' }],
    ['https://admin.shopify.com/store/demo/customers/9223372036854775808', { kind: 'other', storeHandle: 'demo' }],
    ['https://admin.shopify.com/store/demo/orders/123456789012345678901', { kind: 'other', storeHandle: 'demo' }],
  ])('reads %s', (href, expected) => {
    expect(parseAdminPage(href)).toEqual(expected);
  });

  it.each([
    'http://admin.shopify.com/store/demo/customers/1',
    'https://evil.example/store/demo/customers/1',
    'https://shop-1.myshopify.com/products/1',
    'https://admin.shopify.com/settings',
    'not a url',
  ])('returns null for the non-admin URL %s', (href) => {
    expect(parseAdminPage(href)).toBeNull();
  });
});

describe('parseAdminLink', () => {
  it.each([
    ['/store/demo/customers/101', { kind: 'customer', storeHandle: 'demo', customerId: '101' }],
    ['https://admin.shopify.com/store/demo/customers/103?tab=orders', { kind: 'customer', storeHandle: 'demo', customerId: '103' }],
    ['/store/demo/customers/104#notes', { kind: 'customer', storeHandle: 'demo', customerId: '104' }],
    ['/store/demo/orders/5', { kind: 'order', storeHandle: 'demo', orderId: '5' }],
    ['102', { kind: 'customer', storeHandle: 'demo', customerId: '102' }],
  ])('finds the record of %s', (href, expected) => {
    expect(parseAdminLink(href, `${BASE}/`)).toEqual(expected);
  });

  it('reads legacy admin links against a legacy admin page', () => {
    expect(parseAdminLink('/admin/customers/5', 'https://shop-1.myshopify.com/admin/orders')).toEqual({
      kind: 'customer',
      storeHandle: 'shop-1',
      customerId: '5',
    });
  });

  it.each([
    '/store/demo/customers',
    '/store/demo/customers/101/edit',
    '/store/demo/orders/5/refund',
    '/store/demo/customers/abc',
    'https://example.com/store/demo/customers/1',
    'javascript:alert(1)',
    'mailto:a@b.c',
    '',
    'http://[bad',
  ])('ignores %s', (href) => {
    expect(parseAdminLink(href, BASE)).toBeNull();
  });
});

describe('customerAdminUrl', () => {
  it('builds the current admin URL', () => {
    expect(customerAdminUrl('demo', '42')).toBe('https://admin.shopify.com/store/demo/customers/42');
  });
});
