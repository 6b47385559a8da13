/**
 * Universe: the instruments of the chosen focus (PM 20 or broad 44) with
 * last price, change, volatility, spread and data status. A row whose data
 * is not fresh, or has not moved for a while, is greyed with its age. A
 * sparkline beside the change draws the daemon's recorded prices (the
 * performance record: the whole run, coarser with age).
 */
import { h, KeyedTable, panel, scroller, setData, setText } from '../ui/dom.js';
import { DASH, duration, fixed, pct, price } from '../ui/format.js';
import { LIVE_MAX_AGE_MS, type Store } from '../store.js';
import { universeOf, type InstrumentRow } from '../derive.js';
import { cell, chip, markPanel, StatusLine, type View } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';
const SPARK_W = 90;
const SPARK_H = 22;

/** The recorded prices of each instrument (performance section), oldest first. */
function recordedPrices(store: Store): Map<string, { t: number; price: number }[]> {
  const v = store.slots.performance.value as { prices?: Record<string, { t?: unknown; price?: unknown }[]> } | null;
  const out = new Map<string, { t: number; price: number }[]>();
  for (const [sym, pts] of Object.entries(v?.prices ?? {})) {
    if (!Array.isArray(pts)) continue;
    out.set(sym, pts.flatMap((p) => (typeof p?.t === 'number' && typeof p?.price === 'number' ? [{ t: p.t, price: p.price }] : [])));
  }
  return out;
}

/** Draws a price series into the cell as an SVG polyline, rising green and falling red; its title says the span and the move. */
function sparkline(td: HTMLElement, pts: readonly { t: number; price: number }[] | undefined): void {
  let svg = td.querySelector('svg');
  if (!svg) {
    td.textContent = '';
    svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('width', String(SPARK_W));
    svg.setAttribute('height', String(SPARK_H));
    svg.setAttribute('class', 'spark');
    svg.append(document.createElementNS(SVG, 'polyline'));
    td.append(svg);
  }
  const line = svg.firstElementChild as SVGPolylineElement;
  const s = (pts ?? []).slice(-120);
  if (s.length < 2) {
    line.setAttribute('points', '');
    td.title = 'not enough recorded prices yet';
    td.dataset.points = String(s.length);
    return;
  }
  const lo = Math.min(...s.map((p) => p.price));
  const hi = Math.max(...s.map((p) => p.price));
  const t0 = s[0].t;
  const span = Math.max(1, s[s.length - 1].t - t0);
  const y = (p: number): number => (hi === lo ? SPARK_H / 2 : SPARK_H - 2 - ((p - lo) / (hi - lo)) * (SPARK_H - 4));
  line.setAttribute('points', s.map((p) => `${(((p.t - t0) / span) * (SPARK_W - 2) + 1).toFixed(1)},${y(p.price).toFixed(1)}`).join(' '));
  const first = s[0].price;
  const last = s[s.length - 1].price;
  line.setAttribute('class', last > first ? 'up' : last < first ? 'down' : 'flat');
  td.title = `${duration(span)}: $${price(first)} to $${price(last)} (${pct(last / first - 1, 2, true)}), low $${price(lo)}, high $${price(hi)}`;
  td.dataset.points = String(s.length);
}

export function createUniverseView(store: Store): View {
  let recorded = new Map<string, { t: number; price: number }[]>();
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
      { title: 'Trend', wide: true, tip: 'recorded prices over the run (hover for the span and the move)', cell: (td, r) => sparkline(td, recorded.get(r.symbol)) },
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
    recorded = recordedPrices(store);
    const u = universeOf(store);
    const rows = u?.rows ?? [];
    table.render(rows, (r) => (rowStale(r) ? 'stale' : ''));
    const n = { fresh: 0, stale: 0, gap: 0, unknown: 0 };
    for (const r of rows) n[r.status ?? 'unknown']++;
    setText(counts, u ? `${rows.length} instruments · ${n.fresh} fresh · ${n.stale} stale · ${n.gap} gap${n.unknown ? ` · ${n.unknown} no status` : ''}` : '');
  }

  return { id: 'universe', title: 'Universe', sections: ['universe', 'performance'], el, render };
}
