/// <reference lib="dom" />
/**
 * The dashboard's "VIPs slipping" card (issue 16): a Preact component of the dashboard's client (bundled by
 * vite.config.ts). It gets everything it uses from its caller (the translator, the request function, the shop); names
 * and reasons are text children, never markup.
 */
import type { VipSlippingV1 } from '@clvlens/core';
import { churnReasonText, type Translator } from '@clvlens/core/i18n';
import { h as createElement, type ComponentChild, type ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

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

const TIER_TONE: Record<string, string> = { high: 'critical', medium: 'attention', low: 'success' };

/** A Preact element, written like the DOM it becomes; string children are text, never markup. */
const el = (tag: string, attrs: Record<string, unknown> = {}, ...children: ComponentChildren[]) => createElement(tag, attrs, ...children);

/** The card's input: the data and what it needs from the dashboard. */
export interface VipCardProps extends VipCardDeps {
  vip: VipSlippingV1;
}

/**
 * The card: what counts as a VIP (the bar in money), this week's count against last week's and the value at risk,
 * then the slipping VIPs (newest first) with their tier change, when, why and their value before the change, each
 * linking to the customer in the Shopify admin. Names are asked of `/app/api/customer-names` once the card is shown
 * (read live from Shopify, never stored); until then, or if that fails, a customer shows as "Customer <id>".
 */
export function VipCard({ vip, tr, request, shopDomain, timeZone }: VipCardProps): ComponentChild {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    void fetchCustomerNames(
      vip.customers.map((c) => c.customerId),
      request,
    ).then((found) => live && setNames(found));
    return () => {
      live = false;
    };
  }, [vip, request]);
  const s = vip.summary;
  const handle = shopDomain.replace(/\.myshopify\.com$/, '');
  const kpi = (label: string, value: string, testId: string) =>
    el('div', { class: 'kpi' }, el('span', { class: 'label' }, label), el('span', { class: 'value', 'data-testid': testId }, value));
  const rows = vip.customers.map((c) => {
    const name = names.get(c.customerId);
    const link = el(
      'a',
      {
        href: `https://admin.shopify.com/store/${encodeURIComponent(handle)}/customers/${encodeURIComponent(c.customerId)}`,
        target: '_top',
        'data-customer-id': c.customerId,
        'data-named': name === undefined ? undefined : '',
      },
      name ?? tr.t('dash.atRisk.unnamed', { id: c.customerId }),
    );
    const change = el(
      'span',
      { class: 'pill', 'data-tone': TIER_TONE[c.newTier] },
      tr.t('dash.vip.change', { from: tr.t(`tier.${c.oldTier}`), to: tr.t(`tier.${c.newTier}`) }),
    );
    return el(
      'tr',
      { key: c.customerId, 'data-customer-id': c.customerId },
      el('th', { scope: 'row' }, link),
      el('td', {}, change),
      el('td', {}, tr.t('dash.vip.when', { date: tr.date(c.changedAtMs, timeZone), time: tr.time(c.changedAtMs, timeZone) })),
      el('td', { class: 'why-cell' }, el('ul', { class: 'reasons' }, ...c.reasons.map((r, i) => el('li', { key: i }, churnReasonText(tr, r))))),
      el('td', { class: 'num' }, tr.money(c.previousPredictedClvMinor, vip.currency)),
    );
  });
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
