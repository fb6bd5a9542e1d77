/** Webhook topics the fake emits, REST form (`orders/create`) as in `X-Shopify-Topic`. */
export const WEBHOOK_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/cancelled',
  'orders/delete',
  'refunds/create',
  'customers/create',
  'customers/update',
  'customers/delete',
  'app/uninstalled',
  'shop/update',
  'bulk_operations/finish',
] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

/** Mandatory compliance topics: configured on the app only, never through the Admin API. */
export const COMPLIANCE_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact'] as const;
export type ComplianceTopic = (typeof COMPLIANCE_TOPICS)[number];

export type AnyTopic = WebhookTopic | ComplianceTopic;

/** `orders/create` -> `ORDERS_CREATE` (GraphQL `WebhookSubscriptionTopic`). */
export function topicToEnum(topic: string): string {
  return topic.toUpperCase().replace(/[/.]/g, '_');
}

/** `ORDERS_CREATE` -> `orders/create`; null for a topic the fake does not know. */
export function enumToTopic(value: string): AnyTopic | null {
  for (const t of [...WEBHOOK_TOPICS, ...COMPLIANCE_TOPICS]) if (topicToEnum(t) === value) return t;
  return null;
}
