/**
 * Daily macro series and weekly COT positioning consistent with the simulated
 * gold and silver path. A seeded daily history is generated before the market
 * starts; afterwards every simulated weekday close appends a new day. Real
 * yields (DFII10) and the broad dollar (DTWEXBGS) move against gold,
 * breakevens (T10YIE) with it, and managed-money net length follows gold's
 * 13-week trend. Like FRED, some days are missing (served as ".").
 */
import { Prng, deriveSeed } from '../../src/prng.js';

export const FRED_SERIES = ['DFII10', 'DTWEXBGS', 'T10YIE'] as const;
export type FredSeriesId = (typeof FRED_SERIES)[number];

export const COT_CONTRACTS = { gold: '088691', silver: '084691' } as const;
export type CotMarket = keyof typeof COT_CONTRACTS;

export interface DailyValue {
  /** YYYY-MM-DD (UTC). */
  readonly date: string;
  /** null where the source reports no value (FRED "."). */
  readonly value: number | null;
}

export interface CotRecord {
  readonly reportDate: string;
  readonly managedMoneyLong: number;
  readonly managedMoneyShort: number;
  readonly openInterest: number;
}

export interface MacroModelOptions {
  readonly seed: number;
  /** The first simulated day (market start); history ends on the weekday before it. */
  readonly start: number;
  /** Business days of history to generate. Default 780 (about three years). */
  readonly historyDays?: number;
}

const DAY_MS = 86_400_000;
const TREND_DAYS = 65;
const DECIMALS: Readonly<Record<FredSeriesId, number>> = { DFII10: 2, DTWEXBGS: 4, T10YIE: 2 };

export class MacroModel {
  private readonly rng: Prng;
  private readonly values: Record<FredSeriesId, DailyValue[]> = { DFII10: [], DTWEXBGS: [], T10YIE: [] };
  private readonly cotRows: Record<CotMarket, CotRecord[]> = { gold: [], silver: [] };
  private readonly goldCloses: number[] = [];
  private readonly silverCloses: number[] = [];
  private readonly dates: string[] = [];
  private realYield = 1.8;
  private dollar = 121;
  private breakeven = 2.3;
  private lastDayMs = -Infinity;

  constructor(options: MacroModelOptions) {
    this.rng = new Prng(deriveSeed(options.seed, 'macro'));
    const days = options.historyDays ?? 780;
    const startDay = floorDay(options.start);
    const history: number[] = [];
    for (let d = startDay - DAY_MS; history.length < days; d -= DAY_MS) if (isWeekday(d)) history.push(d);
    history.reverse();
    let gold = 2000;
    let silver = 24;
    for (const day of history) {
      const rg = 0.0002 + 0.009 * this.rng.normal();
      const rs = 1.3 * rg + 0.011 * this.rng.normal();
      gold *= Math.exp(rg);
      silver *= Math.exp(rs);
      this.appendDay(day, gold, silver);
    }
  }

  /** Last recorded gold spot close (the intraday market's gold index is based on it). */
  get goldSpot(): number {
    return this.goldCloses[this.goldCloses.length - 1];
  }

  get silverSpot(): number {
    return this.silverCloses[this.silverCloses.length - 1];
  }

  /** Date (YYYY-MM-DD) of the latest observation. */
  get lastDate(): string {
    return this.dates[this.dates.length - 1];
  }

  /** Observations of a FRED series, oldest first; undefined for an unknown id. */
  series(id: string): readonly DailyValue[] | undefined {
    return (FRED_SERIES as readonly string[]).includes(id) ? this.values[id as FredSeriesId] : undefined;
  }

  /** Weekly COT rows for gold or silver, oldest first. */
  cot(market: CotMarket): readonly CotRecord[] {
    return this.cotRows[market];
  }

  /** Decimal places FRED uses for a series. */
  decimals(id: FredSeriesId): number {
    return DECIMALS[id];
  }

  /**
   * Records a simulated day's close. Weekends and days already recorded are
   * ignored, so the caller can report every UTC day boundary it crosses.
   */
  recordClose(dayMs: number, goldSpot: number, silverSpot: number): boolean {
    const day = floorDay(dayMs);
    if (!isWeekday(day) || day <= this.lastDayMs) return false;
    this.appendDay(day, goldSpot, silverSpot);
    return true;
  }

  private appendDay(day: number, gold: number, silver: number): void {
    const prevGold = this.goldCloses.length ? this.goldCloses[this.goldCloses.length - 1] : gold;
    const rg = Math.log(gold / prevGold);
    const date = isoDate(day);
    this.goldCloses.push(gold);
    this.silverCloses.push(silver);
    this.dates.push(date);
    this.lastDayMs = day;

    this.realYield = clamp(this.realYield - 2.5 * rg + 0.04 * this.rng.normal(), -1.5, 4);
    this.dollar *= Math.exp(-0.25 * rg + 0.003 * this.rng.normal());
    this.breakeven = clamp(this.breakeven + 1.0 * rg + 0.02 * this.rng.normal(), 0.5, 4);
    // A market holiday blanks every series on the same day; a series may also miss a day alone.
    const holiday = this.rng.chance(0.025);
    const levels: Record<FredSeriesId, number> = { DFII10: this.realYield, DTWEXBGS: this.dollar, T10YIE: this.breakeven };
    for (const id of FRED_SERIES) {
      const missing = holiday || this.rng.chance(0.005);
      this.values[id].push({ date, value: missing ? null : roundTo(levels[id], DECIMALS[id]) });
    }
    if (new Date(day).getUTCDay() === 2) this.appendCot(date);
  }

  private appendCot(date: string): void {
    const trend = (closes: number[]): number => {
      const n = closes.length;
      return n > 1 ? Math.log(closes[n - 1] / closes[Math.max(0, n - 1 - TREND_DAYS)]) : 0;
    };
    const mg = trend(this.goldCloses);
    const ms = trend(this.silverCloses);
    const gLong = Math.max(5000, Math.round(160_000 + 900_000 * mg + 8000 * this.rng.normal()));
    const gShort = Math.max(5000, Math.round(60_000 - 500_000 * mg + 5000 * this.rng.normal()));
    const gOi = Math.round(480_000 + 0.5 * (gLong + gShort - 220_000) + 10_000 * this.rng.normal());
    this.cotRows.gold.push({ reportDate: date, managedMoneyLong: gLong, managedMoneyShort: gShort, openInterest: gOi });
    const sLong = Math.max(2000, Math.round(50_000 + 250_000 * ms + 4000 * this.rng.normal()));
    const sShort = Math.max(2000, Math.round(25_000 - 150_000 * ms + 3000 * this.rng.normal()));
    const sOi = Math.round(150_000 + 0.5 * (sLong + sShort - 75_000) + 4000 * this.rng.normal());
    this.cotRows.silver.push({ reportDate: date, managedMoneyLong: sLong, managedMoneyShort: sShort, openInterest: sOi });
  }
}

export function floorDay(ms: number): number {
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}

export function isWeekday(dayMs: number): boolean {
  const dow = new Date(dayMs).getUTCDay();
  return dow !== 0 && dow !== 6;
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}
