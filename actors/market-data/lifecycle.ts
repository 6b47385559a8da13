/**
 * The market-data session's connection lifecycle as a pure state machine:
 * the actor shell feeds it what the SDK reports (authenticated, subscription
 * confirmed, error text, disconnected) with the time, and it answers with the
 * `md.status` events to publish and whether (and when) to reconnect.
 *
 * Why the session, not the SDK, owns reconnection: the SDK's own reconnect
 * runs on its private timers with Math.random jitter, gives up after a fixed
 * number of attempts, and cannot be observed or tested on a virtual clock.
 * The session runs the SDK with `reconnect: false` and calls `connect()` on
 * the same stream object again; the SDK keeps its subscription list and
 * re-sends it after every authentication, and its `connect()` is a no-op
 * while a socket exists, so there is never more than one connection.
 *
 * Failures and what follows:
 * - 402 auth failed: credentials are wrong; retrying would only hammer the
 *   server, so the state is `auth_failed` and the next try (if any) waits
 *   `authRetryMs` (default: never).
 * - 406 connection limit exceeded: someone (often our own previous
 *   connection, not yet closed server-side) holds the one allowed stream;
 *   the server closes us, and we back off and retry like any drop.
 * - 404 auth timeout, 401, network errors, pong timeouts, server closes:
 *   `disconnected`, then `reconnecting` with exponential backoff.
 */
import type { MdState, MdStatusMsg } from './messages.js';
import { mulberry32 } from '../../src/random.js';
import { backoffDelay } from '../../src/runtime/backoff.js';

export interface ReconnectOptions {
  /** First retry delay, ms. Default 500. */
  readonly initialMs?: number;
  /** Longest delay, ms. Default 30,000. */
  readonly maxMs?: number;
  /** Growth per attempt. Default 2. */
  readonly multiplier?: number;
  /** Random spread as a fraction of the delay (0.2 = +-20%). Default 0.2. */
  readonly jitter?: number;
  /** Jitter seed (deterministic runs). Default 1. */
  readonly seed?: number;
  /** After `auth_failed`, retry after this many ms; null (default) waits for an operator restart. */
  readonly authRetryMs?: number | null;
}

export interface ResolvedReconnect {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  readonly jitter: number;
  readonly seed: number;
  readonly authRetryMs: number | null;
}

export function resolveReconnect(o: ReconnectOptions = {}, path = 'md.reconnect'): { value: ResolvedReconnect; violations: string[] } {
  const v: string[] = [];
  const pos = (name: keyof ReconnectOptions, x: number | undefined, dflt: number, ok: (n: number) => boolean, rule: string): number => {
    if (x === undefined) return dflt;
    if (typeof x !== 'number' || !Number.isFinite(x) || !ok(x)) v.push(`${path}.${name} ${rule} (got ${String(x)})`);
    return x;
  };
  const initialMs = pos('initialMs', o.initialMs, 500, (n) => n > 0, 'must be a positive number');
  const maxMs = pos('maxMs', o.maxMs, 30_000, (n) => n > 0, 'must be a positive number');
  if (v.length === 0 && maxMs < initialMs) v.push(`${path}.maxMs must be >= initialMs (got ${maxMs} < ${initialMs})`);
  const multiplier = pos('multiplier', o.multiplier, 2, (n) => n >= 1, 'must be >= 1');
  const jitter = pos('jitter', o.jitter, 0.2, (n) => n >= 0 && n < 1, 'must be in [0, 1)');
  const seed = pos('seed', o.seed, 1, Number.isInteger, 'must be an integer');
  let authRetryMs: number | null = null;
  if (o.authRetryMs !== undefined && o.authRetryMs !== null) authRetryMs = pos('authRetryMs', o.authRetryMs, 0, (n) => n > 0, 'must be a positive number or null');
  return { value: { initialMs, maxMs, multiplier, jitter, seed, authRetryMs }, violations: v };
}

/** The counts the lifecycle stamps on each status (owned by the router). */
export interface FlowCounts {
  readonly forwarded: number;
  readonly dropped: number;
}

/** What the shell must do after an SDK event. */
export interface LifecycleStep {
  /** Status events to publish, in order (often none). */
  readonly publish: readonly MdStatusMsg[];
  /** Schedule `connect()` after this many ms; null = do not. */
  readonly reconnectInMs: number | null;
}

const NOTHING: LifecycleStep = { publish: [], reconnectInMs: null };

/** The SDK's text for a 402 (see CONN_ERROR in the SDK's websocket.ts). */
const AUTH_FAILED_TEXT = 'auth failed';

export class SessionLifecycle {
  private readonly random: () => number;
  private current: MdState | 'connecting' = 'connecting';
  private attempt = 0;
  private authFailed = false;
  private authenticated = false;
  private lastError = '';
  private subscribed = 0;
  private connects = 0;
  private disconnects = 0;
  private stopping = false;

  constructor(
    private readonly venue: string,
    private readonly opts: ResolvedReconnect,
    private readonly flow: () => FlowCounts,
  ) {
    this.random = mulberry32(opts.seed);
  }

  get state(): MdState | 'connecting' {
    return this.current;
  }

  get reconnectAttempt(): number {
    return this.attempt;
  }

  get error(): string {
    return this.lastError;
  }

  counters(): { connects: number; disconnects: number; attempt: number; subscribed: number } {
    return { connects: this.connects, disconnects: this.disconnects, attempt: this.attempt, subscribed: this.subscribed };
  }

  /** The shell is stopping the session: later disconnects are expected, nothing is scheduled. */
  stop(): void {
    this.stopping = true;
  }

  /** A connect() is about to be made (first, or a retry). */
  connecting(): void {
    this.authFailed = false;
    this.authenticated = false;
    if (this.current !== 'auth_failed') this.current = 'connecting';
  }

  /** The server accepted the credentials. */
  onAuthenticated(now: number, expectSubscription: boolean): LifecycleStep {
    this.authenticated = true;
    // With nothing to subscribe there is no confirmation to wait for.
    return expectSubscription ? NOTHING : this.becomeConnected(now, 0, 'authenticated (no symbols to subscribe)');
  }

  /** The server confirmed a subscription; `symbols` is the union over channels. */
  onSubscription(now: number, symbols: number): LifecycleStep {
    this.subscribed = symbols;
    if (!this.authenticated || this.current === 'connected') return NOTHING;
    return this.becomeConnected(now, symbols, `subscribed to ${symbols} symbols`);
  }

  /** The SDK reported an error (server error text or socket error). */
  onError(message: string): void {
    this.lastError = message;
    if (message === AUTH_FAILED_TEXT) this.authFailed = true;
  }

  /** The socket is gone (server close, network, SDK disconnect after an auth failure). */
  onDisconnected(now: number): LifecycleStep {
    const wasUp = this.authenticated;
    this.authenticated = false;
    if (this.stopping) return NOTHING;
    if (wasUp) this.disconnects++;
    if (this.authFailed) {
      // Only one auth_failed event per failure streak: a slow retry that fails again stays quiet.
      const first = this.current !== 'auth_failed';
      this.current = 'auth_failed';
      const retry = this.opts.authRetryMs;
      return { publish: first ? [this.status(now, retry, `auth failed: check the Alpaca key pair (${this.lastError})`)] : [], reconnectInMs: retry };
    }
    const delay = this.nextDelay();
    const detail = this.lastError || 'connection closed';
    this.lastError = '';
    this.current = 'reconnecting';
    return {
      publish: [
        { ...this.status(now, null, detail), state: 'disconnected' },
        this.status(now, delay, `retry ${this.attempt} in ${delay} ms after: ${detail}`),
      ],
      reconnectInMs: delay,
    };
  }

  private becomeConnected(now: number, symbols: number, detail: string): LifecycleStep {
    this.current = 'connected';
    this.attempt = 0;
    this.connects++;
    this.subscribed = symbols;
    return { publish: [this.status(now, null, detail)], reconnectInMs: null };
  }

  private nextDelay(): number {
    const o = this.opts;
    const policy = { minMs: o.initialMs, maxMs: o.maxMs, factor: o.multiplier, jitter: o.jitter };
    return Math.max(1, backoffDelay(policy, this.attempt++, this.random()));
  }

  private status(now: number, retryInMs: number | null, detail: string): MdStatusMsg {
    const flow = this.flow();
    return {
      type: 'md.status',
      state: this.current === 'connecting' ? 'disconnected' : this.current,
      venue: this.venue,
      ts: now,
      attempt: this.attempt,
      retryInMs,
      detail,
      subscribed: this.subscribed,
      connects: this.connects,
      disconnects: this.disconnects,
      forwarded: flow.forwarded,
      dropped: flow.dropped,
    };
  }
}
