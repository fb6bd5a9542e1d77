import { useMemo } from 'preact/hooks';
import type { ShopSummaryV1 } from '@clvlens/core';
import { LineChart, type LineSeries } from '@clvlens/ui';
import 'uplot/dist/uPlot.min.css';
import '@clvlens/ui/line-chart.css';
import { ui } from '../i18n/ui-locale.ts';

const SERIES = [
  { key: 'd30', days: 30, color: '#b28400', dash: [] as number[] },
  { key: 'd60', days: 60, color: '#c05717', dash: [6, 3] },
  { key: 'd90', days: 90, color: '#8e1f0b', dash: [2, 2] },
] as const;

/**
 * Weekly churn at 30/60/90 days from `ShopSummaryV1.churnTrend`, drawn by the shared `LineChart` (`@clvlens/ui`: our
 * legend with the latest week's values before any hover, a readout that follows the pointer, time left to right in
 * Arabic too). The y scale fits the data: shares near each other would otherwise be three flat lines on 0–100%.
 */
export function ChurnTrendChart({ trend, width = 312 }: { trend: ShopSummaryV1['churnTrend']; width?: number }) {
  const t = ui();
  const n = trend.weekStartMs.length;
  const series = useMemo<LineSeries[]>(
    () =>
      SERIES.map((s) => ({
        key: s.key,
        label: t.t('dash.churn.series', { days: s.days }),
        values: trend[s.key],
        stroke: s.color,
        ...(s.dash.length > 0 ? { dash: s.dash } : {}),
      })),
    [trend, t],
  );
  const yRange = useMemo((): readonly [number, number] => {
    const values = [...trend.d30, ...trend.d60, ...trend.d90].filter((v) => Number.isFinite(v));
    const lo = values.length ? Math.min(...values) : 0;
    const hi = values.length ? Math.max(...values) : 1;
    const pad = Math.max(0.02, (hi - lo) * 0.15);
    return [Math.max(0, lo - pad), Math.min(1, hi + pad)];
  }, [trend]);
  const formatY = useMemo(() => (v: number) => t.percent(v, 1), [t]);
  const yTick = useMemo(() => (v: number) => t.percent(v, 0), [t]);
  const xTicks = useMemo(() => {
    const f = new Intl.DateTimeFormat(t.locale, { month: 'short', day: 'numeric' });
    return (splits: readonly number[]) => splits.map((v) => f.format(v));
  }, [t]);
  const readout = useMemo(
    () => (week: number, hovered: boolean) =>
      hovered ? t.t('ext.popup.chartReadout', { date: t.date(week, 'UTC') }) : t.t('ext.popup.chartReadoutLatest', { date: t.date(week, 'UTC') }),
    [t],
  );
  if (n === 0) return <p class="muted">{t.t('ext.popup.chartEmpty')}</p>;
  const at = (key: (typeof SERIES)[number]['key']) => t.percent(trend[key][n - 1] ?? null, 1);
  return (
    <div class="chart" data-testid="churn-chart">
      <h2>{t.t('ext.popup.chartTitle')}</h2>
      <LineChart
        x={trend.weekStartMs}
        xIsTime
        series={series}
        label={t.t('ext.popup.chartLabel', { n, d30: at('d30'), d60: at('d60'), d90: at('d90') })}
        formatY={formatY}
        yTick={yTick}
        xTicks={xTicks}
        readout={readout}
        emptyText={t.t('ext.popup.chartEmpty')}
        height={130}
        width={width}
        yRange={yRange}
        compact
      />
    </div>
  );
}
