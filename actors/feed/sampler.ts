/**
 * `FeedSampler`: turns a feed's features stream into at most one
 * `feed.sample` per period for displays. Leading and trailing edge: the first
 * update after a quiet period goes out at once (a display sees a lone tick
 * without delay), later ones within the period are conflated into one
 * trailing sample when the period ends (the display ends on the newest
 * values). So a feed sends at most one sample per period plus one, however
 * fast it ticks, and every update is counted in some sample.
 *
 * Pure: time comes in as `now`; the actor shell runs the trailing timer.
 */
import type { FeedFeaturesMsg, FeedSampleMsg } from './messages.js';

/** Default sample period, ms: four view updates a second, the rate the operator's terminal shows. */
export const DEFAULT_SAMPLE_MS = 250;

export class FeedSampler {
  private latest: FeedFeaturesMsg | null = null;
  private pending = 0;
  private lastAt = Number.NEGATIVE_INFINITY;
  /** A trailing timer is running or its message is queued: until `flush`, no leading sample. */
  private armed = false;
  /** Samples produced so far. */
  samples = 0;

  constructor(
    readonly symbol: string,
    /** Period, ms; 0 turns sampling off (`note` and `flush` return null). */
    readonly periodMs: number = DEFAULT_SAMPLE_MS,
  ) {
    if (!(periodMs >= 0) || !Number.isFinite(periodMs)) throw new RangeError(`sample period must be a finite number >= 0 (got ${periodMs})`);
  }

  /** Notes a features update: returns the sample to publish now, or null (then call `arm`). */
  note(f: FeedFeaturesMsg, now: number): FeedSampleMsg | null {
    if (this.periodMs === 0) return null;
    this.latest = f;
    this.pending++;
    return !this.armed && now - this.lastAt >= this.periodMs ? this.take(now) : null;
  }

  /**
   * When updates wait and no trailing timer is armed: arms one and returns
   * its delay, ms (the shell starts the timer and calls `flush` when it
   * fires). Null otherwise. Armed until `flush`: a timer message queued
   * behind a backlog must not let a leading sample slip in before it, or a
   * lagging feed would send two samples a period.
   */
  arm(now: number): number | null {
    if (this.pending === 0 || this.armed) return null;
    this.armed = true;
    return Math.max(0, this.lastAt + this.periodMs - now);
  }

  /** The trailing sample, when updates wait; null otherwise. Disarms. */
  flush(now: number): FeedSampleMsg | null {
    this.armed = false;
    return this.pending > 0 ? this.take(now) : null;
  }

  private take(now: number): FeedSampleMsg {
    const s: FeedSampleMsg = { type: 'feed.sample', symbol: this.symbol, count: this.pending, features: this.latest! };
    this.pending = 0;
    this.lastAt = now;
    this.samples++;
    return s;
  }
}
