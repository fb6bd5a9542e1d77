import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, type Shopify } from '@shopify/shopify-api';
import type { FakeShopify } from '../fake-shopify/server.ts';
import { generateShop } from '../generator/generate.ts';
import { decimalToMinor } from '../shop-model/money.ts';
import type { ShopData } from '../shop-model/types.ts';
import { startHarness } from './harness.ts';

// Every field CLV Lens or a curious client may read, over a generated shop with foreign currencies, guests,
// refunds, cancellations, test and subscription orders: nothing may fail to serialize (enums, nullability).
const EVERYTHING = `#graphql
  query All($cursor: String) {
    orders(first: 5, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id legacyResourceId name email phone createdAt processedAt updatedAt cancelledAt cancelReason closed closedAt test
        currencyCode presentmentCurrencyCode displayFinancialStatus displayFulfillmentStatus sourceName tags note
        discountCode discountCodes paymentGatewayNames fullyPaid subtotalLineItemsQuantity
        totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
        currentTotalPriceSet { shopMoney { amount currencyCode } }
        subtotalPriceSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } totalDiscountsSet { shopMoney { amount } }
        totalShippingPriceSet { shopMoney { amount } } totalRefundedSet { shopMoney { amount currencyCode } }
        shippingLine { title code } billingAddress { name countryCodeV2 } shippingAddress { city countryCodeV2 }
        customer { id displayName numberOfOrders amountSpent { amount currencyCode } defaultEmailAddress { emailAddress } state }
        lineItems(first: 5) { nodes { id name sku quantity currentQuantity sellingPlan { name }
          originalUnitPriceSet { shopMoney { amount } presentmentMoney { amount currencyCode } } } }
        refunds(first: 3) { id createdAt note totalRefundedSet { shopMoney { amount } presentmentMoney { amount } }
          refundLineItems(first: 3) { nodes { quantity restockType lineItem { id } } } }
      }
    }
  }`;

let fake: FakeShopify;
let shopify: Shopify;
let data: ShopData;

beforeAll(async () => {
  ({ fake, shopify } = await startHarness());
  data = generateShop({ seed: 'contract', customers: 150, endMs: Date.UTC(2026, 10, 1), currency: 'EUR', timeZone: 'Europe/Paris', plan: 'Plus' });
  fake.control.loadShop(data);
});
afterAll(async () => {
  await fake.stop();
});

describe('a generated shop served by the fake', () => {
  it("serves every order with every field through the real client, matching the generator's truth", async () => {
    const session = new Session({ id: 'g', shop: data.shop.domain, state: '', isOnline: false, accessToken: fake.control.issueOfflineToken(data.shop.domain) });
    const client = new shopify.clients.Graphql({ session });
    let cursor: string | null = null;
    let seen = 0;
    let refundedMinor = 0;
    const presentment = new Set<string>();
    for (;;) {
      const r: { data?: { orders: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: any[] } } } = await client.request(EVERYTHING, {
        variables: { cursor },
      });
      const page = r.data?.orders;
      if (page === undefined) throw new Error('no data');
      for (const n of page.nodes) {
        seen++;
        presentment.add(n.presentmentCurrencyCode);
        expect(n.totalPriceSet.shopMoney.currencyCode).toBe('EUR');
        refundedMinor += decimalToMinor(n.totalRefundedSet.shopMoney.amount, 'EUR');
      }
      if (!page.pageInfo.hasNextPage) break;
      cursor = page.pageInfo.endCursor;
    }
    expect(seen).toBe(data.orders.length);
    expect(presentment.size).toBeGreaterThan(1);
    const want = data.orders.reduce((n, o) => n + o.refunds.reduce((m, x) => m + decimalToMinor(x.totalRefundedSet.shopMoney.amount, 'EUR'), 0), 0);
    expect(refundedMinor).toBe(want);
    expect(want).toBeGreaterThan(0);
  });
});
