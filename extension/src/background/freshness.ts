import { ExtensionErrorCode, toPlainError } from '../errors.ts';
import type { FreshnessAnswer } from '../messages/protocol.ts';
import type { SyncResult } from '../sync/sync.ts';

/** How the background keeps the cache behind visible badges fresh (see {@link createFreshness}). */
export interface FreshnessConfig {
  /** Delta syncs per shop start at most this often while a page polls; also the page's poll cadence. */
  intervalMs: number;
  /** Longest wait after repeated failures (the wait doubles from `intervalMs` on each failure). */
  maxBackoffMs: number;
  /** Poll cadence the background asks of pages of a store that is not connected (or must be reconnected). */
  idlePollMs: number;
  /** Change-log entries kept per shop; a page further behind is told to re-read everything it shows. */
  logEntries: number;
}

export const DEFAULT_FRESHNESS: FreshnessConfig = {
  intervalMs: 3000,
  maxBackoffMs: 60_000,
  idlePollMs: 30_000,
  logEntries: 200,
};

export interface FreshnessDeps {
  config: FreshnessConfig;
  nowMs: () => number;
  /** The single-flight delta sync of one shop (shared with any full sync already running for it). */
  deltaSync: (shopDomain: string) => Promise<SyncResult>;
}

interface ShopFreshness {
  lastStartMs: number;
  failures: number;
  retryAtMs: number;
  inFlight: Promise<void> | null;
  /** Change log: the cache changed for `ids` (null = everything) at `atMs`. Oldest first. */
  log: { atMs: number; ids: string[] | null }[];
  /** Changes older than this are no longer in the log. */
  logStartMs: number;
}

/**
 * The freshness loop's background half. Pages showing badges poll it every few seconds while they are visible (the
 * page's timer is the clock: `chrome.alarms` cannot go below 30 s, and each poll is an event that keeps the MV3
 * service worker alive only as long as someone looks). Each poll starts a delta sync unless one started less than an
 * interval ago (throttled and single-flight per shop, however many tabs poll), backs off exponentially after errors,
 * and answers with the customer ids that changed since the page's last poll, so the page re-renders just those.
 * No visible page, no polls, no syncs.
 */
export function createFreshness(deps: FreshnessDeps) {
  const { config } = deps;
  // Changes made before the worker started are not in any log: a page that last polled before then re-reads all.
  const startedAtMs = deps.nowMs();
  const shops = new Map<string, ShopFreshness>();
  // Tokens handed to pages and change times are kept strictly apart: a change is newer than every token handed out
  // before it and not newer than any token handed out after it, so a page sees each change once.
  let lastTokenMs = -Infinity;
  let lastChangeMs = -Infinity;

  const stateOf = (shopDomain: string): ShopFreshness => {
    let s = shops.get(shopDomain);
    if (!s) {
      s = { lastStartMs: -Infinity, failures: 0, retryAtMs: 0, inFlight: null, log: [], logStartMs: startedAtMs };
      shops.set(shopDomain, s);
    }
    return s;
  };

  /** Records a change to the cache (from any sync: delta, full, alarm, "Sync now"). */
  function record(shopDomain: string, ids: string[] | null): void {
    if (ids !== null && ids.length === 0) return;
    const s = stateOf(shopDomain);
    lastChangeMs = Math.max(deps.nowMs(), lastTokenMs + 1, lastChangeMs);
    s.log.push({ atMs: lastChangeMs, ids });
    while (s.log.length > config.logEntries) s.logStartMs = s.log.shift()!.atMs;
  }

  /** Everything changed (shop cleared or re-paired): pages re-read what they show. */
  function forget(shopDomain: string): void {
    const s = stateOf(shopDomain);
    s.log = [];
    s.logStartMs = deps.nowMs();
  }

  function changesSince(shopDomain: string, sinceMs: number | null): { ids: string[]; reset: boolean } {
    const s = stateOf(shopDomain);
    if (sinceMs === null) return { ids: [], reset: false };
    if (sinceMs < s.logStartMs) return { ids: [], reset: true };
    const ids = new Set<string>();
    for (const e of s.log) {
      if (e.atMs <= sinceMs) continue;
      if (e.ids === null) return { ids: [], reset: true };
      for (const id of e.ids) ids.add(id);
    }
    return { ids: [...ids], reset: false };
  }

  /** Starts a delta sync unless throttled or backing off; resolves when the shop's current check has finished. */
  function check(shopDomain: string): Promise<void> {
    const s = stateOf(shopDomain);
    if (s.inFlight) return s.inFlight;
    const now = deps.nowMs();
    // A little slack so a page polling exactly every interval is not skipped for a few ms of timer jitter.
    if (now < s.retryAtMs || now - s.lastStartMs < config.intervalMs - 250) return Promise.resolve();
    s.lastStartMs = now;
    const run = deps.deltaSync(shopDomain).then(
      () => {
        s.failures = 0;
        s.retryAtMs = 0;
      },
      (error: unknown) => {
        s.failures++;
        const code = toPlainError(error).code;
        // A revoked token will not heal by retrying: wait the longest; the merchant reconnects from the options page.
        const waitMs =
          code === ExtensionErrorCode.unauthorized || code === ExtensionErrorCode.notConnected
            ? config.maxBackoffMs
            : Math.min(config.maxBackoffMs, config.intervalMs * 2 ** s.failures);
        s.retryAtMs = deps.nowMs() + waitMs;
      },
    );
    s.inFlight = run.finally(() => {
      s.inFlight = null;
    });
    return s.inFlight;
  }

  return {
    record,
    forget,
    /**
     * One page's poll for a connected shop: waits for the shop's check (started now unless throttled), then lists
     * what changed since `sinceMs`. `sinceMs` null (first poll) only starts the check and sets the page's baseline.
     */
    async poll(shopDomain: string, sinceMs: number | null, opts: { skipSync: boolean }): Promise<FreshnessAnswer> {
      if (!opts.skipSync) {
        const checking = check(shopDomain);
        if (sinceMs !== null) await checking;
      }
      const nowMs = Math.max(deps.nowMs(), lastChangeMs);
      lastTokenMs = Math.max(lastTokenMs, nowMs);
      const { ids, reset } = changesSince(shopDomain, sinceMs);
      const s = stateOf(shopDomain);
      const nextPollMs = opts.skipSync ? config.idlePollMs : Math.max(config.intervalMs, s.retryAtMs - nowMs);
      return { connected: true, shopDomain, changedCustomerIds: ids, reset, nowMs, nextPollMs };
    },
    notConnected(): FreshnessAnswer {
      const nowMs = Math.max(deps.nowMs(), lastChangeMs);
      lastTokenMs = Math.max(lastTokenMs, nowMs);
      return { connected: false, shopDomain: null, changedCustomerIds: [], reset: false, nowMs, nextPollMs: config.idlePollMs };
    },
  };
}

export type Freshness = ReturnType<typeof createFreshness>;
