import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../../../actors/strategy/registry.js';
import { MarketView } from '../../../../actors/strategy/market-view.js';
import { runtimeDef, validateRuntimeEntry } from '../../../../actors/strategy/runtime.js';

const perInst = CATALOG.find((d) => d.perInstrument)!;
const structural = CATALOG.find((d) => !d.perInstrument)!;
const universe = [...new Set(CATALOG.flatMap((d) => d.instruments))];

describe('validateRuntimeEntry', () => {
  it('accepts a variant within bounds', () => {
    const [k, d] = Object.entries(perInst.params).find(([, x]) => typeof x === 'number')!;
    const r = validateRuntimeEntry({ id: 'v1', base: perInst.id, params: { [k]: d }, instruments: [perInst.instruments[0]] }, CATALOG, universe);
    expect(r.ok).toBe(true);
  });
  it('collects every violation', () => {
    const r = validateRuntimeEntry({ id: perInst.id, base: structural.id, params: { nope: 1 }, instruments: ['ZZZ'] }, CATALOG, universe);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.violations.some((x) => x.includes('clashes'))).toBe(true);
    expect(r.violations.some((x) => x.includes('unknown param nope'))).toBe(true);
    expect(r.violations.some((x) => x.includes('ZZZ is not in the universe'))).toBe(true);
    expect(r.violations.some((x) => x.includes('structural'))).toBe(true);
  });
  it('refuses an unknown base and an out-of-bound param', () => {
    expect(validateRuntimeEntry({ id: 'x', base: 'nope' }, CATALOG, universe)).toEqual({ ok: false, violations: ['unknown base nope'] });
    const [k] = Object.entries(perInst.params).find(([, x]) => typeof x === 'number')!;
    const r = validateRuntimeEntry({ id: 'x', base: perInst.id, params: { [k]: -5 } }, CATALOG, universe);
    expect(r.ok).toBe(false);
  });
});

describe('validateRuntimeEntry: rules across parameters', () => {
  it('each bound met but the pair inconsistent (lower above upper) then refused with the entry\'s own reason', () => {
    const r = validateRuntimeEntry({ id: 'cot_inv', base: 'cot_extremes', params: { lower: 0.9, upper: 0.1 } }, CATALOG, universe);
    expect(r).toEqual({ ok: false, violations: ['params rejected by cot_extremes: need 0 <= lower < upper <= 1, got 0.9 and 0.1'] });
  });
  it('every catalog entry and control on its defaults then accepted', () => {
    for (const d of [...CATALOG.map((x) => x.id), 'buy_and_hold', 'flat_control']) {
      expect(validateRuntimeEntry({ id: `v_${d}`, base: d }, CATALOG, universe), d).toMatchObject({ ok: true });
    }
  });
});

describe('runtimeDef', () => {
  it('buy_and_hold is long every instrument under the runtime id; flat_control is flat', () => {
    const bh = runtimeDef({ id: 'bench', base: 'buy_and_hold', instruments: ['GLD'] }, CATALOG, universe);
    expect(bh.family).toBe('control');
    const s = bh.evaluate(new MarketView(), bh.params, 1000);
    expect(s.map((x) => [x.strategyId, x.symbol, x.direction])).toEqual([['bench', 'GLD', 1]]);
    const flat = runtimeDef({ id: 'flat', base: 'flat_control', instruments: ['GLD'] }, CATALOG, universe);
    expect(flat.evaluate(new MarketView(), flat.params, 1000).map((x) => x.direction)).toEqual([0]);
  });
  it('a variant merges params and names what differs', () => {
    const d = runtimeDef({ id: 'v2', base: perInst.id, instruments: [perInst.instruments[0]!] }, CATALOG, universe);
    expect(d.thesis).toContain(`variant of ${perInst.id}`);
    expect(d.instruments).toEqual([perInst.instruments[0]]);
    expect(d.params).toEqual(perInst.params);
  });
});
