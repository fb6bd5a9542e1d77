import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Customer, MarketingActivity, Order, OrderCancelReason, ShopData } from '../shop-model/types.ts';
import { readBody, send } from './http.ts';
import type { AppWebhookSubscription, CreateShopInput, FakeShopifyControl, FaultSpec, RefundInput } from './public-types.ts';
import type { WebhookChaos } from './webhooks.ts';

/** `/_control/...` over HTTP: the same operations as {@link FakeShopifyControl}, JSON in and out. */
export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, c: FakeShopifyControl): Promise<void> {
  const raw = req.method === 'GET' ? '' : await readBody(req);
  let body: Record<string, unknown> = {};
  if (raw.trim() !== '') {
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return send(res, 400, { code: 'BAD_INPUT', message: `${req.method} ${url.pathname}: body is not valid JSON` });
    }
  }
  const parts = url.pathname
    .split('/')
    .filter((p) => p !== '')
    .slice(1)
    .map(decodeURIComponent);
  const m = `${req.method} /${parts.map((p, i) => ((parts[0] === 'shops' && i === 1) || ((parts[2] === 'orders' || parts[2] === 'customers') && i === 3) ? ':' : p)).join('/')}`;
  const shop = parts[1] ?? '';
  const id = Number(parts[3]);
  const ok = (v: unknown = { ok: true }): void => send(res, 200, v);
  switch (m) {
    case 'GET /health':
      return ok({ ok: true });
    case 'GET /shops':
      return ok(c.shops());
    case 'POST /shops':
      return ok(c.createShop(body as unknown as CreateShopInput));
    case 'PUT /shops/:/data':
      c.loadShop({ ...(body as unknown as ShopData) }, {});
      return ok();
    case 'GET /shops/:/truth':
      return ok(c.truth(shop));
    case 'POST /shops/:/customers':
      return ok(c.addCustomer(shop, body as unknown as Customer));
    case 'POST /shops/:/marketing-activities':
      return ok(c.addMarketingActivity(shop, body as unknown as MarketingActivity));
    case 'PATCH /shops/:/customers/:':
      return ok(c.updateCustomer(shop, id, body));
    case 'DELETE /shops/:/customers/:':
      c.deleteCustomer(shop, id);
      return ok();
    case 'POST /shops/:/orders':
      return ok(c.addOrder(shop, body as unknown as Order));
    case 'PATCH /shops/:/orders/:':
      return ok(c.updateOrder(shop, id, body));
    case 'DELETE /shops/:/orders/:':
      c.deleteOrder(shop, id);
      return ok();
    case 'POST /shops/:/orders/:/cancel':
      return ok(c.cancelOrder(shop, id, body as { reason?: OrderCancelReason; atMs?: number }));
    case 'POST /shops/:/orders/:/refunds':
      return ok(c.refundOrder(shop, id, body as RefundInput));
    case 'POST /shops/:/uninstall':
      c.uninstall(shop);
      return ok();
    case 'POST /shops/:/install':
      c.install(shop);
      return ok();
    case 'POST /shops/:/compliance/customers-data-request':
      c.requestCustomerData(shop, Number(body['customerId']));
      return ok();
    case 'POST /shops/:/compliance/customers-redact':
      c.redactCustomer(shop, Number(body['customerId']));
      return ok();
    case 'POST /shops/:/compliance/shop-redact':
      c.redactShop(shop);
      return ok();
    case 'POST /shops/:/session-token':
      return ok({ token: c.mintSessionToken(shop, body as { userId?: string; lifetimeSeconds?: number }) });
    case 'POST /shops/:/offline-token':
      return ok({ accessToken: c.issueOfflineToken(shop) });
    case 'POST /shops/:/authorization-code':
      return ok({ code: c.issueAuthorizationCode(shop, body as { online?: boolean }) });
    case 'GET /shops/:/customers/:/metafields':
      return ok(c.customerMetafields(shop, id));
    case 'GET /shops/:/metafield-definitions':
      return ok(c.metafieldDefinitions(shop));
    case 'GET /shops/:/throttle-status':
      return ok(c.throttleStatus(shop));
    case 'PUT /app-webhooks':
      c.setAppWebhooks((body['subscriptions'] ?? []) as AppWebhookSubscription[], (body['complianceUri'] ?? null) as string | null);
      return ok();
    case 'PUT /webhook-chaos':
      c.setWebhookChaos(body as WebhookChaos);
      return ok();
    case 'GET /webhooks/deliveries': {
      const shopQ = url.searchParams.get('shop');
      const topicQ = url.searchParams.get('topic');
      return ok(c.deliveries({ ...(shopQ !== null ? { shop: shopQ } : {}), ...(topicQ !== null ? { topic: topicQ } : {}) }));
    }
    case 'POST /webhooks/idle':
      await c.webhooksIdle();
      return ok();
    case 'POST /faults':
      c.injectFault(body as FaultSpec);
      return ok();
    case 'DELETE /faults':
      c.clearFaults();
      return ok();
    case 'GET /flow-events': {
      const shopQ = url.searchParams.get('shop');
      return ok(c.flowTriggerEvents(shopQ !== null ? { shop: shopQ } : {}));
    }
    case 'POST /clock/advance':
      c.advanceClock(Number(body['ms']));
      return ok({ nowMs: c.nowMs() });
    default:
      return send(res, 404, { code: 'NOT_FOUND', message: `no control route ${req.method} ${url.pathname}` });
  }
}
