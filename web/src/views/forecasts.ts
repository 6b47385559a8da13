/**
 * Forecasts: per instrument, the aggregated signal (the allocator's combined
 * score in [-1, 1]) and the target posture (signed weight of equity), with
 * the limits that bit and the strategies behind it.
 */
import type { ForecastEntryVM } from '../api/index.js';
import { h, KeyedTable, panel, scroller, setText } from '../ui/dom.js';
import { ago, DASH, fixed, money, pct, times } from '../ui/format.js';
import type { Store } from '../store.js';
import { forecastsOf } from '../derive.js';
import { cell, markPanel, StatusLine, type View } from './common.js';

/** A centred bar for a value in [-max, max]: grows right (green) or left (red) from the middle. */
function centreBar(td: HTMLElement, x: number | null, max: number, text: string): void {
  let bar = td.querySelector<HTMLElement>('.cbar-fill');
  let label = td.querySelector<HTMLElement>('.cbar-text');
  if (!bar || !label) {
    td.textContent = '';
    bar = h('span.cbar-fill');
    label = h('span.cbar-text');
    td.append(h('span.cbar', {}, bar), label);
  }
  setText(label, text);
  const f = x === null ? 0 : Math.max(-1, Math.min(1, x / max));
  const w = `${Math.abs(f) * 50}%`;
  const left = f >= 0 ? '50%' : `${50 - Math.abs(f) * 50}%`;
  if (bar.style.width !== w) bar.style.width = w;
  if (bar.style.left !== left) bar.style.left = left;
  bar.className = `cbar-fill ${f > 0 ? 'pos' : f < 0 ? 'neg' : ''}`;
}

function posture(w: number | null): string {
  if (w === null) return DASH;
  if (Math.abs(w) < 1e-4) return 'FLAT';
  return `${w > 0 ? 'LONG' : 'SHORT'} ${pct(Math.abs(w), 1)}`;
}

export function createForecastsView(store: Store): View {
  const status = new StatusLine(store, ['forecasts']);
  const table = new KeyedTable<ForecastEntryVM>(
    [
      { title: 'Symbol', cell: (td, e) => cell(td, e.symbol, 'sym') },
      { title: 'Signal', kind: 'num', tip: 'combined score, -1 short .. +1 long', cell: (td, e) => centreBar(td, e.score, 1, e.score === null ? DASH : fixed(e.score, 3)) },
      { title: 'Evidence', wide: true, kind: 'num', tip: 'sum of weight x confidence behind the score', cell: (td, e) => cell(td, fixed(e.evidence, 2)) },
      { title: 'Vol', wide: true, kind: 'num', cell: (td, e) => cell(td, pct(e.vol, 1)) },
      { title: 'Target weight', kind: 'num', cell: (td, e) => centreBar(td, e.weight, 0.25, pct(e.weight, 2, true)) },
      { title: 'Posture', cell: (td, e) => cell(td, posture(e.weight), e.weight === null || Math.abs(e.weight) < 1e-4 ? 'muted' : e.weight > 0 ? 'pos' : 'neg') },
      { title: 'Limited by', wide: true, cell: (td, e) => cell(td, e.limitedBy.join(', ').replace(/_/g, ' '), 'warn-text') },
      {
        title: 'Contributors', wide: true,
        cell: (td, e) => {
          const top = [...e.contributors].sort((a, b) => Math.abs(b.contribution ?? 0) - Math.abs(a.contribution ?? 0));
          td.title = top.map((c) => `${c.strategyId} ${fixed(c.contribution, 3)}`).join('\n');
          cell(td, top.length ? top.slice(0, 3).map((c) => `${c.direction > 0 ? '+' : c.direction < 0 ? '−' : '·'}${c.strategyId}`).join(' ') + (top.length > 3 ? ` +${top.length - 3}` : '') : DASH, 'wrap');
        },
      },
    ],
    (e) => e.symbol,
    'no posture from the allocator yet',
  );
  const summary = h('div.kpis');
  const kpi = (label: string): HTMLElement => {
    const v = h('span.kpi-value', { 'data-kpi': label });
    summary.append(h('div.kpi', {}, h('span.kpi-label', {}, label), v));
    return v;
  };
  const kEquity = kpi('equity');
  const kGross = kpi('target gross / equity');
  const kNet = kpi('target net / equity');
  const kSeq = kpi('posture #');
  const kAge = kpi('computed');
  const tablePanel = panel('Aggregated signal and target posture', summary, scroller(table.el));
  const el = h('div.view', { 'data-view': 'forecasts' }, h('h1', {}, 'Forecasts'), status.el, tablePanel);

  function render(now: number): void {
    const l = status.render(now);
    markPanel(tablePanel, l);
    const f = forecastsOf(store);
    const entries = [...(f?.entries ?? [])].sort((a, b) => Math.abs(b.weight ?? 0) - Math.abs(a.weight ?? 0) || a.symbol.localeCompare(b.symbol));
    table.render(entries);
    setText(kEquity, money(f?.equity));
    // Posture gross and net are sums of weights: multiples of equity, shown like the Risk view's ratios.
    setText(kGross, times(f?.gross, 2));
    setText(kNet, times(f?.net, 2, true));
    // A sequence number (seeded from the clock on start), not a count: no thousands separators.
    setText(kSeq, f?.seq == null || !Number.isFinite(f.seq) ? DASH : String(f.seq));
    setText(kAge, ago(f?.ts, now));
  }

  return { id: 'forecasts', title: 'Forecasts', sections: ['forecasts'], el, render };
}
