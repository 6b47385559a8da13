/**
 * Fault injection through the real SDK: 429 with rate-limit headers, 5xx,
 * slow responses, dropped trading stream and reconnection, stalled data,
 * rejected orders; plus the venue's own rate limit and malformed requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, FetchError, NotFoundError, RateLimitError, type streaming } from '@alpacahq/alpaca-trade-api';
import { startVenue, type VenueHandle } from '../../../venue/index.js';
import { Collector, caught, clientsFor } from './helpers.js';

describe('venue faults through the SDK', () => {
  let venue: VenueHandle;

  beforeAll(async () => {
    venue = await startVenue({ clockMode: 'manual', stepMs: 1000, seed: 5, historyMinutes: 0, fillLatencyMs: 0, maxBodyBytes: 1024 });
    venue.market.step(1);
  });

  afterAll(async () => {
    expect(venue.stats.internalErrors).toBe(0);
    await venue.close();
  });

  it('429 fault then RateLimitError with rate-limit headers and retry-after', async () => {
    venue.faults.rateLimitNext(1, 2);
    const err = await caught(() => clientsFor(venue).account.getAccount());
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.status).toBe(429);
    expect(err.code).toBe(42910000);
    expect(err.rateLimit).toMatchObject({ limit: 200, remaining: 0 });
    expect(err.retryAfterMs).toBe(2000);
    const ok = await clientsFor(venue).account.getAccount();
    expect(ok.status).toBe('ACTIVE');
  });

  it('429 fault with SDK retries on then a GET succeeds on the retry', async () => {
    venue.faults.rateLimitNext(1, 1, 'trading');
    const retries: number[] = [];
    const api = clientsFor(venue, { retry: { maxRetries: 2, maxDelayMs: 20, onRetry: (e) => retries.push(e.status ?? 0) } });
    const account = await api.account.getAccount();
    expect(account.status).toBe('ACTIVE');
    expect(retries).toEqual([429]);
  });

  it('5xx fault then ApiError without retries, and recovery with them', async () => {
    venue.faults.failNext(1, 503);
    const err = await caught(() => clientsFor(venue).positions.getAllOpenPositions());
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(503);
    venue.faults.failNext(2, 500, 'trading');
    const positions = await clientsFor(venue, { retry: { maxRetries: 2, retryDelayMs: 1, maxDelayMs: 5 } }).positions.getAllOpenPositions();
    expect(positions).toEqual([]);
  });

  it('5xx on an order POST then the SDK does not retry and the order was never placed', async () => {
    venue.faults.failNext(1, 500, 'trading');
    const api = clientsFor(venue, { retry: { maxRetries: 2, retryDelayMs: 1 } });
    const err = await caught(() => api.orders.limit({ symbol: 'GLD', qty: 1, side: 'buy', limitPrice: 100, clientOrderId: 'post-5xx' }));
    expect(err.status).toBe(500);
    expect(await caught(() => api.orders.getOrderByClientOrderId({ clientOrderId: 'post-5xx' }))).toBeInstanceOf(NotFoundError);
  });

  it('slow response past the client timeout then the order exists and is found by client order id', async () => {
    venue.faults.slowNext(1, 400);
    const api = clientsFor(venue, { timeoutMs: 100 });
    const err = await caught(() => api.orders.limit({ symbol: 'GLD', qty: 1, side: 'buy', limitPrice: 100, clientOrderId: 'slow-1' }));
    expect(err).toBeInstanceOf(FetchError);
    const found = await clientsFor(venue).orders.getOrderByClientOrderId({ clientOrderId: 'slow-1' });
    expect(found.symbol).toBe('GLD');
  });

  it('added latency then every response is delayed by it', async () => {
    venue.faults.setLatency(150);
    try {
      const t0 = performance.now();
      await clientsFor(venue).clock.legacyClock();
      expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    } finally {
      venue.faults.setLatency(0);
    }
  });

  it('dropped trading stream then the SDK reconnects, listens again and gets later updates', async () => {
    const stream = clientsFor(venue).tradingStream({ reconnect: true, initialReconnectMs: 20, reconnectJitter: 0 });
    const updates = new Collector<streaming.TradeUpdate>();
    const listening = new Collector<unknown>();
    const reconnected = new Collector<true>();
    stream.onTradeUpdate(updates.push);
    stream.on('subscription', listening.push);
    stream.onReconnected(() => reconnected.push(true));
    stream.onConnect(() => stream.subscribeTradeUpdates());
    stream.connect();
    try {
      await listening.waitFor(() => true, 3000, 'listening');
      const before = listening.items.length;
      expect(venue.faults.dropStreams('trading')).toBe(1);
      await reconnected.waitFor(() => true, 3000, 'reconnected');
      await listening.waitFor((_, all) => all.length > before, 3000, 'listening again');
      const order = await clientsFor(venue).orders.market({ symbol: 'IAU', qty: 1, side: 'buy' });
      const fill = await updates.waitFor((u) => u.order.id === order.id && u.event === 'fill', 3000, 'fill after reconnect');
      expect(fill.positionQty).toBe('1');
    } finally {
      stream.disconnect();
    }
  });

  it('rejectNextOrders then the order is accepted and a rejected update follows', async () => {
    const stream = clientsFor(venue).tradingStream({ reconnect: false });
    const updates = new Collector<streaming.TradeUpdate>();
    const listening = new Collector<unknown>();
    stream.onTradeUpdate(updates.push);
    stream.on('subscription', listening.push);
    stream.onConnect(() => stream.subscribeTradeUpdates());
    stream.connect();
    try {
      await listening.waitFor(() => true, 3000, 'listening');
      venue.faults.rejectNextOrders(1);
      const order = await clientsFor(venue).orders.market({ symbol: 'GLD', qty: 1, side: 'buy' });
      const rejected = await updates.waitFor((u) => u.order.id === order.id, 3000, 'rejected');
      expect([rejected.event, rejected.order.status]).toEqual(['rejected', 'rejected']);
    } finally {
      stream.disconnect();
    }
  });

  it('stalled data then no quotes flow until the stall is lifted', async () => {
    const s = clientsFor(venue).dataStream({ reconnect: false });
    const quotes = new Collector<streaming.StreamQuote>();
    const subs = new Collector<unknown>();
    s.onQuote(quotes.push);
    s.on('subscription', subs.push);
    s.onConnect(() => s.subscribeForQuotes(['GLD']));
    s.connect();
    try {
      await subs.waitFor(() => true, 3000, 'subscription');
      venue.faults.stallData = true;
      venue.market.step(5);
      venue.faults.stallData = false;
      venue.market.step(1);
      const q = await quotes.waitFor(() => true, 3000, 'quote after stall');
      expect(q.timestamp.getTime()).toBe(venue.market.now);
      expect(quotes.items.length).toBe(1);
    } finally {
      s.disconnect();
    }
  });

  it('malformed, oversize and misrouted requests then JSON errors, never a crash', async () => {
    const headers = { 'APCA-API-KEY-ID': venue.keys.keyId, 'APCA-API-SECRET-KEY': venue.keys.secretKey, 'Content-Type': 'application/json' };
    const bad = await fetch(`${venue.url}/v2/orders`, { method: 'POST', headers, body: '{"symbol": "GLD", ' });
    expect([bad.status, await bad.json()]).toEqual([400, { code: 40010000, message: 'request body format is invalid' }]);
    const big = await fetch(`${venue.url}/v2/orders`, { method: 'POST', headers, body: JSON.stringify({ pad: 'x'.repeat(5000) }) });
    expect(big.status).toBe(413);
    const missing = await fetch(`${venue.url}/v2/nothing-here`, { headers });
    expect([missing.status, ((await missing.json()) as { code: number }).code]).toEqual([404, 40410000]);
    const wrongMethod = await fetch(`${venue.url}/v2/account`, { method: 'PUT', headers, body: '{}' });
    expect(wrongMethod.status).toBe(405);
    const health = await fetch(`${venue.url}/healthz`);
    expect(health.status).toBe(200);
    expect(venue.stats.badInput).toBeGreaterThanOrEqual(1);
  });
});

describe('venue rate limit', () => {
  it('more requests than the per-minute limit then 429 with X-Ratelimit headers', async () => {
    const venue = await startVenue({ clockMode: 'manual', historyMinutes: 0, rateLimitPerMinute: 3 });
    try {
      const headers = { 'APCA-API-KEY-ID': venue.keys.keyId, 'APCA-API-SECRET-KEY': venue.keys.secretKey };
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let k = 0; k < 4; k++) {
        last = await fetch(`${venue.url}/v2/clock`, { headers });
        statuses.push(last.status);
        await last.text();
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(last!.headers.get('x-ratelimit-limit')).toBe('3');
      expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(last!.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await venue.close();
    }
  });
});

describe('real-time clock mode', () => {
  it('realtime venue then streams quotes without manual stepping', async () => {
    const venue = await startVenue({ clockMode: 'realtime', ticksPerSecond: 200, historyMinutes: 0, symbols: ['GLD', 'SLV'] });
    const s = clientsFor(venue).dataStream({ reconnect: false });
    try {
      const quotes = new Collector<streaming.StreamQuote>();
      s.onQuote(quotes.push);
      s.onConnect(() => s.subscribeForQuotes(['*']));
      s.connect();
      await quotes.waitFor((_, all) => all.length >= 20, 3000, '20 quotes');
      const t = quotes.items.map((q) => q.timestamp.getTime());
      expect(t.at(-1)!).toBeGreaterThan(t[0]);
      expect(Math.abs(venue.market.now - Date.now())).toBeLessThan(1000);
    } finally {
      s.disconnect();
      await venue.close();
    }
  });
});
