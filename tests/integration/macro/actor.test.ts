/**
 * The macro actors (`macro:fred`, `macro:cftc`) in a worker against the
 * venue's simulated FRED and CFTC endpoints: what they publish equals what
 * the venue's macro model holds (missing FRED values as null), and a failing
 * source is retried with backoff until it recovers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ActorSystem, Message } from '../../../src/runtime/index.js';
import { MARKET_DATA_STRUCTURES } from '../../../actors/market-data/index.js';
import { macroSpec } from '../../../app/daemon/market-data-specs.js';
import type { MacroCotMsg, MacroSeriesMsg } from '../../../actors/macro/messages.js';
import { startVenue, type VenueHandle } from '../../../venue/index.js';
import type { FredSeriesId } from '../../../venue/market/macro.js';
import { useSystem } from '../../helpers/system.js';
import { eventually } from '../../helpers/fixtures.js';
import { Collector } from '../venue/helpers.js';

const startSystem = useSystem();
const DAY_MS = 86_400_000;

describe('macro actors against the venue', () => {
  let venue: VenueHandle | undefined;
  afterEach(async () => {
    await venue?.close();
    venue = undefined;
  });

  async function setUp(): Promise<{ system: ActorSystem; published: Collector<Message> }> {
    // The venue's macro history ends the day before its market starts: start it now, so a lookback from now overlaps it.
    venue = await startVenue({ clockMode: 'manual', startTime: Date.now(), seed: 11, historyMinutes: 0 });
    const system = await startSystem({ structures: MARKET_DATA_STRUCTURES });
    const published = new Collector<Message>();
    await system.subscribe('macro', (m: Message) => published.push(m));
    return { system, published };
  }

  it('macro:fred at start then publishes each series as the venue holds it, missing days as null', async () => {
    const { system, published } = await setUp();
    const lookbackDays = 400;
    const start = new Date(Date.now() - lookbackDays * DAY_MS).toISOString().slice(0, 10);
    await system.spawn(macroSpec({ source: 'fred', venueUrl: venue!.url, lookbackDays }));
    await published.waitFor((_, all) => all.length === 3, 10_000, 'three series');
    const series = published.items as MacroSeriesMsg[];
    expect(series.map((s) => s.seriesId).sort()).toEqual(['DFII10', 'DTWEXBGS', 'T10YIE']);
    const macro = venue!.market.macro;
    for (const s of series) {
      const d = macro.decimals(s.seriesId as FredSeriesId);
      const expected = macro
        .series(s.seriesId)!
        .filter((o) => o.date >= start)
        .map((o) => ({ date: o.date, value: o.value === null ? null : Number(o.value.toFixed(d)) }));
      expect(s.observations).toEqual(expected);
      expect(s.observations.length).toBeGreaterThan(200);
    }
    // Holidays are missing in the venue's series as in FRED's.
    expect(series.some((s) => s.observations.some((o) => o.value === null))).toBe(true);
    const [info] = await system.inspect('macro:fred');
    expect(info.state_detail).toMatchObject({ source: 'fred', fetches: 1, published: 3, consecutiveFailures: 0, inFlight: false, lastError: null });
    expect(info.timers).toEqual(['fetch']);
  });

  it('macro:cftc at start then publishes gold and silver managed-money rows, oldest first', async () => {
    const { system, published } = await setUp();
    await system.spawn(macroSpec({ source: 'cftc', venueUrl: venue!.url, weeks: 20 }));
    await published.waitFor((_, all) => all.length === 2, 10_000, 'two markets');
    for (const msg of published.items as MacroCotMsg[]) {
      const rows = venue!.market.macro.cot(msg.market).slice(-20);
      expect(msg.contractCode).toBe(msg.market === 'gold' ? '088691' : '084691');
      expect(msg.rows).toEqual(rows.map((r) => ({ reportDate: r.reportDate, managedMoneyLong: r.managedMoneyLong, managedMoneyShort: r.managedMoneyShort, openInterest: r.openInterest })));
    }
  });

  it('source answers 500 then the actor retries with growing backoff and publishes once it recovers', async () => {
    const { system, published } = await setUp();
    venue!.faults.failNext(2, 503, 'macro');
    await system.spawn(macroSpec({ source: 'cftc', venueUrl: venue!.url, markets: ['gold'], weeks: 4, maxRetries: 0, retryMs: 40 }));
    await published.waitFor(() => true, 10_000, 'gold after recovery');
    const [info] = await system.inspect('macro:cftc');
    expect(info.state_detail).toMatchObject({ fetches: 3, published: 1, consecutiveFailures: 0, lastError: { item: 'gold', code: 'QGTM_ERR_MACRO_HTTP' } });
    const metrics = (await system.metricsJson()).flat();
    expect(metrics.find((m) => m.name === 'qgtm_macro_fetch_failures_total')!.values[0].value).toBe(2);
    await eventually(() => venue!.stats.errorsByStatus[503] === 2, 2000, 'two 503s at the venue');
  });

  it('bad args then spawning fails with every problem named', async () => {
    const { system } = await setUp();
    await expect(system.spawn(macroSpec({ source: 'fred', series: ['bad id!'], intervalMs: -1 } as never))).rejects.toThrow(/venueUrl is required[\s\S]*intervalMs must be a positive number[\s\S]*series must be/);
  });
});
