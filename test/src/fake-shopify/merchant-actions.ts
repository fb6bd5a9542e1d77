import type { Customer, MoneyBag, Order, Refund } from '../shop-model/types.ts';
import { decimalToMinor, minorToDecimal } from '../shop-model/money.ts';
import type { FakeContext } from './context.ts';
import { FakeShopifyError } from './errors.ts';
import type { FakeShopifyControl } from './public-types.ts';
import { customerDeletePayload, customerPayload, refundPayload } from './rest-payloads.ts';
import type { WebhookSubscriptions } from './webhook-subscriptions.ts';

/** What a merchant (or a customer, for the compliance requests) does in a shop: each change sends its webhooks. */
export type MerchantActions = Pick<
  FakeShopifyControl,
  | 'addMarketingActivity'
  | 'addCustomer'
  | 'updateCustomer'
  | 'deleteCustomer'
  | 'addOrder'
  | 'updateOrder'
  | 'cancelOrder'
  | 'deleteOrder'
  | 'refundOrder'
  | 'requestCustomerData'
  | 'redactCustomer'
  | 'redactShop'
>;

export function createMerchantActions(ctx: FakeContext, webhooks: WebhookSubscriptions): MerchantActions {
  const { clock, store } = ctx;
  return {
    addMarketingActivity(domain, activity) {
      const s = store(domain);
      if (s.marketingActivities.some((a) => a.id === activity.id)) {
        throw new FakeShopifyError('DUPLICATE_ID', `marketing activity ${activity.id} exists in ${domain}`);
      }
      s.marketingActivities.push(activity);
      s.marketingActivities.sort((a, b) => a.id - b.id);
      return activity;
    },
    addCustomer(domain, customer) {
      const s = store(domain);
      if (s.customers.has(customer.id)) throw new FakeShopifyError('DUPLICATE_ID', `customer ${customer.id} exists in ${domain}`);
      s.putCustomer(customer);
      webhooks.emit(s, [{ topic: 'customers/create', payload: customerPayload(customer, s.shop) }]);
      return customer;
    },
    updateCustomer(domain, id, patch) {
      const s = store(domain);
      const c = s.customers.get(id);
      if (c === undefined) throw new FakeShopifyError('UNKNOWN_CUSTOMER', `no customer ${id} in ${domain}`);
      const next: Customer = { ...c, ...patch, id, updatedAtMs: patch.updatedAtMs ?? Math.max(clock.nowMs(), c.updatedAtMs + 1) };
      s.putCustomer(next);
      webhooks.emit(s, [{ topic: 'customers/update', payload: customerPayload(next, s.shop) }]);
      return next;
    },
    deleteCustomer(domain, id) {
      const s = store(domain);
      const c = s.deleteCustomer(id);
      webhooks.emit(s, [{ topic: 'customers/delete', payload: customerDeletePayload(c) }]);
    },
    addOrder(domain, order) {
      const s = store(domain);
      if (s.orders.has(order.id)) throw new FakeShopifyError('DUPLICATE_ID', `order ${order.id} exists in ${domain}`);
      if (order.customerId !== null && !s.customers.has(order.customerId)) {
        throw new FakeShopifyError('UNKNOWN_CUSTOMER', `order ${order.id} names customer ${order.customerId}, unknown in ${domain}`);
      }
      s.putOrder(order);
      const events = [webhooks.orderEvent(s, order, 'orders/create')];
      if (order.financialStatus === 'PAID') events.push(webhooks.orderEvent(s, order, 'orders/paid'));
      webhooks.emit(s, events);
      return order;
    },
    updateOrder(domain, id, patch) {
      const s = store(domain);
      const o = s.getOrder(id);
      const next: Order = { ...o, ...patch, id, updatedAtMs: patch.updatedAtMs ?? Math.max(clock.nowMs(), o.updatedAtMs + 1) };
      s.putOrder(next);
      webhooks.emit(s, [webhooks.orderEvent(s, next, 'orders/updated')]);
      return next;
    },
    cancelOrder(domain, id, opts) {
      const s = store(domain);
      const o = s.getOrder(id);
      const at = opts?.atMs ?? Math.max(clock.nowMs(), o.updatedAtMs + 1);
      const next: Order = {
        ...o,
        cancelledAtMs: at,
        cancelReason: opts?.reason ?? 'CUSTOMER',
        closedAtMs: at,
        updatedAtMs: at,
        financialStatus: o.financialStatus === 'AUTHORIZED' || o.financialStatus === 'PENDING' ? 'VOIDED' : o.financialStatus,
      };
      s.putOrder(next);
      webhooks.emit(s, [webhooks.orderEvent(s, next, 'orders/cancelled'), webhooks.orderEvent(s, next, 'orders/updated')]);
      return next;
    },
    deleteOrder(domain, id) {
      const s = store(domain);
      const o = s.deleteOrder(id);
      webhooks.emit(s, [{ topic: 'orders/delete', payload: { id: o.id } }]);
    },
    refundOrder(domain, id, input) {
      const s = store(domain);
      const o = s.getOrder(id);
      const at = input.createdAtMs ?? Math.max(clock.nowMs(), o.updatedAtMs + 1);
      let bag: MoneyBag;
      if (input.totalRefundedSet !== undefined) {
        bag = input.totalRefundedSet;
      } else if (input.amountShopMinor !== undefined) {
        const shopTotal = decimalToMinor(o.totalPriceSet.shopMoney.amount, o.currencyCode);
        const presTotal = decimalToMinor(o.totalPriceSet.presentmentMoney.amount, o.presentmentCurrencyCode);
        const pres = shopTotal === 0 ? 0 : Math.round((input.amountShopMinor * presTotal) / shopTotal);
        bag = {
          shopMoney: { amount: minorToDecimal(input.amountShopMinor, o.currencyCode), currencyCode: o.currencyCode },
          presentmentMoney: { amount: minorToDecimal(pres, o.presentmentCurrencyCode), currencyCode: o.presentmentCurrencyCode },
        };
      } else {
        throw new FakeShopifyError('BAD_INPUT', 'refundOrder needs amountShopMinor or totalRefundedSet');
      }
      const refund: Refund = {
        id: s.nextRefundId(),
        createdAtMs: at,
        processedAtMs: at,
        note: input.note ?? null,
        totalRefundedSet: bag,
        refundLineItems: (input.refundLineItems ?? []).map((r) => ({ ...r, id: s.nextLineItemId() })),
        gateway: input.gateway ?? o.paymentGatewayNames[0] ?? 'manual',
      };
      const lineItems = o.lineItems.map((li) => {
        const q = refund.refundLineItems.filter((r) => r.lineItemId === li.id).reduce((n, r) => n + r.quantity, 0);
        return q === 0 ? li : { ...li, currentQuantity: Math.max(0, li.currentQuantity - q) };
      });
      const next: Order = { ...o, refunds: [...o.refunds, refund], lineItems, updatedAtMs: at };
      s.putOrder(next);
      webhooks.emit(s, [{ topic: 'refunds/create', payload: refundPayload(refund, next, s.shop) }, webhooks.orderEvent(s, next, 'orders/updated')]);
      return refund;
    },
    requestCustomerData(domain, customerId) {
      const s = store(domain);
      const c = s.customers.get(customerId);
      webhooks.emit(s, [
        {
          topic: 'customers/data_request',
          payload: {
            shop_id: s.shop.id,
            shop_domain: s.shop.domain,
            orders_requested: s.ordersOf(customerId).map((o) => o.id),
            customer: { id: customerId, email: c?.email ?? null, phone: c?.phone ?? null },
            data_request: { id: Math.floor(clock.nowMs() / 1000) },
          },
        },
      ]);
    },
    redactCustomer(domain, customerId) {
      const s = store(domain);
      const c = s.customers.get(customerId);
      webhooks.emit(s, [
        {
          topic: 'customers/redact',
          payload: {
            shop_id: s.shop.id,
            shop_domain: s.shop.domain,
            customer: { id: customerId, email: c?.email ?? null, phone: c?.phone ?? null },
            orders_to_redact: s.ordersOf(customerId).map((o) => o.id),
          },
        },
      ]);
    },
    redactShop(domain) {
      const s = store(domain);
      webhooks.emit(s, [{ topic: 'shop/redact', payload: { shop_id: s.shop.id, shop_domain: s.shop.domain } }]);
    },
  };
}
