import { describe, expect, it } from 'vitest';
import { planIntents, DEFAULT_INTENT_CONFIG, type IntentConfig, type IntentInputs } from '../../../../actors/allocator/intents.js';

const cfg = (over: Partial<IntentConfig> = {}): IntentConfig => ({ ...DEFAULT_INTENT_CONFIG, maxTurnover: 10, ...over });
const inputs = (over: Partial<IntentInputs>): IntentInputs => ({
  targets: new Map(),
  equity: 100_000,
  prices: new Map([['GLD', 200], ['SLV', 25], ['GDX', 40]]),
  positions: new Map(),
  seq: 7,
  now: 1_000,
  ...over,
});

describe('planIntents', () => {
  it('target weight from flat then buys whole shares truncated', () => {
    const plan = planIntents(inputs({ targets: new Map([['GLD', 0.1]]) }), cfg());
    expect(plan.intents).toHaveLength(1);
    const i = plan.intents[0]!;
    expect(i).toMatchObject({ intentId: 'p7:GLD', symbol: 'GLD', side: 'buy', qty: 50, type: 'market', refPrice: 200, createdAt: 1_000, postureSeq: 7 });
    const odd = planIntents(inputs({ targets: new Map([['GLD', 0.1013]]) }), cfg());
    expect(odd.intents[0]!.qty).toBe(Math.trunc((0.1013 * 100_000) / 200));
  });

  it('change within no-trade band then no intent', () => {
    // 52 shares at 200 is weight 0.104; target 0.1 is within a 0.01 band.
    const plan = planIntents(inputs({ targets: new Map([['GLD', 0.1]]), positions: new Map([['GLD', 52]]) }), cfg({ noTradeBand: 0.01 }));
    expect(plan.intents).toHaveLength(0);
    expect(plan.skipped).toEqual([{ symbol: 'GLD', reason: 'no_trade_band' }]);
    const wide = planIntents(inputs({ targets: new Map([['GLD', 0.1]]), positions: new Map([['GLD', 52]]) }), cfg({ noTradeBand: 0.001 }));
    expect(wide.intents[0]).toMatchObject({ side: 'sell', qty: 2 });
  });

  it('trade below minimum notional then skipped', () => {
    const plan = planIntents(inputs({ targets: new Map([['SLV', 0.002]]) }), cfg({ minTradeNotional: 500, noTradeBand: 0 }));
    expect(plan.intents).toHaveLength(0);
    expect(plan.skipped).toEqual([{ symbol: 'SLV', reason: 'min_notional' }]);
    const ok = planIntents(inputs({ targets: new Map([['SLV', 0.002]]) }), cfg({ minTradeNotional: 100, noTradeBand: 0 }));
    expect(ok.intents[0]).toMatchObject({ symbol: 'SLV', qty: 8 });
  });

  it('held symbol with no target then full close despite band and min notional', () => {
    const plan = planIntents(inputs({ positions: new Map([['SLV', 2]]) }), cfg({ minTradeNotional: 1_000, noTradeBand: 0.05 }));
    expect(plan.intents).toHaveLength(1);
    expect(plan.intents[0]).toMatchObject({ intentId: 'p7:SLV', side: 'sell', qty: 2 });
  });

  it('long to short flip then split into close and open legs', () => {
    const plan = planIntents(inputs({ targets: new Map([['GDX', -0.02]]), positions: new Map([['GDX', 30]]) }), cfg());
    expect(plan.intents.map((i) => [i.intentId, i.side, i.qty])).toEqual([
      ['p7:GDX:close', 'sell', 30],
      ['p7:GDX:open', 'sell', 50],
    ]);
  });

  it('turnover above cap then reducing legs first and increasing scaled', () => {
    // Sell 100 GLD (20k, reducing) and buy 2000 SLV (50k); budget 0.4 * 100k = 40k.
    const plan = planIntents(
      inputs({ targets: new Map([['GLD', 0], ['SLV', 0.5]]), positions: new Map([['GLD', 100]]) }),
      cfg({ maxTurnover: 0.4 }),
    );
    expect(plan.reducingScale).toBe(1);
    expect(plan.increasingScale).toBeCloseTo(20_000 / 50_000, 12);
    expect(plan.intents.map((i) => [i.symbol, i.side, i.qty])).toEqual([
      ['GLD', 'sell', 100],
      ['SLV', 'buy', 800],
    ]);
    expect(plan.turnover).toBeCloseTo(0.4, 12);
  });

  it('reducing alone above turnover cap then no increasing trades', () => {
    const plan = planIntents(
      inputs({ targets: new Map([['GLD', 0], ['SLV', 0.5]]), positions: new Map([['GLD', 100]]) }),
      cfg({ maxTurnover: 0.1 }),
    );
    expect(plan.intents.map((i) => [i.symbol, i.qty])).toEqual([['GLD', 50]]);
    expect(plan.skipped).toContainEqual({ symbol: 'SLV', reason: 'turnover' });
  });

  it('limit order config then marketable limit at the tick', () => {
    const plan = planIntents(inputs({ targets: new Map([['GLD', 0.1], ['SLV', -0.1]]) }), cfg({ orderType: 'limit', limitOffsetBps: 10 }));
    const gld = plan.intents.find((i) => i.symbol === 'GLD')!;
    const slv = plan.intents.find((i) => i.symbol === 'SLV')!;
    expect(gld.type).toBe('limit');
    expect(gld.limitPrice).toBe(200.2);
    expect(slv.limitPrice).toBe(24.98);
  });

  it('limit orders with a time limit then each intent carries it as marketAfterMs; 0 or market orders then none', () => {
    const targets = new Map([['GLD', 0.1], ['SLV', -0.1]]);
    expect(DEFAULT_INTENT_CONFIG.limitTimeoutMs).toBe(60_000);
    const timed = planIntents(inputs({ targets }), cfg({ orderType: 'limit', limitTimeoutMs: 45_000 }));
    expect(timed.intents.map((i) => [i.symbol, i.type, i.marketAfterMs])).toEqual([['GLD', 'limit', 45_000], ['SLV', 'limit', 45_000]]);
    const never = planIntents(inputs({ targets }), cfg({ orderType: 'limit', limitTimeoutMs: 0 }));
    expect(never.intents.map((i) => 'marketAfterMs' in i)).toEqual([false, false]);
    const market = planIntents(inputs({ targets }), cfg({ orderType: 'market', limitTimeoutMs: 45_000 }));
    expect(market.intents.map((i) => [i.type, 'marketAfterMs' in i])).toEqual([['market', false], ['market', false]]);
  });

  it('missing price or equity then skipped with reason', () => {
    expect(planIntents(inputs({ targets: new Map([['PALL', 0.1]]) }), cfg()).skipped).toEqual([{ symbol: 'PALL', reason: 'no_price' }]);
    expect(planIntents(inputs({ equity: 0, targets: new Map([['GLD', 0.1]]) }), cfg()).skipped).toEqual([{ symbol: 'GLD', reason: 'no_equity' }]);
  });

  it('same inputs then identical intents', () => {
    const mk = () => inputs({ targets: new Map([['SLV', 0.2], ['GLD', -0.1]]), positions: new Map([['GDX', 10]]) });
    expect(planIntents(mk(), cfg())).toEqual(planIntents(mk(), cfg()));
  });
});
