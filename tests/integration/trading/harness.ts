/**
 * The trading tree against the real venue, for the trading integration tests:
 * a venue, an actor system with the trading structures, the supervision tree
 * with the synthetic tick source standing in for the market-data session,
 * SDK clients to look at the venue directly, and collectors on every topic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAlpacaConnection, type AlpacaClients } from '../../../src/alpaca/index.js';
import { startTrading, TRADING_STRUCTURES, type TradingConfig } from '../../../app/daemon/index.js';
import { ActorSystem, type Message, type SystemOptions } from '../../../src/runtime/index.js';
import type { SupervisionTree } from '../../../supervisor/index.js';
import { startVenue, type VenueHandle, type VenueOptions } from '../../../venue/index.js';
import { barMsg, featuresMsg, TICK_SOURCE_STRUCTURES, type PublishItem } from '../../../actors/replay/tick-source.js';
import { activeTriggers, eventually } from '../../helpers/fixtures.js';
import { clientsFor, Collector } from '../venue/helpers.js';
import type { BrokerConnectionMsg, BrokerPositionsMsg } from '../../../actors/broker/messages.js';
import { TOPICS, type TopicName } from '../../../actors/topics.js';

export type Any = Message & Record<string, any>;

export const TICK_SOURCE = new URL('../../../actors/replay/tick-source.js', import.meta.url).href;

/** The topics the harness collects. */
export const WATCHED = ['signals', 'strategy_status', 'posture', 'risk', 'orders', 'fills', 'positions', 'reconciled', 'broker_status'] as const satisfies readonly TopicName[];

export interface Harness {
  readonly venue: VenueHandle;
  readonly sys: ActorSystem;
  readonly tree: SupervisionTree;
  readonly api: AlpacaClients;
  readonly journalDir: string;
  /** Everything published on each topic since the start. */
  readonly seen: Record<(typeof WATCHED)[number], Collector<Any>>;
  /** Publishes items through the tick source (a worker, as the market-data session would). */
  publish(items: readonly PublishItem[]): Promise<void>;
  /** Asks an actor (2 s timeout). */
  ask(id: string, msg: Any, timeoutMs?: number): Promise<Any>;
  /** Waits until the broker session reports connected and ready. */
  brokerReady(timeoutMs?: number): Promise<BrokerConnectionMsg>;
  /** The broker's latest published positions (qty per symbol, zeros dropped). */
  brokerPositions(): Record<string, number>;
  /** What the trading path last said (risk, broker link, postures, orders, venue orders), for timeout messages. */
  explain(): Promise<unknown>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly venue?: VenueOptions;
  readonly trading?: Partial<TradingConfig>;
  readonly system?: SystemOptions;
  /** Reuse a journal directory (a restarted daemon); default a fresh temp dir. */
  readonly journalDir?: string;
}

/** Fast settings for tests: short cool-downs and periods, the stale-data trigger out of the way. */
export const FAST: Partial<TradingConfig> = {
  shards: 1,
  strategy: { strategies: ['trend_ma_cross'], paramOverrides: { trend_ma_cross: { fast: 2, slow: 4, horizonBars: 50 } }, statusEveryMs: 500 },
  allocator: { rebalanceEveryMs: 60_000 },
  risk: { risk: { coolDownMs: 300, staleData: { ladder: { WARN: 600_000 }, hysteresis: 1000 } }, evaluateEveryMs: 100, stateEveryMs: 500, flattenEveryMs: 200, cancelRetryMs: 1000 },
  broker: { reconcileEveryMs: 500, statusEveryMs: 100, disconnectAfterMs: 600, reconnectMinMs: 100, reconnectMaxMs: 400, retryAfterMs: 200, requestTimeoutMs: 2000, periodicGraceMs: 1000 },
};

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const venue = await startVenue({ seed: 11, historyMinutes: 0, fillLatencyMs: 5, ...opts.venue });
  const journalDir = opts.journalDir ?? mkdtempSync(join(tmpdir(), 'qgtm-trading-'));
  // QGTM_TEST_LOG=info shows the actors' logs when a test needs looking into.
  const sys = await ActorSystem.start({ logLevel: (process.env.QGTM_TEST_LOG as 'info' | undefined) ?? 'silent', structures: [...TICK_SOURCE_STRUCTURES, ...TRADING_STRUCTURES], ...opts.system });
  const seen = Object.fromEntries(WATCHED.map((t) => [t, new Collector<Any>()])) as Harness['seen'];
  await Promise.all(WATCHED.map((t) => sys.subscribe<Message>(TOPICS[t], (m) => seen[t].push(m as Any))));
  const t = { ...FAST, ...opts.trading };
  let tree: SupervisionTree;
  try {
    tree = await startTrading(sys, {
      ...t,
      connection: resolveAlpacaConnection({ local: venue }),
      journalDir,
      marketData: [{ type: 'worker', start: { id: 'md', module: TICK_SOURCE, placement: 'md' } }],
    } as TradingConfig);
  } catch (err) {
    await sys.shutdown();
    await venue.close();
    throw err;
  }
  const api = clientsFor(venue);
  return {
    venue,
    sys,
    tree,
    api,
    journalDir,
    seen,
    async publish(items) {
      await sys.ask('md', { type: 'ticks.publish', items } as Any, { timeoutMs: 2000 });
    },
    ask: (id, msg, timeoutMs = 2000) => sys.ask<Any>(id, msg, { timeoutMs }),
    brokerReady: (timeoutMs = 8000) =>
      seen.broker_status.waitFor((m) => m.connected && m.ready && m.ts >= 0, timeoutMs, 'broker ready') as Promise<unknown> as Promise<BrokerConnectionMsg>,
    brokerPositions() {
      const last = [...seen.positions.items].reverse().find((m) => m.type === 'broker.positions') as BrokerPositionsMsg | undefined;
      return Object.fromEntries((last?.positions ?? []).filter((p) => p.qty !== 0).map((p) => [p.symbol, p.qty]));
    },
    async explain() {
      const last = (t: (typeof WATCHED)[number], n = 3): unknown[] => seen[t].items.slice(-n);
      const venueOrders = await api.orders.getAllOrders({ status: 'all', limit: 20 }).catch((e: unknown) => String(e));
      const risk = seen.risk.items.filter((m) => m.type === 'risk.state').slice(-1)[0];
      return {
        risk: risk && { tier: risk.tier, floor: risk.floor, triggers: activeTriggers(risk) },
        riskEvents: seen.risk.items.filter((m) => m.type !== 'risk.state').slice(-5),
        brokerStatus: last('broker_status', 1),
        posture: last('posture', 2),
        orders: last('orders', 5),
        venueOrders,
      };
    },
    async close() {
      await tree.stop().catch(() => undefined);
      await sys.shutdown();
      await venue.close();
      if (!opts.journalDir) rmSync(journalDir, { recursive: true, force: true });
    },
  };
}

/** Venue positions as qty per symbol. */
export async function venuePositions(api: AlpacaClients): Promise<Record<string, number>> {
  const list = await api.positions.getAllOpenPositions();
  return Object.fromEntries(list.map((p) => [p.symbol, Number(p.qty)]).filter(([, q]) => q !== 0));
}

/**
 * Bars that walk `base` up (direction 1) or down (-1) by about 0.3 % a bar with
 * a little noise, ending one bar before `now`, plus features at the last close:
 * enough for trend_ma_cross(2, 4) to call a direction.
 */
export function trendItems(symbol: string, base: number, direction: 1 | -1, now: number, n = 8): PublishItem[] {
  const items: PublishItem[] = [];
  let px = base;
  for (let i = 0; i < n; i++) {
    px = Math.round(px * (1 + direction * 0.003 + (i % 2 === 0 ? 0.0007 : -0.0007)) * 100) / 100;
    items.push({ topic: TOPICS.bars, msg: barMsg(symbol, px, now - (n - i) * 60_000) });
  }
  items.push({ topic: TOPICS.features, msg: featuresMsg(symbol, px, now, n, 0.2) });
  return items;
}

/** The venue's mid price for a symbol. */
export function mid(venue: VenueHandle, symbol: string): number {
  const q = venue.market.quote(symbol)!;
  return Math.round(((q.bid + q.ask) / 2) * 100) / 100;
}

export { eventually, Collector };

/** Publishes the venue's current prices as features (with volatility `vol`) and waits until the risk governor has them (its last prices). */
export async function publishPrices(h: Harness, symbols: readonly string[], vol: number | null = 0.2): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const now = Date.now();
  await h.publish(symbols.map((s, k) => ({ topic: TOPICS.features, msg: featuresMsg(s, (out[s] = mid(h.venue, s)), now, k + 1, vol) })));
  // The features come from the tick source's worker, the intents from this thread: wait until risk has the prices.
  await eventually(async () => {
    const [info] = await h.sys.inspect('risk');
    const last = (info?.state_detail as { lastPrices?: Record<string, number> } | undefined)?.lastPrices ?? {};
    return symbols.every((s) => last[s] === out[s]);
  }, 15_000, 'risk has the last prices');
  return out;
}

/** A market (or limit) order intent as the allocator would make it. */
export function intent(intentId: string, symbol: string, side: 'buy' | 'sell', qty: number, refPrice: number, extra: Record<string, unknown> = {}): Any {
  return { intentId, symbol, side, qty, timeInForce: 'day', refPrice, createdAt: Date.now(), reason: 'test', postureSeq: 0, type: 'market', ...extra } as Any;
}

/** An allocator.intents message carrying `intents`, told to the risk governor as the allocator would. */
export function intentsMsg(intents: readonly Any[], seq = 1): Any {
  return { type: 'allocator.intents', seq, ts: Date.now(), intents, skipped: [], turnover: 0, originNs: 0 } as Any;
}

/** Operator command to the risk governor, answered with risk.command_result. */
export function riskCommand(h: Harness, action: 'set' | 'clear', tier?: string): Promise<Any> {
  const cmd = action === 'set' ? { type: 'risk.command', action, tier, reason: 'test', by: 'tester', at: Date.now() } : { type: 'risk.command', action, reason: 'test', by: 'tester', at: Date.now() };
  return h.ask('risk', cmd as Any);
}

/** Waits until the risk governor is armed (broker ready, account known) and reports `tier`. */
export function riskAt(h: Harness, tier: string, timeoutMs = 8000): Promise<Any> {
  return eventually<Any | null>(async () => {
    const s = await h.ask('risk', { type: 'risk.query' });
    return s.armed && s.tier === tier ? s : null;
  }, timeoutMs, `risk armed at ${tier}`) as Promise<Any>;
}
