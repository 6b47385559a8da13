import { describe, expect, it } from 'vitest';
import { pack, unpack } from 'msgpackr';
import { ShardCore } from '../../../../actors/strategy/shard-core.js';
import { CATALOG, partition } from '../../../../actors/strategy/registry.js';
import { gsrMeanReversion } from '../../../../actors/strategy/catalog/ratio.js';
import { ConfigError } from '../../../../src/errors.js';
import type { StrategyDef } from '../../../../actors/strategy/strategy.js';
import type { Signal } from '../../../../actors/strategy/signal.js';
import type { FeedFeaturesMsg } from '../../../../actors/feed/messages.js';
import { DAY, START, barMsg, barsOf, normals, walk } from './helpers.js';

/** A strategy on one symbol that counts its evaluations and emits `dir` on it. */
function probe(id: string, symbol: string, opts: { dir?: -1 | 0 | 1; trigger?: 'bar' | 'features'; throws?: boolean; bad?: boolean } = {}) {
  const calls = { n: 0 };
  const def: StrategyDef = {
    id,
    family: 'trend',
    thesis: 'test probe',
    params: { k: 1 },
    instruments: [symbol],
    macro: ['DFII10'],
    trigger: opts.trigger ?? 'bar',
    evaluate(view, _p, now): Signal[] {
      calls.n++;
      if (opts.throws) throw new Error('kaput');
      const bars = view.bars(symbol);
      if (bars.length === 0) return [];
      return [{ strategyId: id, symbol, direction: opts.dir ?? 1, strength: opts.bad ? NaN : 0.5, confidence: 0.8, horizonMs: DAY, ts: now, reason: 'probe' }];
    },
  };
  return { def, calls };
}

const features = (symbol: string, status: FeedFeaturesMsg['status'], ts = START): FeedFeaturesMsg => ({
  type: 'feed.features', symbol, ts, seq: 1, source: 'trade', price: 100, bid: 99.9, ask: 100.1, mid: 100, spreadBps: 20,
  ret: 0, barRet: null, vol: null, dayHigh: 100, dayLow: 100, rangeBps: 0, bars: 0, status,
});

const noModels = { meta: false, regime: false } as const;

describe('ShardCore', () => {
  it('a bar for one symbol then only strategies on that symbol are evaluated', () => {
    const a = probe('a', 'GLD');
    const b = probe('b', 'SLV');
    const shard = new ShardCore({ shard: 0, strategies: [a.def, b.def], ...noModels });
    shard.evaluate(START); // first evaluation of everything
    a.calls.n = b.calls.n = 0;
    shard.onBar(barMsg('GLD', START, 100, 100));
    const out = shard.evaluate(START);
    expect([a.calls.n, b.calls.n]).toEqual([1, 0]);
    expect(out.map((s) => s.strategyId)).toEqual(['a']);
    expect(shard.evaluate(START)).toEqual([]);
    expect(a.calls.n).toBe(1);
  });

  it('a per-instrument strategy when one instrument gets a bar then evaluated for that instrument alone', () => {
    const seen: (readonly string[] | undefined)[] = [];
    const syms = ['GLD', 'SLV', 'GDX'];
    const mk = (perInstrument: boolean, id: string): StrategyDef => ({
      id, family: 'trend', thesis: 'test probe', params: {}, instruments: syms, macro: ['DFII10'], trigger: 'bar', perInstrument,
      evaluate(view, _p, now, only): Signal[] {
        seen.push(only);
        return (only ?? syms).filter((sym) => view.bars(sym).length > 0).map((sym) => ({ strategyId: id, symbol: sym, direction: 1, strength: 0.5, confidence: 0.8, horizonMs: DAY, ts: now, reason: 'probe' }));
      },
    });
    const shard = new ShardCore({ shard: 0, strategies: [mk(true, 'per')], ...noModels });
    for (const sym of syms) shard.onBar(barMsg(sym, START, 100, 100));
    // The first evaluation covers every instrument.
    expect(shard.evaluate(START).map((x) => x.symbol)).toEqual(syms);
    expect(seen).toEqual([undefined]);

    shard.onBar(barMsg('SLV', START + DAY, 101, 100));
    expect(shard.evaluate(START + DAY).map((x) => x.symbol)).toEqual(['SLV']);
    shard.onBar(barMsg('GDX', START + 2 * DAY, 101, 100));
    shard.onBar(barMsg('GLD', START + 2 * DAY, 101, 100));
    expect(shard.evaluate(START + 2 * DAY).map((x) => x.symbol).sort()).toEqual(['GDX', 'GLD']);
    // A macro input changes everything: all instruments again; so does an operator enable.
    shard.onMacro({ type: 'macro.series', seriesId: 'DFII10', observations: [], ts: START, source: 'test' } as never);
    expect(shard.evaluate(START + 3 * DAY).map((x) => x.symbol)).toEqual(syms);
    expect(seen.slice(1)).toEqual([['SLV'], expect.arrayContaining(['GDX', 'GLD']), undefined]);

    // A strategy that does not declare itself per-instrument is always evaluated in full.
    seen.length = 0;
    const whole = new ShardCore({ shard: 0, strategies: [mk(false, 'whole')], ...noModels });
    for (const sym of syms) whole.onBar(barMsg(sym, START, 100, 100));
    whole.evaluate(START);
    whole.onBar(barMsg('SLV', START + DAY, 101, 100));
    expect(whole.evaluate(START + DAY).map((x) => x.symbol)).toEqual(syms);
    expect(seen).toEqual([undefined, undefined]);
  });

  it('a bar of an input (read, not traded) then the strategy re-evaluated in full, never for the input alone', () => {
    const seen: (readonly string[] | undefined)[] = [];
    const syms = ['GDX', 'GDXJ'];
    const def: StrategyDef = {
      id: 'lev', family: 'relative_value', thesis: 'test probe', params: {}, instruments: syms, inputs: ['GLD'], macro: [], trigger: 'bar', perInstrument: true,
      evaluate(view, _p, now, only): Signal[] {
        seen.push(only);
        if (view.bars('GLD').length === 0) return [];
        return (only ?? syms).map((sym) => ({ strategyId: 'lev', symbol: sym, direction: 1, strength: 0.5, confidence: 0.8, horizonMs: DAY, ts: now, reason: 'probe' }));
      },
    };
    const other = probe('other', 'SLV');
    const shard = new ShardCore({ shard: 0, strategies: [def, other.def], ...noModels });
    for (const sym of syms) shard.onBar(barMsg(sym, START, 100, 100));
    expect(shard.evaluate(START)).toEqual([]); // no GLD yet: no signal
    other.calls.n = 0;
    shard.onBar(barMsg('GLD', START, 100, 100));
    expect(shard.evaluate(START).map((x) => x.symbol)).toEqual(syms);
    expect(seen).toEqual([undefined, undefined]);
    expect(other.calls.n).toBe(0);
    shard.onBar(barMsg('GDXJ', START + DAY, 101, 100));
    expect(shard.evaluate(START + DAY).map((x) => x.symbol)).toEqual(['GDXJ']);
    // Removed, it no longer listens on its input either.
    shard.removeStrategy('lev', START + DAY);
    shard.onBar(barMsg('GLD', START + DAY, 101, 100));
    expect(shard.evaluate(START + DAY)).toEqual([]);
    expect(seen).toHaveLength(3);
  });

  it('the meta weight of a per-instrument strategy moved when one instrument gets a bar then every instrument is re-evaluated', () => {
    const seen: (readonly string[] | undefined)[] = [];
    const syms = ['GLD', 'SLV'];
    const def: StrategyDef = {
      id: 'per', family: 'trend', thesis: 'test probe', params: {}, instruments: syms, macro: [], trigger: 'bar', perInstrument: true,
      evaluate(_view, _p, now, only): Signal[] {
        seen.push(only);
        return [];
      },
    };
    const shard = new ShardCore({ shard: 0, strategies: [def], meta: {}, regime: false });
    for (const sym of syms) shard.onBar(barMsg(sym, START, 100, 100));
    shard.evaluate(START);
    shard.onBar(barMsg('SLV', START + DAY, 101, 100));
    shard.evaluate(START + DAY);
    // The weight moves (as resolved outcomes would move it): the next bar's evaluation covers all.
    const weight = shard.meta!.weight.bind(shard.meta);
    shard.meta!.weight = (id: string) => weight(id) * 0.5;
    shard.onBar(barMsg('SLV', START + 2 * DAY, 102, 101));
    shard.evaluate(START + 2 * DAY);
    shard.onBar(barMsg('GLD', START + 3 * DAY, 102, 101));
    shard.evaluate(START + 3 * DAY);
    expect(seen).toEqual([undefined, ['SLV'], undefined, ['GLD']]);
  });

  it('features updates then only features-triggered strategies run', () => {
    const onBar = probe('bar', 'GLD');
    const onTick = probe('tick', 'GLD', { trigger: 'features' });
    const shard = new ShardCore({ shard: 0, strategies: [onBar.def, onTick.def], ...noModels });
    shard.evaluate(START);
    onBar.calls.n = onTick.calls.n = 0;
    shard.onFeatures(features('GLD', 'fresh'));
    shard.evaluate(START);
    expect([onBar.calls.n, onTick.calls.n]).toEqual([0, 1]);
  });

  it('a macro update then strategies reading that series run', () => {
    const a = probe('a', 'GLD');
    const shard = new ShardCore({ shard: 0, strategies: [a.def], ...noModels });
    shard.evaluate(START);
    a.calls.n = 0;
    shard.onMessage({ type: 'macro.series', seriesId: 'T10YIE', observations: [], fetchedAt: 0 });
    shard.evaluate(START);
    expect(a.calls.n).toBe(0);
    shard.onMessage({ type: 'macro.series', seriesId: 'DFII10', observations: [{ date: '2026-01-02', value: 1.9 }], fetchedAt: 0 });
    shard.evaluate(START);
    expect(a.calls.n).toBe(1);
  });

  it('a strategy that throws then marked error and counted, and the others still signal', () => {
    const bad = probe('bad', 'GLD', { throws: true });
    const good = probe('good', 'GLD');
    const shard = new ShardCore({ shard: 2, strategies: [bad.def, good.def], ...noModels });
    shard.onBar(barMsg('GLD', START, 100, 100));
    const out = shard.evaluate(START);
    expect(out.map((s) => s.strategyId)).toEqual(['good']);
    const status = shard.statusReport(START).strategies.find((s) => s.id === 'bad')!;
    expect(status).toMatchObject({ state: 'error', errors: 1, lastErrorAt: START });
    expect(status.lastError).toContain('kaput');
    // Quarantined: not evaluated again until an operator enables it.
    shard.onBar(barMsg('GLD', START + DAY, 101, 100));
    shard.evaluate(START + DAY);
    expect(bad.calls.n).toBe(1);
    const reply = shard.handleCommand({ type: 'strategy.enable', strategyId: 'bad', requestedBy: 'op', ts: 1 }, START + DAY);
    expect(reply).toMatchObject({ type: 'strategy.command_result', ok: true, shard: 2, command: 'enable' });
    shard.evaluate(START + DAY);
    expect(bad.calls.n).toBe(2);
  });

  it('a strategy that returns an invalid signal then marked error and the signal dropped', () => {
    const bad = probe('nan', 'GLD', { bad: true });
    const shard = new ShardCore({ shard: 0, strategies: [bad.def], ...noModels });
    shard.onBar(barMsg('GLD', START, 100, 100));
    expect(shard.evaluate(START)).toEqual([]);
    expect(shard.surface.status('nan')).toMatchObject({ state: 'error' });
    expect(shard.surface.status('nan')!.lastError).toContain('strength NaN');
  });

  it('disabled by command then not evaluated, re-enabled then evaluated at once', () => {
    const a = probe('a', 'GLD');
    const shard = new ShardCore({ shard: 0, strategies: [a.def], ...noModels });
    const r = shard.handleCommand({ type: 'strategy.disable', strategyId: 'a', requestedBy: 'op', reason: 'review', ts: 1 }, START);
    expect(r.ok).toBe(true);
    shard.onBar(barMsg('GLD', START, 100, 100));
    expect(shard.evaluate(START)).toEqual([]);
    expect(a.calls.n).toBe(0);
    expect(shard.statusReport(START).strategies[0]).toMatchObject({ state: 'disabled', disabledReason: 'review (by op)' });
    shard.enable('a');
    expect(shard.evaluate(START)).toHaveLength(1);
  });

  it('a command for a strategy the shard does not hold then not ok with the code', () => {
    const shard = new ShardCore({ shard: 1, strategies: [], ...noModels });
    const r = shard.handleCommand({ type: 'strategy.enable', strategyId: 'ghost', requestedBy: 'op', ts: 1 }, 5);
    expect(r).toMatchObject({ ok: false, code: 'QGTM_ERR_UNKNOWN_STRATEGY', strategyId: 'ghost', ts: 5 });
  });

  it('the feed goes stale then the signal is re-issued with lower confidence', () => {
    const a = probe('a', 'GLD');
    const shard = new ShardCore({ shard: 0, strategies: [a.def], ...noModels });
    shard.onFeatures(features('GLD', 'fresh'));
    shard.onBar(barMsg('GLD', START, 100, 100));
    const [fresh] = shard.evaluate(START);
    expect(fresh.confidence).toBeCloseTo(0.8, 12);
    shard.onMessage({ type: 'feed.status', symbol: 'GLD', status: 'stale', previous: 'fresh', reason: 'no_update', ts: START, lastUpdateAt: START, detail: '' });
    const [stale] = shard.evaluate(START + 1);
    expect(stale.confidence).toBeCloseTo(0.8 * 0.4, 12);
    expect(stale.rawConfidence).toBe(0.8);
  });

  it('a strategy keeps calling the wrong way then the meta model scales its confidence down', () => {
    const wrong = probe('wrong', 'GLD', { dir: 1 });
    const shard = new ShardCore({ shard: 0, strategies: [wrong.def], regime: false });
    let price = 100;
    for (let i = 0; i < 40; i++) {
      shard.onBar(barMsg('GLD', START + i * DAY, price, price));
      shard.evaluate(START + i * DAY);
      price *= 0.99; // it always says long; the price always falls
    }
    const [s] = (shard.onBar(barMsg('GLD', START + 40 * DAY, price, price)), shard.evaluate(START + 40 * DAY));
    expect(shard.meta!.weight('wrong')).toBeLessThan(0.5);
    expect(s.confidence).toBeCloseTo(0.8 * shard.meta!.weight('wrong'), 12);
    expect(shard.statusReport(0).strategies[0].weight).toBe(shard.meta!.weight('wrong'));
  });

  it('the real catalog on a market then signals from its strategies with shard and family', () => {
    const shard = new ShardCore({ shard: 0, strategies: CATALOG });
    const series: Record<string, number[]> = {};
    const gld = walk(300, 180, 0.01, 0.001, 81);
    series.GLD = gld;
    series.SLV = gld.map((x, i) => (x / 80) * Math.exp(0.01 * normals(300, 82)[i]));
    series.GDX = gld.map((x, i) => Math.exp(-3 + 1.5 * Math.log(x) + 0.01 * normals(300, 83)[i]));
    for (const b of barsOf(series)) shard.onBar(b);
    const out = shard.evaluate(START + 300 * DAY);
    const ids = new Set(out.map((s) => s.strategyId));
    for (const id of ['gsr_mean_reversion', 'trend_ma_cross', 'tsmom_12_1', 'miners_vs_metal', 'seasonality_gold']) expect(ids.has(id), id).toBe(true);
    expect(out.every((s) => s.type === 'strategy.signal' && s.shard === 0 && s.confidence >= 0 && s.confidence <= 1)).toBe(true);
    expect(shard.statusReport(0).strategies.every((s) => s.state === 'enabled')).toBe(true);
    expect(shard.regime()).not.toBeNull();
  });

  it('snapshot through msgpack then a restarted shard resumes warm with the same state', () => {
    const opts = { shard: 1, strategies: partition(CATALOG, 2)[1] };
    const a = new ShardCore(opts);
    const gld = walk(300, 180, 0.01, 0.001, 91);
    for (const b of barsOf({ GLD: gld, SLV: gld.map((x) => x / 80) })) a.onBar(b);
    a.evaluate(START);
    a.disable(opts.strategies[0].id, 'test');
    const { core: b, warm, problem } = ShardCore.fromSnapshot(unpack(pack(a.snapshot())), opts);
    expect(problem).toBeNull();
    expect(warm).toBe(true);
    expect(b.statusReport(0)).toEqual(a.statusReport(0));
    const next = barMsg('GLD', START + 300 * DAY, gld[299] * 1.01, gld[299]);
    a.onBar(next);
    b.onBar(next);
    expect(b.evaluate(START + 301 * DAY).filter((s) => s.symbol === 'GLD')).toEqual(a.evaluate(START + 301 * DAY).filter((s) => s.symbol === 'GLD'));
  });

  it('a snapshot for another shard then starts cold with the problem', () => {
    const r = ShardCore.fromSnapshot(new ShardCore({ shard: 0, strategies: [] }).snapshot(), { shard: 3, strategies: [] });
    expect(r.warm).toBe(false);
    expect(r.problem).toContain('shard 0');
  });

  it('parameter overrides then used, and bad overrides then every violation reported', () => {
    const shard = new ShardCore({ shard: 0, strategies: [gsrMeanReversion], paramOverrides: { gsr_mean_reversion: { window: 30 } }, ...noModels });
    const gld = walk(40, 180, 0.01, 0, 95);
    const z = normals(40, 96);
    for (const b of barsOf({ GLD: gld, SLV: gld.map((x, i) => (x / 80) * Math.exp(0.005 * z[i])) })) shard.onBar(b);
    expect(shard.evaluate(START).length).toBe(2); // 40 bars are enough for a 30-bar window, not for 120
    try {
      new ShardCore({ shard: 0, strategies: [gsrMeanReversion], paramOverrides: { gsr_mean_reversion: { window: 'x', nope: 1 }, ghost: {} } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).violations).toHaveLength(3);
    }
  });

  it('a strategy added at run time then evaluated and reported', () => {
    const shard = new ShardCore({ shard: 0, strategies: [], ...noModels });
    const a = probe('late', 'GLD');
    expect(shard.addStrategy(a.def).ok).toBe(true);
    expect(shard.addStrategy(a.def).ok).toBe(false);
    shard.onBar(barMsg('GLD', START, 100, 100));
    expect(shard.evaluate(START).map((s) => s.strategyId)).toEqual(['late']);
    expect(shard.statusReport(START).strategies.map((s) => s.id)).toEqual(['late']);
  });
});

describe('ShardCore runtime add/remove', () => {
  it('a removed strategy is no longer evaluated and its instruments are retracted with direction 0; re-added with params it runs again', () => {
    const a = probe('a', 'GLD');
    const b = probe('b', 'GLD');
    const shard = new ShardCore({ shard: 0, strategies: [a.def, b.def], ...noModels });
    shard.evaluate(START);
    const { result, retract } = shard.removeStrategy('a', START);
    expect(result.ok).toBe(true);
    expect(retract.map((s) => [s.strategyId, s.symbol, s.direction])).toEqual([['a', 'GLD', 0]]);
    a.calls.n = b.calls.n = 0;
    shard.onBar(barMsg('GLD', START, 100, 100));
    expect(shard.evaluate(START).map((s) => s.strategyId)).toEqual(['b']);
    expect(a.calls.n).toBe(0);
    expect(shard.removeStrategy('a', START).result.code).toBe('QGTM_ERR_UNKNOWN_STRATEGY');
    expect(shard.addStrategy(a.def, { k: 2 }).ok).toBe(true);
    expect(shard.evaluate(START).map((s) => s.strategyId)).toEqual(['a']);
  });
});
