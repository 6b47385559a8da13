import { describe, expect, it } from 'vitest';
import { DEFAULT_RISK_CONFIG as C, resolveRiskConfig } from '../../../../actors/risk/config.js';
import { evaluateTriggers, validateRiskInputs } from '../../../../actors/risk/triggers.js';
import type { TriggerName } from '../../../../actors/risk/triggers.js';
import { ConfigError } from '../../../../src/errors.js';
import { calmInputs } from './fixtures.js';

const NOW = 1_000_000;
const tierOf = (name: TriggerName, over: Parameters<typeof calmInputs>[0]) =>
  evaluateTriggers(calmInputs(over), C, NOW).find((r) => r.trigger === name)!;

describe('triggers', () => {
  it('calm inputs then every trigger NORMAL', () => {
    expect(evaluateTriggers(calmInputs(), C, NOW).map((r) => r.tier)).toEqual(Array(10).fill('NORMAL'));
  });

  it('drawdown from peak then escalates along its ladder', () => {
    expect(tierOf('drawdown', { peakEquity: 100_000, equity: 96_500 }).tier).toBe('WARN');
    expect(tierOf('drawdown', { peakEquity: 100_000, equity: 94_000 }).tier).toBe('THROTTLE');
    const r = tierOf('drawdown', { peakEquity: 100_000, equity: 91_000, dayStartEquity: 91_000 });
    expect(r.tier).toBe('NO_NEW');
    expect(r.metric).toBeCloseTo(0.09, 12);
    expect(r.reason).toBe('drawdown from peak 9.00% >= NO_NEW threshold 8.00%');
    expect(tierOf('drawdown', { peakEquity: 100_000, equity: 87_000 }).tier).toBe('FLATTEN');
  });

  it('daily loss then escalates to FLATTEN at 5 percent', () => {
    expect(tierOf('daily_loss', { dayStartEquity: 100_000, equity: 98_500 }).tier).toBe('WARN');
    expect(tierOf('daily_loss', { dayStartEquity: 100_000, equity: 95_000 }).tier).toBe('FLATTEN');
  });

  it('gross exposure above equity then THROTTLE', () => {
    expect(tierOf('gross_exposure', { grossExposure: 105_000 }).tier).toBe('THROTTLE');
    expect(tierOf('gross_exposure', { grossExposure: 130_000 }).tier).toBe('NO_NEW');
  });

  it('one instrument too large then concentration names it', () => {
    const r = tierOf('concentration', { exposureBySymbol: { GLD: 10_000, GDXJ: -36_000 } });
    expect(r.tier).toBe('NO_NEW');
    expect(r.reason).toMatch(/GDXJ/);
  });

  it('orders in window then order rate counts only the window', () => {
    const ts = Array.from({ length: 120 }, (_, k) => NOW - k * 1_000); // 60 inside 60 s, 60 older
    const r = tierOf('order_rate', { orderTimestamps: ts });
    expect(r.metric).toBe(60);
    expect(r.tier).toBe('WARN');
    const burst = Array.from({ length: 150 }, (_, k) => NOW - k * 10);
    expect(tierOf('order_rate', { orderTimestamps: burst }).tier).toBe('NO_NEW');
  });

  it('market data stale or never received then escalates', () => {
    expect(tierOf('stale_data', { marketDataAgeMs: 6_000 }).tier).toBe('WARN');
    expect(tierOf('stale_data', { marketDataAgeMs: 31_000 }).tier).toBe('NO_NEW');
    expect(tierOf('stale_data', { marketDataAgeMs: null }).tier).toBe('NO_NEW');
  });

  it('broker disconnected then NO_NEW', () => {
    expect(tierOf('broker_disconnected', { brokerConnected: false }).tier).toBe('NO_NEW');
  });

  it('reconciliation drift then WARN then NO_NEW', () => {
    expect(tierOf('reconciliation_drift', { reconciliationDrift: 0.002 }).tier).toBe('WARN');
    expect(tierOf('reconciliation_drift', { reconciliationDrift: 0.02 }).tier).toBe('NO_NEW');
  });

  it('heartbeat missing then escalates', () => {
    expect(tierOf('heartbeat', { heartbeatAgeMs: 20_000 }).tier).toBe('NO_NEW');
  });

  it('operator override then demands its tier', () => {
    expect(tierOf('operator', { operatorOverride: 'THROTTLE' }).tier).toBe('THROTTLE');
  });

  it('metric just under a rung then hold tier still demands it', () => {
    // 7.8 % drawdown: raw THROTTLE, but within the 0.5 % band of NO_NEW.
    const r = tierOf('drawdown', { peakEquity: 100_000, equity: 92_200, dayStartEquity: 92_200 });
    expect(r.tier).toBe('THROTTLE');
    expect(r.holdTier).toBe('NO_NEW');
  });

  it('non-finite inputs then rejected with the field named', () => {
    expect(validateRiskInputs(calmInputs())).toBeNull();
    expect(validateRiskInputs(calmInputs({ equity: Number.NaN }))).toMatch(/^equity/);
    expect(validateRiskInputs(calmInputs({ exposureBySymbol: { GLD: Infinity } }))).toMatch(/GLD/);
  });

  it('ladder out of order then config error', () => {
    expect(() => resolveRiskConfig({ drawdown: { ladder: { WARN: 0.1, THROTTLE: 0.05 }, hysteresis: 0 } })).toThrow(ConfigError);
  });
});
