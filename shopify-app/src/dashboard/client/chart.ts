/// <reference lib="dom" />
import { LineChart, type LineChartProps } from '@clvlens/ui';
import { h as createElement } from 'preact';
import type { DashboardDeps } from './deps.ts';
import { formatDate, h, t, tr, type El } from './ui.ts';

export interface ChartSpec {
  id: string;
  label: string;
  x: number[];
  xIsTime: boolean;
  series: { label: string; values: (number | null)[]; stroke: string; dash?: number[] }[];
  yFormat(v: number): string;
  xLabel: string;
  /** Start the y axis at 0 (amounts); rates zoom to their range. */
  yFromZero?: boolean;
}

export const PALETTE = ['#2c6ecb', '#b98900', '#d72c0d', '#007f5f', '#8051ff', '#e56b00', '#0094d5', '#616161', '#c05717', '#47c1bf', '#9c6ade', '#50b83c'];

/**
 * Time-axis ticks in the dashboard's locale: day and month for spans under five months; else the month, with the year
 * on the first tick and on each January only (Arabic month names are long: a year on every tick runs them together).
 */
export function timeTicks(splits: readonly number[]): string[] {
  const span = splits.length > 1 ? splits.at(-1)! - splits[0]! : 0;
  if (span <= 150 * 86_400_000) {
    const f = new Intl.DateTimeFormat(tr.locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
    return splits.map((v) => f.format(v));
  }
  const month = new Intl.DateTimeFormat(tr.locale, { month: 'short', timeZone: 'UTC' });
  const monthYear = new Intl.DateTimeFormat(tr.locale, { month: 'short', year: 'numeric', timeZone: 'UTC' });
  return splits.map((v, i) => (i === 0 || new Date(v).getUTCMonth() === 0 ? monthYear : month).format(v));
}

/**
 * A chart in a figure, drawn by the shared `LineChart` (`@clvlens/ui`, as in the popup and the CLI's report): its legend
 * shows each line's latest value until a point is hovered, and the readout under it names the week (or month) shown.
 * In Arabic the legend and readout follow the page (right to left, first series on the right) while the plot keeps time
 * running left to right (see line-chart.tsx for why). Preact creates and destroys the uPlot instance with the card.
 */
export function chart(spec: ChartSpec, deps: DashboardDeps): El {
  const xText = (x: number) => (spec.xIsTime ? formatDate(x) : tr.number(x));
  const props: LineChartProps = {
    id: spec.id,
    plotClass: 'chart',
    x: spec.x,
    xIsTime: spec.xIsTime,
    series: spec.series.map((s, i) => ({ key: String(i), label: s.label, values: s.values, stroke: s.stroke, ...(s.dash ? { dash: s.dash } : {}) })),
    label: spec.label,
    formatY: spec.yFormat,
    ...(spec.xIsTime ? { xTicks: timeTicks } : {}),
    readout: (x, hovered) => (hovered ? xText(x) : t('dash.chart.latestValue', { value: xText(x) })),
    emptyText: t('dash.chart.empty'),
    height: 240,
    xLabel: spec.xLabel,
    ...(spec.yFromZero ? { yRange: (_min: number, max: number): [number, number] => [0, max > 0 ? max * 1.05 : 1] } : {}),
    ...(deps.uPlot ? { uPlot: deps.uPlot } : {}),
  };
  return h('figure', { style: 'margin:0' }, createElement(LineChart, props));
}
