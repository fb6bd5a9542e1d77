import type { ScorecardRow, ShopReport } from '@clvlens/core';
import { shownScorecardStatus, type MessageKey } from '@clvlens/core/i18n';
import { formatDate, formatMoney, formatPercent, h, numCell, pill, rowHeader, STATUS_TONE, t, table, tr, why, WHY_DIFFERENT, type El } from '../client/ui.ts';

export function renderScorecard(report: ShopReport): El {
  const sc = report.scorecard;
  const money = (v: number | null) => formatMoney(v === null ? null : Math.round(v), report.currency ?? 'USD');
  const value = (row: ScorecardRow, v: number | null) => (row.unit === 'fraction' ? formatPercent(v) : money(v));
  const pace = (row: ScorecardRow) =>
    row.weeklyPaceNeeded === null
      ? '—'
      : row.unit === 'fraction'
        ? t('scorecard.pacePoints', { points: tr.number(row.weeklyPaceNeeded * 100, 2) })
        : t('scorecard.paceMoney', { amount: money(row.weeklyPaceNeeded) });
  const rows = sc.rows.map((row) => {
    // Under a week into the program "on track" compares this week with itself: it says "just started" instead.
    const status = shownScorecardStatus(row.status, sc.weeksElapsed);
    return [
      rowHeader(t(`scorecard.metric.${row.metric}`)),
      numCell(value(row, row.current), `scorecard-${row.metric}-current`),
      numCell(value(row, row.baseline)),
      numCell(row.changeVsBaseline === null ? '—' : `${row.changeVsBaseline >= 0 ? '+' : ''}${formatPercent(row.changeVsBaseline)}`),
      numCell(row.target === null ? t('scorecard.noTarget') : value(row, row.target)),
      numCell(pace(row)),
      h('td', { 'data-status': status }, pill(t(`scorecard.status.${status}` as MessageKey), STATUS_TONE[status])),
    ];
  });
  return h(
    'section',
    { class: 'card card--wide', id: 'scorecard', 'aria-labelledby': 'scorecard-title' },
    h('h2', { id: 'scorecard-title' }, t('scorecard.title')),
    h(
      'p',
      { class: 'muted' },
      t('scorecard.intro', {
        week: formatDate(sc.weekStartMs, report.timeZone),
        baselineWeeks: sc.baselineWeeks,
        clvGrowth: formatPercent(sc.targets.clvGrowthFraction, 0),
        multiplier: tr.number(sc.targets.repeatRateMultiplier),
        horizonWeeks: sc.targets.horizonWeeks,
        elapsed: Math.floor(sc.weeksElapsed),
      }),
    ),
    table(
      t('scorecard.caption'),
      (['metric', 'current', 'baseline', 'change', 'target', 'pace', 'status'] as const).map((k) => t(`scorecard.col.${k}`)),
      rows,
      [0, 6],
    ),
    h('p', { class: 'muted' }, `${t('term.windowedClv')}: ${t('define.windowedClv')}`),
    why(WHY_DIFFERENT.scorecard),
  );
}
