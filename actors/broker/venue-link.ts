/**
 * `VenueLink`: the broker session's I/O with the venue through the real
 * `@alpacahq/alpaca-trade-api` SDK (the local venue or Alpaca paper: only the
 * connection differs). REST calls return promises; the trade_updates stream
 * reports through callbacks. The actor shell turns both into messages to
 * itself, so all state changes happen one message at a time.
 *
 * The SDK's own stream reconnect is off: the shell reconnects with its own
 * backoff on its own timers, because the SDK gives up for good after an
 * authentication refusal, and a venue that refused a login during an outage
 * must be retried once it is back. Each connection is a new stream object
 * with a generation number, so a late event of a dropped stream is ignored.
 */
import type { streaming } from '@alpacahq/alpaca-trade-api';
import { createAlpacaClients, type AlpacaClients, type AlpacaConnection } from '../../src/alpaca/index.js';
import type { SdkOrderInput, SdkPatchInput } from './alpaca-mapping.js';
import type { RawBrokerState } from './session-core.js';

export type StreamEvent = { readonly kind: 'connecting' | 'listening' | 'down'; readonly detail: string };

export interface LinkEvents {
  onStream(ev: StreamEvent): void;
  onTradeUpdate(update: unknown): void;
  /** Each REST call as it ends: what it was, how long it took, and its failure's HTTP status (null: answered, or no status). */
  onRequest?(op: RestOp, seconds: number, failed: LinkError | null): void;
}

export type RestOp = 'submit' | 'replace' | 'lookup' | 'cancel' | 'account' | 'reconcile';
export const REST_OPS: readonly RestOp[] = ['submit', 'replace', 'lookup', 'cancel', 'account', 'reconcile'];

export interface VenueLinkOptions {
  /** Per-request timeout, ms (a timed-out order POST is ambiguous: looked up before any resend). */
  readonly timeoutMs: number;
  /** Most recent orders fetched for reconciliation. */
  readonly recentOrdersLimit: number;
}

/** A REST failure as plain data: what the submit classifier and the connection monitor need. */
export interface LinkError {
  readonly status: number | null;
  readonly message: string;
  /** On a 429: how long the venue asked to wait (Retry-After or X-Ratelimit-Reset, via the SDK), ms; else null. */
  readonly retryAfterMs: number | null;
}

export function linkError(err: unknown): LinkError {
  const e = (err ?? {}) as { status?: unknown; message?: unknown; retryAfterMs?: unknown };
  const retryAfterMs = typeof e.retryAfterMs === 'number' && Number.isFinite(e.retryAfterMs) && e.retryAfterMs >= 0 ? e.retryAfterMs : null;
  return { status: typeof e.status === 'number' ? e.status : null, message: typeof e.message === 'string' ? e.message : String(err), retryAfterMs };
}

/** A failure that says nothing about the venue's health (the request itself was refused). */
export function isClientError(e: LinkError): boolean {
  return e.status !== null && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429;
}

export class VenueLink {
  readonly clients: AlpacaClients;
  private stream: streaming.TradingStream | undefined;
  private generation = 0;
  private closed = false;

  constructor(
    connection: AlpacaConnection,
    private readonly options: VenueLinkOptions,
    private readonly events: LinkEvents,
  ) {
    // GETs may be retried by the SDK; it never retries a POST.
    // Orders, cancels and reconciliation are the account budget's priority lane: never held back by backfill.
    this.clients = createAlpacaClients(connection, { lane: 'priority', timeoutMs: options.timeoutMs, retry: { maxRetries: 1 } });
  }

  /** Opens a fresh trade_updates stream (dropping any previous one). */
  connectStream(): void {
    if (this.closed) return;
    this.dropStream();
    const gen = ++this.generation;
    const live = (): boolean => !this.closed && gen === this.generation;
    const s = this.clients.tradingStream({ reconnect: false, pingIntervalMs: 5_000, pongWaitMs: 3_000 });
    this.stream = s;
    s.onTradeUpdate((u) => {
      if (live()) this.events.onTradeUpdate(u);
    });
    s.onConnect(() => {
      if (live()) s.subscribeTradeUpdates();
    });
    s.on('subscription', () => {
      if (live()) this.events.onStream({ kind: 'listening', detail: 'listening to trade_updates' });
    });
    s.onError((err) => {
      if (live()) this.events.onStream({ kind: 'down', detail: `stream error: ${String(err)}` });
    });
    s.onDisconnect(() => {
      if (live()) this.events.onStream({ kind: 'down', detail: 'stream disconnected' });
    });
    this.events.onStream({ kind: 'connecting', detail: 'connecting' });
    s.connect();
  }

  /** Times a REST call for `onRequest`; `ok` says which failures are answers (a lookup's 404). */
  private async timed<T>(op: RestOp, call: () => Promise<T>, ok: (e: LinkError) => boolean = () => false): Promise<T> {
    const t0 = performance.now();
    try {
      const r = await call();
      this.events.onRequest?.(op, (performance.now() - t0) / 1000, null);
      return r;
    } catch (err) {
      const e = linkError(err);
      this.events.onRequest?.(op, (performance.now() - t0) / 1000, ok(e) ? null : e);
      throw err;
    }
  }

  submit(req: SdkOrderInput): Promise<unknown> {
    return this.timed('submit', () => this.clients.orders.submit(req as Parameters<AlpacaClients['orders']['submit']>[0]));
  }

  /** `PATCH /v2/orders/{orderId}`: the answer is the replacement (a new order, with the client order id the patch names). */
  replace(orderId: string, patch: SdkPatchInput): Promise<unknown> {
    return this.timed('replace', () => this.clients.orders.patchOrderByOrderId({ orderId, patchOrderRequest: patch }));
  }

  /** The order with this client order id, or null when the venue has none (404). */
  async lookup(clientOrderId: string): Promise<unknown | null> {
    try {
      return await this.timed('lookup', () => this.clients.orders.getOrderByClientOrderId({ clientOrderId }), (e) => e.status === 404);
    } catch (err) {
      if (linkError(err).status === 404) return null;
      throw err;
    }
  }

  cancel(brokerOrderId: string): Promise<void> {
    return this.timed('cancel', () => this.clients.orders.deleteOrderByOrderID({ orderId: brokerOrderId }));
  }

  account(): Promise<unknown> {
    return this.timed('account', () => this.clients.account.getAccount());
  }

  /** Open orders, the most recent orders, positions and the account, for reconciliation (timed as one `reconcile` call). */
  fetchState(): Promise<RawBrokerState> {
    const { orders, positions, account } = this.clients;
    return this.timed('reconcile', async () => {
      const [openOrders, recentOrders, pos, acct] = await Promise.all([
        // Open orders flat (a working leg whose entry has filled is listed even though its parent is closed);
        // recent ones nested: a bracket's legs come under their parent, which is how the session learns whose legs they are.
        orders.getAllOrders({ status: 'open', limit: 500 }),
        orders.getAllOrders({ status: 'all', limit: this.options.recentOrdersLimit, direction: 'desc', nested: true }),
        positions.getAllOpenPositions(),
        account.getAccount(),
      ]);
      return { openOrders, recentOrders, positions: pos, account: acct };
    });
  }

  close(): void {
    this.closed = true;
    this.dropStream();
  }

  private dropStream(): void {
    const s = this.stream;
    this.stream = undefined;
    if (!s) return;
    this.generation++;
    try {
      s.removeAllListeners();
      s.disconnect();
    } catch {
      // A stream that never opened has nothing to close.
    }
  }
}
