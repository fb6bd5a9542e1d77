/** @jsxImportSource preact */
import { useLayoutEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import type { AlignedData, Options } from 'uplot';

/** uPlot's constructor: the real one, or a recording stand-in in tests. */
export type UPlotConstructor = typeof uPlot;

export interface UPlotChartProps {
  /** uPlot options; a new object recreates the chart, so memoise it. `width` is replaced by the box's when `fitWidth`. */
  options: Options;
  /** Columnar data, x ascending, `null` for gaps (uPlot's `AlignedData`). */
  data: AlignedData;
  /** Accessible summary of what the chart shows (uPlot draws to a canvas). */
  label: string;
  /** Direction of the plot area (`ltr` keeps a time axis left to right on a right-to-left page). */
  dir?: 'ltr' | 'rtl';
  /** Follow the container's width (a ResizeObserver calls `setSize`); otherwise `options.width` stays. */
  fitWidth?: boolean;
  /** Called with the live chart once created (and with `null` when it goes). */
  onChart?: (chart: uPlot | null) => void;
  /** The constructor to use; default: `uplot`, loaded on demand so the numbers around the chart render first. */
  uPlot?: UPlotConstructor;
  /** `id` and extra class of the plot element. */
  id?: string;
  class?: string;
}

/** Narrowest width a chart is drawn at, px: below it the axes' labels overlap. */
const MIN_WIDTH = 200;

/**
 * uPlot in Preact, following the uplot-wrappers lifecycle: create in an effect, `setData` when the data changes,
 * `setSize` when the box is resized, `destroy()` on unmount. A layout effect, because uPlot measures its container
 * and the chart should appear in the same frame as the numbers beside it.
 */
export function UPlotChart({ options, data, label, dir, fitWidth = false, onChart, uPlot: injected, id, class: className }: UPlotChartProps) {
  const target = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latestData = useRef(data);
  latestData.current = data;
  /** The data the live chart holds, so a new chart is not handed the same arrays again. */
  const drawn = useRef<AlignedData | null>(null);
  const notify = useRef(onChart);
  notify.current = onChart;

  useLayoutEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    const create = (Plot: UPlotConstructor) => {
      const box = target.current;
      if (cancelled || !box) return;
      const width = fitWidth ? Math.max(MIN_WIDTH, box.clientWidth || options.width) : options.width;
      const plot = new Plot({ ...options, width }, latestData.current, box);
      drawn.current = latestData.current;
      chart.current = plot;
      notify.current?.(plot);
      if (fitWidth && typeof ResizeObserver !== 'undefined') {
        observer = new ResizeObserver(() => {
          const w = Math.max(MIN_WIDTH, box.clientWidth);
          // uPlot's own legend and a scrollbar can nudge the width by a few px: ignore those, never loop.
          if (Math.abs(w - plot.width) > 4) plot.setSize({ width: w, height: options.height });
        });
        observer.observe(box);
      }
    };
    if (injected) create(injected);
    else
      import('uplot')
        .then(({ default: Plot }) => create(Plot))
        // A chart that cannot draw (no canvas) leaves its accessible label; the numbers around it still show.
        .catch(() => undefined);
    return () => {
      cancelled = true;
      observer?.disconnect();
      chart.current?.destroy();
      chart.current = null;
      notify.current?.(null);
    };
    // Options are rebuilt only when the chart must be recreated; data changes go through setData below.
  }, [options, injected, fitWidth]);

  useLayoutEffect(() => {
    if (chart.current === null || drawn.current === data) return;
    chart.current.setData(data);
    drawn.current = data;
  }, [data]);

  return <div ref={target} id={id} class={className ? `uplot-chart ${className}` : 'uplot-chart'} role="img" aria-label={label} dir={dir} />;
}
