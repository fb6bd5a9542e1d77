/**
 * The demo's stand-in for the Shopify admin: an HTTPS server that answers as `admin.shopify.com` (the browser maps
 * that host to it) with admin-like customers and orders lists and details, on the admin's URL shapes and links
 * (`/store/<handle>/customers/<id>`, `/store/<handle>/orders/<id>`), rendered from the fake shop's real data. It also
 * embeds the app's dashboard as the admin does (`/store/<handle>/apps/clv-lens`, an iframe with `id_token`) and
 * serves a small App Bridge (`cdn.shopify.com/shopifycloud/app-bridge.js`) whose `shopify.idToken()` asks the admin
 * page for a fresh session token signed with the app secret, as Shopify admin gives one to embedded apps.
 *
 * The pages are one static shell: data travels as JSON from `/_demo/api/*` and is put in the page with
 * `textContent` only, never as HTML.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FakeShopifyControl } from '../fake-shopify/server.ts';
import { decimalToMinor, minorToDecimal } from '../shop-model/money.ts';
import type { Customer, Order } from '../shop-model/types.ts';

/** The app's handle in admin URLs: `/store/<handle>/apps/clv-lens`. */
export const DEMO_APP_HANDLE = 'clv-lens';
/** Rows per list page, as the admin shows by default. */
export const ADMIN_PAGE_SIZE = 50;

export interface DemoAdminOptions {
  control: FakeShopifyControl;
  shopDomain: string;
  /** The app's dashboard URL (`<app>/app`), framed by the apps page. */
  appDashboardUrl: string;
  /** Mints a session token for the shop (App Bridge's `idToken()`). */
  mintSessionToken: () => string;
  tls: { key: string; cert: string };
  /** Default 0 (ephemeral). */
  port?: number;
  host?: string;
}

export interface DemoAdminServer {
  port: number;
  /** `https://admin.shopify.com/store/<handle>` as the browser sees it. */
  storeUrl: string;
  storeHandle: string;
  close(): Promise<void>;
}

interface CustomerRow {
  id: string;
  name: string;
  email: string | null;
  location: string;
  orders: number;
  amountSpent: string;
  updatedAtMs: number;
}

const json = (body: unknown): { type: string; body: string } => ({ type: 'application/json; charset=utf-8', body: JSON.stringify(body) });

function displayName(c: Customer | null | undefined, fallbackEmail: string | null): string {
  const name = [c?.firstName, c?.lastName].filter((p) => p !== null && p !== undefined && p !== '').join(' ');
  return name !== '' ? name : (c?.email ?? fallbackEmail ?? 'No customer');
}

function netMinor(o: Order): number {
  const total = decimalToMinor(o.totalPriceSet.shopMoney.amount, o.currencyCode);
  const refunded = o.refunds.reduce((s, r) => s + decimalToMinor(r.totalRefundedSet.shopMoney.amount, o.currencyCode), 0);
  return total - refunded;
}

function orderRow(o: Order, customers: ReadonlyMap<number, Customer>) {
  const c = o.customerId === null ? null : customers.get(o.customerId);
  const items = o.lineItems.reduce((n, li) => n + li.quantity, 0);
  return {
    id: String(o.id),
    name: o.name,
    processedAtMs: o.processedAtMs,
    customerId: o.customerId === null ? null : String(o.customerId),
    customerName: o.customerId === null && o.email === null ? 'No customer' : displayName(c, o.email),
    total: o.totalPriceSet.shopMoney.amount,
    currency: o.currencyCode,
    financialStatus: o.financialStatus,
    fulfillmentStatus: o.fulfillmentStatus,
    cancelled: o.cancelledAtMs !== null,
    test: o.test,
    items,
  };
}

/** Reads the fake's truth into the rows the pages show; cached until the shop changes (its newest updatedAtMs). */
function createShopView(control: FakeShopifyControl, shopDomain: string) {
  let cacheKey = '';
  let cache: { customers: CustomerRow[]; byId: Map<number, Customer>; orders: Order[]; ordersOf: Map<number, Order[]> } | null = null;
  return () => {
    const truth = control.truth(shopDomain);
    let newest = 0;
    for (const o of truth.orders) if (o.updatedAtMs > newest) newest = o.updatedAtMs;
    for (const c of truth.customers) if (c.updatedAtMs > newest) newest = c.updatedAtMs;
    const key = `${truth.orders.length}:${truth.customers.length}:${newest}`;
    if (cache !== null && key === cacheKey) return { shop: truth.shop, ...cache };
    const byId = new Map(truth.customers.map((c) => [c.id, c]));
    const ordersOf = new Map<number, Order[]>();
    for (const o of truth.orders) {
      if (o.customerId === null) continue;
      let list = ordersOf.get(o.customerId);
      if (list === undefined) ordersOf.set(o.customerId, (list = []));
      list.push(o);
    }
    const currency = truth.shop.currencyCode;
    const customers: CustomerRow[] = truth.customers.map((c) => {
      const orders = (ordersOf.get(c.id) ?? []).filter((o) => !o.test && o.cancelledAtMs === null);
      const a = c.defaultAddress;
      return {
        id: String(c.id),
        name: displayName(c, null),
        email: c.email,
        location: [a?.city, a?.province, a?.country].filter((p) => p !== null && p !== undefined && p !== '').join(', '),
        orders: orders.length,
        amountSpent: minorToDecimal(
          orders.reduce((s, o) => s + netMinor(o), 0),
          currency,
        ),
        updatedAtMs: Math.max(c.updatedAtMs, ...orders.map((o) => o.updatedAtMs)),
      };
    });
    // The admin's default customer sort is by last update, newest first, so live buyers come to the top.
    customers.sort((x, y) => y.updatedAtMs - x.updatedAtMs || Number(y.id) - Number(x.id));
    const orders = [...truth.orders].sort((x, y) => y.processedAtMs - x.processedAtMs || y.id - x.id);
    cache = { customers, byId, orders, ordersOf };
    cacheKey = key;
    return { shop: truth.shop, ...cache };
  };
}

function pageOf<T>(rows: readonly T[], pageText: string | null): { page: number; pageCount: number; total: number; rows: T[] } {
  const pageCount = Math.max(1, Math.ceil(rows.length / ADMIN_PAGE_SIZE));
  const requested = Number.parseInt(pageText ?? '1', 10);
  const page = Number.isInteger(requested) ? Math.min(Math.max(requested, 1), pageCount) : 1;
  return { page, pageCount, total: rows.length, rows: rows.slice((page - 1) * ADMIN_PAGE_SIZE, page * ADMIN_PAGE_SIZE) };
}

/** Starts the admin pages server (HTTPS; the browser reaches it as admin.shopify.com and cdn.shopify.com). */
export async function startDemoAdmin(options: DemoAdminOptions): Promise<DemoAdminServer> {
  const storeHandle = options.shopDomain.replace(/\.myshopify\.com$/, '');
  const base = `/store/${storeHandle}`;
  const view = createShopView(options.control, options.shopDomain);
  const shell = adminShellHtml();
  const appsShell = appsPageHtml();

  const route = (method: string, url: URL, host: string): { status?: number; type: string; body: string; headers?: Record<string, string> } => {
    const path = url.pathname;
    if (host.startsWith('cdn.shopify.com') && path === '/shopifycloud/app-bridge.js') {
      return { type: 'text/javascript; charset=utf-8', body: APP_BRIDGE_JS };
    }
    if (method !== 'GET') return { status: 405, ...json({ error: 'method not allowed' }) };
    if (path === '/_demo/api/shop') {
      const v = view();
      return json({ name: v.shop.name, domain: v.shop.domain, handle: storeHandle, currency: v.shop.currencyCode, appHandle: DEMO_APP_HANDLE });
    }
    if (path === '/_demo/api/session-token') return json({ token: options.mintSessionToken() });
    if (path === '/_demo/api/app-url') {
      const u = new URL(options.appDashboardUrl);
      u.searchParams.set('embedded', '1');
      u.searchParams.set('shop', options.shopDomain);
      u.searchParams.set('host', Buffer.from(`admin.shopify.com/store/${storeHandle}`).toString('base64url'));
      u.searchParams.set('id_token', options.mintSessionToken());
      // Shopify passes the admin user's language to embedded apps as `locale`; the demo takes it from the admin URL.
      u.searchParams.set('locale', url.searchParams.get('locale') ?? 'en');
      return json({ url: u.href });
    }
    if (path === '/_demo/api/customers') {
      const v = view();
      const p = pageOf(v.customers, url.searchParams.get('page'));
      return json({ page: p.page, pageCount: p.pageCount, total: p.total, currency: v.shop.currencyCode, customers: p.rows });
    }
    let m = /^\/_demo\/api\/customers\/(\d+)$/.exec(path);
    if (m) {
      const v = view();
      const c = v.byId.get(Number(m[1]));
      if (c === undefined) return { status: 404, ...json({ error: `no customer ${m[1]}` }) };
      const row = v.customers.find((r) => r.id === m![1]);
      const orders = [...(v.ordersOf.get(c.id) ?? [])].sort((x, y) => y.processedAtMs - x.processedAtMs).map((o) => orderRow(o, v.byId));
      // Read live from the fake (not the cached view): the app writes metafields without changing the customer.
      const metafields = options.control
        .customerMetafields(options.shopDomain, c.id)
        .map((mf) => ({ name: mf.name ?? `${mf.namespace}.${mf.key}`, key: mf.key, type: mf.type, value: mf.value }));
      return json({
        customer: { ...row, createdAtMs: c.createdAtMs, phone: c.phone, tags: c.tags, note: c.note },
        currency: v.shop.currencyCode,
        orders,
        metafields,
      });
    }
    if (path === '/_demo/api/flow-events') {
      // What Shopify Flow received from the app (the fake's flowTriggerReceive log), newest first.
      return json({ events: options.control.flowTriggerEvents({ shop: options.shopDomain }).slice().reverse() });
    }
    if (path === '/_demo/api/orders') {
      const v = view();
      const p = pageOf(v.orders, url.searchParams.get('page'));
      return json({ page: p.page, pageCount: p.pageCount, total: p.total, orders: p.rows.map((o) => orderRow(o, v.byId)) });
    }
    m = /^\/_demo\/api\/orders\/(\d+)$/.exec(path);
    if (m) {
      const v = view();
      const o = v.orders.find((x) => x.id === Number(m![1]));
      if (o === undefined) return { status: 404, ...json({ error: `no order ${m[1]}` }) };
      return json({
        order: orderRow(o, v.byId),
        lineItems: o.lineItems.map((li) => ({ title: li.title, quantity: li.quantity, price: li.originalUnitPriceSet.shopMoney.amount })),
        refunded: minorToDecimal(
          o.refunds.reduce((s, r) => s + decimalToMinor(r.totalRefundedSet.shopMoney.amount, o.currencyCode), 0),
          o.currencyCode,
        ),
      });
    }
    if (path === `${base}/apps/${DEMO_APP_HANDLE}` || path.startsWith(`${base}/apps/${DEMO_APP_HANDLE}/`)) {
      return { type: 'text/html; charset=utf-8', body: appsShell };
    }
    if (path === base || path.startsWith(`${base}/`)) return { type: 'text/html; charset=utf-8', body: shell };
    if (path === '/' || path === '/store' || path === '/store/') {
      return { status: 302, type: 'text/plain', body: '', headers: { location: `${base}/customers` } };
    }
    return { status: 404, type: 'text/plain; charset=utf-8', body: `Not found. The demo store is at https://admin.shopify.com${base}/customers` };
  };

  const server: Server = createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'https://admin.shopify.com');
      const out = route(req.method ?? 'GET', url, String(req.headers.host ?? ''));
      res.writeHead(out.status ?? 200, { 'content-type': out.type, 'cache-control': 'no-store', ...out.headers });
      res.end(out.body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`demo admin error: ${(error as Error).message}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | null = null;
  return {
    port,
    storeHandle,
    storeUrl: `https://admin.shopify.com${base}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/**
 * App Bridge as the demo needs it: `shopify.idToken()` asks the admin frame (the parent window) for a session
 * token over postMessage, the way the real App Bridge gets one from the Shopify admin.
 */
const APP_BRIDGE_JS = `(() => {
  let next = 0;
  const waiting = new Map();
  window.addEventListener('message', (e) => {
    const d = e.data;
    if (!d || d.type !== 'clvlens-demo:id-token' || !waiting.has(d.id)) return;
    const w = waiting.get(d.id);
    waiting.delete(d.id);
    if (typeof d.token === 'string') w.resolve(d.token); else w.reject(new Error(String(d.error || 'no session token')));
  });
  const idToken = () => new Promise((resolve, reject) => {
    if (window.parent === window) { reject(new Error('Not embedded in the Shopify admin')); return; }
    const id = ++next;
    waiting.set(id, { resolve, reject });
    window.parent.postMessage({ type: 'clvlens-demo:id-token-request', id }, 'https://admin.shopify.com');
    setTimeout(() => { if (waiting.delete(id)) reject(new Error('The admin did not answer with a session token')); }, 5000);
  });
  window.shopify = {
    idToken,
    config: { apiKey: document.querySelector('meta[name="shopify-api-key"]')?.getAttribute('content') || '' },
    toast: { show: () => {} },
    loading: () => {},
  };
})();
`;

const ADMIN_CSS = `
  :root { color-scheme: light; }
  * { box-sizing: border-box; }
  body { font: 13px/1.45 -apple-system, BlinkMacSystemFont, 'San Francisco', 'Segoe UI', Roboto, 'Helvetica Neue', sans-serif; margin: 0; color: #303030; background: #f1f1f1; }
  ._Top_h3k1 { height: 56px; background: #1a1a1a; color: #e3e3e3; display: flex; align-items: center; padding: 0 16px; gap: 12px; font-weight: 600; }
  ._Top_h3k1 span.muted { color: #8a8a8a; font-weight: 400; }
  ._Frame_2md9 { display: flex; min-height: calc(100vh - 56px); }
  ._Nav_x7k2a { width: 240px; padding: 12px 8px; background: #ebebeb; flex: none; }
  ._Nav_x7k2a a { display: block; padding: 6px 12px; border-radius: 8px; color: #303030; text-decoration: none; font-weight: 600; }
  ._Nav_x7k2a a[aria-current="page"] { background: #fafafa; }
  ._Nav_x7k2a p { margin: 16px 12px 4px; color: #616161; font-size: 12px; }
  main { flex: 1; padding: 20px 32px; max-width: 1200px; }
  h1 { font-size: 20px; margin: 4px 0 16px; }
  h2 { font-size: 14px; margin: 0 0 8px; }
  ._Card_8s0q { background: #fff; border-radius: 12px; box-shadow: 0 1px 0 rgba(26,26,26,.07), 0 0 0 1px rgba(26,26,26,.07); padding: 12px 16px; margin-bottom: 16px; }
  table { border-collapse: collapse; width: 100%; background: #fff; border-radius: 12px; overflow: hidden; box-shadow: 0 0 0 1px rgba(26,26,26,.07); }
  th { text-align: left; font-weight: 500; color: #616161; background: #f7f7f7; padding: 8px 12px; border-bottom: 1px solid #e3e3e3; }
  td { padding: 8px 12px; border-bottom: 1px solid #ebebeb; vertical-align: middle; }
  tr:hover td { background: #fafafa; }
  a._Link_91fd3 { color: #005bd3; text-decoration: none; font-weight: 600; }
  a._Link_91fd3:hover { text-decoration: underline; }
  ._Pill_q2x { display: inline-block; border-radius: 8px; padding: 1px 8px; background: #e3e3e3; font-size: 12px; }
  ._Pill_q2x[data-tone="success"] { background: #cdfee1; } ._Pill_q2x[data-tone="attention"] { background: #ffef9d; } ._Pill_q2x[data-tone="critical"] { background: #fedad9; }
  ._Pager_m1 { display: flex; gap: 8px; align-items: center; margin: 12px 0; color: #616161; }
  ._Pager_m1 a { color: #005bd3; }
  ._Banner_d3 { background: #eaf4ff; border-radius: 12px; padding: 8px 16px; margin-bottom: 16px; color: #00527c; }
  .num { text-align: right; font-variant-numeric: tabular-nums; }
  .when, .num { white-space: nowrap; }
`;

/** The admin pages: a single-page app on the admin's URLs; all data is put in with textContent. */
function adminShellHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shopify admin (CLV Lens demo)</title><style>${ADMIN_CSS}</style></head>
<body>
<header class="_Top_h3k1"><span id="shop-name">Shopify</span><span class="muted">· CLV Lens offline demo (admin-like pages)</span></header>
<div class="_Frame_2md9">
<nav class="_Nav_x7k2a" aria-label="Main" id="nav"></nav>
<main id="app"></main>
</div>
<script>${ADMIN_CLIENT_JS}</script>
</body></html>`;
}

const ADMIN_CLIENT_JS = `
(async () => {
  const handle = location.pathname.split('/')[2] || '';
  const base = '/store/' + handle;
  const app = document.getElementById('app');
  const nav = document.getElementById('nav');
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  };
  const get = async (path) => { const r = await fetch(path, { cache: 'no-store' }); if (!r.ok) throw new Error(path + ': HTTP ' + r.status); return r.json(); };
  const shop = await get('/_demo/api/shop');
  document.getElementById('shop-name').textContent = shop.name;
  document.title = shop.name + ' · Shopify (CLV Lens demo)';
  const fmt = new Intl.NumberFormat('en-US', { style: 'currency', currency: shop.currency });
  const money = (decimal) => fmt.format(Number(decimal));
  const when = (ms) => new Date(ms).toLocaleString('en-US', { month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' });
  const pill = (text, tone) => el('span', { class: '_Pill_q2x', 'data-tone': tone }, text);
  const payment = (o) => o.cancelled ? pill('Cancelled', 'critical') : pill(o.financialStatus.replace(/_/g, ' ').toLowerCase().replace(/^./, (c) => c.toUpperCase()), o.financialStatus === 'PAID' ? 'success' : o.financialStatus.includes('REFUNDED') ? 'critical' : 'attention');
  const fulfil = (o) => pill(o.fulfillmentStatus === 'FULFILLED' ? 'Fulfilled' : 'Unfulfilled', o.fulfillmentStatus === 'FULFILLED' ? 'success' : 'attention');
  const link = (href, text) => el('a', { class: '_Link_91fd3', href }, text);
  for (const [path, label] of [['', 'Home'], ['/orders', 'Orders'], ['/products', 'Products'], ['/customers', 'Customers'], ['/apps/' + shop.appHandle, 'CLV Lens'], ['/flow-events', 'Flow events']]) {
    nav.append(el('a', { href: base + path, 'data-section': path }, label));
  }
  const markNav = () => {
    const rest = location.pathname.slice(base.length);
    for (const a of nav.querySelectorAll('a')) {
      const s = a.getAttribute('data-section');
      if ((s === '' && rest === '') || (s !== '' && rest.startsWith(s))) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
  };
  const pager = (p, path) => el('div', { class: '_Pager_m1' },
    p.page > 1 ? el('a', { href: base + path + '?page=' + (p.page - 1) }, '‹ Previous') : null,
    el('span', {}, 'Page ' + p.page + ' of ' + p.pageCount + ' · ' + p.total.toLocaleString('en-US') + ' total'),
    p.page < p.pageCount ? el('a', { href: base + path + '?page=' + (p.page + 1) }, 'Next ›') : null);
  const banner = () => el('p', { class: '_Banner_d3' }, 'Demo admin pages rendered from the fake shop. Reload to see new live orders; the CLV Lens badges come from the extension.');
  const views = {
    async home() {
      app.replaceChildren(el('h1', {}, 'Home'), banner(), el('div', { class: '_Card_8s0q' },
        el('h2', {}, 'Start here'), el('p', {}, link(base + '/customers', 'Customers'), ' · ', link(base + '/orders', 'Orders'), ' · ', link(base + '/apps/' + shop.appHandle, 'CLV Lens dashboard'))));
    },
    async customers(params) {
      const p = await get('/_demo/api/customers?page=' + encodeURIComponent(params.get('page') || '1'));
      const tbody = el('tbody', { id: 'rows' });
      for (const c of p.customers) {
        tbody.append(el('tr', { role: 'row' },
          el('td', {}, link(base + '/customers/' + c.id, c.name)),
          el('td', {}, c.email || ''),
          el('td', {}, c.location),
          el('td', { class: 'num' }, c.orders + (c.orders === 1 ? ' order' : ' orders')),
          el('td', { class: 'num' }, money(c.amountSpent))));
      }
      app.replaceChildren(el('h1', {}, 'Customers'), banner(),
        el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Customer name'), el('th', {}, 'Email'), el('th', {}, 'Location'), el('th', { class: 'num' }, 'Orders'), el('th', { class: 'num' }, 'Amount spent'))), tbody),
        pager(p, '/customers'));
    },
    async customer(id) {
      app.replaceChildren(el('p', {}, link(base + '/customers', '← Customers')));
      const d = await get('/_demo/api/customers/' + id);
      const c = d.customer;
      const orders = el('tbody', {});
      for (const o of d.orders) {
        orders.append(el('tr', {}, el('td', {}, link(base + '/orders/' + o.id, o.name)), el('td', { class: 'when' }, when(o.processedAtMs)),
          el('td', {}, payment(o)), el('td', {}, fulfil(o)), el('td', { class: 'num' }, money(o.total))));
      }
      app.append(el('h1', {}, c.name),
        el('div', { class: '_Card_8s0q' }, el('p', {}, (c.email || 'No email') + (c.phone ? ' · ' + c.phone : '')), el('p', {}, c.location || 'No address'),
          el('p', {}, 'Customer since ' + when(c.createdAtMs) + ' · ' + c.orders + ' counted orders · ' + money(c.amountSpent) + ' spent')),
        el('div', { class: '_Card_8s0q' }, el('h2', {}, 'Orders'),
          el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Order'), el('th', {}, 'Date'), el('th', {}, 'Payment'), el('th', {}, 'Fulfillment'), el('th', { class: 'num' }, 'Total'))), orders)));
      // The customer's metafields card, as the admin shows one per definition: the app's predictions land here.
      const fields = el('dl', { id: 'metafields' });
      for (const mf of d.metafields) fields.append(el('dt', { 'data-key': mf.key }, mf.name), el('dd', { 'data-key': mf.key }, mf.value));
      app.append(el('div', { class: '_Card_8s0q' }, el('h2', {}, 'Metafields'), d.metafields.length > 0 ? fields : el('p', {}, 'No metafields yet')));
    },
    async orders(params) {
      const p = await get('/_demo/api/orders?page=' + encodeURIComponent(params.get('page') || '1'));
      const tbody = el('tbody', { id: 'rows' });
      for (const o of p.orders) {
        tbody.append(el('tr', { role: 'row' },
          el('td', {}, link(base + '/orders/' + o.id, o.name)),
          el('td', { class: 'when' }, when(o.processedAtMs)),
          el('td', {}, o.customerName),
          el('td', { class: 'num' }, money(o.total)),
          el('td', {}, payment(o)), el('td', {}, fulfil(o)),
          el('td', { class: 'num' }, o.items + (o.items === 1 ? ' item' : ' items'))));
      }
      app.replaceChildren(el('h1', {}, 'Orders'), banner(),
        el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Order'), el('th', {}, 'Date'), el('th', {}, 'Customer'), el('th', { class: 'num' }, 'Total'), el('th', {}, 'Payment status'), el('th', {}, 'Fulfillment status'), el('th', { class: 'num' }, 'Items'))), tbody),
        pager(p, '/orders'));
    },
    async order(id) {
      app.replaceChildren(el('p', {}, link(base + '/orders', '← Orders')));
      const d = await get('/_demo/api/orders/' + id);
      const o = d.order;
      const items = el('tbody', {});
      for (const li of d.lineItems) items.append(el('tr', {}, el('td', {}, li.title), el('td', { class: 'num' }, '× ' + li.quantity), el('td', { class: 'num' }, money(li.price))));
      app.append(el('h1', {}, o.name),
        el('p', {}, payment(o), ' ', fulfil(o), ' ', when(o.processedAtMs)),
        el('div', { class: '_Card_8s0q' }, el('h2', {}, 'Items'), el('table', {}, items), el('p', {}, 'Total ' + money(o.total) + (Number(d.refunded) > 0 ? ' · refunded ' + money(d.refunded) : ''))),
        el('aside', { class: '_Card_8s0q' }, el('h2', {}, 'Customer'), o.customerId ? link(base + '/customers/' + o.customerId, o.customerName) : o.customerName));
    },
    async flowEvents() {
      const d = await get('/_demo/api/flow-events');
      const tbody = el('tbody', { id: 'rows' });
      for (const e of d.events) {
        const p = e.payload;
        tbody.append(el('tr', { role: 'row', 'data-customer-id': String(p.customer_id) },
          el('td', { class: 'when' }, when(e.receivedAtMs)),
          el('td', {}, link(base + '/customers/' + p.customer_id, String(p.customer_id))),
          el('td', {}, String(p['Old tier']) + ' → ' + String(p['New tier'])),
          el('td', { class: 'num' }, String(p['Churn probability'])),
          el('td', { class: 'num' }, p['Predicted CLV'] === undefined ? '—' : money(p['Predicted CLV'])),
          el('td', { class: 'num' }, String(p['Churn horizon days'])),
          el('td', { style: 'min-width: 300px' }, el('pre', { style: 'margin: 0; white-space: pre-wrap; font-size: 12px' }, JSON.stringify(p, null, 1)))));
      }
      app.replaceChildren(el('h1', {}, 'Flow events'),
        el('p', { class: '_Banner_d3' }, 'Shopify Flow triggers the app sent (flowTriggerReceive, handle customer-churn-risk-changed), as the fake Shopify accepted them, newest first. A workflow starting with "Customer churn risk changed" would run once per row.'),
        d.events.length === 0 ? el('p', {}, 'No trigger received yet: a customer must move to another churn-risk tier (a cancelled or refunded order, or the daily rescoring).')
          : el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Received'), el('th', {}, 'Customer'), el('th', {}, 'Tier'), el('th', { class: 'num' }, 'Churn probability'), el('th', { class: 'num' }, 'Predicted CLV'), el('th', { class: 'num' }, 'Horizon (days)'), el('th', {}, 'Payload'))), tbody));
    },
    async other() { app.replaceChildren(el('h1', {}, 'Not part of the demo'), el('p', {}, 'The demo shows Customers, Orders and the CLV Lens app.')); },
  };
  let seq = 0;
  async function route() {
    const mine = ++seq;
    markNav();
    const rest = location.pathname.slice(base.length);
    const params = new URLSearchParams(location.search);
    let m;
    try {
      if (rest === '' || rest === '/') await views.home();
      else if (rest === '/customers') await views.customers(params);
      else if ((m = /^\\/customers\\/(\\d+)$/.exec(rest))) await views.customer(m[1]);
      else if (rest === '/orders') await views.orders(params);
      else if ((m = /^\\/orders\\/(\\d+)$/.exec(rest))) await views.order(m[1]);
      else if (rest === '/flow-events') await views.flowEvents();
      else await views.other();
    } catch (error) {
      if (mine === seq) app.replaceChildren(el('h1', {}, 'Something went wrong'), el('p', {}, String(error && error.message || error)));
    }
  }
  // Client-side navigation like the admin's router: same-store links push history, no reload.
  document.addEventListener('click', (e) => {
    const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey) return;
    const url = new URL(a.getAttribute('href'), location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(base) || url.pathname.startsWith(base + '/apps/')) return;
    e.preventDefault();
    history.pushState({}, '', url.pathname + url.search);
    route();
  });
  window.addEventListener('popstate', route);
  route();
})();
`;

/** `/store/<handle>/apps/clv-lens`: the admin frame around the embedded app, answering App Bridge's token requests. */
function appsPageHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>CLV Lens · Shopify (CLV Lens demo)</title><style>${ADMIN_CSS}
  main { padding: 0; max-width: none; display: flex; }
  iframe { flex: 1; border: 0; width: 100%; min-height: calc(100vh - 56px); background: #f1f1f1; }
</style></head>
<body>
<header class="_Top_h3k1"><span id="shop-name">Shopify</span><span class="muted">· Apps · CLV Lens</span></header>
<div class="_Frame_2md9">
<nav class="_Nav_x7k2a" aria-label="Main" id="nav"></nav>
<main><iframe id="app-frame" title="CLV Lens" name="app-iframe"></iframe></main>
</div>
<script>
(async () => {
  const handle = location.pathname.split('/')[2] || '';
  const base = '/store/' + handle;
  const nav = document.getElementById('nav');
  const shop = await (await fetch('/_demo/api/shop')).json();
  document.getElementById('shop-name').textContent = shop.name;
  for (const [path, label] of [['', 'Home'], ['/orders', 'Orders'], ['/customers', 'Customers'], ['/apps/' + shop.appHandle, 'CLV Lens'], ['/flow-events', 'Flow events']]) {
    const a = document.createElement('a');
    a.href = base + path;
    a.textContent = label;
    if (label === 'CLV Lens') a.setAttribute('aria-current', 'page');
    nav.append(a);
  }
  const frame = document.getElementById('app-frame');
  const locale = new URLSearchParams(location.search).get('locale') || 'en';
  const appOrigin = async () => new URL((await (await fetch('/_demo/api/app-url?locale=' + encodeURIComponent(locale))).json()).url);
  window.addEventListener('message', async (e) => {
    const d = e.data;
    if (!d || d.type !== 'clvlens-demo:id-token-request' || e.source !== frame.contentWindow) return;
    try {
      const { token } = await (await fetch('/_demo/api/session-token', { cache: 'no-store' })).json();
      e.source.postMessage({ type: 'clvlens-demo:id-token', id: d.id, token }, e.origin);
    } catch (error) {
      e.source.postMessage({ type: 'clvlens-demo:id-token', id: d.id, error: String(error) }, e.origin);
    }
  });
  frame.src = (await appOrigin()).href;
})();
</script>
</body></html>`;
}
