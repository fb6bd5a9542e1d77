import type { BadgeSettings, LookupResult, ResponseMap } from '../messages/protocol.ts';
import { parseAdminPage } from '../utils/admin-urls.ts';
import { createAnswers, want, type IdsByStore } from './answers.ts';
import { createBadgeLayer, type BadgeEntry } from './badges.tsx';
import { createDetailCard, type CardEntry } from './detail-card.tsx';
import { openRoots } from './page-dom.ts';
import { isOwnHost } from './shadow-host.ts';

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

/**
 * The content script's scanner: composes the page's answers (answers.ts), its list badges (badges.tsx) and its
 * detail card (detail-card.tsx), and runs the passes over the page that keep them in step with it.
 */
export function createScanner(deps: ScannerDeps): Scanner {
  const { doc } = deps;
  const safe = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      deps.onError?.(error);
    }
  };
  const answers = createAnswers(deps);
  const nextFrame = deps.nextFrame ?? ((fn: () => void) => (doc.defaultView?.requestAnimationFrame ? doc.defaultView.requestAnimationFrame(() => fn()) : fn()));
  const badges = createBadgeLayer({ doc, css: deps.css, nowMs: deps.nowMs, answers, nextFrame, safe, readsNames: deps.customerNames !== undefined });
  const card = createDetailCard({ doc, css: deps.css, nowMs: deps.nowMs, answers, safe });
  // Which badges a link gets depends on the page: after a navigation every link is looked at again.
  let lastPageHref = '';
  // The document and the open shadow roots seen by the last scan (the watcher observes each one).
  let knownRoots: (Document | ShadowRoot)[] = [doc];
  let settingsCache: Promise<BadgeSettings> | null = null;
  const settings = () => (settingsCache ??= deps.settings());

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
      badges.removeAll();
      card.remove();
      lastPageHref = href;
      return 'done';
    }
    const s = await settings();
    if (deps.href() !== href) return 'restart';
    const need: { customers: IdsByStore; orders: IdsByStore } = { customers: new Map(), orders: new Map() };

    badges.dropDetached();
    const roots = openRoots(doc);
    knownRoots = roots;
    // On an order page with its card, the card shows the order's customer: that customer's own link (the sidebar's)
    // gets no second badge. Until the order's answer is known, customer links wait (no badge that flashes and goes).
    const cardOrder = page.kind === 'order-detail' && s.showDetailCard ? page : null;
    let plan = null;
    if (s.showListBadges) {
      const cardOrderAnswer = cardOrder ? { storeHandle: cardOrder.storeHandle, answer: answers.orderAnswer(cardOrder.storeHandle, cardOrder.orderId) } : null;
      plan = badges.plan(roots, href, page, href === lastPageHref, cardOrderAnswer, need);
    } else {
      badges.removeAll();
    }
    lastPageHref = href;
    const waitingForOrder = plan?.waitingForOrder ?? false;

    let cardFresh = false;
    if ((page.kind === 'customer-detail' || page.kind === 'order-detail') && s.showDetailCard) cardFresh = card.place(page, roots, href, need);
    else card.remove();

    if (waitingForOrder && cardOrder) want(need.orders, cardOrder.storeHandle, cardOrder.orderId);

    // All ids this pass found go out in one lookup per store before the badge hosts are made: the background reads
    // IndexedDB while this page builds 50 shadow roots, instead of after.
    const asked = need.customers.size > 0 || need.orders.size > 0 ? answers.fetch(need.customers, need.orders) : null;
    const fresh = plan ? badges.mount(plan.planned) : [];

    // First paint from memory, then once more when the background answers.
    badges.paint(fresh, s);
    if (cardFresh) card.render();
    if (!asked) {
      if (fresh.some((e) => e.wantsCell)) await badges.moveToCustomerCells();
      return deps.href() === href ? 'done' : 'restart';
    }
    await asked;
    // Order answers may name customers we still have to ask for.
    const second: IdsByStore = new Map();
    const shown = card.current();
    for (const e of [...badges.entries(), ...(shown ? [shown] : [])]) {
      if (e.link.kind !== 'order') continue;
      const cid = answers.orderAnswer(e.link.storeHandle, e.link.orderId)?.customerId;
      if (cid && answers.viewFor(e.link.storeHandle, cid) === null) want(second, e.link.storeHandle, cid);
    }
    if (second.size > 0) await answers.fetch(second, new Map());
    badges.renderLoading(s);
    const now = card.current();
    if (now && now.mount.host.getAttribute('data-state') === 'loading') card.render();
    await badges.moveToCustomerCells();
    // Customer links that waited for the order's answer are looked at again now that it is known.
    if (waitingForOrder && cardOrder && answers.orderAnswer(cardOrder.storeHandle, cardOrder.orderId)) return 'restart';
    const after = card.current();
    if (after && after.link.kind === 'order' && cardFresh && answers.orderAnswer(after.link.storeHandle, after.link.orderId)?.customerId) return 'restart';
    return deps.href() === href ? 'done' : 'restart';
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

  async function update(storeHandle: string, customerIds: readonly string[] | 'all'): Promise<void> {
    try {
      const wanted = customerIds === 'all' ? null : new Set(customerIds);
      const ids = new Set<string>();
      const shows = (e: BadgeEntry | CardEntry): boolean => {
        if (e.link.storeHandle !== storeHandle || !e.mount.host.isConnected) return false;
        const id = answers.customerOf(e.link);
        if (id === null || (wanted && !wanted.has(id))) return false;
        ids.add(id);
        return true;
      };
      const affectedBadges = [...badges.entries()].filter(shows);
      const shown = card.current();
      const affectedCard = shown && shows(shown) ? shown : null;
      if (ids.size === 0) return;
      // The old answers stay on screen until the new ones arrive: no flash of "loading".
      await answers.fetch(new Map([[storeHandle, ids]]), new Map());
      const s = await settings();
      for (const e of affectedBadges) if (badges.get(e.anchor) === e && e.mount.host.isConnected) badges.render(e, s);
      if (affectedCard && card.current() === affectedCard && affectedCard.mount.host.isConnected) card.render();
    } catch (error) {
      deps.onError?.(error);
    }
  }

  return {
    scan,
    update,
    roots: () => knownRoots,
    shownStore() {
      for (const e of badges.entries()) if (e.mount.host.isConnected) return e.link.storeHandle;
      const shown = card.current();
      return shown?.mount.host.isConnected ? shown.link.storeHandle : null;
    },
    async refresh() {
      answers.clear();
      settingsCache = null;
      badges.removeAll();
      card.remove();
      await scan();
    },
    destroy() {
      badges.removeAll();
      card.remove();
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
