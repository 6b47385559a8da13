/**
 * The record structures must list each hot message's keys in the order the
 * real code creates them, or msgpackr falls back to inline definitions.
 * Each message here is made by the code that makes it in production.
 */
import { describe, expect, it } from 'vitest';
import { streaming } from '@alpacahq/alpaca-trade-api';
import { MACRO_STRUCTURES, MARKET_DATA_STRUCTURES, MD_STRUCTURES } from '../../../../actors/market-data/structures.js';
import { FEED_STRUCTURES } from '../../../../actors/feed/structures.js';
import { MarketDataRouter } from '../../../../actors/market-data/router.js';
import { SessionLifecycle, resolveReconnect } from '../../../../actors/market-data/lifecycle.js';
import { FeedCore } from '../../../../actors/feed/feed.js';
import { feedConfig } from '../../../../actors/feed/config.js';
import { FredClient } from '../../../../actors/macro/fred-client.js';
import { CftcClient } from '../../../../actors/macro/cftc-client.js';
import type { Message } from '../../../../src/runtime/index.js';
import { T0, trade } from '../feed/helpers.js';

const keysOf = (m: object): string[] => Object.keys(m);

describe('market-data record structures', () => {
  it('md.trade, md.quote, md.bar from the router then keys match MD_STRUCTURES in order', () => {
    const sent: Message[] = [];
    const r = new MarketDataRouter(['GLD'], 'feed:{symbol}', (_to, m) => sent.push(m));
    const t = new Date(T0);
    r.trade(streaming.mapTrade({ T: 't', S: 'GLD', i: 1, x: 'V', p: 1, s: 1, t } as never));
    r.quote(streaming.mapQuote({ T: 'q', S: 'GLD', bp: 1, bs: 1, ap: 2, as: 1, t } as never));
    r.bar(streaming.mapBar({ T: 'b', S: 'GLD', o: 1, h: 1, l: 1, c: 1, v: 1, t, n: 1, vw: 1 } as never));
    expect(sent.map(keysOf)).toEqual(MD_STRUCTURES.slice(0, 3));
  });

  it('md.status from the lifecycle then keys match', () => {
    const l = new SessionLifecycle('local', resolveReconnect().value, () => ({ forwarded: 0, dropped: 0 }));
    l.connecting();
    l.onAuthenticated(T0, true);
    const connected = l.onSubscription(T0, 1).publish[0];
    const [disconnected, reconnecting] = l.onDisconnected(T0).publish;
    for (const m of [connected, disconnected, reconnecting]) expect(keysOf(m)).toEqual(MD_STRUCTURES[3]);
  });

  it('feed.features, feed.bar, feed.status, feed.history from FeedCore then keys match FEED_STRUCTURES', () => {
    const core = new FeedCore(feedConfig('GLD', { barIntervalMs: 60_000 }));
    const first = core.onMarketData(trade(100, T0), T0);
    expect(keysOf(first.features!)).toEqual(FEED_STRUCTURES[0]);
    expect(keysOf(first.status!)).toEqual(FEED_STRUCTURES[2]);
    const next = core.onMarketData(trade(101, T0 + 60_000), T0 + 60_000);
    expect(keysOf(next.bar!)).toEqual(FEED_STRUCTURES[1]);
    expect(keysOf(core.history())).toEqual(FEED_STRUCTURES[3]);
  });

  it('macro.series and macro.cot from the clients then keys match MACRO_STRUCTURES, nested rows included', async () => {
    const reply = (body: unknown) => (async () => new Response(JSON.stringify(body), { status: 200 })) as typeof fetch;
    const fred = new FredClient({ baseUrl: 'http://x/fred', apiKey: 'k', fetch: reply({ observations: [{ date: '2025-01-02', value: '1.5' }] }) });
    const series = await fred.getSeries('DFII10');
    expect(keysOf(series)).toEqual(MACRO_STRUCTURES[0]);
    expect(keysOf(series.observations[0])).toEqual(MACRO_STRUCTURES[1]);
    const cftc = new CftcClient({
      baseUrl: 'http://x',
      fetch: reply([{ report_date_as_yyyy_mm_dd: '2025-01-07T00:00:00.000', m_money_positions_long_all: '1', m_money_positions_short_all: '2', open_interest_all: '3' }]),
    });
    const cot = await cftc.getCot('gold');
    expect(keysOf(cot)).toEqual(MACRO_STRUCTURES[2]);
    expect(keysOf(cot.rows[0])).toEqual(MACRO_STRUCTURES[3]);
  });

  it('the combined list then md, feed and macro in a fixed order without duplicates', () => {
    expect(MARKET_DATA_STRUCTURES).toEqual([...MD_STRUCTURES, ...FEED_STRUCTURES, ...MACRO_STRUCTURES]);
    expect(new Set(MARKET_DATA_STRUCTURES.map((s) => s.join())).size).toBe(MARKET_DATA_STRUCTURES.length);
  });
});
