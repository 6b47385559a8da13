/**
 * Orders and positions: reconciliation status, positions with P&L (marked
 * at the daemon's mark or else the last tick), open orders, recent orders
 * and fills. Order updates and fills arrive on the stream between polls.
 */
import type { FillVM, OrderVM, PositionVM } from '../api/index.js';
import { h, KeyedTable, panel, scroller, setData, setText } from '../ui/dom.js';
import { ago, clock, DASH, int, money, pct, price, qty, signClass } from '../ui/format.js';
import type { Store } from '../store.js';
import { lastPrices, ordersOf, positionsOf } from '../derive.js';
import { cell, chip, markPanel, StatusLine, type View } from './common.js';

interface PositionRow extends PositionVM {
  readonly mark: number | null;
  readonly value: number | null;
  readonly unrealized: number | null;
}

/** "limit", "stop limit", "trailing stop", with the class first ("bracket market") and what the order is to another ("leg", "repl."). */
export function orderTypeText(o: OrderVM): string {
  if (o.orderType === null) return DASH;
  const parts = [o.orderClass, o.orderType.replace('_', ' '), o.parentClientOrderId ? 'leg' : null, o.replaces ? 'repl.' : null];
  return parts.filter((p) => p !== null).join(' ');
}

/** The price that defines the order: a limit's, a stop's, "stop / limit" for a stop limit, the trail in % for a trailing stop. */
export function orderPriceText(o: OrderVM): string {
  switch (o.orderType) {
    case 'limit':
      return price(o.limitPrice);
    case 'stop':
      return price(o.stopPrice);
    case 'stop_limit':
      return `${price(o.stopPrice)} / ${price(o.limitPrice)}`;
    case 'trailing_stop':
      return o.trailPercent === null ? DASH : `${o.trailPercent.toFixed(2)}%`;
    default:
      return DASH;
  }
}

function orderColumns(now: () => number) {
  return [
    { title: 'Time', kind: 'num' as const, cell: (td: HTMLTableCellElement, o: OrderVM) => cell(td, clock(o.ts)) },
    { title: 'Client order id', wide: true, cell: (td: HTMLTableCellElement, o: OrderVM) => ((td.title = o.clientOrderId), cell(td, o.clientOrderId.length > 22 ? '…' + o.clientOrderId.slice(-21) : o.clientOrderId, 'mono')) },
    { title: 'Symbol', cell: (td: HTMLTableCellElement, o: OrderVM) => cell(td, o.symbol, 'sym') },
    { title: 'Side', cell: (td: HTMLTableCellElement, o: OrderVM) => cell(td, o.side.toUpperCase(), o.side === 'buy' ? 'pos' : 'neg') },
    { title: 'Type', tip: 'order type, with its class (bracket, oco, oto), "leg" for a leg and "repl." for a replacement', cell: (td: HTMLTableCellElement, o: OrderVM) => cell(td, orderTypeText(o)) },
    { title: 'Qty', kind: 'num' as const, cell: (td: HTMLTableCellElement, o: OrderVM) => cell(td, qty(o.qty)) },
    { title: 'Price', kind: 'num' as const, tip: 'limit price, stop price (stop limit: stop / limit), or a trailing stop\'s trail', cell: (td: HTMLTableCellElement, o: OrderVM) => cell(td, orderPriceText(o)) },
    { title: 'Filled', wide: true, kind: 'num' as const, cell: (td: HTMLTableCellElement, o: OrderVM) => cell(td, qty(o.filledQty)) },
    { title: 'Avg price', wide: true, kind: 'num' as const, cell: (td: HTMLTableCellElement, o: OrderVM) => cell(td, price(o.filledAvgPrice)) },
    { title: 'Status', cell: (td: HTMLTableCellElement, o: OrderVM) => chip(td, o.status ?? o.submission, o.status === 'filled' ? 'ok' : o.status === 'rejected' || o.submission === 'rejected' || o.submission === 'lost' ? 'bad' : o.submission === 'ambiguous' ? 'warn' : 'muted') },
    { title: 'Last event', wide: true, cell: (td: HTMLTableCellElement, o: OrderVM) => cell(td, o.event ?? DASH) },
    { title: 'Age', kind: 'num' as const, cell: (td: HTMLTableCellElement, o: OrderVM) => cell(td, ago(o.ts, now())) },
  ];
}

export function createOrdersView(store: Store): View {
  const status = new StatusLine(store, ['positions', 'orders', 'fills']);
  let now = Date.now();
  const positions = new KeyedTable<PositionRow>(
    [
      { title: 'Symbol', cell: (td, p) => cell(td, p.symbol, 'sym') },
      { title: 'Qty', kind: 'num', cell: (td, p) => cell(td, qty(p.qty), signClass(p.qty)) },
      { title: 'Avg price', wide: true, kind: 'num', cell: (td, p) => cell(td, price(p.avgPrice)) },
      { title: 'Mark', kind: 'num', cell: (td, p) => cell(td, price(p.mark)) },
      { title: 'Value', wide: true, kind: 'num', cell: (td, p) => cell(td, money(p.value)) },
      { title: 'Unrealized', kind: 'num', cell: (td, p) => cell(td, money(p.unrealized, 2), signClass(p.unrealized)) },
      { title: 'Realized', wide: true, kind: 'num', cell: (td, p) => cell(td, money(p.realizedPnl, 2), signClass(p.realizedPnl)) },
      { title: 'Pending', wide: true, kind: 'num', tip: 'signed unfilled quantity of open orders', cell: (td, p) => cell(td, p.pendingQty ? qty(p.pendingQty) : DASH) },
    ],
    (p) => p.symbol,
    'no positions',
  );
  const open = new KeyedTable<OrderVM>(orderColumns(() => now), (o) => o.clientOrderId, 'no open orders', 'open-orders');
  const recent = new KeyedTable<OrderVM>(orderColumns(() => now), (o) => o.clientOrderId, 'no recent orders');
  const fills = new KeyedTable<FillVM>(
    [
      { title: 'Time', kind: 'num', cell: (td, f) => cell(td, clock(f.ts)) },
      { title: 'Symbol', cell: (td, f) => cell(td, f.symbol, 'sym') },
      { title: 'Side', cell: (td, f) => cell(td, f.side.toUpperCase(), f.side === 'buy' ? 'pos' : 'neg') },
      { title: 'Qty', kind: 'num', cell: (td, f) => cell(td, qty(f.qty)) },
      { title: 'Price', kind: 'num', cell: (td, f) => cell(td, price(f.price)) },
      { title: 'Notional', wide: true, kind: 'num', cell: (td, f) => cell(td, money(f.qty !== null && f.price !== null ? f.qty * f.price : null)) },
      { title: 'Execution id', wide: true, cell: (td, f) => cell(td, f.executionId + (f.synthetic ? ' (reconciled)' : ''), 'mono') },
    ],
    (f) => f.executionId,
    'no fills yet',
  );
  const recon = h('div.recon', { 'data-testid': 'reconciliation', 'data-state': 'unknown' });
  const kpis = h('div.kpis');
  const kpi = (label: string): HTMLElement => {
    const v = h('span.kpi-value', { 'data-kpi': label });
    kpis.append(h('div.kpi', {}, h('span.kpi-label', {}, label), v));
    return v;
  };
  const kOpen = kpi('open orders');
  const kPos = kpi('positions');
  const kValue = kpi('gross value');
  const kUnreal = kpi('unrealized');
  const kReal = kpi('realized');
  const posPanel = panel('Positions', recon, kpis, scroller(positions.el));
  const openPanel = panel('Open orders', scroller(open.el));
  const fillsPanel = panel('Recent fills', scroller(fills.el));
  const recentPanel = panel('Recent orders', scroller(recent.el));
  const el = h('div.view', { 'data-view': 'orders' }, h('h1', {}, 'Orders and positions'), status.el, posPanel, openPanel, h('div.row2', {}, fillsPanel, recentPanel));

  function render(t: number): void {
    now = t;
    const l = status.render(now);
    for (const p of [posPanel, openPanel, fillsPanel, recentPanel]) markPanel(p, l);
    const pv = positionsOf(store);
    const marks = lastPrices(store);
    const rows: PositionRow[] = (pv?.positions ?? []).map((p) => {
      const mark = p.markPrice ?? marks.get(p.symbol)?.price ?? null;
      return { ...p, mark, value: mark === null ? null : mark * p.qty, unrealized: mark === null || p.avgPrice === null ? null : (mark - p.avgPrice) * p.qty };
    });
    positions.render(
      rows.filter((r) => r.qty !== 0 || (r.pendingQty ?? 0) !== 0).sort((a, b) => Math.abs(b.value ?? 0) - Math.abs(a.value ?? 0) || a.symbol.localeCompare(b.symbol)),
    );
    const sum = (xs: (number | null)[]): number | null => (xs.length === 0 || xs.some((x) => x === null) ? null : xs.reduce<number>((a, b) => a + b!, 0));
    const held = rows.filter((r) => r.qty !== 0);
    setText(kPos, pv ? String(held.length) : DASH);
    setText(kValue, pv ? money(sum(held.map((r) => (r.value === null ? null : Math.abs(r.value))))) : DASH);
    setText(kUnreal, pv ? money(sum(held.map((r) => r.unrealized)), 2) : DASH);
    setText(kReal, pv ? money(sum(rows.map((r) => r.realizedPnl)), 2) : DASH);
    const rc = pv?.reconciliation ?? null;
    setData(recon, 'state', rc === null ? 'unknown' : rc.passed ? 'ok' : 'bad');
    setText(
      recon,
      rc === null
        ? 'Reconciliation: no report yet'
        : `Reconciliation ${rc.passed ? 'PASSED' : 'FAILED'} (${rc.phase ?? '?'}) ${ago(rc.ts, now)} · drift ${pct(rc.magnitude, 3)} of equity (${money(rc.driftNotional)}) · ${int(rc.items)} items · ${int(rc.corrections)} corrections${rc.ready === false ? ' · NOT READY TO TRADE' : ''}`,
    );
    const ov = ordersOf(store);
    open.render(ov?.open ?? []);
    recent.render(ov?.recent ?? []);
    fills.render(ov?.fills ?? []);
    setText(kOpen, ov ? String(ov.open.length) : DASH);
  }

  return { id: 'orders', title: 'Orders', sections: ['positions', 'orders', 'fills', 'universe'], el, render };
}
