import { describe, expect, it } from 'vitest';
import { FeedValidator, REJECT_REASONS, type RejectReason } from '../../../../actors/feed/validate.js';
import type { MarketDataMsg } from '../../../../actors/market-data/messages.js';
import { T0, bar, quote, trade } from './helpers.js';

function validator(over: Partial<{ maxJumpFraction: number; dedupeWindow: number }> = {}): FeedValidator {
  return new FeedValidator({
    symbol: 'GLD',
    maxFutureMs: 5_000,
    maxJumpFraction: over.maxJumpFraction ?? 0.2,
    jumpConfirmFraction: 0.01,
    dedupeWindow: over.dedupeWindow ?? 64,
  });
}

describe('FeedValidator', () => {
  it('valid trade, quote and bar then accepted', () => {
    const v = validator();
    expect(v.validate(trade(200, T0), T0)).toBeNull();
    expect(v.validate(quote(199.9, 200.1, T0 + 1), T0)).toBeNull();
    expect(v.validate(bar(T0 - 60_000, 200), T0)).toBeNull();
    expect(v.accepted).toBe(3);
    expect(Object.values(v.rejected).every((n) => n === 0)).toBe(true);
  });

  // One case per reason: the message, and what was accepted before it.
  const cases: Array<{ reason: RejectReason; before?: MarketDataMsg[]; msg: MarketDataMsg; opts?: { maxJumpFraction?: number } }> = [
    { reason: 'bad_type', msg: { type: 'md.nope', symbol: 'GLD', ts: T0 } as unknown as MarketDataMsg },
    { reason: 'unknown_symbol', msg: trade(20, T0, { symbol: 'SLV' }) },
    { reason: 'bad_timestamp', msg: trade(200, NaN) },
    { reason: 'bad_timestamp', msg: trade(200, -5) },
    { reason: 'future_timestamp', msg: trade(200, T0 + 60_000) },
    { reason: 'nan_price', msg: trade(NaN, T0) },
    { reason: 'nan_price', msg: quote(199, Infinity, T0) },
    { reason: 'nan_price', msg: bar(T0, 200, { high: NaN }) },
    { reason: 'non_positive_price', msg: trade(0, T0) },
    { reason: 'non_positive_price', msg: trade(-1, T0) },
    { reason: 'non_positive_price', msg: quote(0, 200, T0) },
    { reason: 'non_positive_price', msg: bar(T0, 200, { low: -1 }) },
    { reason: 'crossed_quote', msg: quote(200.2, 200.1, T0) },
    { reason: 'bad_size', msg: trade(200, T0, { size: 0 }) },
    { reason: 'bad_size', msg: quote(199, 200, T0, { askSize: -1 }) },
    { reason: 'bad_size', msg: bar(T0, 200, { volume: -10 }) },
    { reason: 'bad_bar', msg: bar(T0, 200, { high: 199, low: 201 }) },
    { reason: 'bad_bar', msg: bar(T0, 200, { open: 210 }) },
    { reason: 'out_of_order', before: [trade(200, T0)], msg: trade(200, T0 - 1) },
    { reason: 'out_of_order', before: [quote(199, 200, T0)], msg: quote(199, 200.5, T0 - 1) },
    { reason: 'out_of_order', before: [bar(T0, 200)], msg: bar(T0 - 60_000, 200) },
    { reason: 'duplicate', before: [trade(200, T0, { id: 77 })], msg: trade(200, T0, { id: 77 }) },
    { reason: 'duplicate', before: [quote(199, 200, T0)], msg: quote(199, 200, T0) },
    { reason: 'duplicate', before: [bar(T0, 200)], msg: bar(T0, 201) },
    { reason: 'price_jump', before: [trade(200, T0)], msg: trade(300, T0 + 1) },
    { reason: 'price_jump', before: [trade(200, T0)], msg: quote(149, 151, T0 + 1) },
  ];

  for (const c of cases) {
    it(`${c.msg.type} ${c.reason} case then rejected and counted as ${c.reason}`, () => {
      const v = validator(c.opts);
      for (const m of c.before ?? []) expect(v.validate(m, T0)).toBeNull();
      expect(v.validate(c.msg, T0)).toBe(c.reason);
      expect(v.rejected[c.reason]).toBe(1);
      const others = REJECT_REASONS.filter((r) => r !== c.reason).reduce((n, r) => n + v.rejected[r], 0);
      expect(others).toBe(0);
    });
  }

  it('every reject reason has a case', () => {
    const covered = new Set(cases.map((c) => c.reason));
    expect(REJECT_REASONS.filter((r) => !covered.has(r))).toEqual([]);
  });

  it('several trades in the same millisecond with distinct ids then all accepted', () => {
    const v = validator();
    expect(v.validate(trade(200, T0, { id: 1 }), T0)).toBeNull();
    expect(v.validate(trade(200.01, T0, { id: 2 }), T0)).toBeNull();
    expect(v.validate(trade(200.02, T0, { id: 3 }), T0)).toBeNull();
  });

  it('a trade id older than the dedupe window then no longer a duplicate', () => {
    const v = validator({ dedupeWindow: 2 });
    v.validate(trade(200, T0, { id: 1 }), T0);
    v.validate(trade(200, T0 + 1, { id: 2 }), T0);
    v.validate(trade(200, T0 + 2, { id: 3 }), T0);
    expect(v.validate(trade(200, T0 + 3, { id: 2 }), T0)).toBe('duplicate');
    expect(v.validate(trade(200, T0 + 3, { id: 1 }), T0)).toBeNull();
  });

  it('a jumped price confirmed by a second print then the new level is accepted', () => {
    const v = validator();
    v.validate(trade(100, T0), T0);
    expect(v.validate(trade(150, T0 + 1), T0)).toBe('price_jump');
    expect(v.validate(trade(150.5, T0 + 2), T0)).toBeNull();
    // The new level is now the reference: a move back to 100 is itself a jump.
    expect(v.validate(trade(100, T0 + 3), T0)).toBe('price_jump');
    expect(v.rejected.price_jump).toBe(2);
  });

  it('an isolated bad print then rejected and the next normal print accepted', () => {
    const v = validator();
    v.validate(trade(100, T0), T0);
    expect(v.validate(trade(1000, T0 + 1), T0)).toBe('price_jump');
    expect(v.validate(trade(100.2, T0 + 2), T0)).toBeNull();
    expect(v.validate(trade(1001, T0 + 3), T0)).toBe('price_jump');
  });

  it('jump check disabled then large moves accepted', () => {
    const v = validator({ maxJumpFraction: 0 });
    v.validate(trade(100, T0), T0);
    expect(v.validate(trade(300, T0 + 1), T0)).toBeNull();
  });

  it('snapshot and restore then ordering, duplicates and counts carry over', () => {
    const v = validator();
    v.validate(trade(200, T0, { id: 9 }), T0);
    v.validate(trade(NaN, T0), T0);
    const w = validator();
    w.restore(JSON.parse(JSON.stringify(v.snapshot())));
    expect(w.validate(trade(200, T0, { id: 9 }), T0)).toBe('duplicate');
    expect(w.validate(trade(200, T0 - 1), T0)).toBe('out_of_order');
    expect(w.rejected.nan_price).toBe(1);
    expect(w.accepted).toBe(1);
  });
});
