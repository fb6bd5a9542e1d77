import type { RetentionDb } from '../db/cache.ts';
import type { BadgeSettings } from '../messages/protocol.ts';
import type { FetchLike } from '../sync/api-client.ts';
import type { FreshnessConfig } from './freshness.ts';

export interface SettingsStore {
  get(): Promise<BadgeSettings>;
  set(settings: BadgeSettings): Promise<void>;
}

export interface BackgroundDeps {
  openDb: () => Promise<RetentionDb>;
  fetch: FetchLike;
  nowMs: () => number;
  settings: SettingsStore;
  pageSize?: number;
  /** The freshness loop behind visible badges (defaults: {@link DEFAULT_FRESHNESS}). */
  freshness?: Partial<FreshnessConfig>;
}

/**
 * What every part of the background service shares: its dependencies and the database, opened once on first use.
 * Each concern (sync, cache lookups, connections, settings, messaging) is a small factory over this context.
 */
export interface BackgroundContext {
  readonly deps: BackgroundDeps;
  /** The extension's IndexedDB, opened on the first call (only the background opens it). */
  db(): Promise<RetentionDb>;
}

export function createBackgroundContext(deps: BackgroundDeps): BackgroundContext {
  let dbPromise: Promise<RetentionDb> | null = null;
  return { deps, db: () => (dbPromise ??= deps.openDb()) };
}
