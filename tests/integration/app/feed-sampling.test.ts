/**
 * Issue 12: the daemon's main thread must not decode every `feed.features`.
 * Real feed actors in a worker are pumped a fast trade stream from another
 * worker; the daemon bridge (as `qgtm daemon` builds it) must receive only
 * the feeds' conflated samples, a few per second per feed, while its views
 * (and the `ticks` topic the gateway relays) still end on the newest values,
 * and its features counter still counts every update.
 */
import { describe, expect, it } from 'vitest';
import { InMemoryBus } from '../../../app/bus/memory.js';
import { DaemonBridge } from '../../../app/daemon/bridge.js';
import { MARKET_DATA_STRUCTURES } from '../../../actors/market-data/index.js';
import { feedSpec } from '../../../app/daemon/market-data-specs.js';
import type { Message } from '../../../src/runtime/index.js';
import { universe } from '../../../src/universe/index.js';
import { eventually, fixture } from '../../helpers/fixtures.js';
import { useSystem } from '../../helpers/system.js';

const startSystem = useSystem();

interface PumpState {
  round: number;
  sent: number;
  startedAt: number;
  doneAt: number | null;
  last: Record<string, { price: number; ts: number }>;
}

interface FeedState {
  published: { features: number; samples: number };
}

describe('feed samples to the daemon main thread', () => {
  it('feeds ticking fast then the bridge decodes a few samples a second per feed, and its views end on the last features', async () => {
    const SAMPLE_MS = 100;
    const symbols = universe('pm').slice(0, 3).map((i) => i.symbol);
    const system = await startSystem({ structures: MARKET_DATA_STRUCTURES });
    const bus = new InMemoryBus();
    const ticks: { symbol: string; price: number | null; ts: number | null }[] = [];
    bus.subscribe('ticks', (m) => ticks.push(...(m as { items: typeof ticks }).items));
    const bridge = new DaemonBridge({ system, bus, focus: 'pm', shardCount: 1, describe: () => ({}), tickMs: 50 });
    await bridge.start();
    try {
      for (const symbol of symbols) await system.spawn(feedSpec(symbol, { args: { sampleMs: SAMPLE_MS, config: { barIntervalMs: 60_000 } }, mailbox: { capacity: 200_000, overflow: 'reject' } }));
      await system.spawn({ id: 'pump', module: fixture('tick-pump'), placement: 'pump' });
      // 3 feeds x 50 trades every 5 ms for ~1.5 s: about 30,000 ticks a second in all.
      system.tell('pump', { type: 't.pump', symbols, perRound: 50, rounds: 300, everyMs: 5 } as Message);

      const pump = (await eventually(async (): Promise<PumpState | false> => {
        const [p] = await system.inspect('pump');
        const s = p!.state_detail as PumpState;
        return s.doneAt !== null && s;
      }, 30_000, 'the pump to finish')) as PumpState;
      // Every feed has published the features of every trade it was sent (none dropped, none pending).
      const feeds = (await eventually(async (): Promise<FeedState[] | false> => {
        const infos = await Promise.all(symbols.map(async (s) => (await system.inspect(`feed:${s}`))[0]!.state_detail as FeedState));
        const published = infos.reduce((n, f) => n + f.published.features, 0);
        return published === pump.sent && infos;
      }, 30_000, 'the feeds to publish every trade')) as FeedState[];
      const features = feeds.reduce((n, f) => n + f.published.features, 0);
      // The trailing samples (one period after the last features) have reached the views.
      await eventually(() => bridge.views.counts.features === features, 10_000, 'every update counted through the samples', () => ({ counted: bridge.views.counts.features, features }));
      const elapsedMs = Date.now() - pump.startedAt;

      const seen = bridge.messagesSeen();
      expect(seen.features).toBeUndefined();
      const samples = seen.feed_samples ?? 0;
      // At most one sample per period per feed plus the leading one, with one more period of slack for timer jitter.
      const bound = symbols.length * (Math.ceil(elapsedMs / SAMPLE_MS) + 2);
      expect(samples).toBeGreaterThan(0);
      expect(samples).toBeLessThanOrEqual(bound);
      const after = await Promise.all(symbols.map(async (s) => (await system.inspect(`feed:${s}`))[0]!.state_detail as FeedState));
      expect(samples).toBe(after.reduce((n, f) => n + f.published.samples, 0));
      expect(features).toBeGreaterThan(20 * samples);

      // The views (and the gateway's ticks topic) end on the last trade of each feed.
      const universeView = bridge.views.universeSection(Date.now()) as { instruments: Record<string, { price: number; ts: number }> };
      for (const symbol of symbols) {
        expect(universeView.instruments[symbol]!.price).toBe(pump.last[symbol]!.price);
        expect(universeView.instruments[symbol]!.ts).toBe(pump.last[symbol]!.ts);
      }
      await eventually(
        () => symbols.every((s) => ticks.filter((t) => t.symbol === s).at(-1)?.price === pump.last[s]!.price),
        5_000,
        'the ticks topic to carry the last prices',
      );
    } finally {
      await bridge.stop();
    }
  });
});
