import { createHmac, randomUUID } from 'node:crypto';
import type { FakeClock } from './clock.ts';
import type { Random } from '../generator/random.ts';

/** Chaos applied to deliveries (each a probability in [0, 1], drawn from the seeded RNG). */
export interface WebhookChaos {
  /** Probability that a delivery is sent twice (same Webhook-Id, as Shopify's at-least-once resends). */
  duplicateRate?: number;
  /** Probability that a delivery is held back up to `maxReorderDelayMs`, so later events overtake it. */
  reorderRate?: number;
  /** Probability that a delivery is never sent. */
  dropRate?: number;
  /** Upper bound of the hold-back of a reordered delivery, ms. Default 200. */
  maxReorderDelayMs?: number;
}

/** Retry policy after a failed attempt (non-2xx, connection error or timeout). */
export interface WebhookRetryPolicy {
  /** Retries after the first attempt. Shopify: 8 (over 4 hours). */
  maxRetries: number;
  /** Delay before retry number `retry` (1-based), ms. */
  backoffMs: (retry: number) => number;
}

/** Shopify-like default: 8 retries, exponential backoff from 1 s, capped at 1 min (Shopify spreads them over 4 h). */
export const DEFAULT_WEBHOOK_RETRY: WebhookRetryPolicy = {
  maxRetries: 8,
  backoffMs: (retry) => Math.min(1000 * 2 ** (retry - 1), 60_000),
};

export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'dropped';

/** One webhook delivery (and its attempts), as the control API reports it. */
export interface WebhookDelivery {
  webhookId: string;
  eventId: string;
  topic: string;
  shop: string;
  uri: string;
  apiVersion: string;
  triggeredAt: string;
  /** The raw JSON body, byte for byte what was signed. */
  body: string;
  state: DeliveryState;
  /** True for the extra copy chaos made. */
  duplicate: boolean;
  attempts: { atMs: number; status: number | null; error: string | null }[];
  /** Subscription id (shop-specific ones can be removed after the retries are exhausted). */
  subscriptionId: number;
}

export interface DispatcherOptions {
  appSecret: string;
  clock: FakeClock;
  rng: Random;
  timeoutMs: number;
  retry: WebhookRetryPolicy;
  chaos: WebhookChaos;
  /** Called when a delivery finally failed (the caller may delete a shop-specific subscription). */
  onExhausted?: (d: WebhookDelivery) => void;
}

/** `2025-07-10T16:15:47.000000Z`, the Triggered-At form. */
function triggeredAt(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** HMAC the way Shopify signs webhooks: base64(HMAC-SHA256(app secret, raw body)). */
export function webhookHmac(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}

/** Sends webhook deliveries with Shopify's headers, timeouts, retries and optional chaos. */
export class WebhookDispatcher {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly opts: DispatcherOptions;
  private pending = 0;
  private waiters: (() => void)[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(opts: DispatcherOptions) {
    this.opts = opts;
  }

  /** Queues one delivery of `payload` to `uri`. */
  send(args: { shop: string; topic: string; uri: string; apiVersion: string; payload: unknown; eventId: string; subscriptionId: number }): WebhookDelivery {
    const body = JSON.stringify(args.payload);
    const d: WebhookDelivery = {
      webhookId: randomUUID(),
      eventId: args.eventId,
      topic: args.topic,
      shop: args.shop,
      uri: args.uri,
      apiVersion: args.apiVersion,
      triggeredAt: triggeredAt(this.opts.clock.nowMs()),
      body,
      state: 'pending',
      duplicate: false,
      attempts: [],
      subscriptionId: args.subscriptionId,
    };
    this.deliveries.push(d);
    const { chaos, rng } = this.opts;
    if (rng.next() < (chaos.dropRate ?? 0)) {
      d.state = 'dropped';
      return d;
    }
    const delay = (): number => (rng.next() < (chaos.reorderRate ?? 0) ? Math.floor(rng.next() * (chaos.maxReorderDelayMs ?? 200)) : 0);
    this.schedule(d, delay(), 0);
    if (rng.next() < (chaos.duplicateRate ?? 0)) {
      const copy: WebhookDelivery = { ...d, duplicate: true, attempts: [] };
      this.deliveries.push(copy);
      this.schedule(copy, delay() + 1, 0);
    }
    return d;
  }

  /** Resolves once no delivery is pending or waiting for a retry. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Cancels scheduled attempts; in-flight requests finish on their own timeout. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pending = 0;
    this.flushWaiters();
  }

  private flushWaiters(): void {
    if (this.pending !== 0) return;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  private schedule(d: WebhookDelivery, delayMs: number, retry: number): void {
    if (this.stopped) return;
    this.pending++;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.attempt(d, retry).finally(() => {
        this.pending = Math.max(0, this.pending - 1);
        this.flushWaiters();
      });
    }, delayMs);
    this.timers.add(t);
  }

  private async attempt(d: WebhookDelivery, retry: number): Promise<void> {
    if (this.stopped) return;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'Shopify-Captain-Hook',
      'X-Shopify-Topic': d.topic,
      'X-Shopify-Hmac-Sha256': webhookHmac(d.body, this.opts.appSecret),
      'X-Shopify-Shop-Domain': d.shop,
      'X-Shopify-API-Version': d.apiVersion,
      'X-Shopify-Webhook-Id': d.webhookId,
      'X-Shopify-Event-Id': d.eventId,
      'X-Shopify-Triggered-At': d.triggeredAt,
    };
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.uri, { method: 'POST', headers, body: d.body, signal: AbortSignal.timeout(this.opts.timeoutMs) });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    d.attempts.push({ atMs: this.opts.clock.nowMs(), status, error });
    if (status !== null && status >= 200 && status < 300) {
      d.state = 'delivered';
      return;
    }
    if (retry < this.opts.retry.maxRetries && !this.stopped) {
      this.schedule(d, this.opts.retry.backoffMs(retry + 1), retry + 1);
      return;
    }
    d.state = 'failed';
    this.opts.onExhausted?.(d);
  }
}
