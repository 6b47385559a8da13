/**
 * The account request budget (src/alpaca/rate-budget.ts) against the real
 * venue and the real SDK: a venue with a low per-minute limit, twenty feeds'
 * worth of backfill hammering it through the bulk lane, and orders submitted
 * meanwhile through the priority lane. The control run hammers the same way
 * with no budget and shows the orders starving, so the test can fail.
 */
import { setMaxListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchBackfillBars, errorStatus } from '../../../actors/feed/index.js';
import { createAlpacaClients, resolveAlpacaConnection, RateBudget } from '../../../src/alpaca/index.js';
import { startVenue, type VenueHandle } from '../../../venue/index.js';
import { eventually } from '../../helpers/fixtures.js';

const LIMIT = 40;
const ORDERS = 12;
let venue: VenueHandle | undefined;

afterEach(async () => {
  await venue?.close();
  venue = undefined;
});

async function hammerAndOrder(withBudget: boolean): Promise<{ orderOk: number; order429: number; bulkSent: number; bulkWaits: number; venue429: number }> {
  venue = await startVenue({ rateLimitPerMinute: LIMIT, accountMode: 'margin', historyMinutes: 60 });
  const conn = resolveAlpacaConnection({ local: venue });
  // The feeds' thread and the broker's thread each hold their own budget of the same account.
  const feedsBudget = withBudget ? new RateBudget({ limitPerMinute: LIMIT }) : new RateBudget({ limitPerMinute: LIMIT, bulkPerMinute: 10_000, reserve: 0 });
  const bulk = createAlpacaClients(conn, { lane: 'bulk', retry: false, budget: feedsBudget });
  const broker = createAlpacaClients(conn, { lane: 'priority', retry: false, budget: new RateBudget({ limitPerMinute: LIMIT }) });
  const stop = new AbortController();
  // Every feed waits on the one signal.
  setMaxListeners(64, stop.signal);
  let backfillCalls = 0;
  const symbols = venue.options.instruments.map((i) => i.symbol);
  const hammer = symbols.map(async (symbol) => {
    while (!stop.signal.aborted) {
      backfillCalls++;
      try {
        await fetchBackfillBars(bulk.stocks, symbol, 60_000, venue!.market.now, { bars: 30 }, () => feedsBudget.acquire('bulk', stop.signal));
      } catch (err) {
        // 429s are what the hammer expects; anything else (the abort at the end included) ends this feed.
        if (errorStatus(err) !== 429 && (err as { status?: number }).status !== 429) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  });
  // Orders start once the hammer has begun spending the window.
  await eventually(() => feedsBudget.counters.sent.bulk >= 5, 10_000, 'backfill under way');
  let orderOk = 0;
  let order429 = 0;
  for (let k = 0; k < ORDERS; k++) {
    try {
      await broker.orders.submit({ symbol: 'GLD', qty: '1', side: 'buy', type: 'market', timeInForce: 'day', clientOrderId: `budget-${withBudget}-${k}` } as never);
      orderOk++;
    } catch (err) {
      if ((err as { status?: number }).status === 429) order429++;
      else throw err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  stop.abort();
  await Promise.allSettled(hammer);
  expect(backfillCalls).toBeGreaterThan(symbols.length);
  return { orderOk, order429, bulkSent: feedsBudget.counters.sent.bulk, bulkWaits: feedsBudget.counters.bulkWaits, venue429: venue.stats.responsesByStatus[429] ?? 0 };
}

describe('account request budget: backfill never starves orders', () => {
  it('backfill hammering a venue with a low limit then every order still goes through without a 429', async () => {
    const r = await hammerAndOrder(true);
    expect(r.order429).toBe(0);
    expect(r.orderOk).toBe(ORDERS);
    // Bulk was held back (it waited) and stayed within its share of the window.
    expect(r.bulkWaits).toBeGreaterThan(0);
    expect(r.bulkSent).toBeLessThanOrEqual(LIMIT - ORDERS);
  });

  it('the same hammering with no budget then orders are refused with 429 (the control)', async () => {
    const r = await hammerAndOrder(false);
    expect(r.order429).toBeGreaterThan(0);
    expect(r.venue429).toBeGreaterThan(0);
  });
});
