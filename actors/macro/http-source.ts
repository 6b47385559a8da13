/**
 * The HTTP plumbing shared by the FRED and CFTC clients: a client-side token
 * bucket, a TTL cache with in-flight de-duplication, per-request timeouts,
 * and retries with backoff on 429 (honouring Retry-After, then
 * X-Ratelimit-Reset), 5xx, timeouts and network errors. Time and sleeping
 * are injectable so tests run on a virtual clock.
 */
import { MacroSourceError } from './errors.js';
import { parseJsonBounded } from '../../src/runtime/untrusted.js';
import { backoffDelay } from '../../src/runtime/backoff.js';

/** FRED and CFTC answer flat lists of observations: bounded in depth and size. */
const RESPONSE_BOUNDS = { maxDepth: 32, maxBytes: 64 * 1024 * 1024 };

export interface SourceClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: SourceClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface HttpSourceOptions {
  /** Injected fetch (default global fetch). */
  readonly fetch?: typeof fetch;
  readonly clock?: SourceClock;
  /** Per-attempt timeout, ms. Default 10,000. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt for 429/5xx/timeouts/network errors. Default 3. */
  readonly maxRetries?: number;
  /** First backoff, doubled per retry, ms. Default 500. */
  readonly baseBackoffMs?: number;
  /** Longest single wait, ms. Default 60,000. */
  readonly maxBackoffMs?: number;
  /** Token bucket: burst size and refill per second. */
  readonly rateLimit?: { readonly capacity: number; readonly refillPerSecond: number };
  /** How long a successful answer is served from cache, ms. */
  readonly cacheTtlMs?: number;
}

export interface SourceStats {
  requests: number;
  cacheHits: number;
  retries: number;
  rateLimited: number;
  throttledWaits: number;
  failures: number;
  badPayloads: number;
}

/** Client-side token bucket: `take()` waits until a token is free. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly capacity: number, private readonly refillPerSecond: number, private readonly clock: SourceClock) {
    this.tokens = capacity;
    this.last = clock.now();
  }

  /** Resolves when a token was taken; returns how long it waited, ms. */
  async take(): Promise<number> {
    let waited = 0;
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return waited;
      }
      const wait = Math.ceil(((1 - this.tokens) / this.refillPerSecond) * 1000);
      waited += wait;
      await this.clock.sleep(wait);
    }
  }
}

/** Fetches JSON with rate limiting, caching, timeouts and retries. */
export class HttpSource {
  readonly stats: SourceStats = { requests: 0, cacheHits: 0, retries: 0, rateLimited: 0, throttledWaits: 0, failures: 0, badPayloads: 0 };
  private readonly fetchFn: typeof fetch;
  private readonly clock: SourceClock;
  private readonly bucket: TokenBucket;
  private readonly cache = new Map<string, { value: unknown; expiresAt: number }>();
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(private readonly name: string, private readonly options: HttpSourceOptions, defaults: { rateLimit: { capacity: number; refillPerSecond: number }; cacheTtlMs: number }) {
    this.fetchFn = options.fetch ?? fetch;
    this.clock = options.clock ?? REAL_CLOCK;
    const rl = options.rateLimit ?? defaults.rateLimit;
    this.bucket = new TokenBucket(rl.capacity, rl.refillPerSecond, this.clock);
    this.ttl = options.cacheTtlMs ?? defaults.cacheTtlMs;
  }

  private readonly ttl: number;

  get now(): number {
    return this.clock.now();
  }

  /**
   * Returns the parsed value for `cacheKey`, fetching `url` when the cache
   * has none fresh. `parse` turns the JSON into the value (throw
   * MacroSourceError for a bad payload); `errorMessage` extracts the
   * source's own error text from an error body.
   */
  async get<T>(cacheKey: string, url: string, headers: Record<string, string>, parse: (json: unknown) => T, errorMessage: (json: unknown) => string | undefined): Promise<T> {
    const hit = this.cache.get(cacheKey);
    if (hit && hit.expiresAt > this.clock.now()) {
      this.stats.cacheHits++;
      return hit.value as T;
    }
    const pending = this.inflight.get(cacheKey);
    if (pending) return pending as Promise<T>;
    const p = this.fetchWithRetry(url, headers, parse, errorMessage).then(
      (value) => {
        this.inflight.delete(cacheKey);
        this.cache.set(cacheKey, { value, expiresAt: this.clock.now() + this.ttl });
        return value;
      },
      (err: unknown) => {
        this.inflight.delete(cacheKey);
        this.stats.failures++;
        throw err;
      },
    );
    this.inflight.set(cacheKey, p);
    return p;
  }

  /** Drops cached answers (all, or one key). */
  invalidate(cacheKey?: string): void {
    if (cacheKey === undefined) this.cache.clear();
    else this.cache.delete(cacheKey);
  }

  private async fetchWithRetry<T>(url: string, headers: Record<string, string>, parse: (json: unknown) => T, errorMessage: (json: unknown) => string | undefined): Promise<T> {
    const maxRetries = this.options.maxRetries ?? 3;
    const cap = this.options.maxBackoffMs ?? 60_000;
    const policy = { minMs: this.options.baseBackoffMs ?? 500, maxMs: cap };
    for (let attempt = 0; ; attempt++) {
      if ((await this.bucket.take()) > 0) this.stats.throttledWaits++;
      this.stats.requests++;
      let retryWait: number;
      let failure: MacroSourceError;
      try {
        const res = await this.fetchFn(url, { headers: { Accept: 'application/json', ...headers }, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
        const text = await res.text();
        let json: unknown;
        try {
          json = text === '' ? undefined : parseJsonBounded(text, RESPONSE_BOUNDS);
        } catch (err) {
          json = undefined;
          if (res.ok) {
            this.stats.badPayloads++;
            // Described, not echoed: the response is untrusted.
            throw new MacroSourceError('QGTM_ERR_MACRO_PAYLOAD', `${this.name}: response is not acceptable JSON: ${(err as Error).message}`, { cause: err, status: res.status });
          }
        }
        if (res.ok) {
          try {
            return parse(json);
          } catch (err) {
            if (err instanceof MacroSourceError && err.code === 'QGTM_ERR_MACRO_PAYLOAD') this.stats.badPayloads++;
            throw err;
          }
        }
        const detail = errorMessage(json) ?? text.slice(0, 200);
        if (res.status === 429) {
          this.stats.rateLimited++;
          failure = new MacroSourceError('QGTM_ERR_MACRO_RATE_LIMITED', `${this.name}: rate limited (429): ${detail}`, { status: 429 });
          retryWait = retryAfterMs(res.headers, this.clock.now()) ?? backoffDelay(policy, attempt);
        } else if (res.status >= 500) {
          failure = new MacroSourceError('QGTM_ERR_MACRO_HTTP', `${this.name}: HTTP ${res.status}: ${detail}`, { status: res.status });
          retryWait = backoffDelay(policy, attempt);
        } else {
          throw new MacroSourceError('QGTM_ERR_MACRO_HTTP', `${this.name}: HTTP ${res.status}: ${detail}`, { status: res.status });
        }
      } catch (err) {
        if (err instanceof MacroSourceError) throw err;
        const timeout = (err as Error)?.name === 'TimeoutError';
        failure = new MacroSourceError(timeout ? 'QGTM_ERR_MACRO_TIMEOUT' : 'QGTM_ERR_MACRO_NETWORK', `${this.name}: ${timeout ? 'request timed out' : 'request failed'}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
        retryWait = backoffDelay(policy, attempt);
      }
      if (attempt >= maxRetries) throw failure;
      this.stats.retries++;
      await this.clock.sleep(Math.min(cap, Math.max(0, retryWait)));
    }
  }
}

/** Wait advised by a 429: Retry-After (seconds or an HTTP date), else X-Ratelimit-Reset (unix seconds). */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const secs = Number(retryAfter);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const when = Date.parse(retryAfter);
    if (!Number.isNaN(when)) return Math.max(0, when - now);
  }
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (headers.get('x-ratelimit-reset') !== null && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  return undefined;
}
