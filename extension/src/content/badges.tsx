import { render } from 'preact';
import { Badge } from '../components/Badge.tsx';
import type { BadgeSettings } from '../messages/protocol.ts';
import { parseAdminLink, type AdminLink, type AdminPage } from '../utils/admin-urls.ts';
import { want, type Answers, type IdsByStore, type OrderAnswer } from './answers.ts';
import { composedClosest, customerCellTarget, deepLinks, NO_BADGE_ZONE, rowOf } from './page-dom.ts';
import { BADGE_HOST_TAG, createShadowHost, type ShadowMount } from './shadow-host.ts';

/** One badge on the page: the link it describes and the shadow host it is drawn in. */
export interface BadgeEntry {
  key: string;
  anchor: HTMLAnchorElement;
  /** The href attribute the entry was made from, to skip unchanged links without parsing them again. */
  href: string;
  link: AdminLink;
  mount: ShadowMount;
  /** An order link whose row has no customer link: the badge moves to the row's customer cell once it is found. */
  wantsCell?: boolean;
}

/** A link that gets a new badge in this pass; its host is made by {@link BadgeLayer.mount}. */
export type PlannedBadge = Omit<BadgeEntry, 'anchor' | 'mount'>;

/** What a pass found for the list badges: new badges to make, and whether customer links waited for the order. */
export interface BadgePlan {
  planned: Map<HTMLAnchorElement, PlannedBadge>;
  /** Customer links left without a badge until the order page's answer says whose order it is. */
  waitingForOrder: boolean;
}

export interface BadgeLayerDeps {
  doc: Document;
  css: string;
  nowMs: () => number;
  answers: Answers;
  /** Runs `fn` before the next frame is drawn. */
  nextFrame: (fn: () => void) => void;
  /** Runs `fn`, reporting what it throws (the page must never break). */
  safe: (fn: () => void) => void;
  /** Whether display names can be read live: without them an order row's badge stays by the order link. */
  readsNames: boolean;
}

/** The badges of one page (see {@link createBadgeLayer}). */
export interface BadgeLayer {
  entries(): IterableIterator<BadgeEntry>;
  /** The entry of a link, if it has a badge. */
  get(anchor: HTMLAnchorElement): BadgeEntry | undefined;
  /** Removes the badges whose link left the page or whose host the page removed. */
  dropDetached(): void;
  /**
   * Looks at every link in `roots` (only those whose href changed when `samePage`) and plans the badges the page
   * lacks, removing those it no longer wants; the ids to ask for go into `need`. `cardOrder`: on an order page with
   * its card, the order, whose customer's own link gets no second badge.
   */
  plan(
    roots: readonly (Document | ShadowRoot)[],
    href: string,
    page: AdminPage,
    samePage: boolean,
    cardOrder: { storeHandle: string; answer: OrderAnswer | undefined } | null,
    need: { customers: IdsByStore; orders: IdsByStore },
  ): BadgePlan;
  /** Makes the hosts of planned badges and puts them on the page; returns the new entries. */
  mount(planned: Map<HTMLAnchorElement, PlannedBadge>): BadgeEntry[];
  /** Draws a badge from what is known (a "loading" badge when its answer is not in). */
  render(entry: BadgeEntry, s: BadgeSettings): void;
  /** First paint of new badges: from memory, else a "loading" placeholder drawn before the next frame. */
  paint(fresh: readonly BadgeEntry[], s: BadgeSettings): void;
  /** Draws again every badge still showing "loading" (after the background answered). */
  renderLoading(s: BadgeSettings): void;
  /** Reads the names of order rows' customers and moves their badges into the rows' customer cells. */
  moveToCustomerCells(): Promise<void>;
  remove(anchor: HTMLAnchorElement, entry: BadgeEntry): void;
  removeAll(): void;
}

/**
 * The list badges of the page: which links get one (one per customer per row, none for the customer a card shows),
 * their shadow hosts, their drawing, and, on an order list whose customer cell is plain text, the move into that cell.
 */
export function createBadgeLayer(deps: BadgeLayerDeps): BadgeLayer {
  const { answers, safe } = deps;
  const badges = new Map<HTMLAnchorElement, BadgeEntry>();
  // Links already seen that need no badge, with the href they had (a changed href is looked at again).
  const ignored = new WeakMap<HTMLAnchorElement, string>();
  // Badges waiting for their answer whose "loading" placeholder is not drawn yet (see showLoadingNextFrame).
  const loadingLater = new Set<BadgeEntry>();
  let loadingFrame = false;

  function renderBadge(entry: BadgeEntry, s: BadgeSettings): void {
    loadingLater.delete(entry);
    const view = answers.viewForLink(entry.link) ?? { state: 'loading' };
    entry.mount.host.setAttribute('data-state', view.state);
    safe(() => render(<Badge view={view} fields={s.fields} nowMs={deps.nowMs()} />, entry.mount.container));
  }

  /** Marks a new badge as loading now and draws its placeholder before the next frame, if its answer is not in. */
  function showLoadingNextFrame(entry: BadgeEntry, s: BadgeSettings): void {
    entry.mount.host.setAttribute('data-state', 'loading');
    loadingLater.add(entry);
    if (loadingFrame) return;
    loadingFrame = true;
    deps.nextFrame(() => {
      loadingFrame = false;
      const due = [...loadingLater];
      loadingLater.clear();
      for (const e of due) {
        if (badges.get(e.anchor) === e && e.mount.host.isConnected && e.mount.host.getAttribute('data-state') === 'loading') renderBadge(e, s);
      }
    });
  }

  function remove(a: HTMLAnchorElement, entry: BadgeEntry): void {
    safe(() => render(null, entry.mount.container));
    entry.mount.host.remove();
    badges.delete(a);
  }

  /** Moves an order-link badge into its row's customer cell when the answer and name are known; whether it did. */
  function placeInCell(e: BadgeEntry): boolean {
    if (!e.wantsCell || e.link.kind !== 'order') return false;
    const customerId = answers.orderAnswer(e.link.storeHandle, e.link.orderId)?.customerId;
    const name = customerId ? answers.nameOf(e.link.storeHandle, customerId) : null;
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

  return {
    entries: () => badges.values(),
    get: (anchor) => badges.get(anchor),
    dropDetached() {
      for (const [a, e] of badges) {
        if (!a.isConnected || !e.mount.host.isConnected) remove(a, e);
      }
    },
    plan(roots, href, page, samePage, cardOrder, need) {
      const planned = new Map<HTMLAnchorElement, PlannedBadge>();
      let waitingForOrder = false;
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
            if (cardOrder.answer === undefined) {
              wanted = false;
              waitingForOrder = true;
            } else if (cardOrder.answer.customerId === link.customerId) {
              wanted = false;
            }
          }

          if (!link || !wanted) {
            if (existing) remove(a, existing);
            // Order links depend on their row (a customer link may arrive later): only cache plain non-links.
            if (!link) ignored.set(a, rawHref);
            continue;
          }
          const key = link.kind === 'customer' ? `c:${link.storeHandle}:${link.customerId}` : `o:${link.storeHandle}:${link.orderId}`;
          if (existing?.key === key) continue;
          if (existing) remove(a, existing);
          if (row) {
            let m = rowBadges().get(row);
            if (!m) rowBadges().set(row, (m = new Map()));
            const other = m.get(key);
            if (other && other !== a && (badges.has(other) || planned.has(other))) {
              if (other.getAttribute('data-primary-link') === 'true' || a.getAttribute('data-primary-link') !== 'true') continue;
              if (planned.has(other)) planned.delete(other);
              else remove(other, badges.get(other)!);
            }
            m.set(key, a);
          }
          // An order row without a customer link names its customer in plain text: the badge belongs in that cell.
          planned.set(a, { key, href: rawHref, link, ...(link.kind === 'order' ? { wantsCell: true } : {}) });
          if (link.kind === 'order') {
            if (!answers.orderAnswer(link.storeHandle, link.orderId)) want(need.orders, link.storeHandle, link.orderId);
          } else if (answers.viewFor(link.storeHandle, link.customerId) === null) {
            want(need.customers, link.storeHandle, link.customerId);
          }
        }
      }
      return { planned, waitingForOrder };
    },
    mount(planned) {
      const fresh: BadgeEntry[] = [];
      for (const [a, p] of planned) {
        const mount = createShadowHost(deps.doc, BADGE_HOST_TAG, deps.css, 'inline');
        const entry: BadgeEntry = { ...p, anchor: a, mount };
        // Rows re-created with the answer and name in memory go straight into the customer cell. Otherwise the badge
        // waits hidden by the order link until the name is read, so it does not show there and then jump into the cell.
        if (!(p.wantsCell && placeInCell(entry))) {
          if (p.wantsCell && deps.readsNames) mount.host.hidden = true;
          a.after(mount.host);
        }
        badges.set(a, entry);
        fresh.push(entry);
      }
      return fresh;
    },
    render: renderBadge,
    paint(fresh, s) {
      // The "loading" placeholder waits for the next frame: an answer that comes before it (the usual case) means one
      // render per badge instead of two.
      for (const e of fresh) {
        if (answers.viewForLink(e.link)) renderBadge(e, s);
        else showLoadingNextFrame(e, s);
      }
    },
    renderLoading(s) {
      for (const e of badges.values()) {
        if (e.mount.host.isConnected && e.mount.host.getAttribute('data-state') === 'loading') renderBadge(e, s);
      }
    },
    async moveToCustomerCells() {
      if (!deps.readsNames) return;
      const waiting = () => [...badges.values()].filter((e) => e.wantsCell && e.mount.host.isConnected);
      const need: IdsByStore = new Map();
      for (const e of waiting()) {
        const customerId = answers.orderAnswer(e.link.storeHandle, (e.link as Extract<AdminLink, { kind: 'order' }>).orderId)?.customerId;
        if (customerId && answers.nameOf(e.link.storeHandle, customerId) === undefined) want(need, e.link.storeHandle, customerId);
      }
      await answers.fetchNames(need);
      // Badges made while the names were on their way (a rescan) are placed too; a guest order, an unknown order or a
      // name no cell reads leaves the badge by the order link, shown now.
      for (const e of waiting()) if (!placeInCell(e)) e.mount.host.hidden = false;
    },
    remove,
    removeAll() {
      for (const [a, e] of badges) remove(a, e);
    },
  };
}
