/**
 * Shopify admin URL parsing. Customers and orders are found by URL patterns and link hrefs only, never by the
 * admin's hashed CSS classes. Two admin hosts exist: `admin.shopify.com/store/<handle>/...` (current) and
 * `<handle>.myshopify.com/admin/...` (legacy, redirects to the current one).
 */

export type AdminPage =
  | { kind: 'customers-list'; storeHandle: string }
  | { kind: 'customer-detail'; storeHandle: string; customerId: string }
  | { kind: 'orders-list'; storeHandle: string }
  | { kind: 'order-detail'; storeHandle: string; orderId: string }
  | { kind: 'other'; storeHandle: string };

export type AdminLink = { kind: 'customer'; storeHandle: string; customerId: string } | { kind: 'order'; storeHandle: string; orderId: string };

const CURRENT_HOST = 'admin.shopify.com';
const LEGACY_HOST_RE = /^([a-z0-9][a-z0-9-]*)\.myshopify\.com$/i;
// Ids are numeric (legacyResourceId); `/customers/new` or `/orders/drafts` are not records.
const CURRENT_PATH_RE = /^\/store\/([^/]+)(\/.*)?$/;
const LEGACY_PATH_RE = /^\/admin(\/.*)?$/;
const SECTION_RE = /^\/(customers|orders)(?:\/(\d+))?\/?$/;
/** The largest Shopify id (ids are 64-bit; the app stores them as PostgreSQL bigint). */
const MAX_ID = '9223372036854775807';

/**
 * Whether `digits` is a Shopify id as the admin writes it: decimal, no leading zero, 1 to 2^63 - 1. Ids are 64-bit and
 * stay text here (a JavaScript number rounds them above 2^53), so cache keys and API paths use them as written.
 */
function isShopifyId(digits: string): boolean {
  if (digits.length === 0 || digits.length > MAX_ID.length || digits.charCodeAt(0) === 48) return false;
  return digits.length < MAX_ID.length || digits <= MAX_ID;
}

/** The store handle and the admin path after it (`/customers/5`), or null for a non-admin URL. */
function splitAdminUrl(url: URL): { storeHandle: string; rest: string } | null {
  if (url.protocol !== 'https:') return null;
  if (url.hostname === CURRENT_HOST) {
    const m = CURRENT_PATH_RE.exec(url.pathname);
    if (!m?.[1]) return null;
    return { storeHandle: decodeURIComponent(m[1]).toLowerCase(), rest: m[2] ?? '/' };
  }
  const host = LEGACY_HOST_RE.exec(url.hostname);
  if (host?.[1]) {
    const m = LEGACY_PATH_RE.exec(url.pathname);
    if (!m) return null;
    return { storeHandle: host[1].toLowerCase(), rest: m[1] ?? '/' };
  }
  return null;
}

/** What kind of admin page a URL shows, or null when it is not a Shopify admin page. */
export function parseAdminPage(href: string): AdminPage | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  const split = splitAdminUrl(url);
  if (!split) return null;
  const { storeHandle, rest } = split;
  const m = SECTION_RE.exec(rest);
  if (!m || (m[2] !== undefined && !isShopifyId(m[2]))) return { kind: 'other', storeHandle };
  if (m[1] === 'customers') {
    return m[2] ? { kind: 'customer-detail', storeHandle, customerId: m[2] } : { kind: 'customers-list', storeHandle };
  }
  return m[2] ? { kind: 'order-detail', storeHandle, orderId: m[2] } : { kind: 'orders-list', storeHandle };
}

/**
 * The customer or order a link points to, resolving relative hrefs against the page URL; null for anything else
 * (index pages, other sections, other sites, malformed hrefs).
 */
export function parseAdminLink(href: string, baseUrl: string): AdminLink | null {
  let page: AdminPage | null;
  try {
    page = parseAdminPage(new URL(href, baseUrl).href);
  } catch {
    return null;
  }
  if (page?.kind === 'customer-detail') {
    return { kind: 'customer', storeHandle: page.storeHandle, customerId: page.customerId };
  }
  if (page?.kind === 'order-detail') return { kind: 'order', storeHandle: page.storeHandle, orderId: page.orderId };
  return null;
}

/** The admin page of a customer, on the current admin host. */
export function customerAdminUrl(storeHandle: string, customerId: string): string {
  return `https://${CURRENT_HOST}/store/${encodeURIComponent(storeHandle)}/customers/${encodeURIComponent(customerId)}`;
}
