import { describe, expect, it } from 'vitest';
import { streaming } from '@alpacahq/alpaca-trade-api';
import { MarketDataRouter, feedIdFor } from '../../../../actors/market-data/router.js';
import type { MarketDataMsg } from '../../../../actors/market-data/messages.js';

const MS = Date.UTC(2025, 0, 6, 14, 30, 1, 250);

function router(symbols = ['GLD', 'SLV']) {
  const sent: [string, MarketDataMsg][] = [];
  const drops: [string, string, unknown][] = [];
  const r = new MarketDataRouter(symbols, 'feed:{symbol}', (to, msg) => sent.push([to, msg]), (reason, kind, symbol) => drops.push([reason, kind, symbol]));
  return { r, sent, drops };
}

// Inputs are built by the SDK's own mappers from wire frames, as the stream hands them over.
const sdkTrade = (over: Record<string, unknown> = {}) => streaming.mapTrade({ T: 't', S: 'GLD', i: 7, x: 'V', p: 245.1, s: 100, t: new Date(MS), c: ['@'], z: 'B', ...over } as never);
const sdkQuote = (over: Record<string, unknown> = {}) =>
  streaming.mapQuote({ T: 'q', S: 'SLV', bx: 'V', bp: 29.5, bs: 3, ax: 'V', ap: 29.52, as: 4, t: new Date(MS), c: ['R'], z: 'B', ...over } as never);
const sdkBar = (over: Record<string, unknown> = {}) => streaming.mapBar({ T: 'b', S: 'GLD', o: 245, h: 246, l: 244.5, c: 245.5, v: 12_000, t: new Date(MS - 1250), n: 80, vw: 245.3, ...over } as never);

describe('market-data router', () => {
  it('SDK trade then md.trade with epoch-ms time, told to its feed', () => {
    const { r, sent } = router();
    r.trade(sdkTrade());
    expect(sent).toEqual([['feed:GLD', { type: 'md.trade', symbol: 'GLD', price: 245.1, size: 100, id: 7, ts: MS }]]);
  });

  it('SDK quote and bar then md.quote and md.bar with every field mapped', () => {
    const { r, sent } = router();
    r.quote(sdkQuote());
    r.bar(sdkBar());
    expect(sent).toEqual([
      ['feed:SLV', { type: 'md.quote', symbol: 'SLV', bid: 29.5, ask: 29.52, bidSize: 3, askSize: 4, ts: MS }],
      ['feed:GLD', { type: 'md.bar', symbol: 'GLD', open: 245, high: 246, low: 244.5, close: 245.5, volume: 12_000, ts: MS - 1250, trades: 80, vwap: 245.3 }],
    ]);
  });

  it('64-bit ints (the SDK decodes with useBigInt64) then plain numbers', () => {
    const { r, sent } = router();
    r.trade(sdkTrade({ i: 9_007_199_254_740_993n, s: 300n }));
    const m = sent[0][1] as { ts: number; id: number; size: number };
    expect(m.size).toBe(300);
    expect(m.id).toBe(9_007_199_254_740_992);
  });

  it('bar without vwap or trade count then close stands in for vwap and trades is 0', () => {
    const { r, sent } = router();
    r.bar(sdkBar({ vw: undefined, n: undefined }));
    expect(sent[0][1]).toMatchObject({ vwap: 245.5, trades: 0 });
  });

  it('symbol outside the universe then dropped as unknown_symbol and remembered', () => {
    const { r, sent, drops } = router();
    r.trade(sdkTrade({ S: 'AAPL' }));
    expect(sent).toEqual([]);
    expect(drops).toEqual([['unknown_symbol', 'trade', 'AAPL']]);
    expect(r.counts()).toEqual({ received: { trade: 1, quote: 0, bar: 0 }, forwarded: 0, dropped: { unknown_symbol: 1, malformed: 0 } });
    expect([...r.strangers]).toEqual(['AAPL']);
  });

  it('missing price, missing timestamp, non-object or no symbol then dropped as malformed', () => {
    const { r, sent, drops } = router();
    r.trade(sdkTrade({ p: undefined }));
    r.quote({ ...sdkQuote(), timestamp: 'yesterday' });
    r.bar(null);
    r.trade({ price: 1 });
    expect(sent).toEqual([]);
    expect(drops.map((d) => d[0])).toEqual(['malformed', 'malformed', 'malformed', 'malformed']);
    expect(r.droppedCount).toBe(4);
  });

  it('NaN price or an invalid date then forwarded for the feed to reject and count', () => {
    const { r, sent } = router();
    r.trade(sdkTrade({ p: Number.NaN }));
    // (The SDK's own mapper throws on an invalid Date, so that case is built by hand.)
    r.trade({ ...sdkTrade(), timestamp: new Date(Number.NaN) });
    expect(sent).toHaveLength(2);
    expect(Number.isNaN((sent[0][1] as { price: number }).price)).toBe(true);
    expect(Number.isNaN(sent[1][1].ts)).toBe(true);
    expect(r.forwardedCount).toBe(2);
  });

  it('feed id pattern then the symbol is substituted everywhere it appears', () => {
    expect(feedIdFor('feed:{symbol}', 'GLD')).toBe('feed:GLD');
    expect(feedIdFor('f/{symbol}/{symbol}', 'SLV')).toBe('f/SLV/SLV');
    const { r } = router();
    expect(r.feedOf('SLV')).toBe('feed:SLV');
    expect(r.feedOf('XYZ')).toBeUndefined();
  });
});
