import type { ShopSummaryV1 } from '@clvlens/core';
import { useEffect, useState } from 'preact/hooks';
import type { DashboardDeps } from '../client/deps.ts';
import {
  formatChance,
  formatCount,
  formatMoney,
  h,
  numCell,
  pill,
  rowHeader,
  t,
  table,
  TIER_TONE,
  why,
  wideCard,
  WHY_DIFFERENT,
  type El,
} from '../client/ui.ts';
import { fetchCustomerNames } from './vip.ts';

/**
 * The valuable customers at risk, named: the names are asked from the app (which reads them live from Shopify's Admin
 * API and stores nothing) after the table is drawn, so the table never waits on Shopify; until then, or when that
 * fails, a customer shows as "Customer <id>".
 */
export function AtRisk({ summary, request }: { summary: ShopSummaryV1; request: DashboardDeps['request'] }): El {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    void fetchCustomerNames(
      summary.topAtRisk.map((c) => c.customerId),
      request,
    ).then((found) => live && setNames(found));
    return () => {
      live = false;
    };
  }, [summary, request]);
  const handle = summary.shopDomain.replace(/\.myshopify\.com$/, '');
  const rows = summary.topAtRisk.map((c) => {
    const name = names.get(c.customerId);
    const link = h(
      'a',
      {
        href: `https://admin.shopify.com/store/${encodeURIComponent(handle)}/customers/${encodeURIComponent(c.customerId)}`,
        target: '_top',
        'data-customer-id': c.customerId,
        'data-named': name === undefined ? undefined : '',
      },
      name ?? t('dash.atRisk.unnamed', { id: c.customerId }),
    );
    return [
      rowHeader(link),
      numCell(formatMoney(c.historicClvMinor, summary.currency)),
      numCell(formatChance(c.churnProbability)),
      h('td', {}, pill(t(`tier.${c.churnTier}`), TIER_TONE[c.churnTier])),
      numCell(c.daysSinceLastOrder === null ? '—' : formatCount(c.daysSinceLastOrder)),
    ];
  });
  return wideCard(
    'at-risk',
    t('dash.atRisk.title'),
    rows.length === 0
      ? h('p', { class: 'muted' }, t('dash.atRisk.none'))
      : table(
          t('dash.atRisk.caption'),
          [
            t('dash.atRisk.col.customer'),
            t('term.historicClv'),
            t('term.chanceNoOrder', { days: summary.churnHorizonDays }),
            t('dash.atRisk.col.tier'),
            t('dash.atRisk.col.days'),
          ],
          rows,
          [0, 3],
        ),
    rows.length === 0 ? null : h('p', { class: 'muted' }, t('dash.atRisk.namesNote')),
    why(WHY_DIFFERENT.atRisk),
  );
}
