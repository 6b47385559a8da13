/**
 * A lively first run, as `npm start` would wire it: the venue in real time
 * with its default history, the market-data session and feeds with backfill,
 * and the trading tree with the intraday parameter profile, every other
 * setting at its default (no test-only shortcuts). Feeds backfill their
 * history from the venue's bars REST, the shards start warm from it, signals
 * follow within seconds, a posture and an order at the venue within about a
 * minute.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveAlpacaConnection } from '../../../src/alpaca/index.js';
import { startTrading, TRADING_STRUCTURES } from '../../../app/daemon/index.js';
import { ActorSystem, type Message } from '../../../src/runtime/index.js';
import type { SupervisionTree } from '../../../supervisor/index.js';
import { startVenue, DEFAULT_HISTORY_MINUTES, type VenueHandle } from '../../../venue/index.js';
import { MARKET_DATA_STRUCTURES } from '../../../actors/market-data/index.js';
import { marketDataSpecs } from '../../../app/daemon/market-data-specs.js';
import { STRATEGY_PROFILES } from '../../../actors/strategy/profiles.js';
import { unfedInputs } from '../../../app/catalog.js';
import type { FeedHistoryMsg } from '../../../actors/feed/messages.js';
import type { StrategySignalMsg } from '../../../actors/strategy/messages.js';
import type { AllocatorPostureMsg } from '../../../actors/allocator/messages.js';
import { PM_UNIVERSE } from '../../../src/universe/index.js';
import { activeTriggers, eventually } from '../../helpers/fixtures.js';
import { Collector } from '../venue/helpers.js';
import { TOPICS } from '../../../actors/topics.js';

const BACKFILL_BARS = 480;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('first run with backfill and the intraday profile', () => {
  it('venue, feeds with backfill and the trading tree then history, signals, a posture and an order', async () => {
    const t0 = Date.now();
    // A margin account, as an Alpaca paper account is: a cash account refuses every short sale,
    // so a falling market would give a short posture and no order at all.
    const venue: VenueHandle = await startVenue({ seed: 42, accountMode: 'margin' });
    const venueStartMs = Date.now() - t0;
    const journalDir = mkdtempSync(join(tmpdir(), 'qgtm-warm-'));
    const system = await ActorSystem.start({
      logLevel: (process.env.QGTM_TEST_LOG as 'info' | undefined) ?? 'silent',
      structures: [...MARKET_DATA_STRUCTURES, ...TRADING_STRUCTURES],
    });
    let tree: SupervisionTree | undefined;
    cleanup = async () => {
      await tree?.stop().catch(() => undefined);
      await system.shutdown();
      await venue.close();
      rmSync(journalDir, { recursive: true, force: true });
    };

    const history = new Collector<FeedHistoryMsg>();
    const signals = new Collector<StrategySignalMsg>();
    const postures = new Collector<AllocatorPostureMsg>();
    await system.subscribe(TOPICS.bars, (m) => {
      if (m.type === 'feed.history') history.push(m as FeedHistoryMsg);
    });
    await system.subscribe(TOPICS.signals, (m) => signals.push(m));
    await system.subscribe(TOPICS.posture, (m) => postures.push(m));

    const connection = resolveAlpacaConnection({ local: venue });
    const symbols = PM_UNIVERSE.map((i) => i.symbol);
    // What the daemon passes: the market-data specs with backfill (macro sources off here, so
    // every signal below comes from a bar-driven strategy warmed by the backfill).
    const marketData = marketDataSpecs({ conn: connection, symbols, macro: false, feed: { backfill: { bars: BACKFILL_BARS } } }).map((start) => ({
      type: 'worker' as const,
      start,
      restart: 'permanent' as const,
      shutdown: 2000,
    }));
    const started = Date.now();
    tree = await startTrading(system, {
      connection,
      journalDir,
      shards: 2,
      strategy: { paramOverrides: STRATEGY_PROFILES.intraday },
      marketData,
    });

    // Every feed backfilled: one feed.history each, with most of the venue's day of minute bars.
    await eventually(() => new Set(history.items.map((h) => h.symbol)).size === symbols.length, 15_000, 'feed.history from every feed');
    const backfilledMs = Date.now() - started;
    for (const h of history.items) {
      expect(h.intervalMs).toBe(60_000);
      expect(h.ts.length, h.symbol).toBeGreaterThanOrEqual(DEFAULT_HISTORY_MINUTES - 5);
      expect(h.ts.length).toBeLessThanOrEqual(BACKFILL_BARS);
    }
    const gld = history.items.find((h) => h.symbol === 'GLD')!;
    const truth = venue.market.minuteBars('GLD').filter((b) => b.ts <= gld.ts[gld.ts.length - 1]).slice(-gld.ts.length);
    expect(gld.close).toEqual(truth.map((b) => b.close));

    // Signals from bar-driven strategies within seconds, some directional.
    const directional = await signals.waitFor((s) => s.direction !== 0, 10_000, 'a directional signal');
    const firstSignalMs = Date.now() - started;
    expect(directional.horizonMs).toBeGreaterThanOrEqual(5 * 60_000);
    // Every strategy the intraday profile covers speaks on the backfilled history alone, but for those
    // whose inputs the PM universe does not feed (copper and oil for the cross-asset ratios): they stay silent.
    const unfed = unfedInputs(PM_UNIVERSE.map((i) => i.symbol)).map((u) => u.id);
    expect(unfed).toEqual(['gold_copper_ratio', 'gold_oil_ratio']);
    // The opening range is the UTC session's first `rangeBars` bars (the venue is always open): in the first
    // half hour after 00:00 UTC the backfill holds too few of today's bars for it to speak, whatever the code does.
    const rangeBars = Number(STRATEGY_PROFILES.intraday.opening_range_breakout?.rangeBars);
    expect(Number.isInteger(rangeBars)).toBe(true);
    const sessionBars = Math.floor((venue.market.now % 86_400_000) / 60_000);
    const young = sessionBars <= rangeBars + 1 ? ['opening_range_breakout'] : [];
    const covered = Object.keys(STRATEGY_PROFILES.intraday).filter((id) => !unfed.includes(id) && !young.includes(id));
    await eventually(() => covered.every((id) => signals.items.some((s) => s.strategyId === id)), 10_000, 'a signal from every intraday strategy', () => ({
      silent: covered.filter((id) => !signals.items.some((s) => s.strategyId === id)),
      sessionBars,
    }));
    const ids = new Set(signals.items.map((s) => s.strategyId));
    for (const id of unfed) expect(ids.has(id), `${id} signalled without its input`).toBe(false);

    // A posture with weight somewhere, then an order at the venue.
    const posture = await postures.waitFor((p) => Object.values(p.weights).some((w) => w !== 0), 20_000, 'a posture with a non-zero weight');
    const postureMs = Date.now() - started;
    const orders = await eventually(() => {
      const list = venue.engine.list({ status: 'all', limit: 500 });
      return list.length > 0 ? list : null;
    }, 20_000, 'an order at the venue', async () => {
      const risk = (await system.ask('risk', { type: 'risk.query' }, { timeoutMs: 2000 })) as unknown as Record<string, any>;
      return { tier: risk.tier, floor: risk.floor, brokerUsable: risk.brokerUsable, armed: risk.armed, triggers: activeTriggers(risk), posture: postures.items.slice(-1) };
    });
    const orderMs = Date.now() - started;
    const order = orders![0] as Record<string, unknown>;
    expect(Object.keys(posture.weights)).toContain(order.symbol);
    expect(String(order.client_order_id)).toMatch(/^q-p\d+_/);

    // The figures a newcomer sees (and the report quotes).
    console.log(
      `[warm] venue start ${venueStartMs} ms (${DEFAULT_HISTORY_MINUTES} min history); all feeds backfilled ${backfilledMs} ms; ` +
        `first directional signal ${firstSignalMs} ms; posture ${postureMs} ms; first venue order ${orderMs} ms; ` +
        `${signals.items.length} signals from ${ids.size} strategies`,
    );
  }, 90_000);
});
