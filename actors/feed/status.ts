/**
 * Data status of one feed: fresh, stale or gap, driven entirely by the times
 * the caller passes in (no clock of its own).
 *
 * - The feed starts `stale`: before any data there is nothing fresh to trade on.
 * - stale: no valid update for `staleAfterMs` of caller time (checked in `onTime`).
 * - gap: a valid update whose exchange time jumped more than `gapAfterMs` past
 *   the previous one, or a closed bar that skipped more than `maxMissedBars`
 *   intervals. A gap clears to fresh once valid data has kept flowing for
 *   `gapHoldMs` after the (last) gap was seen.
 *
 * Each transition yields exactly one `feed.status` event; staying in a state
 * yields none. Stale outranks gap outranks fresh when several apply at once.
 */
import type { FeedStatus, FeedStatusMsg, FeedStatusReason } from './messages.js';

export interface StatusOptions {
  readonly symbol: string;
  readonly staleAfterMs: number;
  readonly gapAfterMs: number;
  readonly maxMissedBars: number;
  readonly barIntervalMs: number;
  readonly gapHoldMs: number;
}

export interface StatusSnapshot {
  readonly status: FeedStatus;
  readonly lastUpdateAt: number | null;
  readonly lastExchTs: number | null;
  readonly lastBarTs: number | null;
  readonly gapSince: number | null;
}

const num = (v: number): number | null => (Number.isFinite(v) ? v : null);
const nan = (v: number | null | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);

export class StatusTracker {
  private readonly opts: StatusOptions;
  private current: FeedStatus = 'stale';
  /** Caller time of the last valid update. */
  private lastUpdateAt = NaN;
  /** Latest exchange time among valid updates. */
  private lastExchTs = NaN;
  private lastBarTs = NaN;
  private gapSince = NaN;
  private transitions = 0;

  constructor(opts: StatusOptions) {
    this.opts = opts;
  }

  get status(): FeedStatus {
    return this.current;
  }

  /** Status transitions so far. */
  get transitionCount(): number {
    return this.transitions;
  }

  /** Caller time of the last valid update, NaN if none. */
  get lastUpdate(): number {
    return this.lastUpdateAt;
  }

  /**
   * A valid update arrived at caller time `now` with exchange time `exchTs`;
   * `closedBarTs` is the start of a bar this update closed (NaN if none).
   */
  onUpdate(now: number, exchTs: number, closedBarTs: number): FeedStatusMsg | null {
    const gapMs = exchTs - this.lastExchTs;
    const jumped = gapMs > this.opts.gapAfterMs;
    const missed = this.noteBar(closedBarTs);
    const first = Number.isNaN(this.lastUpdateAt);
    const before = this.lastUpdateAt;
    this.lastUpdateAt = now;
    if (!(exchTs <= this.lastExchTs)) this.lastExchTs = exchTs;

    if (jumped || missed > 0) {
      this.gapSince = now;
      if (this.current === 'gap') return null;
      return jumped
        ? this.move('gap', 'ts_jump', now, `exchange time jumped ${gapMs} ms (limit ${this.opts.gapAfterMs} ms)`)
        : this.move('gap', 'bar_gap', now, `${missed} bar interval(s) missing before bar ${closedBarTs}`);
    }
    if (this.current === 'stale') {
      return first
        ? this.move('fresh', 'first_data', now, 'first valid update')
        : this.move('fresh', 'resumed', now, `valid data resumed after ${now - before} ms`);
    }
    if (this.current === 'gap' && now - this.gapSince >= this.opts.gapHoldMs) {
      return this.move('fresh', 'recovered', now, `data flowing for ${now - this.gapSince} ms since the gap`);
    }
    return null;
  }

  /** The passage of caller time, plus the start of a bar closed by time (NaN if none). */
  onTime(now: number, closedBarTs: number): FeedStatusMsg | null {
    const missed = this.noteBar(closedBarTs);
    const silentMs = now - this.lastUpdateAt;
    if (silentMs > this.opts.staleAfterMs) {
      if (this.current === 'stale') return null;
      return this.move('stale', 'no_update', now, `no valid update for ${silentMs} ms (limit ${this.opts.staleAfterMs} ms)`);
    }
    if (missed > 0) {
      this.gapSince = now;
      if (this.current === 'gap') return null;
      return this.move('gap', 'bar_gap', now, `${missed} bar interval(s) missing before bar ${closedBarTs}`);
    }
    return null;
  }

  /** Records a closed bar; returns how many intervals beyond `maxMissedBars` it skipped (0 when none). */
  private noteBar(barTs: number): number {
    if (Number.isNaN(barTs)) return 0;
    const prev = this.lastBarTs;
    if (!(barTs > prev) && !Number.isNaN(prev)) return 0;
    this.lastBarTs = barTs;
    if (Number.isNaN(prev)) return 0;
    const missed = Math.round((barTs - prev) / this.opts.barIntervalMs) - 1;
    return missed > this.opts.maxMissedBars ? missed : 0;
  }

  private move(to: FeedStatus, reason: FeedStatusReason, now: number, detail: string): FeedStatusMsg {
    const previous = this.current;
    this.current = to;
    this.transitions++;
    return {
      type: 'feed.status',
      symbol: this.opts.symbol,
      status: to,
      previous,
      reason,
      ts: now,
      lastUpdateAt: num(this.lastUpdateAt),
      detail,
    };
  }

  snapshot(): StatusSnapshot {
    return {
      status: this.current,
      lastUpdateAt: num(this.lastUpdateAt),
      lastExchTs: num(this.lastExchTs),
      lastBarTs: num(this.lastBarTs),
      gapSince: num(this.gapSince),
    };
  }

  restore(s: StatusSnapshot): void {
    this.current = s.status === 'fresh' || s.status === 'gap' ? s.status : 'stale';
    this.lastUpdateAt = nan(s.lastUpdateAt);
    this.lastExchTs = nan(s.lastExchTs);
    this.lastBarTs = nan(s.lastBarTs);
    this.gapSince = nan(s.gapSince);
  }
}
