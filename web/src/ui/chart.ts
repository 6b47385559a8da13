/**
 * A streaming line chart on uPlot: a fixed set of series over a rolling
 * time window, redrawn with setData (cheap) and rebuilt only when the set of
 * series changes (a worker appeared). Sized to its container.
 */
import uPlot from 'uplot';
import { h } from './dom.js';
import { clock as clockOf } from './format.js';

export const PALETTE = ['#4fc3f7', '#ffb74d', '#81c784', '#e57373', '#ba68c8', '#fff176', '#4db6ac', '#f06292', '#90a4ae', '#aed581', '#7986cb', '#ff8a65'];

export interface SeriesDef {
  readonly label: string;
  readonly color?: string;
}

export class StreamChart {
  readonly el: HTMLDivElement;
  private plot: uPlot | null = null;
  private keys = '';
  private width = 0;
  private readonly observer: ResizeObserver;

  constructor(
    private readonly title: string,
    private readonly unit: string,
    private readonly height = 180,
  ) {
    this.el = h('div.chart', { 'data-chart': title });
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(this.el);
  }

  /** Draws `data` ([t, ...series]); rebuilds when the series change. */
  update(series: readonly SeriesDef[], data: readonly (readonly (number | null)[])[]): void {
    const keys = series.map((s) => s.label).join('\u0000');
    if (!this.plot || keys !== this.keys) this.build(series, keys);
    this.plot!.setData(data as uPlot.AlignedData);
  }

  private build(series: readonly SeriesDef[], keys: string): void {
    this.plot?.destroy();
    this.keys = keys;
    this.width = Math.max(200, Math.floor(this.el.clientWidth || 400));
    const unit = this.unit;
    const fmt = (v: number | null): string => (v === null || !Number.isFinite(v) ? '—' : `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit}`);
    // Dots only while a series has too few points to draw a line (just after load or a reconnect).
    const sparse = (u: uPlot, si: number): boolean => (u.data[si] as (number | null)[]).filter((v) => v !== null).length < 3;
    const axis: uPlot.Axis = { stroke: '#8a96a3', grid: { stroke: '#232b35', width: 1 }, ticks: { stroke: '#232b35', width: 1 }, font: '11px system-ui, sans-serif' };
    const opts: uPlot.Options = {
      // The unit in the title: the axis carries numbers only.
      title: `${this.title} (${unit})`,
      width: this.width,
      height: this.height,
      cursor: { drag: { x: false, y: false } },
      legend: { show: series.length <= 6, live: true },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [{ ...axis, space: 70, incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300], values: (_u, splits) => splits.map((v) => clockOf(v * 1000)) }, { ...axis, size: 54, values: (_u, splits) => splits.map((v) => (v >= 1000 ? `${(v / 1000).toFixed(1)}k` : String(+v.toFixed(2)))) }],
      series: [
        { label: 'time', value: (_u: uPlot, v: number | null) => (v === null ? '—' : clockOf(v * 1000)) },
        ...series.map((s, i) => ({ label: s.label, stroke: s.color ?? PALETTE[i % PALETTE.length], width: 1.5, spanGaps: false, points: { show: sparse, size: 4 }, value: (_u: uPlot, v: number | null) => fmt(v) })),
      ],
    };
    this.plot = new uPlot(opts, [[], ...series.map(() => [])] as uPlot.AlignedData, this.el);
  }

  private resize(): void {
    if (!this.plot) return;
    const w = Math.max(200, Math.floor(this.el.clientWidth));
    if (w !== this.width) {
      this.width = w;
      this.plot.setSize({ width: w, height: this.height });
    }
  }
}
