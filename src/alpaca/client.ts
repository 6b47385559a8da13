/**
 * Builds the real `@alpacahq/alpaca-trade-api` clients for a connection. The
 * SDK has no base-URL option on its facade, so REST uses the low-level API
 * classes with `Configuration({ basePath })`, and the streams take `url`.
 * The broker session and the market-data session both build their SDK
 * objects here, so the local venue and Alpaca paper differ only in URLs.
 */
import { OrdersApi, marketData, streaming, trading } from '@alpacahq/alpaca-trade-api';
import type { AlpacaConnection } from './endpoints.js';
import { rateBudgetFor, type RateBudget, type RateLane } from './rate-budget.js';

type TradingStreamOptions = Omit<streaming.TradingStreamOptions, 'credentials' | 'url' | 'paper'>;
type DataStreamOptions = Omit<streaming.StockDataStreamOptions, 'credentials' | 'url' | 'feed' | 'sandbox'>;

export interface AlpacaClientOptions {
  /**
   * SDK retry policy for idempotent REST calls (GET). Default: 2 retries like
   * the SDK facade; `false` disables. The SDK never retries a POST.
   */
  readonly retry?: trading.RetryConfig | false;
  /** Client-side rate limit. Default 200 requests/minute (Alpaca's limit); `false` disables. */
  readonly rateLimit?: trading.RateLimitConfig | false;
  /** Per-request timeout, ms. Default 10,000. */
  readonly timeoutMs?: number;
  /** Injected fetch (tests). */
  readonly fetchApi?: trading.FetchAPI;
  /**
   * The account budget lane of these clients (see rate-budget.ts): `priority`
   * (default: orders, cancels, reconciliation) is counted and never held;
   * `bulk` (backfill) must `budget.acquire('bulk')` before each request.
   */
  readonly lane?: RateLane;
  /** The account budget. Default: this thread's for the connection (`rateBudgetFor`). */
  readonly budget?: RateBudget;
}

export interface AlpacaClients {
  readonly connection: AlpacaConnection;
  /** The account budget every REST request of these clients is counted in. */
  readonly budget: RateBudget;
  readonly lane: RateLane;
  readonly orders: OrdersApi;
  readonly positions: trading.PositionsApi;
  readonly account: trading.AccountsApi;
  readonly clock: trading.ClockApi;
  readonly assets: trading.AssetsApi;
  /** Market-data REST (bars, latest trades and quotes). */
  readonly stocks: marketData.StockApi;
  /** A new trade_updates stream (not yet connected). */
  tradingStream(options?: TradingStreamOptions): streaming.TradingStream;
  /** A new stock market-data stream (msgpack; not yet connected). */
  dataStream(options?: DataStreamOptions): streaming.StockDataStream;
}

export const DEFAULT_SDK_RATE_LIMIT: trading.RateLimitConfig = { maxRequests: 200, intervalMs: 60_000 };

export function createAlpacaClients(connection: AlpacaConnection, options: AlpacaClientOptions = {}): AlpacaClients {
  const lane = options.lane ?? 'priority';
  const budget = options.budget ?? rateBudgetFor(connection, connection.rateBudget);
  const inner = options.fetchApi ?? ((input: string | URL, init?: RequestInit) => fetch(input, init));
  const shared = {
    keyId: connection.keyId,
    secret: connection.secretKey,
    timeoutMs: options.timeoutMs ?? 10_000,
    retry: options.retry === false ? undefined : { maxRetries: 2, ...options.retry },
    rateLimit: options.rateLimit === false ? undefined : (options.rateLimit ?? DEFAULT_SDK_RATE_LIMIT),
    // Bulk requests are acquired by the caller before the SDK's per-request timeout starts.
    fetchApi: budget.fetchFor(lane, inner, lane === 'bulk') as trading.FetchAPI,
  };
  const tradingConfig = new trading.Configuration({ ...shared, basePath: connection.restBaseUrl });
  const dataConfig = new marketData.Configuration({ ...shared, basePath: connection.dataRestBaseUrl });
  const credentials = { keyId: connection.keyId, secret: connection.secretKey };
  return {
    connection,
    budget,
    lane,
    orders: new OrdersApi(tradingConfig),
    positions: new trading.PositionsApi(tradingConfig),
    account: new trading.AccountsApi(tradingConfig),
    clock: new trading.ClockApi(tradingConfig),
    assets: new trading.AssetsApi(tradingConfig),
    stocks: new marketData.StockApi(dataConfig),
    tradingStream: (opts = {}) => new streaming.TradingStream({ ...opts, credentials, url: connection.tradingStreamUrl }),
    dataStream: (opts = {}) => new streaming.StockDataStream({ ...opts, credentials, url: connection.dataStreamUrl }),
  };
}
