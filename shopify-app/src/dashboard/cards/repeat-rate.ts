import type { ShopReport } from '@clvlens/core';
import { chart, PALETTE } from '../client/chart.ts';
import type { DashboardDeps } from '../client/deps.ts';
import { card, formatCount, formatPercent, h, kpi, t, why, WHY_DIFFERENT, type El } from '../client/ui.ts';

export function renderRepeatRate(report: ShopReport, deps: DashboardDeps): El {
  const rr = report.repeatPurchaseRate;
  const ret = report.returningCustomers;
  const series = report.charts.repeatRate;
  return card(
    'repeat-rate',
    t('dash.repeat.title'),
    h(
      'div',
      { class: 'kpis' },
      kpi(t('dash.repeat.kpi', { days: rr.windowDays }), formatPercent(rr.value), 'repeat-rate-value'),
      kpi(t('dash.repeat.kpiShopify'), formatPercent(ret.value), 'returning-rate-value'),
    ),
    h(
      'p',
      { class: 'muted' },
      t('dash.repeat.note', {
        repeat: formatCount(rr.repeatCustomers),
        customers: formatCount(rr.customers),
        returning: formatCount(ret.returningCustomers),
        returningOf: formatCount(ret.customers),
      }),
    ),
    chart(
      {
        id: 'chart-repeat-rate',
        label: t('dash.repeat.chartLabel', { days: rr.windowDays, weeks: series.weekStartMs.length }),
        x: series.weekStartMs,
        xIsTime: true,
        xLabel: t('dash.chart.week'),
        series: [{ label: t('term.repeatRate'), values: series.value, stroke: PALETTE[0]! }],
        yFormat: (v) => formatPercent(v, 0),
      },
      deps,
    ),
    why(WHY_DIFFERENT.repeatRate),
  );
}
