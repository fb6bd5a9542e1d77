import type { FreshnessAnswer } from '../messages/protocol.ts';

export interface FreshnessClientDeps {
  /** Asks the background for a (throttled) delta sync and the ids changed since `sinceMs`. */
  poll(storeHandle: string, sinceMs: number | null): Promise<FreshnessAnswer>;
  /** The store whose badges this page shows, or null when it shows none (then nothing is polled). */
  shownStore(): string | null;
  /** Whether the merchant can see the page (`document.visibilityState === 'visible'`). */
  visible(): boolean;
  /** Re-renders the badges of these customers (`'all'` when the background cannot list the changes). */
  onChanged(storeHandle: string, customerIds: string[] | 'all'): Promise<void>;
  nowMs(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** How often a page without badges looks again whether it has some (local check, no message). */
  idleCheckMs?: number;
  /** Longest wait between polls after the background failed to answer. */
  maxBackoffMs?: number;
  onError?: (error: unknown) => void;
}

export interface FreshnessClient {
  /** Polls now (if visible) and keeps polling at the cadence the background asks for. */
  start(): void;
  /** Stops polling (page hidden or content script invalidated); `start` resumes. */
  stop(): void;
}

/**
 * The page half of the freshness loop (the background half is `createFreshness`). While the page is visible and
 * shows badges it polls the background, which throttles and runs the delta sync; the answer names the customers
 * whose cached numbers changed, and only their badges re-render. Hidden pages do not poll, so the service worker
 * may sleep. The first poll's `sinceMs` is the moment the client was created, before any badge asked for data, so no
 * change between a badge's lookup and the first poll is missed.
 */
export function createFreshnessClient(deps: FreshnessClientDeps): FreshnessClient {
  const idleCheckMs = deps.idleCheckMs ?? 3000;
  const maxBackoffMs = deps.maxBackoffMs ?? 60_000;
  const createdAtMs = deps.nowMs();
  const since = new Map<string, number>();
  const connected = new Map<string, boolean>();
  let timer: unknown = null;
  let polling = false;
  let active = false;
  let failures = 0;

  const schedule = (ms: number) => {
    if (!active || timer !== null) return;
    timer = deps.setTimeout(() => {
      timer = null;
      void tick();
    }, ms);
  };

  async function tick(): Promise<void> {
    if (!active || polling) return;
    if (!deps.visible()) {
      active = false;
      return;
    }
    const store = deps.shownStore();
    if (store === null) {
      schedule(idleCheckMs);
      return;
    }
    polling = true;
    const polledAtMs = deps.nowMs();
    let nextMs: number;
    try {
      // One ms before creation: a change stamped in the very millisecond the page started is listed, not missed.
      const answer = await deps.poll(store, since.get(store) ?? createdAtMs - 1);
      failures = 0;
      since.set(store, answer.nowMs);
      // Disconnected meanwhile (options page, another window): every badge falls back to "not connected".
      const disconnected = connected.get(store) === true && !answer.connected;
      connected.set(store, answer.connected);
      if (answer.reset || disconnected) await deps.onChanged(store, 'all');
      else if (answer.changedCustomerIds.length > 0) await deps.onChanged(store, answer.changedCustomerIds);
      // The cadence counts from the start of this poll: the sync it waited for does not stretch the period.
      nextMs = Math.max(0, answer.nextPollMs - (deps.nowMs() - polledAtMs));
    } catch (error) {
      deps.onError?.(error);
      failures++;
      nextMs = Math.min(maxBackoffMs, idleCheckMs * 2 ** failures);
    } finally {
      polling = false;
    }
    schedule(nextMs);
  }

  return {
    start() {
      active = true;
      if (timer !== null) {
        deps.clearTimeout(timer);
        timer = null;
      }
      void tick();
    },
    stop() {
      active = false;
      if (timer !== null) deps.clearTimeout(timer);
      timer = null;
    },
  };
}
