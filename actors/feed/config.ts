/**
 * Feed configuration: defaults plus validation that reports every violation
 * at once, each naming its option path.
 */
import { ConfigError } from '../../src/errors.js';

/** Where closed bars come from: built from trades here, or the venue's own bars (`md.bar`). */
export type BarSource = 'trades' | 'venue';

export interface FeedConfig {
  readonly symbol: string;
  /** Bar length; bars are aligned to multiples of it in exchange time. */
  readonly barIntervalMs: number;
  readonly barSource: BarSource;
  /** How long after its end (caller time) a built bar waits for late trades before `onTime` closes it. */
  readonly barCloseGraceMs: number;
  /** No valid update for this long (caller time) means stale. */
  readonly staleAfterMs: number;
  /** An exchange-time jump this large between valid updates means a gap. */
  readonly gapAfterMs: number;
  /** Consecutive closed bars may skip this many intervals before it counts as a gap. */
  readonly maxMissedBars: number;
  /** A gap clears to fresh once data has flowed this long (caller time) since it was detected. */
  readonly gapHoldMs: number;
  /** Half-life, in bars, of the EWMA of squared bar returns. */
  readonly volHalfLifeBars: number;
  /** Bar returns needed before a volatility is reported. */
  readonly minVolBars: number;
  /** Bars per year used to annualise; default assumes 252 sessions of 6.5 hours. */
  readonly barsPerYear: number;
  /** Closed bars kept for strategies and warm restarts. */
  readonly historyCapacity: number;
  /** Offset added to exchange time before taking the UTC day, so the intraday range resets overnight (default -5 h, New York). */
  readonly dayOffsetMs: number;
  /** Messages stamped further than this ahead of caller time are rejected. */
  readonly maxFutureMs: number;
  /** A price moving more than this fraction from the reference in one tick is rejected; 0 disables. */
  readonly maxJumpFraction: number;
  /** A jumped price is confirmed (accepted) when the next jumped print lies within this fraction of it. */
  readonly jumpConfirmFraction: number;
  /** Recent trade ids remembered to drop duplicates. */
  readonly dedupeWindow: number;
}

const SESSION_MS = 6.5 * 3_600_000;

/** Defaults for a symbol, overridden by `overrides`; throws ConfigError listing every violation. */
export function feedConfig(symbol: string, overrides: Partial<Omit<FeedConfig, 'symbol'>> = {}): FeedConfig {
  const barIntervalMs = overrides.barIntervalMs ?? 60_000;
  const cfg: FeedConfig = {
    symbol,
    barIntervalMs,
    barSource: overrides.barSource ?? 'trades',
    barCloseGraceMs: overrides.barCloseGraceMs ?? 2_000,
    staleAfterMs: overrides.staleAfterMs ?? 60_000,
    gapAfterMs: overrides.gapAfterMs ?? 5 * 60_000,
    maxMissedBars: overrides.maxMissedBars ?? 0,
    gapHoldMs: overrides.gapHoldMs ?? barIntervalMs,
    volHalfLifeBars: overrides.volHalfLifeBars ?? 30,
    minVolBars: overrides.minVolBars ?? 5,
    // Derived only from a usable interval, so a bad interval is reported once, not twice.
    barsPerYear: overrides.barsPerYear ?? (barIntervalMs > 0 ? (252 * SESSION_MS) / barIntervalMs : (252 * SESSION_MS) / 60_000),
    historyCapacity: overrides.historyCapacity ?? 512,
    dayOffsetMs: overrides.dayOffsetMs ?? -5 * 3_600_000,
    maxFutureMs: overrides.maxFutureMs ?? 5_000,
    maxJumpFraction: overrides.maxJumpFraction ?? 0.2,
    jumpConfirmFraction: overrides.jumpConfirmFraction ?? 0.01,
    dedupeWindow: overrides.dedupeWindow ?? 64,
  };
  const violations = feedConfigViolations(cfg);
  if (violations.length > 0) throw new ConfigError(violations);
  return Object.freeze(cfg);
}

/** Every problem with a feed config, each naming its option path; empty when valid. */
export function feedConfigViolations(cfg: FeedConfig): string[] {
  const out: string[] = [];
  const p = `feed[${cfg.symbol}]`;
  const positive = (name: keyof FeedConfig, v: number): void => {
    if (!(Number.isFinite(v) && v > 0)) out.push(`${p}.${name} must be a positive number, got ${v}`);
  };
  const nonNegative = (name: keyof FeedConfig, v: number): void => {
    if (!(Number.isFinite(v) && v >= 0)) out.push(`${p}.${name} must be a non-negative number, got ${v}`);
  };
  const integer = (name: keyof FeedConfig, v: number, min: number): void => {
    if (!(Number.isInteger(v) && v >= min)) out.push(`${p}.${name} must be an integer >= ${min}, got ${v}`);
  };
  if (typeof cfg.symbol !== 'string' || cfg.symbol.length === 0) out.push(`feed.symbol must be a non-empty string`);
  integer('barIntervalMs', cfg.barIntervalMs, 1);
  if (cfg.barSource !== 'trades' && cfg.barSource !== 'venue') out.push(`${p}.barSource must be 'trades' or 'venue', got ${String(cfg.barSource)}`);
  nonNegative('barCloseGraceMs', cfg.barCloseGraceMs);
  positive('staleAfterMs', cfg.staleAfterMs);
  positive('gapAfterMs', cfg.gapAfterMs);
  integer('maxMissedBars', cfg.maxMissedBars, 0);
  nonNegative('gapHoldMs', cfg.gapHoldMs);
  positive('volHalfLifeBars', cfg.volHalfLifeBars);
  integer('minVolBars', cfg.minVolBars, 1);
  positive('barsPerYear', cfg.barsPerYear);
  integer('historyCapacity', cfg.historyCapacity, 2);
  if (!Number.isFinite(cfg.dayOffsetMs)) out.push(`${p}.dayOffsetMs must be a finite number, got ${cfg.dayOffsetMs}`);
  nonNegative('maxFutureMs', cfg.maxFutureMs);
  nonNegative('maxJumpFraction', cfg.maxJumpFraction);
  nonNegative('jumpConfirmFraction', cfg.jumpConfirmFraction);
  integer('dedupeWindow', cfg.dedupeWindow, 1);
  return out;
}
