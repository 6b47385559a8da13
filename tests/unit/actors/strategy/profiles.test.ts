/**
 * The intraday parameter profile on 1-minute bars: every bar-driven strategy
 * can speak within the backfilled history (and well within two hours of
 * bars), calls a direction on constructed series as it does on daily data,
 * and a shard fed `feed.history` of a backfill signals from all of them.
 */
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../../../actors/strategy/registry.js';
import { ShardCore } from '../../../../actors/strategy/shard-core.js';
import { MarketView } from '../../../../actors/strategy/market-view.js';
import { PROFILE_NAMES, STRATEGY_PROFILES, strategyProfile } from '../../../../actors/strategy/profiles.js';
import type { Params, StrategyDef } from '../../../../actors/strategy/strategy.js';
import type { Signal } from '../../../../actors/strategy/signal.js';
import type { FeedHistoryMsg } from '../../../../actors/feed/messages.js';
import { MIN, START, barMsg, extend, normals, viewWith, walk } from './helpers.js';

const INTRADAY = STRATEGY_PROFILES.intraday;
/** Bars a feed backfills at start in the daemon (a working day of minutes). */
const BACKFILL_BARS = 480;

/** Strategies driven by bars alone (no macro series), other than the calendar one. */
const BAR_DRIVEN = CATALOG.filter((d) => d.macro.length === 0 && d.family !== 'seasonality');
const byId = (id: string): StrategyDef => CATALOG.find((d) => d.id === id)!;
const paramsOf = (def: StrategyDef, profile: 'daily' | 'intraday'): Params => ({ ...def.params, ...(STRATEGY_PROFILES[profile][def.id] as Params | undefined) });
const one = (signals: Signal[], symbol: string) => signals.find((s) => s.symbol === symbol);
const run = (id: string, view: MarketView) => byId(id).evaluate(view, paramsOf(byId(id), 'intraday'), 0);

/** Every instrument a bar-driven strategy trades, each a seeded 1-minute walk with gold-like minute volatility. */
function universeWalks(n: number): Record<string, number[]> {
  const symbols = [...new Set(BAR_DRIVEN.flatMap((d) => [...d.instruments, ...(d.inputs ?? [])]))];
  return Object.fromEntries(symbols.map((s, k) => [s, walk(n, 20 + 10 * k, 0.0006, 0, 100 + k)]));
}

/** For each strategy, the fewest bars after which it signals on every instrument (Infinity if not within `max`). */
function barsToSpeak(profile: 'daily' | 'intraday', max: number): Record<string, number> {
  const series = universeWalks(max);
  const view = new MarketView({ historyCapacity: 512 });
  const need: Record<string, number> = Object.fromEntries(BAR_DRIVEN.map((d) => [d.id, Infinity]));
  for (let i = 0; i < max; i++) {
    for (const [sym, closes] of Object.entries(series)) view.onBar(barMsg(sym, START + i * MIN, closes[i], i > 0 ? closes[i - 1] : closes[i], MIN));
    for (const d of BAR_DRIVEN) {
      if (need[d.id] !== Infinity) continue;
      const signals = d.evaluate(view, paramsOf(d, profile), START + (i + 1) * MIN);
      if (d.instruments.every((s) => signals.some((x) => x.symbol === s))) need[d.id] = i + 1;
    }
  }
  return need;
}

describe('STRATEGY_PROFILES', () => {
  it('the intraday profile then a valid override set for the catalog (a shard accepts it)', () => {
    expect(() => new ShardCore({ shard: 0, strategies: CATALOG, paramOverrides: INTRADAY })).not.toThrow();
    expect(PROFILE_NAMES.map((n) => Object.keys(strategyProfile(n)).length)).toEqual([0, BAR_DRIVEN.length]);
  });

  it('the intraday profile then every bar-driven strategy is covered and the macro and calendar ones keep their defaults', () => {
    expect(Object.keys(INTRADAY).sort()).toEqual(BAR_DRIVEN.map((d) => d.id).sort());
    for (const d of CATALOG.filter((x) => !BAR_DRIVEN.includes(x))) expect(INTRADAY[d.id]).toBeUndefined();
    expect(BAR_DRIVEN.length).toBe(20);
  });

  it('1-minute bars then every bar-driven strategy speaks within 90 bars under intraday, most not under daily', () => {
    const intraday = barsToSpeak('intraday', 300);
    expect(intraday).toEqual({
      gsr_mean_reversion: 61, trend_ma_cross: 31, trend_donchian: 21, tsmom_12_1: 61, tsmom_3_0: 31,
      vol_atr_breakout: 26, vol_squeeze_breakout: 85, miners_vs_metal: 61, junior_vs_senior: 61, pt_pd_spread: 61,
      rsi_reversal: 60, vol_regime_switch: 71, xsec_momentum: 66, dual_momentum: 61, miners_operating_leverage: 31, silver_beta: 51, royalty_vs_miners: 51,
      gold_copper_ratio: 31, gold_oil_ratio: 61, opening_range_breakout: 30,
    });
    const daily = barsToSpeak('daily', 300);
    const silent = Object.entries(daily).filter(([, n]) => n > 90).map(([id]) => id).sort();
    expect(silent).toEqual(['dual_momentum', 'gold_oil_ratio', 'gsr_mean_reversion', 'junior_vs_senior', 'miners_operating_leverage', 'miners_vs_metal', 'pt_pd_spread', 'royalty_vs_miners', 'rsi_reversal', 'silver_beta', 'trend_ma_cross', 'tsmom_12_1', 'vol_regime_switch', 'vol_squeeze_breakout', 'xsec_momentum']);
    // Even the daily defaults fit in a working day of backfilled bars; the intraday ones fit in an hour and a half.
    for (const n of Object.values(daily)) expect(n).toBeLessThanOrEqual(BACKFILL_BARS);
  });

  it('horizons then a few bars to an hour of 1-minute bars, so signals outlive the next bar', () => {
    for (const d of BAR_DRIVEN) {
      const h = paramsOf(d, 'intraday').horizonBars as number;
      expect(h, d.id).toBeGreaterThanOrEqual(5);
      expect(h, d.id).toBeLessThanOrEqual(60);
    }
  });
});

describe('intraday profile on constructed 1-minute series', () => {
  const view = (series: Record<string, number[]>) => viewWith(series, MIN, START, 0.0003);

  it('trend_ma_cross: a steady intraday climb then long, a decline then short', () => {
    expect(one(run('trend_ma_cross', view({ GLD: walk(60, 200, 0.0005, 0.0003, 1) })), 'GLD')!.direction).toBe(1);
    expect(one(run('trend_ma_cross', view({ SLV: walk(60, 30, 0.0005, -0.0003, 2) })), 'SLV')!.direction).toBe(-1);
  });

  it('trend_donchian: a close above the 20-bar high after a range then long', () => {
    const range = normals(40, 5).map((z) => 200 + 0.1 * Math.max(-2, Math.min(2, z)));
    const s = one(run('trend_donchian', view({ GDX: [...range, 200.4, 200.5] })), 'GDX')!;
    expect(s.direction).toBe(1);
    expect(s.horizonMs).toBe(10 * MIN);
  });

  it('tsmom_12_1 and tsmom_3_0: an hour of drift then long, its reverse then short', () => {
    expect(one(run('tsmom_12_1', view({ PPLT: walk(80, 90, 0.0005, 0.0002, 11) })), 'PPLT')!.direction).toBe(1);
    expect(one(run('tsmom_12_1', view({ PPLT: walk(80, 90, 0.0005, -0.0002, 12) })), 'PPLT')!.direction).toBe(-1);
    expect(one(run('tsmom_3_0', view({ SIL: walk(40, 30, 0.001, 0.0005, 13) })), 'SIL')!.direction).toBe(1);
  });

  it('vol_atr_breakout: a minute move of many ATRs then its direction', () => {
    const quiet = walk(30, 200, 0.0004, 0, 21);
    expect(one(run('vol_atr_breakout', view({ GLD: extend(quiet, [0.004]) })), 'GLD')!.direction).toBe(1);
    expect(one(run('vol_atr_breakout', view({ GLD: extend(quiet, [-0.004]) })), 'GLD')!.direction).toBe(-1);
  });

  it('vol_squeeze_breakout: a break out of a tight coil then its direction', () => {
    const loud = walk(70, 90, 0.002, 0, 31);
    const coil = extend(loud, Array.from({ length: 25 }, (_, i) => (i % 2 === 0 ? 0.0002 : -0.0002)));
    const s = one(run('vol_squeeze_breakout', view({ PALL: extend(coil, [0.004]) })), 'PALL')!;
    expect(s.direction).toBe(1);
    expect(s.reason).toContain('squeezed');
  });

  it('pair strategies: one leg rich against its hour-long relation then short it, long the other', () => {
    const cases = [
      { id: 'gsr_mean_reversion', a: 'GLD', b: 'SLV', beta: 1 },
      { id: 'miners_vs_metal', a: 'GDX', b: 'GLD', beta: 1.8 },
      { id: 'junior_vs_senior', a: 'GDXJ', b: 'GDX', beta: 1.3 },
      { id: 'pt_pd_spread', a: 'PPLT', b: 'PALL', beta: 1 },
    ];
    for (const { id, a, b, beta } of cases) {
      const n = 130;
      const B = walk(n, 50, 0.0008, 0, 41);
      const noise = normals(n, 42);
      const A = B.map((x, i) => Math.exp(0.5 + beta * Math.log(x) + 0.0005 * noise[i]));
      A[n - 1] = Math.exp(0.5 + beta * Math.log(B[n - 1]) + 0.004);
      const s = run(id, view({ [a]: A, [b]: B }));
      expect([one(s, a)!.direction, one(s, b)!.direction], id).toEqual([-1, 1]);
      expect(one(s, a)!.horizonMs).toBe(30 * MIN);
    }
  });
});

describe('a shard on the intraday profile fed a backfill', () => {
  it('feed.history of a working day for every instrument then every bar-driven strategy signals, some with a direction', () => {
    const shard = new ShardCore({ shard: 0, strategies: CATALOG, paramOverrides: INTRADAY });
    const end = START + BACKFILL_BARS * MIN;
    for (const [symbol, closes] of Object.entries(universeWalks(BACKFILL_BARS))) {
      const history: FeedHistoryMsg = {
        type: 'feed.history',
        symbol,
        intervalMs: MIN,
        ts: closes.map((_, i) => START + i * MIN),
        open: closes.map((c, i) => (i > 0 ? closes[i - 1] : c)),
        high: closes.map((c, i) => Math.max(c, i > 0 ? closes[i - 1] : c) * 1.0003),
        low: closes.map((c, i) => Math.min(c, i > 0 ? closes[i - 1] : c) * 0.9997),
        close: closes,
        volume: closes.map(() => 1000),
      };
      shard.onMessage(history);
    }
    const signals = shard.evaluate(end);
    const speaking = new Set(signals.map((s) => s.strategyId));
    for (const d of BAR_DRIVEN) expect(speaking.has(d.id), d.id).toBe(true);
    expect(signals.filter((s) => s.direction !== 0).length).toBeGreaterThan(0);
    // Signals are stamped with the last bar and live for their horizon from there.
    for (const s of signals.filter((x) => BAR_DRIVEN.some((d) => d.id === x.strategyId))) {
      expect(s.ts).toBe(end - MIN);
      expect(s.horizonMs).toBeGreaterThanOrEqual(5 * MIN);
    }
  });
});
