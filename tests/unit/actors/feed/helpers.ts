import type { BarMsg, QuoteMsg, TradeMsg } from '../../../../actors/market-data/messages.js';

export const T0 = Date.UTC(2026, 0, 5, 15, 0, 0); // a Monday, 10:00 New York

let nextId = 1;

export function trade(price: number, ts: number, over: Partial<TradeMsg> = {}): TradeMsg {
  return { type: 'md.trade', symbol: 'GLD', price, size: 100, id: nextId++, ts, ...over };
}

export function quote(bid: number, ask: number, ts: number, over: Partial<QuoteMsg> = {}): QuoteMsg {
  return { type: 'md.quote', symbol: 'GLD', bid, ask, bidSize: 5, askSize: 7, ts, ...over };
}

export function bar(ts: number, close: number, over: Partial<BarMsg> = {}): BarMsg {
  return {
    type: 'md.bar',
    symbol: 'GLD',
    open: close,
    high: close * 1.001,
    low: close * 0.999,
    close,
    volume: 1000,
    ts,
    trades: 10,
    vwap: close,
    ...over,
  };
}
