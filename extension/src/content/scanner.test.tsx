// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toCachedCustomer } from '../db/cache.ts';
import type { CachedCustomer } from '../db/schema.ts';
import { DEFAULT_BADGE_SETTINGS, type BadgeSettings, type LookupResult, type ResponseMap } from '../messages/protocol.ts';
import { sampleInsight, withLegacyReasons } from '../testing/fake-app-api.ts';
import { createScanner, watchPage } from './scanner.tsx';

const XSS = '<img src=x onerror=alert(1)>';
const STORE = 'https://admin.shopify.com/store/demo';

function setupPage(html: string, path: string, opts: { names?: Record<string, string>; timeZone?: string; namesGate?: Promise<void> } = {}) {
  document.body.innerHTML = html; // fixture markup written by the test itself
  let href = `${STORE}${path}`;
  const customers = new Map<string, CachedCustomer>(
    ['101', '102', '103', '201', '301'].map((id) => [id, toCachedCustomer('demo.myshopify.com', sampleInsight(id, { orderCount: Number(id) }))]),
  );
  const orders = new Map([
    ['5001', '102'],
    ['5002', null],
  ]);
  const calls: string[] = [];
  // Order counts on: these tests tell customers apart by the count (sampleInsight's orderCount is the id).
  let settings: BadgeSettings = { ...DEFAULT_BADGE_SETTINGS, fields: { ...DEFAULT_BADGE_SETTINGS.fields, orderCount: true } };
  let connected = true;
  const scanner = createScanner({
    doc: document,
    href: () => href,
    nowMs: () => Date.UTC(2026, 10, 23),
    css: '.badge{}',
    settings: async () => settings,
    async lookupCustomers(storeHandle, ids): Promise<LookupResult> {
      calls.push(`customers:${storeHandle}:${ids.join(',')}`);
      return {
        connected,
        shopDomain: connected ? 'demo.myshopify.com' : null,
        ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
        customers: Object.fromEntries(ids.map((id) => [id, connected ? (customers.get(id) ?? null) : null])),
      };
    },
    async lookupOrders(storeHandle, ids): Promise<ResponseMap['orders.lookup']> {
      calls.push(`orders:${storeHandle}:${ids.join(',')}`);
      const orderCustomerIds = Object.fromEntries(ids.map((id) => [id, orders.get(id) ?? null]));
      const cids = Object.values(orderCustomerIds).filter((v): v is string => v !== null);
      return {
        connected,
        shopDomain: 'demo.myshopify.com',
        ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
        orderCustomerIds,
        customers: Object.fromEntries(cids.map((id) => [id, customers.get(id) ?? null])),
      };
    },
    ...(opts.names
      ? {
          async customerNames(storeHandle: string, ids: string[]) {
            calls.push(`names:${storeHandle}:${ids.join(',')}`);
            await opts.namesGate;
            return Object.fromEntries(ids.flatMap((id) => (opts.names![id] === undefined ? [] : [[id, opts.names![id]!]])));
          },
        }
      : {}),
    onError: (e) => {
      throw e;
    },
  });
  return {
    scanner,
    calls,
    customers,
    navigate: (path: string) => void (href = `${STORE}${path}`),
    setSettings: (s: BadgeSettings) => void (settings = s),
    disconnect: () => void (connected = false),
  };
}

const badgeText = (a: Element) => {
  const host = a.nextElementSibling;
  return host?.localName === 'clvlens-badge' ? (host.shadowRoot?.querySelector('.root')?.textContent ?? '') : null;
};

afterEach(() => {
  document.body.replaceChildren();
});

describe('createScanner', () => {
  it('puts a badge after each customer link on a list page and none after other links', async () => {
    const page = setupPage(
      `<main><h1>Customers</h1><table>
        <tr><td><a id="a" href="/store/demo/customers/101">A</a></td></tr>
        <tr><td><a id="b" href="https://admin.shopify.com/store/demo/customers/102?tab=orders">B</a></td></tr>
        <tr><td><a id="c" href="/store/demo/customers/999">Unknown</a></td></tr>
        <tr><td><a id="x" href="/store/demo/customers">All customers</a><a id="y" href="/store/demo/products/1">P</a></td></tr>
      </table></main>`,
      '/customers',
    );
    await page.scanner.scan();
    expect(document.querySelectorAll('clvlens-badge')).toHaveLength(3);
    expect(page.calls).toEqual(['customers:demo:101,102,999']);
    const a = document.getElementById('a')!;
    expect(a.nextElementSibling?.getAttribute('data-state')).toBe('found');
    expect(a.nextElementSibling?.shadowRoot?.querySelector('.orders')?.textContent).toBe('101 orders');
    expect(document.getElementById('c')!.nextElementSibling?.getAttribute('data-state')).toBe('missing');
    expect(badgeText(document.getElementById('c')!)).toBe('CLV –');
    expect(badgeText(document.getElementById('x')!)).toBeNull();
    expect(badgeText(document.getElementById('y')!)).toBeNull();
    // Idempotent: a second scan adds nothing and asks nothing.
    await page.scanner.scan();
    expect(document.querySelectorAll('clvlens-badge')).toHaveLength(3);
    expect(page.calls).toHaveLength(1);
  });

  it('badges rows added later through the observer, one scan for one burst of mutations', async () => {
    const page = setupPage(`<table id="t"><tr><td><a href="/store/demo/customers/101">A</a></td></tr></table>`, '/customers');
    await page.scanner.scan();
    let scans = 0;
    let done: () => void = () => undefined;
    const watcher = watchPage(document, () => page.scanner.scan().then(() => (scans++, done())));
    const settled = new Promise<void>((r) => (done = r));
    const tbody = document.getElementById('t')!;
    for (const id of ['201', '301']) {
      const tr = document.createElement('tr');
      tr.innerHTML = `<td><a id="l${id}" href="/store/demo/customers/${id}">x</a></td>`;
      tbody.append(tr);
    }
    await settled;
    watcher.disconnect();
    expect(scans).toBe(1);
    expect(document.querySelectorAll('clvlens-badge')).toHaveLength(3);
    expect(document.getElementById('l301')!.nextElementSibling?.getAttribute('data-state')).toBe('found');
  });

  it('coalesces mutations during a running scan into one more scan', async () => {
    let scans = 0;
    let release: () => void = () => undefined;
    const watcher = watchPage(document, async () => {
      scans++;
      if (scans === 1) await new Promise<void>((r) => (release = r));
    });
    watcher.trigger();
    watcher.trigger();
    watcher.trigger();
    expect(scans).toBe(1);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(scans).toBe(2);
    watcher.disconnect();
  });

  it('follows client-side navigation: drops the old view, cards the new customer page', async () => {
    const page = setupPage(`<main id="m"><h1>Customers</h1><a id="a" href="/store/demo/customers/101">A</a></main>`, '/customers');
    await page.scanner.scan();
    page.navigate('/customers/101');
    document.getElementById('m')!.innerHTML = `<h1>Ada</h1><a href="/store/demo/customers/101">self</a><a id="o" href="/store/demo/orders/5001">#5001</a>`;
    await page.scanner.scan();
    const card = document.querySelector('clvlens-card')!;
    expect(card.previousElementSibling?.tagName).toBe('H1');
    expect(card.getAttribute('data-state')).toBe('found');
    expect(card.shadowRoot?.textContent).toContain('101');
    // No badge on the page's own customer link or on order links outside the order list.
    expect(document.querySelectorAll('clvlens-badge')).toHaveLength(0);

    page.navigate('/products');
    document.getElementById('m')!.innerHTML = `<h1>Products</h1>`;
    await page.scanner.scan();
    expect(document.querySelector('clvlens-card')).toBeNull();
  });

  it('on the order list, badges order rows by their customer, preferring a customer link in the row', async () => {
    const page = setupPage(
      `<table>
        <tr><td><a id="o1" href="/store/demo/orders/5001">#1001</a></td><td>Name only</td></tr>
        <tr><td><a id="o2" href="/store/demo/orders/5002">#1002</a></td><td>Guest</td></tr>
        <tr><td><a id="o3" href="/store/demo/orders/5003">#1003</a></td><td><a id="c3" href="/store/demo/customers/103">C</a></td></tr>
      </table>`,
      '/orders',
    );
    await page.scanner.scan();
    expect(page.calls.sort()).toEqual(['customers:demo:103', 'orders:demo:5001,5002']);
    expect(document.getElementById('o1')!.nextElementSibling?.shadowRoot?.querySelector('.orders')?.textContent).toBe('102 orders');
    expect(document.getElementById('o2')!.nextElementSibling?.getAttribute('data-state')).toBe('missing');
    expect(document.getElementById('o3')!.nextElementSibling?.localName).not.toBe('clvlens-badge');
    expect(document.getElementById('c3')!.nextElementSibling?.getAttribute('data-state')).toBe('found');
  });

  it('waits hidden by the order link until the name is read, then shows the badge in its cell', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const page = setupPage(`<table><tr><td><a id="o1" href="/store/demo/orders/5001">#1001</a></td><td id="cell1">Bo Kim</td></tr></table>`, '/orders', {
      names: { '102': 'Bo Kim' },
      namesGate: gate,
    });
    const scanning = page.scanner.scan();
    await new Promise((r) => setTimeout(r, 10));
    const host = document.querySelector('clvlens-badge')!;
    expect(host.hasAttribute('hidden')).toBe(true);
    expect(host.previousElementSibling?.id).toBe('o1');
    release();
    await scanning;
    expect(host.hasAttribute('hidden')).toBe(false);
    expect(host.parentElement?.id).toBe('cell1');
  });

  it('on an order list whose customer cell is plain text (2024 admin), puts the badge in that cell, found by the order’s customer name', async () => {
    const page = setupPage(
      `<table>
        <tr id="r1"><td><input type="checkbox"></td><td><a id="o1" href="/store/demo/orders/5001">#1001</a></td><td>Dec 1</td><td id="cell1"><span id="n1">Bo  Kim</span></td><td>$10.00</td></tr>
        <tr id="r2"><td><a id="o2" href="/store/demo/orders/5002">#1002</a></td><td>No customer</td></tr>
        <tr id="r3"><td><a id="o3" href="/store/demo/orders/5003">#1003</a></td><td>Someone else</td></tr>
      </table>`,
      '/orders',
      { names: { '102': 'Bo Kim' } },
    );
    await page.scanner.scan();
    // The order -> customer lookup, then the name (live, in memory) finds the cell: the badge sits right after the name.
    const badge = document.getElementById('n1')!.nextElementSibling!;
    expect(badge.localName).toBe('clvlens-badge');
    expect(badge.parentElement?.id).toBe('cell1');
    expect(badge.getAttribute('data-state')).toBe('found');
    expect(badge.shadowRoot?.querySelector('.orders')?.textContent).toBe('102 orders');
    expect(document.getElementById('o1')!.nextElementSibling).toBeNull();
    expect(document.querySelectorAll('#r1 clvlens-badge')).toHaveLength(1);
    // A guest order keeps its mark by the order link; so does a row whose cell does not read the name.
    expect(document.getElementById('o2')!.nextElementSibling?.getAttribute('data-state')).toBe('missing');
    expect(page.calls.filter((c) => c.startsWith('names:'))).toEqual(['names:demo:102']);
    // Shown only once in place: no badge appears by the order link and then jumps into the cell.
    expect(badge.hasAttribute('hidden')).toBe(false);
    expect(document.getElementById('o2')!.nextElementSibling?.hasAttribute('hidden')).toBe(false);
    // Rows re-created (a refresh): straight into the cell from memory, with no second name request.
    const fresh = document.createElement('tr');
    fresh.innerHTML = `<td><a id="o1" href="/store/demo/orders/5001">#1001</a></td><td id="cell1">Bo Kim</td>`;
    document.getElementById('r1')!.replaceWith(fresh);
    await page.scanner.scan();
    expect(document.getElementById('cell1')!.lastElementChild?.localName).toBe('clvlens-badge');
    expect(document.getElementById('o1')!.nextElementSibling).toBeNull();
    expect(page.calls.filter((c) => c.startsWith('names:'))).toHaveLength(1);
  });

  it('puts the order page’s card with the customer section (after it), not above the order’s items', async () => {
    const page = setupPage(
      `<main><div id="hdr"><h1>#1001</h1></div><div id="content">
        <div id="items"><h2>Items</h2><p>1 item</p></div>
        <div id="side"><div id="cust"><h2>Customer</h2><div><a href="/store/demo/customers/102">Bo Kim</a></div><h3>Contact</h3></div><div id="tags"><h2>Tags</h2></div></div>
      </div></main>`,
      '/orders/5001',
      { names: { '102': 'Bo Kim' } },
    );
    await page.scanner.scan();
    const card = document.querySelector('clvlens-card')!;
    expect(card.previousElementSibling?.id).toBe('cust');
    expect(card.nextElementSibling?.id).toBe('tags');
    expect(card.getAttribute('data-state')).toBe('found');
    expect(document.querySelectorAll('clvlens-card')).toHaveLength(1);
  });

  it('keeps a guest order’s card below the page header (no customer section to sit with)', async () => {
    const page = setupPage(`<main><div id="hdr"><h1>#1002</h1></div><section id="items"><h2>Items</h2></section></main>`, '/orders/5002');
    await page.scanner.scan();
    const card = document.querySelector('clvlens-card')!;
    expect(card.previousElementSibling?.id).toBe('hdr');
    expect(card.getAttribute('data-state')).toBe('missing');
  });

  it('gives the found view the shop’s time zone from the lookup', async () => {
    const page = setupPage(`<main><h1>Ada</h1><section><h2>Orders</h2></section></main>`, '/customers/101', { timeZone: 'Pacific/Pago_Pago' });
    await page.scanner.scan();
    // sampleInsight's expected order falls on a different calendar day at UTC-11 than in the test's zone (UTC).
    const next = document.querySelector('clvlens-card')!.shadowRoot?.querySelector('[data-testid="stat-next"] dd')?.textContent ?? '';
    const expected = sampleInsight('101').expectedNextOrderAtMs!;
    const day = (timeZone: string) => new Intl.DateTimeFormat('en', { timeZone, dateStyle: 'medium' }).format(expected);
    expect(day('Pacific/Pago_Pago')).not.toBe(day(Intl.DateTimeFormat().resolvedOptions().timeZone));
    expect(next.startsWith(new Intl.DateTimeFormat('en', { timeZone: 'Pacific/Pago_Pago', dateStyle: 'medium' }).format(expected))).toBe(true);
  });

  it('cards an order page with the order customer', async () => {
    const page = setupPage(`<main><h1>#1001</h1></main>`, '/orders/5001');
    await page.scanner.scan();
    const card = document.querySelector('clvlens-card')!;
    expect(card.getAttribute('data-state')).toBe('found');
    expect(page.calls).toEqual(['orders:demo:5001']);
  });

  it("gives the order's own customer link no badge on an order page (the card shows that customer), other customer links one", async () => {
    const page = setupPage(
      `<main><h1>#1001</h1><section><h2>Customer</h2><a id="self" href="/store/demo/customers/102">B</a></section>
        <section><a id="other" href="/store/demo/customers/101">A</a></section></main>`,
      '/orders/5001',
    );
    await page.scanner.scan();
    expect(document.querySelector('clvlens-card')!.getAttribute('data-state')).toBe('found');
    expect(document.getElementById('self')!.nextElementSibling?.localName).not.toBe('clvlens-badge');
    expect(document.getElementById('other')!.nextElementSibling?.getAttribute('data-state')).toBe('found');
    expect(document.querySelectorAll('clvlens-badge')).toHaveLength(1);
    // A later rescan (the sidebar re-rendered) keeps it that way, from memory.
    page.calls.length = 0;
    document.querySelector('section')!.append(Object.assign(document.createElement('a'), { id: 'self2', href: '/store/demo/customers/102' }));
    await page.scanner.scan();
    expect(document.getElementById('self2')!.nextElementSibling).toBeNull();
    expect(document.querySelectorAll('clvlens-badge')).toHaveLength(1);
    expect(page.calls).toEqual([]);
  });

  it("badges the order's customer link on an order page when the card is off", async () => {
    const page = setupPage(`<main><h1>#1001</h1><section><a id="self" href="/store/demo/customers/102">B</a></section></main>`, '/orders/5001');
    page.setSettings({ ...DEFAULT_BADGE_SETTINGS, showDetailCard: false });
    await page.scanner.scan();
    expect(document.querySelector('clvlens-card')).toBeNull();
    expect(document.getElementById('self')!.nextElementSibling?.getAttribute('data-state')).toBe('found');
  });

  it('shows "not connected" quietly for a store that is not paired', async () => {
    const page = setupPage(`<a id="a" href="/store/demo/customers/101">A</a>`, '/customers');
    page.disconnect();
    await page.scanner.scan();
    expect(document.getElementById('a')!.nextElementSibling?.getAttribute('data-state')).toBe('not-connected');
  });

  it('respects the settings: no list badges, no card', async () => {
    const page = setupPage(`<main><h1>Ada</h1><a id="a" href="/store/demo/customers/102">A</a></main>`, '/customers/101');
    page.setSettings({ ...DEFAULT_BADGE_SETTINGS, showListBadges: false, showDetailCard: false });
    await page.scanner.scan();
    expect(document.querySelector('clvlens-badge')).toBeNull();
    expect(document.querySelector('clvlens-card')).toBeNull();
  });

  it('treats a hostile link text and hostile data as text', async () => {
    const page = setupPage(`<a id="a" href="/store/demo/customers/101"></a>`, '/customers');
    document.getElementById('a')!.textContent = XSS;
    // The data's text reaches the badge only as text (the currency code is the one free-form string shown).
    page.customers.set('101', toCachedCustomer('demo.myshopify.com', withLegacyReasons(sampleInsight('101', { predictedClvMinor: null }), [XSS])));
    await page.scanner.scan();
    expect(document.querySelectorAll('img')).toHaveLength(0);
    const host = document.getElementById('a')!.nextElementSibling!;
    expect(host.shadowRoot?.querySelectorAll('img')).toHaveLength(0);
    expect(document.getElementById('a')!.textContent).toBe(XSS);
  });

  it('never throws into the page when the background fails', async () => {
    document.body.innerHTML = `<a id="a" href="/store/demo/customers/101">A</a>`;
    const errors: unknown[] = [];
    const scanner = createScanner({
      doc: document,
      href: () => `${STORE}/customers`,
      nowMs: () => 0,
      css: '',
      settings: async () => DEFAULT_BADGE_SETTINGS,
      lookupCustomers: async () => {
        throw new Error('Extension context invalidated.');
      },
      lookupOrders: async () => {
        throw new Error('boom');
      },
      onError: (e) => errors.push(e),
    });
    await expect(scanner.scan()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(document.querySelector('clvlens-badge')?.getAttribute('data-state')).toBe('loading');
  });
});

beforeEach(() => {
  document.body.replaceChildren();
});

describe('createScanner on the real admin', () => {
  it('reads the URL once per pass: a navigation during the settings read restarts the scan, so the skip link gets no badge', async () => {
    document.body.innerHTML = `<a id="skip" href="#AppFrameMain">Skip to content</a><main id="AppFrameMain"><h1>Customers</h1><section><h2>List</h2></section></main>`;
    let href = `${STORE}/customers`;
    let releaseSettings: () => void = () => undefined;
    const scanner = createScanner({
      doc: document,
      href: () => href,
      nowMs: () => 0,
      css: '',
      // The router changes the URL while the first pass waits for the settings.
      settings: () => new Promise((resolve) => (releaseSettings = () => resolve(DEFAULT_BADGE_SETTINGS))),
      lookupCustomers: async (_s, ids) => ({ connected: true, shopDomain: 'demo.myshopify.com', customers: Object.fromEntries(ids.map((id) => [id, null])) }),
      lookupOrders: async () => ({ connected: true, shopDomain: 'demo.myshopify.com', customers: {}, orderCustomerIds: {} }),
      onError: (e) => {
        throw e;
      },
    });
    const scanning = scanner.scan();
    href = `${STORE}/customers/101`;
    releaseSettings();
    await scanning;
    expect(document.getElementById('skip')!.nextElementSibling?.localName).not.toBe('clvlens-badge');
    expect(document.querySelectorAll('clvlens-badge')).toHaveLength(0);
    // The restarted pass saw the customer page: the card is below the header.
    expect(document.querySelector('clvlens-card')?.previousElementSibling?.tagName).toBe('H1');
  });

  it('badges links inside open shadow roots, once per customer per row (the primary link), none in popovers', async () => {
    const page = setupPage(
      `<main><div role="row" id="r1"><a id="avatar" href="/store/demo/customers/101">img</a><a id="p1" data-primary-link="true" href="/store/demo/customers/101">A</a></div>
        <div role="row" id="r2"><s-chip id="chip"></s-chip></div></main>
        <div id="PolarisPortalsContainer"><div><a id="pop" href="/store/demo/customers/102">Popover</a></div></div>`,
      '/customers',
    );
    const chip = document.getElementById('chip')!.attachShadow({ mode: 'open' });
    chip.innerHTML = `<span><a id="inner" href="/store/demo/customers/102">B</a></span>`;
    await page.scanner.scan();
    expect(document.getElementById('p1')!.nextElementSibling?.localName).toBe('clvlens-badge');
    expect(document.getElementById('avatar')!.nextElementSibling?.localName).not.toBe('clvlens-badge');
    expect(chip.getElementById('inner')!.nextElementSibling?.getAttribute('data-state')).toBe('found');
    expect(document.getElementById('pop')!.nextElementSibling).toBeNull();
    expect(document.querySelectorAll('clvlens-badge').length + chip.querySelectorAll('clvlens-badge').length).toBe(2);
    expect(page.scanner.roots()).toContain(chip);
  });

  it('puts the card below the page header, not inside the title row, also when the title is in a shadow root', async () => {
    const page = setupPage(
      `<main><div id="page"><s-page-header id="hdr"></s-page-header><div id="content"><section><h2>Orders</h2></section></div></div></main>`,
      '/customers/101',
    );
    const hdr = document.getElementById('hdr')!.attachShadow({ mode: 'open' });
    hdr.innerHTML = `<div class="row"><div class="title"><h1>Ada</h1><span>Subscribed</span></div><button>More actions</button></div>`;
    await page.scanner.scan();
    const card = document.querySelector('clvlens-card')!;
    expect(card.previousElementSibling?.id).toBe('hdr');
    expect(card.nextElementSibling?.id).toBe('content');
  });

  it('stops clicks and presses on a badge from reaching the row', async () => {
    const page = setupPage(`<table><tr id="row"><td><a id="a" href="/store/demo/customers/101">A</a></td></tr></table>`, '/customers');
    await page.scanner.scan();
    const seen: string[] = [];
    for (const t of ['click', 'mousedown', 'pointerdown', 'keydown']) document.getElementById('row')!.addEventListener(t, () => seen.push(t));
    const badge = document.getElementById('a')!.nextElementSibling!.shadowRoot!.querySelector('.badge')!;
    for (const t of ['click', 'mousedown', 'pointerdown', 'keydown']) badge.dispatchEvent(new Event(t, { bubbles: true, composed: true }));
    expect(seen).toEqual([]);
  });
});

describe('createScanner update', () => {
  it('update() re-renders in place only the badges and card of the changed customers', async () => {
    const page = setupPage(
      `<main><h1>Order 5001</h1><table>
        <tr><td><a id="a" href="/store/demo/customers/101">A</a></td></tr>
        <tr><td><a id="b" href="/store/demo/customers/103">B</a></td></tr>
        <tr><td><a id="b2" href="/store/demo/customers/103?tab=orders">B again</a></td></tr>
        <tr><td><a id="c" href="/store/demo/customers/404">New</a></td></tr>
      </table></main>`,
      '/orders/5001',
    );
    await page.scanner.scan();
    expect(page.scanner.shownStore()).toBe('demo');
    const hostOf = (id: string) => document.getElementById(id)!.nextElementSibling!;
    const orders = (id: string) => hostOf(id).shadowRoot?.querySelector('.orders')?.textContent;
    const hosts = ['a', 'b', 'b2', 'c'].map(hostOf);
    const cardHost = document.querySelector('clvlens-card')!;
    const cardRoot = cardHost.shadowRoot!.querySelector('.root')!;
    expect(cardRoot.textContent).toContain('102');
    expect(orders('b')).toBe('103 orders');
    expect(hostOf('c').getAttribute('data-state')).toBe('missing');

    // The order card's customer (102) and customer 103 placed an order; 404 is a new customer; 101 did not change.
    page.customers.set('102', toCachedCustomer('demo.myshopify.com', sampleInsight('102', { orderCount: 103 })));
    page.customers.set('103', toCachedCustomer('demo.myshopify.com', sampleInsight('103', { orderCount: 104 })));
    page.customers.set('404', toCachedCustomer('demo.myshopify.com', sampleInsight('404', { orderCount: 1 })));
    page.calls.length = 0;
    await page.scanner.update('demo', ['102', '103', '404', '777']);
    expect(page.calls).toEqual(['customers:demo:103,404,102']);
    expect(orders('b')).toBe('104 orders');
    expect(orders('b2')).toBe('104 orders');
    expect(hostOf('c').getAttribute('data-state')).toBe('found');
    expect(orders('a')).toBe('101 orders');
    // Same hosts, same card: re-rendered, not re-created.
    expect(['a', 'b', 'b2', 'c'].map(hostOf)).toEqual(hosts);
    expect(document.querySelector('clvlens-card')).toBe(cardHost);
    expect(cardRoot.textContent).toContain('103');

    // Another store's ids, or ids this page does not show, cost nothing.
    page.calls.length = 0;
    await page.scanner.update('other', ['101']);
    await page.scanner.update('demo', ['555']);
    expect(page.calls).toEqual([]);

    // 'all' re-reads every customer shown (the background could not list the changes).
    page.customers.set('101', toCachedCustomer('demo.myshopify.com', sampleInsight('101', { orderCount: 5 })));
    await page.scanner.update('demo', 'all');
    expect(page.calls).toEqual(['customers:demo:101,103,404,102']);
    expect(orders('a')).toBe('5 orders');
    expect(document.querySelectorAll('clvlens-badge')).toHaveLength(4);
  });
});
