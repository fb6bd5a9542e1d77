import type { ShopReport } from '@clvlens/core';
import { churnTrendReading } from '@clvlens/core/i18n';
import { chart, PALETTE } from '../client/chart.ts';
import type { DashboardDeps } from '../client/deps.ts';
import { card, formatPercent, h, kpi, t, why, WHY_DIFFERENT, type El } from '../client/ui.ts';

export function renderChurn(report: ShopReport, deps: DashboardDeps): El {
  const alert = report.churnDetail.alert;
  const trend = report.charts.churnTrend;
  // Only rising churn is an alarm (red, role alert); falling churn is good news in green.
  const reading = churnTrendReading(alert);
  const values = { latest: formatPercent(alert.latest), mean: formatPercent(alert.baselineMean) };
  const banner =
    reading === 'rising'
      ? h(
          'p',
          { class: 'banner', 'data-tone': 'critical', role: 'alert', 'data-testid': 'churn-alert', 'data-reading': reading },
          `⚠ ${t('churnAlert.rising', values)}`,
        )
      : reading === 'falling'
        ? h('p', { class: 'banner', 'data-tone': 'success', 'data-testid': 'churn-alert', 'data-reading': reading }, `✓ ${t('churnAlert.falling', values)}`)
        : reading === 'normal'
          ? h('p', { class: 'banner', 'data-tone': 'success', 'data-testid': 'churn-alert', 'data-reading': reading }, `✓ ${t('churnAlert.normal', values)}`)
          : h('p', { class: 'banner', 'data-testid': 'churn-alert', 'data-reading': reading }, t('churnAlert.insufficient'));
  return card(
    'churn',
    t('dash.churn.title'),
    banner,
    h(
      'div',
      { class: 'kpis' },
      kpi(t('dash.churn.kpi', { days: 30 }), formatPercent(report.churn.d30), 'churn-d30'),
      kpi(t('dash.churn.kpi', { days: 60 }), formatPercent(report.churn.d60), 'churn-d60'),
      kpi(t('dash.churn.kpi', { days: 90 }), formatPercent(report.churn.d90), 'churn-d90'),
    ),
    chart(
      {
        id: 'chart-churn',
        label: t('dash.churn.chartLabel'),
        x: trend.weekStartMs,
        xIsTime: true,
        xLabel: t('dash.chart.week'),
        series: [
          { label: t('dash.churn.series', { days: 30 }), values: trend.d30, stroke: PALETTE[0]! },
          { label: t('dash.churn.series', { days: 60 }), values: trend.d60, stroke: PALETTE[1]!, dash: [6, 3] },
          { label: t('dash.churn.series', { days: 90 }), values: trend.d90, stroke: PALETTE[2]!, dash: [2, 2] },
        ],
        yFormat: (v) => formatPercent(v, 0),
      },
      deps,
    ),
    h('p', { class: 'muted' }, t('churnAlert.rule', { weeks: 8, sigmas: 2, points: 2 })),
    why(WHY_DIFFERENT.churn),
  );
}
