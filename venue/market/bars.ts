/**
 * Minute bars built from the simulated trades, kept in a bounded history per
 * symbol so the REST bars endpoint serves exactly what the stream sent, and
 * aggregation of those minute bars into coarser timeframes.
 */
import type { BarEvent, TradeEvent } from '../../src/matching/events.js';

export const MINUTE_MS = 60_000;

interface Building {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  notional: number;
  trades: number;
}

/** Accumulates one symbol's trades into minute bars. */
export class BarBuilder {
  private current: Building | undefined;

  constructor(readonly symbol: string) {}

  /**
   * Adds a trade; returns the bar of the previous minute when this trade
   * starts a new one.
   */
  addTrade(trade: TradeEvent): BarEvent | undefined {
    const start = trade.ts - (trade.ts % MINUTE_MS);
    let done: BarEvent | undefined;
    if (this.current && this.current.start !== start) done = this.finish();
    const b = this.current;
    if (!b) {
      this.current = {
        start, open: trade.price, high: trade.price, low: trade.price, close: trade.price,
        volume: trade.size, notional: trade.price * trade.size, trades: 1,
      };
    } else {
      if (trade.price > b.high) b.high = trade.price;
      if (trade.price < b.low) b.low = trade.price;
      b.close = trade.price;
      b.volume += trade.size;
      b.notional += trade.price * trade.size;
      b.trades += 1;
    }
    return done;
  }

  /** Closes the open bar when market time has moved past its minute. */
  flushIfBefore(now: number): BarEvent | undefined {
    if (this.current && now >= this.current.start + MINUTE_MS) return this.finish();
    return undefined;
  }

  private finish(): BarEvent {
    const b = this.current!;
    this.current = undefined;
    return {
      kind: 'bar', symbol: this.symbol, open: b.open, high: b.high, low: b.low, close: b.close,
      volume: b.volume, ts: b.start, trades: b.trades, vwap: round4(b.notional / b.volume),
    };
  }
}

/** Bounded per-symbol history of completed minute bars, oldest first. */
export class BarHistory {
  private readonly bars = new Map<string, BarEvent[]>();

  constructor(private readonly limitPerSymbol: number) {}

  add(bar: BarEvent): void {
    let list = this.bars.get(bar.symbol);
    if (!list) {
      list = [];
      this.bars.set(bar.symbol, list);
    }
    list.push(bar);
    // Trim in chunks so the array is not shifted on every bar.
    if (list.length > this.limitPerSymbol + 256) list.splice(0, list.length - this.limitPerSymbol);
  }

  /** Minute bars with start time in [from, to), oldest first. */
  range(symbol: string, from = -Infinity, to = Infinity): BarEvent[] {
    const list = this.bars.get(symbol);
    if (!list) return [];
    const lo = lowerBound(list, from);
    const out: BarEvent[] = [];
    for (let k = Math.max(lo, list.length - this.limitPerSymbol); k < list.length && list[k].ts < to; k++) out.push(list[k]);
    return out;
  }
}

function lowerBound(list: readonly BarEvent[], ts: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Aggregates minute bars into bars of `periodMs` (aligned to UTC epoch
 * multiples); volume-weighted vwap, summed trade counts.
 */
export function aggregateBars(minuteBars: readonly BarEvent[], periodMs: number): BarEvent[] {
  if (periodMs === MINUTE_MS) return minuteBars.slice();
  const out: BarEvent[] = [];
  let acc: { bar: BarEvent; notional: number } | undefined;
  for (const m of minuteBars) {
    const start = m.ts - (m.ts % periodMs);
    if (acc && acc.bar.ts !== start) {
      out.push(acc.bar);
      acc = undefined;
    }
    if (!acc) {
      acc = { bar: { ...m, ts: start }, notional: m.vwap * m.volume };
    } else {
      const b = acc.bar;
      acc.notional += m.vwap * m.volume;
      const volume = b.volume + m.volume;
      acc.bar = {
        ...b,
        high: Math.max(b.high, m.high),
        low: Math.min(b.low, m.low),
        close: m.close,
        volume,
        trades: b.trades + m.trades,
        vwap: round4(acc.notional / volume),
      };
    }
  }
  if (acc) out.push(acc.bar);
  return out;
}

export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
