import type { ShopReport } from '@clvlens/core';
import { chart, PALETTE } from '../client/chart.ts';
import type { DashboardDeps } from '../client/deps.ts';
import { formatDate, formatMoney, formatPercent, h, rowHeader, t, table, tr, why, WHY_DIFFERENT, type El } from '../client/ui.ts';

/** `YYYY-MM` of an instant in `timeZone`. */
function localMonth(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', timeZone }).formatToParts(ms);
  return `${parts.find((p) => p.type === 'year')?.value}-${parts.find((p) => p.type === 'month')?.value}`;
}

/** Cohort heatmap as a table: each cell has its number and a background whose strength follows it. */
export function renderCohorts(report: ShopReport, deps: DashboardDeps): El {
  const heat = report.charts.cohortHeatmap;
  const recent = Math.max(0, heat.cohortMonth.length - 12);
  const months = heat.monthsSince.slice(0, 13);
  // Each cohort's last month is the current one, running to asOf: marked partial (striped) unless asOf is in its last day.
  const monthComplete = localMonth(report.asOfMs + 86_400_000, report.timeZone) !== localMonth(report.asOfMs, report.timeZone);
  const asOfDate = formatDate(report.asOfMs, report.timeZone);
  const rows = heat.cohortMonth.slice(recent).map((month, i) => {
    const shares = heat.activeShare[recent + i] ?? [];
    let last = shares.length - 1;
    while (last >= 0 && shares[last] === null) last--;
    return [
      rowHeader(tr.month(month)),
      ...months.map((m) => {
        const v = shares[m] ?? null;
        if (v === null) return h('td', { 'data-empty': '' }, '·');
        const alpha = m === 0 ? 0.08 : Math.min(1, 0.12 + v * 2.5);
        const style = `background-color: rgba(44, 110, 203, ${alpha.toFixed(3)}); color: ${alpha > 0.6 ? '#fff' : '#303030'}`;
        if (m === last && m > 0 && !monthComplete) {
          return h(
            'td',
            { style, 'data-partial': '', title: t('dash.cohorts.partialTitle', { date: asOfDate }) },
            formatPercent(v, 0),
            h('span', { class: 'partial-mark' }, ` ${t('cohort.partial')}`),
          );
        }
        return h('td', { style }, formatPercent(v, 0));
      }),
    ];
  });
  const curves = report.charts.ltvCurves;
  const all = curves.cohortMonth.map((month, i) => ({ month, values: curves.cumulativeRevenuePerCustomerMinor[i] ?? [] }));
  // Up to 6 cohorts spread over the history, newest last, so both long (old) and recent curves show and stay readable.
  const step = Math.max(1, Math.ceil(all.length / 6));
  const shown = all.filter((_, i) => (all.length - 1 - i) % step === 0).slice(-6);
  const currency = report.currency ?? 'USD';
  return h(
    'section',
    { class: 'card card--wide', id: 'cohorts', 'aria-labelledby': 'cohorts-title' },
    h('h2', { id: 'cohorts-title' }, t('dash.cohorts.title')),
    h('h3', {}, t('dash.cohorts.heatTitle')),
    table(
      t('dash.cohorts.caption', { n: rows.length, date: asOfDate }),
      [t('dash.cohorts.col.cohort'), ...months.map((m) => t('cohort.month', { n: m }))],
      rows,
      [0],
      'heat',
    ),
    h('h3', {}, t('dash.cohorts.ltvTitle')),
    chart(
      {
        id: 'chart-ltv',
        label: t('dash.cohorts.ltvLabel', { n: shown.length }),
        x: curves.monthsSince,
        xIsTime: false,
        xLabel: t('dash.cohorts.ltvX'),
        series: shown.map((c, i) => ({ label: tr.month(c.month), values: c.values, stroke: PALETTE[i % PALETTE.length]! })),
        yFormat: (v) => formatMoney(Math.round(v), currency),
        yFromZero: true,
      },
      deps,
    ),
    why(WHY_DIFFERENT.cohorts),
  );
}
