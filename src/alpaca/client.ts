/**
 * Builds the real `@alpacahq/alpaca-trade-api` clients for a connection. The
 * SDK has no base-URL option on its facade, so REST uses the low-level API
 * classes with `Configuration({ basePath })`, and the streams take `url`.
 * The broker session and the market-data session both build their SDK
 * objects here, so the local venue and Alpaca paper differ only in URLs.
 */
import { OrdersApi, marketData, streaming, trading } from '@alpacahq/alpaca-trade-api';
import type { AlpacaConnection } from './endpoints.js';

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
}

export interface AlpacaClients {
  readonly connection: AlpacaConnection;
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
  const shared = {
    keyId: connection.keyId,
    secret: connection.secretKey,
    timeoutMs: options.timeoutMs ?? 10_000,
    retry: options.retry === false ? undefined : { maxRetries: 2, ...options.retry },
    rateLimit: options.rateLimit === false ? undefined : (options.rateLimit ?? DEFAULT_SDK_RATE_LIMIT),
    fetchApi: options.fetchApi,
  };
  const tradingConfig = new trading.Configuration({ ...shared, basePath: connection.restBaseUrl });
  const dataConfig = new marketData.Configuration({ ...shared, basePath: connection.dataRestBaseUrl });
  const credentials = { keyId: connection.keyId, secret: connection.secretKey };
  return {
    connection,
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
