/**
 * Risk thresholds. Each threshold trigger has a ladder (metric value at which
 * each tier is demanded; a missing rung means that trigger never demands that
 * tier) and a hysteresis band in the metric's own unit: to let the governor
 * step down, the metric must sit below the current tier's threshold by at
 * least the band for the whole cool-down.
 *
 * Defaults, and why:
 * - drawdown from peak equity: WARN 3 %, THROTTLE 5 %, NO_NEW 8 %, FLATTEN 12 % (band 0.5 %)
 * - daily loss vs day-start equity: WARN 1 %, THROTTLE 2 %, NO_NEW 3 %, FLATTEN 5 % (band 0.25 %)
 * - gross exposure / equity: WARN 0.9, THROTTLE 1.0, NO_NEW 1.2 (band 0.05). A cash
 *   account should not be levered; no FLATTEN, since flattening on exposure alone
 *   would liquidate a book that is merely large.
 * - concentration, largest |exposure| / equity in one instrument: WARN 0.20,
 *   THROTTLE 0.25, NO_NEW 0.35 (band 0.02)
 * - order rate, orders in the last 60 s: WARN 60, THROTTLE 100, NO_NEW 150 (band 10),
 *   under Alpaca's 200 / min so the venue never has to refuse us
 * - stale market data age: WARN 5 s, NO_NEW 30 s (band 1 s): trading on old prices
 *   is how collars get blown
 * - broker disconnected: NO_NEW (orders cannot be confirmed)
 * - reconciliation drift / equity: WARN 0.1 %, NO_NEW 1 % (band 0.05 %); no FLATTEN,
 *   since liquidating on a book we do not trust could open positions instead of closing them
 * - missing heartbeat age (of the actors feeding the allocator): WARN 5 s, NO_NEW 15 s (band 1 s)
 * - cool-down before each de-escalation step: 5 min
 * - FLATTEN latches: once reached, only an operator `clear` lets it step down
 * - protective stops: off (today's behaviour); when on, every open position
 *   carries a stop 200 bps beyond its entry (or the last fill, whichever is
 *   nearer the market), placed and kept by the broker session; a fixed
 *   distance (volMultiple 0) and a fixed stop (trailing false) unless asked:
 *   a volatility-scaled or trailing stop is a trading decision, not a default
 */

import { ConfigError } from '../../src/errors.js';
import { stopsPolicyErrors } from '../broker/protective-stops.js';
import { TIERS, type Tier } from './tiers.js';

export type EscalatedTier = Exclude<Tier, 'NORMAL'>;
export type Ladder = Readonly<Partial<Record<EscalatedTier, number>>>;

export interface ThresholdConfig {
  readonly ladder: Ladder;
  readonly hysteresis: number;
}

/** `risk.protectiveStops`: whether every open position must carry a stop, how far from its reference, and whether it trails. */
export interface ProtectiveStopsConfig {
  readonly enabled: boolean;
  /** Distance from the reference price, bps (0 < x <= 5000); with `volMultiple`, the distance of a symbol whose volatility is not known yet. */
  readonly distanceBps: number;
  /**
   * 0: every stop at `distanceBps`. Above 0: a symbol's stop at this multiple
   * of its daily volatility (the feed's annualised `vol` / sqrt(252)),
   * rounded to a whole bp and clamped to [10, 5000] bps.
   */
  readonly volMultiple: number;
  /** Place trailing stops (`trailing_stop`, trailing by the distance in percent) instead of fixed ones. */
  readonly trailing: boolean;
}

export interface RiskConfig {
  readonly drawdown: ThresholdConfig;
  readonly dailyLoss: ThresholdConfig;
  readonly grossExposure: ThresholdConfig;
  readonly concentration: ThresholdConfig;
  readonly orderRate: ThresholdConfig;
  readonly orderRateWindowMs: number;
  readonly staleData: ThresholdConfig;
  /** Tier demanded while the broker is disconnected. */
  readonly brokerDisconnectedTier: Tier;
  readonly reconciliationDrift: ThresholdConfig;
  readonly heartbeat: ThresholdConfig;
  /** How long every trigger must be clear (with hysteresis) before each one-step de-escalation. */
  readonly coolDownMs: number;
  /** When true, leaving FLATTEN needs an operator `clear`. */
  readonly flattenLatch: boolean;
  /** Tier changes kept in history (oldest dropped first, counted). */
  readonly historyLimit: number;
  /** Whether every open position must carry a stop, and how far (the broker session places and keeps them). */
  readonly protectiveStops: ProtectiveStopsConfig;
}

export const DEFAULT_RISK_CONFIG: RiskConfig = Object.freeze({
  drawdown: { ladder: { WARN: 0.03, THROTTLE: 0.05, NO_NEW: 0.08, FLATTEN: 0.12 }, hysteresis: 0.005 },
  dailyLoss: { ladder: { WARN: 0.01, THROTTLE: 0.02, NO_NEW: 0.03, FLATTEN: 0.05 }, hysteresis: 0.0025 },
  grossExposure: { ladder: { WARN: 0.9, THROTTLE: 1.0, NO_NEW: 1.2 }, hysteresis: 0.05 },
  concentration: { ladder: { WARN: 0.2, THROTTLE: 0.25, NO_NEW: 0.35 }, hysteresis: 0.02 },
  orderRate: { ladder: { WARN: 60, THROTTLE: 100, NO_NEW: 150 }, hysteresis: 10 },
  orderRateWindowMs: 60_000,
  staleData: { ladder: { WARN: 5_000, NO_NEW: 30_000 }, hysteresis: 1_000 },
  brokerDisconnectedTier: 'NO_NEW',
  reconciliationDrift: { ladder: { WARN: 0.001, NO_NEW: 0.01 }, hysteresis: 0.0005 },
  heartbeat: { ladder: { WARN: 5_000, NO_NEW: 15_000 }, hysteresis: 1_000 },
  coolDownMs: 300_000,
  flattenLatch: true,
  historyLimit: 10_000,
  protectiveStops: Object.freeze({ enabled: false, distanceBps: 200, volMultiple: 0, trailing: false }),
});

/** Overrides of the defaults; `protectiveStops` may name only some of its fields (the rest keep their defaults). */
export type RiskConfigInput = Partial<Omit<RiskConfig, 'protectiveStops'>> & { readonly protectiveStops?: Partial<ProtectiveStopsConfig> };
export type LadderKey = (typeof LADDER_KEYS)[number];

/** The threshold triggers, each with a ladder and a hysteresis band. */
export const LADDER_KEYS = ['drawdown', 'dailyLoss', 'grossExposure', 'concentration', 'orderRate', 'staleData', 'reconciliationDrift', 'heartbeat'] as const;

/** Merge overrides onto the defaults and validate, reporting every violation at once. */
export function resolveRiskConfig(input: RiskConfigInput = {}): RiskConfig {
  const merged = { ...DEFAULT_RISK_CONFIG, ...input };
  // A partial protectiveStops ({enabled: true}) takes the other fields' defaults.
  const cfg = (merged.protectiveStops && typeof merged.protectiveStops === 'object' ? { ...merged, protectiveStops: { ...DEFAULT_RISK_CONFIG.protectiveStops, ...merged.protectiveStops } } : merged) as RiskConfig;
  const v: string[] = [];
  for (const key of LADDER_KEYS) {
    const t = cfg[key];
    if (!(t.hysteresis >= 0)) v.push(`risk.${key}.hysteresis must be >= 0 (got ${t.hysteresis})`);
    let prev = -Infinity;
    for (const tier of TIERS.slice(1) as EscalatedTier[]) {
      const x = t.ladder[tier];
      if (x === undefined) continue;
      if (!Number.isFinite(x)) v.push(`risk.${key}.ladder.${tier} must be a finite number (got ${x})`);
      else if (x <= prev) v.push(`risk.${key}.ladder.${tier} must be above the less strict rungs (got ${x})`);
      else prev = x;
    }
  }
  if (!(cfg.orderRateWindowMs > 0)) v.push(`risk.orderRateWindowMs must be > 0 (got ${cfg.orderRateWindowMs})`);
  if (!(cfg.coolDownMs >= 0)) v.push(`risk.coolDownMs must be >= 0 (got ${cfg.coolDownMs})`);
  if (!TIERS.includes(cfg.brokerDisconnectedTier)) v.push(`risk.brokerDisconnectedTier must be one of ${TIERS.join(', ')}`);
  if (!cfg.protectiveStops || typeof cfg.protectiveStops !== 'object') v.push('risk.protectiveStops must be an object {enabled, distanceBps, volMultiple, trailing}');
  else v.push(...protectiveStopsErrors(cfg.protectiveStops));
  if (!(cfg.historyLimit >= 1)) v.push(`risk.historyLimit must be >= 1 (got ${cfg.historyLimit})`);
  if (v.length > 0) throw new ConfigError(v);
  return cfg;
}

function protectiveStopsErrors(p: ProtectiveStopsConfig): string[] {
  const v = stopsPolicyErrors(p);
  if (!(typeof p.volMultiple === 'number' && Number.isFinite(p.volMultiple) && p.volMultiple >= 0)) v.push(`risk.protectiveStops.volMultiple must be a finite number >= 0 (got ${String(p.volMultiple)})`);
  return v;
}
