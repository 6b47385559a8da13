/**
 * The broker session actor's arguments and the asks it answers, apart from
 * the actor so that the topology and research import them without the
 * actor's runtime.
 */
import type { AlpacaConnection } from '../../src/alpaca/index.js';

export interface BrokerArgs {
  /** Where the SDK connects (plain data: see resolveAlpacaConnection). */
  readonly connection: AlpacaConnection;
  /** Directory of the write-ahead journal (`broker.wal`). */
  readonly journalDir: string;
  /** Client order id salt; default the key id (one account per key). */
  readonly salt?: string;
  /** Per-request timeout, ms. Default 5000. */
  readonly requestTimeoutMs?: number;
  /** Periodic reconciliation, ms. Default 5000. */
  readonly reconcileEveryMs?: number;
  /** In-flight grace of periodic reconciliation, ms. Default 5000. */
  readonly periodicGraceMs?: number;
  /** broker.connection period, ms. Default 1000. */
  readonly statusEveryMs?: number;
  /** Stream down (or REST failing) this long before the link counts as down, ms. Default 3000. */
  readonly disconnectAfterMs?: number;
  /** Consecutive REST failures that count as failing. Default 3. */
  readonly restFailureLimit?: number;
  /** Stream reconnect backoff, ms. Defaults 200 and 5000. */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** Delay before resending after a 429, or retrying a failed lookup, ms. Default 1000. */
  readonly retryAfterMs?: number;
  /** An order found unsent after a restart is resent only if its intent is younger than this, ms. Default 30,000. */
  readonly maxResendAgeMs?: number;
  /** Journal size that triggers compaction, bytes. Default 4 MiB. */
  readonly compactAtBytes?: number;
  /** Orders fetched for reconciliation (most recent first). Default 500. */
  readonly recentOrdersLimit?: number;
  /** What to do with a corrupt journal record followed by good ones. Default 'quarantine' (then reconcile). */
  readonly onCorrupt?: 'throw' | 'quarantine';
  /** Tick-to-intent samples kept for `broker.latency`. Default 100,000. */
  readonly latencySamples?: number;
  /** A protective stop the venue rejected is tried again for its symbol after this long; an unconfirmed stop cancel is sent again after this long, ms. Default 5000. */
  readonly stopRetryMs?: number;
}

/** Ask: tick-to-intent latencies (ns) seen so far; `reset` clears them. */
export interface BrokerLatencyQuery {
  readonly type: 'broker.latency';
  readonly reset?: boolean;
}

/** Ask: the session's state, answered with `broker.status`. */
export interface BrokerStatusQuery {
  readonly type: 'broker.query';
}

/**
 * Tell: republish the link status, the working orders, the positions and the
 * last account. An actor that (re)starts after the broker (risk, the
 * allocator) sends it from `init`, so it need not wait for the next
 * reconciliation to know the book; told while the broker is down, it waits in
 * the restart buffer.
 */
export interface BrokerSyncMsg {
  readonly type: 'broker.sync';
}

/** Violations of the arguments, each naming its field. */
export function validateArgs(a: BrokerArgs | undefined): string[] {
  const v: string[] = [];
  if (!a || typeof a !== 'object') return ['broker args must be an object'];
  if (!a.connection || typeof a.connection.restBaseUrl !== 'string' || typeof a.connection.tradingStreamUrl !== 'string') v.push('broker.connection must be an AlpacaConnection (see resolveAlpacaConnection)');
  if (typeof a.journalDir !== 'string' || a.journalDir === '') v.push('broker.journalDir must be a directory path');
  for (const k of ['requestTimeoutMs', 'reconcileEveryMs', 'statusEveryMs', 'disconnectAfterMs', 'reconnectMinMs', 'reconnectMaxMs', 'retryAfterMs', 'compactAtBytes', 'stopRetryMs'] as const) {
    const x = a[k];
    if (x !== undefined && !(typeof x === 'number' && x > 0 && Number.isFinite(x))) v.push(`broker.${k} must be a positive number`);
  }
  return v;
}

/** The session's reconciliation period, which also refreshes the account (research replays it on virtual time). */
export const BROKER_TIMER_DEFAULTS = Object.freeze({ reconcileEveryMs: 5000 });
