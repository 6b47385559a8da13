/** A hand-driven quote source for engine tests. */
import type { QuoteEvent, TradeEvent } from '../../../../src/matching/events.js';
import type { QuoteSource } from '../../../../src/matching/engine.js';

export class FakeMarket implements QuoteSource {
  private readonly quotes = new Map<string, QuoteEvent>();
  private readonly trades = new Map<string, TradeEvent>();
  private tradeId = 0;
  now = Date.UTC(2025, 0, 6, 15, 0);

  constructor(private readonly symbols: readonly string[] = ['GLD', 'SLV', 'GDX']) {}

  has(symbol: string): boolean {
    return this.symbols.includes(symbol);
  }

  quote(symbol: string): QuoteEvent | undefined {
    return this.quotes.get(symbol);
  }

  /** The last trade's price once one was printed, else the quote's mid. */
  price(symbol: string): number | undefined {
    const t = this.trades.get(symbol);
    if (t) return t.price;
    const q = this.quotes.get(symbol);
    return q ? (q.bid + q.ask) / 2 : undefined;
  }

  /** Sets a new quote, advancing time by dt, and returns it (feed it to engine.onQuotes). */
  set(symbol: string, bid: number, ask: number, size = 500, dt = 100): QuoteEvent {
    this.now += dt;
    const q: QuoteEvent = { kind: 'quote', symbol, bid, ask, bidSize: size, askSize: size, ts: this.now, exchange: 'V', tape: 'B' };
    this.quotes.set(symbol, q);
    return q;
  }

  /** Prints a trade, advancing time by dt, and returns it (feed it to engine.onQuotes). */
  print(symbol: string, price: number, size = 100, dt = 100): TradeEvent {
    this.now += dt;
    const t: TradeEvent = { kind: 'trade', symbol, id: ++this.tradeId, price, size, ts: this.now, exchange: 'V', tape: 'B' };
    this.trades.set(symbol, t);
    return t;
  }
}
