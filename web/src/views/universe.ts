/**
 * Universe: the instruments of the chosen focus (PM 20 or broad 44) with
 * last price, change, volatility, spread and data status. A row whose data
 * is not fresh, or has not moved for a while, is greyed with its age.
 */
import { h, KeyedTable, panel, scroller, setData, setText } from '../ui/dom.js';
import { DASH, duration, fixed, pct, price } from '../ui/format.js';
import { LIVE_MAX_AGE_MS, type Store } from '../store.js';
import { universeOf, type InstrumentRow } from '../derive.js';
import { cell, chip, markPanel, StatusLine, type View } from './common.js';

export function createUniverseView(store: Store): View {
  const status = new StatusLine(store, ['universe']);
  const lastPrice = new Map<string, number>();
  const moved = new Map<string, { up: boolean; at: number }>();
  let now = Date.now();
  /** Age of the data itself (its exchange time); the receipt time when that clock is implausible (virtual time). */
  const dataAge = (r: InstrumentRow): number | null => {
    if (r.lastUpdateAt !== null && Math.abs(now - r.lastUpdateAt) < 86_400_000) return Math.max(0, now - r.lastUpdateAt);
    return r.receivedAt === null ? null : now - r.receivedAt;
  };
  const rowStale = (r: InstrumentRow): boolean => {
    const age = dataAge(r);
    return !store.connected || r.status !== 'fresh' || age === null || age > LIVE_MAX_AGE_MS;
  };
  const table = new KeyedTable<InstrumentRow>(
    [
      { title: 'Symbol', cell: (td, r) => cell(td, r.symbol, 'sym') },
      { title: 'Name', wide: true, cell: (td, r) => cell(td, r.name ?? DASH, 'name') },
      { title: 'Class', wide: true, cell: (td, r) => cell(td, (r.assetClass ?? DASH).replace(/_/g, ' ')) },
      { title: 'Metal', wide: true, cell: (td, r) => cell(td, r.metal ?? DASH) },
      {
        title: 'Last',
        kind: 'num',
        cell: (td, r) => {
          const prev = lastPrice.get(r.symbol);
          if (prev !== undefined && r.price !== null && r.price !== prev) moved.set(r.symbol, { up: r.price > prev, at: now });
          if (r.price !== null) lastPrice.set(r.symbol, r.price);
          const m = moved.get(r.symbol);
          cell(td, price(r.price), m && now - m.at < 700 ? (m.up ? 'tick-up' : 'tick-down') : '');
          setData(td, 'price', r.price === null ? null : String(r.price));
        },
      },
      { title: 'Change', kind: 'num', cell: (td, r) => cell(td, pct(r.change, 2, true), r.change === null ? '' : r.change > 0 ? 'pos' : r.change < 0 ? 'neg' : '') },
      { title: 'Vol (ann.)', kind: 'num', cell: (td, r) => cell(td, pct(r.vol, 1)) },
      { title: 'Spread', wide: true, kind: 'num', tip: 'basis points', cell: (td, r) => cell(td, r.spreadBps === null ? DASH : `${fixed(r.spreadBps, 1)} bp`) },
      { title: 'Data', cell: (td, r) => chip(td, r.status, r.status === 'fresh' ? 'ok' : r.status === 'gap' ? 'bad' : r.status === 'stale' ? 'warn' : null) },
      { title: 'Age', kind: 'num', tip: 'age of the last update', cell: (td, r) => cell(td, dataAge(r) === null ? DASH : duration(dataAge(r)), rowStale(r) ? 'stale-age' : '') },
    ],
    (r) => r.symbol,
    'no instruments yet',
  );
  const pm = h('button', { type: 'button', 'data-focus': 'pm', onclick: () => store.setFocus('pm') }, 'PM (20)');
  const broad = h('button', { type: 'button', 'data-focus': 'broad', onclick: () => store.setFocus('broad') }, 'Broad (44)');
  const counts = h('span.muted.small', { 'data-testid': 'universe-counts' });
  const tablePanel = panel('Instruments', h('div.toolbar', {}, h('div.segmented', { role: 'group', 'aria-label': 'focus' }, pm, broad), counts), scroller(table.el));
  const el = h('div.view', { 'data-view': 'universe' }, h('h1', {}, 'Universe'), status.el, tablePanel);

  function render(t: number): void {
    now = t;
    const l = status.render(now);
    markPanel(tablePanel, l);
    pm.classList.toggle('on', store.focus === 'pm');
    broad.classList.toggle('on', store.focus === 'broad');
    const u = universeOf(store);
    const rows = u?.rows ?? [];
    table.render(rows, (r) => (rowStale(r) ? 'stale' : ''));
    const n = { fresh: 0, stale: 0, gap: 0, unknown: 0 };
    for (const r of rows) n[r.status ?? 'unknown']++;
    setText(counts, u ? `${rows.length} instruments · ${n.fresh} fresh · ${n.stale} stale · ${n.gap} gap${n.unknown ? ` · ${n.unknown} no status` : ''}` : '');
  }

  return { id: 'universe', title: 'Universe', sections: ['universe'], el, render };
}
