/**
 * Reading the Shopify admin's page: rows, cells, the detail page's header and customer section, and the open shadow
 * roots the admin renders into. Only ARIA and HTML structure and visible text are used, never the admin's hashed
 * class names. Read-only: nothing here changes the page.
 */
import { parseAdminLink } from '../utils/admin-urls.ts';
import { isOwnHost } from './shadow-host.ts';

/** The row an anchor belongs to, by ARIA/HTML structure (never by the admin's hashed class names). */
export function rowOf(a: Element): Element | null {
  return composedClosest(a, 'tr, [role="row"], li');
}

/** The links in an element, including those inside open shadow roots of its descendants (the admin's chips). */
export function deepLinks(el: Element): HTMLAnchorElement[] {
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
export const NO_BADGE_ZONE = '#PolarisPortalsContainer, [data-portal-id], [role="dialog"], [role="tooltip"], [role="menu"], [popover]';

/** The parent across shadow boundaries: an element's parent, or the host of the shadow root it sits in. */
function composedParent(el: Element): Element | null {
  if (el.parentElement) return el.parentElement;
  const root = el.parentNode;
  return root && 'host' in root ? (root as ShadowRoot).host : null;
}

/** `closest` that also looks past shadow roots to their hosts (a link inside a web component inside a portal). */
export function composedClosest(el: Element, selector: string): Element | null {
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
