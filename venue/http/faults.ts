/**
 * Fault injection for the venue: REST errors (429 with rate-limit headers,
 * 5xx), garbage JSON bodies, added latency, dropped or stalled streams,
 * refused stream auth and rejected orders. Tests drive it through
 * `venue.faults`; a person or a chaos run through the loopback admin
 * endpoint (`qgtm venue --admin`, admin-routes.ts).
 */

export type FaultScope = 'all' | 'trading' | 'data' | 'macro';

export interface RestFault {
  readonly status: number;
  /** Answer `status` with a truncated, unparseable JSON body instead of an error body. */
  readonly garbage?: boolean;
  /** Seconds for Retry-After / X-Ratelimit-Reset on a 429. */
  readonly retryAfterSec: number;
}

interface QueuedFault extends RestFault {
  readonly scope: FaultScope;
}

export interface FaultsSnapshot {
  /** Queued REST faults by `status:scope` (`garbage:scope` for garbage bodies). */
  readonly pendingRest: Readonly<Record<string, number>>;
  readonly pendingSlow: number;
  readonly latencyMs: number;
  readonly refuseDataAuth: boolean;
  readonly refuseTradingAuth: boolean;
  readonly stallData: boolean;
}

/** Hooks the server installs so faults can act on live connections. */
export interface FaultHooks {
  dropStreams(which: 'all' | 'trading' | 'data'): number;
  rejectNextOrders(n: number, reason: string): void;
}

export class VenueFaults {
  private readonly queue: QueuedFault[] = [];
  private readonly slowQueue: number[] = [];
  private latency = 0;
  private hooks: FaultHooks | undefined;
  /** When true, market-data auth is answered with 402 auth failed. */
  refuseDataAuth = false;
  /** When true, trading-stream auth is answered `unauthorized`. */
  refuseTradingAuth = false;
  /** When true, market data stops flowing (connections stay open). */
  stallData = false;

  /** @internal the server wires itself in. */
  attach(hooks: FaultHooks): void {
    this.hooks = hooks;
  }

  /** The next n REST calls in scope answer `status` (default 500). */
  failNext(n: number, status = 500, scope: FaultScope = 'all'): void {
    for (let k = 0; k < n; k++) this.queue.push({ status, retryAfterSec: 1, scope });
  }

  /** The next n REST calls in scope answer 429 with Retry-After and X-Ratelimit-* headers. */
  rateLimitNext(n: number, retryAfterSec = 1, scope: FaultScope = 'all'): void {
    for (let k = 0; k < n; k++) this.queue.push({ status: 429, retryAfterSec, scope });
  }

  /** The next n REST calls in scope answer 200 with a body that is not valid JSON. */
  garbageNext(n: number, scope: FaultScope = 'all'): void {
    for (let k = 0; k < n; k++) this.queue.push({ status: 200, retryAfterSec: 0, scope, garbage: true });
  }

  /** Adds ms of latency to every REST response (0 to clear). */
  setLatency(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  /** The next n REST responses are delayed by ms (on top of any latency). */
  slowNext(n: number, ms: number): void {
    for (let k = 0; k < n; k++) this.slowQueue.push(ms);
  }

  /** Closes stream connections abruptly (no close frame), as a network drop would. Returns how many. */
  dropStreams(which: 'all' | 'trading' | 'data' = 'all'): number {
    return this.hooks?.dropStreams(which) ?? 0;
  }

  /** The next n orders are accepted, then rejected when they would go live. */
  rejectNextOrders(n: number, reason = 'rejected by fault injection'): void {
    this.hooks?.rejectNextOrders(n, reason);
  }

  /** Clears every pending and standing fault. */
  reset(): void {
    this.queue.length = 0;
    this.slowQueue.length = 0;
    this.latency = 0;
    this.refuseDataAuth = false;
    this.refuseTradingAuth = false;
    this.stallData = false;
  }

  /** What is pending and standing, for the admin endpoint and the operator. */
  snapshot(): FaultsSnapshot {
    const pending: Record<string, number> = {};
    for (const f of this.queue) {
      const key = `${f.garbage ? 'garbage' : f.status}:${f.scope}`;
      pending[key] = (pending[key] ?? 0) + 1;
    }
    return {
      pendingRest: pending,
      pendingSlow: this.slowQueue.length,
      latencyMs: this.latency,
      refuseDataAuth: this.refuseDataAuth,
      refuseTradingAuth: this.refuseTradingAuth,
      stallData: this.stallData,
    };
  }

  /** @internal Takes the next REST fault that applies to a request in `scope`. */
  takeRestFault(scope: Exclude<FaultScope, 'all'>): RestFault | undefined {
    const k = this.queue.findIndex((f) => f.scope === 'all' || f.scope === scope);
    return k < 0 ? undefined : this.queue.splice(k, 1)[0];
  }

  /** @internal Delay to apply to the next response. */
  takeDelay(): number {
    return this.latency + (this.slowQueue.shift() ?? 0);
  }
}
