/**
 * A replica of the real Shopify admin (admin.shopify.com), in its two generations, written from public evidence
 * (2023-2026) rather than from the demo's own pages:
 * - '2024': Polaris IndexTable, `<table>` rows `<tr class="Polaris-IndexTable__TableRow_1a85o">` with hashed class
 *   names, a light-DOM page header (title row: back link, `h1`, status badge, "More actions").
 * - '2026': a CSS grid of `div[role=row]` rows (`Polaris-Table-TableRow__Selectable`, unhashed), `aria-colindex`
 *   cells, web components with open shadow roots (`s-internal-badge`, `s-clickable-chip` holding a customer link,
 *   `s-page-header` holding the title `h1` and the actions).
 * Both: everything under `main#AppFrameMain` with the skip link `a.Polaris-Frame__Skip[href="#AppFrameMain"]` before
 * it, a checkbox cell labelled "Select gid://shopify/Customer/<id>", a primary link
 * `a[data-primary-link="true"][data-discover]`, 50 rows a page with `?after=`/`?before=` paging and no
 * virtualisation, a skeleton before the rows, rows re-created on refresh and sort, a click anywhere in a row
 * re-dispatched to its primary link, popovers in `#PolarisPortalsContainer`, and React-Router-style `pushState`
 * navigation. Names are written with textContent only.
 */

export type AdminGeneration = '2024' | '2026';

export interface RealAdminData {
  storeHandle: string;
  customers: { id: string; name: string; orders: number }[];
  /** Orders on the order list; customerId null for a guest checkout. */
  orders: { id: string; name: string; customerId: string | null; customerName: string }[];
}

export const PAGE_SIZE = 50;

export function realAdminHtml(data: RealAdminData, generation: AdminGeneration): string {
  // JSON inside <script>: escape "<" so no data can close the script element.
  const json = JSON.stringify({ ...data, generation, pageSize: PAGE_SIZE }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shopify admin replica (${generation})</title>
<style>
  body { font: 13px system-ui, sans-serif; margin: 0; background: #f1f1f1; }
  .Polaris-Frame__Skip { position: absolute; left: -9999px; }
  .Polaris-Frame__Skip:focus { left: 8px; top: 8px; }
  .Polaris-Frame { display: flex; }
  nav { width: 180px; padding: 12px; background: #ebebeb; min-height: 100vh; }
  nav a { display: block; padding: 4px 0; color: #303030; }
  main { flex: 1; padding: 16px 24px; min-width: 0; }
  .hdr-row { display: flex; align-items: center; gap: 8px; min-height: 36px; }
  .title-wrap { flex: 1; display: flex; align-items: center; gap: 8px; }
  h1 { font-size: 20px; margin: 0; }
  .content { margin-top: 16px; }
  .card { background: #fff; border-radius: 12px; padding: 16px; margin-bottom: 16px; }
  .skeleton { background: #e3e3e3; border-radius: 8px; height: 320px; }
  .Polaris-Layout_sl20j { display: flex; gap: 16px; align-items: flex-start; }
  .Polaris-Layout__Section_1b1h1 { flex: 2; min-width: 0; }
  .Polaris-Layout__Section--oneThird_1e8z8 { flex: 1; min-width: 0; }
  .skeleton-title { background: #e3e3e3; height: 28px; width: 240px; border-radius: 6px; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  td, th { padding: 6px 10px; border-bottom: 1px solid #e3e3e3; text-align: left; }
  .grid { display: grid; background: #fff; }
  .Polaris-Table-TableRow__Selectable { display: grid; grid-template-columns: 40px 2fr 1fr 1fr 1fr; border-bottom: 1px solid #e3e3e3; cursor: pointer; }
  .Polaris-Table-TableRow__Selectable > div { padding: 6px 10px; }
  tr.Polaris-IndexTable__TableRow_1a85o { cursor: pointer; }
  a[data-primary-link] { color: #303030; font-weight: 600; text-decoration: none; }
  .pager { margin-top: 8px; display: flex; gap: 8px; }
  #PolarisPortalsContainer .Polaris-Popover_w2k1s { position: fixed; top: 60px; right: 20px; background: #fff; padding: 12px; box-shadow: 0 2px 8px #0003; }
</style></head>
<body>
<a class="Polaris-Frame__Skip" href="#AppFrameMain">Skip to content</a>
<div class="Polaris-Frame">
<nav aria-label="Main">
  <a href="/store/${data.storeHandle}" data-discover="true">Home</a>
  <a href="/store/${data.storeHandle}/orders" data-discover="true">Orders</a>
  <a href="/store/${data.storeHandle}/customers" data-discover="true">Customers</a>
  <a href="/store/${data.storeHandle}/products" data-discover="true">Products</a>
</nav>
<main id="AppFrameMain" class="Polaris-Frame__Main" tabindex="-1"><div id="page"></div></main>
</div>
<div id="PolarisPortalsContainer"></div>
<script type="application/json" id="fixture-data">${json}</script>
<script>
(() => {
  const data = JSON.parse(document.getElementById('fixture-data').textContent);
  const GEN = data.generation;
  const base = '/store/' + data.storeHandle;
  const pageEl = document.getElementById('page');
  const portals = document.getElementById('PolarisPortalsContainer');
  let renderToken = 0;
  window.__rowOpens = 0;
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) e.append(c);
    return e;
  };
  // Web components with open shadow roots, as the 2026 admin has them.
  const shadow = (tag, build) => { const host = document.createElement(tag); const root = host.attachShadow({ mode: 'open' }); build(root); return host; };
  const badgeEl = (text) => GEN === '2026'
    ? shadow('s-internal-badge', (r) => r.append(el('span', { part: 'badge' }, text)))
    : el('span', { class: 'Polaris-Badge_2qgie' }, text);
  const customerChip = (id, name) => shadow('s-clickable-chip', (r) => r.append(el('a', { href: base + '/customers/' + id, 'data-discover': 'true' }, name)));
  const moreActions = () => GEN === '2026' ? shadow('s-button', (r) => r.append(el('button', { id: 'more' }, 'More actions'))) : el('button', { id: 'more', class: 'Polaris-Button_r99lw' }, 'More actions');

  /** The page header: back link, title, status badge and actions in one row. 2026 keeps it in a shadow root. */
  function header(title, status, backHref, backLabel) {
    const row = (root) => root.append(el('div', { class: 'hdr-row', 'data-testid': 'title-row' },
      el('a', { href: backHref, 'aria-label': backLabel, 'data-discover': 'true' }, '\u2190'),
      el('div', { class: 'title-wrap' }, el('h1', { class: 'Polaris-Header-Title' }, title), badgeEl(status)),
      moreActions()));
    if (GEN === '2026') return shadow('s-page-header', (r) => { r.append(el('style', {}, '.hdr-row{display:flex;align-items:center;gap:8px;min-height:36px}.title-wrap{flex:1;display:flex;align-items:center;gap:8px}h1{font-size:20px;margin:0}')); row(r); });
    const box = el('div', { class: 'Polaris-Box_375yx Polaris-Page-Header_1z4bq', 'data-testid': 'page-header' });
    row(box);
    return box;
  }

  /** Skeleton first, then the view: the admin renders rows and headers after loading. */
  function withSkeleton(render, ms) {
    const token = ++renderToken;
    pageEl.replaceChildren(el('div', { class: 'Polaris-SkeletonPage_9sk2a' }, el('div', { class: 'skeleton-title' }), el('div', { class: 'content' }, el('div', { class: 'skeleton' }))));
    setTimeout(() => { if (token === renderToken) render(); }, ms);
  }

  function pageOf(list, search) {
    const p = new URLSearchParams(search);
    let start = 0;
    if (p.get('after')) start = list.findIndex((x) => x.id === atob(p.get('after'))) + 1;
    else if (p.get('before')) start = Math.max(0, list.findIndex((x) => x.id === atob(p.get('before'))) - data.pageSize);
    return { start, items: list.slice(start, start + data.pageSize) };
  }

  function openRow(row) {
    window.__rowOpens++;
    const link = row.querySelector('a[data-primary-link="true"]');
    if (link) link.click();
  }
  // A click anywhere in a row (not on a link or the checkbox) opens the row's primary link, as IndexTable does.
  function rowClicks(row) {
    row.addEventListener('click', (e) => {
      const path = e.composedPath();
      if (path.some((n) => n instanceof Element && (n.localName === 'a' || n.localName === 'input'))) return;
      openRow(row);
    });
  }

  function customerCells(c) {
    return [
      el('input', { type: 'checkbox', 'aria-label': 'Select gid://shopify/Customer/' + c.id }),
      el('a', { href: base + '/customers/' + c.id, 'data-primary-link': 'true', 'data-discover': 'true', class: GEN === '2024' ? 'Polaris-Link_yj5sf Polaris-Link--monochrome_7q8w3' : 'Polaris-Link' }, c.name),
      badgeEl(c.orders > 1 ? 'Repeat' : 'Subscribed'),
      document.createTextNode(c.orders + ' orders'),
      document.createTextNode('$' + (c.orders * 25) + '.00 spent'),
    ];
  }
  function orderCells(o) {
    const customer = o.customerId === null ? document.createTextNode('No customer')
      : GEN === '2026' ? customerChip(o.customerId, o.customerName) : el('span', {}, o.customerName);
    return [
      el('input', { type: 'checkbox', 'aria-label': 'Select gid://shopify/Order/' + o.id }),
      el('a', { href: base + '/orders/' + o.id, 'data-primary-link': 'true', 'data-discover': 'true' }, o.name),
      customer,
      badgeEl('Paid'),
      document.createTextNode('$10.00'),
    ];
  }
  function makeRow(cells, index) {
    if (GEN === '2026') {
      const row = el('div', { role: 'row', class: 'Polaris-Table-TableRow__Selectable', 'aria-rowindex': String(index + 2) });
      cells.forEach((c, i) => row.append(el('div', { role: 'cell', 'aria-colindex': String(i + 1) }, c)));
      rowClicks(row);
      return row;
    }
    const row = el('tr', { class: 'Polaris-IndexTable__TableRow_1a85o Polaris-IndexTable__TableRow--unclickable_r2fqw' });
    cells.forEach((c) => row.append(el('td', { class: 'Polaris-IndexTable__TableCell_7xk1a' }, c)));
    rowClicks(row);
    return row;
  }
  function table(rows) {
    if (GEN === '2026') return el('div', { role: 'table', class: 'grid', 'aria-rowcount': String(rows.length + 1) }, ...rows);
    return el('div', { class: 'Polaris-IndexTable_1a2b3' }, el('table', { class: 'Polaris-IndexTable__Table_2qj8s' }, el('tbody', {}, ...rows)));
  }

  let listState = null;
  function listView(kind) {
    const list = kind === 'customers' ? data.customers : data.orders;
    const { start, items } = pageOf(list, location.search);
    listState = { kind, items: items.slice() };
    withSkeleton(() => {
      const rowsBox = el('div', { id: 'rows-box' });
      const pager = el('div', { class: 'pager' });
      if (start > 0) pager.append(el('a', { href: base + '/' + kind + '?before=' + btoa(items[0].id), 'data-discover': 'true', id: 'prev' }, 'Previous'));
      if (start + items.length < list.length) pager.append(el('a', { href: base + '/' + kind + '?after=' + btoa(items[items.length - 1].id), 'data-discover': 'true', id: 'next' }, 'Next'));
      pageEl.replaceChildren(
        el('div', { class: 'hdr-row' }, el('h1', {}, kind === 'customers' ? 'Customers' : 'Orders')),
        el('div', { class: 'content card' }, rowsBox, pager));
      renderRows();
    }, 150);
  }
  // Rows are re-created (new elements) on every render, as after a refresh or a sort.
  function renderRows() {
    const box = document.getElementById('rows-box');
    if (!box || !listState) return;
    const rows = listState.items.map((x, i) => makeRow(listState.kind === 'customers' ? customerCells(x) : orderCells(x), i));
    const t = table(rows);
    // When the rows went into the document (the benches time badges from here).
    window.__rowsInsertedAt = performance.now();
    box.replaceChildren(t);
  }
  window.__refreshRows = () => renderRows();
  window.__sortRows = () => { listState.items.reverse(); renderRows(); };
  window.__openPopover = (customerId, name) => {
    portals.replaceChildren(el('div', { 'data-portal-id': 'popover-1' }, el('div', { class: 'Polaris-Popover_w2k1s', role: 'dialog' },
      el('p', {}, name), el('a', { href: base + '/customers/' + customerId, 'data-discover': 'true', id: 'popover-link' }, 'View customer'))));
  };
  window.__closePopover = () => portals.replaceChildren();

  function customerView(id) {
    const c = data.customers.find((x) => x.id === id) || { id, name: 'Customer ' + id, orders: 0 };
    withSkeleton(() => {
      const mine = data.orders.filter((o) => o.customerId === id);
      pageEl.replaceChildren(
        el('div', { class: 'Polaris-Page_x1b2c' },
          header(c.name, c.orders > 1 ? 'Repeat' : 'Subscribed', base + '/customers', 'Customers'),
          el('div', { class: 'content Polaris-Page__Content_7m4bq', 'data-testid': 'page-content' },
            el('section', { class: 'card' }, el('h2', {}, 'Last order placed'),
              ...mine.slice(0, 1).map((o) => el('a', { href: base + '/orders/' + o.id, 'data-discover': 'true' }, o.name))),
            el('section', { class: 'card' }, el('h2', {}, 'Customer'), el('p', {}, c.name)))));
    }, 120);
  }
  function orderView(id) {
    const o = data.orders.find((x) => x.id === id) || { id, name: '#' + id, customerId: null, customerName: '' };
    withSkeleton(() => {
      const customer = o.customerId === null ? el('p', {}, 'No customer')
        : GEN === '2026' ? customerChip(o.customerId, o.customerName) : el('a', { href: base + '/customers/' + o.customerId, 'data-discover': 'true' }, o.customerName);
      // Two columns as in the admin: the order's status and items on the left, the customer card in the sidebar.
      // 2024 cards are plain divs with an h2 (Polaris LegacyCard); 2026 ones are sections.
      const box = (title, ...children) => el(GEN === '2026' ? 'section' : 'div', { class: 'card Polaris-LegacyCard_ewiu5' }, el('h2', {}, title), ...children);
      pageEl.replaceChildren(
        el('div', { class: 'Polaris-Page_x1b2c' },
          header(o.name, 'Paid', base + '/orders', 'Orders'),
          el('div', { class: 'content Polaris-Page__Content_7m4bq', 'data-testid': 'page-content' },
            el('div', { class: 'Polaris-Layout_sl20j' },
              el('div', { class: 'Polaris-Layout__Section_1b1h1' },
                box('Unfulfilled', el('p', {}, '1 item'), el('p', {}, 'Paid $10.00')),
                box('Timeline', el('p', {}, 'Order placed'))),
              el('div', { class: 'Polaris-Layout__Section_1b1h1 Polaris-Layout__Section--oneThird_1e8z8' },
                box('Notes', el('p', {}, 'No notes from customer')),
                box('Customer', el('div', {}, customer), el('h3', {}, 'Contact information'), el('p', {}, 'No email provided')),
                box('Tags', el('p', {}, 'None')))))));
    }, 120);
  }

  function route() {
    window.__closePopover();
    const rest = location.pathname.slice(base.length);
    let m;
    if (rest === '/customers') listView('customers');
    else if ((m = /^\\/customers\\/(\\d+)$/.exec(rest))) customerView(m[1]);
    else if (rest === '/orders') listView('orders');
    else if ((m = /^\\/orders\\/(\\d+)$/.exec(rest))) orderView(m[1]);
    else { ++renderToken; pageEl.replaceChildren(el('h1', {}, 'Home')); }
  }
  // React Router: same-origin links push history, no reload (composedPath finds links inside shadow roots too).
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented) return;
    const a = e.composedPath().find((n) => n instanceof Element && n.localName === 'a' && n.hasAttribute('href'));
    if (!a || a.getAttribute('href').startsWith('#')) return;
    const url = new URL(a.getAttribute('href'), location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(base)) return;
    e.preventDefault();
    history.pushState({}, '', url.pathname + url.search);
    route();
  });
  window.addEventListener('popstate', route);
  window.__navigate = (path) => { history.pushState({}, '', path); route(); };
  route();
})();
</script>
</body></html>`;
}
