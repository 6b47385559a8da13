/** A hand-driven quote source for engine tests. */
import type { QuoteEvent } from '../../../../src/matching/events.js';
import type { QuoteSource } from '../../../../src/matching/engine.js';

export class FakeMarket implements QuoteSource {
  private readonly quotes = new Map<string, QuoteEvent>();
  now = Date.UTC(2025, 0, 6, 15, 0);

  constructor(private readonly symbols: readonly string[] = ['GLD', 'SLV', 'GDX']) {}

  has(symbol: string): boolean {
    return this.symbols.includes(symbol);
  }

  quote(symbol: string): QuoteEvent | undefined {
    return this.quotes.get(symbol);
  }

  price(symbol: string): number | undefined {
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
}
