import { describe, expect, it } from 'vitest';
import { classifyRegime, regimeMultiplier } from '../../../../actors/strategy/support/regime.js';
import { MetaModel } from '../../../../actors/strategy/support/meta.js';
import { extend, normals, viewWith, walk } from './helpers.js';

describe('regime model', () => {
  it('driftless noise then calm', () => {
    const r = classifyRegime(viewWith({ GLD: walk(200, 100, 0.01, 0, 71) }).bars('GLD'));
    expect(r?.regime).toBe('calm');
    expect(r!.efficiency).toBeLessThan(0.35);
  });

  it('a steady drift then trending with its direction', () => {
    const r = classifyRegime(viewWith({ GLD: walk(200, 100, 0.004, -0.004, 72) }).bars('GLD'));
    expect(r).toMatchObject({ regime: 'trending', trendDirection: -1 });
  });

  it('a volatility shock in the last bars then stressed', () => {
    const closes = extend(walk(180, 100, 0.005, 0, 73), normals(20, 74).map((z) => 0.03 * z));
    const r = classifyRegime(viewWith({ GLD: closes }).bars('GLD'));
    expect(r?.regime).toBe('stressed');
    expect(r!.volRatio).toBeGreaterThan(1.6);
  });

  it('too little history then null', () => {
    expect(classifyRegime(viewWith({ GLD: walk(100, 100, 0.01, 0, 75) }).bars('GLD'))).toBeNull();
  });

  it('multipliers then favour trend in trends, reversion in calm, and cut in stress', () => {
    expect(regimeMultiplier('trend', 'trending')).toBeGreaterThan(1);
    expect(regimeMultiplier('ratio', 'trending')).toBeLessThan(1);
    expect(regimeMultiplier('ratio', 'calm')).toBeGreaterThan(1);
    expect(regimeMultiplier('spread', 'stressed')).toBeLessThan(1);
    expect(regimeMultiplier('trend', null)).toBe(1);
  });
});

describe('meta model', () => {
  const H = 60_000;

  /** Strategy `id` calls `dir` at 100 and the price then goes to `to`. */
  function call(m: MetaModel, id: string, dir: 1 | -1, to: number, t: number): void {
    m.record(id, 'GLD', dir, 100, t, H);
    m.onPrice('GLD', to, t + H);
  }

  it('no history then a neutral weight of 1', () => {
    expect(new MetaModel().weight('x')).toBe(1);
  });

  it('a strategy that keeps being right then weighted up, one that keeps being wrong then down', () => {
    const m = new MetaModel();
    for (let i = 0; i < 30; i++) {
      call(m, 'good', 1, 101, i * 10 * H);
      call(m, 'bad', 1, 99, i * 10 * H);
    }
    expect(m.weight('good')).toBeGreaterThan(1.4);
    expect(m.weight('bad')).toBeLessThan(0.4);
  });

  it('hit rate then the decayed, prior-shrunk formula', () => {
    const m = new MetaModel({ halfLife: 2 });
    call(m, 's', 1, 101, 0); // hit
    call(m, 's', 1, 99, 10 * H); // miss
    const d = Math.SQRT1_2;
    const hits = d * 1 + 0;
    const calls = d * 1 + 1;
    const rate = (hits + 2) / (calls + 4);
    expect(m.stats('s').rate).toBeCloseTo(rate, 12);
    expect(m.weight('s')).toBeCloseTo(rate / 0.5, 12);
  });

  it('recent misses after old hits then the weight falls (decay)', () => {
    const m = new MetaModel({ halfLife: 5 });
    for (let i = 0; i < 20; i++) call(m, 's', -1, 99, i * 10 * H);
    const high = m.weight('s');
    for (let i = 20; i < 30; i++) call(m, 's', -1, 101, i * 10 * H);
    expect(m.weight('s')).toBeLessThan(high);
    expect(m.weight('s')).toBeLessThan(1);
  });

  it('a price before the call is due then nothing is settled', () => {
    const m = new MetaModel();
    m.record('s', 'GLD', 1, 100, 0, H);
    m.onPrice('GLD', 120, H - 1);
    expect(m.stats('s').settled).toBe(0);
    expect(m.openCalls).toBe(1);
    m.onPrice('GLD', 120, H);
    expect(m.stats('s').settled).toBe(1);
  });

  it('flat signals and repeated calls while one is open then not recorded twice', () => {
    const m = new MetaModel();
    m.record('s', 'GLD', 0, 100, 0, H);
    expect(m.openCalls).toBe(0);
    m.record('s', 'GLD', 1, 100, 0, H);
    m.record('s', 'GLD', 1, 100, 1, H);
    expect(m.openCalls).toBe(1);
  });

  it('snapshot and restore then the same weights and open calls', () => {
    const m = new MetaModel();
    for (let i = 0; i < 5; i++) call(m, 's', 1, 101, i * 10 * H);
    m.record('s', 'SLV', -1, 20, 0, H);
    const r = new MetaModel();
    r.restore(JSON.parse(JSON.stringify(m.snapshot())));
    expect(r.weight('s')).toBe(m.weight('s'));
    expect(r.openCalls).toBe(1);
  });
});
