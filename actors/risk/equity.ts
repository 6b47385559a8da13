/**
 * Tracks the two reference points the drawdown and daily-loss triggers need:
 * the peak equity seen and the equity at the start of the trading day. The
 * caller names the trading day (e.g. the exchange-calendar date in New York),
 * so this stays free of time zones and calendars.
 */

export interface EquityMarks {
  readonly equity: number;
  readonly peakEquity: number;
  readonly dayStartEquity: number;
  readonly day: string;
}

export class EquityTracker {
  private marks: EquityMarks | null;

  constructor(initial: EquityMarks | null = null) {
    this.marks = initial;
  }

  /** Record an equity reading on trading day `day`; a new day resets the day-start mark. Non-finite readings are ignored. */
  update(equity: number, day: string): EquityMarks | null {
    if (!Number.isFinite(equity)) return this.marks;
    const m = this.marks;
    if (m === null) {
      this.marks = { equity, peakEquity: equity, dayStartEquity: equity, day };
    } else {
      this.marks = {
        equity,
        peakEquity: Math.max(m.peakEquity, equity),
        dayStartEquity: day === m.day ? m.dayStartEquity : equity,
        day,
      };
    }
    return this.marks;
  }

  /** Operator reset of the peak (after a deliberate capital change, or to clear a drawdown latch on purpose). */
  resetPeak(): void {
    if (this.marks) this.marks = { ...this.marks, peakEquity: this.marks.equity };
  }

  get current(): EquityMarks | null {
    return this.marks;
  }
}
