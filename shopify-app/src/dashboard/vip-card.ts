/// <reference lib="dom" />
/**
 * The dashboard's "VIPs slipping" card (issue 16), in the browser, bundled with the client (vite.config.ts). It gets everything it uses
 * from its caller (the translator, the request function, the shop), and builds every element with createElement +
 * textContent: names and reasons are data, never markup.
 */
import type { TierChangeReasonV1, VipSlippingV1 } from '@clvlens/core';
import type { Translator } from '@clvlens/core/i18n';

/** What the card needs from the dashboard. */
export interface VipCardDeps {
  tr: Translator;
  /** GET a JSON path of the app with the session token. */
  request(path: string): Promise<{ status: number; body: unknown }>;
  /** `<handle>.myshopify.com`, for the admin links. */
  shopDomain: string;
  /** The shop's time zone, for "when". */
  timeZone: string;
}

/**
 * Customers' names by id, read live from Shopify through the app (`/app/api/customer-names`, never stored); the ids it
 * could not name are left out, and a failed request names nobody.
 */
export async function fetchCustomerNames(ids: readonly string[], request: VipCardDeps['request']): Promise<ReadonlyMap<string, string>> {
  const found = new Map<string, string>();
  if (ids.length === 0) return found;
  try {
    const res = await request(`/app/api/customer-names?ids=${ids.map(encodeURIComponent).join(',')}`);
    if (res.status !== 200) return found;
    const names = (res.body as { names?: Record<string, unknown> } | null)?.names ?? {};
    for (const id of ids) {
      const name = names[id];
      if (typeof name === 'string' && name.trim() !== '') found.set(id, name);
    }
  } catch {
    // Names are a courtesy: "Customer <id>" stays.
  }
  return found;
}

/**
 * Replaces each link's text (a customer id) with the customer's name, read live from Shopify through the app and never
 * stored; a link keeps its id when the name cannot be read. Shared by this card and the dashboard's at-risk list.
 */
export function nameCustomerLinks(links: ReadonlyMap<string, HTMLElement>, request: VipCardDeps['request']): void {
  void fetchCustomerNames([...links.keys()], request).then((names) => {
    for (const [id, name] of names) {
      const link = links.get(id);
      if (!link) continue;
      link.textContent = name;
      link.setAttribute('data-named', '');
    }
  });
}

const TIER_TONE: Record<string, string> = { high: 'critical', medium: 'attention', low: 'success' };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: (Node | string | null)[]) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) node.setAttribute(name, value);
  for (const child of children) if (child !== null) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

/** One reason in the viewer's words (the catalog's reason messages, shared with the extension's card). */
export function reasonText(tr: Translator, reason: TierChangeReasonV1): string {
  switch (reason.code) {
    case 'one-order':
      return tr.t('ext.reason.oneOrder', { days: reason.days });
    case 'no-second-order':
      return tr.t('ext.reason.noSecond', { ratio: tr.number(reason.ratio, 1), days: reason.days });
    case 'overdue':
      return tr.t('ext.reason.ratio', { ratio: tr.number(reason.ratio, 1) });
    case 'within-gap':
      return tr.t('ext.reason.withinGap', { days: reason.days });
    case 'cadence':
      return tr.t('ext.reason.cadence', { orders: reason.orders, gap: reason.gapDays });
    case 'fallback':
      return tr.t('ext.reason.fallback');
  }
}

/**
 * The card: what counts as a VIP (the bar in money), this week's count against last week's and the value at risk,
 * then the slipping VIPs (newest first) with their tier change, when, why and their value before the change, each
 * linking to the customer in the Shopify admin. Names are asked of `/app/api/customer-names` once the card is built
 * (read live from Shopify, never stored); until then, or if that fails, a customer shows as "Customer <id>".
 */
export function renderVipCard(vip: VipSlippingV1, deps: VipCardDeps): HTMLElement {
  const { tr } = deps;
  const s = vip.summary;
  const handle = deps.shopDomain.replace(/\.myshopify\.com$/, '');
  const links = new Map<string, HTMLAnchorElement>();
  const kpi = (label: string, value: string, testId: string) =>
    el('div', { class: 'kpi' }, el('span', { class: 'label' }, label), el('span', { class: 'value', 'data-testid': testId }, value));
  const rows = vip.customers.map((c) => {
    const link = el(
      'a',
      {
        href: `https://admin.shopify.com/store/${encodeURIComponent(handle)}/customers/${encodeURIComponent(c.customerId)}`,
        target: '_top',
        'data-customer-id': c.customerId,
      },
      tr.t('dash.atRisk.unnamed', { id: c.customerId }),
    );
    if (!links.has(c.customerId)) links.set(c.customerId, link);
    const change = el(
      'span',
      { class: 'pill', 'data-tone': TIER_TONE[c.newTier] },
      tr.t('dash.vip.change', { from: tr.t(`tier.${c.oldTier}`), to: tr.t(`tier.${c.newTier}`) }),
    );
    return el(
      'tr',
      { 'data-customer-id': c.customerId },
      el('th', { scope: 'row' }, link),
      el('td', {}, change),
      el('td', {}, tr.t('dash.vip.when', { date: tr.date(c.changedAtMs, deps.timeZone), time: tr.time(c.changedAtMs, deps.timeZone) })),
      el('td', { class: 'why-cell' }, el('ul', { class: 'reasons' }, ...c.reasons.map((r) => el('li', {}, reasonText(tr, r))))),
      el('td', { class: 'num' }, tr.money(c.previousPredictedClvMinor, vip.currency)),
    );
  });
  nameCustomerLinks(links, deps.request);
  const explain =
    s.thresholdMinor === null
      ? tr.t('dash.vip.noBar')
      : tr.t('dash.vip.explain', { share: tr.percent(s.topShare, 0), threshold: tr.money(s.thresholdMinor, vip.currency), days: vip.windowDays });
  const head = ['dash.atRisk.col.customer', 'dash.vip.col.change', 'dash.vip.col.when', 'dash.vip.col.why', 'dash.vip.col.value'] as const;
  const caption = tr.t('dash.vip.caption');
  const body =
    rows.length === 0
      ? el('p', { class: 'muted', 'data-testid': 'vip-none' }, tr.t('dash.vip.none'))
      : el(
          'div',
          { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0' },
          el(
            'table',
            { class: 'vip-table' },
            el('caption', {}, caption),
            el('thead', {}, el('tr', {}, ...head.map((key, i) => el('th', { scope: 'col', class: i === head.length - 1 ? 'num' : undefined }, tr.t(key))))),
            el('tbody', {}, ...rows),
          ),
        );
  return el(
    'section',
    { class: 'card card--wide', id: 'vip-slipping', 'aria-labelledby': 'vip-slipping-title' },
    el('h2', { id: 'vip-slipping-title' }, tr.t('dash.vip.title')),
    el('p', { class: 'muted' }, explain),
    el(
      'div',
      { class: 'kpis' },
      kpi(tr.t('dash.vip.thisWeek'), tr.number(s.thisWeek), 'vip-this-week'),
      kpi(tr.t('dash.vip.lastWeek'), tr.number(s.lastWeek), 'vip-last-week'),
      kpi(tr.t('dash.vip.valueAtRisk'), tr.money(s.valueAtRiskMinor, vip.currency), 'vip-value-at-risk'),
    ),
    body,
    rows.length === 0 ? null : el('p', { class: 'muted' }, tr.t('dash.atRisk.namesNote')),
  );
}
