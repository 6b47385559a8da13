/**
 * Test helpers for the venue integration tests: event collectors that wait
 * on the events themselves (never on sleeps), and SDK clients for a venue.
 */
import { createRequire } from 'node:module';
import { trading, type streaming } from '@alpacahq/alpaca-trade-api';
import type { MarketEvent, QuoteEvent, TradeEvent } from '../../../src/matching/events.js';
import { createAlpacaClients, resolveAlpacaConnection, type AlpacaClientOptions, type AlpacaClients } from '../../../src/alpaca/index.js';
import type { VenueHandle } from '../../../venue/index.js';

/** Collects items and resolves waiters when an item (already seen or future) matches. */
export class Collector<T> {
  readonly items: T[] = [];
  private waiters: { pred: (item: T, all: readonly T[]) => boolean; resolve: (item: T) => void }[] = [];

  push = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(item, this.items)) return true;
      w.resolve(item);
      return false;
    });
  };

  /** Resolves with the first item (past or future) matching pred; rejects after timeoutMs. */
  waitFor(pred: (item: T, all: readonly T[]) => boolean, timeoutMs = 5000, what = 'event'): Promise<T> {
    for (const item of this.items) if (pred(item, this.items)) return Promise.resolve(item);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; saw ${this.items.length} items`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}

/** SDK clients for a venue, with SDK retries off unless asked (so faults surface). */
export function clientsFor(venue: VenueHandle, options: AlpacaClientOptions = {}, keys?: { keyId: string; secretKey: string }): AlpacaClients {
  return createAlpacaClients(resolveAlpacaConnection({ local: venue, ...keys }), { retry: false, rateLimit: false, timeoutMs: 5000, ...options });
}

/** Connects a trade_updates stream that pushes every update to `updates`; resolves once it is listening. */
export async function listeningTradingStream(
  api: AlpacaClients,
  updates: Collector<streaming.TradeUpdate>,
  options: Parameters<AlpacaClients['tradingStream']>[0] = {},
): Promise<streaming.TradingStream> {
  const stream = api.tradingStream(options);
  stream.onTradeUpdate(updates.push);
  const listening = new Collector<unknown>();
  stream.on('subscription', listening.push);
  stream.onConnect(() => stream.subscribeTradeUpdates());
  stream.connect();
  await listening.waitFor(() => true, 3000, 'listening');
  return stream;
}

/** The `ws` package (a dependency of the SDK) for raw-socket tests; untyped on purpose. */
export interface RawSocket {
  on(event: string, fn: (...args: unknown[]) => void): void;
  once(event: string, fn: (...args: unknown[]) => void): void;
  send(data: string | Uint8Array): void;
  close(): void;
  terminate(): void;
  readyState: number;
}

export function rawSocket(url: string, headers: Record<string, string> = {}): RawSocket {
  const require = createRequire(import.meta.url);
  const { WebSocket } = require('ws') as { WebSocket: new (url: string, opts: unknown) => RawSocket };
  return new WebSocket(url, { headers, perMessageDeflate: false });
}

/** Runs `fn` and returns the error it rejected with. */
export async function caught(fn: () => Promise<unknown>): Promise<any> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** The SDK's account-activity, portfolio-history and calendar APIs for a venue (the clients above do not carry them). */
export interface AccountApis {
  readonly activities: trading.AccountActivitiesApi;
  readonly portfolio: trading.PortfolioHistoryApi;
  readonly calendar: trading.CalendarApi;
}

export function accountApisFor(venue: VenueHandle): AccountApis {
  const config = new trading.Configuration({ basePath: venue.url, keyId: venue.keys.keyId, secret: venue.keys.secretKey, timeoutMs: 5000 });
  return { activities: new trading.AccountActivitiesApi(config), portfolio: new trading.PortfolioHistoryApi(config), calendar: new trading.CalendarApi(config) };
}

/** Every market batch the venue published, in order (the engine has seen each before this listener). */
export class MarketTape {
  readonly batches: (readonly MarketEvent[])[] = [];
  readonly stop: () => void;

  constructor(venue: VenueHandle) {
    this.stop = venue.market.onEvents((events) => this.batches.push(events));
  }

  /** Trades of a symbol in the last batch. */
  lastTrades(symbol: string): TradeEvent[] {
    return (this.batches.at(-1) ?? []).filter((e): e is TradeEvent => e.kind === 'trade' && e.symbol === symbol);
  }

  /** Quotes of a symbol in the last batch. */
  lastQuotes(symbol: string): QuoteEvent[] {
    return (this.batches.at(-1) ?? []).filter((e): e is QuoteEvent => e.kind === 'quote' && e.symbol === symbol);
  }
}

/**
 * Steps a manual-clock venue one step at a time until `done()` holds (read
 * from the venue's own state: stepping is synchronous), calling `each` after
 * every step; throws after `maxSteps`, saying what it waited for.
 */
export function stepUntil(venue: VenueHandle, done: () => boolean, maxSteps: number, what: string, each?: () => void): number {
  for (let k = 1; k <= maxSteps; k++) {
    venue.market.step(1);
    each?.();
    if (done()) return k;
  }
  throw new Error(`${what}: not reached within ${maxSteps} market steps`);
}
