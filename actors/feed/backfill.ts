/**
 * Backfill selection: which historical bars from the venue a feed may insert
 * into its history, and why the others are dropped.
 *
 * A feed that starts cold builds bars from live trades only, so its history
 * (and every strategy's) starts empty. The venue's market-data REST has the
 * bars of the recent past; the feed fetches them (backfill-fetch.ts) and
 * inserts those that are strictly older than anything it built live. Live
 * data always wins: a backfilled bar for an interval the feed has seen live
 * (or is building now) would double count it, and a bar not yet closed at
 * `now` is still moving.
 */
import type { BarLike } from './features.js';

/** Why a backfilled bar was not inserted. */
export type BackfillDropReason =
  /** At or after the oldest bar the feed holds or is building: live data covers it. */
  | 'overlap'
  /** Its interval had not ended at `now`: not a closed bar. */
  | 'open'
  /** Non-finite or non-positive prices, high below low, negative volume, or not aligned to the interval. */
  | 'invalid'
  /** A second bar for the same interval. */
  | 'duplicate'
  /** Older than what fits in the history ring's free capacity. */
  | 'no_room';

export const BACKFILL_DROP_REASONS: readonly BackfillDropReason[] = ['overlap', 'open', 'invalid', 'duplicate', 'no_room'];

export type BackfillDrops = Record<BackfillDropReason, number>;

export function emptyBackfillDrops(): BackfillDrops {
  return { overlap: 0, open: 0, invalid: 0, duplicate: 0, no_room: 0 };
}

export interface BackfillBounds {
  readonly intervalMs: number;
  /** Start of the oldest bar held or in progress; +Infinity when the feed has none. */
  readonly cutoff: number;
  /** Caller time: a bar is closed once `ts + intervalMs <= now`. */
  readonly now: number;
  /** Free slots in the history ring. */
  readonly free: number;
}

export interface BackfillSelection {
  /** Bars to insert, oldest first, all older than the cutoff and closed. */
  readonly accepted: BarLike[];
  readonly dropped: BackfillDrops;
}

/** True when the bar is usable data: finite, positive, consistent OHLC, aligned to the interval. */
export function validBackfillBar(b: BarLike, intervalMs: number): boolean {
  if (!b || typeof b !== 'object') return false;
  const { ts, open, high, low, close, volume } = b;
  if (![ts, open, high, low, close, volume].every((x) => typeof x === 'number' && Number.isFinite(x))) return false;
  if (!(open > 0 && high > 0 && low > 0 && close > 0) || volume < 0) return false;
  if (high < low || high < open || high < close || low > open || low > close) return false;
  return ts % intervalMs === 0;
}

/**
 * Sorts, validates and filters `bars` (in any order) against the live
 * history; keeps the newest that fit. Pure: the same input gives the same
 * selection.
 */
export function selectBackfill(bars: readonly BarLike[], bounds: BackfillBounds): BackfillSelection {
  const dropped = emptyBackfillDrops();
  const valid: BarLike[] = [];
  for (const b of bars) {
    if (validBackfillBar(b, bounds.intervalMs)) valid.push(b);
    else dropped.invalid++;
  }
  valid.sort((a, b) => a.ts - b.ts);
  const kept: BarLike[] = [];
  let prevTs = NaN;
  for (const b of valid) {
    const dup = b.ts === prevTs;
    prevTs = b.ts;
    if (dup) dropped.duplicate++;
    else if (b.ts >= bounds.cutoff) dropped.overlap++;
    else if (b.ts + bounds.intervalMs > bounds.now) dropped.open++;
    else kept.push(b);
  }
  const room = Math.max(0, Math.floor(bounds.free));
  if (kept.length > room) {
    dropped.no_room += kept.length - room;
    kept.splice(0, kept.length - room);
  }
  return { accepted: kept, dropped };
}
