import { render } from 'preact';
import { CustomerCard } from '../components/CustomerCard.tsx';
import type { AdminLink, AdminPage } from '../utils/admin-urls.ts';
import { want, type Answers, type IdsByStore } from './answers.ts';
import { customerSection, headerAnchor } from './page-dom.ts';
import { CARD_HOST_TAG, createShadowHost, type ShadowMount } from './shadow-host.ts';

/** The card on a customer or order page: the subject it describes and the shadow host it is drawn in. */
export interface CardEntry {
  key: string;
  link: AdminLink;
  mount: ShadowMount;
}

export interface DetailCardDeps {
  doc: Document;
  css: string;
  nowMs: () => number;
  answers: Answers;
  /** Runs `fn`, reporting what it throws (the page must never break). */
  safe: (fn: () => void) => void;
}

/** The card of a detail page (see {@link createDetailCard}). */
export interface DetailCard {
  /** The card on the page, or null. */
  current(): CardEntry | null;
  /**
   * Puts the card of a customer or order page in its place (a new one when the subject changed or the page dropped
   * it), asking in `need` for what it shows; true when the card was made now and still has to be drawn.
   */
  place(
    page: Extract<AdminPage, { kind: 'customer-detail' | 'order-detail' }>,
    roots: readonly (Document | ShadowRoot)[],
    href: string,
    need: { customers: IdsByStore; orders: IdsByStore },
  ): boolean;
  /** Draws the card from what is known (a "loading" card when its answer is not in). */
  render(): void;
  remove(): void;
}

/** The detail card: where it goes on a customer or order page, and its drawing. */
export function createDetailCard(deps: DetailCardDeps): DetailCard {
  const { answers, safe } = deps;
  let card: CardEntry | null = null;

  function remove(): void {
    if (!card) return;
    const c = card;
    card = null;
    safe(() => render(null, c.mount.container));
    c.mount.host.remove();
  }

  return {
    current: () => card,
    place(page, roots, href, need) {
      const key = page.kind === 'customer-detail' ? `c:${page.storeHandle}:${page.customerId}` : `o:${page.storeHandle}:${page.orderId}`;
      // On an order page the card describes the order's customer, so it sits with the customer section (after it, in
      // the same column), not above the order's status and items; below the header until that section is rendered.
      const header =
        (page.kind === 'order-detail' ? customerSection(roots, href, answers.orderAnswer(page.storeHandle, page.orderId)?.customerId ?? null) : null) ??
        headerAnchor(roots);
      if (card && (card.key !== key || !card.mount.host.isConnected)) remove();
      if (card && header && card.mount.host.previousElementSibling !== header) {
        // The anchor moved or the content arrived after the card was placed: keep the card right after it.
        header.after(card.mount.host);
      }
      if (card || !header) return false;
      const mount = createShadowHost(deps.doc, CARD_HOST_TAG, deps.css, 'block');
      header.after(mount.host);
      const link: AdminLink =
        page.kind === 'customer-detail'
          ? { kind: 'customer', storeHandle: page.storeHandle, customerId: page.customerId }
          : { kind: 'order', storeHandle: page.storeHandle, orderId: page.orderId };
      card = { key, link, mount };
      if (link.kind === 'customer') {
        if (answers.viewFor(link.storeHandle, link.customerId) === null) want(need.customers, link.storeHandle, link.customerId);
      } else if (!answers.orderAnswer(link.storeHandle, link.orderId)) {
        want(need.orders, link.storeHandle, link.orderId);
      }
      return true;
    },
    render() {
      if (!card) return;
      const entry = card;
      const view = answers.viewForLink(entry.link) ?? { state: 'loading' };
      entry.mount.host.setAttribute('data-state', view.state);
      safe(() =>
        render(<CustomerCard view={view} nowMs={deps.nowMs()} subject={entry.link.kind} storeHandle={entry.link.storeHandle} />, entry.mount.container),
      );
    },
    remove,
  };
}
