import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, backoffViolations } from '../../../../src/runtime/backoff.js';

describe('backoff', () => {
  const policy = { minMs: 100, maxMs: 1000 };

  it('attempts 0..5 without jitter then double from minMs and stop at maxMs', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(policy, a))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('a factor of 3 then triples', () => {
    expect([0, 1, 2].map((a) => backoffDelay({ ...policy, factor: 3 }, a))).toEqual([100, 300, 900]);
  });

  it('jitter both ways then spreads around the delay by up to the fraction, also at the cap', () => {
    const j = { ...policy, jitter: 0.2 };
    expect(backoffDelay(j, 0, 0)).toBe(80);
    expect(backoffDelay(j, 0, 0.999_999)).toBe(120);
    expect(backoffDelay(j, 9, 0)).toBe(800);
    expect(backoffDelay(j, 9, 0.999_999)).toBe(1200);
  });

  it('jitter up then only lengthens', () => {
    const j = { ...policy, jitter: 0.25, spread: 'up' as const };
    expect(backoffDelay(j, 1, 0)).toBe(200);
    expect(backoffDelay(j, 1, 0.999_999)).toBe(250);
  });

  it('the counter then grows per next() and starts over after reset()', () => {
    const b = new Backoff(policy, () => 0.5);
    expect([b.next(), b.next(), b.next()]).toEqual([100, 200, 400]);
    expect(b.attempts).toBe(3);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('a bad policy then one violation per field, each naming its path', () => {
    expect(backoffViolations({ minMs: -1, maxMs: Number.NaN, factor: 0.5, jitter: 2 }, 'md.reconnect')).toEqual([
      'md.reconnect.minMs must be a number >= 0',
      'md.reconnect.maxMs must be a number >= minMs',
      'md.reconnect.factor must be a number >= 1',
      'md.reconnect.jitter must be within 0..1',
    ]);
  });
});
