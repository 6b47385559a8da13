import { describe, expect, it } from 'vitest';
import { FeedCore } from '../../../../actors/feed/feed.js';
import { feedConfig } from '../../../../actors/feed/config.js';
import type { FeedFeaturesMsg } from '../../../../actors/feed/messages.js';
import { FeedSampler } from '../../../../actors/feed/sampler.js';
import { FEED_STRUCTURES } from '../../../../actors/feed/structures.js';
import { T0, trade } from './helpers.js';

/** n features updates from a real FeedCore, one trade each, 1 ms apart. */
function featuresOf(n: number): FeedFeaturesMsg[] {
  const core = new FeedCore(feedConfig('GLD', { barIntervalMs: 60_000 }));
  const out: FeedFeaturesMsg[] = [];
  for (let i = 0; i < n; i++) out.push(core.onMarketData(trade(100 + i / 100, T0 + i, { id: i + 1 }), T0 + i).features!);
  return out;
}

describe('FeedSampler', () => {
  it('first update after a quiet period then a sample at once (leading edge)', () => {
    const s = new FeedSampler('GLD', 250);
    const [f] = featuresOf(1);
    expect(s.note(f!, T0)).toEqual({ type: 'feed.sample', symbol: 'GLD', count: 1, features: f });
    expect(s.arm(T0)).toBeNull();
  });

  it('trailing timer armed but its message not handled yet (a backlog) then no leading sample slips in before it', () => {
    const s = new FeedSampler('GLD', 250);
    const fs = featuresOf(3);
    expect(s.note(fs[0]!, T0)).not.toBeNull();
    expect(s.note(fs[1]!, T0 + 10)).toBeNull();
    expect(s.arm(T0 + 10)).toBe(240);
    // The timer fired at T0 + 250, its message waits in the mailbox; an update handled at T0 + 400:
    expect(s.note(fs[2]!, T0 + 400)).toBeNull();
    expect(s.arm(T0 + 400)).toBeNull();
    expect(s.flush(T0 + 401)).toMatchObject({ count: 2, features: fs[2] });
  });

  it('a fast stream then one sample per period carrying the newest features, and every update counted', () => {
    const s = new FeedSampler('GLD', 250);
    const fs = featuresOf(1000);
    const samples = [];
    let due: number | null = null;
    for (let i = 0; i < fs.length; i++) {
      const now = T0 + i;
      // The shell's trailing timer, fired when it is due.
      if (due !== null && now >= due) {
        const t = s.flush(now);
        if (t) samples.push(t);
        due = null;
      }
      const lead = s.note(fs[i]!, now);
      if (lead) samples.push(lead);
      else {
        const d = s.arm(now);
        if (d !== null) due = now + d;
      }
    }
    const tail = s.flush(T0 + 1000);
    if (tail) samples.push(tail);
    // 1000 ms of updates at 250 ms: the leading sample plus one per period.
    expect(samples.length).toBeLessThanOrEqual(1000 / 250 + 1);
    expect(samples.reduce((n, x) => n + x.count, 0)).toBe(1000);
    expect(samples.at(-1)!.features).toBe(fs.at(-1));
    expect(s.samples).toBe(samples.length);
  });

  it('period 0 then no samples at all; a bad period then a RangeError', () => {
    const s = new FeedSampler('GLD', 0);
    expect(s.note(featuresOf(1)[0]!, T0)).toBeNull();
    expect(s.flush(T0)).toBeNull();
    expect(() => new FeedSampler('GLD', -1)).toThrow(RangeError);
  });

  it('a sample then its keys match the feed.sample record structure', () => {
    const s = new FeedSampler('GLD', 250).note(featuresOf(1)[0]!, T0)!;
    expect(Object.keys(s)).toEqual(FEED_STRUCTURES[4]);
    expect(Object.keys(s.features)).toEqual(FEED_STRUCTURES[0]);
  });
});
