import { describe, expect, it } from 'vitest';
import { Backoff, Intensity } from '../../../supervisor/backoff.js';

describe('backoff', () => {
  it('repeated failures then the delay doubles up to the ceiling', () => {
    const b = new Backoff({ minMs: 10, maxMs: 50, resetAfterMs: 1000, jitter: 0 }, () => 0.5);
    b.started(0);
    expect([b.next(1), b.next(2), b.next(3), b.next(4), b.next(5)]).toEqual([10, 20, 40, 50, 50]);
  });

  it('child that stayed up past reset-after then starts again from the minimum', () => {
    const b = new Backoff({ minMs: 10, maxMs: 1000, resetAfterMs: 100, jitter: 0 }, () => 0.5);
    b.started(0);
    b.next(1);
    b.next(2);
    b.started(3);
    expect(b.next(200)).toBe(10);
  });

  it('jitter then spreads the delay within the fraction either side', () => {
    const lo = new Backoff({ minMs: 100, maxMs: 100, resetAfterMs: 1e9, jitter: 0.2 }, () => 0);
    const hi = new Backoff({ minMs: 100, maxMs: 100, resetAfterMs: 1e9, jitter: 0.2 }, () => 0.999999);
    expect(lo.next(0)).toBe(80);
    expect(hi.next(0)).toBe(120);
  });
});

describe('restart intensity', () => {
  it('more restarts than the intensity within the period then refuses', () => {
    const i = new Intensity(2, 1000);
    expect([i.allow(0), i.allow(10), i.allow(20)]).toEqual([true, true, false]);
  });

  it('restarts spread beyond the period then are forgotten', () => {
    const i = new Intensity(2, 1000);
    expect([i.allow(0), i.allow(600), i.allow(1100), i.allow(1700)]).toEqual([true, true, true, true]);
    expect(i.recent).toBe(2);
  });
});
