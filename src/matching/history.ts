/**
 * Equity over time for `GET /v2/account/portfolio/history`: the engine
 * samples equity at every market batch; the last sample of each minute and of
 * each UTC day is kept (minutes for 7 days, days for 10 years), and a query
 * buckets them by Alpaca's timeframes over a period.
 */
import { invalid } from './errors.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const KEEP_MINUTES = 7 * 1440;
const KEEP_DAYS = 3650;

/** Samples as kept on disk: [bucket start ms, equity] pairs. */
export interface EquityHistoryState {
  readonly minutes: readonly (readonly [number, number])[];
  readonly days: readonly (readonly [number, number])[];
}

export interface PortfolioQuery {
  readonly period?: string;
  readonly timeframe?: string;
  readonly start?: number;
  readonly end?: number;
}

const TIMEFRAMES: Readonly<Record<string, number>> = { '1Min': MINUTE_MS, '5Min': 5 * MINUTE_MS, '15Min': 15 * MINUTE_MS, '1H': 60 * MINUTE_MS, '1D': DAY_MS };
const PERIOD_UNITS: Readonly<Record<string, number>> = { D: DAY_MS, W: 7 * DAY_MS, M: 30 * DAY_MS, A: 365 * DAY_MS };

/** Last value per bucket, bounded. */
class Series {
  readonly t: number[] = [];
  readonly v: number[] = [];
  constructor(private readonly width: number, private readonly keep: number, restored: readonly (readonly [number, number])[] = []) {
    for (const [t, v] of restored.slice(-keep)) {
      this.t.push(t);
      this.v.push(v);
    }
  }
  record(now: number, value: number): void {
    const bucket = now - (now % this.width);
    const n = this.t.length;
    if (n > 0 && this.t[n - 1] === bucket) this.v[n - 1] = value;
    else if (n === 0 || bucket > this.t[n - 1]) {
      this.t.push(bucket);
      this.v.push(value);
      if (this.t.length > this.keep) {
        this.t.shift();
        this.v.shift();
      }
    }
  }
  pairs(): [number, number][] {
    return this.t.map((t, k) => [t, this.v[k]]);
  }
}

export class EquityHistory {
  private readonly minutes: Series;
  private readonly days: Series;

  constructor(restored?: EquityHistoryState) {
    this.minutes = new Series(MINUTE_MS, KEEP_MINUTES, restored?.minutes);
    this.days = new Series(DAY_MS, KEEP_DAYS, restored?.days);
  }

  record(now: number, equity: number): void {
    this.minutes.record(now, equity);
    this.days.record(now, equity);
  }

  /** The samples to keep: the last `minutes` minute samples and every day. */
  exportState(minutes = KEEP_MINUTES): EquityHistoryState {
    return { minutes: this.minutes.pairs().slice(-minutes), days: this.days.pairs() };
  }

  /**
   * Alpaca's portfolio history: `period` (`<n>D|W|M|A`, default 1M),
   * `timeframe` (1Min, 5Min, 15Min, 1H, 1D; default 1Min under 7 days, 15Min
   * under 30, else 1D; intraday ones only for periods up to 30 days),
   * `start`/`end`. Each point is the last equity in its bucket; profit and
   * loss are against `base_value`, the equity before the first point.
   */
  query(q: PortfolioQuery, now: number): Record<string, unknown> {
    let span = 30 * DAY_MS;
    if (q.period !== undefined) {
      const m = /^(\d+)([DWMA])$/.exec(q.period);
      if (!m || Number(m[1]) < 1) throw invalid(`invalid period: ${q.period} (use <n>D, <n>W, <n>M or <n>A)`);
      span = Number(m[1]) * PERIOD_UNITS[m[2]];
    }
    const end = q.end ?? now;
    const start = q.start ?? end - span;
    if (start > end) throw invalid('start must not be after end');
    const tfName = q.timeframe ?? (end - start < 7 * DAY_MS ? '1Min' : end - start < 30 * DAY_MS ? '15Min' : '1D');
    const width = TIMEFRAMES[tfName];
    if (width === undefined) throw invalid(`invalid timeframe: ${tfName} (use 1Min, 5Min, 15Min, 1H or 1D)`);
    if (width < DAY_MS && end - start > 30 * DAY_MS) throw invalid(`timeframe ${tfName} is only for periods up to 30 days`);
    const source = width < DAY_MS ? this.minutes : this.days;
    const timestamp: number[] = [];
    const equity: number[] = [];
    let base: number | undefined;
    let baseAt: number | undefined;
    for (let k = 0; k < source.t.length; k++) {
      const t = source.t[k];
      if (t < start - (start % width)) {
        base = source.v[k];
        baseAt = t;
        continue;
      }
      if (t > end) break;
      const bucket = t - (t % width);
      if (timestamp.length > 0 && timestamp[timestamp.length - 1] === bucket / 1000) equity[equity.length - 1] = source.v[k];
      else {
        timestamp.push(bucket / 1000);
        equity.push(source.v[k]);
      }
    }
    const baseValue = base ?? equity[0] ?? 0;
    const round2 = (x: number): number => Math.round(x * 100) / 100;
    return {
      timestamp,
      equity: equity.map(round2),
      profit_loss: equity.map((e) => round2(e - baseValue)),
      profit_loss_pct: equity.map((e) => (baseValue > 0 ? Math.round(((e - baseValue) / baseValue) * 1e6) / 1e6 : 0)),
      base_value: round2(baseValue),
      base_value_asof: new Date(baseAt ?? (timestamp[0] ?? start / 1000) * 1000).toISOString().slice(0, 10),
      timeframe: tfName,
    };
  }
}
