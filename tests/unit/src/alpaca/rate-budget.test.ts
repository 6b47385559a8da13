import { describe, expect, it } from 'vitest';
import { RateBudget } from '../../../../src/alpaca/rate-budget.js';

const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] ?? null });

function budget(now: { t: number }, limit = 100): RateBudget {
  return new RateBudget({ limitPerMinute: limit, now: () => now.t });
}

describe('RateBudget', () => {
  it('nothing heard from the venue yet then one bulk request at a time, priority never waits', async () => {
    const now = { t: 1_000_000 };
    const b = budget(now);
    expect(b.bulkDelay()).toBe(0);
    const release = await b.acquire('bulk');
    expect(b.bulkDelay()).toBeGreaterThan(0);
    await b.acquire('priority');
    release();
    expect(b.bulkDelay()).toBe(0);
    expect(b.counters.sent).toEqual({ priority: 1, bulk: 1 });
  });

  it('the venue reports the reserve or less left then bulk waits for the window reset', () => {
    const now = { t: 1_000_000 };
    const b = budget(now);
    b.observe('priority', 200, headers({ 'x-ratelimit-remaining': '50', 'x-ratelimit-reset': String(1_000_000 / 1000 + 20) }));
    expect(b.bulkDelay()).toBe(20_000);
    b.observe('priority', 200, headers({ 'x-ratelimit-remaining': '51', 'x-ratelimit-reset': String(1_000_000 / 1000 + 20) }));
    expect(b.bulkDelay()).toBe(0);
    now.t += 21_000;
    expect(b.bulkDelay()).toBe(0);
  });

  it('a 429 in either lane then bulk stands back until X-Ratelimit-Reset or Retry-After, whichever is later', () => {
    const now = { t: 2_000_000 };
    const b = budget(now);
    b.observe('priority', 429, headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(2_000_000 / 1000 + 3), 'retry-after': '5' }));
    expect(b.bulkDelay()).toBe(5_000);
    expect(b.counters.rateLimited).toEqual({ priority: 1, bulk: 0 });
    now.t += 5_000;
    expect(b.bulkDelay()).toBe(0);
  });

  it('bulk at its share of the minute then it waits for the oldest to leave the window', async () => {
    const now = { t: 3_000_000 };
    const b = budget(now, 10); // bulk share: 3 a minute
    for (let k = 0; k < 3; k++) {
      b.observe('bulk', 200, headers({ 'x-ratelimit-remaining': '9', 'x-ratelimit-reset': String(3_000_000 / 1000 + 60) }));
      (await b.acquire('bulk'))();
      now.t += 1000;
    }
    expect(b.bulkDelay()).toBe(57_000);
  });
});
