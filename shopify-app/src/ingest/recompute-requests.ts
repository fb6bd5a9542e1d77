import type { Logger } from '../log.ts';

/** Asks for the recompute job of shops whose queued customers changed; the one place such requests are coalesced. */
export interface RecomputeRequests {
  /**
   * Requests the shop's recompute job and resolves once a send that started after this call finished (rejects when
   * that send failed). However many callers ask meanwhile, at most one send per shop is in flight and one waits: a
   * send already in flight covers every request that arrived before it started, so later ones only wait for the next.
   */
  request(shop: string): Promise<void>;
  /** As {@link request}, without holding up the caller: a failed send is logged and retried after `retryMs` until one succeeds. */
  requestInBackground(shop: string): void;
  /** Resolves once no background request is in flight or waiting (tests, shutdown). */
  settled(): Promise<void>;
}

/**
 * Coalesces recompute requests per shop. Nothing is lost if the process dies before a send: the queued customers are
 * committed in `recompute_queue` first, and the app queues a recompute at start for every shop with rows there.
 * @param send queues the recompute job of one shop (pg-boss: one insert, the cost this saves on a webhook burst).
 */
export function createRecomputeRequests(
  send: (shop: string) => Promise<void>,
  options: {
    log?: Logger;
    retryMs?: number;
    /**
     * Least time between the starts of two sends for one shop, ms (default 0). Requests meanwhile wait and share the
     * next send. On PostgreSQL several processes take a shop's webhooks, each batch asking for the job; the job is
     * stately (one queued per shop), so sends closer together than the job's polling only cost inserts that pg-boss
     * drops. A request is still always followed by a send that starts after it.
     */
    minIntervalMs?: number;
  } = {},
): RecomputeRequests {
  const minInterval = options.minIntervalMs ?? 0;
  /** `started`: the send in flight or waiting out the interval (`waiting`); `next`: the one queued behind it. */
  const slots = new Map<string, { started: Promise<void> | null; waiting: boolean; next: Promise<void> | null; lastStartMs: number }>();
  let background = 0;
  const idle: (() => void)[] = [];

  const request = (shop: string): Promise<void> => {
    let slot = slots.get(shop);
    if (!slot) slots.set(shop, (slot = { started: null, waiting: false, next: null, lastStartMs: -Infinity }));
    const s = slot;
    if (s.next) return s.next;
    // A send still waiting out the interval has not started: it covers this request too.
    if (s.waiting && s.started) return s.started;
    const forget = (): void => {
      if (s.started === null && s.next === null && slots.get(shop) === s) slots.delete(shop);
    };
    const start = (): Promise<void> => {
      const wait = s.lastStartMs + minInterval - Date.now();
      const go = (): Promise<void> => {
        s.waiting = false;
        s.lastStartMs = Date.now();
        return send(shop);
      };
      s.waiting = wait > 0;
      // Without a wait the send starts synchronously, as callers (and the tests) expect.
      const p = (wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)).then(go) : go()).finally(() => {
        if (s.started === p) s.started = null;
        // The slot remembers when its last send started until the interval passed.
        if (minInterval > 0) setTimeout(forget, minInterval).unref?.();
        else forget();
      });
      s.started = p;
      return p;
    };
    if (!s.started) return start();
    s.next = s.started
      .catch(() => undefined)
      .then(() => {
        s.next = null;
        return start();
      });
    return s.next;
  };

  return {
    request,
    requestInBackground(shop) {
      background++;
      void (async () => {
        for (;;) {
          try {
            await request(shop);
            break;
          } catch (error) {
            options.log?.warn('recompute request failed; retrying', { shop, message: (error as Error).message });
            await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 1000));
          }
        }
        background--;
        if (background === 0) for (const done of idle.splice(0)) done();
      })();
    },
    settled: () => (background === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve))),
  };
}
