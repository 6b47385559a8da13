import { describe, expect, it } from 'vitest';
import { toLearningCommandMsg, toRiskCommandMsg, toStrategyCommandMsg, validateCommand, type OperatorCommand } from '../../../../app/bus/commands.js';

const base = { id: 'a1', by: 'ops', at: 5 };

describe('operator commands', () => {
  it('valid commands of every type then accepted', () => {
    const cmds: OperatorCommand[] = [
      { ...base, type: 'risk.set_tier', tier: 'NO_NEW', reason: 'news' },
      { ...base, type: 'risk.clear_tier', reason: 'done' },
      { ...base, type: 'risk.flatten', reason: 'kill switch' },
      { ...base, type: 'strategy.enable', strategyId: 'trend_gold' },
      { ...base, type: 'strategy.disable', strategyId: 'trend_gold', reason: 'drawdown' },
    ];
    for (const c of cmds) expect(validateCommand(c)).toEqual({ ok: true, command: c });
  });

  it('unknown type and missing fields then each violation reported', () => {
    const r = validateCommand({ id: '', type: 'risk.explode', at: -1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.violations).toEqual(['id must be 1-128 characters of [A-Za-z0-9_.:-]', 'by must be a string of 1-100 characters', 'at must be epoch milliseconds', expect.stringContaining('type must be one of')]);
  });

  it('disable without reason then rejected; enable without reason then accepted', () => {
    expect(validateCommand({ ...base, type: 'strategy.disable', strategyId: 's' }).ok).toBe(false);
    expect(validateCommand({ ...base, type: 'strategy.enable', strategyId: 's' }).ok).toBe(true);
  });

  it('flatten then the governor gets a FLATTEN floor; clear then a clear', () => {
    expect(toRiskCommandMsg({ ...base, type: 'risk.flatten', reason: 'r' })).toEqual({ type: 'risk.command', action: 'set', tier: 'FLATTEN', reason: 'r', by: 'ops', at: 5 });
    expect(toRiskCommandMsg({ ...base, type: 'risk.clear_tier', reason: 'r' })).toEqual({ type: 'risk.command', action: 'clear', reason: 'r', by: 'ops', at: 5 });
    expect(toRiskCommandMsg({ ...base, type: 'strategy.enable', strategyId: 's' })).toBeNull();
  });

  it('strategy disable then the shard message carries requester and reason', () => {
    expect(toStrategyCommandMsg({ ...base, type: 'strategy.disable', strategyId: 's', reason: 'dd' })).toEqual({ type: 'strategy.disable', strategyId: 's', requestedBy: 'ops', reason: 'dd', ts: 5 });
  });

  it('learning command with frozen not a boolean or no reason then each violation named; a good one then the allocator message', () => {
    const r = validateCommand({ ...base, type: 'strategy.learning', frozen: 'yes' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.violations).toEqual(['frozen must be true or false', 'reason must be a non-empty string of at most 500 characters']);
    const c = { ...base, type: 'strategy.learning', frozen: true, reason: 'review' } as const;
    expect(validateCommand(c)).toEqual({ ok: true, command: c });
    expect(toLearningCommandMsg(c)).toEqual({ type: 'allocator.learning_command', frozen: true, reason: 'review', by: 'ops' });
    expect(toLearningCommandMsg({ ...base, type: 'strategy.enable', strategyId: 's' })).toBeNull();
  });
});
