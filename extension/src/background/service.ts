import type { Envelope } from '../messages/protocol.ts';
import type { SyncMode, SyncResult } from '../sync/sync.ts';
import { createBadgeSettings } from './badge-settings.ts';
import { createCacheLookups } from './cache-lookups.ts';
import { createConnections } from './connections.ts';
import { createBackgroundContext, type BackgroundContext, type BackgroundDeps } from './context.ts';
import { createMessageHandler } from './message-handler.ts';
import { createSyncRunner } from './sync-runner.ts';

export { normalizeSettings } from './badge-settings.ts';
export type { BackgroundDeps, SettingsStore } from './context.ts';

export interface BackgroundService {
  /** Answers one message from any extension context; never throws (errors come back as `{ ok: false }`). */
  handleMessage(raw: unknown): Promise<Envelope<unknown>>;
  /**
   * Syncs one shop; concurrent calls for the same shop share one run (a `full` call waits for a running `delta` one,
   * then runs). Every run's changed ids go to the freshness change log for the pages that show badges.
   */
  sync(shopDomain: string, mode?: SyncMode): Promise<SyncResult>;
  /** Periodic sync of every shop that is connected, not evicted and not waiting for a reconnect. */
  syncAll(): Promise<void>;
  /**
   * Resumes syncs a stopped service worker left half done (MV3 stops idle workers): the feed continues from the last
   * committed page's cursor. Called when the worker starts.
   */
  resumeInterrupted(): Promise<void>;
}

/**
 * The background service worker's logic, with its dependencies passed in so unit tests run it in process. It only
 * assembles the parts, one factory per concern over a shared {@link BackgroundContext}: sync runner (with the
 * freshness loop), cache lookups, connections, badge settings, and the message handler that routes to them.
 */
export function createBackgroundService(deps: BackgroundDeps): BackgroundService {
  const ctx = createBackgroundContext(deps);
  const syncer = createSyncRunner(ctx);
  const lookups = createCacheLookups(ctx);
  const connections = createConnections(ctx, syncer);
  const settings = createBadgeSettings(ctx);
  return {
    handleMessage: createMessageHandler(ctx, { syncer, lookups, connections, settings }),
    sync: (shopDomain, mode) => syncer.sync(shopDomain, mode),
    syncAll: () => syncer.syncAll(),
    resumeInterrupted: () => syncer.resumeInterrupted(),
  };
}
