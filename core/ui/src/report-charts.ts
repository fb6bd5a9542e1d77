/**
 * Entry of the browser bundle the CLI inlines into its self-contained HTML report (`vite build` → dist/): uPlot,
 * Preact and the chart components, exposed as `window.ClvlensCharts` for the page's script, with uPlot bundled in
 * (no `import()` of another file: the page is opened from disk, offline).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './line-chart/line-chart.css';
import type { LineChartProps } from './line-chart/line-chart.tsx';
import { mountLineChart, type MountedChart } from './render.ts';

declare global {
  interface Window {
    ClvlensCharts: { mountLineChart(container: Element, props: Omit<LineChartProps, 'uPlot'>): MountedChart };
  }
}

window.ClvlensCharts = { mountLineChart: (container, props) => mountLineChart(container, { ...props, uPlot }) };
