/**
 * Drives a SimulatedMarket in real time: a timer fires every `intervalMs`
 * and advances market time to `start + elapsed wall time x speed`. This is
 * the shell around the clock-free market, so it is the one place that reads
 * wall time, and that time source is injectable.
 */
import type { SimulatedMarket } from './market.js';

export interface DriverClock {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface DriverOptions {
  /** Market-time speed-up (1 = real time). Default 1. */
  readonly speed?: number;
  /** Timer period in ms. Default 10. */
  readonly intervalMs?: number;
  readonly clock?: DriverClock;
}

const REAL_CLOCK: DriverClock = {
  now: () => Date.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

export class RealTimeDriver {
  private readonly speed: number;
  private readonly intervalMs: number;
  private readonly clock: DriverClock;
  private handle: unknown;
  private realStart = 0;
  private marketStart = 0;
  private fires = 0;
  private resyncs = 0;

  constructor(private readonly market: SimulatedMarket, options: DriverOptions = {}) {
    this.speed = options.speed ?? 1;
    this.intervalMs = options.intervalMs ?? 10;
    this.clock = options.clock ?? REAL_CLOCK;
  }

  get running(): boolean {
    return this.handle !== undefined;
  }

  /** Timer fires and catch-up resyncs so far (for stats). */
  get counters(): { fires: number; resyncs: number } {
    return { fires: this.fires, resyncs: this.resyncs };
  }

  start(): void {
    if (this.handle !== undefined) return;
    this.realStart = this.clock.now();
    this.marketStart = this.market.now;
    this.handle = this.clock.setInterval(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    if (this.handle === undefined) return;
    this.clock.clearInterval(this.handle);
    this.handle = undefined;
  }

  /** One timer fire: catch market time up with the wall clock. */
  tick(): void {
    this.fires++;
    const target = this.marketStart + (this.clock.now() - this.realStart) * this.speed;
    // At most one wall-clock second of streamed steps per fire: when the
    // process stalls (GC, a paused debugger) the rest of the gap is skipped
    // silently rather than burst out. Market time itself must not fall behind:
    // the daemon stamps its submissions with wall time, and a venue clock left
    // lagging would stamp fills before the submissions they answer.
    const maxSteps = Math.max(1, Math.ceil((1000 * this.speed) / this.market.stepMs));
    const steps = this.market.advanceTo(target, maxSteps);
    if (steps === maxSteps && this.market.now + this.market.stepMs <= target) {
      this.resyncs++;
      this.market.skipTo(target);
    }
  }
}
