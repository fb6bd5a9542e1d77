import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import type { AlignedData, Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface UPlotChartProps {
  options: Options;
  data: AlignedData;
  /** Accessible summary of what the chart shows (uPlot draws to a canvas). */
  label: string;
  /** Direction of the plot area (`ltr` keeps a time axis left to right on a right-to-left page). */
  dir?: 'ltr' | 'rtl';
}

/**
 * uPlot in Preact, following the uplot-wrappers lifecycle: create in an effect, setData on change, destroy on
 * unmount. uPlot itself is loaded on demand so the popup's numbers render before the chart library is parsed.
 */
export function UPlotChart({ options, data, label, dir }: UPlotChartProps) {
  const target = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latestData = useRef(data);
  latestData.current = data;

  useEffect(() => {
    let cancelled = false;
    import('uplot')
      .then(({ default: UPlot }) => {
        if (cancelled || !target.current) return;
        chart.current = new UPlot(options, latestData.current, target.current);
      })
      // A chart that cannot draw (no canvas) leaves its accessible label; the numbers above it still show.
      .catch(() => undefined);
    return () => {
      cancelled = true;
      chart.current?.destroy();
      chart.current = null;
    };
    // Options are rebuilt only when the chart must be recreated; data changes go through setData below.
  }, [options]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  return <div ref={target} class="uplot-chart" role="img" aria-label={label} dir={dir} />;
}
