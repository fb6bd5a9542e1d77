import { randomUUID } from 'node:crypto';
import type { Order } from '../shop-model/types.ts';
import { Random } from '../generator/random.ts';
import type { FakeContext } from './context.ts';
import { FakeShopifyError } from './errors.ts';
import { normalizeDomain } from './http.ts';
import type { AppWebhookSubscription } from './public-types.ts';
import type { GqlEnv } from './resolvers.ts';
import { orderPayload, trimPayload } from './rest-payloads.ts';
import type { ShopStore, WebhookSubscriptionRecord } from './shop-store.ts';
import { COMPLIANCE_TOPICS, WEBHOOK_TOPICS, type AnyTopic } from './topics.ts';
import { webhookFilterMatches } from './webhook-filter.ts';
import { DEFAULT_WEBHOOK_RETRY, WebhookDispatcher, type WebhookChaos, type WebhookDelivery } from './webhooks.ts';

/** One webhook a merchant action causes: its topic and REST-shaped payload. */
export interface WebhookEvent {
  topic: AnyTopic;
  payload: Record<string, unknown>;
}

/** The fake's webhooks: app-wide (TOML) and per-shop subscriptions, and their delivery through the dispatcher. */
export interface WebhookSubscriptions {
  /** Sends one merchant action's webhooks (one Event-Id across topics and subscriptions). */
  emit(s: ShopStore, events: WebhookEvent[]): void;
  /** The `orders/*` event of `o` in shop `s`, its customer embedded. */
  orderEvent(s: ShopStore, o: Order, topic: AnyTopic): WebhookEvent;
  setAppWebhooks(subs: readonly AppWebhookSubscription[], complianceUri?: string | null): void;
  setChaos(chaos: WebhookChaos): void;
  deliveries(filter?: { shop?: string; topic?: string }): WebhookDelivery[];
  /** Resolves when no delivery is pending or waiting for a retry. */
  idle(): Promise<void>;
  stop(): void;
  createSubscription: GqlEnv['createSubscription'];
  deleteSubscription: GqlEnv['deleteSubscription'];
}

export function createWebhookSubscriptions(ctx: FakeContext): WebhookSubscriptions {
  const { options, clock, stores } = ctx;
  const webhooksApiVersion = options.webhooksApiVersion ?? '2026-07';
  let appSubs: WebhookSubscriptionRecord[] = [];
  let complianceUri: string | null = options.complianceWebhooksUri ?? null;
  // App-wide and shop subscriptions share one id sequence, as on Shopify.
  let nextSubId = 1;
  let chaos: WebhookChaos = { ...(options.webhookChaos ?? {}) };

  const dispatcher = new WebhookDispatcher({
    appSecret: options.appSecret,
    clock,
    rng: new Random(options.seed ?? 1),
    timeoutMs: options.webhookTimeoutMs ?? 5000,
    retry: options.webhookRetry ?? DEFAULT_WEBHOOK_RETRY,
    get chaos() {
      return chaos;
    },
    onExhausted: (d) => {
      // Shopify deletes Admin-API subscriptions after the retries fail; app-wide (TOML) ones stay.
      const store = stores.get(d.shop);
      if (store === undefined) return;
      const i = store.subscriptions.findIndex((s) => s.id === d.subscriptionId);
      if (i >= 0) store.subscriptions.splice(i, 1);
    },
  });

  function setAppWebhooks(subs: readonly AppWebhookSubscription[], compliance?: string | null): void {
    const now = clock.nowMs();
    appSubs = [];
    for (const s of subs) {
      for (const topic of s.topics) {
        if (!(WEBHOOK_TOPICS as readonly string[]).includes(topic)) {
          throw new FakeShopifyError('BAD_INPUT', `unknown webhook topic ${topic}; known: ${WEBHOOK_TOPICS.join(', ')}`);
        }
        appSubs.push({
          id: nextSubId++,
          topic,
          uri: s.uri,
          format: 'JSON',
          includeFields: [],
          filter: null,
          apiVersion: webhooksApiVersion,
          createdAtMs: now,
          updatedAtMs: now,
          source: 'app',
        });
      }
    }
    if (compliance !== undefined) complianceUri = compliance;
  }
  setAppWebhooks(options.appWebhooks ?? []);

  return {
    emit(s, events) {
      const eventId = randomUUID();
      for (const { topic, payload } of events) {
        if ((COMPLIANCE_TOPICS as readonly string[]).includes(topic)) {
          if (complianceUri !== null) {
            dispatcher.send({ shop: s.shop.domain, topic, uri: complianceUri, apiVersion: webhooksApiVersion, payload, eventId, subscriptionId: 0 });
          }
          continue;
        }
        if (!s.installed && topic !== 'app/uninstalled') continue;
        for (const sub of [...appSubs, ...s.subscriptions]) {
          if (sub.topic !== topic || !webhookFilterMatches(sub.filter, payload)) continue;
          dispatcher.send({
            shop: s.shop.domain,
            topic,
            uri: sub.uri,
            apiVersion: sub.apiVersion,
            payload: trimPayload(payload, sub.includeFields),
            eventId,
            subscriptionId: sub.source === 'shop' ? sub.id : 0,
          });
        }
      }
    },
    orderEvent: (s, o, topic) => ({
      topic,
      payload: orderPayload(o, o.customerId === null ? null : (s.customers.get(o.customerId) ?? null), s.shop),
    }),
    setAppWebhooks,
    setChaos(c) {
      chaos = { ...c };
    },
    deliveries(filter) {
      return dispatcher.deliveries.filter(
        (d) => (filter?.shop === undefined || d.shop === normalizeDomain(filter.shop)) && (filter?.topic === undefined || d.topic === filter.topic),
      );
    },
    idle: () => dispatcher.idle(),
    stop: () => dispatcher.stop(),
    createSubscription(s, topic, input, apiVersion) {
      if (!/^https?:\/\//.test(input.uri)) {
        return { sub: null, userErrors: [{ field: ['webhookSubscription', 'callbackUrl'], message: 'Address is invalid' }] };
      }
      if ((COMPLIANCE_TOPICS as readonly string[]).includes(topic)) {
        return { sub: null, userErrors: [{ field: ['topic'], message: 'Compliance topics can only be configured in the app configuration.' }] };
      }
      if (s.subscriptions.some((x) => x.topic === topic && x.uri === input.uri)) {
        return { sub: null, userErrors: [{ field: ['webhookSubscription', 'callbackUrl'], message: 'Address for this topic has already been taken' }] };
      }
      const now = clock.nowMs();
      const sub: WebhookSubscriptionRecord = {
        id: nextSubId++,
        topic,
        uri: input.uri,
        format: 'JSON',
        includeFields: input.includeFields,
        filter: input.filter,
        apiVersion,
        createdAtMs: now,
        updatedAtMs: now,
        source: 'shop',
      };
      s.subscriptions.push(sub);
      return { sub, userErrors: [] };
    },
    deleteSubscription(s, id) {
      const i = s.subscriptions.findIndex((x) => x.id === id);
      if (i < 0) return false;
      s.subscriptions.splice(i, 1);
      return true;
    },
  };
}
