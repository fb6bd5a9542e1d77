import type { ShopSummaryV1 } from '@clvlens/core';
import { card, formatCount, formatDate, formatPercent, formatTime, h, pill, t, type El } from '../client/ui.ts';

/** The sync card: state, progress bar while backfilling, counts. */
export function renderSync(summary: ShopSummaryV1): El {
  const s = summary.sync;
  const est = s.ordersEstimated;
  const stateText = t(`dash.sync.state.${s.state}`);
  const counts =
    est && s.state !== 'live' ? t('dash.sync.ordersOf', { done: formatCount(s.ordersDone), estimated: est }) : t('dash.sync.orders', { done: s.ordersDone });
  const share = est && s.state !== 'live' ? ` (${formatPercent(Math.min(1, Math.floor((100 * s.ordersDone) / est) / 100), 0)})` : '';
  const bar = h('progress', {
    id: 'sync-progress',
    'aria-labelledby': 'sync-title',
    max: est && est > 0 ? est : 1,
    value: est && est > 0 ? Math.min(s.ordersDone, est) : s.state === 'live' ? 1 : 0,
  });
  return card(
    'sync',
    t('dash.sync.title'),
    h(
      'p',
      {},
      `${t('dash.sync.status')} `,
      pill(stateText, s.state === 'live' ? 'success' : s.state === 'error' ? 'critical' : 'info'),
      ' ',
      h('span', { id: 'sync-text' }, counts),
      share,
    ),
    s.state === 'live' ? null : bar,
    s.message ? h('p', { class: 'muted' }, s.message) : null,
    s.lastSyncAtMs !== null ? h('p', { class: 'muted' }, t('dash.sync.last', { date: formatDate(s.lastSyncAtMs), time: formatTime(s.lastSyncAtMs) })) : null,
  );
}
