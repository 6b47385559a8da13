/**
 * What the book looks like, for Prometheus: the account, P&L, exposure,
 * each position, the risk governor's triggers against their ladders, and the
 * reconciliation's age. The daemon bridge refreshes these from its views
 * once a second (a scrape reads the latest). Before the broker's first
 * account or positions message the families hold no series, rather than a
 * misleading 0; a position closed since the last refresh is dropped.
 */
import type { MetricsRegistry } from '../../src/runtime/index.js';
import { TIERS, tierRank } from '../../actors/risk/tiers.js';
import type { TradingFigures } from './views.js';

export class TradingMetrics {
  private readonly equity;
  private readonly cash;
  private readonly buyingPower;
  private readonly dayPnl;
  private readonly realized;
  private readonly unrealized;
  private readonly gross;
  private readonly net;
  private readonly grossRatio;
  private readonly netRatio;
  private readonly qty;
  private readonly value;
  private readonly triggerMetric;
  private readonly triggerTier;
  private readonly triggerThreshold;
  private readonly reconAge;
  private readonly reconPassed;
  private held = new Set<string>();

  constructor(r: MetricsRegistry) {
    this.equity = r.gauge('qgtm_account_equity_dollars', 'Account equity as the broker last reported it, dollars', []);
    this.cash = r.gauge('qgtm_account_cash_dollars', 'Account cash as the broker last reported it, dollars', []);
    this.buyingPower = r.gauge('qgtm_account_buying_power_dollars', 'Buying power as the broker last reported it, dollars', []);
    this.dayPnl = r.gauge('qgtm_account_day_pnl_dollars', 'Equity less the previous session close\'s equity (the broker\'s last_equity), dollars', []);
    this.realized = r.gauge('qgtm_pnl_realized_dollars', 'Realised P&L of the book\'s positions (broker session, since each position opened), dollars', []);
    this.unrealized = r.gauge('qgtm_pnl_unrealized_dollars', 'Unrealised P&L of open positions at the last price, dollars', []);
    this.gross = r.gauge('qgtm_exposure_gross_dollars', 'Sum of |position value| at the last price, dollars', []);
    this.net = r.gauge('qgtm_exposure_net_dollars', 'Sum of signed position values at the last price, dollars', []);
    this.grossRatio = r.gauge('qgtm_exposure_gross_ratio', 'Gross exposure as a multiple of equity', []);
    this.netRatio = r.gauge('qgtm_exposure_net_ratio', 'Net exposure as a multiple of equity', []);
    this.qty = r.gauge('qgtm_position_quantity', 'Open position per instrument, shares (negative: short)', ['symbol']);
    this.value = r.gauge('qgtm_position_value_dollars', 'Open position per instrument at the last price, dollars (negative: short)', ['symbol']);
    this.triggerMetric = r.gauge('qgtm_risk_trigger_metric', 'A risk trigger\'s current metric, in its unit (pct: a fraction, ratio: a multiple of equity, count, ms, flag 0/1)', ['trigger', 'unit']);
    this.triggerTier = r.gauge('qgtm_risk_trigger_tier', 'The tier a risk trigger demands: 0 NORMAL, 1 WARN, 2 THROTTLE, 3 NO_NEW, 4 FLATTEN', ['trigger']);
    this.triggerThreshold = r.gauge('qgtm_risk_trigger_threshold', 'A risk trigger\'s ladder: the metric at which it demands each tier, in its unit', ['trigger', 'tier', 'unit']);
    this.reconAge = r.gauge('qgtm_reconciliation_age_seconds', 'Seconds since the broker session\'s last reconciliation pass', []);
    this.reconPassed = r.gauge('qgtm_reconciliation_passed', 'Whether the last reconciliation passed (1) or found drift it could not correct (0)', []);
  }

  update(f: TradingFigures, now: number): void {
    const a = f.account;
    if (a) {
      this.equity.set(undefined, a.equity);
      this.cash.set(undefined, a.cash);
      this.buyingPower.set(undefined, a.buyingPower);
      if (a.lastEquity !== null) this.dayPnl.set(undefined, a.equity - a.lastEquity);
    }
    if (f.positions && f.exposure) {
      const { gross, net } = f.exposure;
      let realized = 0;
      let unrealized = 0;
      const open = new Set<string>();
      for (const p of f.positions) {
        realized += p.realizedPnl;
        unrealized += p.unrealizedPnl;
        if (p.qty === 0) continue;
        open.add(p.symbol);
        this.qty.set({ symbol: p.symbol }, p.qty);
        this.value.set({ symbol: p.symbol }, p.value);
      }
      for (const sym of this.held) {
        if (open.has(sym)) continue;
        this.qty.remove({ symbol: sym });
        this.value.remove({ symbol: sym });
      }
      this.held = open;
      this.gross.set(undefined, gross);
      this.net.set(undefined, net);
      this.realized.set(undefined, realized);
      this.unrealized.set(undefined, unrealized);
      if (a && a.equity > 0) {
        this.grossRatio.set(undefined, gross / a.equity);
        this.netRatio.set(undefined, net / a.equity);
      }
    }
    for (const t of f.risk?.triggers ?? []) {
      const unit = t.unit ?? 'count';
      this.triggerMetric.set({ trigger: t.trigger, unit }, t.metric);
      this.triggerTier.set({ trigger: t.trigger }, tierRank(t.tier));
      for (const tier of TIERS) {
        const x = t.ladder?.[tier as keyof typeof t.ladder];
        if (typeof x === 'number') this.triggerThreshold.set({ trigger: t.trigger, tier, unit }, x);
      }
    }
    const rec = f.reconciled;
    if (rec) {
      this.reconAge.set(undefined, Math.max(0, (now - rec.ts) / 1000));
      this.reconPassed.set(undefined, rec.passed ? 1 : 0);
    }
  }
}
