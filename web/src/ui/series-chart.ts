/**
 * A static line chart on uPlot for a finished series (a back-test's equity
 * or drawdown): drawn once per run, dates on the x axis, the y values in
 * their unit on the axis and in the legend. Sized to its container.
 */
import uPlot from 'uplot';
import { h } from './dom.js';

export class SeriesChart {
  readonly el: HTMLDivElement;
  private plot: uPlot | null = null;
  private width = 0;
  private readonly observer: ResizeObserver;

  constructor(
    private readonly title: string,
    private readonly label: string,
    /** Formats a y value with its unit ("$112,340", "5.67%"). */
    private readonly format: (v: number) => string,
    private readonly color: string,
    private readonly height = 220,
    /** Fill below the line down to zero (drawdown) rather than a plain line. */
    private readonly fill: string | null = null,
  ) {
    this.el = h('div.chart', { 'data-chart': title });
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(this.el);
  }

  /** Draws the series (`t` in seconds); an empty series clears the chart. */
  show(t: readonly number[], y: readonly number[]): void {
    this.showMany(t, [{ label: this.label, y, color: this.color, ...(this.fill ? { fill: this.fill } : {}) }]);
  }

  /**
   * Several series on one time axis (`t` in seconds; `null` where a series
   * has no value): lines, bars (`bars: true`, e.g. P&L per day) or markers
   * only (`markers`: fills on a price line). Rebuilt on every call.
   */
  showMany(t: readonly number[], series: readonly { readonly label: string; readonly y: readonly (number | null)[]; readonly color: string; readonly bars?: boolean; readonly markers?: boolean; readonly fill?: string }[], xFormat: 'datetime' | 'date' = 'datetime'): void {
    this.plot?.destroy();
    this.plot = null;
    this.el.dataset.points = String(t.length);
    if (t.length === 0) return;
    this.width = Math.max(240, Math.floor(this.el.clientWidth || 480));
    const fmt = this.format;
    const axis: uPlot.Axis = { stroke: '#8a96a3', grid: { stroke: '#232b35', width: 1 }, ticks: { stroke: '#232b35', width: 1 }, font: '11px system-ui, sans-serif' };
    const daily = xFormat === 'date';
    const when = (v: number): string => (xFormat === 'date' ? new Date(v * 1000).toISOString().slice(0, 10) : new Date(v * 1000).toISOString().slice(0, 16).replace('T', ' '));
    const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined;
    const opts: uPlot.Options = {
      title: this.title,
      width: this.width,
      height: this.height,
      cursor: { drag: { x: true, y: false } },
      legend: { show: true, live: true },
      // Days: one slot per day (x is its index), half a slot of room either side, each labelled with its date.
      scales: { x: daily ? { time: false, range: () => [-0.5, t.length - 0.5] } : { time: true } },
      axes: [daily ? { ...axis, space: 60, incrs: [1, 2, 5, 10, 30], values: (_u, splits) => splits.map((i) => (Number.isInteger(i) && t[i] !== undefined ? when(t[i]!) : '')) } : { ...axis, space: 80 }, { ...axis, size: 76, values: (_u, splits) => splits.map((v) => fmt(v)) }],
      series: [
        { label: daily ? 'day' : 'time', value: (_u: uPlot, v: number | null) => (v === null ? '—' : daily ? (t[v] !== undefined ? when(t[v]!) : '—') : when(v)) },
        ...series.map((x) => ({
          label: x.label,
          stroke: x.color,
          width: x.markers ? 0 : 1.5,
          ...(x.bars && bars ? { paths: bars, fill: `${x.color}66` } : x.fill ? { fill: x.fill } : {}),
          ...(x.markers ? { paths: () => null, points: { show: true, size: 9, fill: x.color, stroke: x.color } } : { spanGaps: true }),
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : fmt(v)),
        })),
      ],
    };
    this.plot = new uPlot(opts, [daily ? t.map((_x, i) => i) : (t as number[]), ...series.map((x) => x.y as (number | null)[])] as uPlot.AlignedData, this.el);
  }

  private resize(): void {
    if (!this.plot) return;
    const w = Math.max(240, Math.floor(this.el.clientWidth));
    if (w !== this.width) {
      this.width = w;
      this.plot.setSize({ width: w, height: this.height });
    }
  }
}
