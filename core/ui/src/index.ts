/**
 * `@clvlens/ui`: the chart components every CLV Lens surface draws with (the extension popup, the embedded dashboard,
 * the CLI's HTML report). Preact + uPlot; data in uPlot's columnar shape, computed by `@clvlens/core`.
 */
export { UPlotChart, type UPlotChartProps, type UPlotConstructor } from './uplot-chart/uplot-chart.tsx';
export { LineChart, type LineChartProps, type LineSeries } from './line-chart/line-chart.tsx';
export { mountLineChart, type MountedChart } from './render.ts';
