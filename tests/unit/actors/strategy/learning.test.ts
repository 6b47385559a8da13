import { describe, expect, it } from 'vitest';
import { HedgeLearner, resolveLearningConfig, type LearningSnapshot } from '../../../../actors/strategy/support/learning.js';
import { Prng } from '../../../../src/prng.js';

const PERIOD = 60_000;

/** Runs `n` periods; `pnl(k)` gives each strategy's P&L for period k. */
function run(l: HedgeLearner, n: number, pnl: (k: number) => Record<string, number>, from = 0): void {
  for (let k = 0; k < n; k++) l.update(pnl(k), from + (k + 1) * PERIOD);
}

describe('HedgeLearner', () => {
  it('a consistently right strategy among noisy ones then gains weight above 1', () => {
    const l = new HedgeLearner({ periodMs: PERIOD });
    const rng = new Prng(7);
    run(l, 200, () => ({ right: 50 + 20 * rng.normal(), a: 50 * rng.normal(), b: 50 * rng.normal() }));
    expect(l.weight('right')).toBeGreaterThan(1.5);
    expect(l.weight('right')).toBeGreaterThan(l.weight('a'));
  });

  it('a consistently wrong strategy under the default settings then loses weight', () => {
    const l = new HedgeLearner({ periodMs: PERIOD });
    run(l, 500, () => ({ wrong: -100, flat: 0, other: 10 }));
    expect(l.weight('wrong')).toBeLessThan(0.6);
  });

  it('a consistently wrong strategy under a fast rate then sits at the floor, never at 0', () => {
    const l = new HedgeLearner({ periodMs: PERIOD, rate: 0.5, share: 0.01, floor: 0.2 });
    run(l, 500, () => ({ wrong: -100, flat: 0, other: 10 }));
    expect(l.weight('wrong')).toBe(0.2);
  });

  it('zero-mean noise for 2000 periods then every weight stays within [0.5, 2]', () => {
    const l = new HedgeLearner({ periodMs: PERIOD });
    const rng = new Prng(42);
    const ids = ['a', 'b', 'c', 'd', 'e'];
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < 2000; k++) {
      l.update(Object.fromEntries(ids.map((id) => [id, 100 * rng.normal()])), (k + 1) * PERIOD);
      for (const id of ids) {
        lo = Math.min(lo, l.weight(id));
        hi = Math.max(hi, l.weight(id));
      }
    }
    expect(lo).toBeGreaterThan(0.5);
    expect(hi).toBeLessThan(2);
  });

  it('a silenced strategy that turns right then recovers toward and past 1', () => {
    const l = new HedgeLearner({ periodMs: PERIOD });
    run(l, 300, () => ({ s: -100, t: 100, u: 0 }));
    const low = l.weight('s');
    run(l, 300, () => ({ s: 100, t: -100, u: 0 }), 300 * PERIOD);
    expect(low).toBeLessThan(0.5);
    expect(l.weight('s')).toBeGreaterThan(1);
  });

  it('frozen then updates change no weight and add no history; unfrozen then they do', () => {
    const l = new HedgeLearner({ periodMs: PERIOD });
    run(l, 10, () => ({ a: 100, b: -100 }));
    const before = l.weightMap();
    l.setFrozen(true);
    run(l, 50, () => ({ a: -100, b: 100 }), 10 * PERIOD);
    expect(l.weightMap()).toEqual(before);
    expect(l.historyTail().length).toBe(10);
    l.setFrozen(false);
    run(l, 1, () => ({ a: -100, b: 100 }), 60 * PERIOD);
    expect(l.weight('a')).toBeLessThan(before.a);
  });

  it('extreme streams then weights stay within [floor, cap] and history within historyPoints', () => {
    const l = new HedgeLearner({ periodMs: PERIOD, rate: 5, share: 0, floor: 0.3, cap: 2, historyPoints: 20 });
    run(l, 100, (k) => ({ a: k % 2 ? 1e9 : -1e9, b: 1e6, c: -1e6, d: 0 }));
    for (const w of Object.values(l.weightMap())) {
      expect(w).toBeGreaterThanOrEqual(0.3);
      expect(w).toBeLessThanOrEqual(2);
    }
    expect(l.historyTail().length).toBe(20);
  });

  it('due: the first call starts the period, then due once periodMs of market time has passed', () => {
    const l = new HedgeLearner({ periodMs: PERIOD });
    expect(l.due(1_000)).toBe(false);
    expect(l.due(1_000 + PERIOD - 1)).toBe(false);
    expect(l.due(1_000 + PERIOD)).toBe(true);
  });

  it('a restored snapshot then continues identically to the original', () => {
    const a = new HedgeLearner({ periodMs: PERIOD });
    const rng = new Prng(3);
    const stream = Array.from({ length: 80 }, () => ({ x: 100 * rng.normal() + 20, y: 100 * rng.normal() }));
    run(a, 40, (k) => stream[k]!);
    const b = HedgeLearner.restore(JSON.parse(JSON.stringify(a.snapshot())) as LearningSnapshot, { periodMs: PERIOD });
    run(a, 40, (k) => stream[k + 40]!, 40 * PERIOD);
    run(b, 40, (k) => stream[k + 40]!, 40 * PERIOD);
    expect(b.snapshot()).toEqual(a.snapshot());
  });

  it('a bad snapshot then restore refuses it naming the field', () => {
    const good = new HedgeLearner().snapshot();
    expect(() => HedgeLearner.restore({ ...good, weights: { a: -1 } })).toThrow(/weights\.a/);
    expect(() => HedgeLearner.restore({ ...good, frozen: 'yes' } as unknown as LearningSnapshot)).toThrow(/frozen/);
    expect(() => HedgeLearner.restore(null as unknown as LearningSnapshot)).toThrow(/not an object/);
  });

  it('bad settings then the config is refused naming the setting', () => {
    expect(() => resolveLearningConfig({ share: 1 })).toThrow(/share/);
    expect(() => resolveLearningConfig({ floor: 0 })).toThrow(/floor/);
    expect(() => resolveLearningConfig({ historyPoints: 1.5 })).toThrow(/historyPoints/);
  });
});
