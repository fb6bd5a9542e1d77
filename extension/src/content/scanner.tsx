import { render } from 'preact';
import { Badge, type CustomerView } from '../components/Badge.tsx';
import { CustomerCard } from '../components/CustomerCard.tsx';
import type { CachedCustomer } from '../db/schema.ts';
import type { PlainError } from '../errors.ts';
import type { BadgeSettings, LookupResult, ResponseMap } from '../messages/protocol.ts';
import { parseAdminLink, parseAdminPage, type AdminLink } from '../utils/admin-urls.ts';
import { BADGE_HOST_TAG, CARD_HOST_TAG, createShadowHost, isOwnHost, type ShadowMount } from './shadow-host.ts';

export interface ScannerDeps {
  doc: Document;
  /** The page URL now (changes with SPA navigation). */
  href: () => string;
  nowMs: () => number;
  css: string;
  settings: () => Promise<BadgeSettings>;
  lookupCustomers: (storeHandle: string, customerIds: string[]) => Promise<LookupResult>;
  lookupOrders: (storeHandle: string, orderIds: string[]) => Promise<ResponseMap['orders.lookup']>;
  /**
   * Display names read live through the app (held in this page's memory only): on an order list whose customer cell
   * is plain text (the 2024 admin), the name finds the cell the badge goes in. Without it the badge stays by the order
   * link.
   */
  customerNames?: (storeHandle: string, customerIds: string[]) => Promise<Record<string, string>>;
  /** Runs `fn` before the next frame is drawn (defaults to the window's requestAnimationFrame, else at once). */
  nextFrame?: (fn: () => void) => void;
  /** Reports a caught error (the page must never break); defaults to nothing. */
  onError?: (error: unknown) => void;
}

export interface Scanner {
  /** Finds new customer and order links and the detail-page header, and (re)renders badges and the card. */
  scan(): Promise<void>;
  /** Forgets cached answers and settings and re-renders everything (after a sync or settings change). */
  refresh(): Promise<void>;
  /**
   * Re-reads the given customers of one store from the background and re-renders, in place, only the badges and
   * the card that show them (`'all'`: every customer shown). No page scan, no host replaced: what the freshness loop
   * calls with the ids that changed in the cache.
   */
  update(storeHandle: string, customerIds: readonly string[] | 'all'): Promise<void>;
  /** The store whose customers this page shows badges or a card for; null when it shows none. */
  shownStore(): string | null;
  /** The document and the open shadow roots the last scan looked into (what the watcher must observe). */
  roots(): readonly (Document | ShadowRoot)[];
  /** Removes every badge and card. */
  destroy(): void;
}

interface BadgeEntry {
  key: string;
  anchor: HTMLAnchorElement;
  /** The href attribute the entry was made from, to skip unchanged links without parsing them again. */
  href: string;
  link: AdminLink;
  mount: ShadowMount;
  /** An order link whose row has no customer link: the badge moves to the row's customer cell once it is found. */
  wantsCell?: boolean;
}

interface CardEntry {
  key: string;
  link: AdminLink;
  mount: ShadowMount;
}

interface OrderAnswer {
  atMs: number;
  connected: boolean;
  customerId: string | null;
  /** A guest checkout: no customer, and none will come. */
  guest: boolean;
}

const ANSWER_TTL_MS = 30_000;

/** The row an anchor belongs to, by ARIA/HTML structure (never by the admin's hashed class names). */
function rowOf(a: Element): Element | null {
  return composedClosest(a, 'tr, [role="row"], li');
}

/** The links in an element, including those inside open shadow roots of its descendants (the admin's chips). */
function deepLinks(el: Element): HTMLAnchorElement[] {
  const out = [...el.querySelectorAll<HTMLAnchorElement>('a[href]')];
  for (const d of el.querySelectorAll('*')) {
    if (!d.shadowRoot || isOwnHost(d)) continue;
    for (const c of d.shadowRoot.children) {
      if (c.matches('a[href]')) out.push(c as HTMLAnchorElement);
      out.push(...deepLinks(c));
    }
  }
  return out;
}

/**
 * Where links never get a badge: popovers, menus and dialogs (the admin renders them in `#PolarisPortalsContainer`,
 * outside the page), whose customer links repeat a row that already has one.
 */
const NO_BADGE_ZONE = '#PolarisPortalsContainer, [data-portal-id], [role="dialog"], [role="tooltip"], [role="menu"], [popover]';

/** The parent across shadow boundaries: an element's parent, or the host of the shadow root it sits in. */
function composedParent(el: Element): Element | null {
  if (el.parentElement) return el.parentElement;
  const root = el.parentNode;
  return root && 'host' in root ? (root as ShadowRoot).host : null;
}

/** `closest` that also looks past shadow roots to their hosts (a link inside a web component inside a portal). */
function composedClosest(el: Element, selector: string): Element | null {
  // One native `closest` per tree rather than `matches` on every ancestor (each a cross-world call from a content
  // script, for every link of every scan): the same elements in the same order.
  for (let e: Element | null = el; e;) {
    const hit = e.closest(selector);
    if (hit) return hit;
    const root = e.getRootNode();
    e = root.nodeType === Node.DOCUMENT_FRAGMENT_NODE && 'host' in root ? (root as ShadowRoot).host : null;
  }
  return null;
}

/**
 * The document and every open shadow root in it, outermost first (the admin's web components keep links and even the
 * page title in open shadow roots). Our own badge and card roots are left out.
 */
export function openRoots(doc: Document): (Document | ShadowRoot)[] {
  const roots: (Document | ShadowRoot)[] = [doc];
  for (let i = 0; i < roots.length; i++) {
    for (const el of roots[i]!.querySelectorAll('*')) {
      const sr = el.shadowRoot;
      if (sr && !isOwnHost(el)) roots.push(sr);
    }
  }
  return roots;
}

const CELL = 'td, th, [role="cell"], [role="gridcell"]';

/** Text content across open shadow roots (the admin's chips keep the name in one), whitespace collapsed. */
function deepText(el: Element): string {
  let text = '';
  const walk = (n: Node) => {
    if (n.nodeType === Node.TEXT_NODE) text += n.textContent ?? '';
    else if (n.nodeType === Node.ELEMENT_NODE) {
      const e = n as Element;
      if (isOwnHost(e) || e.localName === 'script' || e.localName === 'style') return;
      if (e.shadowRoot) for (const c of e.shadowRoot.childNodes) walk(c);
      for (const c of e.childNodes) walk(c);
    }
  };
  walk(el);
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Where an order row's badge goes when the row names its customer in plain text (the 2024 admin's order list): after
 * the innermost element of the row, past the order link's own cell, whose whole text is the customer's name; inside it
 * when that element is the cell itself. Null when no cell reads the name (the badge stays by the order link).
 */
export function customerCellTarget(row: Element, orderLink: Element, name: string): { el: Element; inside: boolean } | null {
  const wanted = name.replace(/\s+/g, ' ').trim();
  if (wanted === '') return null;
  const linkCell = composedClosest(orderLink, CELL);
  for (const cell of row.querySelectorAll(CELL)) {
    if (cell === linkCell || cell.contains(orderLink) || deepText(cell) !== wanted) continue;
    // The innermost light-DOM element holding just the name: a span beside it would sit inside a styled chip.
    let el: Element = cell;
    for (;;) {
      const inner = [...el.children].find((c) => !isOwnHost(c) && deepText(c) === wanted);
      if (!inner) break;
      el = inner;
    }
    return { el, inside: el === cell };
  }
  return null;
}

/**
 * The customer section of an order page: the card or section around the order's customer link (`customerId`; any
 * customer link when null), found as the nearest `section`, `article` or region around it, else the largest block
 * around it that holds one heading (Polaris cards are divs with an `h2`). Null without such a link (a guest order, or
 * the page still loading).
 */
export function customerSection(roots: readonly (Document | ShadowRoot)[], href: string, customerId: string | null): Element | null {
  let link: Element | null = null;
  for (const root of roots) {
    for (const a of root.querySelectorAll('a[href]')) {
      const l = parseAdminLink(a.getAttribute('href') ?? '', href);
      if (l?.kind !== 'customer' || composedClosest(a, NO_BADGE_ZONE) || !composedClosest(a, 'main')) continue;
      if (customerId === null || l.customerId === customerId) {
        link = a;
        break;
      }
    }
    if (link) break;
  }
  if (!link) return null;
  const headings = (e: Element) => e.querySelectorAll('h2').length;
  let block: Element | null = null;
  for (let e: Element | null = link; e && e.localName !== 'main' && e.localName !== 'body'; e = composedParent(e)) {
    if (e !== link && e.matches('section, article, [role="region"]')) return e;
    if (headings(e) > 1) break;
    if (headings(e) === 1) block = e;
  }
  return block;
}

/** Following element siblings that count as the page's content, not more of the title row. */
const CONTENT_MARKER = 'h2, h3, section, article, table, [role="table"], [role="grid"], [role="region"], form, textarea';

function isBelow(el: Element, ref: DOMRect): boolean {
  const r = el.getBoundingClientRect();
  return r.top >= ref.bottom - 1;
}

/**
 * Whether a later sibling of `el` is laid out below it (not an action or badge beside the title), and whether it looks
 * like the page's content (a section, a table, a heading, or something tall like a skeleton).
 */
function followers(el: Element): { below: boolean; content: boolean } {
  const ref = el.getBoundingClientRect();
  let below = false;
  for (let s = el.nextElementSibling; s; s = s.nextElementSibling) {
    if (isOwnHost(s) || !isBelow(s, ref)) continue;
    below = true;
    if (s.matches(CONTENT_MARKER) || s.querySelector(CONTENT_MARKER) || s.getBoundingClientRect().height >= 100) {
      return { below, content: true };
    }
  }
  return { below, content: false };
}

/** The page title: the first `h1` in `main` (light DOM or an open shadow root), else the first anywhere. */
function findTitle(roots: readonly (Document | ShadowRoot)[]): Element | null {
  let any: Element | null = null;
  for (const root of roots) {
    for (const h1 of root.querySelectorAll('h1')) {
      if (composedClosest(h1, 'main')) return h1;
      any ??= h1;
    }
  }
  return any;
}

/**
 * Where the card goes: after the page header that holds the title, so the title row (the admin's status badges and
 * "More actions" beside the name) stays as it is. Walks up from the title, across shadow roots, to the first
 * ancestor followed by page content; without one, after the title's own block.
 */
export function headerAnchor(roots: readonly (Document | ShadowRoot)[]): Element | null {
  const title = findTitle(roots);
  if (!title) return null;
  let firstBelow: Element | null = null;
  let last: Element = title;
  for (let el: Element | null = title; el && el.localName !== 'main' && el.localName !== 'body'; el = composedParent(el)) {
    const f = followers(el);
    if (f.content) return el;
    if (f.below) firstBelow ??= el;
    last = el;
  }
  // Content not rendered yet: the first block with something under it, else the title's outermost block. Later scans
  // move the card when the content arrives.
  return firstBelow ?? last;
}

export function createScanner(deps: ScannerDeps): Scanner {
  const { doc } = deps;
  const badges = new Map<HTMLAnchorElement, BadgeEntry>();
  // Links already seen that need no badge, with the href they had (a changed href is looked at again).
  const ignored = new WeakMap<HTMLAnchorElement, string>();
  // Which badges a link gets depends on the page: after a navigation every link is looked at again.
  let lastPageHref = '';
  // The document and the open shadow roots seen by the last scan (the watcher observes each one).
  let knownRoots: (Document | ShadowRoot)[] = [doc];
  let card: CardEntry | null = null;
  let settingsCache: Promise<BadgeSettings> | null = null;
  // Answers per store handle and id, so rows added later and SPA navigations render from memory.
  const customerAnswers = new Map<string, { atMs: number; connected: boolean; customer: CachedCustomer | null }>();
  const orderAnswers = new Map<string, OrderAnswer>();
  // Each store's time zone, from the background's answers: dates on badges and cards are the shop's, as in the admin.
  const zones = new Map<string, string>();
  // Each store's last sync problem, from the same answers (the card says its numbers may be out of date).
  const problems = new Map<string, PlainError>();
  const noteShop = (storeHandle: string, r: LookupResult) => {
    if (r.timeZone) zones.set(storeHandle, r.timeZone);
    if (r.problem) problems.set(storeHandle, r.problem);
    else problems.delete(storeHandle);
  };
  // Display names by store and customer id, for finding a plain-text customer cell: this page's memory only.
  const names = new Map<string, string | null>();

  const safe = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      deps.onError?.(error);
    }
  };

  const settings = () => (settingsCache ??= deps.settings());

  /** What is known about a customer: null when it still has to be asked for. */
  function viewFor(storeHandle: string, customerId: string): CustomerView | null {
    const a = customerAnswers.get(`${storeHandle}:${customerId}`);
    if (!a || deps.nowMs() - a.atMs > ANSWER_TTL_MS) return null;
    if (!a.connected) return { state: 'not-connected' };
    return a.customer ? { state: 'found', customer: a.customer, timeZone: zones.get(storeHandle), problem: problems.get(storeHandle) } : { state: 'missing' };
  }

  /** The order's answer: undefined when it still has to be asked for. */
  function orderAnswer(storeHandle: string, orderId: string): OrderAnswer | undefined {
    const a = orderAnswers.get(`${storeHandle}:${orderId}`);
    return a && deps.nowMs() - a.atMs <= ANSWER_TTL_MS ? a : undefined;
  }

  function viewForLink(link: AdminLink): CustomerView | null {
    if (link.kind === 'customer') return viewFor(link.storeHandle, link.customerId);
    const a = orderAnswer(link.storeHandle, link.orderId);
    if (!a) return null;
    if (!a.connected) return { state: 'not-connected' };
    if (a.customerId === null) return { state: a.guest ? 'guest' : 'missing' };
    return viewFor(link.storeHandle, a.customerId);
  }

  function renderBadge(entry: BadgeEntry, s: BadgeSettings): void {
    loadingLater.delete(entry);
    const view = viewForLink(entry.link) ?? { state: 'loading' };
    entry.mount.host.setAttribute('data-state', view.state);
    safe(() => render(<Badge view={view} fields={s.fields} nowMs={deps.nowMs()} />, entry.mount.container));
  }

  // Badges waiting for their answer whose "loading" placeholder is not drawn yet (see showLoadingNextFrame).
  const loadingLater = new Set<BadgeEntry>();
  let loadingFrame = false;
  const nextFrame = deps.nextFrame ?? ((fn: () => void) => (doc.defaultView?.requestAnimationFrame ? doc.defaultView.requestAnimationFrame(() => fn()) : fn()));

  /** Marks a new badge as loading now and draws its placeholder before the next frame, if its answer is not in. */
  function showLoadingNextFrame(entry: BadgeEntry, s: BadgeSettings): void {
    entry.mount.host.setAttribute('data-state', 'loading');
    loadingLater.add(entry);
    if (loadingFrame) return;
    loadingFrame = true;
    nextFrame(() => {
      loadingFrame = false;
      const due = [...loadingLater];
      loadingLater.clear();
      for (const e of due) {
        if (badges.get(e.anchor) === e && e.mount.host.isConnected && e.mount.host.getAttribute('data-state') === 'loading') renderBadge(e, s);
      }
    });
  }

  function renderCard(entry: CardEntry): void {
    const view = viewForLink(entry.link) ?? { state: 'loading' };
    entry.mount.host.setAttribute('data-state', view.state);
    safe(() => render(<CustomerCard view={view} nowMs={deps.nowMs()} subject={entry.link.kind} storeHandle={entry.link.storeHandle} />, entry.mount.container));
  }

  function removeBadge(a: HTMLAnchorElement, entry: BadgeEntry): void {
    safe(() => render(null, entry.mount.container));
    entry.mount.host.remove();
    badges.delete(a);
  }

  function removeCard(): void {
    if (!card) return;
    const c = card;
    card = null;
    safe(() => render(null, c.mount.container));
    c.mount.host.remove();
  }

  async function fetchAnswers(customerIds: Map<string, Set<string>>, orderIds: Map<string, Set<string>>): Promise<void> {
    const now = deps.nowMs();
    const jobs: Promise<void>[] = [];
    for (const [storeHandle, ids] of orderIds) {
      jobs.push(
        deps.lookupOrders(storeHandle, [...ids]).then((r) => {
          noteShop(storeHandle, r);
          for (const id of ids) {
            const customerId = r.connected ? (r.orderCustomerIds[id] ?? null) : null;
            const guest = r.connected && (r.guestOrderIds ?? []).includes(id);
            orderAnswers.set(`${storeHandle}:${id}`, { atMs: now, connected: r.connected, customerId, guest });
            if (customerId !== null && customerId in r.customers) {
              customerAnswers.set(`${storeHandle}:${customerId}`, {
                atMs: now,
                connected: true,
                customer: r.customers[customerId] ?? null,
              });
            }
          }
        }),
      );
    }
    for (const [storeHandle, ids] of customerIds) {
      jobs.push(
        deps.lookupCustomers(storeHandle, [...ids]).then((r) => {
          noteShop(storeHandle, r);
          for (const id of ids) {
            customerAnswers.set(`${storeHandle}:${id}`, { atMs: now, connected: r.connected, customer: r.customers[id] ?? null });
          }
        }),
      );
    }
    const results = await Promise.allSettled(jobs);
    for (const r of results) if (r.status === 'rejected') deps.onError?.(r.reason);
  }

  /**
   * One pass over the page as it is at one URL. The URL is read once (`href`): the admin's router can change it while
   * a pass awaits the settings or the background, and a pass that mixed the old page type with links resolved against
   * the new URL would badge the wrong links (the skip link `#AppFrameMain` resolved as a customer link). A pass that
   * sees the URL change returns 'restart' and `scan` runs again on the new URL; so does a pass whose customer links
   * waited for the order page's answer.
   */
  async function scanOnce(href: string): Promise<'done' | 'restart'> {
    const page = parseAdminPage(href);
    if (!page) {
      for (const [a, e] of badges) removeBadge(a, e);
      removeCard();
      lastPageHref = href;
      return 'done';
    }
    const s = await settings();
    if (deps.href() !== href) return 'restart';
    const needCustomers = new Map<string, Set<string>>();
    const needOrders = new Map<string, Set<string>>();
    const want = (map: Map<string, Set<string>>, store: string, id: string) => {
      let set = map.get(store);
      if (!set) map.set(store, (set = new Set()));
      set.add(id);
    };
    const fresh: BadgeEntry[] = [];
    // Links that get a new badge: their hosts are made after the lookup is sent (see below).
    const planned = new Map<HTMLAnchorElement, { key: string; href: string; link: AdminLink; wantsCell?: boolean }>();

    // Drop badges whose link left the page or whose host the page removed.
    for (const [a, e] of badges) {
      if (!a.isConnected || !e.mount.host.isConnected) removeBadge(a, e);
    }

    const roots = openRoots(doc);
    knownRoots = roots;
    // On an order page with its card, the card shows the order's customer: that customer's own link (the sidebar's)
    // gets no second badge. Until the order's answer is known, customer links wait (no badge that flashes and goes).
    const cardOrder = page.kind === 'order-detail' && s.showDetailCard ? page : null;
    const cardOrderAnswer = cardOrder ? orderAnswer(cardOrder.storeHandle, cardOrder.orderId) : undefined;
    let waitingForOrder = false;
    if (s.showListBadges) {
      const samePage = href === lastPageHref;
      // One badge per customer per row: the row's primary link (the admin marks it data-primary-link) or its first.
      // Built on first need: a rescan that finds no new link (most of them, on a long list) skips walking every badge.
      let rowBadgesMap: Map<Element, Map<string, HTMLAnchorElement>> | null = null;
      const rowBadges = () => {
        if (rowBadgesMap) return rowBadgesMap;
        rowBadgesMap = new Map();
        for (const [a, e] of badges) {
          const row = rowOf(a);
          if (!row) continue;
          let m = rowBadgesMap.get(row);
          if (!m) rowBadgesMap.set(row, (m = new Map()));
          m.set(e.key, a);
        }
        return rowBadgesMap;
      };
      for (const root of roots) {
        for (const a of root.querySelectorAll<HTMLAnchorElement>('a[href]')) {
          const rawHref = a.getAttribute('href') ?? '';
          const existing = badges.get(a);
          // Fast path for rescans: a link whose href did not change keeps its badge (or its lack of one).
          if (samePage && (existing ? existing.href === rawHref : ignored.get(a) === rawHref)) continue;
          // A fragment link stays on this page (the admin's skip link to #AppFrameMain); popovers repeat their row.
          const link = rawHref.startsWith('#') || composedClosest(a, NO_BADGE_ZONE) ? null : parseAdminLink(rawHref, href);
          let wanted = link !== null;
          const row = rowOf(a);
          if (link?.kind === 'order') {
            // Order links carry a badge only on the order list, and only when the row has no customer link.
            wanted =
              page.kind === 'orders-list' && !(row && deepLinks(row).some((x) => parseAdminLink(x.getAttribute('href') ?? '', href)?.kind === 'customer'));
          }
          if (link?.kind === 'customer' && page.kind === 'customer-detail' && link.customerId === page.customerId) {
            wanted = false; // the card already describes this customer
          }
          if (link?.kind === 'customer' && cardOrder && link.storeHandle === cardOrder.storeHandle) {
            if (cardOrderAnswer === undefined) {
              wanted = false;
              waitingForOrder = true;
            } else if (cardOrderAnswer.customerId === link.customerId) {
              wanted = false;
            }
          }

          if (!link || !wanted) {
            if (existing) removeBadge(a, existing);
            // Order links depend on their row (a customer link may arrive later): only cache plain non-links.
            if (!link) ignored.set(a, rawHref);
            continue;
          }
          const key = link.kind === 'customer' ? `c:${link.storeHandle}:${link.customerId}` : `o:${link.storeHandle}:${link.orderId}`;
          if (existing?.key === key) continue;
          if (existing) removeBadge(a, existing);
          if (row) {
            let m = rowBadges().get(row);
            if (!m) rowBadges().set(row, (m = new Map()));
            const other = m.get(key);
            if (other && other !== a && (badges.has(other) || planned.has(other))) {
              if (other.getAttribute('data-primary-link') === 'true' || a.getAttribute('data-primary-link') !== 'true') continue;
              if (planned.has(other)) planned.delete(other);
              else removeBadge(other, badges.get(other)!);
            }
            m.set(key, a);
          }
          // An order row without a customer link names its customer in plain text: the badge belongs in that cell.
          planned.set(a, { key, href: rawHref, link, ...(link.kind === 'order' ? { wantsCell: true } : {}) });
          if (link.kind === 'order') {
            if (!orderAnswer(link.storeHandle, link.orderId)) want(needOrders, link.storeHandle, link.orderId);
          } else if (viewFor(link.storeHandle, link.customerId) === null) {
            want(needCustomers, link.storeHandle, link.customerId);
          }
        }
      }
    } else {
      for (const [a, e] of badges) removeBadge(a, e);
    }
    lastPageHref = href;

    let cardFresh = false;
    const detail = page.kind === 'customer-detail' || page.kind === 'order-detail';
    if (detail && s.showDetailCard) {
      const key = page.kind === 'customer-detail' ? `c:${page.storeHandle}:${page.customerId}` : `o:${page.storeHandle}:${page.orderId}`;
      // On an order page the card describes the order's customer, so it sits with the customer section (after it, in
      // the same column), not above the order's status and items; below the header until that section is rendered.
      const header =
        (page.kind === 'order-detail' ? customerSection(roots, href, orderAnswer(page.storeHandle, page.orderId)?.customerId ?? null) : null) ??
        headerAnchor(roots);
      if (card && (card.key !== key || !card.mount.host.isConnected)) removeCard();
      if (card && header && card.mount.host.previousElementSibling !== header) {
        // The anchor moved or the content arrived after the card was placed: keep the card right after it.
        header.after(card.mount.host);
      }
      if (!card && header) {
        const mount = createShadowHost(doc, CARD_HOST_TAG, deps.css, 'block');
        header.after(mount.host);
        const link: AdminLink =
          page.kind === 'customer-detail'
            ? { kind: 'customer', storeHandle: page.storeHandle, customerId: page.customerId }
            : { kind: 'order', storeHandle: page.storeHandle, orderId: page.orderId };
        card = { key, link, mount };
        cardFresh = true;
        if (link.kind === 'customer') {
          if (viewFor(link.storeHandle, link.customerId) === null) want(needCustomers, link.storeHandle, link.customerId);
        } else if (!orderAnswer(link.storeHandle, link.orderId)) {
          want(needOrders, link.storeHandle, link.orderId);
        }
      }
    } else {
      removeCard();
    }

    if (waitingForOrder && cardOrder) want(needOrders, cardOrder.storeHandle, cardOrder.orderId);

    // All ids this pass found go out in one lookup per store before the badge hosts are made: the background reads
    // IndexedDB while this page builds 50 shadow roots, instead of after.
    const answers = needCustomers.size > 0 || needOrders.size > 0 ? fetchAnswers(needCustomers, needOrders) : null;
    for (const [a, p] of planned) {
      const mount = createShadowHost(doc, BADGE_HOST_TAG, deps.css, 'inline');
      const entry: BadgeEntry = { ...p, anchor: a, mount };
      // Rows re-created with the answer and name in memory go straight into the customer cell. Otherwise the badge waits
      // hidden by the order link until the name is read, so it does not show there and then jump into the cell.
      if (!(p.wantsCell && placeInCell(entry))) {
        if (p.wantsCell && deps.customerNames) mount.host.hidden = true;
        a.after(mount.host);
      }
      badges.set(a, entry);
      fresh.push(entry);
    }

    // First paint from memory, then once more when the background answers. The "loading" placeholder waits for the
    // next frame: an answer that comes before it (the usual case) means one render per badge instead of two.
    for (const e of fresh) {
      if (viewForLink(e.link)) renderBadge(e, s);
      else showLoadingNextFrame(e, s);
    }
    if (card && cardFresh) renderCard(card);
    if (!answers) {
      if (fresh.some((e) => e.wantsCell)) await moveToCustomerCells();
      return deps.href() === href ? 'done' : 'restart';
    }
    await answers;
    // Order answers may name customers we still have to ask for.
    const second = new Map<string, Set<string>>();
    for (const e of [...badges.values(), ...(card ? [card] : [])]) {
      if (e.link.kind !== 'order') continue;
      const cid = orderAnswer(e.link.storeHandle, e.link.orderId)?.customerId;
      if (cid && viewFor(e.link.storeHandle, cid) === null) want(second, e.link.storeHandle, cid);
    }
    if (second.size > 0) await fetchAnswers(second, new Map());
    for (const e of badges.values()) {
      if (e.mount.host.isConnected && e.mount.host.getAttribute('data-state') === 'loading') renderBadge(e, s);
    }
    if (card && card.mount.host.getAttribute('data-state') === 'loading') renderCard(card);
    await moveToCustomerCells();
    // Customer links that waited for the order's answer are looked at again now that it is known.
    if (waitingForOrder && cardOrder && orderAnswer(cardOrder.storeHandle, cardOrder.orderId)) return 'restart';
    if (card && card.link.kind === 'order' && cardFresh && orderAnswer(card.link.storeHandle, card.link.orderId)?.customerId) return 'restart';
    return deps.href() === href ? 'done' : 'restart';
  }

  /** Moves an order-link badge into its row's customer cell when the answer and name are known; whether it did. */
  function placeInCell(e: BadgeEntry): boolean {
    if (!e.wantsCell || e.link.kind !== 'order') return false;
    const customerId = orderAnswer(e.link.storeHandle, e.link.orderId)?.customerId;
    const name = customerId ? names.get(`${e.link.storeHandle}:${customerId}`) : null;
    const row = name ? rowOf(e.anchor) : null;
    const target = row && name ? customerCellTarget(row, e.anchor, name) : null;
    if (!target) return false;
    e.mount.host.hidden = false;
    if (target.inside) {
      if (e.mount.host.parentElement !== target.el) target.el.append(e.mount.host);
    } else if (target.el.nextElementSibling !== e.mount.host) {
      target.el.after(e.mount.host);
    }
    return true;
  }

  /** Reads the names of order rows' customers (live, at most 50 a request) and moves their badges into the cells. */
  async function moveToCustomerCells(): Promise<void> {
    if (!deps.customerNames) return;
    const waiting = () => [...badges.values()].filter((e) => e.wantsCell && e.mount.host.isConnected);
    const need = new Map<string, Set<string>>();
    for (const e of waiting()) {
      const customerId = orderAnswer(e.link.storeHandle, (e.link as Extract<AdminLink, { kind: 'order' }>).orderId)?.customerId;
      if (customerId && !names.has(`${e.link.storeHandle}:${customerId}`)) {
        let set = need.get(e.link.storeHandle);
        if (!set) need.set(e.link.storeHandle, (set = new Set()));
        set.add(customerId);
      }
    }
    for (const [storeHandle, ids] of need) {
      const all = [...ids];
      for (let i = 0; i < all.length; i += 50) {
        const chunk = all.slice(i, i + 50);
        let got: Record<string, string> = {};
        try {
          got = await deps.customerNames(storeHandle, chunk);
        } catch (error) {
          deps.onError?.(error);
        }
        // Unknown names are remembered as such: the badge stays by the order link, with no request per scan.
        for (const id of chunk) names.set(`${storeHandle}:${id}`, got[id] ?? null);
      }
    }
    // Badges made while the names were on their way (a rescan) are placed too; a guest order, an unknown order or a
    // name no cell reads leaves the badge by the order link, shown now.
    for (const e of waiting()) if (!placeInCell(e)) e.mount.host.hidden = false;
  }

  async function scan(): Promise<void> {
    try {
      // A router that keeps changing the URL cannot keep the scanner busy forever.
      for (let pass = 0; pass < 5; pass++) {
        if ((await scanOnce(deps.href())) === 'done') return;
      }
    } catch (error) {
      deps.onError?.(error);
    }
  }

  /** The customer an entry shows, as far as known (an order entry's customer comes from its order answer). */
  function customerOf(e: BadgeEntry | CardEntry): string | null {
    if (e.link.kind === 'customer') return e.link.customerId;
    return orderAnswers.get(`${e.link.storeHandle}:${e.link.orderId}`)?.customerId ?? null;
  }

  async function update(storeHandle: string, customerIds: readonly string[] | 'all'): Promise<void> {
    try {
      const wanted = customerIds === 'all' ? null : new Set(customerIds);
      const ids = new Set<string>();
      const shows = (e: BadgeEntry | CardEntry): boolean => {
        if (e.link.storeHandle !== storeHandle || !e.mount.host.isConnected) return false;
        const id = customerOf(e);
        if (id === null || (wanted && !wanted.has(id))) return false;
        ids.add(id);
        return true;
      };
      const affectedBadges = new Map([...badges].filter(([, e]) => shows(e)));
      const affectedCard = card && shows(card) ? card : null;
      if (ids.size === 0) return;
      // The old answers stay on screen until the new ones arrive: no flash of "loading".
      await fetchAnswers(new Map([[storeHandle, ids]]), new Map());
      const s = await settings();
      for (const [a, e] of affectedBadges) if (badges.get(a) === e && e.mount.host.isConnected) renderBadge(e, s);
      if (affectedCard && card === affectedCard && card.mount.host.isConnected) renderCard(card);
    } catch (error) {
      deps.onError?.(error);
    }
  }

  return {
    scan,
    update,
    roots: () => knownRoots,
    shownStore() {
      for (const e of badges.values()) if (e.mount.host.isConnected) return e.link.storeHandle;
      return card?.mount.host.isConnected ? card.link.storeHandle : null;
    },
    async refresh() {
      customerAnswers.clear();
      orderAnswers.clear();
      names.clear();
      settingsCache = null;
      for (const [a, e] of badges) removeBadge(a, e);
      removeCard();
      await scan();
    },
    destroy() {
      for (const [a, e] of badges) removeBadge(a, e);
      removeCard();
    },
  };
}

/**
 * Watches the page for rows added later and SPA navigations and runs `scan`, coalesced: mutations during a running
 * scan (the admin rendering in several commits) queue exactly one more scan after it, so a burst costs two scans
 * and a single new row is handled at once, with no timer delay. Mutations that only add or remove our own hosts are
 * ignored. Mutations inside a shadow root do not reach an observer on the document, so each open shadow root that
 * `roots` reports after a scan is observed too.
 */
export function watchPage(
  doc: Document,
  scan: () => Promise<void>,
  roots: () => readonly (Document | ShadowRoot)[] = () => [],
): { trigger: () => void; disconnect: () => void } {
  let running = false;
  let again = false;
  let stopped = false;
  const observed = new WeakSet<Node>();
  const observeRoots = () => {
    for (const root of roots()) {
      if (root === doc || observed.has(root)) continue;
      observed.add(root);
      observer.observe(root, OPTIONS);
    }
  };
  const run = async () => {
    running = true;
    try {
      do {
        again = false;
        await scan();
        if (!stopped) observeRoots();
      } while (again && !stopped);
    } finally {
      running = false;
    }
  };
  const trigger = () => {
    if (stopped) return;
    if (running) again = true;
    else void run();
  };
  const observer = new MutationObserver((records) => {
    const relevant = records.some(
      (r) => r.type === 'attributes' || [...r.addedNodes].some((n) => !isOwnHost(n)) || [...r.removedNodes].some((n) => !isOwnHost(n)),
    );
    if (relevant) trigger();
  });
  const OPTIONS: MutationObserverInit = { childList: true, subtree: true, attributes: true, attributeFilter: ['href'] };
  observer.observe(doc.body ?? doc.documentElement, OPTIONS);
  observeRoots();
  return {
    trigger,
    disconnect: () => {
      stopped = true;
      observer.disconnect();
    },
  };
}
