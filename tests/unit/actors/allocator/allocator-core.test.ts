import { describe, expect, it } from 'vitest';
import { AllocatorCore } from '../../../../actors/allocator/allocator-core.js';
import { ConfigError } from '../../../../src/errors.js';
import type { Signal } from '../../../../actors/strategy/signal.js';

const sig = (over: Partial<Signal>): Signal => ({
  strategyId: 's1', symbol: 'GLD', direction: 1, strength: 1, confidence: 1, horizonMs: 3_600_000, ts: 1_000, reason: 'r', ...over,
});

function core(): AllocatorCore {
  const c = new AllocatorCore({ combine: { flatPrior: 0 }, sizing: { targetVol: 0.1, maxWeight: 0.5 }, intents: { maxTurnover: 5 } });
  c.onFeatures({ symbol: 'GLD', price: 200, vol: 0.2, ts: 1_000 });
  c.onFeatures({ symbol: 'SLV', price: 25, vol: 0.3, ts: 1_000 });
  return c;
}

describe('AllocatorCore', () => {
  it('signals, features and positions then posture and intents', () => {
    const c = core();
    expect(c.onSignal(sig({ strategyId: 'trend' }), 1_000)).toEqual({ accepted: true });
    expect(c.onSignal(sig({ strategyId: 'ratio', symbol: 'SLV', direction: -1, strength: 0.6 }), 1_000)).toEqual({ accepted: true });
    c.onPositions([], 100_000);
    const { posture, intents } = c.rebalance(2_000);
    expect(posture.type).toBe('allocator.posture');
    expect(posture.seq).toBe(1);
    expect(posture.weights.GLD).toBeCloseTo(0.1 / 0.2, 12);
    expect(posture.weights.SLV).toBeCloseTo((-0.6 * 0.1) / 0.3, 12);
    expect(posture.entries.find((e) => e.symbol === 'GLD')!.contributors.map((x) => x.strategyId)).toEqual(['trend']);
    expect(intents.type).toBe('allocator.intents');
    expect(intents.intents.map((i) => [i.intentId, i.side, i.qty])).toEqual([
      ['p1:GLD', 'buy', 250],
      ['p1:SLV', 'sell', 800],
    ]);
  });

  it('positions never received then no intents', () => {
    const c = core();
    c.onSignal(sig({}), 1_000);
    const r = c.rebalance(2_000);
    expect(r.intents.intents).toHaveLength(0);
    expect(r.intents.skipped).toEqual([{ symbol: 'GLD', reason: 'no_positions' }]);
  });

  it('bad signals then rejected and counted', () => {
    const c = core();
    expect(c.onSignal(sig({ confidence: 2 }), 1_000).accepted).toBe(false);
    expect(c.onSignal(sig({ ts: 0, horizonMs: 10 }), 1_000).accepted).toBe(false);
    c.onSignal(sig({ ts: 900 }), 1_000);
    expect(c.onSignal(sig({ ts: 800 }), 1_000).accepted).toBe(false);
    expect(c.rejections()).toEqual({ expired_signal: 1, invalid_signal: 1, out_of_order_signal: 1 });
  });

  it('signal expires before rebalance then held position is closed', () => {
    const c = core();
    c.onSignal(sig({ horizonMs: 500 }), 1_000);
    c.onPositions([{ symbol: 'GLD', qty: 250 }], 100_000);
    const r = c.rebalance(5_000);
    expect(r.posture.weights).toEqual({});
    expect(r.intents.intents.map((i) => [i.intentId, i.side, i.qty])).toEqual([['p1:GLD', 'sell', 250]]);
  });

  it('snapshot restored then sequence resumes and same output', () => {
    const c = core();
    c.onSignal(sig({}), 1_000);
    c.onPositions([], 100_000);
    c.rebalance(1_500);
    const r = AllocatorCore.restore(c.snapshot(), { combine: { flatPrior: 0 }, sizing: { targetVol: 0.1, maxWeight: 0.5 }, intents: { maxTurnover: 5 } });
    r.onFeatures({ symbol: 'GLD', price: 200, vol: 0.2, ts: 1_000 });
    r.onFeatures({ symbol: 'SLV', price: 25, vol: 0.3, ts: 1_000 });
    r.onPositions([], 100_000);
    const a = c.rebalance(2_000);
    const b = r.rebalance(2_000);
    expect(b).toEqual(a);
    expect(b.posture.seq).toBe(2);
  });

  it('invalid config then one error naming every bad option', () => {
    let err: unknown;
    try {
      new AllocatorCore({ sizing: { targetVol: -1, grossCap: 0 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).violations).toEqual([
      'allocator.sizing.targetVol must be a finite number > 0 (got -1)',
      'allocator.sizing.grossCap must be a finite number > 0 (got 0)',
    ]);
  });

  it('limit time limit negative or not finite then refused naming the option; 0 then taken (never convert)', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new AllocatorCore({ intents: { orderType: 'limit', limitTimeoutMs: bad } })).toThrow(`allocator.intents.limitTimeoutMs must be a finite number of ms >= 0 (0: a limit order never turns into a market order; got ${bad})`);
    }
    expect(() => new AllocatorCore({ intents: { orderType: 'limit', limitTimeoutMs: 0 } })).not.toThrow();
  });
});
