/**
 * Keyed timers for one actor incarnation. Starting a key that is running
 * replaces it; when the incarnation ends every timer is cancelled, and a
 * timer that fires late for a dead incarnation is ignored, so a restarted
 * actor never receives its predecessor's ticks.
 */
import type { Clock, TimerHandle } from './clock.js';
import type { Message } from './message.js';

export interface TimerOptions {
  /** Fire every `delayMs` until cancelled. */
  readonly repeat?: boolean;
}

export interface Timers {
  start(key: string, delayMs: number, msg: Message, options?: TimerOptions): void;
  cancel(key: string): void;
  isActive(key: string): boolean;
  /** Keys of running timers. */
  keys(): string[];
}

export class ActorTimers implements Timers {
  private readonly active = new Map<string, TimerHandle>();
  private alive = true;

  constructor(
    private readonly clock: Clock,
    private readonly deliver: (msg: Message) => void,
  ) {}

  start(key: string, delayMs: number, msg: Message, options: TimerOptions = {}): void {
    if (!this.alive) return;
    if (!(delayMs >= 0) || !Number.isFinite(delayMs)) throw new RangeError(`timer ${key}: delay must be a finite number >= 0, got ${delayMs}`);
    if (options.repeat && delayMs <= 0) throw new RangeError(`timer ${key}: a repeating timer needs a delay > 0`);
    this.cancel(key);
    const fire = (): void => {
      if (!this.alive || this.active.get(key) !== handle) return;
      if (options.repeat) {
        handle = this.clock.setTimer(delayMs, fire);
        this.active.set(key, handle);
      } else {
        this.active.delete(key);
      }
      this.deliver(msg);
    };
    let handle = this.clock.setTimer(delayMs, fire);
    this.active.set(key, handle);
  }

  cancel(key: string): void {
    const h = this.active.get(key);
    if (h) {
      this.clock.clearTimer(h);
      this.active.delete(key);
    }
  }

  isActive(key: string): boolean {
    return this.active.has(key);
  }

  keys(): string[] {
    return [...this.active.keys()];
  }

  /** Ends the incarnation: cancels everything and ignores late fires. */
  dispose(): void {
    this.alive = false;
    for (const h of this.active.values()) this.clock.clearTimer(h);
    this.active.clear();
  }
}
