import { useEffect, useRef } from 'preact/hooks';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface UPlotChartProps {
  options: Options;
  data: AlignedData;
  /** Accessible summary of what the chart shows (uPlot draws to a canvas). */
  label: string;
}

/** uPlot in Preact, following the uplot-wrappers lifecycle: create in an effect, setData on change, destroy. */
export function UPlotChart({ options, data, label }: UPlotChartProps) {
  const target = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);

  useEffect(() => {
    if (!target.current) return;
    chart.current = new uPlot(options, data, target.current);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
    // Options are rebuilt only when the chart must be recreated; data changes go through setData below.
  }, [options]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  return <div ref={target} class="uplot-chart" role="img" aria-label={label} />;
}
