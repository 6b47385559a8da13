/**
 * The real SDK's StockDataStream against the venue: auth, subscribe,
 * msgpack data decoded by the SDK, the connection limit, auth timeout,
 * historical bars matching streamed bars, and reconnection after a drop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpack } from 'msgpackr';
import type { streaming } from '@alpacahq/alpaca-trade-api';
import { startVenue, type VenueHandle } from '../../../venue/index.js';
import { Collector, clientsFor, rawSocket } from './helpers.js';

type Stream = streaming.StockDataStream;

describe('market-data stream through the SDK', () => {
  let venue: VenueHandle;
  const open: Stream[] = [];

  beforeAll(async () => {
    venue = await startVenue({ clockMode: 'manual', stepMs: 1000, seed: 3, historyMinutes: 0, authTimeoutMs: 300 });
  });

  afterAll(async () => {
    for (const s of open) s.disconnect();
    expect(venue.stats.internalErrors).toBe(0);
    await venue.close();
  });

  const stream = (opts: Parameters<ReturnType<typeof clientsFor>['dataStream']>[0] = {}, keys?: { keyId: string; secretKey: string }): Stream => {
    const s = clientsFor(venue, {}, keys).dataStream({ reconnect: false, ...opts });
    open.push(s);
    return s;
  };

  it('valid keys then authenticates; bad keys then fails with 402 and no reconnect', async () => {
    const good = stream();
    good.connect();
    expect(await good.waitForAuthenticationResult(3000)).toMatchObject({ authenticated: true });
    good.disconnect();

    const bad = stream({ reconnect: true }, { keyId: 'qgtm-local-key', secretKey: 'wrong' });
    const errors = new Collector<string>();
    bad.onError(errors.push);
    bad.connect();
    const result = await bad.waitForAuthenticationResult(3000);
    expect(result).toMatchObject({ authenticated: false, status: 'server_rejected', code: 402 });
    expect(errors.items).toContain('auth failed');
  });

  it('subscribe then trades, quotes and bars arrive as msgpack and decode in the SDK', async () => {
    const s = stream();
    const trades = new Collector<streaming.StreamTrade>();
    const quotes = new Collector<streaming.StreamQuote>();
    const bars = new Collector<streaming.StreamBar>();
    const subs = new Collector<Record<string, string[]>>();
    s.onTrade(trades.push).onQuote(quotes.push).onBar(bars.push);
    s.on('subscription', subs.push);
    s.onConnect(() => {
      s.subscribeForTrades(['GLD', 'GDX']);
      s.subscribeForQuotes(['GLD']);
      s.subscribeForBars(['GLD']);
    });
    s.connect();
    await subs.waitFor((x) => x.bars?.includes('GLD') && x.trades?.length === 2, 3000, 'subscription');
    venue.market.step(130); // a little over two minutes: at least one bar completes
    const bar = await bars.waitFor(() => true, 3000, 'a bar');
    await quotes.waitFor(() => true, 3000, 'a quote');
    await trades.waitFor(() => true, 3000, 'a trade');

    const q = quotes.items[0];
    expect(q.symbol).toBe('GLD');
    expect(q.askPrice).toBeGreaterThan(q.bidPrice);
    expect(q.timestamp).toBeInstanceOf(Date);
    expect(q.timestamp.getTime()).toBeGreaterThanOrEqual(venue.options.startTime);
    expect(new Set(trades.items.map((t) => t.symbol))).toEqual(new Set(['GLD', 'GDX']));
    expect(quotes.items.every((x) => x.symbol === 'GLD')).toBe(true);
    const t = trades.items[0];
    expect([typeof t.price, typeof t.size, typeof t.id]).toEqual(['number', 'number', 'number']);
    expect(bar.symbol).toBe('GLD');
    expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
    expect(bar.timestamp.getTime() % 60_000).toBe(0);
    s.disconnect();
  });

  it('historical bars over REST then equal the bars that were streamed', async () => {
    const s = stream();
    const bars = new Collector<streaming.StreamBar>();
    const subs = new Collector<unknown>();
    s.onBar(bars.push);
    s.on('subscription', subs.push);
    s.onConnect(() => s.subscribeForBars(['GLD', 'SLV']));
    s.connect();
    await subs.waitFor(() => true, 3000, 'subscription');
    const from = venue.market.now;
    venue.market.step(300);
    await bars.waitFor((_, all) => all.filter((b) => b.symbol === 'SLV').length >= 4, 3000, 'four SLV bars');
    const streamed = bars.items.filter((b) => b.symbol === 'SLV' && b.timestamp.getTime() >= from);
    const rest = await clientsFor(venue).stocks.stockBarSingle({
      symbol: 'SLV',
      timeframe: '1Min',
      start: new Date(streamed[0].timestamp.getTime()),
      end: new Date(streamed[streamed.length - 1].timestamp.getTime()),
    });
    expect(rest.bars.map((b) => [b.t.getTime(), b.o, b.h, b.l, b.c, b.v, b.n, b.vw])).toEqual(
      streamed.map((b) => [b.timestamp.getTime(), b.open, b.high, b.low, b.close, b.volume, b.tradeCount, b.vwap]),
    );
    s.disconnect();
  });

  it('bars REST with a small limit then pages with next_page_token to the same bars', async () => {
    const api = clientsFor(venue).stocks;
    const start = new Date(venue.options.startTime);
    const all = await api.stockBars({ symbols: 'GLD,SLV', timeframe: '1Min', start, limit: 10_000 });
    let token: string | undefined;
    const paged: Record<string, unknown[]> = {};
    let pages = 0;
    do {
      const page = await api.stockBars({ symbols: 'GLD,SLV', timeframe: '1Min', start, limit: 3, pageToken: token });
      for (const [sym, list] of Object.entries(page.bars)) (paged[sym] ??= []).push(...(list as unknown[]));
      token = page.nextPageToken ?? undefined;
      pages++;
    } while (token && pages < 100);
    expect(pages).toBeGreaterThan(2);
    expect(paged).toEqual(all.bars);
    const fiveMin = await api.stockBarSingle({ symbol: 'GLD', timeframe: '5Min', start });
    // The multi-symbol response keeps Alpaca's raw wire bars (t is an RFC 3339 string).
    const minutes = all.bars.GLD as unknown as { t: string; v: number }[];
    const firstBucket = fiveMin.bars[0].t.getTime();
    const inBucket = minutes.filter((b) => Date.parse(b.t) >= firstBucket && Date.parse(b.t) < firstBucket + 300_000);
    expect(inBucket.length).toBeGreaterThan(1);
    const vol = inBucket.reduce((a, b) => a + b.v, 0);
    expect(fiveMin.bars[0].v).toBe(vol);
  });

  it('second connection with the same key then gets 406 and is closed', async () => {
    const first = stream();
    first.connect();
    expect((await first.waitForAuthenticationResult(3000)).authenticated).toBe(true);
    const second = stream();
    const errors = new Collector<string>();
    const states = new Collector<string>();
    second.onError(errors.push);
    second.onStateChange(states.push);
    second.connect();
    await errors.waitFor((e) => e === 'connection limit exceeded', 3000, '406');
    await states.waitFor((st) => st === 'disconnected', 3000, 'server close');
    expect((await second.waitForAuthenticationResult(1000)).authenticated).toBe(false);
    first.disconnect();
  });

  it('no auth within the timeout then the server sends 404 auth timeout', async () => {
    const ws = rawSocket(venue.wsDataUrl, { 'Content-Type': 'application/msgpack' });
    const frames = new Collector<Record<string, unknown>>();
    const closed = new Collector<number>();
    ws.on('message', (data) => (unpack(data as Buffer) as Record<string, unknown>[]).forEach(frames.push));
    ws.on('close', (code) => closed.push(code as number));
    await frames.waitFor((f) => f.T === 'success' && f.msg === 'connected', 3000, 'connected');
    const err = await frames.waitFor((f) => f.T === 'error', 3000, 'auth timeout');
    expect(err).toEqual({ T: 'error', code: 404, msg: 'auth timeout' });
    await closed.waitFor(() => true, 3000, 'close');
  });

  it('malformed frames then get 400 invalid syntax and the connection stays usable', async () => {
    const ws = rawSocket(venue.wsDataUrl);
    const frames = new Collector<Record<string, unknown>>();
    ws.on('message', (data) => (JSON.parse(String(data)) as Record<string, unknown>[]).forEach(frames.push));
    await frames.waitFor((f) => f.msg === 'connected', 3000, 'connected');
    ws.send('{not json');
    await frames.waitFor((f) => f.T === 'error' && f.code === 400, 3000, 'invalid syntax');
    ws.send(JSON.stringify({ action: 'subscribe', trades: ['GLD'] }));
    await frames.waitFor((f) => f.code === 401, 3000, 'not authenticated');
    ws.send(JSON.stringify({ action: 'auth', key: venue.keys.keyId, secret: venue.keys.secretKey }));
    await frames.waitFor((f) => f.msg === 'authenticated', 3000, 'authenticated');
    ws.send(JSON.stringify({ action: 'subscribe', trades: 'GLD' }));
    await frames.waitFor((_, all) => all.filter((f) => f.code === 400).length === 2, 3000, 'second 400');
    ws.send(JSON.stringify({ action: 'subscribe', quotes: ['*'] }));
    await frames.waitFor((f) => f.T === 'subscription', 3000, 'subscription');
    venue.market.step(1);
    const q = await frames.waitFor((f) => f.T === 'q', 3000, 'a JSON quote');
    expect(typeof q.t).toBe('string');
    expect(venue.stats.badInput).toBeGreaterThanOrEqual(2);
    ws.close();
  });

  it('dropped stream then the SDK reconnects, resubscribes and data flows again', async () => {
    const s = stream({ reconnect: true, initialReconnectMs: 20, reconnectJitter: 0 });
    const quotes = new Collector<streaming.StreamQuote>();
    const subs = new Collector<unknown>();
    const reconnected = new Collector<true>();
    s.onQuote(quotes.push);
    s.on('subscription', subs.push);
    s.onReconnected(() => reconnected.push(true));
    s.onConnect(() => s.subscribeForQuotes(['SLV']));
    s.connect();
    await subs.waitFor(() => true, 3000, 'subscription');
    const subsBefore = subs.items.length;
    expect(venue.faults.dropStreams('data')).toBeGreaterThanOrEqual(1);
    await reconnected.waitFor(() => true, 3000, 'reconnected');
    // The server confirms the resubscription before data is routed to the new connection.
    await subs.waitFor((_, all) => all.length > subsBefore, 3000, 'resubscription');
    const before = quotes.items.length;
    venue.market.step(2);
    await quotes.waitFor((_, all) => all.length > before, 3000, 'quotes after reconnect');
    expect(quotes.items.at(-1)!.symbol).toBe('SLV');
  });

  it('refused data auth fault then auth fails with 402', async () => {
    venue.faults.refuseDataAuth = true;
    try {
      const s = stream();
      s.connect();
      expect(await s.waitForAuthenticationResult(3000)).toMatchObject({ authenticated: false, code: 402 });
    } finally {
      venue.faults.refuseDataAuth = false;
    }
  });
});
