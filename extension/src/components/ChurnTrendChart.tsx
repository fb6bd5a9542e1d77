import { useMemo } from 'preact/hooks';
import type { AlignedData, Options } from 'uplot';
import type { ShopSummaryV1 } from '@clvlens/core';
import { formatPercent } from '../utils/format.ts';
import { UPlotChart } from './UPlotChart.tsx';

/** Weekly churn at 30/60/90 days from `ShopSummaryV1.churnTrend`; x stays in epoch ms (uPlot `ms: 1`). */
export function ChurnTrendChart({ trend, width = 300 }: { trend: ShopSummaryV1['churnTrend']; width?: number }) {
  const options = useMemo<Options>(
    () => ({
      width,
      height: 110,
      ms: 1,
      legend: { show: true, live: false },
      cursor: { show: false },
      scales: { y: { range: [0, 1] } },
      axes: [
        { size: 24, font: '10px system-ui' },
        { size: 44, font: '10px system-ui', values: (_u, splits) => splits.map((v) => formatPercent(v)) },
      ],
      series: [
        {},
        { label: '30 d', stroke: '#b28400', width: 1.5 },
        { label: '60 d', stroke: '#c05717', width: 1.5 },
        { label: '90 d', stroke: '#c70a24', width: 1.5 },
      ],
    }),
    [width],
  );
  const data = useMemo<AlignedData>(() => [trend.weekStartMs, trend.d30, trend.d60, trend.d90], [trend]);
  const n = trend.weekStartMs.length;
  const label =
    n === 0
      ? 'No churn trend yet'
      : `Churn trend over ${n} weeks: latest 30-day ${formatPercent(trend.d30[n - 1] ?? 0)}, 60-day ${formatPercent(trend.d60[n - 1] ?? 0)}, 90-day ${formatPercent(trend.d90[n - 1] ?? 0)}`;
  if (n === 0) return <p class="muted">No churn trend yet.</p>;
  return <UPlotChart options={options} data={data} label={label} />;
}
