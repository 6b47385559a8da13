/**
 * Each risk trigger is a pure function of one `RiskInputs` snapshot: it says
 * which tier it demands now (`tier`), which tier it would still demand with
 * its metric worsened by the hysteresis band (`holdTier`, what de-escalation
 * looks at), the metric, the threshold crossed and a human reason.
 */

import type { RiskConfig, ThresholdConfig, EscalatedTier, Ladder } from './config.js';
import { TIERS, tierRank, type Tier } from './tiers.js';

export interface RiskInputs {
  readonly equity: number;
  readonly peakEquity: number;
  readonly dayStartEquity: number;
  /** Sum of |position notional|, dollars. */
  readonly grossExposure: number;
  /** Signed position notional per symbol, dollars. */
  readonly exposureBySymbol: Readonly<Record<string, number>>;
  /** Epoch ms of recent order submissions (older than the window are ignored). */
  readonly orderTimestamps: readonly number[];
  /** Age of the most stale subscribed instrument's data, ms; null = none received yet. */
  readonly marketDataAgeMs: number | null;
  readonly brokerConnected: boolean;
  /** Drift magnitude from the last reconciliation, as a fraction of equity. */
  readonly reconciliationDrift: number;
  /** Age of the oldest missing heartbeat, ms; null = never heard. */
  readonly heartbeatAgeMs: number | null;
  /** Operator floor tier. The governor fills this from its own commands; shells leave it unset. */
  readonly operatorOverride?: Tier | null;
}

export type TriggerName =
  | 'drawdown'
  | 'daily_loss'
  | 'gross_exposure'
  | 'concentration'
  | 'order_rate'
  | 'stale_data'
  | 'broker_disconnected'
  | 'reconciliation_drift'
  | 'heartbeat'
  | 'operator';

export interface TriggerResult {
  readonly trigger: TriggerName;
  readonly tier: Tier;
  /** The tier still demanded with the metric worsened by the hysteresis band. */
  readonly holdTier: Tier;
  readonly metric: number;
  /** Threshold of `tier` (null at NORMAL or for non-numeric triggers). */
  readonly threshold: number | null;
  /**
   * Every rung of this trigger's ladder (metric value at which each tier is
   * demanded), so an operator sees how close the metric is to each limit.
   * Absent for the operator floor; `flag` triggers demand their tier at 1.
   */
  readonly ladder?: Ladder;
  /** Unit of `metric`, `threshold` and `ladder`: pct = fraction shown as %, ratio = multiple of equity, count, ms, flag = 0/1. */
  readonly unit?: TriggerUnit;
  readonly reason: string;
}

export type TriggerUnit = 'pct' | 'ratio' | 'count' | 'ms' | 'flag';
type Unit = Exclude<TriggerUnit, 'flag'>;

function fmt(x: number, unit: Unit): string {
  if (!Number.isFinite(x)) return String(x);
  switch (unit) {
    case 'pct':
      return `${(x * 100).toFixed(2)}%`;
    case 'ratio':
      return `${x.toFixed(3)}×`;
    case 'count':
      return String(Math.round(x));
    case 'ms':
      return `${Math.round(x)} ms`;
  }
}

/** The strictest tier whose rung `metric` reaches. */
export function ladderTier(metric: number, t: ThresholdConfig): Tier {
  let out: Tier = 'NORMAL';
  for (const tier of TIERS.slice(1) as EscalatedTier[]) {
    const x = t.ladder[tier];
    if (x !== undefined && metric >= x) out = tier;
  }
  return out;
}

function threshold(trigger: TriggerName, metric: number, t: ThresholdConfig, unit: Unit, what: string): TriggerResult {
  const tier = ladderTier(metric, t);
  const holdTier = ladderTier(metric + t.hysteresis, t);
  const th = tier === 'NORMAL' ? null : t.ladder[tier]!;
  const reason = th === null ? `${what} ${fmt(metric, unit)} within limits` : `${what} ${fmt(metric, unit)} >= ${tier} threshold ${fmt(th, unit)}`;
  return { trigger, tier, holdTier, metric, threshold: th, ladder: t.ladder, unit, reason };
}

export function drawdownTrigger(i: RiskInputs, c: RiskConfig): TriggerResult {
  const m = i.peakEquity > 0 ? (i.peakEquity - i.equity) / i.peakEquity : 0;
  return threshold('drawdown', m, c.drawdown, 'pct', 'drawdown from peak');
}

export function dailyLossTrigger(i: RiskInputs, c: RiskConfig): TriggerResult {
  const m = i.dayStartEquity > 0 ? (i.dayStartEquity - i.equity) / i.dayStartEquity : 0;
  return threshold('daily_loss', m, c.dailyLoss, 'pct', 'daily loss');
}

export function grossExposureTrigger(i: RiskInputs, c: RiskConfig): TriggerResult {
  const m = i.equity > 0 ? i.grossExposure / i.equity : i.grossExposure > 0 ? Infinity : 0;
  return threshold('gross_exposure', m, c.grossExposure, 'ratio', 'gross exposure / equity');
}

export function concentrationTrigger(i: RiskInputs, c: RiskConfig): TriggerResult {
  let worst = 0;
  let sym = '';
  for (const s of Object.keys(i.exposureBySymbol).sort()) {
    const e = Math.abs(i.exposureBySymbol[s]!);
    const m = i.equity > 0 ? e / i.equity : e > 0 ? Infinity : 0;
    if (m > worst) {
      worst = m;
      sym = s;
    }
  }
  return threshold('concentration', worst, c.concentration, 'ratio', sym ? `concentration in ${sym}` : 'concentration');
}

export function orderRateTrigger(i: RiskInputs, c: RiskConfig, now: number): TriggerResult {
  const from = now - c.orderRateWindowMs;
  let n = 0;
  for (const t of i.orderTimestamps) if (t > from && t <= now) n++;
  return threshold('order_rate', n, c.orderRate, 'count', `orders in last ${c.orderRateWindowMs % 1000 === 0 ? `${c.orderRateWindowMs / 1000} s` : `${c.orderRateWindowMs} ms`}`);
}

export function staleDataTrigger(i: RiskInputs, c: RiskConfig): TriggerResult {
  const m = i.marketDataAgeMs === null ? Infinity : i.marketDataAgeMs;
  return threshold('stale_data', m, c.staleData, 'ms', i.marketDataAgeMs === null ? 'market data never received, age' : 'market data age');
}

export function brokerTrigger(i: RiskInputs, c: RiskConfig): TriggerResult {
  const tier: Tier = i.brokerConnected ? 'NORMAL' : c.brokerDisconnectedTier;
  return {
    trigger: 'broker_disconnected',
    tier,
    holdTier: tier,
    metric: i.brokerConnected ? 0 : 1,
    threshold: i.brokerConnected ? null : 1,
    ...(c.brokerDisconnectedTier === 'NORMAL' ? {} : { ladder: { [c.brokerDisconnectedTier]: 1 } }),
    unit: 'flag',
    reason: i.brokerConnected ? 'broker connected' : 'broker disconnected',
  };
}

export function driftTrigger(i: RiskInputs, c: RiskConfig): TriggerResult {
  return threshold('reconciliation_drift', i.reconciliationDrift, c.reconciliationDrift, 'pct', 'reconciliation drift / equity');
}

export function heartbeatTrigger(i: RiskInputs, c: RiskConfig): TriggerResult {
  const m = i.heartbeatAgeMs === null ? Infinity : i.heartbeatAgeMs;
  return threshold('heartbeat', m, c.heartbeat, 'ms', i.heartbeatAgeMs === null ? 'heartbeat never received, age' : 'heartbeat age');
}

export function operatorTrigger(i: RiskInputs): TriggerResult {
  const t = i.operatorOverride ?? null;
  const tier: Tier = t ?? 'NORMAL';
  return {
    trigger: 'operator',
    tier,
    holdTier: tier,
    metric: tierRank(tier),
    threshold: null,
    reason: t ? `operator set floor ${t}` : 'no operator floor',
  };
}

/** Every trigger, in a fixed order. */
export function evaluateTriggers(i: RiskInputs, c: RiskConfig, now: number): TriggerResult[] {
  return [
    drawdownTrigger(i, c),
    dailyLossTrigger(i, c),
    grossExposureTrigger(i, c),
    concentrationTrigger(i, c),
    orderRateTrigger(i, c, now),
    staleDataTrigger(i, c),
    brokerTrigger(i, c),
    driftTrigger(i, c),
    heartbeatTrigger(i, c),
    operatorTrigger(i),
  ];
}

/** Why a snapshot cannot be evaluated, or null. */
export function validateRiskInputs(i: RiskInputs): string | null {
  const finite: [string, number][] = [
    ['equity', i.equity],
    ['peakEquity', i.peakEquity],
    ['dayStartEquity', i.dayStartEquity],
    ['grossExposure', i.grossExposure],
    ['reconciliationDrift', i.reconciliationDrift],
  ];
  for (const [k, v] of finite) if (typeof v !== 'number' || !Number.isFinite(v)) return `${k} must be a finite number (got ${v})`;
  for (const [s, v] of Object.entries(i.exposureBySymbol)) if (!Number.isFinite(v)) return `exposureBySymbol.${s} must be finite (got ${v})`;
  if (i.marketDataAgeMs !== null && !(i.marketDataAgeMs >= 0)) return `marketDataAgeMs must be >= 0 or null (got ${i.marketDataAgeMs})`;
  if (i.heartbeatAgeMs !== null && !(i.heartbeatAgeMs >= 0)) return `heartbeatAgeMs must be >= 0 or null (got ${i.heartbeatAgeMs})`;
  if (typeof i.brokerConnected !== 'boolean') return 'brokerConnected must be a boolean';
  return null;
}
