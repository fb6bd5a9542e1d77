/** @jsxImportSource preact */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import type uPlot from 'uplot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LineChart, type LineChartProps } from './line-chart.tsx';
import type { UPlotConstructor } from '../uplot-chart/uplot-chart.tsx';

/** Records what the chart hands to uPlot and lets a test move the cursor; drawing is the browser tests' job. */
function fakeUPlot() {
  const made: { opts: uPlot.Options; data: uPlot.AlignedData; destroyed: boolean; setData: uPlot.AlignedData[]; cursor: { idx: number | null } }[] = [];
  class FakePlot {
    width: number;
    cursor = { idx: null as number | null };
    record: (typeof made)[number];
    constructor(opts: uPlot.Options, data: uPlot.AlignedData) {
      this.width = opts.width;
      this.record = { opts, data, destroyed: false, setData: [], cursor: this.cursor };
      made.push(this.record);
    }
    setData(data: uPlot.AlignedData) {
      this.record.setData.push(data);
    }
    setSize() {}
    destroy() {
      this.record.destroyed = true;
    }
  }
  /** Moves the cursor to `idx` (null: off the plot) as uPlot does, through the setCursor hook. */
  const hover = (idx: number | null) => {
    const last = made.at(-1)!;
    last.cursor.idx = idx;
    for (const hook of last.opts.hooks?.setCursor ?? []) hook?.({ cursor: last.cursor } as unknown as uPlot);
  };
  return { Plot: FakePlot as unknown as UPlotConstructor, made, hover };
}

const WEEK = 7 * 86_400_000;
const x = [0, WEEK, 2 * WEEK];

function props(Plot: UPlotConstructor, over: Partial<LineChartProps> = {}): LineChartProps {
  return {
    x,
    xIsTime: true,
    series: [
      { key: 'a', label: 'A', values: [0.1, 0.2, null], stroke: '#000' },
      { key: 'b', label: 'B', values: [0.3, 0.4, 0.5], stroke: '#f00', dash: [6, 3] },
    ],
    label: 'Two lines',
    formatY: (v) => `${Math.round(v * 100)}%`,
    readout: (at, hovered) => (hovered ? `week ${at / WEEK}` : `latest: week ${at / WEEK}`),
    emptyText: 'No data yet',
    height: 100,
    width: 300,
    uPlot: Plot,
    ...over,
  };
}

let root: HTMLElement;
beforeEach(() => {
  root = document.createElement('div');
  document.body.append(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
});

describe('LineChart', () => {
  it('hands uPlot the columnar data as is, with x in ms and its own legend hidden', () => {
    const { Plot, made } = fakeUPlot();
    act(() => render(<LineChart {...props(Plot)} />, root));
    expect(made).toHaveLength(1);
    expect(made[0]!.data).toEqual([x, [0.1, 0.2, null], [0.3, 0.4, 0.5]]);
    expect(made[0]!.opts.ms).toBe(1);
    expect(made[0]!.opts.legend?.show).toBe(false);
    expect(made[0]!.opts.series.map((s) => s.dash ?? null)).toEqual([null, null, [6, 3]]);
    expect(root.querySelector('.uplot-chart')!.getAttribute('aria-label')).toBe('Two lines');
  });

  it('shows each line’s latest value before any hover, then the hovered point’s, and says which x', () => {
    const { Plot, hover } = fakeUPlot();
    act(() => render(<LineChart {...props(Plot)} />, root));
    const legend = () => [...root.querySelectorAll('.chart-legend strong')].map((e) => e.textContent);
    const readout = () => root.querySelector('[data-testid="chart-readout"]')!.textContent;
    // Line A has no value in the last week: its latest known one shows, never a placeholder.
    expect(legend()).toEqual(['20%', '50%']);
    expect(readout()).toBe('latest: week 2');
    act(() => hover(0));
    expect(legend()).toEqual(['10%', '30%']);
    expect(readout()).toBe('week 0');
    act(() => hover(2));
    expect(legend()).toEqual(['—', '50%']);
    act(() => hover(null));
    expect(readout()).toBe('latest: week 2');
  });

  it('keeps the plot left to right on a right-to-left page while the legend follows the page', () => {
    const { Plot } = fakeUPlot();
    root.setAttribute('dir', 'rtl');
    act(() => render(<LineChart {...props(Plot)} />, root));
    expect(root.querySelector('.uplot-chart')!.getAttribute('dir')).toBe('ltr');
    expect(root.querySelector('.chart-legend')!.hasAttribute('dir')).toBe(false);
  });

  it('updates data in place and destroys uPlot on unmount (no leak)', () => {
    const { Plot, made } = fakeUPlot();
    const first = props(Plot);
    act(() => render(<LineChart {...first} />, root));
    const series = [{ ...first.series[0]!, values: [0.5, 0.6, 0.7] }];
    act(() => render(<LineChart {...first} series={series} />, root));
    // New series (a new legend) means new options: the old chart goes and a new one is made.
    expect(made).toHaveLength(2);
    expect(made[0]!.destroyed).toBe(true);
    act(() => render(null, root));
    expect(made[1]!.destroyed).toBe(true);
  });

  it('shows the empty text instead of a chart when there is no x', () => {
    const { Plot, made } = fakeUPlot();
    act(() => render(<LineChart {...props(Plot)} x={[]} />, root));
    expect(made).toHaveLength(0);
    expect(root.textContent).toBe('No data yet');
  });
});
