/**
 * Restart delays: doubling from `minMs` to `maxMs` with random spread, reset
 * once a child has stayed up for `resetAfterMs`.
 */
import { backoffDelay } from '../src/runtime/backoff.js';
import type { BackoffSpec } from './types.js';

export class Backoff {
  private attempts = 0;
  private lastStartAt = -Infinity;

  constructor(
    private readonly spec: BackoffSpec,
    private readonly random: () => number,
  ) {}

  /** Records that the child (re)started at `now`. */
  started(now: number): void {
    this.lastStartAt = now;
  }

  /** The delay before the next restart, given the child just failed at `now`. */
  next(now: number): number {
    if (now - this.lastStartAt >= this.spec.resetAfterMs) this.attempts = 0;
    return backoffDelay(this.spec, this.attempts++, this.random());
  }
}

/** Restarts within a sliding period: more than `intensity` means give up. */
export class Intensity {
  private readonly times: number[] = [];

  constructor(
    private readonly intensity: number,
    private readonly periodMs: number,
  ) {}

  /** Records a restart at `now`; false when that exceeds the intensity. */
  allow(now: number): boolean {
    this.times.push(now);
    while (this.times.length > 0 && now - this.times[0] > this.periodMs) this.times.shift();
    return this.times.length <= this.intensity;
  }

  get recent(): number {
    return this.times.length;
  }
}
