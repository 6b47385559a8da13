import { describe, expect, it } from 'vitest';
import { CATALOG, LiveSurface, duplicateIds, partition, shardOf, strategyById } from '../../../../actors/strategy/registry.js';
import { MarketView } from '../../../../actors/strategy/market-view.js';
import { BROAD_UNIVERSE, PM_UNIVERSE } from '../../../../src/universe/index.js';
import type { StrategyDef } from '../../../../actors/strategy/strategy.js';

const fake = (id: string): StrategyDef => ({
  id,
  family: 'trend',
  thesis: 't',
  params: {},
  instruments: ['GLD'],
  macro: [],
  trigger: 'bar',
  evaluate: () => [],
});

describe('catalog', () => {
  it('holds at least 10 strategies across at least 6 families, with unique ids', () => {
    expect(CATALOG.length).toBeGreaterThanOrEqual(10);
    expect(new Set(CATALOG.map((s) => s.family)).size).toBeGreaterThanOrEqual(6);
    expect(duplicateIds(CATALOG)).toEqual([]);
  });

  it('covers every family the issue names', () => {
    const ids = CATALOG.map((s) => s.id);
    for (const id of ['gsr_mean_reversion', 'trend_ma_cross', 'trend_donchian', 'tsmom_12_1', 'vol_atr_breakout', 'real_yield_regime', 'dollar_regime', 'cot_extremes', 'miners_vs_metal', 'pt_pd_spread', 'seasonality_gold']) {
      expect(ids).toContain(id);
    }
  });

  it('every entry has a thesis, PM-universe instruments and finite numeric defaults', () => {
    const pm = new Set(PM_UNIVERSE.map((i) => i.symbol));
    for (const s of CATALOG) {
      expect(s.thesis.length, s.id).toBeGreaterThan(20);
      expect(s.instruments.length, s.id).toBeGreaterThan(0);
      for (const sym of s.instruments) expect(pm.has(sym), `${s.id} ${sym}`).toBe(true);
      for (const v of Object.values(s.params)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('inputs (read, not traded) then broad-universe symbols, none also an instrument', () => {
    const broad = new Set(BROAD_UNIVERSE.map((i) => i.symbol));
    const withInputs = CATALOG.filter((s) => (s.inputs ?? []).length > 0);
    expect(withInputs.map((s) => s.id)).toEqual(['miners_operating_leverage', 'silver_beta', 'royalty_vs_miners', 'gold_copper_ratio', 'gold_oil_ratio']);
    for (const s of withInputs) {
      for (const sym of s.inputs!) {
        expect(broad.has(sym), `${s.id} ${sym}`).toBe(true);
        expect(s.instruments, s.id).not.toContain(sym);
      }
    }
  });

  it('every entry on an empty view then no signal (no fake ones)', () => {
    const empty = new MarketView();
    for (const s of CATALOG) expect(s.evaluate(empty, s.params, Date.UTC(2026, 0, 5)), s.id).toEqual([]);
  });

  it('lookup by id then the entry, unknown then undefined', () => {
    expect(strategyById('cot_extremes')?.family).toBe('positioning');
    expect(strategyById('nope')).toBeUndefined();
  });
});

describe('partition', () => {
  it('any shard count then every strategy exactly once and sizes differ by at most one', () => {
    for (let k = 1; k <= 8; k++) {
      const shards = partition(CATALOG, k);
      expect(shards).toHaveLength(k);
      const ids = shards.flat().map((s) => s.id).sort();
      expect(ids).toEqual(CATALOG.map((s) => s.id).sort());
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('the catalog in another order then the same partition', () => {
    const a = partition(CATALOG, 3).map((s) => s.map((x) => x.id).sort());
    const b = partition([...CATALOG].reverse(), 3).map((s) => s.map((x) => x.id).sort());
    expect(b).toEqual(a);
  });

  it('one strategy added then most others stay on their shard', () => {
    const many = Array.from({ length: 29 }, (_, i) => fake(`s${String(i).padStart(2, '0')}`));
    const before = partition(many, 4);
    const after = partition([...many, fake('s14b')], 4);
    const where = (p: StrategyDef[][], id: string) => p.findIndex((sh) => sh.some((s) => s.id === id));
    const moved = many.filter((s) => where(before, s.id) !== where(after, s.id)).length;
    expect(moved).toBeLessThanOrEqual(3);
    expect(shardOf('s03', many, 4)).toBe(where(before, 's03'));
  });

  it('a shard count below one then throws', () => {
    expect(() => partition(CATALOG, 0)).toThrow(RangeError);
  });

  it('more shards than strategies then some shards are empty', () => {
    const shards = partition([fake('a'), fake('b')], 4);
    expect(shards.map((s) => s.length).sort()).toEqual([0, 0, 1, 1]);
  });
});

describe('LiveSurface', () => {
  it('disable then not runnable with the reason, enable then runnable again', () => {
    const s = new LiveSurface([fake('a')]);
    expect(s.isRunnable('a')).toBe(true);
    expect(s.disable('a', 'operator pause').ok).toBe(true);
    expect(s.isRunnable('a')).toBe(false);
    expect(s.status('a')).toMatchObject({ state: 'disabled', disabledReason: 'operator pause' });
    expect(s.enable('a').message).toContain('was disabled');
    expect(s.status('a')).toMatchObject({ state: 'enabled', disabledReason: null });
  });

  it('an unknown id then a failed result with the stable code', () => {
    const s = new LiveSurface([fake('a')]);
    expect(s.enable('zz')).toMatchObject({ ok: false, code: 'QGTM_ERR_UNKNOWN_STRATEGY' });
    expect(s.disable('zz', 'x')).toMatchObject({ ok: false, code: 'QGTM_ERR_UNKNOWN_STRATEGY' });
  });

  it('an error then state error with the message until re-enabled', () => {
    const s = new LiveSurface([fake('a')]);
    s.recordError('a', 'boom', 5);
    expect(s.status('a')).toMatchObject({ state: 'error', errors: 1, lastError: 'boom', lastErrorAt: 5, evaluations: 1 });
    expect(s.isRunnable('a')).toBe(false);
    s.enable('a');
    expect(s.status('a')).toMatchObject({ state: 'enabled', errors: 1, lastError: null });
  });

  it('evaluations recorded then counters and last signal time', () => {
    const s = new LiveSurface([fake('a')]);
    s.recordEvaluation('a', 10, 0);
    s.recordEvaluation('a', 20, 3);
    expect(s.status('a')).toMatchObject({ evaluations: 2, signals: 3, lastEvaluatedAt: 20, lastSignalAt: 20 });
  });

  it('adding a duplicate id then refused', () => {
    const s = new LiveSurface([fake('a')]);
    expect(s.add(fake('a')).ok).toBe(false);
    expect(s.add(fake('b')).ok).toBe(true);
    expect(s.size).toBe(2);
  });
});
