/**
 * A stand-in for the Shopify admin: one single-page app that reproduces the admin's URLs
 * (`/store/<handle>/customers`, `/customers/<id>`, `/orders`, `/orders/<id>`), its link structure (row links to
 * customers and orders, navigation links that are not records, absolute and relative hrefs, query strings), its
 * client-side navigation (History API), and rows that load later. Class names are hashed like Polaris's so nothing
 * can key off them.
 */

export interface AdminFixtureData {
  storeHandle: string;
  /** Customers shown on the list, with the display names the admin would show (the extension never sees them). */
  customers: { id: string; name: string; orders: number }[];
  /** Customers appended 600 ms after the list renders. */
  lateCustomers: { id: string; name: string; orders: number }[];
  orders: { id: string; customerId: string | null; customerName: string; totalCents: number; linkCustomer: boolean }[];
}

export function adminFixtureHtml(data: AdminFixtureData): string {
  // JSON inside <script>: escape "<" so no data can close the script element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shopify admin (fixture)</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; display: flex; background: #f1f1f1; }
  ._Nav_x7k2a { width: 180px; padding: 12px; background: #ebebeb; min-height: 100vh; }
  ._Nav_x7k2a a { display: block; padding: 4px 0; color: #303030; }
  main { flex: 1; padding: 16px 24px; }
  table { border-collapse: collapse; background: #fff; width: 100%; }
  td { padding: 6px 10px; border-bottom: 1px solid #e3e3e3; }
  ._Link_91fd3 { color: #005bd3; }
</style></head>
<body>
<nav class="_Nav_x7k2a" aria-label="Main">
  <a href="/store/${data.storeHandle}">Home</a>
  <a href="/store/${data.storeHandle}/orders">Orders</a>
  <a href="/store/${data.storeHandle}/customers">Customers</a>
  <a href="/store/${data.storeHandle}/products">Products</a>
</nav>
<main id="app"></main>
<script type="application/json" id="fixture-data">${json}</script>
<script>
(() => {
  const data = JSON.parse(document.getElementById('fixture-data').textContent);
  const base = '/store/' + data.storeHandle;
  const app = document.getElementById('app');
  window.__alerts = [];
  window.alert = (m) => window.__alerts.push(String(m));
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) e.append(c);
    return e;
  };
  const customerRow = (c, absolute) => el('tr', { role: 'row' },
    el('td', {}, el('a', { class: '_Link_91fd3', href: (absolute ? 'https://admin.shopify.com' : '') + base + '/customers/' + c.id + (absolute ? '?tab=orders' : '') }, c.name)),
    el('td', {}, c.orders + ' orders'));
  const views = {
    customers() {
      const tbody = el('tbody', { id: 'rows' });
      data.customers.forEach((c, i) => tbody.append(customerRow(c, i === 1)));
      app.replaceChildren(el('h1', {}, 'Customers'), el('p', {}, el('a', { href: base + '/customers?segment=all' }, 'All customers')), el('table', {}, tbody));
      setTimeout(() => { if (document.getElementById('rows') === tbody) data.lateCustomers.forEach((c) => tbody.append(customerRow(c, false))); }, 600);
    },
    customer(id) {
      const c = data.customers.concat(data.lateCustomers).find((x) => x.id === id) || { id, name: 'Customer ' + id, orders: 0 };
      app.replaceChildren(el('p', {}, el('a', { href: base + '/customers' }, '← Customers')));
      // The admin renders the header a moment after the URL changes.
      setTimeout(() => {
        const orders = data.orders.filter((o) => o.customerId === id);
        app.append(el('h1', {}, c.name), el('section', {}, el('h2', {}, 'Orders'),
          ...orders.map((o) => el('p', {}, el('a', { href: base + '/orders/' + o.id }, '#' + o.id)))));
      }, 80);
    },
    orders() {
      const tbody = el('tbody', { id: 'rows' });
      for (const o of data.orders) {
        tbody.append(el('tr', { role: 'row' },
          el('td', {}, el('a', { href: base + '/orders/' + o.id }, '#' + o.id)),
          el('td', {}, o.linkCustomer && o.customerId ? el('a', { href: base + '/customers/' + o.customerId }, o.customerName) : o.customerName),
          el('td', {}, '$' + (o.totalCents / 100).toFixed(2))));
      }
      app.replaceChildren(el('h1', {}, 'Orders'), el('table', {}, tbody));
    },
    order(id) {
      const o = data.orders.find((x) => x.id === id);
      app.replaceChildren(el('p', {}, el('a', { href: base + '/orders' }, '← Orders')), el('h1', {}, '#' + id),
        el('aside', {}, el('h2', {}, 'Customer'), o && o.customerId ? el('a', { href: base + '/customers/' + o.customerId }, o.customerName) : 'Guest'));
    },
    other() { app.replaceChildren(el('h1', {}, 'Home')); },
  };
  function route() {
    const rest = location.pathname.slice(base.length);
    let m;
    if (rest === '/customers') views.customers();
    else if ((m = /^\\/customers\\/(\\d+)$/.exec(rest))) views.customer(m[1]);
    else if (rest === '/orders') views.orders();
    else if ((m = /^\\/orders\\/(\\d+)$/.exec(rest))) views.order(m[1]);
    else views.other();
  }
  // Client-side navigation like the admin's router: same-origin links push history, no reload.
  document.addEventListener('click', (e) => {
    const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
    if (!a || e.defaultPrevented) return;
    const url = new URL(a.getAttribute('href'), location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(base)) return;
    e.preventDefault();
    history.pushState({}, '', url.pathname + url.search);
    route();
  });
  window.addEventListener('popstate', route);
  window.__navigate = (path) => { history.pushState({}, '', path); route(); };
  window.__addCustomerRows = (rows) => { const t = document.getElementById('rows'); rows.forEach((c) => t.append(customerRow(c, false))); };
  route();
})();
</script>
</body></html>`;
}
