/** @jsxImportSource preact */
import { useMemo, useState } from 'preact/hooks';
import type { AlignedData, Axis, Options, Scale } from 'uplot';
import { UPlotChart, type UPlotConstructor } from '../uplot-chart/uplot-chart.tsx';

/** One line of a {@link LineChart}. */
export interface LineSeries {
  /** Stable key (legend item `data-series`, test ids). */
  key: string;
  /** Legend text. */
  label: string;
  /** One value per x, `null` for a gap (drawn as a gap, never as 0). */
  values: readonly (number | null)[];
  /** CSS colour of the line and its legend swatch. */
  stroke: string;
  /** Dash pattern in px (`[6, 3]`): lines differ by dash as well as colour, for readers who do not see colour. */
  dash?: readonly number[];
}

export interface LineChartProps {
  /** x values, ascending: epoch ms when `xIsTime` (uPlot runs with `ms: 1`), else plain numbers (months since). */
  x: readonly number[];
  xIsTime: boolean;
  series: readonly LineSeries[];
  /** Accessible summary of the plot (it is a canvas). */
  label: string;
  /** A y value as text, in the legend. */
  formatY(value: number): string;
  /** A y-axis tick as text (often fewer decimals than the legend). Default: `formatY`. */
  yTick?(value: number): string;
  /** x-axis tick labels (time axes in the page's language: uPlot's own are English month names). Default: uPlot's. */
  xTicks?(splits: readonly number[]): string[];
  /** The line under the plot: the x shown (hovered, or the latest before any hover) in words. */
  readout(x: number, hovered: boolean): string;
  /** Shown instead of the chart when `x` is empty. */
  emptyText: string;
  /** Plot height, px. */
  height: number;
  /** Fixed plot width, px; omitted: the chart follows its container's width. */
  width?: number;
  /** y range: fixed, or from the data's min and max. Default: uPlot's automatic range. */
  yRange?: readonly [number, number] | ((min: number, max: number) => [number, number]);
  /** Title of the x axis ("Week"). */
  xLabel?: string;
  /** Width of the y axis, px (money needs more than percentages). Default 64. */
  ySize?: number;
  /** Small type and axes, for the popup. */
  compact?: boolean;
  /** `id` of the plot element. */
  id?: string;
  /** Extra class of the plot element (the dashboard's `chart`). */
  plotClass?: string;
  /** uPlot's constructor, for tests; default: loaded on demand. */
  uPlot?: UPlotConstructor;
}

/** Index of the last non-null value, or -1. */
function lastIndex(values: readonly (number | null)[]): number {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return i;
  return -1;
}

/** The legend swatch: solid, or the line's dash pattern as a repeating gradient. */
function swatchBackground(stroke: string, dash: readonly number[] | undefined): string {
  const [on, off] = dash ?? [];
  if (on === undefined || off === undefined) return stroke;
  return `repeating-linear-gradient(90deg, ${stroke} 0 ${on}px, transparent ${on}px ${on + off}px)`;
}

/**
 * Lines over time (or over months since a first order), with our own legend and hover readout: before any hover the
 * legend shows each line's latest value and the readout names the latest x; hovering moves both to the point under
 * the pointer. Nothing is a placeholder ("--") while the values exist.
 *
 * Right-to-left pages: the legend and the readout follow the page (first series on the right, text right-aligned), but
 * the plot area is always `dir="ltr"`, so time runs left to right. Arabic-speaking merchants compare these numbers with
 * spreadsheets, BI tools and the Shopify admin's own analytics, which keep a left-to-right time axis in Arabic; a
 * mirrored axis would put "latest" on the left beside charts that put it on the right.
 */
export function LineChart(props: LineChartProps) {
  const { x, xIsTime, series, label, formatY, yTick = formatY, xTicks, readout, emptyText, height, width, yRange, xLabel, ySize = 64, compact = false } = props;
  const [hovered, setHovered] = useState<number | null>(null);
  const options = useMemo<Options>(() => {
    const font = compact ? '10px system-ui, sans-serif' : '12px system-ui, sans-serif';
    const y: Scale = {};
    if (typeof yRange === 'function') y.range = (_u, min, max) => yRange(min, max);
    else if (yRange) y.range = [yRange[0], yRange[1]];
    const xAxis: Axis = {
      stroke: '#616161',
      grid: { stroke: '#ebebeb' },
      font,
      ...(compact ? { size: 24 } : {}),
      ...(xLabel !== undefined && !compact ? { label: xLabel, labelFont: font } : {}),
      ...(xTicks ? { values: (_u, splits) => xTicks(splits), space: compact ? 50 : 70 } : {}),
    };
    return {
      width: width ?? 600,
      height,
      ms: 1,
      legend: { show: false },
      cursor: { show: true, x: true, y: false, points: { show: true } },
      scales: { x: { time: xIsTime }, y },
      axes: [xAxis, { stroke: '#616161', grid: { stroke: '#ebebeb' }, font, size: compact ? 44 : ySize, values: (_u, splits) => splits.map((v) => yTick(v)) }],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: false, ...(s.dash ? { dash: [...s.dash] } : {}) }))],
      hooks: { setCursor: [(u) => setHovered(u.cursor.idx ?? null)] },
    };
  }, [series, yTick, xTicks, height, width, yRange, xLabel, ySize, compact, xIsTime]);
  const data = useMemo(() => [x, ...series.map((s) => s.values)] as AlignedData, [x, series]);
  if (x.length === 0) return <p class="muted chart-empty">{emptyText}</p>;

  const shownX = hovered === null ? x.at(-1) : x[hovered];
  const valueOf = (s: LineSeries): string => {
    const i = hovered ?? lastIndex(s.values);
    const v = i < 0 ? null : (s.values[i] ?? null);
    return v === null || !Number.isFinite(v) ? '—' : formatY(v);
  };
  return (
    <div class={compact ? 'line-chart line-chart--compact' : 'line-chart'}>
      <ul class="chart-legend" data-testid="chart-legend">
        {series.map((s) => (
          <li key={s.key} data-series={s.key}>
            <span class="swatch" aria-hidden="true" style={{ background: swatchBackground(s.stroke, s.dash) }} />
            <span>{s.label}</span>
            <strong data-testid={`legend-${s.key}`}>{valueOf(s)}</strong>
          </li>
        ))}
      </ul>
      <UPlotChart
        options={options}
        data={data}
        label={label}
        dir="ltr"
        fitWidth={width === undefined}
        {...(props.id !== undefined ? { id: props.id } : {})}
        {...(props.plotClass !== undefined ? { class: props.plotClass } : {})}
        {...(props.uPlot ? { uPlot: props.uPlot } : {})}
      />
      <p class="chart-readout" data-testid="chart-readout" aria-live="polite">
        {shownX === undefined ? '—' : readout(shownX, hovered !== null)}
      </p>
    </div>
  );
}
