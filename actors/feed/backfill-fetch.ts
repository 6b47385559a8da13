/**
 * Fetching a feed's backfill: the newest `bars` closed bars of one symbol
 * from the venue's market-data REST (`GET /v2/stocks/{symbol}/bars`) through
 * the real SDK, so the local venue and Alpaca are read the same way; plus the
 * settings, their validation and the retry schedule the feed actor uses.
 *
 * The request asks for the newest bars first (`sort=desc`, `limit`) within a
 * lookback window wide enough to span a weekend or a holiday, and follows
 * `next_page_token` until it has enough: on Alpaca the last `bars` minute
 * bars may lie days back when the market was closed; on the local venue they
 * are the minutes just before start.
 */
import type { AlpacaClients } from '../../src/alpaca/index.js';
import type { BarLike } from './features.js';
import { backoffDelay } from '../../src/runtime/backoff.js';

/** A feed's backfill settings, minus the connection (see FeedBackfillArgs). */
export interface BackfillSettings {
  /** Closed bars wanted (capped by the feed's history capacity). */
  readonly bars: number;
  /** Fetch attempts before giving up (the feed then runs cold). Default 4. */
  readonly maxAttempts?: number;
  /** First retry delay, ms; doubles per attempt. Default 1000. */
  readonly retryMinMs?: number;
  /** Longest retry delay, ms. Default 10,000. */
  readonly retryMaxMs?: number;
  /** Bars per request page (1-10,000). Default 1000. */
  readonly pageLimit?: number;
  /** How far back the request may reach, ms. Default max(4 days, 3 x bars x interval). */
  readonly lookbackMs?: number;
  /** Alpaca historical feed ('iex' on a free plan, 'sip'); omitted for the local venue. */
  readonly feed?: 'iex' | 'sip';
  /** Per-request timeout, ms. Default 10,000. */
  readonly timeoutMs?: number;
}

export const BACKFILL_DEFAULTS = Object.freeze({ maxAttempts: 4, retryMinMs: 1000, retryMaxMs: 10_000, pageLimit: 1000, timeoutMs: 10_000 });

const DAY_MS = 86_400_000;

/** Every problem with backfill settings, each naming its option path under `prefix`. */
export function backfillSettingsViolations(s: BackfillSettings | undefined, prefix: string): string[] {
  if (!s || typeof s !== 'object') return [`${prefix} must be an object`];
  const v: string[] = [];
  const int = (name: keyof BackfillSettings, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const x = s[name];
    if (x !== undefined && !(typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max)) v.push(`${prefix}.${name} must be an integer ${min}-${max} (got ${String(x)})`);
  };
  if (s.bars === undefined) v.push(`${prefix}.bars is required`);
  int('bars', 1);
  int('maxAttempts', 1, 100);
  int('retryMinMs', 0);
  int('retryMaxMs', 0);
  int('pageLimit', 1, 10_000);
  int('lookbackMs', 1);
  int('timeoutMs', 1);
  if (s.feed !== undefined && s.feed !== 'iex' && s.feed !== 'sip') v.push(`${prefix}.feed must be 'iex' or 'sip' (got ${String(s.feed)})`);
  return v;
}

/** Alpaca's timeframe for a bar interval (`1Min`, `5Min`, `1Hour`, `1Day`), or null when it has none. */
export function timeframeFor(intervalMs: number): string | null {
  const min = intervalMs / 60_000;
  if (!Number.isInteger(min) || min < 1) return null;
  if (min <= 59) return `${min}Min`;
  if (min % 60 === 0 && min / 60 <= 23) return `${min / 60}Hour`;
  if (min === 1440) return '1Day';
  return null;
}

/**
 * Delay before attempt `attempt` (2, 3, ...): exponential from `retryMinMs`,
 * capped at `retryMaxMs`, spread by up to +25 % by a hash of the symbol so
 * twenty feeds that failed together do not retry in lockstep (deterministic:
 * no randomness on the actor).
 */
export function backfillRetryDelayMs(attempt: number, symbol: string, s: BackfillSettings): number {
  const min = s.retryMinMs ?? BACKFILL_DEFAULTS.retryMinMs;
  const max = s.retryMaxMs ?? BACKFILL_DEFAULTS.retryMaxMs;
  let h = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 0x01000193) >>> 0;
  const u = ((h + attempt * 0x9e3779b1) >>> 0) / 2 ** 32;
  return backoffDelay({ minMs: min, maxMs: max, jitter: 0.25, spread: 'up' }, attempt - 2, u);
}

/** The HTTP status behind an SDK error, if any. */
export function errorStatus(err: unknown): number | null {
  const s = (err as { response?: { status?: unknown } } | null)?.response?.status;
  return typeof s === 'number' ? s : null;
}

/** A failure retrying cannot fix (bad request, keys, plan): 4xx other than 408 and 429. */
export function isPermanentFailure(err: unknown): boolean {
  const s = errorStatus(err);
  return s !== null && s >= 400 && s < 500 && s !== 408 && s !== 429;
}

/** The market-data REST surface the fetch needs: the SDK's StockApi satisfies it. */
export type BarsApi = Pick<AlpacaClients['stocks'], 'stockBarSingle'>;

export interface FetchedBars {
  /** Bars oldest first (unvalidated: FeedCore.backfill validates). */
  readonly bars: BarLike[];
  readonly pages: number;
}

/** A bar of the SDK (`t` a Date after its JSON mapping; a string or number tolerated). */
export interface SdkBar {
  readonly t: Date | string | number;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
  readonly vw?: number;
  readonly n?: number;
}

function toBar(b: SdkBar): BarLike {
  const ts = b.t instanceof Date ? b.t.getTime() : typeof b.t === 'string' ? Date.parse(b.t) : Number(b.t);
  return { ts, open: Number(b.o), high: Number(b.h), low: Number(b.l), close: Number(b.c), volume: Number(b.v) };
}

/**
 * Waits until the account's request budget lets one backfill request go
 * (the `bulk` lane of src/alpaca/rate-budget.ts); resolves with its release.
 */
export type BackfillGate = () => Promise<() => void>;

/**
 * The newest `s.bars` bars of `symbol` at `intervalMs` before `now`, oldest
 * first. Throws the SDK's error when a request fails (the caller retries).
 * Each page first passes `gate` (when given), outside the SDK's per-request
 * timeout, so backfill never spends the requests orders need.
 */
export async function fetchBackfillBars(api: BarsApi, symbol: string, intervalMs: number, now: number, s: BackfillSettings, gate?: BackfillGate): Promise<FetchedBars> {
  const timeframe = timeframeFor(intervalMs);
  if (timeframe === null) throw new RangeError(`no Alpaca timeframe for a ${intervalMs} ms bar interval`);
  const pageLimit = s.pageLimit ?? BACKFILL_DEFAULTS.pageLimit;
  const lookbackMs = s.lookbackMs ?? Math.max(4 * DAY_MS, 3 * s.bars * intervalMs);
  const start = new Date(now - lookbackMs);
  const newestFirst: BarLike[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  // A venue that keeps answering with a token but no bars must not keep the feed fetching forever.
  const maxPages = Math.ceil(s.bars / pageLimit) + 2;
  do {
    const limit = Math.min(pageLimit, s.bars - newestFirst.length);
    const release = gate ? await gate() : undefined;
    let resp: Awaited<ReturnType<BarsApi['stockBarSingle']>>;
    try {
      resp = await api.stockBarSingle({ symbol, timeframe, start, limit, sort: 'desc', ...(s.feed ? { feed: s.feed } : {}), ...(pageToken ? { pageToken } : {}) });
    } finally {
      release?.();
    }
    pages++;
    for (const b of (resp.bars ?? []) as readonly SdkBar[]) newestFirst.push(toBar(b));
    pageToken = resp.nextPageToken ?? undefined;
  } while (pageToken && newestFirst.length < s.bars && pages < maxPages);
  return { bars: newestFirst.slice(0, s.bars).reverse(), pages };
}
