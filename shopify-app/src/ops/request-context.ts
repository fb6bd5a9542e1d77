import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while serving one request carries (issue 17: logs with the shop and request id). */
export interface RequestScope {
  requestId: string;
  /** The shop, once a session token, extension token or webhook HMAC proved it. */
  shop?: string;
}

/** The scope of the request being served, if any; read by the JSON logger. */
export const requestScope = new AsyncLocalStorage<RequestScope>();

/** An incoming `X-Request-Id` is kept when it looks like one (a load balancer's); anything else gets a fresh UUID. */
export function acceptRequestId(header: string | undefined, fresh: () => string): string {
  return header !== undefined && /^[A-Za-z0-9._:-]{8,128}$/.test(header) ? header : fresh();
}
