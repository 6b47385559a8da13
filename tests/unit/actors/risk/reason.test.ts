import { describe, expect, it } from 'vitest';
import { RiskGovernor } from '../../../../actors/risk/governor.js';
import type { RiskCommandMsg } from '../../../../actors/risk/messages.js';
import { floorReasonOf, operatorLabel, prefixOnce } from '../../../../actors/risk/reason.js';
import { DEFAULT_RISK_CONFIG } from '../../../../actors/risk/config.js';
import { evaluateTriggers } from '../../../../actors/risk/triggers.js';
import { calmInputs } from './fixtures.js';

const set = (by: string, reason: string): RiskCommandMsg => ({ type: 'risk.command', action: 'set', tier: 'THROTTLE', reason, by, at: 1 });

describe('operator reasons', () => {
  it('gateway default by "operator" then the tier change reads "operator set floor", not "operator operator"', () => {
    const g = new RiskGovernor();
    const r = g.command(set('operator', 'browser test'), 1);
    expect(r.changes[0]!.reason).toBe('operator set floor THROTTLE: browser test');
    expect(g.state(2).floorReason).toBe('browser test');
  });

  it('named operator then named once in the reason and the floor reason', () => {
    const g = new RiskGovernor();
    const r = g.command(set('alice', 'news'), 1);
    expect(r.changes[0]!.reason).toBe('operator alice set floor THROTTLE: news');
    expect(g.state(2).floorReason).toBe('alice: news');
  });

  it('text already carrying the prefix then the prefix is not added again', () => {
    expect(prefixOnce('operator ', 'operator alice')).toBe('operator alice');
    expect(prefixOnce('operator ', 'Operator')).toBe('Operator');
    expect(prefixOnce('operator ', 'bob')).toBe('operator bob');
    expect(operatorLabel('')).toBe('operator');
    expect(operatorLabel('operator')).toBe('operator');
    expect(floorReasonOf('alice', 'alice: already said')).toBe('alice: already said');
    expect(floorReasonOf('OPERATOR', 'x')).toBe('x');
  });
});

describe('trigger thresholds in the risk state', () => {
  it('every threshold trigger then carries its whole ladder and unit', () => {
    const ts = evaluateTriggers(calmInputs(), DEFAULT_RISK_CONFIG, 1_000_000);
    const by = Object.fromEntries(ts.map((t) => [t.trigger, t]));
    expect(by.drawdown!.ladder).toEqual({ WARN: 0.03, THROTTLE: 0.05, NO_NEW: 0.08, FLATTEN: 0.12 });
    expect(by.drawdown!.unit).toBe('pct');
    expect(by.gross_exposure!.unit).toBe('ratio');
    expect(by.stale_data!.unit).toBe('ms');
    expect(by.order_rate!.unit).toBe('count');
    expect(by.broker_disconnected!.ladder).toEqual({ NO_NEW: 1 });
    expect(by.broker_disconnected!.unit).toBe('flag');
    for (const t of ts) if (t.trigger !== 'operator') expect(t.ladder, t.trigger).toBeDefined();
  });
});
