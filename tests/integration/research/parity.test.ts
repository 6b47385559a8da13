/**
 * Parity: the same bars through the live daemon's actors (feeds, the
 * strategy shard, allocator, risk governor and broker session on worker
 * threads, on the virtual clock, the broker trading a real venue through
 * the Alpaca SDK) and through the back-test give the same signals, the
 * same postures and the same order intents.
 *
 * Fills are kept out of it on both sides, so that the comparison does not
 * rest on the venue's own simulated market (which is not the replayed bars):
 * the venue's market stands still on a Saturday, so it accepts every order
 * and holds it for Monday's open, and the back-test's cost model shows no
 * size at the touch (participation ~0), so its matching engine (the venue's
 * code) rests every order too. Every order stays working: the book the
 * allocator sizes against (positions + open orders), the buying power those
 * orders hold and the equity are then the same on both sides, whatever the
 * timing of the broker's network round trips.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAlpacaConnection } from '../../../src/alpaca/index.js';
import { ActorSystem, type Message } from '../../../src/runtime/index.js';
import { startVenue, type VenueHandle } from '../../../venue/index.js';
import { feedSpec, startTrading, TRADING_STRUCTURES } from '../../../app/daemon/index.js';
import { allocatorArgs, DEFAULT_TRADING, riskArgs, strategyOverrides } from '../../../app/config/trading.js';
import { withOverrides } from '../../../app/research/settings.js';
import { MARKET_DATA_STRUCTURES } from '../../../actors/market-data/index.js';
import { DEFAULT_FEED_ID_PATTERN, feedIdFor } from '../../../actors/market-data/router.js';
import type { MarketDataMsg } from '../../../actors/market-data/messages.js';
import { TOPICS } from '../../../actors/topics.js';
import { DEFAULT_COST_MODEL, researchFeedOverrides, runBacktest, staleAllowance } from '../../../app/research/engine/index.js';
import type { BacktestSpec, HistBar } from '../../../app/research/types.js';
import { arraySource, walkBars } from '../../unit/app/research/engine/source.js';
import { Collector } from '../venue/helpers.js';

const SYMBOLS = ['GDX', 'GLD', 'SLV'];
const INTERVAL = 60_000;
const BAR_TIMES = 90;
const START = Date.UTC(2026, 2, 2, 14, 30);

type Any = Message & Record<string, any>;

/**
 * One shard (two would interleave their signals at the allocator nondeterministically), long only, limit
 * orders, no stale-data escalation. turn_of_month is off: it is long GLD from the first bar on these dates,
 * so it holds a directional signal when GLD's first volatility estimate arrives, and live that estimate
 * (feed to allocator, one hop) and the bar's signals (feed to shard to allocator, two hops) race: the
 * rebalance the first volatility calls for sees this bar's signals or the last bar's depending on which
 * thread gets there first (the same weights and intents, other contributor stamps in one posture).
 */
const SETTINGS = withOverrides(
  { risk: DEFAULT_TRADING.risk, allocator: DEFAULT_TRADING.allocator, strategies: DEFAULT_TRADING.strategies },
  {
    'strategies.shards': 1,
    'strategies.disabled': 'turn_of_month',
    'allocator.sizing.allowShort': false,
    'allocator.intents.orderType': 'limit',
    // The back-test does not model a limit's time limit (the research desk has no broker timers), so live ones must not convert either.
    'allocator.intents.limitTimeoutMs': 0,
    'risk.staleData.ladder.WARN': 3_600_000,
    'risk.staleData.ladder.NO_NEW': 7_200_000,
  },
);

const SPEC: BacktestSpec = {
  settings: SETTINGS,
  cost: { ...DEFAULT_COST_MODEL, participation: 1e-9 },
  startingCash: 100_000,
  accountMode: 'margin',
  seed: 1,
};

/** What the comparison looks at: signals without the latency trace, postures, and intents as the broker registered them. */
const signalKey = (m: Any): string => JSON.stringify({ ...m, originNs: undefined });
const postureKey = (m: Any): string => JSON.stringify(m);
const deniedKey = (m: Any): string => JSON.stringify({ intent: m.intent, code: m.code, reason: m.reason, at: m.at });
const intentKey = (m: Any): string => JSON.stringify({ intentId: m.intentId, symbol: m.symbol, side: m.side, qty: m.qty, ts: m.ts });

let venue: VenueHandle | undefined;
let sys: ActorSystem | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sys?.shutdown();
  await venue?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  sys = venue = dir = undefined;
});

async function live(bars: readonly HistBar[]): Promise<{ signals: string[]; postures: string[]; intents: string[]; denied: string[]; buyingPower: number }> {
  // Virtual minutes pass in real milliseconds: the venue's per-minute request limit (real time) must not bite.
  // Its market stands still on a Saturday (manual clock, exchange hours): orders are accepted and wait for Monday's open.
  venue = await startVenue({
    seed: 5,
    historyMinutes: 0,
    accountMode: 'margin',
    cash: SPEC.startingCash,
    rateLimitPerMinute: 1_000_000,
    clockMode: 'manual',
    session: 'exchange',
    startTime: Date.UTC(2026, 1, 28, 15),
  });
  dir = mkdtempSync(join(tmpdir(), 'qgtm-parity-'));
  sys = await ActorSystem.start({ logLevel: 'silent', clock: 'virtual', startTime: START, structures: [...MARKET_DATA_STRUCTURES, ...TRADING_STRUCTURES] });
  const signals = new Collector<Any>();
  const postures = new Collector<Any>();
  const orders = new Collector<Any>();
  const risk = new Collector<Any>();
  const status = new Collector<Any>();
  await sys.subscribe(TOPICS.signals, (m) => signals.push(m as Any));
  await sys.subscribe(TOPICS.posture, (m) => postures.push(m as Any));
  await sys.subscribe(TOPICS.orders, (m) => orders.push(m as Any));
  await sys.subscribe(TOPICS.risk, (m) => risk.push(m as Any));
  await sys.subscribe(TOPICS.broker_status, (m) => status.push(m as Any));
  const accounts = new Collector<Any>();
  await sys.subscribe(TOPICS.positions, (m) => {
    if (m.type === 'broker.account') accounts.push(m as Any);
  });
  const feedArgs = { config: researchFeedOverrides(INTERVAL), tickMs: 60_000, sampleMs: 0 };
  const r = riskArgs(staleAllowance(SETTINGS.risk, INTERVAL));
  await startTrading(sys, {
    connection: resolveAlpacaConnection({ local: venue }),
    journalDir: dir,
    shards: 1,
    strategy: { paramOverrides: strategyOverrides(SETTINGS.strategies), disabled: SETTINGS.strategies.disabled },
    allocator: allocatorArgs(SETTINGS.allocator),
    risk: { ...r },
    // Network round trips take real time while virtual time stands still: no timeout may trip on an advance.
    // One reconciliation (and account reading) per bar interval: the back-test reads the account at each bar time too
    // (its 5 s period falls due once per 1-minute bar), and the venue's request budget is not spent on virtual minutes.
    broker: { reconcileEveryMs: INTERVAL, requestTimeoutMs: 600_000, disconnectAfterMs: 600_000, periodicGraceMs: 600_000 },
    marketData: SYMBOLS.map((s) => ({ type: 'worker' as const, start: feedSpec(s, { args: feedArgs, placement: 'md' }) })),
  });
  await status.waitFor((m) => m.connected && m.ready, 10_000, 'broker ready');
  await sys.settle();
  let now = START;
  for (const bar of bars) {
    const close = bar.ts + INTERVAL;
    if (close > now) {
      await sys.advance(close - now);
      now = close;
      // The reconciliation the advance fired reads the account over the network: its answer comes before the bars, as in the back-test.
      const t = now;
      if (!accounts.items.some((m) => m.ts >= t)) await accounts.waitFor((m) => m.ts >= t, 10_000, `account at ${t}`);
      await sys.settle();
    }
    const md: MarketDataMsg = { type: 'md.bar', symbol: bar.symbol, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume, ts: bar.ts, trades: 0, vwap: bar.close };
    sys.tell(feedIdFor(DEFAULT_FEED_ID_PATTERN, bar.symbol), md);
    await sys.settle();
    // Every order the bar caused is at the venue (its POST answered) before time moves on.
    const count = (event: string): number => orders.items.filter((m) => m.event === event).length;
    if (count('ack') < count('submitted')) {
      await orders.waitFor(() => count('ack') >= count('submitted'), 10_000, 'orders acknowledged');
    }
  }
  return {
    signals: signals.items.map(signalKey),
    postures: postures.items.map(postureKey),
    intents: orders.items.filter((m) => m.type === 'broker.order_update' && m.event === 'submitted').map(intentKey),
    denied: risk.items.filter((m) => m.type === 'risk.intent_denied').map(deniedKey),
    buyingPower: accounts.items[accounts.items.length - 1]?.buyingPower ?? NaN,
  };
}

async function backtest(bars: readonly HistBar[]): Promise<{ signals: string[]; postures: string[]; intents: string[]; denied: string[]; fills: number; buyingPower: number }> {
  const signals: string[] = [];
  const postures: string[] = [];
  const intents: string[] = [];
  const denied: string[] = [];
  let buyingPower = NaN;
  const r = await runBacktest(arraySource(bars, INTERVAL), SPEC, {}, {
    observer: {
      signal: (m) => signals.push(signalKey(m as Any)),
      posture: (m) => postures.push(postureKey(m as Any)),
      denied: (m) => denied.push(deniedKey(m as Any)),
      broker: (m) => {
        if (m.type === 'broker.account') buyingPower = m.buyingPower;
        if (m.type === 'broker.order_update' && m.event === 'submitted') intents.push(intentKey(m as Any));
      },
    },
  });
  return { signals, postures, intents, denied, fills: r.counts.fills, buyingPower };
}

describe('research parity', () => {
  it('the same bars through the live actors and the back-test then the same signals, postures and intents', async () => {
    const bars = walkBars(SYMBOLS, BAR_TIMES, { seed: 11, start: START, price: 10 });
    const b = await backtest(bars);
    const l = await live(bars);
    // The run must have something to compare: strategies spoke, the allocator traded.
    expect(b.signals.length).toBeGreaterThan(20);
    expect(b.intents.length).toBeGreaterThan(3);
    expect(b.fills).toBe(0);
    expect(l.denied).toEqual(b.denied);
    // And the book both sides sized against: the buying power the working orders left.
    expect(b.buyingPower).toBeLessThan(2 * SPEC.startingCash);
    expect(l.buyingPower).toBe(b.buyingPower);
    expect(l.signals).toEqual(b.signals);
    expect(l.postures).toEqual(b.postures);
    expect(l.intents).toEqual(b.intents);
  }, 180_000);
});
