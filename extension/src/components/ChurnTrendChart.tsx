import { useMemo, useState } from 'preact/hooks';
import type { AlignedData, Options } from 'uplot';
import type { ShopSummaryV1 } from '@clvlens/core';
import { ui } from '../i18n/ui-locale.ts';
import { UPlotChart } from './UPlotChart.tsx';

const SERIES = [
  { key: 'd30', days: 30, color: '#b28400', dash: [] as number[] },
  { key: 'd60', days: 60, color: '#c05717', dash: [6, 3] },
  { key: 'd90', days: 90, color: '#8e1f0b', dash: [2, 2] },
] as const;

/**
 * Weekly churn at 30/60/90 days from `ShopSummaryV1.churnTrend`; x stays in epoch ms (uPlot `ms: 1`). The y scale
 * fits the data (shares near each other would otherwise be three flat lines on 0–100%), the lines differ by dash as
 * well as colour, and the legend is ours: it shows the latest week's values before any hover, and the readout
 * follows the pointer.
 *
 * Arabic: the legend and the readout are right to left (the first series on the right, text right-aligned), but the
 * time axis still runs left to right. Arabic-speaking merchants read dates and figures left to right, and the tools
 * they compare these numbers with (spreadsheets, BI tools, stock charts, the Shopify admin's own analytics) keep a
 * left-to-right time axis in Arabic; a mirrored axis would put "latest" on the left beside charts that put it on the
 * right, and mirroring is advised against for charts where it changes how the data is read. So the plot area is
 * `dir="ltr"` and everything around it follows the page.
 */
export function ChurnTrendChart({ trend, width = 312 }: { trend: ShopSummaryV1['churnTrend']; width?: number }) {
  const t = ui();
  const n = trend.weekStartMs.length;
  const [idx, setIdx] = useState<number | null>(null);
  const shown = idx ?? n - 1;
  const options = useMemo<Options>(() => {
    const values = [...trend.d30, ...trend.d60, ...trend.d90].filter((v) => Number.isFinite(v));
    const lo = values.length ? Math.min(...values) : 0;
    const hi = values.length ? Math.max(...values) : 1;
    const pad = Math.max(0.02, (hi - lo) * 0.15);
    return {
      width,
      height: 130,
      ms: 1,
      legend: { show: false },
      cursor: { show: true, x: true, y: false, points: { show: true } },
      scales: { y: { range: [Math.max(0, lo - pad), Math.min(1, hi + pad)] } },
      axes: [
        {
          size: 24,
          font: '10px system-ui',
          values: (_u, splits) => splits.map((v) => new Intl.DateTimeFormat(t.locale, { month: 'short', day: 'numeric' }).format(v)),
        },
        { size: 44, font: '10px system-ui', values: (_u, splits) => splits.map((v) => t.percent(v, 0)) },
      ],
      series: [{}, ...SERIES.map((s) => ({ label: t.t('dash.churn.series', { days: s.days }), stroke: s.color, width: 2, dash: [...s.dash] }))],
      hooks: { setCursor: [(u) => setIdx(u.cursor.idx ?? null)] },
    };
  }, [width, trend, t]);
  const data = useMemo<AlignedData>(() => [trend.weekStartMs, trend.d30, trend.d60, trend.d90], [trend]);
  if (n === 0) return <p class="muted">{t.t('ext.popup.chartEmpty')}</p>;
  const at = (key: (typeof SERIES)[number]['key'], i: number) => t.percent(trend[key][i] ?? null, 1);
  const label = t.t('ext.popup.chartLabel', { n, d30: at('d30', n - 1), d60: at('d60', n - 1), d90: at('d90', n - 1) });
  const week = trend.weekStartMs[shown];
  return (
    <div class="chart" data-testid="churn-chart">
      <h2>{t.t('ext.popup.chartTitle')}</h2>
      <ul class="chart-legend" data-testid="chart-legend">
        {SERIES.map((s) => (
          <li key={s.key} data-series={s.key}>
            <span
              class="swatch"
              aria-hidden="true"
              style={{
                background:
                  s.dash.length === 0
                    ? s.color
                    : `repeating-linear-gradient(90deg, ${s.color} 0 ${s.dash[0]}px, transparent ${s.dash[0]}px ${s.dash[0] + s.dash[1]}px)`,
              }}
            />
            <span>{t.t('dash.churn.series', { days: s.days })}</span>
            <strong data-testid={`legend-${s.key}`}>{at(s.key, shown)}</strong>
          </li>
        ))}
      </ul>
      <UPlotChart options={options} data={data} label={label} dir="ltr" />
      <p class="chart-readout" data-testid="chart-readout" aria-live="polite">
        {week === undefined
          ? '—'
          : idx === null
            ? t.t('ext.popup.chartReadoutLatest', { date: t.date(week, 'UTC') })
            : t.t('ext.popup.chartReadout', { date: t.date(week, 'UTC') })}
      </p>
    </div>
  );
}
