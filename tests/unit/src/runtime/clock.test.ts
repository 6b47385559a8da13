import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../src/runtime/clock.js';
import { ActorTimers } from '../../../../src/runtime/timers.js';

describe('virtual clock', () => {
  it('timers when time is set then fire in due order, ties in creation order', () => {
    const clock = new VirtualClock(undefined, 100);
    const fired: string[] = [];
    clock.setTimer(50, () => fired.push('b'));
    clock.setTimer(10, () => fired.push('a'));
    clock.setTimer(50, () => fired.push('c'));
    const cancelled = clock.setTimer(20, () => fired.push('x'));
    clock.clearTimer(cancelled);
    expect(clock.nextDue()).toBe(110);
    clock.setTime(149);
    expect(clock.fireDue()).toBe(1);
    clock.setTime(150);
    clock.fireDue();
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.nextDue()).toBeUndefined();
  });

  it('time set backwards then is refused', () => {
    const clock = new VirtualClock(undefined, 100);
    expect(() => clock.setTime(99)).toThrow(/cannot go back/);
  });

  it('two clocks on one shared buffer then read the same instant', () => {
    const owner = new VirtualClock(undefined, 5);
    const reader = new VirtualClock(owner.shared);
    owner.setTime(42);
    expect(reader.now()).toBe(42);
  });
});

describe('actor timers', () => {
  it('repeating timer then delivers every period until cancelled', () => {
    const clock = new VirtualClock(undefined, 0);
    const got: number[] = [];
    const timers = new ActorTimers(clock, () => got.push(clock.now()));
    timers.start('t', 100, { type: 'tick' }, { repeat: true });
    for (const t of [100, 200, 300]) {
      clock.setTime(t);
      clock.fireDue();
    }
    timers.cancel('t');
    clock.setTime(1000);
    clock.fireDue();
    expect(got).toEqual([100, 200, 300]);
  });

  it('same key started twice then only the latest fires', () => {
    const clock = new VirtualClock(undefined, 0);
    const got: string[] = [];
    const timers = new ActorTimers(clock, (m) => got.push(m.type));
    timers.start('k', 100, { type: 'first' });
    timers.start('k', 150, { type: 'second' });
    clock.setTime(200);
    clock.fireDue();
    expect(got).toEqual(['second']);
  });

  it('incarnation disposed then pending timers never deliver', () => {
    const clock = new VirtualClock(undefined, 0);
    const got: string[] = [];
    const timers = new ActorTimers(clock, (m) => got.push(m.type));
    timers.start('k', 100, { type: 'late' });
    timers.dispose();
    timers.start('k2', 10, { type: 'after-dispose' });
    clock.setTime(500);
    clock.fireDue();
    expect(got).toEqual([]);
  });
});
