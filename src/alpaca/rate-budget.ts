/**
 * The request budget of one Alpaca account, written once and composed into
 * every REST client (src/alpaca/client.ts) by lane:
 *
 * - `priority`: order submission, cancels, look-ups and reconciliation. Never
 *   held back by this budget: an order waits for nothing but the venue.
 * - `bulk`: backfill and other catch-up reads. May use at most
 *   `bulkPerMinute` requests a minute from this thread, never goes while the
 *   venue reports `reserve` or fewer requests left in its window (they are
 *   kept for the priority lane), and after a 429 waits until the window's
 *   reset (X-Ratelimit-Reset, or Retry-After).
 *
 * Alpaca's limit (200 requests a minute) is per account, shared by every
 * process and thread using the key, and by every restart of them within the
 * minute. So the budget does not count alone: each response's
 * X-Ratelimit-Remaining / -Reset tell it what the whole account has left,
 * and until a first response has said so, bulk requests go one at a time.
 * That is what keeps ten daemon restarts in a minute, each backfilling
 * twenty feeds, from spending the window that their order POSTs need.
 *
 * One budget per account per thread (`rateBudgetFor`); the feeds of a worker
 * share theirs.
 */

export type RateLane = 'priority' | 'bulk';

export interface RateBudgetOptions {
  /** The account's requests per minute. Default 200 (Alpaca's). */
  readonly limitPerMinute?: number;
  /** Most bulk requests a minute from this thread. Default 30 % of the limit. */
  readonly bulkPerMinute?: number;
  /** Bulk waits while the venue reports this many requests left or fewer. Default 50 % of the limit. */
  readonly reserve?: number;
  /** Wall clock, ms (the venue's reset is in unix seconds). Default Date.now. */
  readonly now?: () => number;
}

export interface RateBudgetCounters {
  readonly sent: Readonly<Record<RateLane, number>>;
  readonly rateLimited: Readonly<Record<RateLane, number>>;
  /** Times a bulk request had to wait for the budget. */
  readonly bulkWaits: number;
}

/** Response headers as fetch has them. */
interface HeaderLike {
  get(name: string): string | null;
}

type FetchLike = (input: any, init?: any) => Promise<Response>;

const WINDOW_MS = 60_000;

export class RateBudget {
  readonly limitPerMinute: number;
  readonly bulkPerMinute: number;
  readonly reserve: number;
  private readonly now: () => number;
  /** What the venue last said is left in its window, and when that window ends (ms). */
  private remaining: number | null = null;
  private resetAt = 0;
  private blockedUntil = 0;
  private readonly bulkSent: number[] = [];
  private bulkInFlight = 0;
  private readonly sent = { priority: 0, bulk: 0 };
  private readonly limited = { priority: 0, bulk: 0 };
  private waits = 0;

  constructor(options: RateBudgetOptions = {}) {
    this.limitPerMinute = options.limitPerMinute ?? 200;
    this.bulkPerMinute = Math.max(1, Math.floor(options.bulkPerMinute ?? this.limitPerMinute * 0.3));
    this.reserve = Math.max(0, Math.floor(options.reserve ?? this.limitPerMinute * 0.5));
    this.now = options.now ?? Date.now;
  }

  get counters(): RateBudgetCounters {
    return { sent: { ...this.sent }, rateLimited: { ...this.limited }, bulkWaits: this.waits };
  }

  /** Ms a bulk request must wait now (0: it may go). */
  bulkDelay(): number {
    const now = this.now();
    if (this.blockedUntil > now) return this.blockedUntil - now;
    if (this.resetAt <= now) this.remaining = null; // the window the venue reported is over
    if (this.remaining !== null && this.remaining <= this.reserve) return Math.max(1, this.resetAt - now);
    while (this.bulkSent.length > 0 && this.bulkSent[0]! <= now - WINDOW_MS) this.bulkSent.shift();
    if (this.bulkSent.length >= this.bulkPerMinute) return this.bulkSent[0]! + WINDOW_MS - now;
    // Until the venue has told what the account has left, one bulk request at a time.
    if (this.remaining === null && this.bulkInFlight > 0) return 50;
    return 0;
  }

  /**
   * Waits until a request in `lane` may go and counts it; call the returned
   * release once its response (or failure) is in. Priority never waits.
   */
  async acquire(lane: RateLane, signal?: AbortSignal): Promise<() => void> {
    if (lane === 'bulk') {
      for (let d = this.bulkDelay(); d > 0; d = this.bulkDelay()) {
        this.waits++;
        await pause(Math.min(d, 1000), signal);
      }
      this.bulkSent.push(this.now());
      this.bulkInFlight++;
    }
    this.sent[lane]++;
    if (this.remaining !== null) this.remaining--;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (lane === 'bulk') this.bulkInFlight--;
    };
  }

  /** Learns the account's state from a response: remaining, reset, and a 429's wait. */
  observe(lane: RateLane, status: number, headers: HeaderLike): void {
    const now = this.now();
    const remaining = Number(headers.get('x-ratelimit-remaining'));
    const resetSec = Number(headers.get('x-ratelimit-reset'));
    if (headers.get('x-ratelimit-remaining') !== null && Number.isFinite(remaining)) this.remaining = remaining;
    if (headers.get('x-ratelimit-reset') !== null && Number.isFinite(resetSec) && resetSec > 0) this.resetAt = resetSec * 1000;
    if (status !== 429) return;
    this.limited[lane]++;
    const retryAfter = Number(headers.get('retry-after'));
    const until = Math.max(this.resetAt, headers.get('retry-after') !== null && Number.isFinite(retryAfter) ? now + retryAfter * 1000 : 0, now + 1000);
    // A 429 in either lane means the account is out: bulk stands back until the window turns.
    this.blockedUntil = Math.max(this.blockedUntil, until);
    this.remaining = 0;
  }

  /**
   * A fetch for the SDK's `fetchApi` that counts and observes every request
   * in `lane`. Bulk callers wait through `acquire` BEFORE the SDK call (its
   * per-request timeout must not run while the budget holds it back), then
   * pass `preAcquired` so the wrapper does not count the request twice.
   */
  fetchFor(lane: RateLane, inner: FetchLike = fetch, preAcquired = false): FetchLike {
    return async (input, init) => {
      const release = preAcquired ? undefined : await this.acquire(lane, init?.signal);
      try {
        const res = await inner(input, init);
        this.observe(lane, res.status, res.headers);
        return res;
      } finally {
        release?.();
      }
    };
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const budgets = new Map<string, RateBudget>();

/** The budget of the account `keyId` at `restBaseUrl` for this thread (created on first use). */
export function rateBudgetFor(account: { readonly keyId: string; readonly restBaseUrl: string }, options?: RateBudgetOptions): RateBudget {
  const key = `${account.keyId}@${new URL(account.restBaseUrl).host}`;
  let b = budgets.get(key);
  if (!b) {
    b = new RateBudget(options);
    budgets.set(key, b);
  }
  return b;
}
