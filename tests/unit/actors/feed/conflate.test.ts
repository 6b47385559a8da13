import { describe, expect, it } from 'vitest';
import { ConflatingOutbox } from '../../../../actors/feed/conflate.js';

describe('ConflatingOutbox', () => {
  it('a subscriber with a free slot then gets each update immediately', () => {
    const box = new ConflatingOutbox<number>(2);
    const got: Array<[string, number]> = [];
    box.subscribe('s1');
    box.publish(1, (id, m) => got.push([id, m]));
    box.publish(2, (id, m) => got.push([id, m]));
    expect(got).toEqual([['s1', 1], ['s1', 2]]);
  });

  it('a lagging subscriber then only the latest update waits and the rest are counted as conflated', () => {
    const box = new ConflatingOutbox<number>(1);
    const got: Array<[string, number]> = [];
    const deliver = (id: string, m: number): void => void got.push([id, m]);
    box.subscribe('slow');
    box.subscribe('fast');
    box.publish(1, deliver);
    box.ack('fast', deliver);
    for (let i = 2; i <= 5; i++) {
      box.publish(i, deliver);
      box.ack('fast', deliver);
    }
    expect(got.filter(([id]) => id === 'fast').map(([, m]) => m)).toEqual([1, 2, 3, 4, 5]);
    expect(got.filter(([id]) => id === 'slow').map(([, m]) => m)).toEqual([1]);
    expect(box.conflatedFor('slow')).toBe(3);
    expect(box.stats()).toMatchObject({ subscribers: 2, published: 5, conflated: 3, pending: 1 });
    box.ack('slow', deliver);
    expect(got.at(-1)).toEqual(['slow', 5]);
    expect(box.stats().pending).toBe(0);
  });

  it('ack from an unknown or unsubscribed subscriber then ignored', () => {
    const box = new ConflatingOutbox<number>();
    const got: number[] = [];
    box.subscribe('a');
    box.publish(1, (_id, m) => got.push(m));
    box.unsubscribe('a');
    box.ack('a', (_id, m) => got.push(m));
    box.ack('zzz', (_id, m) => got.push(m));
    expect(got).toEqual([1]);
  });
});
