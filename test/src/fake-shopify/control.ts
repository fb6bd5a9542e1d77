import { SHOP_PLANS, type Shop } from '../shop-model/types.ts';
import type { BulkOperations } from './bulk-operations.ts';
import type { FakeContext } from './context.ts';
import { FakeShopifyError } from './errors.ts';
import type { Faults } from './faults.ts';
import type { FlowTriggerReceiver } from './flow-triggers.ts';
import { normalizeDomain } from './http.ts';
import { createMerchantActions } from './merchant-actions.ts';
import type { OAuthServer } from './oauth.ts';
import type { FakeShopifyControl } from './public-types.ts';
import { shopPayload } from './rest-payloads.ts';
import { mintSessionToken } from './session-token.ts';
import { ShopStore } from './shop-store.ts';
import type { Throttle } from './throttle.ts';
import type { WebhookSubscriptions } from './webhook-subscriptions.ts';

/** The parts of the fake the control API drives. */
export interface ControlDeps {
  oauth: OAuthServer;
  webhooks: WebhookSubscriptions;
  throttle: Throttle;
  bulk: BulkOperations;
  faults: Faults;
  flow: FlowTriggerReceiver;
}

/**
 * The in-process control API: shops and their data, installs, tokens, webhook settings, faults, throttling, and what
 * tests read back (truth, deliveries, metafields, usage). Merchant actions that send webhooks are in
 * merchant-actions.ts; control-http.ts serves all of it under `/_control/`.
 */
export function createControl(ctx: FakeContext, deps: ControlDeps): FakeShopifyControl {
  const { options, clock, stores, store } = ctx;
  const { oauth, webhooks, throttle, bulk, faults, flow } = deps;
  let nextShopId = 1;
  return {
    ...createMerchantActions(ctx, webhooks),
    createShop(input) {
      const domain = normalizeDomain(input.domain);
      if (stores.has(domain)) throw new FakeShopifyError('DUPLICATE_SHOP', `shop ${domain} already exists`);
      const plan = typeof input.plan === 'object' ? input.plan : SHOP_PLANS[input.plan ?? 'Shopify'];
      const handle = domain.replace(/\.myshopify\.com$/, '');
      const shop: Shop = {
        id: input.id ?? nextShopId++,
        domain,
        name: input.name ?? handle,
        email: input.email ?? `owner@${handle}.example`,
        currencyCode: input.currencyCode ?? 'USD',
        ianaTimezone: input.ianaTimezone ?? 'UTC',
        plan: { ...plan },
        createdAtMs: input.createdAtMs ?? clock.nowMs(),
      };
      const s = new ShopStore(shop, clock.nowMs());
      s.installed = input.installed ?? true;
      stores.set(domain, s);
      return shop;
    },
    loadShop(data, opts) {
      const domain = normalizeDomain(data.shop.domain);
      const prev = stores.get(domain);
      const s = new ShopStore({ ...data.shop, domain }, clock.nowMs());
      s.installed = opts?.installed ?? prev?.installed ?? true;
      if (prev !== undefined) {
        s.subscriptions.push(...prev.subscriptions);
        // The app's metafield definitions belong to the shop, not to its data; values stay with surviving customers.
        s.metafieldDefinitions.push(...prev.metafieldDefinitions);
        s.nextMetafieldId = prev.nextMetafieldId;
      }
      for (const c of data.customers) s.putCustomer(c);
      for (const [owner, values] of prev?.metafields ?? []) if (s.customers.has(Number(owner.split('/')[1]))) s.metafields.set(owner, values);
      for (const o of data.orders) {
        if (s.orders.has(o.id)) throw new FakeShopifyError('DUPLICATE_ID', `order id ${o.id} appears twice in ${domain}`);
        s.putOrder(o);
      }
      nextShopId = Math.max(nextShopId, data.shop.id + 1);
      stores.set(domain, s);
    },
    shops: () => [...stores.values()].map((s) => s.shop),
    truth(domain) {
      const s = store(domain);
      return { shop: s.shop, customers: [...s.customerIndex('ID')], orders: [...s.orderIndex('ID')] };
    },
    uninstall(domain) {
      const s = store(domain);
      webhooks.emit(s, [{ topic: 'app/uninstalled', payload: shopPayload(s.shop) }]);
      s.installed = false;
      s.subscriptions.length = 0;
      oauth.revokeShop(s.shop.domain);
    },
    install(domain) {
      store(domain).installed = true;
    },
    mintSessionToken(domain, opts) {
      const s = store(domain);
      return mintSessionToken({
        shop: s.shop.domain,
        apiKey: options.appApiKey,
        apiSecret: options.appSecret,
        nowMs: clock.nowMs(),
        ...(opts?.userId !== undefined ? { userId: opts.userId } : {}),
        ...(opts?.lifetimeSeconds !== undefined ? { lifetimeSeconds: opts.lifetimeSeconds } : {}),
      });
    },
    issueOfflineToken: (domain) => oauth.issueOfflineToken(store(domain).shop.domain),
    issueAuthorizationCode: (domain, opts) => oauth.issueAuthorizationCode(store(domain).shop.domain, opts?.online ?? false),
    setAppWebhooks: (subs, complianceUri) => webhooks.setAppWebhooks(subs, complianceUri),
    setWebhookChaos: (c) => webhooks.setChaos(c),
    deliveries: (filter) => webhooks.deliveries(filter),
    webhooksIdle: () => webhooks.idle(),
    injectFault: (f) => faults.inject(f),
    clearFaults: () => faults.clear(),
    throttleStatus: (domain) => throttle.status(store(domain)),
    setThrottleAvailable(domain, points) {
      const s = store(domain);
      if (!Number.isFinite(points) || points < 0) throw new FakeShopifyError('BAD_INPUT', `points must be a finite number >= 0, got ${points}`);
      throttle.setAvailable(s, points);
    },
    bulkIdle: (domain) => bulk.idle(domain),
    useBulkOrdersFile: (domain, file) => bulk.useOrdersFile(store(domain).shop.domain, file),
    customerMetafields(domain, customerId) {
      const s = store(domain);
      // The admin lists a resource's metafields in the order of their definitions, unstructured ones after.
      const defOf = (m: { namespace: string; key: string }) =>
        s.metafieldDefinitions.find((d) => d.ownerType === 'CUSTOMER' && d.namespace === m.namespace && d.key === m.key);
      const values = [...(s.metafields.get(`CUSTOMER/${customerId}`)?.values() ?? [])].sort(
        (a, b) => (defOf(a)?.id ?? Infinity) - (defOf(b)?.id ?? Infinity) || a.id - b.id,
      );
      return values.map((m) => ({
        namespace: m.namespace,
        key: m.key,
        name: defOf(m)?.name ?? null,
        type: m.type,
        value: m.value,
        updatedAtMs: m.updatedAtMs,
      }));
    },
    metafieldDefinitions: (domain) => [...store(domain).metafieldDefinitions],
    graphqlUsage: (domain) => ({ ...throttle.usageOf(store(domain)) }),
    flowTriggerEvents: (filter) => flow.events(filter ? { ...filter, ...(filter.shop ? { shop: normalizeDomain(filter.shop) } : {}) } : {}),
    advanceClock: (ms) => clock.advance(ms),
    nowMs: () => clock.nowMs(),
  };
}
