/**
 * Regime switching for the simulated market: a continuous-time Markov chain
 * over calm, trending and stressed states. Each regime scales volatility,
 * sets a drift for the metal factors (trending picks a direction on entry)
 * and a jump intensity; stressed markets also quote wider.
 */
import type { Prng } from '../../src/prng.js';

export type RegimeName = 'calm' | 'trending' | 'stressed';

export interface RegimeParams {
  /** Multiplier on every volatility. */
  readonly volMultiplier: number;
  /** Annualised drift magnitude of the metal factors while in this regime. */
  readonly drift: number;
  /** Factor jumps per trading day. */
  readonly jumpsPerDay: number;
  /** Standard deviation of a factor jump (log return). */
  readonly jumpSize: number;
  /** Mean time spent in the regime, ms of market time. */
  readonly meanDurationMs: number;
  /** Where the chain goes on leaving this regime, with probabilities summing to 1. */
  readonly exits: readonly (readonly [RegimeName, number])[];
}

const HOUR = 3_600_000;

export const REGIMES: Readonly<Record<RegimeName, RegimeParams>> = {
  calm: {
    volMultiplier: 0.8, drift: 0, jumpsPerDay: 0.5, jumpSize: 0.004, meanDurationMs: 4 * HOUR,
    exits: [['trending', 0.7], ['stressed', 0.3]],
  },
  trending: {
    volMultiplier: 1.1, drift: 0.8, jumpsPerDay: 1, jumpSize: 0.006, meanDurationMs: 2 * HOUR,
    exits: [['calm', 0.6], ['stressed', 0.4]],
  },
  stressed: {
    volMultiplier: 2.5, drift: 0, jumpsPerDay: 6, jumpSize: 0.012, meanDurationMs: 0.5 * HOUR,
    exits: [['calm', 0.5], ['trending', 0.5]],
  },
};

/** The regime chain's state; advance it once per market step. */
export class RegimeChain {
  private current: RegimeName;
  private direction = 1;
  private enteredAt: number;

  constructor(private readonly rng: Prng, start: RegimeName = 'calm', now = 0) {
    this.current = start;
    this.enteredAt = now;
  }

  get name(): RegimeName {
    return this.current;
  }

  get params(): RegimeParams {
    return REGIMES[this.current];
  }

  /** +1 or -1: the trend direction chosen when the trending regime was entered. */
  get trendDirection(): number {
    return this.direction;
  }

  /** Market time at which the current regime was entered. */
  get since(): number {
    return this.enteredAt;
  }

  /** Possibly switch regime over a step of dtMs; returns true when it switched. */
  advance(dtMs: number, now: number): boolean {
    const p = 1 - Math.exp(-dtMs / REGIMES[this.current].meanDurationMs);
    if (!this.rng.chance(p)) return false;
    const u = this.rng.next();
    let acc = 0;
    let next: RegimeName = this.current;
    for (const [name, prob] of REGIMES[this.current].exits) {
      acc += prob;
      if (u < acc) {
        next = name;
        break;
      }
    }
    this.current = next;
    this.enteredAt = now;
    if (next === 'trending') this.direction = this.rng.chance(0.5) ? 1 : -1;
    return true;
  }

  /** Forces a regime (fault injection and tests). */
  force(name: RegimeName, now: number, direction = 1): void {
    this.current = name;
    this.enteredAt = now;
    this.direction = direction >= 0 ? 1 : -1;
  }
}
