/// <reference lib="dom" />
/**
 * The extension on replicas of the real admin's two generations (real-admin-fixture.ts), the same tests in every
 * browser: exactly one badge per customer row with the right numbers, no badge anywhere else (skip link, popovers),
 * the card below the page header on customer and order pages, badge clicks that do not open the row, rows re-created
 * and sorted, paging, pushState navigation list -> detail -> back; then the popup and the options page.
 */
import { pairAndSync } from './page-functions.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeAppApi, type FakeAppApi } from '@clvlens/extension/testing';
import { SCREENSHOT_DIR } from './browser.ts';
import { loadCdnowFixture, type CdnowFixture } from './cdnow-fixture.ts';
import type { DrivenBrowser, DrivenPage, Launcher } from './drivers.ts';
import { badgeRisk, money, pct1, poll } from './e2e-helpers.ts';
import { PAGE_SIZE, type AdminGeneration, type RealAdminData } from './real-admin-fixture.ts';
import { serveFetchHandler, serveRealAdmin, type RunningServer } from './servers.ts';

const PAIRING_CODE = 'REAL-ADMIN-1';
const XSS_NAME = '<img src=x onerror=alert(1)>';

interface RowProbe {
  id: string | null;
  badges: number;
  state: string | null;
  /** The badge's risk part: "High risk 82%", "New customer". */
  risk: string;
  /** The order count part, shown only when chosen in the options. */
  orders: string;
  after: string | null;
  /** The text of the element the badge follows (the customer's name in a plain-text cell) */
  afterText: string | null;
  /** 1-based index of the cell the badge sits in */
  cellIndex: number | null;
}

interface PageProbe {
  path: string;
  total: number;
  /** hrefs of the links before badges that sit outside any row */
  outsideRows: string[];
  rows: RowProbe[];
  rowOpens: number;
  /** Badges still hidden (waiting for their place) */
  hidden: number;
}

/** Everything about the badges on the page, across open shadow roots (runs in the page). */
function probePage(): PageProbe {
  const roots: (Document | ShadowRoot)[] = [document];
  for (let i = 0; i < roots.length; i++) {
    for (const e of roots[i]!.querySelectorAll('*')) {
      if (e.shadowRoot && e.localName !== 'clvlens-badge' && e.localName !== 'clvlens-card') roots.push(e.shadowRoot);
    }
  }
  const badges = roots.flatMap((r) => [...r.querySelectorAll('clvlens-badge')]);
  const rowOf = (n: Element): Element | null => {
    for (let e: Element | null = n; e; e = e.parentElement ?? (e.getRootNode() as ShadowRoot).host ?? null) {
      if (e.matches('tr, [role="row"]')) return e;
    }
    return null;
  };
  const rows = [...document.querySelectorAll('tr, [role="row"]')];
  return {
    path: location.pathname + location.search,
    total: badges.length,
    outsideRows: badges.filter((b) => !rowOf(b)).map((b) => b.previousElementSibling?.getAttribute('href') ?? '?'),
    rows: rows.map((r) => {
      const mine = badges.filter((b) => rowOf(b) === r);
      const b = mine[0];
      return {
        id: r.querySelector('input[type="checkbox"]')?.getAttribute('aria-label')?.split('/').pop() ?? null,
        badges: mine.length,
        state: b?.getAttribute('data-state') ?? null,
        risk: b?.shadowRoot?.querySelector('.tier')?.textContent ?? '',
        orders: b?.shadowRoot?.querySelector('.orders')?.textContent ?? '',
        after: b?.previousElementSibling?.getAttribute('href') ?? null,
        afterText: b?.previousElementSibling?.textContent ?? null,
        cellIndex: (() => {
          let cell: Element | null = b ?? null;
          while (cell && !cell.matches('td, [role="cell"]')) cell = cell.parentElement ?? (cell.getRootNode() as ShadowRoot).host ?? null;
          return cell?.parentElement ? [...cell.parentElement.children].indexOf(cell) + 1 : null;
        })(),
      };
    }),
    rowOpens: (window as unknown as { __rowOpens: number }).__rowOpens,
    hidden: badges.filter((b) => b.hasAttribute('hidden')).length,
  };
}

interface CardProbe {
  cards: number;
  /** The h2 of the block the card follows ("Customer" on an order page) */
  prevHeading: string | null;
  /** The card's box and the box of the block it follows */
  box: { left: number; right: number; top: number } | null;
  prevBox: { left: number; right: number; bottom: number } | null;
  /** The order's status and items block ("Unfulfilled"): the card must not come before it */
  itemsRight: number;
  itemsBeforeCard: boolean;
  /** Whose card it is, as the card says */
  whose: string | null;
  state: string | null;
  prev: string | null;
  next: string | null;
  cardTop: number;
  headerBottom: number;
  titleMid: number;
  actionsMid: number;
  badges: number;
}

/** The card and the page header it must sit below (runs in the page). */
function probeCard(): CardProbe {
  const roots: (Document | ShadowRoot)[] = [document];
  for (let i = 0; i < roots.length; i++) {
    for (const e of roots[i]!.querySelectorAll('*')) {
      if (e.shadowRoot && e.localName !== 'clvlens-badge' && e.localName !== 'clvlens-card') roots.push(e.shadowRoot);
    }
  }
  const all = (sel: string) => roots.flatMap((r) => [...r.querySelectorAll(sel)]);
  const card = all('clvlens-card')[0];
  const prev = card?.previousElementSibling ?? null;
  const mid = (e: Element | undefined) => (e ? (e.getBoundingClientRect().top + e.getBoundingClientRect().bottom) / 2 : NaN);
  const items = all('h2').find((h) => h.textContent === 'Unfulfilled')?.parentElement ?? null;
  const cb = card?.getBoundingClientRect();
  const pb = prev?.getBoundingClientRect();
  return {
    cards: all('clvlens-card').length,
    prevHeading: prev?.querySelector('h2')?.textContent ?? null,
    box: cb ? { left: cb.left, right: cb.right, top: cb.top } : null,
    prevBox: pb ? { left: pb.left, right: pb.right, bottom: pb.bottom } : null,
    itemsRight: items?.getBoundingClientRect().right ?? NaN,
    itemsBeforeCard: !!(items && card && items.compareDocumentPosition(card) & Node.DOCUMENT_POSITION_FOLLOWING),
    whose: card?.shadowRoot?.querySelector('[data-testid="card-whose"]')?.textContent ?? null,
    state: card?.getAttribute('data-state') ?? null,
    prev: prev ? (prev.getAttribute('data-testid') ?? prev.localName) : null,
    next: card?.nextElementSibling?.getAttribute('data-testid') ?? null,
    cardTop: card?.getBoundingClientRect().top ?? NaN,
    headerBottom: prev?.getBoundingClientRect().bottom ?? NaN,
    titleMid: mid(all('main h1, h1')[0]),
    actionsMid: mid(all('#more')[0]),
    badges: all('clvlens-badge').length,
  };
}

/** The centre of the badge in the row of customer `id`, or of a plain-text cell of that row (runs in the page). */
function pointIn({ id, what }: { id: string; what: 'badge' | 'cell' }): { x: number; y: number } {
  const box = [...document.querySelectorAll('input[type="checkbox"]')].find((c) => c.getAttribute('aria-label')?.endsWith(`/${id}`));
  const row = box?.closest('tr, [role="row"]');
  if (!row) throw new Error(`no row for ${id}`);
  const target =
    what === 'badge'
      ? row.querySelector('clvlens-badge')!.shadowRoot!.querySelector('.badge')!
      : [...row.querySelectorAll('td, [role="cell"]')].find((c) => /orders$/.test(c.textContent ?? ''))!;
  target.scrollIntoView({ block: 'center' });
  const r = target.getBoundingClientRect();
  return { x: r.left + Math.min(r.width / 2, 20), y: r.top + r.height / 2 };
}

export function realAdminSuite(browserName: string, launch: Launcher, opts: { skip?: boolean } = {}): void {
  describe.skipIf(opts.skip ?? false)(`extension on the real admin's replicas, in ${browserName}`, () => {
    let fixture: CdnowFixture;
    let api: FakeAppApi;
    let apiServer: RunningServer;
    let adminServer: Awaited<ReturnType<typeof serveRealAdmin>>;
    let browser: DrivenBrowser;
    let admin: DrivenPage;
    let data: RealAdminData;
    /** Each customer's badge risk text, from the API's numbers. */
    const expectedRisk = new Map<string, string>();

    beforeAll(async () => {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      fixture = loadCdnowFixture();
      for (const c of fixture.customers) expectedRisk.set(c.customerId, badgeRisk(c));
      const listed = fixture.customers.slice(0, 2 * PAGE_SIZE + 20);
      // Names as Shopify would give them (the app reads them live): the order list's customer cells read the same.
      const orders = [...fixture.orders]
        .slice(0, 20)
        .map(([id, customerId], i) => ({ id, name: `#${1001 + i}`, customerId, customerName: `Customer ${customerId}` }));
      const customerNames = Object.fromEntries(orders.flatMap((o) => (o.customerId === null ? [] : [[o.customerId, o.customerName]])));
      orders.push({ id: '999999', name: '#9999', customerId: null as unknown as string, customerName: '' });
      api = createFakeAppApi({
        shopDomain: fixture.shopDomain,
        storeHandle: fixture.storeHandle,
        summary: fixture.summary,
        customers: fixture.customers,
        orders: new Map<string, string | null>([...fixture.orders, ['999999', null]]),
        pairingCodes: [PAIRING_CODE],
        customerNames,
        maxPageSize: 500,
      });
      data = {
        storeHandle: fixture.storeHandle,
        customers: listed.map((c, i) => ({ id: c.customerId, name: i === 2 ? XSS_NAME : `Customer ${c.customerId}`, orders: c.orderCount })),
        orders,
      };
      apiServer = await serveFetchHandler((req) => api.fetch(req));
      adminServer = await serveRealAdmin(data);
      browser = await launch(adminServer.port);
      // Pair and sync through the extension's own message protocol, from its options page.
      const options = await browser.extensionPage('options.html');
      const paired = await options.evaluate(pairAndSync, { appUrl: apiServer.url, code: PAIRING_CODE, shopDomain: fixture.shopDomain });
      expect(paired).toBe('ok');
      await options.close();
      admin = await browser.newPage();
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await apiServer?.close();
      await adminServer?.close();
    });

    const listOk = async (first: number, count: number) => {
      const ids = data.customers.slice(first, first + count).map((c) => c.id);
      await poll(async () => {
        const p = await admin.evaluate(probePage, undefined);
        return p.rows.filter((r) => r.id !== null && r.badges === 1 && r.state === 'found').length;
      }).toBe(ids.length);
      const p = await admin.evaluate(probePage, undefined);
      expect(p.outsideRows).toEqual([]);
      expect(p.total).toBe(ids.length);
      const rows = p.rows.filter((r) => r.id !== null);
      expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
      for (const r of rows) {
        expect(r.risk, `row ${r.id}`).toBe(expectedRisk.get(r.id!));
        // Order count is off by default (the admin's own Orders column shows it).
        expect(r.orders, `row ${r.id}`).toBe('');
        expect(r.after, `row ${r.id}`).toBe(`/store/${fixture.storeHandle}/customers/${r.id}`);
      }
      return p;
    };

    for (const generation of ['2024', '2026'] as AdminGeneration[]) {
      describe(`admin generation ${generation}`, () => {
        const base = () => `https://admin.shopify.com/store/${fixture.storeHandle}`;
        const shotName = (name: string) => join(SCREENSHOT_DIR, `real-admin-${browserName.toLowerCase()}-${generation}-${name}.png`);

        it('customer list: exactly one badge per row, with its numbers, after the skeleton; none anywhere else', async () => {
          adminServer.setGeneration(generation);
          await admin.goto(`${base()}/customers`);
          await listOk(0, PAGE_SIZE);
          // The hostile name stays text.
          expect(await admin.evaluate(() => document.querySelectorAll('img').length, undefined)).toBe(0);
          await admin.screenshot(shotName('customers'));
        });

        it('a click on a badge does not open the row; a click elsewhere in the row does (pushState), and the customer page is right', async () => {
          const id = data.customers[3]!.id;
          const before = await admin.evaluate(probePage, undefined);
          const badge = await admin.evaluate(pointIn, { id, what: 'badge' });
          await admin.clickAt(badge.x, badge.y);
          await new Promise((r) => setTimeout(r, 300));
          const after = await admin.evaluate(probePage, undefined);
          expect(after.path).toBe(before.path);
          expect(after.rowOpens).toBe(before.rowOpens);

          const cell = await admin.evaluate(pointIn, { id, what: 'cell' });
          const t0 = Date.now();
          await admin.clickAt(cell.x, cell.y);
          await poll(() => admin.evaluate(() => location.pathname, undefined)).toBe(`/store/${fixture.storeHandle}/customers/${id}`);
          await poll(async () => (await admin.evaluate(probeCard, undefined)).state).toBe('found');
          console.info(`${browserName} ${generation}: card found ${Date.now() - t0} ms after the row click (skeleton 120 ms)`);
          // Wait past any late scan: the skip link and everything else stay without a badge.
          await new Promise((r) => setTimeout(r, 400));
          const card = await admin.evaluate(probeCard, undefined);
          expect(card.cards).toBe(1);
          expect(card.badges).toBe(0);
          expect(card.prev).toBe(generation === '2026' ? 's-page-header' : 'page-header');
          expect(card.next).toBe('page-content');
          expect(card.cardTop).toBeGreaterThanOrEqual(card.headerBottom - 1);
          // The title row is untouched: "More actions" is still on the title's line.
          expect(Math.abs(card.titleMid - card.actionsMid)).toBeLessThan(8);
          await admin.screenshot(shotName('customer'));
        });

        it('back to the list: the card is gone and every row has its badge again', async () => {
          await admin.evaluate(() => history.back(), undefined);
          await poll(() => admin.evaluate(() => location.pathname, undefined)).toBe(`/store/${fixture.storeHandle}/customers`);
          await listOk(0, PAGE_SIZE);
          expect((await admin.evaluate(probeCard, undefined)).cards).toBe(0);
        });

        it('rows re-created by a refresh and moved by a sort keep exactly one right badge each', async () => {
          await admin.evaluate(() => (window as unknown as { __refreshRows(): void }).__refreshRows(), undefined);
          await listOk(0, PAGE_SIZE);
          await admin.evaluate(() => (window as unknown as { __sortRows(): void }).__sortRows(), undefined);
          const p = await listOk(0, PAGE_SIZE);
          expect(p.rows.find((r) => r.id !== null)?.id).toBe(data.customers[PAGE_SIZE - 1]!.id);
        });

        it('a popover in the portal container gets no badge', async () => {
          const c = data.customers[5]!;
          await admin.evaluate(({ id, name }) => (window as unknown as { __openPopover(i: string, n: string): void }).__openPopover(id, name), {
            id: c.id,
            name: c.name,
          });
          await new Promise((r) => setTimeout(r, 300));
          expect(await admin.evaluate(() => document.getElementById('popover-link')?.nextElementSibling?.localName ?? null, undefined)).toBeNull();
          expect((await admin.evaluate(probePage, undefined)).total).toBe(PAGE_SIZE);
          await admin.evaluate(() => (window as unknown as { __closePopover(): void }).__closePopover(), undefined);
        });

        it('pages with ?after= and ?before=: each page of 50 rows gets its own badges', async () => {
          const click = async (sel: string) => {
            const pt = await admin.evaluate((s) => {
              const e = document.querySelector(s)!;
              e.scrollIntoView({ block: 'center' });
              const r = e.getBoundingClientRect();
              return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
            }, sel);
            await admin.clickAt(pt.x, pt.y);
          };
          await click('#next');
          await poll(() => admin.evaluate(() => location.search, undefined)).toMatch(/^\?after=/);
          await listOk(PAGE_SIZE, PAGE_SIZE);
          await click('#next');
          await listOk(2 * PAGE_SIZE, data.customers.length - 2 * PAGE_SIZE);
          await click('#prev');
          await poll(() => admin.evaluate(() => location.search, undefined)).toMatch(/^\?before=/);
          await listOk(PAGE_SIZE, PAGE_SIZE);
        });

        it('order list: one badge per order row, in its customer cell (after the chip in 2026, after the plain-text name in 2024); a guest order is marked', async () => {
          const t0 = Date.now();
          await admin.evaluate((p) => (window as unknown as { __navigate(p: string): void }).__navigate(p), `/store/${fixture.storeHandle}/orders`);
          const expected = data.orders.length;
          await poll(async () => {
            const p = await admin.evaluate(probePage, undefined);
            return p.rows.filter((r) => r.id !== null && r.badges === 1 && r.state !== 'loading').length;
          }).toBe(expected);
          // 2024: the badge moves into the customer cell once the order's customer name is read (live, through the app).
          await poll(async () => (await admin.evaluate(probePage, undefined)).rows.filter((r) => r.id !== null && r.cellIndex === 3).length).toBe(expected - 1);
          console.info(
            `${browserName} ${generation}: ${expected - 1} order badges in their customer cells ${Date.now() - t0} ms after the navigation (skeleton 150 ms)`,
          );
          const p = await admin.evaluate(probePage, undefined);
          expect(p.total).toBe(expected);
          expect(p.hidden).toBe(0);
          expect(p.outsideRows).toEqual([]);
          for (const o of data.orders) {
            const row = p.rows.find((r) => r.id === o.id)!;
            if (o.customerId === null) {
              expect(row.state).toBe('guest');
              expect(row.after).toBe(`/store/${fixture.storeHandle}/orders/${o.id}`);
            } else {
              expect(row.state, `order ${o.id}`).toBe('found');
              expect(row.risk, `order ${o.id}`).toBe(expectedRisk.get(o.customerId));
              // The customer column (the 3rd cell): 2026 links the customer in a chip's shadow root and the badge follows
              // that link; 2024 writes the name as plain text and the badge follows the name, found by the order's customer.
              expect(row.cellIndex, `order ${o.id}`).toBe(3);
              if (generation === '2026') expect(row.after).toBe(`/store/${fixture.storeHandle}/customers/${o.customerId}`);
              else expect(row.afterText).toBe(o.customerName);
            }
          }
          await admin.screenshot(shotName('orders'));
        });

        it("order page: the card with the customer section in the sidebar, naming that customer, not above the items; no badge on the customer's own link", async () => {
          const o = data.orders[0]!;
          await admin.evaluate((p) => (window as unknown as { __navigate(p: string): void }).__navigate(p), `/store/${fixture.storeHandle}/orders/${o.id}`);
          await poll(async () => (await admin.evaluate(probeCard, undefined)).state).toBe('found');
          // Wait past any late scan: the sidebar's link to the order's customer (a chip in 2026) stays without a badge.
          await new Promise((r) => setTimeout(r, 400));
          const card = await admin.evaluate(probeCard, undefined);
          expect(card.cards).toBe(1);
          expect(card.badges).toBe(0);
          // DOM: right after the Customer card, in the sidebar, after the order's status and items.
          expect(card.prevHeading).toBe('Customer');
          expect(card.itemsBeforeCard).toBe(true);
          // Layout: in the customer card's column, below it; the title row is untouched.
          expect(Math.abs(card.box!.left - card.prevBox!.left)).toBeLessThan(2);
          expect(Math.abs(card.box!.right - card.prevBox!.right)).toBeLessThan(2);
          expect(card.box!.top).toBeGreaterThanOrEqual(card.prevBox!.bottom - 1);
          // The sidebar: to the right of the order's status and items, not above them.
          expect(card.box!.left).toBeGreaterThanOrEqual(card.itemsRight);
          expect(Math.abs(card.titleMid - card.actionsMid)).toBeLessThan(8);
          // Whose card it is: the order's customer by name (read live through the app).
          await poll(async () => (await admin.evaluate(probeCard, undefined)).whose).toBe(`This order’s customer: ${o.customerName}`);
          const c = fixture.customers.find((x) => x.customerId === o.customerId)!;
          const cardText = await admin.evaluate(() => document.querySelector('clvlens-card')?.shadowRoot?.textContent ?? '', undefined);
          expect(cardText).toContain(`Counted orders${c.orderCount}`);
          expect(cardText).toContain(money(c.historicClvMinor, 'USD'));
          await admin.screenshot(shotName('order'));
        });
      });
    }

    it('popup: the shop at a glance', async () => {
      const popup = await browser.extensionPage('popup.html');
      await poll(() => popup.evaluate(() => document.querySelector('[data-testid="repeat-rate"]')?.textContent ?? null, undefined)).toBe(
        pct1(fixture.summary.repeatPurchaseRate.value),
      );
      expect(await popup.evaluate(() => document.querySelector('[data-testid="connection"]')?.textContent ?? '', undefined)).toContain(fixture.shopDomain);
      await poll(() => popup.evaluate(() => document.querySelectorAll('.uplot canvas').length, undefined)).toBe(1);
      await popup.screenshot(join(SCREENSHOT_DIR, `real-admin-${browserName.toLowerCase()}-popup.png`));
      await popup.close();
    });

    it('options page: the connected shop with its cached count, and a badge setting that applies', async () => {
      const options = await browser.extensionPage('options.html');
      await poll(() => options.evaluate(() => document.querySelector('[data-testid="shop-cached"]')?.textContent ?? null, undefined)).toBe(
        fixture.customers.length.toLocaleString('en-US'),
      );
      // Tick the order count part (off by default): badges show each customer's count from the API on the next page.
      const count = () => options.evaluate(() => (document.querySelector('input[name="orderCount"]') as HTMLInputElement).checked, undefined);
      expect(await count()).toBe(false);
      await options.evaluate(() => (document.querySelector('input[name="orderCount"]') as HTMLInputElement).click(), undefined);
      await poll(count).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      await admin.goto(`https://admin.shopify.com/store/${fixture.storeHandle}/customers`);
      await poll(async () => (await admin.evaluate(probePage, undefined)).rows.filter((r) => r.state === 'found' && r.orders !== '').length).toBe(PAGE_SIZE);
      expect(await admin.evaluate(() => document.querySelectorAll('clvlens-badge').length, undefined)).toBe(PAGE_SIZE);
      for (const r of (await admin.evaluate(probePage, undefined)).rows.filter((x) => x.id !== null)) {
        const n = fixture.customers.find((c) => c.customerId === r.id)!.orderCount;
        expect(r.orders, `row ${r.id}`).toBe(`${n} order${n === 1 ? '' : 's'}`);
      }
      await options.evaluate(() => (document.querySelector('input[name="orderCount"]') as HTMLInputElement).click(), undefined);
      await poll(count).toBe(false);
      await options.close();
    });
  });
}
