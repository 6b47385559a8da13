import { describe, expect, it } from 'vitest';
import { resolveAlpacaConnection } from '../../../../src/alpaca/index.js';
import { configError } from '../../../helpers/errors.js';
import { validateSpec } from '../../../../src/runtime/index.js';
import { PM_UNIVERSE } from '../../../../src/universe/index.js';
import { DEFAULT_FEED_MAILBOX, LOSSLESS_FEED_MAILBOX, MARKET_DATA_WORKER, feedSpec, marketDataSpecs } from '../../../../app/daemon/market-data-specs.js';

const local = resolveAlpacaConnection({ local: { url: 'http://127.0.0.1:5555', wsTradingUrl: 'ws://127.0.0.1:5555/stream', wsDataUrl: 'ws://127.0.0.1:5555/v2/iex' } });
const paper = resolveAlpacaConnection({ venue: 'alpaca-paper', keyId: 'AK', secretKey: 'SK' });
const SYMBOLS = PM_UNIVERSE.map((i) => i.symbol);

const caught = configError;

describe('marketDataSpecs', () => {
  it('defaults then feeds first, then md, then macro, co-located as measured, each spec valid', () => {
    const specs = marketDataSpecs({ conn: local, symbols: SYMBOLS });
    expect(specs.map((s) => s.id)).toEqual([...SYMBOLS.map((s) => `feed:${s}`), 'md', 'macro:fred', 'macro:cftc']);
    for (const s of specs) expect(validateSpec(s)).toEqual([]);
    expect(new Set(specs.slice(0, 21).map((s) => s.placement))).toEqual(new Set([MARKET_DATA_WORKER]));
    expect(specs[21].placement).toBe('macro');
    expect(specs[0]).toMatchObject({ args: { symbol: SYMBOLS[0], config: {} }, mailbox: DEFAULT_FEED_MAILBOX, snapshot: { everyMs: 1000 } });
    expect(specs[20].args).toEqual({ conn: local, symbols: SYMBOLS });
    // Macro sources read the local venue by default.
    expect(specs[21].args).toEqual({ venueUrl: 'http://127.0.0.1:5555', source: 'fred' });
    expect(specs[22].args).toEqual({ venueUrl: 'http://127.0.0.1:5555', source: 'cftc' });
  });

  it('placement options then feeds in groups or one worker, md and macro where asked', () => {
    const grouped = marketDataSpecs({ conn: local, symbols: ['GLD', 'SLV', 'GDX'], placement: { md: 'md', feeds: 2, macro: 'slow' } });
    expect(grouped.map((s) => s.placement)).toEqual(['feeds-0', 'feeds-1', 'feeds-0', 'md', 'slow', 'slow']);
    const named = marketDataSpecs({ conn: local, symbols: ['GLD'], placement: { feeds: (s) => `w-${s}` }, macro: false });
    expect(named.map((s) => s.placement)).toEqual(['w-GLD', MARKET_DATA_WORKER]);
  });

  it('feed options then config merged per symbol, mailbox and tick period applied', () => {
    const specs = marketDataSpecs({
      conn: local,
      symbols: ['GLD', 'SLV'],
      feed: { config: { staleAfterMs: 30_000 }, perSymbol: { SLV: { barIntervalMs: 300_000 } }, tickMs: 250, sampleMs: 500, mailbox: LOSSLESS_FEED_MAILBOX, snapshotEveryMs: 5000 },
      md: { feedIdPattern: 'px:{symbol}', reconnect: { initialMs: 100 } },
      macro: false,
    });
    expect(specs.map((s) => s.id)).toEqual(['px:GLD', 'px:SLV', 'md']);
    expect(specs[1]).toMatchObject({ args: { symbol: 'SLV', tickMs: 250, sampleMs: 500, config: { staleAfterMs: 30_000, barIntervalMs: 300_000 } }, mailbox: LOSSLESS_FEED_MAILBOX, snapshot: { everyMs: 5000 } });
    expect(specs[2].args).toMatchObject({ feedIdPattern: 'px:{symbol}', reconnect: { initialMs: 100 } });
  });

  it('Alpaca paper without macro settings then an error says what to configure; with them it builds', () => {
    const err = caught(() => marketDataSpecs({ conn: paper, symbols: ['GLD'] }));
    expect(err.violations).toEqual(['macro:fred.baseUrl or macro:fred.venueUrl is required', 'macro:cftc.baseUrl or macro:cftc.venueUrl is required']);
    const specs = marketDataSpecs({ conn: paper, symbols: ['GLD'], macro: { fred: { baseUrl: 'https://api.stlouisfed.org/fred', apiKey: 'real' }, cftc: false } });
    expect(specs.map((s) => s.id)).toEqual(['feed:GLD', 'md', 'macro:fred']);
    expect(specs[1].args).toMatchObject({ conn: { venue: 'alpaca', dataStreamUrl: 'wss://stream.data.alpaca.markets/v2/iex' } });
  });

  it('several bad options then one ConfigError naming every problem', () => {
    const err = caught(() =>
      marketDataSpecs({
        conn: local,
        symbols: ['GLD', 'GLD', ''],
        feed: { config: { barIntervalMs: 0 }, tickMs: -5, sampleMs: Number.NaN },
        md: { channels: ['trades', 'news' as never], reconnect: { jitter: 2 } },
        macro: { cftc: { weeks: 0 } },
      }),
    );
    const text = err.violations.join('\n');
    expect(text).toContain('feed[GLD].tickMs must be a positive number');
    expect(text).toContain('feed[GLD].sampleMs must be a number >= 0');
    expect(text).toContain('feed[GLD].barIntervalMs must be an integer >= 1');
    expect(text).toContain('feed.symbol must be a non-empty string');
    expect(text).toContain('md.symbols must be a non-empty list of symbols');
    expect(text).toContain('md.channels must be a non-empty subset of trades, quotes, bars');
    expect(text).toContain('md.reconnect.jitter must be in [0, 1)');
    expect(text).toContain('macro:cftc.weeks must be an integer 1-5000');
  });

  it('feed backfill settings then every feed gets them with the connection, no backfill by default', () => {
    const specs = marketDataSpecs({ conn: local, symbols: ['GLD', 'SLV'], macro: false, feed: { backfill: { bars: 480, maxAttempts: 3 } } });
    expect(specs[0].args).toEqual({ symbol: 'GLD', config: {}, backfill: { bars: 480, maxAttempts: 3, conn: local } });
    expect(specs[1].args).toMatchObject({ symbol: 'SLV', backfill: { bars: 480, conn: local } });
    for (const s of specs) expect(validateSpec(s)).toEqual([]);
    expect(marketDataSpecs({ conn: local, symbols: ['GLD'], macro: false })[0].args).not.toHaveProperty('backfill');
    expect(marketDataSpecs({ conn: local, symbols: ['GLD'], macro: false, feed: { backfill: false } })[0].args).not.toHaveProperty('backfill');
  });

  it('backfill on Alpaca then the historical feed follows the data stream unless set', () => {
    const iex = marketDataSpecs({ conn: paper, symbols: ['GLD'], macro: false, feed: { backfill: { bars: 100 } } });
    expect(iex[0].args).toMatchObject({ backfill: { bars: 100, feed: 'iex' } });
    const sip = marketDataSpecs({ conn: paper, symbols: ['GLD'], macro: false, feed: { backfill: { bars: 100, feed: 'sip' } } });
    expect(sip[0].args).toMatchObject({ backfill: { feed: 'sip' } });
  });

  it('bad backfill settings then each problem is reported once, not once per feed', () => {
    const err = caught(() => marketDataSpecs({ conn: local, symbols: SYMBOLS, macro: false, feed: { backfill: { bars: -1, pageLimit: 0 } } }));
    expect(err.violations).toEqual(['feed.backfill.bars must be an integer 1-9007199254740991 (got -1)', 'feed.backfill.pageLimit must be an integer 1-10000 (got 0)']);
  });

  it('feedSpec with backfill then the settings land in the args', () => {
    const spec = feedSpec('GLD', { backfill: { conn: local, bars: 60 } });
    expect(spec.args).toEqual({ symbol: 'GLD', backfill: { conn: local, bars: 60 } });
  });
});
