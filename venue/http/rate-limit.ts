/**
 * Alpaca-style rate limiting: a fixed one-minute window per API key
 * (200 requests by default), reported on every response through
 * X-Ratelimit-Limit / -Remaining / -Reset (reset in unix seconds).
 */

export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Window end, unix seconds. */
  readonly resetSec: number;
}

export class WindowRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(readonly limitPerWindow: number, readonly windowMs = 60_000) {}

  /** Counts one request for `key` at `now` (epoch ms). */
  take(key: string, now: number): RateDecision {
    let w = this.windows.get(key);
    if (!w || now >= w.start + this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    const allowed = w.count < this.limitPerWindow;
    if (allowed) w.count++;
    return {
      allowed,
      limit: this.limitPerWindow,
      remaining: Math.max(0, this.limitPerWindow - w.count),
      resetSec: Math.ceil((w.start + this.windowMs) / 1000),
    };
  }
}
