import { h, render } from 'preact';
import { LineChart, type LineChartProps } from './line-chart/line-chart.tsx';

/** A chart mounted by {@link mountLineChart}. */
export interface MountedChart {
  /** Unmounts it: destroys the uPlot instance and its resize observer, empties the container. */
  destroy(): void;
}

/**
 * Mounts a {@link LineChart} into `container`, for pages whose own markup is not Preact (the CLI's HTML report). The
 * container's children are replaced.
 */
export function mountLineChart(container: Element, props: LineChartProps): MountedChart {
  render(h(LineChart, props), container);
  return { destroy: () => render(null, container) };
}
