import type { ServerResponse } from 'node:http';
import { FakeShopifyError } from './errors.ts';
import { normalizeDomain, send, sleep } from './http.ts';
import type { FaultSpec } from './public-types.ts';

/** Injected faults (status codes, slow answers) consumed by the next matching requests. */
export interface Faults {
  inject(fault: FaultSpec): void;
  clear(): void;
  /**
   * Applies the first fault matching `route` and `shop`, if any: waits its delay, then answers with its status.
   * True when the response was sent (the route must not serve the request).
   */
  apply(route: 'graphql' | 'oauth' | 'bulk-file', shop: string | null, res: ServerResponse): Promise<boolean>;
}

export function createFaults(): Faults {
  const faults: (FaultSpec & { left: number })[] = [];
  return {
    inject(f) {
      if (f.status === undefined && f.delayMs === undefined) throw new FakeShopifyError('BAD_INPUT', 'a fault needs status or delayMs');
      faults.push({ ...f, ...(f.shop !== undefined ? { shop: normalizeDomain(f.shop) } : {}), left: f.times ?? 1 });
    },
    clear() {
      faults.length = 0;
    },
    async apply(route, shop, res) {
      const i = faults.findIndex((f) => ((f.route ?? 'graphql') === route || f.route === 'any' ? f.shop === undefined || f.shop === shop : false));
      if (i < 0) return false;
      const f = faults[i] as FaultSpec & { left: number };
      f.left--;
      if (f.left <= 0) faults.splice(i, 1);
      if (f.delayMs !== undefined) await sleep(f.delayMs);
      if (f.status === undefined) return false;
      const headers: Record<string, string> = {};
      let body: unknown;
      if (f.status === 429) {
        headers['Retry-After'] = String(f.retryAfterSeconds ?? 2);
        body = { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' };
      } else if (f.status === 503) {
        if (f.retryAfterSeconds !== undefined) headers['Retry-After'] = String(f.retryAfterSeconds);
        body = { errors: 'Service Unavailable' };
      } else if (f.status >= 500) {
        body = { errors: 'Internal Server Error' };
      } else {
        body = { errors: `Fault injected: HTTP ${f.status}` };
      }
      send(res, f.status, body, headers);
      return true;
    },
  };
}
