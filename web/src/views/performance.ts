/**
 * Performance: the book over time, as the daemon records it (and keeps
 * across restarts). The equity curve and its drawdown, P&L per day,
 * exposure over time, one instrument's price with the fills on it, the
 * closed trades (first in, first out) with their P&L and holding time,
 * those trades summed per instrument, and each strategy's P&L as the
 * allocator attributes it. Every axis carries its unit.
 */
import { h, KeyedTable, panel, scroller, setText } from '../ui/dom.js';
import { SeriesChart } from '../ui/series-chart.js';
import { DASH, duration, fixed, money, pct, price, qty, times } from '../ui/format.js';
import type { Store } from '../store.js';
import { strategiesOf } from '../derive.js';
import type { StrategyVM } from '../api/index.js';
import { isObj, num, objs } from '../api/normalise.js';
import { cell, markPanel, StatusLine, type View } from './common.js';


interface Trade {
  readonly symbol: string;
  readonly side: string;
  readonly qty: number | null;
  readonly entryPrice: number | null;
  readonly exitPrice: number | null;
  readonly exitAt: number | null;
  readonly pnl: number | null;
  readonly returnFrac: number | null;
  readonly holdingMs: number | null;
}

interface Inst {
  readonly symbol: string;
  readonly trades: number | null;
  readonly winRate: number | null;
  readonly realizedPnl: number | null;
  readonly avgHoldingMs: number | null;
}

const signed$ = (x: number | null): string => (x === null ? DASH : `${x > 0 ? '+' : ''}${money(x, 2)}`);
const pnlClass = (x: number | null): string => (x === null ? '' : x > 0 ? 'pos' : x < 0 ? 'neg' : '');
const dateTime = (at: number | null): string => (at === null ? DASH : new Date(at).toISOString().slice(0, 16).replace('T', ' '));

export function createPerformanceView(store: Store): View {
  const status = new StatusLine(store, ['performance']);
  const kpis = h('div.kpis');
  const kpi = (label: string, tip: string): HTMLElement => {
    const v = h('span.kpi-value', { 'data-kpi': label });
    kpis.append(h('div.kpi', { title: tip }, h('span.kpi-label', {}, label), v));
    return v;
  };
  const kEquity = kpi('equity', 'dollars, at the last sample');
  const kPeak = kpi('peak', 'the highest equity sampled, dollars');
  const kDd = kpi('drawdown', 'below the peak now');
  const kMaxDd = kpi('max drawdown', 'the deepest sampled');
  const kRealized = kpi('closed P&L', 'P&L of the closed trades, dollars');
  const kTrades = kpi('closed trades', 'round trips, first in first out');
  const kWin = kpi('win rate', 'closed trades with P&L above 0');

  const equity = new SeriesChart('Equity ($)', 'equity', (v) => money(v, 0), '#4fc3f7', 200);
  const drawdown = new SeriesChart('Drawdown (% below peak)', 'below peak', (v) => pct(v, 2), '#e57373', 150, 'rgba(229,115,115,0.25)');
  const days = new SeriesChart('P&L per day ($, UTC days)', 'P&L', (v) => money(v, 0), '#81c784', 170);
  const exposure = new SeriesChart('Exposure (× equity)', 'gross', (v) => times(v, 2), '#ffb74d', 170);
  const priceChart = new SeriesChart('Price ($) with fills', 'price', (v) => price(v), '#90a4ae', 220);
  const symbolSelect = h('select', { 'data-testid': 'perf-symbol', 'aria-label': 'instrument' });
  symbolSelect.addEventListener('change', () => {
    drawn = -1;
    render(Date.now());
  });

  const trades = new KeyedTable<Trade & { key: string }>(
    [
      { title: 'Closed', kind: 'num', cell: (td, t) => cell(td, dateTime(t.exitAt)) },
      { title: 'Symbol', cell: (td, t) => cell(td, t.symbol, 'sym') },
      { title: 'Side', cell: (td, t) => cell(td, t.side) },
      { title: 'Qty', kind: 'num', tip: 'shares', cell: (td, t) => cell(td, qty(t.qty)) },
      { title: 'Entry', kind: 'num', tip: 'dollars per share', cell: (td, t) => cell(td, price(t.entryPrice)) },
      { title: 'Exit', kind: 'num', tip: 'dollars per share', cell: (td, t) => cell(td, price(t.exitPrice)) },
      { title: 'P&L', kind: 'num', tip: 'dollars', cell: (td, t) => cell(td, signed$(t.pnl), pnlClass(t.pnl)) },
      { title: 'Return', kind: 'num', tip: 'P&L over entry notional', cell: (td, t) => cell(td, pct(t.returnFrac, 2, true), pnlClass(t.returnFrac)) },
      { title: 'Held', kind: 'num', cell: (td, t) => cell(td, t.holdingMs === null ? DASH : duration(t.holdingMs)) },
    ],
    (t) => t.key,
    'no closed trades yet',
  );
  const perInst = new KeyedTable<Inst>(
    [
      { title: 'Symbol', cell: (td, r) => cell(td, r.symbol, 'sym') },
      { title: 'Trades', kind: 'num', cell: (td, r) => cell(td, r.trades === null ? DASH : String(r.trades)) },
      { title: 'Win rate', kind: 'num', cell: (td, r) => cell(td, pct(r.winRate, 0)) },
      { title: 'Closed P&L', kind: 'num', tip: 'dollars', cell: (td, r) => cell(td, signed$(r.realizedPnl), pnlClass(r.realizedPnl)) },
      { title: 'Avg held', kind: 'num', cell: (td, r) => cell(td, r.avgHoldingMs === null ? DASH : duration(r.avgHoldingMs)) },
    ],
    (r) => r.symbol,
    'no closed trades yet',
  );

  const perStrategy = new KeyedTable<StrategyVM>(
    [
      { title: 'Strategy', cell: (td, r) => cell(td, r.id) },
      { title: 'Family', wide: true, cell: (td, r) => cell(td, r.family ?? DASH) },
      { title: 'P&L', kind: 'num', tip: 'dollars the allocator attributes to its votes', cell: (td, r) => cell(td, signed$(r.pnl), pnlClass(r.pnl)) },
      { title: 'Hit rate', kind: 'num', tip: 'learning periods with attributed P&L above 0', cell: (td, r) => cell(td, pct(r.hitRate, 0)) },
      { title: 'Learned weight', kind: 'num', tip: 'on its votes (1 neutral)', cell: (td, r) => cell(td, r.learnedWeight === null ? DASH : `${fixed(r.learnedWeight, 2)}×`) },
      { title: 'Signals', wide: true, kind: 'num', cell: (td, r) => cell(td, r.signals === null ? DASH : String(r.signals)) },
    ],
    (r) => r.id,
    'no strategy has reported yet',
  );
  const curve = panel('Equity and drawdown', kpis, h('div.charts', {}, equity.el, drawdown.el));
  const dayPanel = panel('P&L per day and exposure', h('div.charts', {}, days.el, exposure.el));
  const pricePanel = panel('Price with entries and exits', h('div.controls', {}, h('label.inline', {}, h('span', {}, 'Instrument'), symbolSelect), h('span.muted.small', {}, 'buys ▲ green, sells ▼ red')), priceChart.el);
  const tradesPanel = panel('Closed trades (first in, first out)', scroller(trades.el));
  const instPanel = panel('Per instrument', scroller(perInst.el));
  const stratPanel = panel('Per strategy (attributed by the allocator)', scroller(perStrategy.el));
  const el = h('div.view', { 'data-view': 'performance' }, h('h1', {}, 'Performance'), status.el, curve, dayPanel, pricePanel, h('div.row2', {}, instPanel, stratPanel), tradesPanel);
  let drawn = -1;

  function render(now: number): void {
    const l = status.render(now);
    for (const p of [curve, dayPanel, pricePanel, tradesPanel, instPanel]) markPanel(p, l);
    markPanel(stratPanel, store.liveness('strategies', now));
    perStrategy.render([...(strategiesOf(store)?.strategies ?? [])].sort((a, b) => (b.pnl ?? -Infinity) - (a.pnl ?? -Infinity) || a.id.localeCompare(b.id)));
    const slot = store.slots.performance;
    const s = isObj(slot.value) ? slot.value : null;
    setText(kEquity, money(num(s?.equity), 0));
    setText(kPeak, money(num(s?.peak), 0));
    setText(kDd, pct(num(s?.drawdown), 2));
    setText(kMaxDd, pct(num(s?.maxDrawdown), 2));
    const closed = isObj(s?.closed) ? s.closed : null;
    setText(kRealized, signed$(num(closed?.realizedPnl)));
    setText(kTrades, num(closed?.trades) === null ? DASH : fixed(num(closed?.trades), 0));
    setText(kWin, pct(num(closed?.winRate), 0));
    trades.render(
      objs(s?.trades)
        .slice(0, 200)
        .map((t, i) => ({ symbol: String(t.symbol ?? '?'), side: String(t.side ?? '?'), qty: num(t.qty), entryPrice: num(t.entryPrice), exitPrice: num(t.exitPrice), exitAt: num(t.exitAt), pnl: num(t.pnl), returnFrac: num(t.returnFrac), holdingMs: num(t.holdingMs), key: `${t.exitAt}|${t.symbol}|${i}` })),
    );
    perInst.render(objs(s?.byInstrument).map((r) => ({ symbol: String(r.symbol ?? '?'), trades: num(r.trades), winRate: num(r.winRate), realizedPnl: num(r.realizedPnl), avgHoldingMs: num(r.avgHoldingMs) })));
    // Charts: redrawn when the section changed (or the instrument did), and only on screen.
    if (!s || slot.version === drawn || !el.isConnected) return;
    drawn = slot.version;
    const pts = objs(s.points);
    const t = pts.map((p) => (num(p.t) ?? 0) / 1000);
    equity.show(t, pts.map((p) => num(p.equity) ?? Number.NaN));
    drawdown.show(t, pts.map((p) => num(p.drawdown) ?? Number.NaN));
    exposure.showMany(t, [
      { label: 'gross', y: pts.map((p) => num(p.grossRatio)), color: '#ffb74d' },
      { label: 'net', y: pts.map((p) => num(p.netRatio)), color: '#4fc3f7' },
    ]);
    const d = objs(s.days);
    days.showMany(d.map((x) => Date.parse(`${String(x.day)}T12:00:00Z`) / 1000), [{ label: 'P&L', y: d.map((x) => num(x.pnl)), color: '#81c784', bars: true }], 'date');
    const prices = isObj(s.prices) ? s.prices : {};
    const symbols = Object.keys(prices).sort();
    if (symbolSelect.options.length !== symbols.length) {
      const keep = symbolSelect.value;
      symbolSelect.textContent = '';
      for (const sym of symbols) symbolSelect.append(h('option', { value: sym }, sym));
      const marks0 = isObj(s.marks) ? s.marks : {};
      // Default: an instrument that has fills, else the first.
      symbolSelect.value = symbols.includes(keep) ? keep : (symbols.find((x) => objs(marks0[x]).length > 0) ?? symbols[0] ?? '');
    }
    const sym = symbolSelect.value;
    const series = objs(prices[sym]);
    const marks = objs((isObj(s.marks) ? s.marks : {})[sym]);
    // One time axis for the price samples and the fills; each fill a marker at its price.
    const rows = [...series.map((p) => ({ t: num(p.t) ?? 0, price: num(p.price), buy: null as number | null, sell: null as number | null })), ...marks.map((m) => ({ t: num(m.t) ?? 0, price: null, buy: m.side === 'buy' ? num(m.price) : null, sell: m.side === 'sell' ? num(m.price) : null }))].sort((a, b) => a.t - b.t);
    priceChart.showMany(rows.map((r) => r.t / 1000), [
      { label: `${sym} ($)`, y: rows.map((r) => r.price), color: '#90a4ae' },
      { label: 'buys', y: rows.map((r) => r.buy), color: '#66bb6a', markers: true },
      { label: 'sells', y: rows.map((r) => r.sell), color: '#ef5350', markers: true },
    ]);
  }

  return { id: 'performance', title: 'Performance', sections: ['performance', 'strategies'], el, render };
}
