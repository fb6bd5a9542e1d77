import type { ApiErrorV1, CustomerInsightV1, CustomerNamesV1, CustomersFeedV1, PairResponseV1, ShopSummaryV1 } from '@clvlens/core';
import { ExtensionError, ExtensionErrorCode } from '../errors.ts';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The app's v1 HTTP API as the extension calls it. Every method throws {@link ExtensionError}. */
export interface ApiClient {
  summary(): Promise<ShopSummaryV1>;
  customersPage(since: string | null, limit: number): Promise<CustomersFeedV1>;
  /** null when the app knows no such order, or the order has no customer. */
  /** The order's customer; null for an unknown order (or one without insight yet), 'guest' for a guest checkout. */
  orderCustomer(orderId: string): Promise<CustomerInsightV1 | null | 'guest'>;
  unpair(): Promise<void>;
  /** Display names of these customers, read live from Shopify by the app; never stored by the app or the extension. */
  customerNames(customerIds: readonly string[]): Promise<Record<string, string>>;
}

/**
 * Host names that reach this machine only: the one place an unencrypted http:// app URL is accepted (local demo), and
 * the app origins granted at install, for which the options page asks for no host permission.
 */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks and normalises an app URL typed by the user: https (http only to a loopback address, where no network sees
 * the token), origin plus optional path prefix, no trailing slash.
 */
export function normalizeAppUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch (cause) {
    throw new ExtensionError(
      ExtensionErrorCode.invalidAppUrl,
      `"${raw}" is not a URL. Enter the app address shown on the CLV Lens dashboard, e.g. https://clvlens.example.com.`,
      { cause, params: { kind: 'not-url' } },
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ExtensionError(ExtensionErrorCode.invalidAppUrl, `The app URL must start with https:// (got ${url.protocol}).`, { params: { kind: 'https' } });
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new ExtensionError(
      ExtensionErrorCode.invalidAppUrl,
      `The app URL must start with https:// (http:// is only for an app on this computer, such as the local demo).`,
      { params: { kind: 'https' } },
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

async function request<T>(
  fetchFn: FetchLike,
  url: string,
  init: RequestInit,
  what: string,
  opts: { nullOnNotFound?: boolean; guestOnNotFound?: boolean } = {},
): Promise<T | null | 'guest'> {
  let response: Response;
  try {
    response = await fetchFn(url, init);
  } catch (cause) {
    const origin = new URL(url).origin;
    // A browser with no network says so: "app unreachable" would send the merchant to check an app that is fine.
    if (globalThis.navigator?.onLine === false) {
      throw new ExtensionError(ExtensionErrorCode.offline, `The browser is offline; could not reach ${origin} (${what}).`, { cause, params: { origin } });
    }
    throw new ExtensionError(
      ExtensionErrorCode.appUnreachable,
      `Could not reach the CLV Lens app at ${origin} (${what}). Check that it is running and the URL is right.`,
      { cause, params: { origin } },
    );
  }
  const origin = new URL(url).origin;
  if (response.status === 204) return null;
  if (response.status === 404 && opts.nullOnNotFound) {
    if (!opts.guestOnNotFound) return null;
    const code = await response.json().then(
      (b: Partial<ApiErrorV1> | null) => b?.error?.code,
      () => undefined,
    );
    return code === 'guest-order' ? 'guest' : null;
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new ExtensionError(
      ExtensionErrorCode.badResponse,
      `The app answered ${what} with HTTP ${response.status} and a body that is not JSON. Is the app URL right?`,
      { cause, params: { origin } },
    );
  }
  if (!response.ok) {
    const apiError = (body as Partial<ApiErrorV1> | null)?.error;
    const detail = apiError?.message ?? `HTTP ${response.status}`;
    if (response.status === 401 || apiError?.code === 'unauthorized') {
      throw new ExtensionError(
        ExtensionErrorCode.unauthorized,
        `The app no longer accepts this extension (${detail}). Reconnect from the CLV Lens options page.`,
        { params: { origin } },
      );
    }
    if (apiError?.code === 'pairing-code-invalid') {
      throw new ExtensionError(
        ExtensionErrorCode.pairingCodeInvalid,
        `The pairing code was not accepted (${detail}). Copy a fresh code from the app dashboard.`,
        { params: { origin } },
      );
    }
    throw new ExtensionError(ExtensionErrorCode.appError, `The app could not answer ${what}: ${detail}.`, { params: { origin, status: response.status } });
  }
  return body as T;
}

async function requestBody<T>(fetchFn: FetchLike, url: string, init: RequestInit, what: string): Promise<T> {
  const body = await request<T>(fetchFn, url, init, what);
  expect(body !== null, what);
  return body as T;
}

function expect(condition: boolean, what: string): void {
  if (!condition) {
    throw new ExtensionError(ExtensionErrorCode.badResponse, `The app's answer to ${what} does not follow API v1.`);
  }
}

/** Pairs with the app using a one-time code: `POST /api/v1/pair`. */
export async function pair(fetchFn: FetchLike, appUrl: string, code: string): Promise<PairResponseV1> {
  const body = await requestBody<PairResponseV1>(
    fetchFn,
    `${appUrl}/api/v1/pair`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code.trim() }) },
    'the pairing request',
  );
  expect(typeof body?.token === 'string' && typeof body.shopDomain === 'string' && typeof body.storeHandle === 'string', 'the pairing request');
  return body;
}

/** A client bound to one paired shop's app URL and token. */
export function createApiClient(fetchFn: FetchLike, appUrl: string, token: string): ApiClient {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  return {
    async summary() {
      const body = await requestBody<ShopSummaryV1>(fetchFn, `${appUrl}/api/v1/shop/summary`, { headers }, 'the shop summary');
      expect(typeof body?.shopDomain === 'string' && typeof body.churn === 'object', 'the shop summary');
      return body;
    },
    async customersPage(since, limit) {
      const params = new URLSearchParams({ limit: String(limit) });
      if (since !== null) params.set('since', since);
      const body = await requestBody<CustomersFeedV1>(fetchFn, `${appUrl}/api/v1/customers?${params}`, { headers }, 'the customer feed');
      expect(
        Array.isArray(body?.customers) && Array.isArray(body.deletedCustomerIds) && typeof body.nextCursor === 'string' && typeof body.hasMore === 'boolean',
        'the customer feed',
      );
      return body;
    },
    async orderCustomer(orderId) {
      // 404 = unknown order or guest order: a quiet placeholder, not an error.
      const body = await request<CustomerInsightV1>(
        fetchFn,
        `${appUrl}/api/v1/orders/${encodeURIComponent(orderId)}/customer`,
        { headers },
        `the customer of order ${orderId}`,
        { nullOnNotFound: true, guestOnNotFound: true },
      );
      if (body !== null && body !== 'guest') expect(typeof body.customerId === 'string', `the customer of order ${orderId}`);
      return body;
    },
    async unpair() {
      await request<unknown>(fetchFn, `${appUrl}/api/v1/unpair`, { method: 'POST', headers }, 'the unpair request');
    },
    async customerNames(customerIds) {
      if (customerIds.length === 0) return {};
      const ids = customerIds.map(encodeURIComponent).join(',');
      const body = await requestBody<CustomerNamesV1>(
        fetchFn,
        `${appUrl}/api/v1/customer-names?ids=${ids}`,
        // Names are for display only: nothing on the way may keep them.
        { headers, cache: 'no-store' },
        'the customer names',
      );
      expect(typeof body?.names === 'object' && body.names !== null, 'the customer names');
      const names: Record<string, string> = {};
      for (const [id, name] of Object.entries(body.names)) if (typeof name === 'string') names[id] = name;
      return names;
    },
  };
}
