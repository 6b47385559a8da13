import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../../../src/runtime/index.js';
import { TradingMetrics } from '../../../../app/daemon/trading-metrics.js';
import type { TradingFigures } from '../../../../app/daemon/views.js';
import type { RiskStateMsg } from '../../../../actors/risk/messages.js';

/** Every series of a family as `labels -> value`. */
function series(r: MetricsRegistry, name: string): Record<string, number> {
  const m = r.toJson().find((x) => x.name === name);
  return Object.fromEntries((m?.values ?? []).map((v) => [JSON.stringify(v.labels), v.value]));
}
const one = (r: MetricsRegistry, name: string): number | undefined => Object.values(series(r, name))[0];

const NOW = Date.UTC(2026, 11, 5, 15);
const risk = {
  type: 'risk.state', tier: 'WARN', since: NOW, floor: null, floorReason: null, latched: false, calmSince: null, coolDownRemainingMs: null, changes: 1, rejectedInputs: 0, at: NOW,
  triggers: [
    { trigger: 'drawdown', tier: 'WARN', holdTier: 'WARN', metric: 0.031, threshold: 0.03, ladder: { WARN: 0.03, THROTTLE: 0.05, NO_NEW: 0.08, FLATTEN: 0.1 }, unit: 'pct', reason: 'drawdown 3.1%' },
    { trigger: 'stale_data', tier: 'NORMAL', holdTier: 'NORMAL', metric: 1200, threshold: null, ladder: { WARN: 30_000 }, unit: 'ms', reason: 'fresh' },
  ],
} as unknown as RiskStateMsg;

function figures(positions: TradingFigures['positions']): TradingFigures {
  return {
    account: { type: 'broker.account', equity: 100_500, lastEquity: 100_000, cash: 60_000, buyingPower: 180_000, status: 'ACTIVE', ts: NOW },
    positions,
    // As OperatorViews.tradingFigures sums them.
    exposure: positions && { gross: positions.reduce((a, p) => a + Math.abs(p.value), 0), net: positions.reduce((a, p) => a + p.value, 0) },
    risk,
    reconciled: { type: 'broker.reconciled', phase: 'periodic', passed: true, magnitude: 0, ts: NOW - 12_000 } as unknown as TradingFigures['reconciled'],
  };
}

describe('TradingMetrics', () => {
  it('before any broker report then no series at all (not a misleading 0)', () => {
    const r = new MetricsRegistry();
    new TradingMetrics(r).update({ account: null, positions: null, exposure: null, risk: null, reconciled: null }, NOW);
    for (const m of r.toJson()) expect(m.values, m.name).toEqual([]);
  });

  it('the account, P&L, exposure and each position as the broker and the last prices give them', () => {
    const r = new MetricsRegistry();
    new TradingMetrics(r).update(
      figures([
        { symbol: 'GLD', qty: 100, value: 20_000, realizedPnl: 150, unrealizedPnl: 300 },
        { symbol: 'SLV', qty: -200, value: -6_000, realizedPnl: -20, unrealizedPnl: -50 },
        { symbol: 'GDX', qty: 0, value: 0, realizedPnl: 75, unrealizedPnl: 0 },
      ]),
      NOW,
    );
    expect(one(r, 'qgtm_account_equity_dollars')).toBe(100_500);
    expect(one(r, 'qgtm_account_cash_dollars')).toBe(60_000);
    expect(one(r, 'qgtm_account_buying_power_dollars')).toBe(180_000);
    expect(one(r, 'qgtm_account_day_pnl_dollars')).toBe(500);
    expect(one(r, 'qgtm_pnl_realized_dollars')).toBe(205);
    expect(one(r, 'qgtm_pnl_unrealized_dollars')).toBe(250);
    expect(one(r, 'qgtm_exposure_gross_dollars')).toBe(26_000);
    expect(one(r, 'qgtm_exposure_net_dollars')).toBe(14_000);
    expect(one(r, 'qgtm_exposure_gross_ratio')).toBeCloseTo(26_000 / 100_500, 12);
    expect(series(r, 'qgtm_position_quantity')).toEqual({ '{"symbol":"GLD"}': 100, '{"symbol":"SLV"}': -200 });
    expect(series(r, 'qgtm_position_value_dollars')).toEqual({ '{"symbol":"GLD"}': 20_000, '{"symbol":"SLV"}': -6_000 });
    expect(one(r, 'qgtm_reconciliation_age_seconds')).toBe(12);
    expect(one(r, 'qgtm_reconciliation_passed')).toBe(1);
  });

  it('each risk trigger: its metric in its unit, the tier it demands and every rung of its ladder', () => {
    const r = new MetricsRegistry();
    new TradingMetrics(r).update(figures([]), NOW);
    expect(series(r, 'qgtm_risk_trigger_metric')).toEqual({ '{"trigger":"drawdown","unit":"pct"}': 0.031, '{"trigger":"stale_data","unit":"ms"}': 1200 });
    expect(series(r, 'qgtm_risk_trigger_tier')).toEqual({ '{"trigger":"drawdown"}': 1, '{"trigger":"stale_data"}': 0 });
    expect(series(r, 'qgtm_risk_trigger_threshold')).toEqual({
      '{"trigger":"drawdown","tier":"WARN","unit":"pct"}': 0.03,
      '{"trigger":"drawdown","tier":"THROTTLE","unit":"pct"}': 0.05,
      '{"trigger":"drawdown","tier":"NO_NEW","unit":"pct"}': 0.08,
      '{"trigger":"drawdown","tier":"FLATTEN","unit":"pct"}': 0.1,
      '{"trigger":"stale_data","tier":"WARN","unit":"ms"}': 30_000,
    });
  });

  it('a position closed since the last refresh then its series dropped', () => {
    const r = new MetricsRegistry();
    const t = new TradingMetrics(r);
    t.update(figures([{ symbol: 'GLD', qty: 100, value: 20_000, realizedPnl: 0, unrealizedPnl: 0 }, { symbol: 'SLV', qty: 5, value: 150, realizedPnl: 0, unrealizedPnl: 0 }]), NOW);
    t.update(figures([{ symbol: 'GLD', qty: 0, value: 0, realizedPnl: 40, unrealizedPnl: 0 }, { symbol: 'SLV', qty: 5, value: 155, realizedPnl: 0, unrealizedPnl: 0 }]), NOW + 1000);
    expect(series(r, 'qgtm_position_quantity')).toEqual({ '{"symbol":"SLV"}': 5 });
    expect(series(r, 'qgtm_position_value_dollars')).toEqual({ '{"symbol":"SLV"}': 155 });
    expect(one(r, 'qgtm_exposure_gross_dollars')).toBe(155);
  });
});
