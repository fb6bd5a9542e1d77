import { clearNotices } from '../db/cache.ts';
import { ExtensionErrorCode, toPlainError } from '../errors.ts';
import { parseRequest, type Envelope, type Request } from '../messages/protocol.ts';
import type { BadgeSettingsService } from './badge-settings.ts';
import type { CacheLookups } from './cache-lookups.ts';
import type { Connections } from './connections.ts';
import type { BackgroundContext } from './context.ts';
import type { SyncRunner } from './sync-runner.ts';

/** The parts of the service a message can reach. */
export interface MessageTargets {
  syncer: SyncRunner;
  lookups: CacheLookups;
  connections: Connections;
  settings: BadgeSettingsService;
}

/**
 * The one typed message protocol (messages/protocol.ts) routed to the service's parts. Answers every message from any
 * extension context and never throws: errors come back as `{ ok: false, error }` plain objects.
 */
export function createMessageHandler(ctx: BackgroundContext, targets: MessageTargets): (raw: unknown) => Promise<Envelope<unknown>> {
  const { syncer, lookups, connections, settings } = targets;

  async function handle(req: Request): Promise<unknown> {
    switch (req.type) {
      case 'customers.lookup':
        return lookups.lookupCustomers(req.storeHandle, req.customerIds, req.packed === true);
      case 'orders.lookup':
        return lookups.lookupOrders(req.storeHandle, req.orderIds, req.packed === true);
      case 'status.get':
        return connections.status();
      case 'settings.get':
        void lookups.warm();
        return settings.get();
      case 'settings.set':
        return settings.set(req.settings);
      case 'fresh.poll':
        void lookups.warm();
        return syncer.pollFreshness(req.storeHandle, req.sinceMs);
      case 'sync.now': {
        const r = await syncer.sync(req.shopDomain);
        return { customersReceived: r.customersReceived, customersDeleted: r.customersDeleted, evictedShops: r.evictedShops };
      }
      case 'connect':
        return connections.connect(req.appUrl, req.code);
      case 'disconnect':
        return connections.disconnect(req.shopDomain);
      case 'notices.dismiss':
        await clearNotices(await ctx.db());
        return null;
      case 'customers.names':
        return connections.customerNames(req.storeHandle, req.customerIds);
    }
  }

  return async (raw) => {
    const req = parseRequest(raw);
    if (!req) {
      const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String(raw.type) : typeof raw;
      return { ok: false, error: { code: ExtensionErrorCode.badMessage, message: `Unknown or malformed message (${type}).` } };
    }
    try {
      return { ok: true, value: await handle(req) };
    } catch (error) {
      return { ok: false, error: toPlainError(error) };
    }
  };
}
