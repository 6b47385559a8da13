/**
 * A sweep's results: every row as a table sorted by any column (click a
 * header; again to reverse), and a heatmap of the objective over two chosen
 * parameters, each cell coloured by its score with the score written in it
 * (the best over the other parameters when there are more than two).
 */
import type { SweepRowVM } from '../api/index.js';
import { h, clear, panel, scroller, setText } from '../ui/dom.js';
import { DASH, fixed, int, pct } from '../ui/format.js';

type Value = number | string | boolean | null | undefined;

interface Col {
  readonly key: string;
  readonly title: string;
  readonly tip?: string;
  readonly num: boolean;
  readonly value: (r: SweepRowVM, rank: number) => Value;
  readonly text: (r: SweepRowVM, rank: number) => string;
}

/** The last part of a configuration path: `strategies.params.trend_ma_cross.fast` reads "fast". */
export const shortPath = (p: string): string => p.slice(p.lastIndexOf('.') + 1);

/** An objective's value in its unit: returns and drawdowns are fractions (shown in %), ratios plain. */
export function scoreText(objective: string, x: number | null): string {
  return objective === 'total_return' || objective === 'annual_return' || objective === 'max_drawdown' ? pct(x, 2) : fixed(x, 2);
}

/** Ascending order of two cell values; null (unknown) sorts last in either direction (handled by the caller). */
function compare(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

export class SweepPanel {
  readonly el: HTMLElement;
  private readonly head = h('thead');
  private readonly body = h('tbody');
  private readonly xSel = h('select', { 'data-testid': 'heatmap-x', 'aria-label': 'heatmap columns' });
  private readonly ySel = h('select', { 'data-testid': 'heatmap-y', 'aria-label': 'heatmap rows' });
  private readonly grid = h('div.heatmap', { 'data-testid': 'heatmap' });
  private readonly note = h('p.muted.small');
  private rows: readonly SweepRowVM[] = [];
  private paths: readonly string[] = [];
  private objective = 'score';
  private sort: { key: string; dir: 1 | -1 } = { key: 'rank', dir: 1 };

  constructor() {
    const table = h('table.grid.sweep-table', { 'data-testid': 'sweep-table' }, this.head, this.body);
    this.xSel.addEventListener('change', () => this.drawHeatmap());
    this.ySel.addEventListener('change', () => this.drawHeatmap());
    this.el = h(
      'div.stack',
      { 'data-testid': 'sweep' },
      panel('Sweep results (click a column to sort)', scroller(table)),
      panel('Heatmap', h('div.toolbar', {}, h('label', {}, 'columns ', this.xSel), h('label', {}, 'rows ', this.ySel)), this.note, this.grid),
    );
  }

  show(sweep: { readonly objective: string; readonly paths: readonly string[]; readonly rows: readonly SweepRowVM[] }): void {
    const samePaths = sweep.paths.join('\u0000') === this.paths.join('\u0000');
    this.rows = sweep.rows;
    this.paths = sweep.paths;
    this.objective = sweep.objective;
    if (!samePaths) {
      this.sort = { key: 'rank', dir: 1 };
      for (const [sel, pick] of [[this.xSel, 0], [this.ySel, 1]] as const) {
        clear(sel);
        for (const p of this.paths) sel.append(h('option', { value: p, title: p }, shortPath(p)));
        sel.value = this.paths[Math.min(pick, this.paths.length - 1)] ?? '';
      }
    }
    this.drawTable();
    this.drawHeatmap();
  }

  private columns(): Col[] {
    const o = this.objective;
    return [
      { key: 'rank', title: '#', tip: `rank by ${o}, best first`, num: true, value: (_r, k) => k, text: (_r, k) => String(k) },
      ...this.paths.map((p): Col => ({ key: `param:${p}`, title: shortPath(p), tip: p, num: true, value: (r) => r.params[p], text: (r) => (r.params[p] === undefined ? DASH : String(r.params[p])) })),
      { key: 'score', title: `score (${o})`, tip: `the objective the sweep ranks by (${o})`, num: true, value: (r) => r.score, text: (r) => scoreText(o, r.score) },
      { key: 'totalReturn', title: 'Total return', num: true, value: (r) => r.summary?.totalReturn, text: (r) => pct(r.summary?.totalReturn, 2) },
      { key: 'sharpe', title: 'Sharpe', num: true, value: (r) => r.summary?.sharpe, text: (r) => fixed(r.summary?.sharpe, 2) },
      { key: 'maxDrawdown', title: 'Max drawdown', num: true, value: (r) => r.summary?.maxDrawdown, text: (r) => pct(r.summary?.maxDrawdown, 2) },
      { key: 'trades', title: 'Trades', num: true, value: (r) => r.summary?.trades, text: (r) => int(r.summary?.trades) },
      { key: 'error', title: 'Error', num: false, value: (r) => r.error, text: (r) => r.error ?? '' },
    ];
  }

  private drawTable(): void {
    const cols = this.columns();
    clear(this.head);
    const tr = h('tr');
    for (const c of cols) {
      const on = this.sort.key === c.key;
      const th = h('th', { class: `${c.num ? 'num' : 'text'} sortable`, title: c.tip ?? null, 'data-sort': c.key, 'aria-sort': on ? (this.sort.dir === 1 ? 'ascending' : 'descending') : 'none', tabindex: 0 }, c.title + (on ? (this.sort.dir === 1 ? ' ▲' : ' ▼') : ''));
      const click = (): void => {
        // A new column starts in its natural order: rank, parameters and drawdown ascending, figures descending (best first).
        const first: 1 | -1 = c.key === 'rank' || c.key === 'maxDrawdown' || c.key.startsWith('param:') || !c.num ? 1 : -1;
        this.sort = this.sort.key === c.key ? { key: c.key, dir: this.sort.dir === 1 ? -1 : 1 } : { key: c.key, dir: first };
        this.drawTable();
      };
      th.addEventListener('click', click);
      th.addEventListener('keydown', (ev) => (ev as KeyboardEvent).key === 'Enter' && click());
      tr.append(th);
    }
    this.head.append(tr);
    const col = cols.find((c) => c.key === this.sort.key) ?? cols[0]!;
    const ranked = this.rows.map((r, i) => ({ r, rank: i + 1 }));
    ranked.sort((a, b) => {
      const va = col.value(a.r, a.rank);
      const vb = col.value(b.r, b.rank);
      const na = va === null || va === undefined;
      const nb = vb === null || vb === undefined;
      if (na || nb) return na === nb ? a.rank - b.rank : na ? 1 : -1;
      return compare(va, vb) * this.sort.dir || a.rank - b.rank;
    });
    clear(this.body);
    if (ranked.length === 0) this.body.append(h('tr.empty', {}, h('td', { colspan: cols.length }, 'no rows yet')));
    for (const { r, rank } of ranked) {
      this.body.append(h('tr', { 'data-key': String(r.index), class: r.error ? 'bad' : '' }, ...cols.map((c) => h('td', { class: c.num ? 'num' : 'text' }, c.text(r, rank)))));
    }
  }

  private drawHeatmap(): void {
    const px = this.xSel.value;
    const py = this.ySel.value;
    clear(this.grid);
    const distinct = (p: string): Value[] => [...new Set(this.rows.map((r) => r.params[p]).filter((v) => v !== undefined))].sort(compare);
    const xs = distinct(px);
    const ys = px === py ? [null] : distinct(py);
    // Best score per cell (other parameters may vary within it).
    const best = new Map<string, number>();
    for (const r of this.rows) {
      if (r.score === null) continue;
      const k = `${String(r.params[px])}\u0000${px === py ? 'null' : String(r.params[py])}`;
      if (!best.has(k) || r.score > best.get(k)!) best.set(k, r.score);
    }
    const scores = [...best.values()];
    const lo = Math.min(...scores);
    const hi = Math.max(...scores);
    setText(this.note, this.paths.length > 2 ? `best ${this.objective} over the other parameters; colour from red (${scoreText(this.objective, lo)}) to green (${scoreText(this.objective, hi)})` : scores.length ? `${this.objective}: red ${scoreText(this.objective, lo)} to green ${scoreText(this.objective, hi)}` : 'no scores yet');
    if (xs.length === 0) return;
    this.grid.style.gridTemplateColumns = `auto repeat(${xs.length}, minmax(58px, 1fr))`;
    this.grid.append(h('div.hm-corner', {}, px === py ? shortPath(px) : `${shortPath(py)} \\ ${shortPath(px)}`));
    for (const x of xs) this.grid.append(h('div.hm-head', { 'data-x': String(x) }, String(x)));
    for (const y of ys) {
      this.grid.append(h('div.hm-head.hm-row', { 'data-y': String(y) }, y === null ? '' : String(y)));
      for (const x of xs) {
        const s = best.get(`${String(x)}\u0000${String(y)}`);
        const f = s === undefined || hi === lo ? 0.5 : (s - lo) / (hi - lo);
        const cell = h(
          'div.hm-cell',
          { 'data-x': String(x), 'data-y': String(y), 'data-score': s === undefined ? '' : String(s), title: `${shortPath(px)} ${String(x)}${y === null ? '' : ` · ${shortPath(py)} ${String(y)}`} · ${this.objective} ${s === undefined ? DASH : scoreText(this.objective, s)}` },
          s === undefined ? DASH : scoreText(this.objective, s),
        );
        if (s !== undefined) cell.style.background = `hsl(${Math.round(f * 120)}, 55%, ${22 + Math.round(f * 8)}%)`;
        this.grid.append(cell);
      }
    }
  }
}
